package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// consoleBackend gives the web console the API's own code paths: the same
// sessions, read rules and step handlers.
type consoleBackend struct {
	s      *Server
	engine *gin.Engine
}

var _ console.Backend = consoleBackend{}

// auditDelegatedKey marks a console request whose API calls were audited.
const auditDelegatedKey = "cxflow.audit.delegated"

// consolePages answers the web console's pages (GET /, /login,
// /complaints/{id}, …) for requests no API route takes; anything else is
// the API's JSON 404.
func (s *Server) consolePages(cs *console.Console, notFound gin.HandlerFunc) gin.HandlerFunc {
	limit := s.loginLimit.middleware()
	return func(c *gin.Context) {
		if !cs.Serve(c, limit) {
			notFound(c)
		}
	}
}

// consoleFirst lets the console answer a browser at an API address (the
// customers' /public/… links); API clients get the JSON handler.
func (s *Server) consoleFirst(cs *console.Console) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !isInnerCall(c) && console.WantsHTML(c.Request) && cs.Serve(c, nil) {
			c.Abort()
			return
		}
		c.Next()
	}
}

func (b consoleBackend) SignIn(c *gin.Context, username, password string) error {
	u, ok, err := b.s.checkCredentials(c, username, password)
	if err != nil {
		return err
	}
	if !ok {
		c.Set(auditErrorKey, console.ErrBadLogin.Error())
		return console.ErrBadLogin
	}
	_, _, err = b.s.startSession(c, u, "")
	return err
}

func (b consoleBackend) SignOut(c *gin.Context) {
	if _, ok, err := b.Who(c); ok && err == nil {
		p := c.MustGet(principalKey).(principal)
		if err := b.s.store.RevokeToken(c, p.token.ID); err != nil {
			b.s.log.Error("sign out", "err", err)
		}
	}
	b.s.clearSessionCookie(c)
}

func (b consoleBackend) Who(c *gin.Context) (console.User, bool, error) {
	ck, err := c.Cookie(SessionCookie)
	if err != nil || ck == "" {
		return console.User{}, false, nil
	}
	u, t, err := b.s.store.Authenticate(c, auth.HashToken(ck), b.s.now())
	if errors.Is(err, store.ErrTokenInvalid) {
		return console.User{}, false, nil
	}
	if err != nil {
		return console.User{}, false, err
	}
	p := principal{user: u, token: t}
	c.Set(principalKey, p)
	return console.User{Name: u.Name, Actor: p.actor()}, true, nil
}

// innerCall marks a request the console makes to the API on a user's
// behalf; only server code can set it.
type innerCall struct{}

func isInnerCall(c *gin.Context) bool { return c.Request.Context().Value(innerCall{}) != nil }

// API runs the request through the server's own router, with the console
// request's cookies (so the user's session) and client address. The inner
// request is audited under its API route; the console's own request then
// is not, so one action leaves one audit row.
func (b consoleBackend) API(c *gin.Context, call console.Call) console.Answer {
	u, err := url.ParseRequestURI(call.Path)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		return console.Answer{Status: http.StatusBadRequest, Body: []byte(`{"error":"bad console call path"}`)}
	}
	req := c.Request.Clone(context.WithValue(c.Request.Context(), innerCall{}, true))
	req.Method = call.Method
	req.URL = u
	req.RequestURI = u.RequestURI()
	req.Header = http.Header{}
	for _, k := range []string{"Cookie", "User-Agent", "Accept-Language", "X-Forwarded-For", "X-Forwarded-Proto"} {
		if v, ok := c.Request.Header[k]; ok {
			req.Header[k] = v
		}
	}
	for k, v := range call.Header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Body, req.ContentLength = http.NoBody, 0
	if call.Body != nil {
		req.Body = io.NopCloser(bytes.NewReader(call.Body))
		req.ContentLength = int64(len(call.Body))
		req.Header.Set("Content-Type", "application/json")
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	b.engine.ServeHTTP(rec, req)
	if call.Method != http.MethodGet && call.Method != http.MethodHead {
		c.Set(auditDelegatedKey, true)
	}
	return console.Answer{Status: rec.status, Body: rec.body.Bytes(), Header: rec.header}
}

func (b consoleBackend) Departments(c *gin.Context) ([]org.Department, error) {
	return b.s.store.Departments(c)
}

// recorder keeps a handler's answer in memory.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
func (r *recorder) WriteHeader(status int)      { r.status = status }
