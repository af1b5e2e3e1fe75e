package integration

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestBadRequestsNameTheField(t *testing.T) {
	without := func(field string) map[string]any {
		b := intake(1_000)
		delete(b, field)
		return b
	}
	with := func(field string, v any) map[string]any {
		b := intake(1_000)
		b[field] = v
		return b
	}
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed JSON", `{"customer": `, http.StatusBadRequest, ""},
		{"empty body", ``, http.StatusBadRequest, ""},
		{"not an object", `[1,2]`, http.StatusBadRequest, ""},
		{"missing subject", without("subject"), http.StatusBadRequest, "subject"},
		{"missing loss", without("estimated_loss"), http.StatusBadRequest, "estimated_loss"},
		{"negative loss", with("estimated_loss", -1), http.StatusBadRequest, "estimated_loss"},
		{"loss as text", with("estimated_loss", "many"), http.StatusBadRequest, "estimated_loss"},
		{"unknown channel", with("channel", "fax"), http.StatusBadRequest, "channel"},
		{"unknown category", with("category", "other"), http.StatusBadRequest, "category"},
		{"unknown class", with("complainant_class", "D"), http.StatusBadRequest, "complainant_class"},
		{"customer without contact", with("customer", map[string]any{"name": "x"}), http.StatusBadRequest, "customer.contact"},
		{"received in the future", with("received_at", "2999-01-01T00:00:00Z"), http.StatusBadRequest, "received_at"},
		{"received_at not a time", with("received_at", "yesterday"), http.StatusBadRequest, "received_at"},
		{"unknown field", with("priority", "high"), http.StatusBadRequest, "priority"},
		{"subject too long", with("subject", strings.Repeat("长", 201)), http.StatusBadRequest, "subject"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := api(t, http.MethodPost, "/api/v1/complaints", tc.body)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			require.NotEmpty(t, r.field(t, "error"))
			if tc.field != "" {
				require.Equal(t, tc.field, r.field(t, "field"), "%s", r.body)
			}
		})
	}
	var n int
	require.NoError(t, stack.pool.QueryRow(t.Context(), `SELECT count(*) FROM complaints WHERE subject = ''`).Scan(&n))
	require.Zero(t, n)
}

func TestStepErrors(t *testing.T) {
	c := create(t, intake(5_000))
	base := "/api/v1/complaints/" + c.ID + "/"
	cases := []struct {
		name, path string
		body       any
		status     int
		field      string
		contains   string
	}{
		{"step out of order", "plan", map[string]any{"plan": "x"}, http.StatusConflict, "", "waiting for validation"},
		{"missing founded", "validation", map[string]any{"reason": "x"}, http.StatusBadRequest, "founded", ""},
		{"not founded without reply", "validation", map[string]any{"founded": false, "reason": "x"}, http.StatusBadRequest, "reply", ""},
		{"founded as text", "validation", map[string]any{"founded": "yes"}, http.StatusBadRequest, "founded", ""},
		{"bad approval level", "approval", map[string]any{"approved": true, "level": "ceo"}, http.StatusBadRequest, "level", ""},
		{"malformed", "assignment", `{"department":`, http.StatusBadRequest, "", ""},
		{"bad due_at", "plan", map[string]any{"plan": "x", "due_at": "soon"}, http.StatusBadRequest, "due_at", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := api(t, http.MethodPost, base+tc.path, tc.body)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			if tc.field != "" {
				require.Equal(t, tc.field, r.field(t, "field"))
			}
			if tc.contains != "" {
				require.Contains(t, r.field(t, "error"), tc.contains)
			}
		})
	}
	// Nothing above changed the complaint.
	got := get(t, c.ID)
	require.Len(t, got.Timeline, 1)
	require.Equal(t, 1, got.Version)
}

func TestNotFound(t *testing.T) {
	for _, path := range []string{"/api/v1/complaints/" + uuid.NewString(), "/api/v1/complaints/not-a-uuid"} {
		r := api(t, http.MethodGet, path, nil)
		require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	}
	r := api(t, http.MethodPost, "/api/v1/complaints/"+uuid.NewString()+"/validation", map[string]any{"founded": true})
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = api(t, http.MethodGet, "/api/v1/nothing", nil)
	require.Equal(t, http.StatusNotFound, r.status)
}

func TestListRejectsBadParameters(t *testing.T) {
	for q, field := range map[string]string{
		"status=done": "status", "overdue=maybe": "overdue", "limit=0": "limit",
		"limit=201": "limit", "limit=x": "limit", "cursor=!!!": "cursor", "cursor=bm9wZQ": "cursor",
	} {
		r := api(t, http.MethodGet, "/api/v1/complaints?"+q, nil)
		require.Equal(t, http.StatusBadRequest, r.status, "%s: %s", q, r.body)
		require.Equal(t, field, r.field(t, "field"), q)
	}
}

func TestHealth(t *testing.T) {
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, "/healthz", nil).status)
	r := api(t, http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, "ready", r.field(t, "status"))
}

func TestOversizedBody(t *testing.T) {
	b := intake(1_000)
	b["description"] = strings.Repeat("x", 2<<20)
	r := api(t, http.MethodPost, "/api/v1/complaints", b)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status, "%s", r.body[:min(200, len(r.body))])
}
