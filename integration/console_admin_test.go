package integration

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// adminUserNamed finds a user through the API.
func adminUserNamed(t *testing.T, username string) org.User {
	t.Helper()
	r := as(t, "admin", http.MethodGet, "/api/v1/users", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var list struct {
		Items []org.User `json:"items"`
	}
	r.json(t, &list)
	for _, u := range list.Items {
		if u.Username == username {
			return u
		}
	}
	t.Fatalf("no user %s", username)
	return org.User{}
}

// adminSignIn signs a new browser in with a password; ok is whether the
// console let them in.
func adminSignIn(t *testing.T, username, password string) (*http.Client, bool) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b := &http.Client{Jar: jar}
	code, body := page(t, b, http.MethodPost, "/login", url.Values{"username": {username}, "password": {password}})
	return b, code == http.StatusOK && strings.Contains(body, "我的待办")
}

// The administrator creates a user through the form; that user signs in.
// A refused edit comes back with the field marked and the values kept, and
// disabling the account through the form keeps its owner out.
func TestConsoleAdminManagesUsers(t *testing.T) {
	admin := browser(t, "admin")
	code, work := page(t, admin, http.MethodGet, "/", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, work, `href="/admin"`, "the administrator has the menu entry")

	code, form := page(t, admin, http.MethodGet, "/admin/users/new", nil)
	require.Equal(t, http.StatusOK, code, form)
	require.Contains(t, form, `<option value="engineering">`)
	require.Contains(t, form, "责任部门人员")

	username := "it-" + uuid.NewString()[:8]
	const password = "first-password-1"
	values := url.Values{"username": {username}, "name": {"钱七"}, "department": {"engineering"},
		"roles": {"department_member"}, "password": {password}, "password_confirm": {password}}
	code, list := page(t, admin, http.MethodPost, "/admin/users/new", values)
	require.Equal(t, http.StatusOK, code, list)
	require.Contains(t, list, "用户已创建")
	require.Contains(t, list, "<code>"+username+"</code>")

	// The new user signs in to the console with the password set in the form.
	_, in := adminSignIn(t, username, password)
	require.True(t, in, "the new user signs in")
	u := adminUserNamed(t, username)
	require.Equal(t, []org.Role{org.RoleDepartmentMember}, u.Roles)

	// The same username again: the API's refusal beside the username, values kept.
	values.Set("name", "钱七（重复）")
	code, taken := page(t, admin, http.MethodPost, "/admin/users/new", values)
	require.Equal(t, http.StatusConflict, code, taken)
	require.Regexp(t, `name="username" value="`+username+`"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="username"`, taken)
	require.Contains(t, taken, `value="钱七（重复）"`)

	// An edit without roles is refused; the form keeps what was typed.
	edit := url.Values{"name": {"钱七（质检）"}, "department": {"quality"}}
	code, refused := page(t, admin, http.MethodPost, "/admin/users/"+u.ID, edit)
	require.Equal(t, http.StatusBadRequest, code, refused)
	require.Regexp(t, `<span class="field-error" data-field="roles" role="alert">[^<]*(at least one role|必须填写)`, refused)
	require.Contains(t, refused, `value="钱七（质检）"`)
	require.Contains(t, refused, `<option value="quality" selected>`)
	require.Equal(t, "钱七", adminUserNamed(t, username).Name, "nothing was saved")

	// With roles it is saved, and the change shows in the user's history.
	edit["roles"] = []string{"quality_department", "department_member"}
	code, saved := page(t, admin, http.MethodPost, "/admin/users/"+u.ID, edit)
	require.Equal(t, http.StatusOK, code, saved)
	require.Contains(t, saved, "用户资料已保存")
	require.Contains(t, saved, "修改资料、部门、角色或状态")
	got := adminUserNamed(t, username)
	require.Equal(t, "quality", got.Department)
	require.ElementsMatch(t, []org.Role{org.RoleQualityDepartment, org.RoleDepartmentMember}, got.Roles)

	// A new password through the form; then the account is disabled.
	code, pw := page(t, admin, http.MethodPost, "/admin/users/"+u.ID+"/password", url.Values{"password": {"second-password-2"}, "password_confirm": {"second-password-2"}})
	require.Equal(t, http.StatusOK, code, pw)
	require.Contains(t, pw, "密码已设置")
	_, in = adminSignIn(t, username, password)
	require.False(t, in, "the old password no longer works")
	_, in = adminSignIn(t, username, "second-password-2")
	require.True(t, in)
	edit["disabled"] = []string{"true"}
	code, _ = page(t, admin, http.MethodPost, "/admin/users/"+u.ID, edit)
	require.Equal(t, http.StatusOK, code)
	_, in = adminSignIn(t, username, "second-password-2")
	require.False(t, in, "a disabled account cannot sign in")
	_, list = page(t, admin, http.MethodGet, "/admin/users?department=quality", nil)
	require.Regexp(t, `id="u-`+u.ID+`" class="admin-disabled">`, list)
}

