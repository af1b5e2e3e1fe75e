package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/store"
)

// Context keys the handlers fill for the audit entry.
const (
	auditErrorKey    = console.AuditErrorKey
	auditUserKey     = "cxflow.audit.username"
	auditWorkflowKey = console.AuditWorkflowKey
	auditUpdateKey   = console.AuditUpdateKey
	auditTargetKey   = console.AuditTargetKey
)

// audit records every state-changing request — allowed, refused or failed —
// after it is answered. Reads are not recorded.
func (s *Server) audit() gin.HandlerFunc {
	return func(c *gin.Context) {
		read := c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead || c.Request.Method == http.MethodOptions
		// The identity provider's redirect is a GET that signs someone in.
		if read && c.Request.URL.Path != "/api/v1/auth/oidc/callback" {
			c.Next()
			return
		}
		c.Next()
		status := c.Writer.Status()
		// A forged or expired customer link leaves no trace: it is anyone's
		// guess, not an action by someone.
		if strings.HasPrefix(c.FullPath(), "/public/") && status == http.StatusForbidden {
			return
		}
		route := cmp.Or(c.GetString(console.AuditRouteKey), c.FullPath())
		_, signedIn := c.Get(principalKey)
		// Nobody's request to no route is nobody's action: recording it would
		// let anyone fill the append-only trail without signing in.
		if route == "" && !signedIn && c.GetString(auditUserKey) == "" {
			return
		}
		e := store.AuditEntry{
			Method: c.Request.Method, Route: route, Path: auditPath(c),
			RemoteAddr: c.ClientIP(), Status: status, Outcome: outcome(status),
			Message: capText(c.GetString(auditErrorKey), maxAuditMessage), WorkflowID: c.GetString(auditWorkflowKey),
			UpdateID: c.GetString(auditUpdateKey), Target: c.Param("id"),
		}
		if t := c.GetString(auditTargetKey); t != "" {
			e.Target = t
		}
		if e.Target == "" {
			e.Target = c.Param("name")
		}
		if p, ok := c.Get(principalKey); ok {
			u := p.(principal).user
			e.UserID, e.Username, e.Department = u.ID, u.Username, u.Department
			for _, r := range u.Roles {
				e.Roles = append(e.Roles, string(r))
			}
		} else {
			e.Username = c.GetString(auditUserKey)
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c), 5*time.Second)
		defer cancel()
		if err := s.store.AppendAudit(ctx, e); err != nil {
			s.log.Error("audit entry lost", "route", e.Route, "status", e.Status, "err", err)
		}
	}
}

// Bounds of what the trail keeps of a request.
const (
	maxAuditPath    = 512
	maxAuditMessage = 1000
)

// auditPath is the request's path as the trail keeps it: a customer's link
// token is a credential, so a /public/ path keeps its route with the token's
// hash (enough to tell requests with one link apart) instead; any path is
// capped.
func auditPath(c *gin.Context) string {
	if tok := c.Param("token"); tok != "" && strings.HasPrefix(c.FullPath(), "/public/") {
		sum := sha256.Sum256([]byte(tok))
		return strings.Replace(c.FullPath(), ":token", "sha256:"+hex.EncodeToString(sum[:8]), 1)
	}
	return capText(c.Request.URL.Path, maxAuditPath)
}

// capText cuts s to at most n bytes, on a rune boundary, marking the cut.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func outcome(status int) string {
	switch {
	case status < 400:
		return "allowed"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "refused"
	case status < 500:
		return "rejected"
	}
	return "failed"
}

// AuditList is a page of the audit trail, newest first.
type AuditList struct {
	Items []app.AuditEntry `json:"items"`
	// NextBefore pages on: pass it as before= for older entries.
	NextBefore int64 `json:"next_before,omitempty" doc:"Present when the page is full: pass it as before for older entries."`
}

// listAudit reads the audit trail (app.Audit).
func (s *Server) listAudit(c *gin.Context) {
	f := app.AuditFilter{UserID: c.Query("user_id"), Target: c.Query("target"), Outcome: c.Query("outcome"), Limit: 100}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if c.Query(p.name) == "" {
			continue
		}
		t, ok := timeParam(c, p.name)
		if !ok {
			return
		}
		*p.dst = &t
	}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			abort(c, http.StatusBadRequest, "before must be an entry ID from next_before", "before")
			return
		}
		f.Before = n
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			abort(c, http.StatusBadRequest, "limit must be a whole number from 1 to 500", "limit")
			return
		}
		f.Limit = n
	}
	page, err := s.app.Audit(c, actor(c), f)
	if err != nil {
		s.fail(c, "read the audit trail", err)
		return
	}
	c.JSON(http.StatusOK, AuditList{Items: page.Items, NextBefore: page.NextBefore})
}
