package server

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
)

func init() {
	typeDocs[reflect.TypeFor[Readiness]()] = "Readiness: status is ready, or not ready when Temporal or PostgreSQL did not answer. " +
		"The answer says no more (anyone may ask); what failed, and how, is in the server log."
	fieldExtras[fieldKey{reflect.TypeFor[Readiness](), "status"}] = obj{"enum": []string{readyStatus, notReadyStatus}}
}

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// Readiness reports whether the API can do its work: both Temporal and
// PostgreSQL must answer. /readyz is open to anonymous callers (load
// balancers, orchestrators), so it tells them only that; the errors, which
// name hosts, ports, users and driver internals, go to the server log.
type Readiness struct {
	Status string `json:"status"`
}

const (
	readyStatus    = "ready"
	notReadyStatus = "not ready"
)

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c, 3*time.Second)
	defer cancel()
	ready := true
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		s.log.Warn("not ready: Temporal did not answer the health check", "err", err)
		ready = false
	}
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("not ready: PostgreSQL did not answer", "err", err)
		ready = false
	}
	if !ready {
		c.JSON(http.StatusServiceUnavailable, Readiness{Status: notReadyStatus})
		return
	}
	c.JSON(http.StatusOK, Readiness{Status: readyStatus})
}
