package server

import (
	"context"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
)

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

// healthEndpoints are the health checks and this document.
func healthEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodGet, path: "/healthz", id: "healthz", handle: method((*Server).healthz), auth: open,
			tag: "operations", summary: "Liveness", description: "Answers while the process serves requests; checks no dependency.",
			responses: []reply{answers(http.StatusOK, "Alive.", fixed(&openapi3.Schema{Type: &openapi3.Types{"object"}, Required: []string{"status"},
				Properties: openapi3.Schemas{"status": inline(enumOf("ok"))}}))}},
		{method: http.MethodGet, path: "/readyz", id: "readyz", handle: method((*Server).readyz), auth: open,
			tag: "operations", summary: "Readiness", description: "Checks that Temporal and PostgreSQL answer.",
			responses: []reply{answers(http.StatusOK, "Ready.", typeOf[Readiness]()),
				answers(http.StatusServiceUnavailable, "Not ready: a dependency did not answer.", typeOf[Readiness]())}},
		{method: http.MethodGet, path: "/openapi.json", id: "openapi", handle: func(*Server) gin.HandlerFunc { return serveOpenAPI }, auth: open,
			tag: "operations", summary: "This document",
			responses: []reply{answers(http.StatusOK, "The API's OpenAPI "+openAPIVersion+" document.", fixed(objectSchema()))}},
	}
}
