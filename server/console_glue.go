package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// consoleBackend gives the web console the API's own code paths: the same
// sessions, read rules and step handlers.
type consoleBackend struct{ s *Server }

var _ console.Backend = consoleBackend{}

// consolePages answers the web console's pages (GET /, /login,
// /complaints/{id}, …) for requests no API route takes; anything else is
// the API's JSON 404.
func (s *Server) consolePages(notFound gin.HandlerFunc) gin.HandlerFunc {
	cs := console.New(consoleBackend{s}, nil)
	limit := s.loginLimit.middleware()
	return func(c *gin.Context) {
		if !cs.Serve(c, limit) {
			notFound(c)
		}
	}
}

func (b consoleBackend) SignIn(c *gin.Context, username, password string) error {
	s := b.s
	c.Set(auditUserKey, username)
	u, hash, err := s.store.Credentials(c, strings.ToLower(strings.TrimSpace(username)))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if errors.Is(err, store.ErrNotFound) || hash == "" {
		hash = dummyHash
	}
	ok, herr := auth.CheckPassword(hash, password)
	if herr != nil {
		s.log.Error("unreadable password hash", "user", u.Username, "err", herr)
	}
	if err != nil || !ok || u.Disabled {
		c.Set(auditErrorKey, console.ErrBadLogin.Error())
		return console.ErrBadLogin
	}
	token, tokHash, err := auth.NewToken(auth.SessionPrefix)
	if err != nil {
		return err
	}
	t, err := s.store.CreateToken(c, store.Token{
		ID: uuid.NewString(), UserID: u.ID, Kind: "session", ExpiresAt: s.now().Add(s.security.SessionTTL),
	}, tokHash)
	if err != nil {
		return err
	}
	c.Set(principalKey, principal{user: u, token: t})
	secure := c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: t.ExpiresAt,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (b consoleBackend) SignOut(c *gin.Context) {
	if _, ok, err := b.Who(c); ok && err == nil {
		p := c.MustGet(principalKey).(principal)
		if err := b.s.store.RevokeToken(c, p.token.ID); err != nil {
			b.s.log.Error("sign out", "err", err)
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
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

func (b consoleBackend) Open(c *gin.Context) ([]complaint.Complaint, error) {
	now := b.s.now()
	var out []complaint.Complaint
	for _, step := range complaint.ActionSteps {
		f := store.ListFilter{Status: step, Limit: maxPageSize, Now: now}
		if a := actor(c); !complaint.CanReadAll(a) {
			f.Involving = a.Department
		}
		for range 10 {
			items, next, err := b.s.store.ListComplaints(c, f)
			if err != nil {
				return nil, err
			}
			for i := range items {
				items[i].Refresh(now, b.s.measureFor(c, items[i]))
			}
			out = append(out, items...)
			if next == "" {
				break
			}
			f.Cursor = next
		}
	}
	return out, nil
}

func (b consoleBackend) Complaint(c *gin.Context, id string) (complaint.Complaint, *console.Refusal) {
	st, err := b.s.store.GetComplaint(c, id)
	if errors.Is(err, store.ErrNotFound) {
		return complaint.Complaint{}, &console.Refusal{Status: http.StatusNotFound}
	}
	if err != nil {
		b.s.log.Error("console: read the complaint", "err", err)
		return complaint.Complaint{}, &console.Refusal{Status: http.StatusInternalServerError}
	}
	if err := complaint.Authorize(actor(c), &st.Complaint, complaint.ActRead, ""); err != nil {
		return complaint.Complaint{}, &console.Refusal{Status: http.StatusForbidden, Message: err.Error()}
	}
	st.Complaint.Refresh(b.s.now(), b.s.measureFor(c, st.Complaint))
	return st.Complaint, nil
}

// Submit runs the API's own step handler on the JSON body and reports its
// refusal, if any. The audit entry of the console's request carries what the
// handler recorded.
func (b consoleBackend) Submit(c *gin.Context, id string, step complaint.Step, body []byte) *console.Refusal {
	var route *stepRoute
	for i := range complaintSteps {
		if complaintSteps[i].step == step {
			route = &complaintSteps[i]
		}
	}
	if route == nil {
		return &console.Refusal{Status: http.StatusNotFound}
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	inner, _ := gin.CreateTestContext(rec)
	inner.Request = c.Request.Clone(c)
	inner.Request.Body = io.NopCloser(bytes.NewReader(body))
	inner.Request.ContentLength = int64(len(body))
	inner.Request.Header.Set("Content-Type", "application/json")
	inner.Params = gin.Params{{Key: "id", Value: id}}
	for k, v := range c.Keys {
		inner.Set(k, v)
	}
	route.handle(b.s)(inner)
	for _, k := range []string{auditErrorKey, auditWorkflowKey, auditUpdateKey, auditTargetKey} {
		if v, ok := inner.Get(k); ok {
			c.Set(k, v)
		}
	}
	if rec.status < 400 {
		return nil
	}
	var e Error
	_ = json.Unmarshal(rec.body.Bytes(), &e)
	return &console.Refusal{Status: rec.status, Message: e.Error, Field: e.Field}
}

// Record runs the API's own create handler (POST /api/v1/complaints) on the
// JSON body, with key as its Idempotency-Key, and answers the new
// complaint's ID or the handler's refusal.
func (b consoleBackend) Record(c *gin.Context, body []byte, key string) (string, *console.Refusal) {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	inner, _ := gin.CreateTestContext(rec)
	inner.Request = c.Request.Clone(c)
	inner.Request.Body = io.NopCloser(bytes.NewReader(body))
	inner.Request.ContentLength = int64(len(body))
	inner.Request.Header.Set("Content-Type", "application/json")
	inner.Request.Header.Del("Idempotency-Key")
	if key != "" {
		inner.Request.Header.Set("Idempotency-Key", key)
	}
	for k, v := range c.Keys {
		inner.Set(k, v)
	}
	b.s.createComplaint(inner)
	for _, k := range []string{auditErrorKey, auditWorkflowKey, auditUpdateKey, auditTargetKey} {
		if v, ok := inner.Get(k); ok {
			c.Set(k, v)
		}
	}
	if rec.status >= 400 {
		var e Error
		_ = json.Unmarshal(rec.body.Bytes(), &e)
		return "", &console.Refusal{Status: rec.status, Message: e.Error, Field: e.Field}
	}
	var done struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(rec.body.Bytes(), &done); err != nil || done.ID == "" {
		return "", &console.Refusal{Status: http.StatusInternalServerError}
	}
	return done.ID, nil
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
