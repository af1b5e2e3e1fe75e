package console

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/validate"
)

// post sends a form as the signed-in user (or anonymously) and answers the
// status and the body, or the redirect's target.
func post(t *testing.T, srv *httptest.Server, path string, form url.Values, signedIn bool) (int, string) {
	t.Helper()
	resp, body := do(t, srv, http.MethodPost, path, form, "zh", signedIn)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, body
}

func TestClockControlsForTheDepartmentHead(t *testing.T) {
	head := complaint.Actor{ID: "h", Name: "陈静", Roles: []org.Role{org.RoleDepartmentHead, org.RoleDepartmentMember}, Department: "engineering"}
	f := &fake{actor: head, c: sample(complaint.StepRootCause)}
	srv := serve(f)
	defer srv.Close()

	_, body := get(t, srv, "/complaints/"+cid, "zh")
	require.Contains(t, body, `action="/complaints/`+cid+`/pause"`)
	require.Contains(t, body, `action="/complaints/`+cid+`/deadline"`)
	require.NotContains(t, body, `/resume"`, "the clock runs: no resume")
	require.Contains(t, body, "新的截止时间")
	require.NotContains(t, body, "callback-link", "only customer service makes callback links")

	// Paused: resume instead of pause.
	f.c.Paused = &complaint.Pause{}
	_, body = get(t, srv, "/complaints/"+cid, "en")
	require.Contains(t, body, `/resume"`)
	require.NotContains(t, body, `/pause"`)
	require.NotContains(t, body, Missing)
	f.c.Paused = nil

	// An extension goes to the API as its JSON input, the time read in Shanghai.
	path := "/api/v1/complaints/" + cid + "/deadline"
	f.api = map[string]Answer{"POST " + path: {Status: http.StatusOK, Body: []byte(`{}`)}}
	code, loc := post(t, srv, "/complaints/"+cid+"/deadline", url.Values{"due_at": {"2026-03-05T17:30"}, "reason": {"等待配件"}}, true)
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, "/complaints/"+cid+"?done=deadline", loc)
	var in struct {
		DueAt  time.Time `json:"due_at"`
		Reason string    `json:"reason"`
	}
	require.NoError(t, json.Unmarshal(f.calls[len(f.calls)-1].Body, &in))
	require.True(t, in.DueAt.Equal(time.Date(2026, 3, 5, 9, 30, 0, 0, time.UTC)), "%s", f.calls[len(f.calls)-1].Body)
	require.Equal(t, "等待配件", in.Reason)
	_, body = get(t, srv, loc, "zh")
	require.Contains(t, body, "已提交： 延长时限")

	// A refusal keeps what was typed and unfolds that control's form.
	f.api["POST "+path] = Answer{Status: http.StatusBadRequest, Body: []byte(`{"error":"reason: is required","field":"reason"}`)}
	code, body = post(t, srv, "/complaints/"+cid+"/deadline", url.Values{"due_at": {"2026-03-05T17:30"}}, true)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, `value="2026-03-05T17:30"`)
	require.Contains(t, body, `<details class="control" open>`)
	require.Contains(t, body, "理由")
}

func TestCallbackLinkForCustomerService(t *testing.T) {
	clerk := complaint.Actor{ID: "c", Name: "王芳", Roles: []org.Role{org.RoleIntakeClerk}}
	f := &fake{actor: clerk, c: sample(complaint.StepCallback)}
	srv := serve(f)
	defer srv.Close()
	_, body := get(t, srv, "/complaints/"+cid, "zh")
	require.Contains(t, body, `action="/complaints/`+cid+`/callback-link"`)

	f.api = map[string]Answer{"POST /api/v1/complaints/" + cid + "/callback-link": {Status: http.StatusCreated,
		Body: []byte(`{"url":"https://cx.example.cn/public/callback/tok.sig","token":"tok.sig","expires_at":"2026-03-09T02:00:00Z"}`)}}
	code, body := post(t, srv, "/complaints/"+cid+"/callback-link", url.Values{}, true)
	require.Equal(t, http.StatusCreated, code, body)
	require.Contains(t, body, `href="https://cx.example.cn/public/callback/tok.sig"`)
	require.Contains(t, body, "2026-03-09 10:00")

	// At another step the API refuses, and the page says so.
	f.api["POST /api/v1/complaints/"+cid+"/callback-link"] = Answer{Status: http.StatusConflict, Body: []byte(`{"error":"waiting for review"}`)}
	code, body = post(t, srv, "/complaints/"+cid+"/callback-link", url.Values{}, true)
	require.Equal(t, http.StatusConflict, code)
	require.Contains(t, body, "waiting for review")
}

