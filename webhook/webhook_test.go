package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSignAndVerify(t *testing.T) {
	body := []byte(`{"id":"e1"}`)
	sig := Sign([]byte("s3cret"), body)
	// HMAC-SHA256("s3cret", body), as any receiver computes it.
	require.Equal(t, "sha256=", sig[:7])
	require.Len(t, sig, 7+64)
	require.True(t, Verify([]byte("s3cret"), body, sig))
	require.False(t, Verify([]byte("other"), body, sig))
	require.False(t, Verify([]byte("s3cret"), []byte(`{"id":"e2"}`), sig))
}

func TestCheckURLRefusesPrivateTargets(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/", "http://192.168.1.10/",
		"http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[fd00::1]/", "http://100.64.1.1/", "http://0.0.0.0/"} {
		require.ErrorIs(t, CheckURL(ctx, bad, false), ErrPrivateTarget, bad)
		require.NoError(t, CheckURL(ctx, bad, true), bad)
	}
	for _, bad := range []string{"ftp://example.com/", "example.com/hook", "http:///hook", "https://user:pw@example.com/hook"} {
		err := CheckURL(ctx, bad, true)
		require.Error(t, err, bad)
		require.False(t, errors.Is(err, ErrPrivateTarget), bad)
	}
	require.NoError(t, CheckURL(ctx, "https://203.0.113.10/hook", false))
}

// A delivery carries the event as JSON with its type and signature; the
// dialler refuses a private address even when the URL got past the check.
func TestPostSignsAndRefusesPrivateAddresses(t *testing.T) {
	var got struct {
		body      []byte
		sig, kind string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.body, _ = io.ReadAll(r.Body)
		got.sig, got.kind = r.Header.Get(HeaderSignature), r.Header.Get(HeaderEvent)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	ev := Event{ID: "complaint:1:recorded", Type: ComplaintRecorded, At: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC), Data: json.RawMessage(`{"number":"TS-1"}`)}

	_, err := NewSender(false, 5*time.Second).Post(context.Background(), srv.URL, []byte("k"), ev)
	require.ErrorIs(t, err, ErrPrivateTarget, "the test server is on loopback")

	answer, err := NewSender(true, 5*time.Second).Post(context.Background(), srv.URL, []byte("k"), ev)
	require.NoError(t, err)
	require.Contains(t, answer, "204")
	require.Equal(t, ComplaintRecorded, got.kind)
	require.True(t, Verify([]byte("k"), got.body, got.sig))
	var back Event
	require.NoError(t, json.Unmarshal(got.body, &back))
	require.Equal(t, ev.ID, back.ID)
	require.JSONEq(t, `{"number":"TS-1"}`, string(back.Data))
}

func TestPostTellsPermanentFromTemporaryRefusals(t *testing.T) {
	for status, permanent := range map[int]bool{400: true, 410: true, 408: false, 429: false, 500: false, 503: false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
		_, err := NewSender(true, 5*time.Second).Post(context.Background(), srv.URL, []byte("k"), Event{ID: "x", Type: ComplaintClosed, Data: json.RawMessage(`{}`)})
		srv.Close()
		var r *Refused
		require.ErrorAs(t, err, &r, "status %d", status)
		require.Equal(t, permanent, r.Permanent, "status %d", status)
	}
}
