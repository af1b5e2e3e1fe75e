package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func serveOpenAPI(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"openapi": "3.0.3"}) }
