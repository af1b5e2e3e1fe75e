package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

const (
	outboxCycle      = "7d3e9a10-2b4c-4f5e-8a6b-1c2d3e4f5a6b"
	outboxCountsJSON = `{"pending":{"email":2,"task":1,"total":3},"sent":{"email":40,"task":2,"total":42},"failed":{"email":1,"task":0,"total":1}}`
	// outboxPending is the first page of pending messages, newest first,
	// full (the API gives next_before).
	outboxPending = `{"items":[
	{"id":12,"created_at":"2026-03-02T01:05:00Z","channel":"task","recipient":"department_head:engineering","subject":"满意度调查回收率预计不达标",
	 "body":"按目前进度, 回收率预计为 40%, 目标为 70%。请督促回访。","related":"survey-cycle:` + outboxCycle + `","status":"pending"},
	{"id":11,"created_at":"2026-03-01T23:30:00Z","channel":"email","recipient":"wang@example.com","subject":"满意度调查邀请: 重点客户",
	 "body":"王经理 您好:\n\n请于 2026-03-20 17:00 前填写满意度调查表。\n\nhttps://cx.example.com/public/survey/abc.def",
	 "link":"https://cx.example.com/public/survey/abc.def","related":"survey-cycle:` + outboxCycle + `","status":"pending"},
	{"id":10,"created_at":"2026-03-01T02:00:00Z","channel":"task","recipient":"department:market","subject":"报告已生成：客户投诉分析报告 2026Q1（第 1 版）",
	 "body":"请下载查阅","link":"https://cx.example.com/api/v1/report-versions/7","related":"report-version:7","status":"pending"}
	],"next_before":10}`
	outboxListPending = "GET /api/v1/notifications?limit=50&order=newest&status=pending"
)

