package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
)

// cookieCall sends a request the way a browser would, signed in by the
// session cookie alone, with the given extra headers.
func cookieCall(t *testing.T, method, path, contentType string, body []byte, token string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, stack.api.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: token})
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func userExists(t *testing.T, username string) bool {
	t.Helper()
	var n int
	require.NoError(t, stack.pool.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE username = $1`, username).Scan(&n))
	return n > 0
}

// TestCrossSiteRequestsCannotUseTheSession replays issue #15's attack: a
// page on another site (or on the Temporal Web UI's port of the same host)
// makes the administrator's browser post a new administrator to the API.
func TestCrossSiteRequestsCannotUseTheSession(t *testing.T) {
	admin, err := login(stack.api.URL, "admin", demo.Password)
	require.NoError(t, err)
	newAdmin := func(name string) []byte {
		b, _ := json.Marshal(map[string]any{"username": name, "name": "攻击者", "department": "it",
			"roles": []string{"administrator"}, "password": "a-long-enough-pass-" + uuid.NewString()[:6]})
		return b
	}

	// Another site's form: text/plain, its own Origin.
	name := "evil-" + uuid.NewString()[:8]
	code, body := cookieCall(t, http.MethodPost, "/api/v1/users", "text/plain", newAdmin(name), admin, "Origin", "http://evil.example")
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, "cross-origin request refused")
	require.False(t, userExists(t, name))

	// The same host on another port (same-site, not same-origin).
	code, body = cookieCall(t, http.MethodPost, "/api/v1/users", "application/json", newAdmin(name), admin,
		"Sec-Fetch-Site", "same-site", "Origin", "http://127.0.0.1:8233")
	require.Equal(t, http.StatusForbidden, code, body)
	require.False(t, userExists(t, name))

	// Our own origin, but a body that does not say it is JSON.
	code, body = cookieCall(t, http.MethodPost, "/api/v1/users", "text/plain", newAdmin(name), admin, "Sec-Fetch-Site", "same-origin")
	require.Equal(t, http.StatusUnsupportedMediaType, code, body)
	require.Contains(t, body, `"field":"Content-Type"`)
	require.False(t, userExists(t, name))

	// Our own origin with JSON works, as the console's own requests do.
	code, body = cookieCall(t, http.MethodPost, "/api/v1/users", "application/json", newAdmin(name), admin, "Sec-Fetch-Site", "same-origin")
	require.Equal(t, http.StatusCreated, code, body)
	require.True(t, userExists(t, name))

	// A POST without a body needs no type (signing out).
	code, body = cookieCall(t, http.MethodPost, "/api/v1/auth/logout", "", nil, admin, "Sec-Fetch-Site", "same-origin")
	require.Less(t, code, 300, body)

	// A program with a bearer token is not a browser: no Origin rule applies.
	other := "bearer-" + uuid.NewString()[:8]
	r := call(t, stack.api.URL, http.MethodPost, "/api/v1/users", json.RawMessage(newAdmin(other)),
		"Authorization", "Bearer "+stack.token, "Origin", "http://elsewhere.example")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
}

// TestSessionCookieSecureBehindHTTPS: when people reach cxflow over https
// (CXFLOW_PUBLIC_URL), the session cookie is Secure even though the hop from
// the proxy to the API is plain HTTP; over plain http it cannot be.
func TestSessionCookieSecureBehindHTTPS(t *testing.T) {
	for _, tc := range []struct {
		public string
		secure bool
	}{{"https://cx.example.cn", true}, {"http://localhost:8080", false}} {
		sec := server.SecurityFrom(stack.cfg)
		sec.LoginPerMinute, sec.PublicPerMinute = 10_000, 10_000
		sec.PublicURL = tc.public
		srv := httptest.NewServer(server.New(stack.client, store.New(stack.pool), taskQueue, stack.log).WithSecurity(sec).Handler())
		body, _ := json.Marshal(map[string]string{"username": "tester", "password": testerPassword})
		resp, err := http.Post(srv.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		srv.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var found bool
		for _, ck := range resp.Cookies() {
			if ck.Name == server.SessionCookie {
				found = true
				require.Equal(t, tc.secure, ck.Secure, tc.public)
				require.True(t, ck.HttpOnly)
			}
		}
		require.True(t, found, "a session cookie is set")
	}
}

// TestTemporalWebUIStillDecodesWithTheSession: the payload codec answers the
// configured Temporal Web UI origin with the user's session cookie (decoding
// changes nothing, and only that origin may read the answer); any other
// origin is refused as before.
func TestTemporalWebUIStillDecodesWithTheSession(t *testing.T) {
	const ui = "http://localhost:8233"
	sec := server.SecurityFrom(stack.cfg)
	sec.LoginPerMinute, sec.PublicPerMinute = 10_000, 10_000
	sec.CodecOrigin = ui
	require.NotNil(t, sec.Codec, "the test stack has a payload codec")
	srv := httptest.NewServer(server.New(stack.client, store.New(stack.pool), taskQueue, stack.log).WithSecurity(sec).Handler())
	defer srv.Close()
	token, err := login(srv.URL, "auditor", demo.Password)
	require.NoError(t, err)
	decode := func(origin string) int {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/codec/decode", strings.NewReader(`{"payloads":[]}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "same-site")
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: token})
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, decode(ui))
	require.Equal(t, http.StatusForbidden, decode("http://evil.example"))
}
