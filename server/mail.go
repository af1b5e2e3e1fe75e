package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
)

// MailTest is where to send a test e-mail (app.TestMail).
type MailTest = app.MailTest

func (s *Server) testMail(c *gin.Context) {
	var in MailTest
	if !bindJSON(c, &in, "") {
		return
	}
	res, err := s.app.TestMail(c, actor(c), in)
	if err != nil {
		s.fail(c, "send the test e-mail", err)
		return
	}
	c.JSON(http.StatusOK, res)
}