var (
	outboxClerk    = complaint.Actor{ID: "c", Name: "王芳", Roles: []org.Role{org.RoleIntakeClerk}}
	outboxEngineer = complaint.Actor{ID: "e", Name: "赵工", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	outboxMarket   = complaint.Actor{ID: "m", Name: "李强", Roles: []org.Role{org.RoleMarketDepartment}, Department: "market"}
)

func outboxFake(a complaint.Actor) *fake {
	return &fake{actor: a, api: map[string]Answer{
		"GET /api/v1/notifications/counts": {Status: http.StatusOK, Body: []byte(outboxCountsJSON)},
		outboxListPending:                  {Status: http.StatusOK, Body: []byte(outboxPending)},
	}}
}

func TestOutboxListsPendingNewestFirst(t *testing.T) {
	f := outboxFake(outboxMarket)
	srv := serve(f)
	defer srv.Close()

	code, zh := get(t, srv, "/notifications", "zh")
	require.Equal(t, http.StatusOK, code, zh)
	require.Equal(t, outboxListPending, f.calls[len(f.calls)-1].Method+" "+f.calls[len(f.calls)-1].Path, "pending, newest first, one page")
	for _, want := range []string{
		"通知发件箱", "待发送 3 条",
		`<a href="/notifications" aria-current="page">待发送 <span class="outbox-count">3</span>`,
		`<a href="/notifications?status=sent">已发送 <span class="outbox-count">42</span>`,
		`<a href="/notifications?status=all">全部 <span class="outbox-count">46</span>`,
		`<a href="/notifications?kind=email">电子邮件 <span class="outbox-count">2</span>`,
		// Times in Shanghai; the newest first as the API gave them.
		"2026-03-02 09:05", "2026-03-02 07:30",
		// Recipients: a department's head, an address, a department.
		"工程部 · 部门经理", "wang@example.com", "market（全体）",
		// The cycle linked, the report version to the reports' index.
		`<a href="/surveys/cycles/` + outboxCycle + `">满意度调查周期</a> <span class="outbox-id">#7d3e9a10</span>`,
		`<a href="/reports">报告版本</a> <span class="outbox-id">#7</span>`,
		// The body folded, the customer's link as copyable text.
		`<details class="outbox-body"><summary>正文</summary>`, "请于 2026-03-20 17:00 前填写满意度调查表。",
		`客户链接（复制后发给客户）<input type="text" readonly value="https://cx.example.com/public/survey/abc.def">`,
		// Both reports for a pending message, its filter kept.
		`<form method="post" action="/notifications/12/status" class="outbox-mark">`,
		`<input type="hidden" name="status" value="failed"><input type="hidden" name="if_status" value="pending">`,
		"失败原因（必填）", `<input type="text" name="note" value="" required>`,
		// Older messages through the API's cursor.
		`<a href="/notifications?before=10">更早的通知</a>`,
		// The menu entry, active.
		`<a href="/notifications" aria-current="page">通知</a>`,
	} {
		require.Contains(t, zh, want)
	}
	require.Less(t, strings.Index(zh, `id="n-12"`), strings.Index(zh, `id="n-11"`))
	require.NotContains(t, zh, Missing)

	code, en := get(t, srv, "/notifications", "en")
	require.Equal(t, http.StatusOK, code)
	for _, want := range []string{"Notifications outbox", "3 pending", "Staff task", "E-mail", "Department head", "Survey cycle",
		"The customer&#39;s link", "Mark sent", "Mark failed", "Why it failed (required)", "Older messages", ">Outbox</a>"} {
		require.Contains(t, en, want)
	}
	require.NotContains(t, en, Missing)
}

func TestOutboxFiltersAndPages(t *testing.T) {
	f := outboxFake(outboxMarket)
	q := "GET /api/v1/notifications?before=10&channel=task&limit=50&order=newest&status=failed"
	f.api[q] = Answer{Status: http.StatusOK, Body: []byte(`{"items":[
		{"id":5,"created_at":"2026-02-01T01:00:00Z","channel":"task","recipient":"department:engineering","subject":"请电话调查客户 华东机电 (C-001)",
		 "body":"请录入答卷","related":"survey-cycle:` + outboxCycle + `","status":"failed","note":"客户电话停机"}]}`)}
	f.api["GET /api/v1/notifications?limit=50&order=newest"] = Answer{Status: http.StatusOK, Body: []byte(`{"items":[
		{"id":3,"created_at":"2026-02-01T01:00:00Z","channel":"email","recipient":"li@example.com","subject":"提醒",
		 "body":"请填写","status":"sent","sent_at":"2026-02-01T02:00:00Z"}]}`)}
	srv := serve(f)
	defer srv.Close()

	code, body := get(t, srv, "/notifications?status=failed&kind=task&before=10", "zh")
	require.Equal(t, http.StatusOK, code, body)
	require.Equal(t, q, f.calls[len(f.calls)-1].Method+" "+f.calls[len(f.calls)-1].Path)
	for _, want := range []string{
		`<a href="/notifications?kind=task&amp;status=failed" aria-current="page">发送失败`,
		`<a href="/notifications?kind=task&amp;status=failed" aria-current="page">人工任务 <span class="outbox-count">0</span>`,
		"工程部（全体）", "说明： 客户电话停机",
		// A failed message may still be reported sent, not failed again.
		`action="/notifications/5/status?before=10&amp;kind=task&amp;status=failed"`, "已重新发送",
		`<a href="/notifications?kind=task&amp;status=failed">回到最新</a>`,
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `name="note"`)
	require.NotContains(t, body, "更早的通知", "the last page")

	// All statuses: a sent message with when it went, and no forms.
	_, body = get(t, srv, "/notifications?status=all", "en")
	require.Contains(t, body, "sent 2026-02-01 10:00")
	require.NotContains(t, body, `<form method="post" action="/notifications/3/status`)
	require.NotContains(t, body, Missing)

	// A filter the API refuses is said in words, naming the field.
	f.api["GET /api/v1/notifications?limit=50&order=newest&status=lost"] = Answer{Status: http.StatusBadRequest,
		Body: []byte(`{"error":"status must be pending, sent or failed","field":"status"}`)}
	code, body = get(t, srv, "/notifications?status=lost", "zh")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, "有问题的字段： 状态.")
	require.Contains(t, body, "status must be pending, sent or failed")
}

