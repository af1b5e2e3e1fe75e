// Package config reads cxflow's settings from environment variables; every
// setting has a documented default (docs/configuration.md).
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	// Embedded zone data: containers and fresh machines may lack /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/email"
)

// Config is what the server and worker need to run.
type Config struct {
	// TemporalAddress is the Temporal frontend, host:port (TEMPORAL_ADDRESS).
	TemporalAddress string
	// TemporalNamespace (TEMPORAL_NAMESPACE).
	TemporalNamespace string
	// TaskQueue the worker polls and the server starts workflows on (CXFLOW_TASK_QUEUE).
	TaskQueue string
	// DatabaseURL is the PostgreSQL connection string (DATABASE_URL).
	DatabaseURL string
	// HTTPAddr is where the API listens (CXFLOW_HTTP_ADDR).
	HTTPAddr string
	// PolicyFile optionally overrides the complaint policy's defaults (CXFLOW_POLICY_FILE).
	PolicyFile string
	// Location is the organisation's time zone (CXFLOW_TIMEZONE).
	Location *time.Location
	// LogLevel is debug, info, warn or error (CXFLOW_LOG_LEVEL).
	LogLevel slog.Level
	// SessionTTL is how long a sign-in lasts (CXFLOW_SESSION_TTL).
	SessionTTL time.Duration
	// UpdateTimeout is how long an API request waits for a workflow before
	// it answers 503 (CXFLOW_UPDATE_TIMEOUT, default 30s).
	UpdateTimeout time.Duration
	// PublicURL is where customers reach the API, for signed links (CXFLOW_PUBLIC_URL).
	PublicURL string
	// TemporalUIOrigin is the Temporal Web UI's origin, allowed to call the
	// codec endpoint from the browser (CXFLOW_TEMPORAL_UI_ORIGIN).
	TemporalUIOrigin string
	// TrustedProxies are reverse proxies (addresses or CIDRs) whose
	// X-Forwarded-For names the client (CXFLOW_TRUSTED_PROXIES, comma-separated;
	// none by default).
	TrustedProxies []string
	// Secrets holds the encryption and link keys; nil until LoadSecrets.
	Secrets *Secrets
	// OpenID Connect sign-in, off unless an issuer is set (CXFLOW_OIDC_ISSUER,
	// CXFLOW_OIDC_CLIENT_ID, CXFLOW_OIDC_CLIENT_SECRET, CXFLOW_OIDC_REDIRECT_URL,
	// CXFLOW_OIDC_USERNAME_CLAIM).
	OIDCIssuer, OIDCClientID, OIDCClientSecret, OIDCRedirectURL, OIDCUsernameClaim string
	// SMTP is where outgoing mail goes (CXFLOW_SMTP_URL, e.g.
	// smtp://user:pass@host:587); nil when no mail server is configured.
	SMTP *email.Server
	// MailFrom is the sender of outgoing mail (CXFLOW_MAIL_FROM).
	MailFrom string
	// WebhookAllowPrivate lets webhooks target loopback and private
	// addresses (CXFLOW_WEBHOOK_ALLOW_PRIVATE=true); refused by default (SSRF).
	WebhookAllowPrivate bool
}

// Defaults for a single machine.
const (
	DefaultTemporalAddress = "127.0.0.1:7233"
	DefaultNamespace       = "default"
	DefaultTaskQueue       = "cxflow"
	DefaultDatabaseURL     = "postgres://postgres@127.0.0.1:5433/cxflow?sslmode=disable"
	DefaultHTTPAddr        = ":8080"
	DefaultTimeZone        = "Asia/Shanghai"
	DefaultMailFrom        = "cxflow <noreply@example.com>"
)

