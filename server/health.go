package server

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
)

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// Readiness reports whether the API can do its work: both Temporal and
// PostgreSQL must answer.
type Readiness struct {
	Status   string `json:"status"`
	Temporal string `json:"temporal"`
	Postgres string `json:"postgres"`
}

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c, 3*time.Second)
	defer cancel()
	r := Readiness{Status: "ready", Temporal: "ok", Postgres: "ok"}
	status := http.StatusOK
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		r.Temporal, r.Status, status = err.Error(), "not ready", http.StatusServiceUnavailable
	}
	if err := s.store.Ping(ctx); err != nil {
		r.Postgres, r.Status, status = err.Error(), "not ready", http.StatusServiceUnavailable
	}
	c.JSON(status, r)
}