func TestOutboxMarksSentAndFailed(t *testing.T) {
	f := outboxFake(outboxClerk)
	srv := serve(f)
	defer srv.Close()
	const api = "POST /api/v1/notifications/11/status"
	f.api[api] = Answer{Status: http.StatusNoContent}
	last := func() Call { return f.calls[len(f.calls)-1] }

	resp, _ := do(t, srv, http.MethodPost, "/notifications/11/status", url.Values{"status": {"sent"}, "if_status": {"pending"}}, "zh", true)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, api, last().Method+" "+last().Path)
	require.JSONEq(t, `{"status":"sent","if_status":"pending"}`, string(last().Body))
	require.Equal(t, "/notifications?done=sent&n=11", resp.Header.Get("Location"))
	_, body := get(t, srv, resp.Header.Get("Location"), "zh")
	require.Contains(t, body, "通知 #11 已标记为已发送。")

	// Failed, with the note, from a filtered page: back to the same filter.
	resp, _ = do(t, srv, http.MethodPost, "/notifications/11/status?kind=email", url.Values{"status": {"failed"}, "if_status": {"pending"}, "note": {"  邮箱地址不存在  "}}, "en", true)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.JSONEq(t, `{"status":"failed","if_status":"pending","note":"邮箱地址不存在"}`, string(last().Body))
	require.Equal(t, "/notifications?done=failed&kind=email&n=11", resp.Header.Get("Location"))

	// Failed without a note: nothing is sent, the complaint is next to the field.
	calls := len(f.calls)
	resp, body = do(t, srv, http.MethodPost, "/notifications/11/status", url.Values{"status": {"failed"}, "if_status": {"pending"}, "note": {"  "}}, "zh", true)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	for _, c := range f.calls[calls:] {
		require.NotEqual(t, http.MethodPost, c.Method, "no report without a note")
	}
	require.Regexp(t, regexp.MustCompile(`<tr id="n-11" class="outbox-pending invalid">[\s\S]*?<details class="outbox-body" open>[\s\S]*?<label class="invalid">失败原因（必填）<input type="text" name="note" value="" required><span class="field-error" data-field="note" role="alert">请写明发送失败的原因。</span>`), body)
	require.NotContains(t, body, Missing)

	// The API's complaint about the note goes next to the field, the note kept.
	f.api[api] = Answer{Status: http.StatusBadRequest, Body: []byte(`{"error":"note must be at most 2000 characters","field":"note"}`)}
	resp, body = do(t, srv, http.MethodPost, "/notifications/11/status", url.Values{"status": {"failed"}, "if_status": {"pending"}, "note": {"太长"}}, "en", true)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, `<input type="text" name="note" value="太长" required><span class="field-error" data-field="note" role="alert">Check the note: note must be at most 2000 characters</span>`)
	require.Contains(t, body, "Field at fault: Note.")
	require.NotContains(t, body, Missing)

	// Someone marked it meanwhile: a 409 in words.
	f.api[api] = Answer{Status: http.StatusConflict, Body: []byte(`{"error":"the message is sent, not pending: someone reported it meanwhile"}`)}
	resp, body = do(t, srv, http.MethodPost, "/notifications/11/status", url.Values{"status": {"sent"}, "if_status": {"pending"}}, "zh", true)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, body, `<p class="error" role="alert">这条通知已经有人标记过了，您的标记没有保存。`)
	resp, body = do(t, srv, http.MethodPost, "/notifications/11/status", url.Values{"status": {"sent"}, "if_status": {"pending"}}, "en", true)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, body, "Someone has marked this message already; your mark was not saved.")

	// A form that is not one of the page's.
	resp, _ = do(t, srv, http.MethodPost, "/notifications/11/status", url.Values{"status": {"pending"}, "if_status": {"pending"}}, "zh", true)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = do(t, srv, http.MethodPost, "/notifications/x/status", url.Values{"status": {"sent"}, "if_status": {"pending"}}, "zh", true)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// Customer service reads the outbox but not the kept report versions: the
// version is named, not linked.
func TestOutboxLinksOnlyPagesTheUserMayOpen(t *testing.T) {
	srv := serve(outboxFake(outboxClerk))
	defer srv.Close()
	_, body := get(t, srv, "/notifications", "zh")
	require.Contains(t, body, `<a href="/surveys/cycles/`+outboxCycle+`">`)
	require.NotContains(t, body, `href="/reports"`)
	require.Contains(t, body, `报告版本 <span class="outbox-id">#7</span>`)
}

func TestOutboxIsRefusedToADepartmentMember(t *testing.T) {
	f := outboxFake(outboxEngineer)
	srv := serve(f)
	defer srv.Close()
	for _, lang := range []string{"zh", "en"} {
		code, body := get(t, srv, "/notifications", lang)
		require.Equal(t, http.StatusForbidden, code)
		require.Contains(t, body, map[string]string{"zh": "通知发件箱仅供管理员、市场部和客户服务人员使用。",
			"en": "The outbox is for administrators, the market department and customer service."}[lang])
		require.NotContains(t, body, `href="/notifications"`, "no menu entry")
		require.NotContains(t, body, Missing)
	}
	resp, body := do(t, srv, http.MethodPost, "/notifications/11/status", url.Values{"status": {"sent"}, "if_status": {"pending"}}, "zh", true)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, body, "通知发件箱仅供")
	for _, c := range f.calls {
		require.False(t, strings.HasPrefix(c.Path, "/api/v1/notifications"), "asked the API for %s", c.Path)
	}
	_, home := get(t, srv, "/", "zh")
	require.NotContains(t, home, `href="/notifications"`)
}

