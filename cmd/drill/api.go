package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// stats counts what the clients met. Connection errors and 503s are expected
// while the stack is down or coming back; a 500 is a finding.
type stats struct {
	requests, ok, replayed, conflicts, unavailable, serverErrors,
	connErrors, unauthorized, otherClientErrors, logins atomic.Int64

	mu      sync.Mutex
	samples []string // the first few 500s and unexpected answers, for the report
}

func (s *stats) sample(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) < 12 {
		s.samples = append(s.samples, fmt.Sprintf(format, args...))
	}
}

func (s *stats) add(o *stats) {
	for _, p := range []struct{ to, from *atomic.Int64 }{
		{&s.requests, &o.requests}, {&s.ok, &o.ok}, {&s.replayed, &o.replayed}, {&s.conflicts, &o.conflicts},
		{&s.unavailable, &o.unavailable}, {&s.serverErrors, &o.serverErrors}, {&s.connErrors, &o.connErrors},
		{&s.unauthorized, &o.unauthorized}, {&s.otherClientErrors, &o.otherClientErrors}, {&s.logins, &o.logins},
	} {
		p.to.Add(p.from.Load())
	}
}

func (s *stats) String() string {
	return fmt.Sprintf("%d requests: %d ok (%d answered from an earlier attempt), %d conflicts (409), %d unavailable (503), "+
		"%d connection errors, %d server errors (5xx but 503), %d sessions lost (401), %d other 4xx; %d sign-ins",
		s.requests.Load(), s.ok.Load(), s.replayed.Load(), s.conflicts.Load(), s.unavailable.Load(),
		s.connErrors.Load(), s.serverErrors.Load(), s.unauthorized.Load(), s.otherClientErrors.Load(), s.logins.Load())
}

// api is an HTTP client of one run's API, signed in as one user; its session
// is shared by every client of the run and signed in again when lost.
type api struct {
	base     string
	hc       *http.Client
	username string
	password string
	stats    *stats

	mu    sync.Mutex
	token string
}

// reply is an HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// message is the "error" field of an error answer, else the body.
func (r reply) message() string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(r.body, &e) == nil && e.Error != "" {
		return e.Error
	}
	return snippet(r.body)
}

// transient tells answers worth retrying unchanged: the stack is down,
// starting or busy.
func (r reply) transient() bool {
	return r.status >= 500 || r.status == http.StatusTooManyRequests
}

func newAPI(base, username, password string, st *stats) *api {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	return &api{
		base: base, username: username, password: password, stats: st,
		// Longer than the API's own wait for a workflow (CXFLOW_UPDATE_TIMEOUT, 30 s).
		hc: &http.Client{Transport: tr, Timeout: 45 * time.Second},
	}
}

// login signs in, retrying while the stack is down or the sign-in limit
// (10 a minute per address) holds.
func (a *api) login(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"username": a.username, "password": a.password})
	for attempt := 0; ; attempt++ {
		r, err := a.raw(ctx, http.MethodPost, "/api/v1/auth/login", body, "", "")
		switch {
		case err == nil && r.status == http.StatusOK:
			var out struct {
				Token string `json:"token"`
			}
			if err := json.Unmarshal(r.body, &out); err != nil || out.Token == "" {
				return fmt.Errorf("sign in as %s: unreadable answer %s", a.username, snippet(r.body))
			}
			a.stats.logins.Add(1)
			a.mu.Lock()
			a.token = out.Token
			a.mu.Unlock()
			return nil
		case err == nil && !r.transient():
			return fmt.Errorf("sign in as %s: %d %s", a.username, r.status, r.message())
		}
		wait := backoff(attempt)
		if err == nil {
			if s, perr := strconv.Atoi(r.header.Get("Retry-After")); perr == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// do sends a request as the signed-in user; a lost session (401) is signed
// in again and the request sent again. err is a transport error (the stack
// is down); every answer, whatever its status, is a reply.
func (a *api) do(ctx context.Context, method, path string, body []byte, key string) (reply, error) {
	for attempt := 0; ; attempt++ {
		a.mu.Lock()
		tok := a.token
		a.mu.Unlock()
		r, err := a.raw(ctx, method, path, body, tok, key)
		if err != nil || r.status != http.StatusUnauthorized || attempt >= 3 {
			return r, err
		}
		a.stats.unauthorized.Add(1)
		a.mu.Lock()
		stale := a.token == tok
		a.mu.Unlock()
		if stale {
			if err := a.login(ctx); err != nil {
				return r, err
			}
		}
	}
}

func (a *api) raw(ctx context.Context, method, path string, body []byte, token, key string) (reply, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	a.stats.requests.Add(1)
	resp, err := a.hc.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			a.stats.connErrors.Add(1)
		}
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		// The answer was cut off: as good as no answer.
		if ctx.Err() == nil {
			a.stats.connErrors.Add(1)
		}
		return reply{}, err
	}
	r := reply{status: resp.StatusCode, header: resp.Header, body: b}
	switch {
	case r.status < 300:
		a.stats.ok.Add(1)
		if r.header.Get("Idempotent-Replayed") == "true" {
			a.stats.replayed.Add(1)
		}
	case r.status == http.StatusConflict:
		a.stats.conflicts.Add(1)
	case r.status == http.StatusServiceUnavailable:
		a.stats.unavailable.Add(1)
	case r.status >= 500:
		a.stats.serverErrors.Add(1)
		a.stats.sample("%s %s: %d %s", method, path, r.status, r.message())
	case r.status != http.StatusUnauthorized:
		a.stats.otherClientErrors.Add(1)
	}
	return r, nil
}

// backoff is the wait before retry attempt n: 200 ms doubling to 2 s.
func backoff(n int) time.Duration {
	d := 200 * time.Millisecond << min(n, 4)
	return min(d, 2*time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func snippet(b []byte) string {
	const max = 300
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
