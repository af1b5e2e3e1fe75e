package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func auditRows(t *testing.T, where string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, stack.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE `+where, args...).Scan(&n))
	return n
}

// TestAuditTrailCannotBeFloodedOrLeakLinks: anonymous requests to unknown
// paths leave no row (anyone could fill the append-only trail with them); a
// customer's link token is a credential and is never stored; a signed-in
// user's request is recorded with its path capped.
func TestAuditTrailCannotBeFloodedOrLeakLinks(t *testing.T) {
	marker := "flood-" + uuid.NewString()
	for _, path := range []string{"/api/v1/" + marker, "/" + marker + "/page", "/api/v1/" + marker + strings.Repeat("x", 5000)} {
		req, err := http.NewRequest(http.MethodPost, stack.api.URL+path, strings.NewReader("{}"))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	require.Zero(t, auditRows(t, `path LIKE '%' || $1 || '%'`, marker), "anonymous requests to no route leave no row")

	// Signed in, a request is somebody's: recorded, its path capped.
	long := "/api/v1/complaints/" + marker + strings.Repeat("y", 5000) + "/validation"
	require.Equal(t, http.StatusNotFound, api(t, http.MethodPost, long, map[string]any{"founded": true}).status)
	require.Equal(t, 1, auditRows(t, `path LIKE '%' || $1 || '%' AND length(path) <= 520`, marker))

	// A customer's answer through a link: the trail keeps the route and a
	// hash of the token, never the token.
	c := create(t, intake(5_000))
	for _, s := range steps[:6] {
		step(t, c.ID, s.path, s.body)
	}
	link := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/callback-link", nil)
	require.Equal(t, http.StatusCreated, link.status, "%s", link.body)
	token := link.field(t, "token").(string)
	r := call(t, stack.api.URL, http.MethodPost, "/public/callback/"+token, map[string]any{"satisfied": true, "comment": "好"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Zero(t, auditRows(t, `position($1 in path) > 0`, token), "the token is not in the trail")
	require.Equal(t, 1, auditRows(t, `route = '/public/callback/:token' AND path LIKE '/public/callback/sha256:%' AND workflow_id = $1`, "complaint:"+c.ID))
}