func TestCustomerAnswersTheCallbackLink(t *testing.T) {
	f := &fake{}
	srv := serve(f)
	defer srv.Close()
	api := "/public/callback/tok.sig"
	f.api = map[string]Answer{
		"GET " + api:  {Status: http.StatusOK, Body: []byte(`{"number":"TS-2026-0001","subject":"空调不制冷","status":"callback","result":"更换压缩机","answered":false}`)},
		"POST " + api: {Status: http.StatusOK, Body: []byte(`{"answered":true}`)},
	}
	resp, err := http.Get(srv.URL + api)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	page := string(b)
	for _, want := range []string{"TS-2026-0001", "空调不制冷", "更换压缩机", "您对处理结果满意吗", `action="/public/callback/tok.sig"`} {
		require.Contains(t, page, want)
	}
	require.NotContains(t, page, "退出", "a customer sees no staff menu")
	require.Contains(t, page, `<span class="brand">客户服务</span>`)

	code, body := post(t, srv, api, url.Values{"comment": {"还行"}}, false)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "请选择满意或不满意")
	require.Contains(t, body, "还行", "what was typed stays")

	code, body = post(t, srv, api, url.Values{"satisfied": {"false"}, "comment": {"仍有噪音"}}, false)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "我们会重新处理")
	require.JSONEq(t, `{"satisfied":false,"comment":"仍有噪音"}`, string(f.calls[len(f.calls)-1].Body))

	f.api["GET "+api] = Answer{Status: http.StatusForbidden, Body: []byte(`{"error":"this link is not valid or has expired; please contact us"}`)}
	resp, err = http.Get(srv.URL + api)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, string(b), "此链接无效或已过期")
}

func TestMyWorkPages(t *testing.T) {
	f := &fake{actor: market}
	for i := range 120 {
		c := sample(complaint.StepValidation)
		c.Number = fmt.Sprintf("TS-2026-%04d", i+1)
		due := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
		c.DueAt = &due
		if i < 7 {
			c.SLAStatus = complaint.SLABreached
		}
		f.open = append(f.open, c)
	}
	srv := serve(f)
	defer srv.Close()
	_, first := get(t, srv, "/", "zh")
	require.Contains(t, first, "共 120 项，其中超期 7 项、预警 113 项。")
	require.Contains(t, first, "TS-2026-0001")
	require.NotContains(t, first, "TS-2026-0051")
	require.Contains(t, first, `href="/?page=2"`)
	_, last := get(t, srv, "/?page=3", "en")
	require.Contains(t, last, "TS-2026-0120")
	require.NotContains(t, last, "TS-2026-0100<")
	require.Equal(t, 20, strings.Count(last, `class="button"`))
	require.Contains(t, last, "Page 3 of 3")
	_, beyond := get(t, srv, "/?page=99", "zh")
	require.Contains(t, beyond, "第 3 页，共 3 页")
}

func TestFindComplaints(t *testing.T) {
	f := &fake{actor: market}
	list, _ := json.Marshal(map[string]any{"items": []complaint.Complaint{sample(complaint.StepPlan)}, "next_cursor": "abc"})
	f.api = map[string]Answer{
		"GET /api/v1/complaints?limit=50&q=%E7%A9%BA%E8%B0%83&sla_status=at_risk":            {Status: http.StatusOK, Body: list},
		"GET /api/v1/complaints?cursor=abc&limit=50&q=%E7%A9%BA%E8%B0%83&sla_status=at_risk": {Status: http.StatusOK, Body: []byte(`{"items":[]}`)},
		"GET /api/v1/complaints?limit=50&q=" + strings.Repeat("x", 101):                      {Status: http.StatusBadRequest, Body: []byte(`{"error":"q must be at most 100 characters","field":"q","rule":"too_long","max":100}`)},
	}
	srv := serve(f)
	defer srv.Close()
	code, body := get(t, srv, "/complaints?q=空调&sla_status=at_risk", "zh")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "TS-2026-0001")
	require.Contains(t, body, "刘先生")
	require.Contains(t, body, "工程部")
	require.Contains(t, body, `<option value="at_risk" selected>`)
	require.Contains(t, body, `href="/complaints?cursor=abc&amp;q=%E7%A9%BA%E8%B0%83&amp;sla_status=at_risk"`)
	require.Contains(t, body, `<a href="/complaints" aria-current="page">投诉查询</a>`)

	_, body = get(t, srv, "/complaints?cursor=abc&q=空调&sla_status=at_risk", "en")
	require.Contains(t, body, "No complaint matches.")
	require.Contains(t, body, "First page")
	require.NotContains(t, body, Missing)

	code, body = get(t, srv, "/complaints?q="+strings.Repeat("x", 101), "zh")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "不能超过 100 个字", "the API's check in Chinese")
	require.Contains(t, body, `value="`+strings.Repeat("x", 101)+`"`, "the form keeps the text")

	// On a complaint's page, 投诉查询 is not marked, nor 投诉登记 on the search.
	_, body = get(t, srv, "/complaints/new", "zh")
	require.Equal(t, 1, strings.Count(body, `aria-current="page"`))
	require.Contains(t, body, `<a href="/complaints/new" aria-current="page">`)
}

func TestMoney(t *testing.T) {
	for v, want := range map[float64]string{0: "0.00", 999.5: "999.50", 1000: "1,000.00", 1234567.891: "1,234,567.89", -45000: "-45,000.00"} {
		require.Equal(t, want, money(v), "%v", v)
	}
}

