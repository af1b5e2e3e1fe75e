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

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/payloadcrypt"
	"github.com/cxflow/cxflow/store"
)

// Server serves the API.
type Server struct {
	app         *app.App
	temporal    client.Client
	store       *store.Store
	log         *slog.Logger
	now         func() time.Time
	security    Security
	oidc        *OIDCLogin
	loginLimit  *limiter
	publicLimit *limiter
	// updateTimeout bounds a request's wait for a workflow.
	updateTimeout time.Duration
}

// Security is what sign-in, customer links and the codec endpoint need.
type Security struct {
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration
	// Links signs customer-facing links; LinkTTL is how long one works.
	Links   *auth.Links
	LinkTTL time.Duration
	// Location is the organisation's time zone, for the console's dates
	// (Asia/Shanghai when nil).
	Location *time.Location
	// PublicURL is where customers reach this API, for the links.
	PublicURL string
	// Codec, when set, is served at /api/v1/codec for the Temporal Web UI and
	// CLI, to authorised users; CodecOrigin is the Web UI's origin allowed to
	// call it from the browser.
	Codec       http.Handler
	CodecOrigin string
	// LoginPerMinute and PublicPerMinute limit sign-in attempts and customer
	// link requests per client address (defaults 10 and 30).
	LoginPerMinute  int
	PublicPerMinute int
}

// New builds the API over a Temporal client and the read model.
func New(tc client.Client, st *store.Store, taskQueue string, log *slog.Logger) *Server {
	s := &Server{
		temporal: tc, store: st, log: log, now: time.Now,
		security:      Security{SessionTTL: 12 * time.Hour, LinkTTL: 7 * 24 * time.Hour, PublicURL: "http://localhost:8080"},
		loginLimit:    newLimiter(10, 5),
		publicLimit:   newLimiter(30, 10),
		updateTimeout: DefaultUpdateTimeout,
	}
	s.app = &app.App{Temporal: tc, Store: st, TaskQueue: taskQueue, Log: log, Now: func() time.Time { return s.now() },
		LinkTTL: s.security.LinkTTL, PublicURL: s.security.PublicURL}
	return s
}

// WithUpdateTimeout sets how long a request waits for a workflow's answer
// before it answers 503 (CXFLOW_UPDATE_TIMEOUT); 0 keeps the default.
func (s *Server) WithUpdateTimeout(d time.Duration) *Server {
	if d > 0 {
		s.updateTimeout = d
	}
	return s
}

// WithSecurity sets the sign-in, link and codec settings.
func (s *Server) WithSecurity(sec Security) *Server {
	if sec.SessionTTL == 0 {
		sec.SessionTTL = s.security.SessionTTL
	}
	if sec.LinkTTL == 0 {
		sec.LinkTTL = s.security.LinkTTL
	}
	if sec.PublicURL == "" {
		sec.PublicURL = s.security.PublicURL
	}
	if sec.LoginPerMinute > 0 {
		s.loginLimit = newLimiter(sec.LoginPerMinute, max(5, sec.LoginPerMinute/2))
	}
	if sec.PublicPerMinute > 0 {
		s.publicLimit = newLimiter(sec.PublicPerMinute, max(10, sec.PublicPerMinute/3))
	}
	s.security = sec
	if s.app != nil {
		s.app.Links, s.app.LinkTTL, s.app.PublicURL = sec.Links, sec.LinkTTL, sec.PublicURL
	}
	return s
}

// WithPolicy sets the configured policy (defaults plus CXFLOW_POLICY_FILE).
func (s *Server) WithPolicy(p complaint.Policy) *Server {
	s.app.Policy = p
	return s
}

// maxBody bounds request bodies; a complaint with its longest texts fits many times over.
const maxBody = 1 << 20