// Only administrators change things; internal auditors read; others are
// refused in words and see no menu entry.
func TestConsoleAdminPermissions(t *testing.T) {
	clerk := browser(t, "clerk")
	_, work := page(t, clerk, http.MethodGet, "/", nil)
	require.NotContains(t, work, `href="/admin"`)
	for _, path := range []string{"/admin", "/admin/users", "/admin/calendars/default", "/admin/sla-policies"} {
		code, body := page(t, clerk, http.MethodGet, path, nil)
		require.Equal(t, http.StatusForbidden, code, path)
		require.Contains(t, body, "您没有权限")
		require.Contains(t, body, "系统管理页面仅供系统管理员使用")
	}
	code, body := page(t, clerk, http.MethodPost, "/admin/departments", url.Values{"id": {"it-clerk"}, "name": {"x"}, "kind": {"hq"}})
	require.Equal(t, http.StatusForbidden, code, body)

	auditor := browser(t, "auditor")
	_, work = page(t, auditor, http.MethodGet, "/", nil)
	require.Contains(t, work, `href="/admin"`)
	for _, path := range []string{"/admin", "/admin/users", "/admin/departments", "/admin/calendars/default", "/admin/sla-policies"} {
		code, body := page(t, auditor, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, code, path)
		require.NotContains(t, body, `method="post" action="/admin`, path)
	}
	code, body = page(t, auditor, http.MethodPost, "/admin/departments", url.Values{"id": {"it-auditor"}, "name": {"x"}, "kind": {"hq"}})
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, "只有系统管理员可以修改")
	r := as(t, "admin", http.MethodGet, "/api/v1/departments", nil)
	require.NotContains(t, string(r.body), "it-auditor")
}

// A year's holidays and make-up days replaced through the form move a due
// date the API computes.
func TestConsoleAdminCalendarYear(t *testing.T) {
	name := "it-admin-" + uuid.NewString()[:6]
	week := map[string]any{}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		week[d] = []string{"09:00-12:00", "13:00-18:00"}
	}
	r := as(t, "admin", http.MethodPut, "/api/v1/calendars/"+name, map[string]any{"time_zone": "Asia/Shanghai", "week": week, "years": []any{}, "version": 0})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	cst := time.FixedZone("CST", 8*3600)
	friday := time.Date(2027, 2, 5, 16, 0, 0, 0, cst)
	require.True(t, time.Date(2027, 2, 8, 16, 0, 0, 0, cst).Equal(dueOn(t, name, friday, "8h")), "Friday 2h, Monday 6h")

	admin := browser(t, "admin")
	code, before := page(t, admin, http.MethodGet, "/admin/calendars/"+name+"?year=2027", nil)
	require.Equal(t, http.StatusOK, code, before)
	require.Contains(t, before, "还没有 2027 年的节假日安排")
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(before)
	require.Len(t, version, 2)

	// A mistake comes back by line and nothing changes.
	bad := url.Values{"version": {version[1]}, "holidays": {"2027-02-08~2027-02-12 检修停工\n2027-02-30 x"}, "workdays": {"2027-02-06 补班"}}
	code, refused := page(t, admin, http.MethodPost, "/admin/calendars/"+name+"/years/2027", bad)
	require.Equal(t, http.StatusBadRequest, code, refused)
	require.Contains(t, refused, "第 2 行：日期应写成")
	require.Contains(t, refused, "2027-02-30 x</textarea>")

	good := url.Values{"version": {version[1]}, "holidays": {"2027-02-08~2027-02-12 检修停工"}, "workdays": {"2027-02-06 补班"}}
	code, after := page(t, admin, http.MethodPost, "/admin/calendars/"+name+"/years/2027", good)
	require.Equal(t, http.StatusOK, code, after)
	require.Contains(t, after, "节假日和调休已保存")
	require.Contains(t, after, `<td class="admin-day holiday" title="检修停工">8</td>`)
	require.Contains(t, after, `<td class="admin-day makeup" title="补班">6</td>`)

	// Saturday the 6th is now worked (with Monday's hours), the week after off.
	want := time.Date(2027, 2, 6, 16, 0, 0, 0, cst)
	require.True(t, want.Equal(dueOn(t, name, friday, "8h")), "got %s", dueOn(t, name, friday, "8h"))
	code, calc := page(t, admin, http.MethodGet, "/admin/calendars/"+name+"?year=2027&start=2027-02-05T16:00&hours=8", nil)
	require.Equal(t, http.StatusOK, code, calc)
	require.Contains(t, calc, "<strong data-due>2027-02-06 16:00 星期六</strong>")

	// The form read before the change is stale now.
	code, stale := page(t, admin, http.MethodPost, "/admin/calendars/"+name+"/years/2027", good)
	require.Equal(t, http.StatusConflict, code, stale)
	require.Contains(t, stale, "已被他人修改")
}

