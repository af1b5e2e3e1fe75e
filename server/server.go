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
	"github.com/cxflow/cxflow/email"
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
	throttle    SignInThrottle
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
	// LoginPerMinute and PublicPerMinute limit requests per client address
	// to the identity provider's sign-in and to customers' links (defaults
	// 10 and 30); password sign-in is throttled by its failures instead.
	LoginPerMinute  int
	PublicPerMinute int
	// Throttle slows failed password sign-ins (DefaultSignInThrottle when zero).
	Throttle SignInThrottle
	// Keyring seals secrets kept at rest (webhooks'); WebhookAllowPrivate
	// lets webhooks target private addresses.
	Keyring             *payloadcrypt.Keyring
	WebhookAllowPrivate bool
	// Mail sends an administrator's test e-mail (nil without a mail server).
	Mail *email.Sender
	// TrustedProxies are the reverse proxies (CIDRs) whose X-Forwarded-For
	// names the client; none by default, so the connection's address is used.
	TrustedProxies []string
}

// New builds the API over a Temporal client and the read model.
func New(tc client.Client, st *store.Store, taskQueue string, log *slog.Logger) *Server {
	s := &Server{
		temporal: tc, store: st, log: log, now: time.Now,
		security:      Security{SessionTTL: 12 * time.Hour, LinkTTL: 7 * 24 * time.Hour, PublicURL: "http://localhost:8080"},
		loginLimit:    newLimiter(10, 5),
		throttle:      DefaultSignInThrottle,
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
	if sec.Throttle != (SignInThrottle{}) {
		s.throttle = sec.Throttle
	}
	s.security = sec
	if s.app != nil {
		s.app.Links, s.app.LinkTTL, s.app.PublicURL = sec.Links, sec.LinkTTL, sec.PublicURL
		s.app.Keyring, s.app.WebhookAllowPrivate = sec.Keyring, sec.WebhookAllowPrivate
		s.app.Mail = sec.Mail
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
	// could forge, unless a proxy is configured in front (CXFLOW_TRUSTED_PROXIES,
	// checked when the configuration is read).
	if err := r.SetTrustedProxies(s.security.TrustedProxies); err != nil {
		s.log.Error("trusted proxies ignored", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
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

	// Every operation, from the endpoint table the OpenAPI document is built from.
	s.register(r, cs)
	registerPages(r, cs.Pages())
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
	sec := Security{SessionTTL: cfg.SessionTTL, PublicURL: cfg.PublicURL, Location: cfg.Location, CodecOrigin: cfg.TemporalUIOrigin,
		TrustedProxies: cfg.TrustedProxies, WebhookAllowPrivate: cfg.WebhookAllowPrivate}
	if cfg.SMTP != nil {
		// The configuration checked the sender already; a bad one leaves no test.
		sec.Mail, _ = email.NewSender(*cfg.SMTP, cfg.MailFrom)
	}
	if cfg.Secrets != nil {
		sec.Links = cfg.Secrets.Links
		sec.Keyring = cfg.Secrets.Keyring
		if cfg.Secrets.Keyring != nil {
			sec.Codec = payloadcrypt.Handler(cfg.Secrets.Keyring)
		}
	}
	return sec
}
