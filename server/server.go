// Package server is cxflow's HTTP API: routing, binding, identity and the
// mapping of workflow outcomes to HTTP statuses. Business rules live in the
// workflows; the server checks input early only to answer faster.
package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
)

// Server serves the API.
type Server struct {
	temporal  client.Client
	store     *store.Store
	taskQueue string
	log       *slog.Logger
	now       func() time.Time
	// policy is the configured policy, shown while none is stored.
	policy complaint.Policy
	cache  hoursCache
}

// New builds the API over a Temporal client and the read model.
func New(tc client.Client, st *store.Store, taskQueue string, log *slog.Logger) *Server {
	return &Server{
		temporal: tc, store: st, taskQueue: taskQueue, log: log, now: time.Now,
		policy: complaint.DefaultPolicy(), cache: hoursCache{ttl: time.Minute},
	}
}

// WithPolicy sets the configured policy (defaults plus CXFLOW_POLICY_FILE).
func (s *Server) WithPolicy(p complaint.Policy) *Server {
	s.policy = p
	return s
}

// maxBody bounds request bodies; a complaint with its longest texts fits many times over.
const maxBody = 1 << 20

// Handler returns the routed API.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(s.recoverer(), s.accessLog(), limitBody(maxBody))
	r.NoRoute(func(c *gin.Context) {
		abort(c, http.StatusNotFound, "no such endpoint: "+c.Request.Method+" "+c.Request.URL.Path, "")
	})
	r.NoMethod(func(c *gin.Context) {
		abort(c, http.StatusMethodNotAllowed, "method "+c.Request.Method+" is not allowed on "+c.Request.URL.Path, "")
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/openapi.json", serveOpenAPI)

	api := r.Group("/api/v1")
	api.POST("/complaints", s.createComplaint)
	api.GET("/complaints", s.listComplaints)
	api.GET("/complaints/:id", s.getComplaint)
	for _, st := range complaintSteps {
		api.POST("/complaints/:id/"+st.path, st.handle(s))
	}
	for _, ct := range complaintControls {
		api.POST("/complaints/:id/"+ct.path, ct.handle(s))
	}
	api.POST("/complaints/:id/policy", s.migratePolicy)

	api.GET("/calendars", s.listCalendars)
	api.GET("/calendars/:name", s.getCalendar)
	api.PUT("/calendars/:name", s.putCalendar)
	api.PUT("/calendars/:name/years/:year", s.putCalendarYear)
	api.GET("/calendars/:name/due", s.calendarDue)
	api.GET("/calendars/:name/elapsed", s.calendarElapsed)

	api.GET("/sla-policies", s.listPolicies)
	api.GET("/sla-policies/active", s.activePolicy)
	api.POST("/sla-policies", s.addPolicy)
	return r
}

func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		s.log.Info("http request",
			"method", c.Request.Method, "path", c.FullPath(), "status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	}
}

// recoverer turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverer() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, err any) {
		s.log.Error("panic serving request", "path", c.Request.URL.Path, "panic", err)
		abort(c, http.StatusInternalServerError, "internal error", "")
	})
}
