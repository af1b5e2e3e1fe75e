package integration

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
)

// as calls the API as a demo user (or another user whose token is given).
func as(t *testing.T, user, method, path string, body any) response {
	t.Helper()
	return call(t, stack.api.URL, method, path, body, "Authorization", "Bearer "+tokenOf(t, user))
}

func anonymous(t *testing.T, method, path string, body any) response {
	t.Helper()
	return call(t, stack.api.URL, method, path, body, "Authorization", "")
}

func TestEveryEndpointNeedsAnIdentity(t *testing.T) {
	c := create(t, intake(1_000))
	for _, ep := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/complaints"},
		{http.MethodPost, "/api/v1/complaints"},
		{http.MethodGet, "/api/v1/complaints/" + c.ID},
		{http.MethodPost, "/api/v1/complaints/" + c.ID + "/validation"},
		{http.MethodPost, "/api/v1/complaints/" + c.ID + "/pause"},
		{http.MethodGet, "/api/v1/calendars"},
		{http.MethodGet, "/api/v1/calendars/default/due?start=2026-02-13T16:00:00Z&duration=8h"},
		{http.MethodPut, "/api/v1/calendars/default"},
		{http.MethodGet, "/api/v1/sla-policies"},
		{http.MethodGet, "/api/v1/users"},
		{http.MethodGet, "/api/v1/audit"},
		{http.MethodGet, "/api/v1/auth/me"},
		{http.MethodPost, "/api/v1/codec/decode"},
	} {
		r := anonymous(t, ep.method, ep.path, map[string]any{})
		require.Equal(t, http.StatusUnauthorized, r.status, "%s %s: %s", ep.method, ep.path, r.body)
		r = call(t, stack.api.URL, ep.method, ep.path, map[string]any{}, "Authorization", "Bearer cxs_forged")
		require.Equal(t, http.StatusUnauthorized, r.status, "%s %s with a forged token", ep.method, ep.path)
	}
	for _, open := range []string{"/healthz", "/readyz", "/openapi.json"} {
		require.Equal(t, http.StatusOK, anonymous(t, http.MethodGet, open, nil).status, open)
	}
	r := anonymous(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "market", "password": "wrong-password"})
	require.Equal(t, http.StatusUnauthorized, r.status)
	r = anonymous(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "wrong-password"})
	require.Equal(t, http.StatusUnauthorized, r.status, "unknown users get the same answer")
	require.Equal(t, http.StatusBadRequest, anonymous(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "market"}).status)
	me := as(t, "market", http.MethodGet, "/api/v1/auth/me", nil)
	require.Equal(t, http.StatusOK, me.status)
	require.Contains(t, string(me.body), `"market_department"`)
	require.Equal(t, "nosniff", me.header.Get("X-Content-Type-Options"))
}

