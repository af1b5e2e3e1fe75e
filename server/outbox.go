package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// countNotifications tells how much of the outbox waits and how much went
// out or failed, by channel: the staff's page heads with what is pending,
// and a relay's operator sees a queue that does not drain.
func (s *Server) countNotifications(c *gin.Context) {
	counts, err := s.store.CountOutbox(c)
	if err != nil {
		s.internal(c, "count notifications", err)
		return
	}
	c.JSON(http.StatusOK, counts)
}