// What a message is about links to its page where the user may open it.
func TestOutboxRelatedLinks(t *testing.T) {
	for _, c := range []struct {
		actor   complaint.Actor
		related string
		want    outboxRef
	}{
		{outboxClerk, "survey-cycle:" + outboxCycle, outboxRef{Label: "outbox.rel.survey-cycle", Text: "#7d3e9a10", Href: "/surveys/cycles/" + outboxCycle}},
		{outboxClerk, "survey-cycle:not-a-uuid", outboxRef{Label: "outbox.rel.survey-cycle", Text: "#not-a-uu"}},
		{outboxMarket, "report-version:7", outboxRef{Label: "outbox.rel.report-version", Text: "#7", Href: "/reports"}},
		{outboxClerk, "report-version:7", outboxRef{Label: "outbox.rel.report-version", Text: "#7"}},
		{outboxClerk, "complaint:" + cid, outboxRef{Label: "outbox.rel.complaint", Text: "#0b8f1c7e", Href: "/complaints/" + cid}},
		{outboxMarket, "improvement-action:" + cid, outboxRef{Label: "outbox.rel.improvement-action", Text: "#0b8f1c7e", Href: "/improvements/" + cid}},
		{outboxClerk, "improvement-action:" + cid, outboxRef{Label: "outbox.rel.improvement-action", Text: "#0b8f1c7e"}},
		{outboxMarket, "supplier:42", outboxRef{Text: "supplier:42"}},
		{outboxMarket, "", outboxRef{}},
	} {
		require.Equal(t, c.want, outboxRelated(c.actor, c.related), "%s as %s", c.related, c.actor.Name)
	}
}

func TestOutboxRecipientsInWords(t *testing.T) {
	p := page{Lang: "zh", Depts: map[string]string{"engineering": "工程部"}}
	for recipient, want := range map[string]string{
		"department:engineering":      "工程部（全体）",
		"department_head:engineering": "工程部 · 部门经理",
		"role:general_manager":        "总经理（按角色）",
		"总经理":                         "总经理",
	} {
		require.Equal(t, want, outboxRecipient(p, outboxMessage{Channel: "task", Recipient: recipient}), recipient)
	}
	p.Lang = "en"
	require.Equal(t, "General manager (by role)", outboxRecipient(p, outboxMessage{Channel: "task", Recipient: "role:general_manager"}))
}

// A failed e-mail shows how often cxflow tried and offers to deliver it
// again; the page sends it back to delivery and says so.
func TestOutboxResendsAFailedEmail(t *testing.T) {
	f := outboxFake(outboxMarket)
	const failedList = "GET /api/v1/notifications?limit=50&order=newest&status=failed"
	f.api[failedList] = Answer{Status: http.StatusOK, Body: []byte(`{"items":[
	{"id":21,"created_at":"2026-03-02T01:05:00Z","channel":"email","recipient":"nobody@example.com","subject":"满意度调查邀请: 重点客户",
	 "body":"请填写","status":"failed","note":"550 5.1.1 mailbox unknown","attempts":1},
	{"id":20,"created_at":"2026-03-02T01:00:00Z","channel":"task","recipient":"department:market","subject":"请电话调查","body":"请联系","status":"failed","note":"客户拒绝"}]}`)}
	const resend = "POST /api/v1/notifications/21/resend"
	f.api[resend] = Answer{Status: http.StatusAccepted}
	srv := serve(f)
	defer srv.Close()

	code, body := get(t, srv, "/notifications?status=failed", "zh")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "已尝试投递 1 次")
	require.Contains(t, body, `<form method="post" action="/notifications/21/resend?status=failed" class="outbox-mark"><button type="submit">重新投递</button></form>`)
	require.NotContains(t, body, "/notifications/20/resend", "a task is not cxflow's to deliver")

	resp, _ := do(t, srv, http.MethodPost, "/notifications/21/resend?status=failed", url.Values{}, "zh", true)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, resend, f.calls[len(f.calls)-1].Method+" "+f.calls[len(f.calls)-1].Path)
	_, body = get(t, srv, resp.Header.Get("Location"), "zh")
	require.Contains(t, body, "通知 #21 已重新排队投递。")
}
