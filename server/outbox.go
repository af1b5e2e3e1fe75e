package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// countNotifications tells how much of the outbox waits and how much went
// out or failed, by channel (app.CountNotifications): the staff's page heads
// with what is pending, and a relay's operator sees a queue that does not drain.
func (s *Server) countNotifications(c *gin.Context) {
	counts, err := s.app.CountNotifications(c, actor(c))
	if err != nil {
		s.fail(c, "count notifications", err)
		return
	}
	c.JSON(http.StatusOK, counts)
}