// The permission matrix: every demo role (and a member and head of another
// department) against every step, on an HQ case and a branch case. Each step
// is first tried by everyone who may not take it (403, nothing changes), then
// taken by one who may.
func TestPermissionMatrix(t *testing.T) {
	// Another department, with its own member and head.
	r := api(t, http.MethodPut, "/api/v1/departments/logistics", map[string]any{"name": "物流部", "kind": "hq"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	for _, u := range []struct{ name, role string }{{"logistics-member", "department_member"}, {"logistics-head", "department_head"}} {
		r := api(t, http.MethodPost, "/api/v1/users", map[string]any{
			"username": u.name, "name": u.name, "department": "logistics", "roles": []string{u.role}, "password": demo.Password,
		})
		require.True(t, r.status == http.StatusCreated || r.status == http.StatusConflict, "%s", r.body)
	}
	everyone := []string{"clerk", "market", "branch", "engineer", "head", "quality", "gm", "auditor", "admin", "logistics-member", "logistics-head"}

	type stepCase struct {
		path    string
		body    map[string]any
		allowed []string // who may; the first takes the step
	}
	approve := func(level string) map[string]any {
		return map[string]any{"approved": true, "comment": "同意", "level": level}
	}
	assign := map[string]any{"department": "engineering", "handler": "张伟"}
	cases := map[string]struct {
		intake func() map[string]any
		steps  []stepCase
	}{
		"headquarters case": {
			intake: func() map[string]any { return intake(5_000) },
			steps: []stepCase{
				{"validation", steps[0].body, []string{"market"}},
				{"assignment", assign, []string{"market"}},
				{"root-cause", steps[2].body, []string{"engineer", "head"}},
				{"plan", steps[3].body, []string{"head", "engineer"}},
				{"approval", approve("department_head"), []string{"head"}},
				{"execution", steps[5].body, []string{"engineer", "head"}},
				{"callback", steps[6].body, []string{"clerk"}},
				{"review", steps[7].body, []string{"market"}},
			},
		},
		"branch case": {
			intake: func() map[string]any {
				b := intake(600_000) // 重大: all three approval levels
				b["branch"] = "branch-zhengzhou"
				return b
			},
			steps: []stepCase{
				{"validation", steps[0].body, []string{"branch", "market"}},
				{"assignment", assign, []string{"branch", "market"}},
				{"root-cause", steps[2].body, []string{"engineer", "head"}},
				{"plan", steps[3].body, []string{"engineer", "head"}},
				{"approval", approve("department_head"), []string{"head"}},
				{"approval", approve("market_department"), []string{"market"}},
				{"approval", approve("general_manager"), []string{"gm"}},
				{"execution", steps[5].body, []string{"head", "engineer"}},
				{"callback", steps[6].body, []string{"clerk"}},
				{"review", steps[7].body, []string{"branch", "market"}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := as(t, "clerk", http.MethodPost, "/api/v1/complaints", tc.intake())
			require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
			var c complaint.Complaint
			r.json(t, &c)
			version := c.Version
			for _, st := range tc.steps {
				for _, u := range everyone {
					if contains(st.allowed, u) {
						continue
					}
					r := as(t, u, http.MethodPost, "/api/v1/complaints/"+c.ID+"/"+st.path, st.body)
					require.Equal(t, http.StatusForbidden, r.status, "%s by %s: %s", st.path, u, r.body)
					require.NotEmpty(t, r.field(t, "error"), "a refusal says why")
				}
				r := as(t, st.allowed[0], http.MethodPost, "/api/v1/complaints/"+c.ID+"/"+st.path, st.body)
				require.Equal(t, http.StatusOK, r.status, "%s by %s: %s", st.path, st.allowed[0], r.body)
				var after complaint.Complaint
				r.json(t, &after)
				require.Equal(t, version+1, after.Version, "only the allowed attempt changed the complaint")
				version = after.Version
			}
			got := get(t, c.ID)
			require.Equal(t, complaint.StepClosed, got.Status)
			require.Equal(t, len(tc.steps)+1+1, len(got.Timeline), "the refusals left no trace")
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestReadingIsScoped(t *testing.T) {
	hq := create(t, intake(1_000))
	step(t, hq.ID, "validation", steps[0].body)
	step(t, hq.ID, "assignment", map[string]any{"department": "engineering", "handler": "张伟"})
	b := intake(1_000)
	b["branch"] = "branch-zhengzhou"
	branchCase := create(t, b)

	for _, tc := range []struct {
		user   string
		id     string
		status int
	}{
		{"quality", hq.ID, http.StatusOK}, {"auditor", hq.ID, http.StatusOK}, {"gm", hq.ID, http.StatusOK},
		{"engineer", hq.ID, http.StatusOK}, {"head", hq.ID, http.StatusOK},
		{"branch", hq.ID, http.StatusForbidden}, {"logistics-member", hq.ID, http.StatusForbidden},
		{"branch", branchCase.ID, http.StatusOK}, {"engineer", branchCase.ID, http.StatusForbidden},
	} {
		if tc.user == "logistics-member" {
			ensureLogistics(t)
		}
		r := as(t, tc.user, http.MethodGet, "/api/v1/complaints/"+tc.id, nil)
		require.Equal(t, tc.status, r.status, "%s reads %s: %s", tc.user, tc.id, r.body)
	}
	var list struct {
		Items []complaint.Complaint `json:"items"`
	}
	as(t, "branch", http.MethodGet, "/api/v1/complaints?limit=200", nil).json(t, &list)
	require.NotEmpty(t, list.Items)
	for _, it := range list.Items {
		require.Equal(t, "branch-zhengzhou", it.Branch, "a branch head lists only the branch's complaints")
	}
	// Creating for another branch, or as a department member, is refused.
	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodPost, "/api/v1/complaints", intake(1)).status)
	require.Equal(t, http.StatusForbidden, as(t, "branch", http.MethodPost, "/api/v1/complaints", intake(1)).status)
	require.Equal(t, http.StatusCreated, as(t, "branch", http.MethodPost, "/api/v1/complaints", b).status)
}

func ensureLogistics(t *testing.T) {
	t.Helper()
	api(t, http.MethodPut, "/api/v1/departments/logistics", map[string]any{"name": "物流部", "kind": "hq"})
	api(t, http.MethodPost, "/api/v1/users", map[string]any{
		"username": "logistics-member", "name": "物流", "department": "logistics", "roles": []string{"department_member"}, "password": demo.Password,
	})
}

func TestTokensExpireAndAreRevoked(t *testing.T) {
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	as(t, "quality", http.MethodGet, "/api/v1/auth/me", nil).json(t, &me)

	newToken := func(life string) (string, string) {
		r := api(t, http.MethodPost, "/api/v1/api-tokens", map[string]any{"name": "report export", "user_id": me.User.ID, "expires_in": life})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		var tok struct {
			ID    string `json:"id"`
			Token string `json:"token"`
		}
		r.json(t, &tok)
		require.True(t, strings.HasPrefix(tok.Token, auth.APIPrefix))
		return tok.ID, tok.Token
	}
	with := func(tok string) int {
		return call(t, stack.api.URL, http.MethodGet, "/api/v1/complaints?limit=1", nil, "Authorization", "Bearer "+tok).status
	}
	id, tok := newToken("720h")
	require.Equal(t, http.StatusOK, with(tok))
	require.Equal(t, http.StatusNoContent, api(t, http.MethodDelete, "/api/v1/api-tokens/"+id, nil).status)
	require.Equal(t, http.StatusUnauthorized, with(tok), "revoked")

	_, short := newToken("1s")
	require.Equal(t, http.StatusOK, with(short))
	time.Sleep(1100 * time.Millisecond)
	require.Equal(t, http.StatusUnauthorized, with(short), "expired")

	// The list never shows a secret; only administrators manage tokens.
	r := api(t, http.MethodGet, "/api/v1/api-tokens", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.NotContains(t, string(r.body), auth.APIPrefix)
	require.Equal(t, http.StatusForbidden, as(t, "quality", http.MethodGet, "/api/v1/api-tokens", nil).status)

	// Signing out ends the session.
	sess, err := login(stack.api.URL, "gm", demo.Password)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, with(sess))
	require.Equal(t, http.StatusNoContent, call(t, stack.api.URL, http.MethodPost, "/api/v1/auth/logout", nil, "Authorization", "Bearer "+sess).status)
	require.Equal(t, http.StatusUnauthorized, with(sess))

	// A disabled user's tokens stop working at once.
	r = api(t, http.MethodPost, "/api/v1/users", map[string]any{
		"username": "temp-" + uuid.NewString()[:6], "name": "临时", "department": "sales", "roles": []string{"intake_clerk"}, "password": demo.Password,
	})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var u struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	}
	r.json(t, &u)
	tmp, err := login(stack.api.URL, u.Username, demo.Password)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, with(tmp))
	disabled := as(t, "admin", http.MethodPatch, "/api/v1/users/"+u.ID, map[string]any{"disabled": true, "updated_by": "someone-else"})
	require.Equal(t, http.StatusOK, disabled.status, "%s", disabled.body)
	require.Equal(t, http.StatusUnauthorized, with(tmp))
	// The record says who changed it last, whatever the request claimed.
	var changed org.User
	disabled.json(t, &changed)
	require.Equal(t, "admin", changed.UpdatedBy)
	require.True(t, changed.UpdatedAt.After(changed.CreatedAt))

	// An administrator cannot lock themselves out.
	self := as(t, "admin", http.MethodGet, "/api/v1/auth/me", nil)
	require.Equal(t, http.StatusOK, self.status, "%s", self.body)
	var whoami struct {
		User *struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	self.json(t, &whoami)
	require.NotNil(t, whoami.User)
	admin := whoami.User
	r = as(t, "admin", http.MethodPatch, "/api/v1/users/"+admin.ID, map[string]any{"disabled": true})
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	require.Contains(t, string(r.body), "another administrator")
	r = as(t, "admin", http.MethodPatch, "/api/v1/users/"+admin.ID, map[string]any{"roles": []string{"internal_auditor"}})
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	r = as(t, "admin", http.MethodPatch, "/api/v1/users/"+admin.ID, map[string]any{"name": "系统管理员"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
}

func TestCustomerCallbackLink(t *testing.T) {
	c := create(t, intake(5_000))
	for _, s := range steps[:6] {
		step(t, c.ID, s.path, s.body)
	}
	r := as(t, "engineer", http.MethodPost, "/api/v1/complaints/"+c.ID+"/callback-link", nil)
	require.Equal(t, http.StatusForbidden, r.status, "links are sent by customer service")
	r = as(t, "clerk", http.MethodPost, "/api/v1/complaints/"+c.ID+"/callback-link", nil)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var link struct {
		URL   string `json:"url"`
		Token string `json:"token"`
	}
	r.json(t, &link)
	require.True(t, strings.HasPrefix(link.URL, "http://cxflow.test/public/callback/"))

	page := anonymous(t, http.MethodGet, "/public/callback/"+link.Token, nil)
	require.Equal(t, http.StatusOK, page.status, "%s", page.body)
	require.Equal(t, c.Number, page.field(t, "number"))
	require.NotContains(t, string(page.body), "138 0000 0000", "the page shows no personal data")

	other := create(t, intake(1_000))
	auditBefore := auditCount(t)
	signer, err := auth.NewLinks("l-it", testLinkKey, nil)
	require.NoError(t, err)
	body, _, _ := strings.Cut(signer.Sign("callback", other.ID, time.Now().Add(time.Hour)), ".")
	_, sig, _ := strings.Cut(link.Token, ".")
	for name, tok := range map[string]string{
		"forged":        body + "." + sig,
		"expired":       signer.Sign("callback", c.ID, time.Now().Add(-time.Minute)),
		"wrong purpose": signer.Sign("survey", c.ID, time.Now().Add(time.Hour)),
		"garbage":       "not-a-link",
	} {
		r := anonymous(t, http.MethodPost, "/public/callback/"+tok, map[string]any{"satisfied": true})
		require.Equal(t, http.StatusForbidden, r.status, "%s: %s", name, r.body)
		require.Equal(t, http.StatusForbidden, anonymous(t, http.MethodGet, "/public/callback/"+tok, nil).status, name)
	}
	require.Equal(t, auditBefore, auditCount(t), "refused links leave no trace")
	require.Equal(t, complaint.StepCallback, get(t, c.ID).Status)

	r = anonymous(t, http.MethodPost, "/public/callback/"+link.Token, map[string]any{"satisfied": true, "comment": "很满意"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	got := get(t, c.ID)
	require.Equal(t, complaint.StepReview, got.Status)
	require.Equal(t, "customer:"+c.ID, got.Callback.By.ID)
	r = anonymous(t, http.MethodPost, "/public/callback/"+link.Token, map[string]any{"satisfied": true})
	require.Equal(t, http.StatusConflict, r.status, "answered once: %s", r.body)
}

func auditCount(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, stack.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&n))
	return n
}

func TestHistoryHoldsNoPlaintextCustomerData(t *testing.T) {
	body := intake(5_000)
	contact := "联系电话 139-8765-4321"
	body["customer"] = map[string]any{"name": "欧阳娜娜", "organisation": "华东电气", "contact": contact}
	c := create(t, body)
	step(t, c.ID, "validation", steps[0].body)

	// A client without the codec sees the history as stored.
	raw, err := client.Dial(client.Options{HostPort: stack.cfg.TemporalAddress, Namespace: "default"})
	require.NoError(t, err)
	defer raw.Close()
	hist, err := collectHistory(raw.GetWorkflowHistory(context.Background(), complaint.WorkflowID(c.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT))
	require.NoError(t, err)
	b, err := proto.Marshal(hist)
	require.NoError(t, err)
	require.Greater(t, len(hist.Events), 5)
	for _, secret := range []string{contact, "欧阳娜娜", "139-8765-4321"} {
		require.False(t, bytes.Contains(b, []byte(secret)), "history holds %q in plain text", secret)
	}
	// With the codec, the same history reads normally.
	var view complaint.Complaint
	q, err := stack.client.QueryWorkflow(context.Background(), complaint.WorkflowID(c.ID), "", "complaint")
	require.NoError(t, err)
	require.NoError(t, q.Get(&view))
	require.Equal(t, contact, view.Customer.Contact)

	// The codec endpoint decodes for authorised users only.
	first := hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()[0]
	pj, err := json.Marshal(map[string]any{"payloads": []any{map[string]any{
		"metadata": map[string]string{
			"encoding":          base64.StdEncoding.EncodeToString(first.Metadata["encoding"]),
			"encryption-key-id": base64.StdEncoding.EncodeToString(first.Metadata["encryption-key-id"]),
		},
		"data": base64.StdEncoding.EncodeToString(first.Data),
	}}})
	require.NoError(t, err)
	r := as(t, "auditor", http.MethodPost, "/api/v1/codec/decode", string(pj))
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, decodeB64Payloads(t, r.body), contact)
	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodPost, "/api/v1/codec/decode", string(pj)).status)
}

func decodeB64Payloads(t *testing.T, body []byte) string {
	var out struct {
		Payloads []struct {
			Data string `json:"data"`
		} `json:"payloads"`
	}
	require.NoError(t, json.Unmarshal(body, &out))
	var sb strings.Builder
	for _, p := range out.Payloads {
		b, err := base64.StdEncoding.DecodeString(p.Data)
		require.NoError(t, err)
		sb.Write(b)
	}
	return sb.String()
}

func TestAuditTrail(t *testing.T) {
	c := create(t, intake(5_000))
	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body).status)
	require.Equal(t, http.StatusOK, as(t, "market", http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body).status)
	require.Equal(t, http.StatusConflict, as(t, "market", http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body).status)

	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodGet, "/api/v1/audit", nil).status)
	r := as(t, "auditor", http.MethodGet, "/api/v1/audit?target="+c.ID, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var list struct {
		Items []struct {
			Username   string   `json:"username"`
			Roles      []string `json:"roles"`
			Department string   `json:"department"`
			Route      string   `json:"route"`
			Status     int      `json:"status"`
			Outcome    string   `json:"outcome"`
			Message    string   `json:"message"`
			RemoteAddr string   `json:"remote_addr"`
			WorkflowID string   `json:"workflow_id"`
			UpdateID   string   `json:"update_id"`
		} `json:"items"`
	}
	r.json(t, &list)
	require.Len(t, list.Items, 4, "create, refused, allowed, conflict")
	outcomes := fmt.Sprint(list.Items[0].Outcome, list.Items[1].Outcome, list.Items[2].Outcome, list.Items[3].Outcome)
	require.Equal(t, "rejectedallowedrefusedallowed", outcomes)
	refused := list.Items[2]
	require.Equal(t, "engineer", refused.Username)
	require.Equal(t, []string{"department_member"}, refused.Roles)
	require.Equal(t, "engineering", refused.Department)
	require.NotEmpty(t, refused.Message)
	require.NotEmpty(t, refused.RemoteAddr)
	allowed := list.Items[1]
	require.Equal(t, "market", allowed.Username)
	require.Equal(t, "/api/v1/complaints/:id/validation", allowed.Route)

	// The allowed step's update ID is the one in the workflow's history.
	hist, err := collectHistory(stack.client.GetWorkflowHistory(context.Background(), allowed.WorkflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT))
	require.NoError(t, err)
	found := false
	for _, e := range hist.Events {
		if a := e.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil && a.GetAcceptedRequest().GetMeta().GetUpdateId() == allowed.UpdateID {
			found = true
		}
	}
	assert.True(t, found, "update %s is in %s's history", allowed.UpdateID, allowed.WorkflowID)

	// Append-only: the database refuses to change or remove entries.
	_, err = stack.pool.Exec(context.Background(), `UPDATE audit_log SET outcome = 'allowed'`)
	require.Error(t, err)
	_, err = stack.pool.Exec(context.Background(), `DELETE FROM audit_log`)
	require.Error(t, err)
}

// Failed sign-ins are throttled as OWASP advises (issue #15): an office of
// colleagues behind one address all sign in; guessing one account's password
// from many addresses is stopped at the account, even with the right
// password while it is blocked; spraying many accounts from one address is
// stopped at the address. The counts live in PostgreSQL: a second API
// server, sharing nothing in memory with the first, refuses too.
func TestSignInIsThrottled(t *testing.T) {
	newServer := func() *httptest.Server {
		sec := server.SecurityFrom(stack.cfg)
		sec.TrustedProxies = []string{"127.0.0.1/32", "::1/128"} // the test's client plays the proxy
		return httptest.NewServer(server.New(stack.client, store.New(stack.pool), taskQueue, stack.log).WithSecurity(sec).Handler())
	}
	srv, other := newServer(), newServer()
	defer srv.Close()
	defer other.Close()
	try := func(base, from, username, password string) response {
		return call(t, base, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": password},
			"Authorization", "", "X-Forwarded-For", from)
	}

	// The office: 30 sign-ins from one address, all let in (successes are
	// not counted), between a few typing mistakes.
	office := "203.0.113.7"
	for i := range 30 {
		if i%10 == 9 {
			require.Equal(t, http.StatusUnauthorized, try(srv.URL, office, "market", "typo").status)
			continue
		}
		r := try(srv.URL, office, "market", demo.Password)
		require.Equal(t, http.StatusOK, r.status, "colleague %d: %s", i, r.body)
	}

	// One account guessed from many addresses: five free failures, then the
	// account is blocked wherever the next attempt comes from, on either
	// server, and the right password does not get through while it is.
	username := "throttle-" + uuid.NewString()[:8]
	r := api(t, http.MethodPost, "/api/v1/users", map[string]any{
		"username": username, "name": "限流", "department": "engineering", "roles": []string{"department_member"}, "password": "a long secret of throttle",
	})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	for i := range 6 {
		r := try(srv.URL, fmt.Sprintf("198.51.100.%d", i+1), username, "guess-"+strconv.Itoa(i))
		require.Equal(t, http.StatusUnauthorized, r.status, "guess %d: %s", i, r.body)
	}
	blocked := try(other.URL, "198.51.100.200", username, "a long secret of throttle")
	require.Equal(t, http.StatusTooManyRequests, blocked.status, "%s", blocked.body)
	wait, err := strconv.Atoi(blocked.header.Get("Retry-After"))
	require.NoError(t, err)
	require.InDelta(t, 30, wait, 2, "the first block lasts 30 s")
	// The block is the account's, not the address's: others sign in from there.
	require.Equal(t, http.StatusOK, try(srv.URL, "198.51.100.200", "market", demo.Password).status)
	// And it ends: once past, the right password signs in and clears the count.
	_, err = stack.pool.Exec(context.Background(), `UPDATE sign_in_failures SET blocked_until = now() - interval '1 second' WHERE key = $1`, "account:"+username)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, try(srv.URL, "198.51.100.201", username, "a long secret of throttle").status)
	var left int
	require.NoError(t, stack.pool.QueryRow(context.Background(), `SELECT count(*) FROM sign_in_failures WHERE key = $1`, "account:"+username).Scan(&left))
	require.Zero(t, left, "a success clears the account's failures")

	// Many accounts sprayed from one address: blocked at the address once it
	// has failed 100 times in 15 minutes (no account more than once).
	sprayer := "192.0.2." + strconv.Itoa(10+int(uuid.New()[0])%200)
	var last response
	for i := range server.DefaultSignInThrottle.AddressFailures + 1 {
		last = try(srv.URL, sprayer, fmt.Sprintf("spray-%s-%d", uuid.NewString()[:6], i), "Summer2026!")
	}
	require.Equal(t, http.StatusTooManyRequests, last.status, "%s", last.body)
	require.Equal(t, http.StatusTooManyRequests, try(other.URL, sprayer, "market", demo.Password).status, "the address is blocked on every server")
}