func TestStatusPage(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	cs := New(&fake{}, &fake{}, nil)
	r.GET("/public/survey/:token", func(c *gin.Context) { cs.Status(c, http.StatusTooManyRequests) })
	srv := httptest.NewServer(r)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/public/survey/x?lang=en")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Contains(t, string(b), "Too many requests")
	require.Equal(t, CSP, resp.Header.Get("Content-Security-Policy"))
}

// Refusals are worded from their rule and bounds, not from the operation's
// English sentence; a refusal no rule names keeps the operation's words.
func TestRefusalWordsFromTheirRule(t *testing.T) {
	for _, c := range []struct {
		r      Refusal
		zh, en string
	}{
		{Refusal{Message: "reason: is required", Rule: validate.RuleRequired}, "必须填写。", "reason: is required"},
		{Refusal{Message: "name: is required (at most 100 characters)", Rule: validate.RuleRequired, Max: 100}, "必须填写，且不超过 100 个字。", "name: is required (at most 100 characters)"},
		{Refusal{Message: "subject: must be at most 200 characters", Rule: validate.RuleTooLong, Max: 200}, "不能超过 200 个字。", "subject: must be at most 200 characters"},
		{Refusal{Message: "due_at: must be in the future", Rule: validate.RuleFuture}, "必须晚于现在。", "due_at: must be in the future"},
		{Refusal{Message: "limit must be a whole number from 1 to 200", Rule: validate.RuleRange, Min: 1, Max: 200}, "必须是 1 到 200 之间的整数。", "limit must be a whole number from 1 to 200"},
		{Refusal{Message: "status must be one of validation, closed", Rule: validate.RuleOneOf}, "不是可以选择的值。", "status must be one of validation, closed"},
		{Refusal{Message: "x: is not valid UTF-8", Rule: validate.RuleEncoding}, "含有无法识别的字符。", "x: is not valid UTF-8"},
		// No rule: the state of a case, said by the operation.
		{Refusal{Message: "complaint TS-2026-000001 is waiting for review"}, "complaint TS-2026-000001 is waiting for review", "complaint TS-2026-000001 is waiting for review"},
		// A rule the pages have no words for keeps the message.
		{Refusal{Message: "odd", Rule: "odd_rule"}, "odd", "odd"},
	} {
		require.Equal(t, c.zh, c.r.words("zh"), c.r.Message)
		require.Equal(t, c.en, c.r.words("en"), c.r.Message)
	}
	// The rule travels from the operation's refusal to the page's.
	r := refusalOf(&app.Error{Code: app.Invalid, Field: "limit", Message: "limit must be a whole number from 1 to 500", Rule: validate.RuleRange, Min: 1, Max: 500})
	require.Equal(t, http.StatusBadRequest, r.Status)
	require.Equal(t, "必须是 1 到 500 之间的整数。", r.words("zh"))
	require.Contains(t, explain("zh", r), "必须是 1 到 500 之间的整数。")
}

// 我的待办 reads only the steps a role can take anywhere.
func TestActionableSteps(t *testing.T) {
	s := func(steps ...complaint.Step) []complaint.Step { return steps }
	for _, tc := range []struct {
		who   complaint.Actor
		steps []complaint.Step
	}{
		{complaint.Actor{Roles: []org.Role{org.RoleIntakeClerk}, Department: "sales"}, s(complaint.StepCallback)},
		{complaint.Actor{Roles: []org.Role{org.RoleMarketDepartment}, Department: "market"},
			s(complaint.StepValidation, complaint.StepAssignment, complaint.StepApproval, complaint.StepReview)},
		{complaint.Actor{Roles: []org.Role{org.RoleBranchHead}, Department: "branch-zz"}, s(complaint.StepValidation, complaint.StepAssignment, complaint.StepReview)},
		{complaint.Actor{Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"},
			s(complaint.StepRootCause, complaint.StepPlan, complaint.StepExecution)},
		{complaint.Actor{Roles: []org.Role{org.RoleDepartmentHead}, Department: "engineering"},
			s(complaint.StepRootCause, complaint.StepPlan, complaint.StepApproval, complaint.StepExecution)},
		{complaint.Actor{Roles: []org.Role{org.RoleGeneralManager}, Department: "gm-office"}, s(complaint.StepApproval)},
		{complaint.Actor{Roles: []org.Role{org.RoleInternalAuditor}, Department: "audit"}, nil},
	} {
		require.Equal(t, tc.steps, actionableSteps(tc.who), "%v", tc.who.Roles)
	}
	f := &fake{actor: complaint.Actor{Roles: []org.Role{org.RoleGeneralManager}, Department: "gm-office"}}
	srv := serve(f)
	defer srv.Close()
	get(t, srv, "/", "zh")
	require.Equal(t, []complaint.Step{complaint.StepApproval}, f.steps, "the general manager's 我的待办 reads approvals only")
}
