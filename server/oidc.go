package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/store"
)

// OIDCConfig signs users in through the company's identity provider. Roles
// and departments stay in cxflow: the provider proves who someone is, and the
// username claim names an existing cxflow user.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	// UsernameClaim is the ID-token claim holding the cxflow username
	// (default preferred_username).
	UsernameClaim string
}

// OIDCLogin is a configured OpenID Connect sign-in.
type OIDCLogin struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewOIDC discovers the provider; call it once at start-up.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDCLogin, error) {
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover OIDC provider %s: %w", cfg.Issuer, err)
	}
	if cfg.UsernameClaim == "" {
		cfg.UsernameClaim = "preferred_username"
	}
	return &OIDCLogin{
		cfg:      cfg,
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
		},
	}, nil
}

// WithOIDC enables sign-in through an identity provider.
func (s *Server) WithOIDC(o *OIDCLogin) *Server {
	s.oidc = o
	return s
}

const (
	oidcStateCookie = "cxflow_oidc"
	linkPurposeOIDC = "oidc-state"
)

// oidcStart sends the browser to the identity provider. The state names a
// nonce kept in a short-lived cookie, both signed, so a callback can only
// finish a sign-in this browser started.
func (s *Server) oidcStart(c *gin.Context) {
	if s.oidc == nil {
		abort(c, http.StatusNotFound, "sign-in through an identity provider is not configured", "")
		return
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		s.internal(c, "start sign-in", err)
		return
	}
	nonce := base64.RawURLEncoding.EncodeToString(b)
	state := s.security.Links.Sign(linkPurposeOIDC, nonce, s.now().Add(10*time.Minute))
	http.SetCookie(c.Writer, &http.Cookie{
		Name: oidcStateCookie, Value: nonce, Path: "/api/v1/auth/oidc", MaxAge: 600,
		HttpOnly: true, Secure: c.Request.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
	c.Redirect(http.StatusFound, s.oidc.oauth.AuthCodeURL(state, oidc.Nonce(nonce)))
}

// oidcCallback finishes the sign-in: the code is exchanged, the ID token
// verified (issuer, audience, expiry, nonce), and the named cxflow user
// signed in with a session like a password sign-in's.
func (s *Server) oidcCallback(c *gin.Context) {
	if s.oidc == nil {
		abort(c, http.StatusNotFound, "sign-in through an identity provider is not configured", "")
		return
	}
	if e := c.Query("error"); e != "" {
		abort(c, http.StatusUnauthorized, "the identity provider refused the sign-in: "+e, "")
		return
	}
	nonce, err := c.Cookie(oidcStateCookie)
	want, verr := s.security.Links.Verify(c.Query("state"), linkPurposeOIDC, s.now())
	if err != nil || verr != nil || nonce != want {
		abort(c, http.StatusUnauthorized, "the sign-in expired or was not started here; start again", "")
		return
	}
	ctx, cancel := context.WithTimeout(c, 15*time.Second)
	defer cancel()
	tok, err := s.oidc.oauth.Exchange(ctx, c.Query("code"))
	if err != nil {
		abort(c, http.StatusUnauthorized, "the identity provider did not accept the sign-in code", "")
		return
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		abort(c, http.StatusUnauthorized, "the identity provider sent no ID token", "")
		return
	}
	idt, err := s.oidc.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != nonce {
		abort(c, http.StatusUnauthorized, "the ID token is not valid", "")
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		abort(c, http.StatusUnauthorized, "the ID token is not valid", "")
		return
	}
	username, _ := claims[s.oidc.cfg.UsernameClaim].(string)
	username = strings.ToLower(strings.TrimSpace(username))
	c.Set(auditUserKey, username)
	u, _, err := s.store.Credentials(c, username)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		abort(c, http.StatusForbidden, "no active cxflow user is named "+username+"; ask an administrator", "")
		return
	}
	if err != nil {
		s.internal(c, "sign in", err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: oidcStateCookie, Value: "", Path: "/api/v1/auth/oidc", MaxAge: -1})
	token, t, err := s.startSession(c, u, "oidc")
	if err != nil {
		s.internal(c, "sign in", err)
		return
	}
	c.JSON(http.StatusOK, Session{Token: token, ExpiresAt: t.ExpiresAt, User: u})
}

// OIDCFrom sets up OpenID Connect sign-in from the configuration; nil when
// no issuer is configured.
func OIDCFrom(ctx context.Context, cfg config.Config) (*OIDCLogin, error) {
	if cfg.OIDCIssuer == "" {
		return nil, nil
	}
	redirect := cfg.OIDCRedirectURL
	if redirect == "" {
		redirect = strings.TrimSuffix(cfg.PublicURL, "/") + "/api/v1/auth/oidc/callback"
	}
	return NewOIDC(ctx, OIDCConfig{
		Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RedirectURL: redirect, UsernameClaim: cfg.OIDCUsernameClaim,
	})
}