// FromEnv reads the configuration, applying defaults for unset variables.
func FromEnv() (Config, error) {
	c := Config{
		TemporalAddress:   env("TEMPORAL_ADDRESS", DefaultTemporalAddress),
		TemporalNamespace: env("TEMPORAL_NAMESPACE", DefaultNamespace),
		TaskQueue:         env("CXFLOW_TASK_QUEUE", DefaultTaskQueue),
		DatabaseURL:       env("DATABASE_URL", DefaultDatabaseURL),
		HTTPAddr:          env("CXFLOW_HTTP_ADDR", DefaultHTTPAddr),
		PolicyFile:        os.Getenv("CXFLOW_POLICY_FILE"),
	}
	c.PublicURL = env("CXFLOW_PUBLIC_URL", "http://localhost:8080")
	c.OIDCIssuer = env("CXFLOW_OIDC_ISSUER", "")
	c.OIDCClientID = env("CXFLOW_OIDC_CLIENT_ID", "")
	c.OIDCClientSecret = env("CXFLOW_OIDC_CLIENT_SECRET", "")
	c.OIDCRedirectURL = env("CXFLOW_OIDC_REDIRECT_URL", "")
	c.OIDCUsernameClaim = env("CXFLOW_OIDC_USERNAME_CLAIM", "preferred_username")
	if c.OIDCIssuer != "" && c.OIDCClientID == "" {
		return c, fmt.Errorf("CXFLOW_OIDC_ISSUER is set but CXFLOW_OIDC_CLIENT_ID is not")
	}
	c.TemporalUIOrigin = env("CXFLOW_TEMPORAL_UI_ORIGIN", "http://localhost:8233")
	for _, p := range strings.Split(os.Getenv("CXFLOW_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, aerr := netip.ParseAddr(p); aerr != nil {
				return c, fmt.Errorf("CXFLOW_TRUSTED_PROXIES: %q is not an address or CIDR such as 10.0.0.0/8", p)
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	ttl, err := time.ParseDuration(env("CXFLOW_SESSION_TTL", "12h"))
	if err != nil || ttl <= 0 {
		return c, fmt.Errorf("CXFLOW_SESSION_TTL must be a positive duration such as 12h")
	}
	c.SessionTTL = ttl
	if c.UpdateTimeout, err = time.ParseDuration(env("CXFLOW_UPDATE_TIMEOUT", "30s")); err != nil || c.UpdateTimeout <= 0 {
		return c, fmt.Errorf("CXFLOW_UPDATE_TIMEOUT must be a positive duration such as 30s")
	}
	if raw := env("CXFLOW_SMTP_URL", ""); raw != "" {
		server, err := email.ParseURL(raw)
		if err != nil {
			return c, fmt.Errorf("CXFLOW_SMTP_URL: %w", redactURLError(err))
		}
		c.SMTP = &server
	}
	c.MailFrom = env("CXFLOW_MAIL_FROM", DefaultMailFrom)
	switch v := env("CXFLOW_WEBHOOK_ALLOW_PRIVATE", "false"); v {
	case "true", "1":
		c.WebhookAllowPrivate = true
	case "false", "0":
	default:
		return c, fmt.Errorf("CXFLOW_WEBHOOK_ALLOW_PRIVATE must be true or false, not %q", v)
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return c, fmt.Errorf("CXFLOW_MAIL_FROM %q must be an address such as %s: %w", c.MailFrom, DefaultMailFrom, err)
	}
	tz := env("CXFLOW_TIMEZONE", DefaultTimeZone)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, fmt.Errorf("CXFLOW_TIMEZONE %q: %w", tz, err)
	}
	c.Location = loc
	if err := c.LogLevel.UnmarshalText([]byte(env("CXFLOW_LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("CXFLOW_LOG_LEVEL: %w", err)
	}
	return c, nil
}

// Policy loads the complaint policy: the defaults, overridden by PolicyFile.
func (c Config) Policy() (complaint.Policy, error) { return complaint.LoadPolicy(c.PolicyFile) }

// Logger is a JSON logger at the configured level.
func (c Config) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: c.LogLevel}))
}

func env(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

// redactURLError drops the URL that a url.Parse error quotes (with its
// password, typically), keeping the reason, so that the error can be logged.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("not a valid URL (not quoted here, it may hold a password): %w", ue.Err)
	}
	return err
}