// Handler returns the routed API.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// Client addresses come from the connection, not from headers a client
	// could forge, unless a proxy is configured in front.
	_ = r.SetTrustedProxies(nil)
	r.Use(s.recoverer(), securityHeaders(), s.accessLog(), limitBody(maxBody), s.audit(), crossOrigin(s.security.PublicURL, s.security.CodecOrigin))
	// The web console (console package) calls the same operations; its
	// pages are routes of their own, registered after the API's.
	cs := console.New(consoleSessions{s}, s.app, s.security.Location)
	s.loginLimit.pageFor(cs.Status)
	s.publicLimit.pageFor(cs.Status)
	r.NoRoute(func(c *gin.Context) {
		abort(c, http.StatusNotFound, "no such endpoint: "+c.Request.Method+" "+c.Request.URL.Path, "")
	})
	r.NoMethod(func(c *gin.Context) {
		abort(c, http.StatusMethodNotAllowed, "method "+c.Request.Method+" is not allowed on "+c.Request.URL.Path, "")
	})

	// Open to all: health, the contract, sign-in and customers' signed links.
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/openapi.json", serveOpenAPI)
	r.POST("/api/v1/auth/login", s.loginLimit.middleware(), s.login)
	r.GET("/api/v1/auth/oidc/login", s.loginLimit.middleware(), s.oidcStart)
	r.GET("/api/v1/auth/oidc/callback", s.loginLimit.middleware(), s.oidcCallback)
	r.GET("/public/callback/:token", s.publicLimit.middleware(), s.consoleFirst(cs), s.publicCallback)
	r.POST("/public/callback/:token", s.publicLimit.middleware(), s.consoleFirst(cs), s.publicCallbackAnswer)

	api := r.Group("/api/v1", s.authenticate())
	api.POST("/auth/logout", s.logout)
	api.GET("/auth/me", s.me)

	api.POST("/complaints", s.createComplaint)
	api.GET("/complaints", s.listComplaints)
	api.GET("/complaints/:id", s.getComplaint)
	for _, st := range complaintSteps {
		api.POST("/complaints/:id/"+st.path, st.handle(s))
	}
	for _, ct := range complaintControls {
		api.POST("/complaints/:id/"+ct.path, ct.handle(s))
	}
	api.POST("/complaints/:id/callback-link", s.createCallbackLink)

	api.GET("/improvement-actions", s.listImprovements)
	api.POST("/improvement-actions", s.openImprovement)
	api.GET("/improvement-actions/:id", s.getImprovement)
	for _, st := range improvementSteps {
		api.POST("/improvement-actions/:id/"+st.path, st.handle(s))
	}

	api.POST("/complaints/:id/policy", s.may(app.OpMigratePolicy), s.migratePolicy)

	api.GET("/calendars", s.listCalendars)
	api.GET("/calendars/:name", s.getCalendar)
	api.PUT("/calendars/:name", s.may(app.OpPutCalendar), s.putCalendar)
	api.PUT("/calendars/:name/years/:year", s.may(app.OpPutCalendarYear), s.putCalendarYear)
	api.GET("/calendars/:name/versions", s.calendarHistory)
	api.GET("/calendars/:name/due", s.calendarDue)
	api.GET("/calendars/:name/elapsed", s.calendarElapsed)

	api.GET("/sla-policies", s.listPolicies)
	api.GET("/sla-policies/active", s.activePolicy)
	api.POST("/sla-policies", s.may(app.OpAddPolicy), s.addPolicy)

	api.GET("/departments", s.listDepartments)
	api.PUT("/departments/:id", s.may(app.OpPutDepartment), s.putDepartment)
	api.GET("/users", s.may(app.OpListUsers), s.listUsers)
	api.POST("/users", s.may(app.OpCreateUser), s.createUser)
	api.PATCH("/users/:id", s.may(app.OpUpdateUser), s.updateUser)
	api.PUT("/users/:id/password", s.setPassword)
	api.GET("/api-tokens", s.may(app.OpListAPITokens), s.listAPITokens)
	api.POST("/api-tokens", s.may(app.OpCreateAPIToken), s.createAPIToken)
	api.DELETE("/api-tokens/:id", s.may(app.OpRevokeAPIToken), s.revokeAPIToken)

	api.POST("/customers/import", s.may(app.OpImportCustomers), s.importCustomers)
	api.GET("/customers", s.may(app.OpListCustomers), s.listCustomers)
	api.GET("/survey-programmes", s.may(app.OpListProgrammes), s.listProgrammes)
	api.POST("/survey-programmes", s.may(app.OpCreateProgramme), s.createProgramme)
	api.GET("/survey-programmes/:id", s.may(app.OpGetProgramme), s.getProgramme)
	api.PUT("/survey-programmes/:id", s.may(app.OpPutProgramme), s.putProgramme)
	api.GET("/survey-programmes/:id/schedule", s.may(app.OpGetSchedule), s.getSchedule)
	api.POST("/survey-programmes/:id/schedule/pause", s.may(app.OpPauseSchedule), s.scheduleAction("pause"))
	api.POST("/survey-programmes/:id/schedule/resume", s.may(app.OpResumeSchedule), s.scheduleAction("resume"))
	api.POST("/survey-programmes/:id/schedule/trigger", s.may(app.OpTriggerSchedule), s.scheduleAction("trigger"))
	api.POST("/survey-programmes/:id/cycles", s.may(app.OpStartCycle), s.startCycle)
	api.GET("/survey-programmes/:id/cycles", s.may(app.OpListCycles), s.listCycles)
	api.GET("/survey-cycles/:id", s.may(app.OpGetCycle), s.getCycle)
	api.GET("/survey-cycles/:id/selections", s.may(app.OpListSelections), s.listSelections)
	api.GET("/survey-cycles/:id/invitations", s.may(app.OpListInvitations), s.listInvitations)
	api.GET("/notifications", s.may(app.OpListNotifications), s.listNotifications)
	api.GET("/notifications/counts", s.may(app.OpCountNotifications), s.countNotifications)
	api.POST("/notifications/:id/status", s.may(app.OpMarkNotification), s.markNotification)
	api.POST("/deliveries", s.may(app.OpRecordDelivery), s.postDelivery)
	api.POST("/survey-cycles/:id/answers", s.may(app.OpEnterAnswer), s.enterAnswer)
	r.GET("/public/survey/:token", s.publicLimit.middleware(), s.consoleFirst(cs), s.publicSurvey)
	r.POST("/public/survey/:token", s.publicLimit.middleware(), s.consoleFirst(cs), s.publicSurveyAnswer)

	api.GET("/audit", s.may(app.OpListAudit), s.listAudit)

	api.GET("/dashboard", s.may(app.OpDashboard), s.dashboard)
	api.GET("/reports/complaints", s.may(app.OpComplaintAnalysis), s.complaintAnalysis)
	api.GET("/reports/departments", s.may(app.OpDepartmentAssessment), s.departmentAssessment)
	api.POST("/assessment/checks", s.may(app.OpEnterAuditCheck), s.postAuditCheck)
	api.POST("/assessment/credits", s.may(app.OpEnterCredit), s.postAssessmentCredit)
	api.GET("/reports/satisfaction", s.may(app.OpSatisfactionReport), s.satisfactionReport)
	api.GET("/reports/churn", s.may(app.OpChurnReport), s.churnReport)
	api.POST("/customers/volumes", s.may(app.OpImportVolumes), s.importVolumes)
	api.GET("/reports/audit-evidence", s.may(app.OpAuditEvidence), s.auditEvidence)
	api.POST("/reports/regenerate", s.may(app.OpRegenerateReport), s.regenerateReport)
	api.GET("/report-versions", s.may(app.OpListReportVersions), s.listReportVersions)
	api.GET("/report-versions/:id", s.may(app.OpGetReportVersion), s.getReportVersion)

	if s.security.Codec != nil {
		codec := r.Group("/api/v1/codec", s.codecCORS(), s.authenticate(),
			requireRole("decoding workflow payloads", org.RoleAdministrator, org.RoleInternalAuditor,
				org.RoleMarketDepartment, org.RoleQualityDepartment, org.RoleGeneralManager))
		codec.POST("/encode", gin.WrapH(s.security.Codec))
		codec.POST("/decode", gin.WrapH(s.security.Codec))
		r.OPTIONS("/api/v1/codec/:op", s.codecCORS())
	}
	registerPages(r, cs.Pages(s.loginLimit.middleware()))
	return r
}