// A new SLA policy version through the editor, pre-filled with the active one.
func TestConsoleAdminPolicyVersion(t *testing.T) {
	alwaysOpenBranch(t)
	admin := browser(t, "admin")
	code, pg := page(t, admin, http.MethodGet, "/admin/sla-policies", nil)
	require.Equal(t, http.StatusOK, code, pg)
	require.Contains(t, pg, "判定投诉")
	require.Contains(t, pg, "工作时间")
	m := regexp.MustCompile(`(?s)<textarea name="policy"[^>]*>(.*?)</textarea>`).FindStringSubmatch(pg)
	require.Len(t, m, 2)
	draft := html.UnescapeString(m[1])
	var before complaint.Policy
	as(t, "admin", http.MethodGet, "/api/v1/sla-policies/active", nil).json(t, &before)

	// The administrator edits the JSON: the review step warns at 75 %, and
	// by mistake the first rule gets no time at all.
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(draft), &p))
	require.NotContains(t, p, "version", "the version is asked for on its own")
	rules := p["sla"].([]any)
	first := rules[0].(map[string]any)
	target := first["target"]
	first["target"] = "0s"
	for _, r := range rules {
		if r := r.(map[string]any); r["step"] == "review" {
			r["warn_at"] = 0.75
		}
	}
	edited, err := json.MarshalIndent(p, "", "  ")
	require.NoError(t, err)
	version := "it-console-" + uuid.NewString()[:6]
	code, refused := page(t, admin, http.MethodPost, "/admin/sla-policies", url.Values{"version": {version}, "policy": {string(edited)}})
	require.Equal(t, http.StatusBadRequest, code, refused)
	require.Contains(t, refused, "问题所在：sla[0]（第 1 条时限规则，步骤："+map[string]string{"validation": "判定投诉"}[first["step"].(string)])
	require.Contains(t, refused, "target must be positive")
	require.Contains(t, refused, `name="version" value="`+version+`"`)
	require.Contains(t, html.UnescapeString(refused), `"target": "0s"`)

	first["target"] = target
	edited, err = json.MarshalIndent(p, "", "  ")
	require.NoError(t, err)
	code, saved := page(t, admin, http.MethodPost, "/admin/sla-policies", url.Values{"version": {version}, "policy": {string(edited)}})
	require.Equal(t, http.StatusOK, code, saved)
	require.Contains(t, saved, "新的时限规则版本已保存并生效")
	require.Contains(t, saved, "版本 "+version)

	var active complaint.Policy
	as(t, "admin", http.MethodGet, "/api/v1/sla-policies/active", nil).json(t, &active)
	require.Equal(t, version, active.Version)
	require.Equal(t, before.Calendars, active.Calendars, "what the editor did not touch stays")
	require.Equal(t, 0.75, active.SLA(complaint.StepReview, complaint.ClassC, complaint.SeverityGeneral).WarnAt)
	require.Equal(t, before.SLA(complaint.StepValidation, "", complaint.SeverityNone), active.SLA(complaint.StepValidation, "", complaint.SeverityNone))

	// The same name again is refused beside the version field.
	code, taken := page(t, admin, http.MethodPost, "/admin/sla-policies", url.Values{"version": {version}, "policy": {string(edited)}})
	require.Equal(t, http.StatusConflict, code, taken)
	require.Regexp(t, `data-field="version" role="alert">[^<]*already exists`, taken)

	// The rule form: a stricter validation limit for class A's most severe
	// cases, placed before the general rule in a new empty row.
	code, rulesPage := page(t, admin, http.MethodGet, "/admin/sla-policies/rules", nil)
	require.Equal(t, http.StatusOK, code, rulesPage)
	form := adminFormValues(rulesPage)
	require.Equal(t, version, form.Get("base"))
	last := "rule." + strconv.Itoa(adminAtoi(t, form.Get("rows"))-1) + "."
	require.Empty(t, form.Get(last+"step"), "the last row is free")
	form.Set(last+"order", "0")
	form.Set(last+"step", "validation")
	form[last+"classes"] = []string{"A"}
	form[last+"severities"] = []string{"extraordinary"}
	form.Set(last+"hours", "2")
	form.Set(last+"warn", "50")
	strict := version + "-a"
	form.Set("version", strict)
	code, saved = page(t, admin, http.MethodPost, "/admin/sla-policies/rules", form)
	require.Equal(t, http.StatusOK, code, saved)
	require.Contains(t, saved, "A 类: 特别重大")
	as(t, "admin", http.MethodGet, "/api/v1/sla-policies/active", nil).json(t, &active)
	require.Equal(t, strict, active.Version)
	require.Equal(t, 2*time.Hour, active.SLA(complaint.StepValidation, complaint.ClassA, complaint.SeverityExtraordinary).Target.Std())
	require.Equal(t, before.SLA(complaint.StepValidation, complaint.ClassC, complaint.SeverityGeneral).Target,
		active.SLA(complaint.StepValidation, complaint.ClassC, complaint.SeverityGeneral).Target)
	require.Equal(t, 0.75, active.SLA(complaint.StepReview, complaint.ClassC, complaint.SeverityGeneral).WarnAt, "the other rules are kept")
	require.Equal(t, before.Calendars, active.Calendars)
}

func adminAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

// adminFormValues reads what a browser would send for the page's form: inputs
// with their values (checkboxes when checked) and selects' chosen options.
func adminFormValues(page string) url.Values {
	v := url.Values{}
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return html.UnescapeString(m[1]), true
	}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(page, -1) {
		name, ok := attr(tag, "name")
		if !ok {
			continue
		}
		if typ, _ := attr(tag, "type"); typ == "checkbox" && !strings.Contains(tag, " checked") {
			continue
		}
		val, _ := attr(tag, "value")
		v.Add(name, val)
	}
	for _, m := range regexp.MustCompile(`(?s)<select name="([^"]+)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(page, -1) {
		chosen := ""
		if o := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); o != nil {
			chosen = html.UnescapeString(o[1])
		}
		v.Set(m[1], chosen)
	}
	return v
}

// The administrator walks users → calendars → SLA policies in a browser.
func TestConsoleAdminInABrowser(t *testing.T) {
	ctx, dir := chromeTab(t, 1280, 900)
	signIn(t, ctx, "admin")
	username := "it-b-" + uuid.NewString()[:6]
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`header nav a[href="/admin"]`),
		chromedp.WaitVisible(`nav.admin-tabs`),
		chromedp.Click(`nav.admin-tabs a[href="/admin/users"]`),
		chromedp.WaitVisible(`table.admin-users`),
		chromedp.Click(`a[href="/admin/users/new"]`),
		chromedp.WaitVisible(`form.admin-user`),
		chromedp.SendKeys(`input[name=username]`, username),
		chromedp.SendKeys(`input[name=name]`, "吴八"),
		chromedp.SetValue(`select[name=department]`, "market"),
		chromedp.Click(`input[name=roles][value=market_department]`),
		chromedp.SendKeys(`input[name=password]`, "browser-password-1"),
		chromedp.SendKeys(`input[name=password_confirm]`, "browser-password-1"),
		chromedp.Submit(`input[name=password_confirm]`),
		chromedp.WaitVisible(`p.notice`),
	))
	notice, err := chromedp.Run(ctx, chromedp.Text(`p.notice`))
	require.NoError(t, err)
	require.Contains(t, notice, "用户已创建")
	list, err := chromedp.Run(ctx, chromedp.Text(`table.admin-users`))
	require.NoError(t, err)
	require.Contains(t, list, username)
	shot(t, ctx, dir, "console-admin-users.png")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`nav.admin-tabs a[href="/admin/calendars"]`),
		chromedp.WaitVisible(`table.admin-calendars`),
		chromedp.Click(`table.admin-calendars a[href="/admin/calendars/default"]`),
		chromedp.WaitVisible(`div.admin-months`),
		chromedp.SetValue(`input[name=start]`, "2026-09-30T16:00"),
		chromedp.SetValue(`input[name=hours]`, "8"),
		chromedp.Submit(`input[name=hours]`),
		chromedp.WaitVisible(`[data-due]`),
	))
	due, err := chromedp.Run(ctx, chromedp.Text(`[data-due]`))
	require.NoError(t, err)
	// 1.5 hours on 30 September, the National Day holiday to 7 October, then 6.5 hours.
	require.Equal(t, "2026-10-08 16:30 星期四", due)
	shot(t, ctx, dir, "console-admin-calendar.png")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`nav.admin-tabs a[href="/admin/sla-policies"]`),
		chromedp.WaitVisible(`table.admin-sla`),
	))
	table, err := chromedp.Run(ctx, chromedp.Text(`table.admin-sla`))
	require.NoError(t, err)
	require.Contains(t, table, "判定投诉")
	shot(t, ctx, dir, "console-admin-sla.png")
}