// registerPages adds the console's pages where no API route is; at an
// address both hold, the API's route serves browsers the page (consoleFirst).
func registerPages(r *gin.Engine, pages []console.Page) {
	taken := map[string]bool{}
	for _, rt := range r.Routes() {
		taken[rt.Method+" "+rt.Path] = true
	}
	for _, p := range pages {
		if taken[p.Method+" "+p.Path] {
			continue
		}
		r.Handle(p.Method, p.Path, p.Handlers...)
		if p.Method == http.MethodGet {
			r.Handle(http.MethodHead, p.Path, p.Handlers...)
		}
	}
}

// limitBody bounds request bodies; the customer import takes files, not forms.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := n
		switch c.Request.URL.Path {
		case "/api/v1/customers/import", "/api/v1/customers/volumes":
			limit = maxCSV
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
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

// codecCORS lets the Temporal Web UI, on its own origin, call the codec
// endpoint with the user's session cookie.
func (s *Server) codecCORS() gin.HandlerFunc {
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin != "" && origin == s.security.CodecOrigin {
			h := c.Writer.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Namespace")
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Vary", "Origin")
		}
		if c.Request.Method == http.MethodOptions {
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}

// SecurityFrom builds the security settings from the configuration and its
// loaded secrets.
func SecurityFrom(cfg config.Config) Security {
	sec := Security{SessionTTL: cfg.SessionTTL, PublicURL: cfg.PublicURL, Location: cfg.Location, CodecOrigin: cfg.TemporalUIOrigin}
	if cfg.Secrets != nil {
		sec.Links = cfg.Secrets.Links
		if cfg.Secrets.Keyring != nil {
			sec.Codec = payloadcrypt.Handler(cfg.Secrets.Keyring)
		}
	}
	return sec
}
