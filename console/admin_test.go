package console

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

var (
	adminActor        = complaint.Actor{ID: "a", Name: "系统管理员", Roles: []org.Role{org.RoleAdministrator}, Department: "it"}
	adminAuditorActor = complaint.Actor{ID: "au", Name: "孙丽", Roles: []org.Role{org.RoleInternalAuditor}, Department: "audit"}
	adminClerkActor   = complaint.Actor{ID: "c", Name: "王芳", Roles: []org.Role{org.RoleIntakeClerk}, Department: "sales"}
)

const (
	adminUID1 = "11111111-1111-4111-8111-111111111111"
	adminUID2 = "22222222-2222-4222-8222-222222222222"
)

func adminJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func adminOK(t *testing.T, v any) Answer { return Answer{Status: http.StatusOK, Body: adminJSON(t, v)} }

// adminCalendar is a small calendar: Monday to Friday with a lunch break,
// Spring Festival 2026 off and one Saturday worked.
func adminCalendar() calendar.Calendar {
	day := []calendar.Period{{Start: 8*60 + 30, End: 12 * 60}, {Start: 13*60 + 30, End: 17*60 + 30}}
	return calendar.Calendar{Name: "default", TimeZone: "Asia/Shanghai", Version: 3,
		Week: calendar.Week{"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day},
		Years: []calendar.Year{{Year: 2026,
			Holidays: []calendar.Holiday{{Name: "春节", From: calendar.Date{Y: 2026, M: 2, D: 15}, To: calendar.Date{Y: 2026, M: 2, D: 23}}},
			Workdays: []calendar.Workday{{Name: "春节调休", Date: calendar.Date{Y: 2026, M: 2, D: 28}}}}}}
}

// adminFake answers the API calls the administration pages make.
func adminFake(t *testing.T, a complaint.Actor) *fake {
	created := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
	users := []org.User{
		{ID: adminUID1, Username: "head", Name: "陈静", Department: "engineering", Roles: []org.Role{org.RoleDepartmentHead}, CreatedAt: created,
			UpdatedAt: time.Date(2026, 3, 2, 2, 30, 0, 0, time.UTC), UpdatedBy: "admin"},
		{ID: adminUID2, Username: "old", Name: "赵旧", Department: "branch-sh", Roles: []org.Role{org.RoleBranchHead, org.RoleIntakeClerk}, Disabled: true, CreatedAt: created, UpdatedAt: created},
	}
	depts := []org.Department{{ID: "engineering", Name: "工程部", Kind: org.KindHQ}, {ID: "branch-sh", Name: "上海分公司", Kind: org.KindBranch}}
	pol := complaint.DefaultPolicy()
	pol.Version = "v2"
	older := complaint.DefaultPolicy()
	older.Version = "v1"
	changed := []adminAuditEntry{{At: time.Date(2026, 3, 2, 2, 30, 0, 0, time.UTC), Username: "admin", Method: "PATCH", Route: "/api/v1/users/:id", Outcome: "allowed"}}
	audit := func(id string, n int) string {
		return "GET /api/v1/audit?" + url.Values{"target": {id}, "outcome": {"allowed"}, "limit": {strconv.Itoa(n)}}.Encode()
	}
	return &fake{actor: a, api: map[string]Answer{
		"GET /api/v1/users":             adminOK(t, map[string]any{"items": users}),
		"GET /api/v1/departments":       adminOK(t, map[string]any{"items": depts}),
		audit(adminUID1, 20):            adminOK(t, map[string]any{"items": changed}),
		"GET /api/v1/calendars":         adminOK(t, map[string]any{"items": []calendar.Calendar{adminCalendar()}}),
		"GET /api/v1/calendars/default": adminOK(t, adminCalendar()),
		"GET /api/v1/sla-policies": adminOK(t, map[string]any{"items": []map[string]any{
			{"policy": pol, "active": true, "created_at": created, "created_by": adminUID1},
			{"policy": older, "active": false, "created_at": created.Add(-time.Hour), "created_by": "someone-gone"}}}),
		"GET /api/v1/sla-policies/active": adminOK(t, pol),
	}}
}

// send posts a form (or GETs when form is nil) as the signed-in user without
// following redirects.
func adminSend(t *testing.T, srv *httptest.Server, method, path string, form url.Values, lang string) (*http.Response, string) {
	t.Helper()
	return do(t, srv, method, path, form, lang, true)
}

func adminNoMissing(t *testing.T, where, body string) {
	t.Helper()
	if strings.Contains(body, Missing) {
		t.Errorf("%s: untranslated %s", where, regexp.MustCompile(Missing+`[^⟧]*`).FindString(body))
	}
}

// calls counts the API calls with the method.
func adminCalls(f *fake, method string) int {
	n := 0
	for _, c := range f.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// adminLastCall is the last API call with the method.
func adminLastCall(f *fake, method string) *Call {
	for i := len(f.calls) - 1; i >= 0; i-- {
		if f.calls[i].Method == method {
			return &f.calls[i]
		}
	}
	return nil
}

func TestAdminPagesRenderInBothLanguages(t *testing.T) {
	f := adminFake(t, adminActor)
	srv := serve(f)
	defer srv.Close()
	pages := map[string][]string{
		"/admin":                       {`href="/admin/calendars/default"`, "v2"},
		"/admin/users":                 {`href="/admin/users/` + adminUID1 + `"`, "陈静", "<code>head</code>", "工程部", `class="admin-disabled"`, `href="/admin/users/new"`},
		"/admin/users/new":             {`action="/admin/users/new"`, `name="username"`, `name="roles" value="administrator"`, `name="password_confirm"`},
		"/admin/users/" + adminUID1:    {`action="/admin/users/` + adminUID1 + `"`, `name="roles" value="department_head" checked`, `action="/admin/users/` + adminUID1 + `/password"`},
		"/admin/departments":           {"工程部", "上海分公司", `href="/admin/users/` + adminUID1 + `"`, `action="/admin/departments"`},
		"/admin/departments/branch-sh": {`action="/admin/departments/branch-sh"`, `<option value="branch" selected>`, "赵旧"},
		"/admin/calendars":             {`href="/admin/calendars/default"`, "Asia/Shanghai", "37.5"},
		"/admin/calendars/default?year=2026": {"08:30–12:00, 13:30–17:30", "12:00–13:30", `action="/admin/calendars/default/years/2026"`,
			"2026-02-15~2026-02-23 春节", "2026-02-28 春节调休", `name="version" value="3"`},
		"/admin/sla-policies": {"v1", "v2", `name="policy"`, `action="/admin/sla-policies#editor"`},
	}
	for path, wants := range pages {
		for _, lang := range []string{"zh", "en"} {
			code, body := get(t, srv, path, lang)
			if code != http.StatusOK {
				t.Fatalf("%s %s: %d %s", lang, path, code, body)
			}
			adminNoMissing(t, lang+" "+path, body)
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s lacks %s", lang, path, w)
				}
			}
			if !strings.Contains(body, `<a href="/admin" aria-current="page">`) {
				t.Errorf("%s %s: the menu entry is not marked as current", lang, path)
			}
		}
	}
	_, zh := get(t, srv, "/admin/users", "zh")
	_, en := get(t, srv, "/admin/users", "en")
	for _, w := range []string{"系统管理", "部门负责人", "已停用", "2026-03-02 10:30 · admin"} {
		if !strings.Contains(zh, w) {
			t.Errorf("zh users lack %q", w)
		}
	}
	for _, w := range []string{"Administration", "Department head", "Disabled", "2026-01-05 09:00"} {
		if !strings.Contains(en, w) {
			t.Errorf("en users lack %q", w)
		}
	}
	_, user := get(t, srv, "/admin/users/"+adminUID1, "zh")
	if !strings.Contains(user, "修改资料、部门、角色或状态") {
		t.Error("the user's changes are not listed")
	}
}

func TestAdminIsForAdministratorsAndAuditorsRead(t *testing.T) {
	clerk := serve(adminFake(t, adminClerkActor))
	defer clerk.Close()
	if _, body := get(t, clerk, "/", "zh"); strings.Contains(body, `href="/admin"`) {
		t.Error("the clerk sees the administration menu entry")
	}
	for _, path := range []string{"/admin", "/admin/users", "/admin/calendars/default", "/admin/sla-policies"} {
		code, body := get(t, clerk, path, "en")
		if code != http.StatusForbidden || !strings.Contains(body, "You are not allowed") || !strings.Contains(body, "internal auditors may read") {
			t.Fatalf("clerk %s: %d %s", path, code, body)
		}
	}

	f := adminFake(t, adminAuditorActor)
	auditor := serve(f)
	defer auditor.Close()
	if _, body := get(t, auditor, "/", "zh"); !strings.Contains(body, `href="/admin"`) {
		t.Error("the auditor has no administration menu entry")
	}
	for _, path := range []string{"/admin", "/admin/users", "/admin/users/" + adminUID1, "/admin/departments", "/admin/departments/engineering",
		"/admin/calendars", "/admin/calendars/default", "/admin/sla-policies"} {
		code, body := get(t, auditor, path, "zh")
		if code != http.StatusOK {
			t.Fatalf("auditor %s: %d %s", path, code, body)
		}
		adminNoMissing(t, "auditor "+path, body)
		if strings.Contains(body, `method="post" action="/admin`) || strings.Contains(body, `href="/admin/users/new"`) {
			t.Errorf("auditor %s gets a form", path)
		}
	}
	n := len(f.calls)
	resp, body := adminSend(t, auditor, http.MethodPost, "/admin/users/new", url.Values{"username": {"x"}}, "zh")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "只有系统管理员可以修改") || len(f.calls) != n {
		t.Fatalf("auditor post: %d, %d calls, %s", resp.StatusCode, len(f.calls)-n, body)
	}
}

func TestAdminCreatesAUserAndKeepsValuesOnRefusal(t *testing.T) {
	f := adminFake(t, adminActor)
	f.api["POST /api/v1/users"] = Answer{Status: http.StatusCreated, Body: []byte(`{"id":"` + adminUID1 + `","username":"zhang"}`)}
	srv := serve(f)
	defer srv.Close()
	form := url.Values{"username": {" Zhang "}, "name": {"张三"}, "department": {"engineering"}, "roles": {"department_member", "intake_clerk"},
		"password": {"long-enough-1"}, "password_confirm": {"long-enough-1"}}
	resp, _ := adminSend(t, srv, http.MethodPost, "/admin/users/new", form, "zh")
	call := adminLastCall(f, http.MethodPost)
	want := `{"department":"engineering","disabled":false,"name":"张三","password":"long-enough-1","roles":["department_member","intake_clerk"],"username":"zhang"}`
	if resp.StatusCode != http.StatusSeeOther || call == nil || string(call.Body) != want ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/admin/users?done=user_created") {
		t.Fatalf("%d %s: %v", resp.StatusCode, resp.Header.Get("Location"), call)
	}

	// Mismatched passwords never reach the API.
	form.Set("password_confirm", "other")
	resp, body := adminSend(t, srv, http.MethodPost, "/admin/users/new", form, "zh")
	if resp.StatusCode != http.StatusBadRequest || adminCalls(f, http.MethodPost) != 1 ||
		!regexp.MustCompile(`name="password_confirm"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="password_confirm"[^>]*>两次输入的密码不一致`).MatchString(body) {
		t.Fatalf("mismatch: %d %d %s", resp.StatusCode, adminCalls(f, http.MethodPost), body)
	}

	// The API's refusal goes next to the field it names; what was typed stays.
	form.Set("password_confirm", "long-enough-1")
	f.api["POST /api/v1/users"] = Answer{Status: http.StatusConflict, Body: []byte(`{"error":"username zhang is taken","field":"username"}`)}
	for _, lang := range []string{"zh", "en"} {
		resp, body = adminSend(t, srv, http.MethodPost, "/admin/users/new", form, lang)
		adminNoMissing(t, lang, body)
		if resp.StatusCode != http.StatusConflict ||
			!regexp.MustCompile(`name="username" value="zhang"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="username" role="alert">[^<]*username zhang is taken`).MatchString(body) ||
			!strings.Contains(body, `value="张三"`) || !strings.Contains(body, `<option value="engineering" selected>`) ||
			!strings.Contains(body, `value="department_member" checked`) || !strings.Contains(body, `value="intake_clerk" checked`) ||
			strings.Contains(body, `value="administrator" checked`) {
			t.Fatalf("%s refusal: %d %s", lang, resp.StatusCode, body)
		}
	}
}

func TestAdminEditsAUser(t *testing.T) {
	f := adminFake(t, adminActor)
	f.api["PATCH /api/v1/users/"+adminUID1] = Answer{Status: http.StatusOK, Body: []byte(`{}`)}
	srv := serve(f)
	defer srv.Close()
	form := url.Values{"name": {"陈静"}, "department": {"engineering"}, "roles": {"department_head", "quality_department"}, "disabled": {"true"}}
	resp, _ := adminSend(t, srv, http.MethodPost, "/admin/users/"+adminUID1, form, "zh")
	call := adminLastCall(f, http.MethodPatch)
	if resp.StatusCode != http.StatusSeeOther || call == nil || call.Path != "/api/v1/users/"+adminUID1 ||
		string(call.Body) != `{"department":"engineering","disabled":true,"name":"陈静","roles":["department_head","quality_department"]}` {
		t.Fatalf("%d %v", resp.StatusCode, call)
	}

	f.api["PATCH /api/v1/users/"+adminUID1] = Answer{Status: http.StatusBadRequest, Body: []byte(`{"error":"roles: at least one role is required","field":"roles"}`)}
	form.Del("roles")
	form.Set("name", "陈静（改）")
	resp, body := adminSend(t, srv, http.MethodPost, "/admin/users/"+adminUID1, form, "en")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-field="roles" role="alert">`) ||
		!strings.Contains(body, "at least one role is required") || !strings.Contains(body, `value="陈静（改）"`) ||
		!strings.Contains(body, `name="disabled" value="true" checked`) || strings.Contains(body, `value="department_head" checked`) {
		t.Fatalf("refused edit: %d %s", resp.StatusCode, body)
	}
	adminNoMissing(t, "refused edit", body)

	// A short password: the API's words beside the password field.
	f.api["PUT /api/v1/users/"+adminUID1+"/password"] = Answer{Status: http.StatusBadRequest, Body: []byte(`{"error":"password must be at least 10 characters","field":"password"}`)}
	resp, body = adminSend(t, srv, http.MethodPost, "/admin/users/"+adminUID1+"/password", url.Values{"password": {"short"}, "password_confirm": {"short"}}, "zh")
	if resp.StatusCode != http.StatusBadRequest ||
		!regexp.MustCompile(`<span class="field-error" data-field="password" role="alert">[^<]*at least 10 characters`).MatchString(body) {
		t.Fatalf("password: %d %s", resp.StatusCode, body)
	}
	f.api["PUT /api/v1/users/"+adminUID1+"/password"] = Answer{Status: http.StatusNoContent}
	resp, _ = adminSend(t, srv, http.MethodPost, "/admin/users/"+adminUID1+"/password", url.Values{"password": {"long-enough-2"}, "password_confirm": {"long-enough-2"}}, "zh")
	if call := adminLastCall(f, http.MethodPut); resp.StatusCode != http.StatusSeeOther || string(call.Body) != `{"password":"long-enough-2"}` {
		t.Fatalf("password set: %d %s", resp.StatusCode, call.Body)
	}
	if code, _ := get(t, srv, "/admin/users/not-a-uuid", "zh"); code != http.StatusNotFound {
		t.Errorf("unknown user: %d", code)
	}
}

func TestAdminDepartments(t *testing.T) {
	f := adminFake(t, adminActor)
	f.api["PUT /api/v1/departments/quality"] = Answer{Status: http.StatusOK, Body: []byte(`{}`)}
	srv := serve(f)
	defer srv.Close()

	resp, body := adminSend(t, srv, http.MethodPost, "/admin/departments", url.Values{"id": {"engineering"}, "name": {"工程二部"}, "kind": {"hq"}}, "zh")
	if resp.StatusCode != http.StatusConflict || adminCalls(f, http.MethodPut) != 0 ||
		!strings.Contains(body, `data-field="id"`) || !strings.Contains(body, `value="工程二部"`) {
		t.Fatalf("taken ID: %d %s", resp.StatusCode, body)
	}
	resp, _ = adminSend(t, srv, http.MethodPost, "/admin/departments", url.Values{"id": {"quality"}, "name": {"品质部"}, "kind": {"hq"}}, "zh")
	if call := adminLastCall(f, http.MethodPut); resp.StatusCode != http.StatusSeeOther || string(call.Body) != `{"id":"quality","kind":"hq","name":"品质部"}` {
		t.Fatalf("new: %d %v", resp.StatusCode, call)
	}

	f.api["PUT /api/v1/departments/branch-sh"] = Answer{Status: http.StatusBadRequest, Body: []byte(`{"error":"kind: must be hq or branch","field":"kind"}`)}
	resp, body = adminSend(t, srv, http.MethodPost, "/admin/departments/branch-sh", url.Values{"name": {"上海分公司（新）"}, "kind": {"region"}}, "en")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-field="kind"`) || !strings.Contains(body, `value="上海分公司（新）"`) {
		t.Fatalf("edit refused: %d %s", resp.StatusCode, body)
	}
	_, list := get(t, srv, "/admin/departments", "zh")
	// The disabled branch head neither adminLeads nor counts.
	if !regexp.MustCompile(`id="d-branch-sh">[\s\S]*?未指定[\s\S]*?>0</a>`).MatchString(list) {
		t.Errorf("branch row: %s", list)
	}
}

func TestAdminParseYear(t *testing.T) {
	y, herrs, werrs := adminParseYear("zh", 2027, "# 2027 年\n2027-01-01 元旦\n2027-02-06 ~ 2027-02-13 春节\r\n2027/10/1至2027/10/7 国庆节\n",
		"2027-02-14 春节调休\n\n2027-09-26 国庆节调休\n")
	if len(herrs)+len(werrs) > 0 {
		t.Fatal(herrs, werrs)
	}
	b, _ := json.Marshal(y)
	want := `{"year":2027,"holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"},{"name":"春节","from":"2027-02-06","to":"2027-02-13"},` +
		`{"name":"国庆节","from":"2027-10-01","to":"2027-10-07"}],"workdays":[{"name":"春节调休","date":"2027-02-14"},{"name":"国庆节调休","date":"2027-09-26"}]}`
	if string(b) != want {
		t.Fatalf("got %s", b)
	}
	if err := y.Validate(); err != nil {
		t.Fatal(err)
	}

	_, herrs, werrs = adminParseYear("en", 2027, "2027-01-01\n2027-13-01 x\n2026-12-31 除夕\n2027-02-13~2027-02-06 春节\nspring festival\n2027-05-01~2027-05-05 劳动节",
		"2027-05-02 劳动节调休\n2027-04-25 a\n2027-04-25 b\n2027-04-26")
	wantH := []string{"Line 1: give a name", "Line 2: dates are written like", "Line 3: the date is not in 2027", "Line 4: the range ends before it starts",
		`Line 5: write "date name" or "from~to name", not "spring festival"`}
	wantW := []string{"Line 1: 2027-05-02 is already a holiday (劳动节)", "Line 3: 2027-04-25 is given twice", "Line 4: give a name"}
	adminCheck := func(got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %q", got)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("got %q, want %q…", got[i], want[i])
			}
		}
	}
	adminCheck(herrs, wantH)
	adminCheck(werrs, wantW)
}

func TestAdminCalendarMonthViewAndYearForm(t *testing.T) {
	f := adminFake(t, adminActor)
	srv := serve(f)
	defer srv.Close()
	_, body := get(t, srv, "/admin/calendars/default?year=2026", "zh")
	for _, w := range []string{
		`<td class="admin-day holiday" title="春节">16</td>`, // a Monday off
		`<td class="admin-day makeup" title="春节调休">28</td>`,
		`<td class="admin-day rest">14</td>`, // a Saturday
		`<td class="admin-day work">2</td>`,
		"2/15–2/23 春节（放假）", "2/28 春节调休（上班）",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("month view lacks %s", w)
		}
	}
	// February 2026 starts on a Sunday: six blank cells before it.
	if !regexp.MustCompile(`<caption>2 月</caption>[\s\S]*?<tbody><tr>(<td></td>){6}<td class="admin-day rest">1</td>`).MatchString(body) {
		t.Error("February is not laid out Monday first")
	}
	if code, body := get(t, srv, "/admin/calendars/nowhere", "zh"); code != http.StatusNotFound || !strings.Contains(body, "找不到该记录") {
		t.Errorf("unknown calendar: %d %s", code, body)
	}
	_, empty := get(t, srv, "/admin/calendars/default?year=2031", "zh")
	if !strings.Contains(empty, "还没有 2031 年的节假日安排") {
		t.Error("a year without holidays is not flagged")
	}

	f.api["PUT /api/v1/calendars/default/years/2027"] = adminOK(t, adminCalendar())
	form := url.Values{"version": {"3"}, "holidays": {"2027-01-01 元旦\n2027-02-06~2027-02-13 春节"}, "workdays": {"2027-02-14 春节调休"}}
	resp, _ := adminSend(t, srv, http.MethodPost, "/admin/calendars/default/years/2027", form, "zh")
	call := adminLastCall(f, http.MethodPut)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/calendars/default?year=2027&done=year_saved" ||
		string(call.Body) != `{"year":2027,"holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"},{"name":"春节","from":"2027-02-06","to":"2027-02-13"}],"workdays":[{"name":"春节调休","date":"2027-02-14"}]}` {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Header.Get("Location"), call)
	}

	// Mistakes come back by line, with the text kept, and nothing is sent.
	form.Set("holidays", "2027-01-01 元旦\n2027-02-31 春节")
	resp, body = adminSend(t, srv, http.MethodPost, "/admin/calendars/default/years/2027", form, "zh")
	if resp.StatusCode != http.StatusBadRequest || adminCalls(f, http.MethodPut) != 1 ||
		!strings.Contains(body, `<span class="field-error" data-field="holidays" role="alert">第 2 行：日期应写成`) ||
		!strings.Contains(body, "2027-02-31 春节</textarea>") {
		t.Fatalf("line errors: %d, %d calls: %s", resp.StatusCode, adminCalls(f, http.MethodPut), body)
	}

	// A form read at an older version is not saved over a newer calendar.
	form.Set("version", "2")
	resp, body = adminSend(t, srv, http.MethodPost, "/admin/calendars/default/years/2027", form, "en")
	if resp.StatusCode != http.StatusConflict || adminCalls(f, http.MethodPut) != 1 || !strings.Contains(body, "version 2 → 3") ||
		!strings.Contains(body, `name="version" value="3"`) || !strings.Contains(body, "2027-02-31 春节</textarea>") {
		t.Fatalf("stale: %d %s", resp.StatusCode, body)
	}
}

func TestAdminDeadlineCalculator(t *testing.T) {
	f := adminFake(t, adminActor)
	q := url.Values{"start": {"2026-02-13T16:00:00+08:00"}, "duration": {"8h0m0s"}}
	f.api["GET /api/v1/calendars/default/due?"+q.Encode()] = adminOK(t, map[string]any{"due": "2026-02-24T16:30:00+08:00"})
	srv := serve(f)
	defer srv.Close()
	code, body := get(t, srv, "/admin/calendars/default?start=2026-02-13T16:00&hours=8", "zh")
	if code != http.StatusOK || !strings.Contains(body, "<strong data-due>2026-02-24 16:30 星期二</strong>") || !strings.Contains(body, "自然时间 264.5 小时") {
		t.Fatalf("%d %s", code, body)
	}
	q.Set("duration", "-1h0m0s")
	f.api["GET /api/v1/calendars/default/due?"+q.Encode()] = Answer{Status: http.StatusBadRequest,
		Body: []byte(`{"error":"duration must be a non-negative Go duration such as 8h or 90m","field":"duration"}`)}
	code, body = get(t, srv, "/admin/calendars/default?start=2026-02-13T16:00&hours=-1", "en")
	if code != http.StatusBadRequest || !regexp.MustCompile(`data-field="duration" role="alert">[^<]*non-negative`).MatchString(body) ||
		!strings.Contains(body, `name="hours" value="-1"`) {
		t.Fatalf("%d %s", code, body)
	}
	code, body = get(t, srv, "/admin/calendars/default?start=tomorrow&hours=x", "en")
	if code != http.StatusBadRequest || !strings.Contains(body, `data-field="start"`) || !strings.Contains(body, "Enter the working hours") {
		t.Fatalf("%d %s", code, body)
	}
}

func TestAdminPolicyViewResolvesEveryClassAndSeverity(t *testing.T) {
	p := complaint.DefaultPolicy()
	p.SLARules = append([]complaint.SLARule{{Step: complaint.StepValidation, Classes: []complaint.ComplainantClass{complaint.ClassA},
		Severities: []complaint.Severity{complaint.SeverityMajor, complaint.SeverityExtraordinary}, Target: complaint.Duration(2 * time.Hour),
		Clock: complaint.ClockWorking, WarnAt: 0.5,
		Escalation: []complaint.EscalationRule{{Level: complaint.LevelGeneralManager, Notify: []string{"general_manager", "quality"}}}}}, p.SLARules...)
	v := adminViewPolicy("zh", p, map[string]string{"quality": "品质部"})
	if len(v.Steps) != len(complaint.ActionSteps) {
		t.Fatal(len(v.Steps))
	}
	val := v.Steps[0]
	if val.Step != complaint.StepValidation || len(val.Variants) != 2 {
		t.Fatalf("%+v", val)
	}
	usual, strict := val.Variants[0], val.Variants[1]
	if strict.Scope != "A 类: 重大、特别重大" || strict.Limit != "2 小时" || strict.Warn != "50.0%" || strict.Clock != "工作时间" ||
		strict.Chain == nil || len(strict.Chain.Links) != 1 || strings.Join(strict.Chain.Links[0].Notify, ",") != "总经理,品质部" ||
		strict.Chain.Links[0].After != "到期即升级" {
		t.Errorf("strict: %+v", strict)
	}
	if usual.Scope != "A 类: 无、轻微、较小、一般、较大；B 类、C 类、未分类: 任何严重程度" || usual.Limit != "8 小时" || usual.Chain != nil {
		t.Errorf("usual: %+v", usual)
	}
	if len(v.Chain.Links) != 3 || v.Chain.Links[1].After != "超期 4 小时后" || v.Chain.Links[1].Level != "总部市场部" {
		t.Errorf("default chain: %+v", v.Chain)
	}
	if strings.Join(v.Thresholds[:2], "|") != "特别重大：损失 ≥ 1,000,000 元|重大：损失 ≥ 500,000 元" {
		t.Errorf("thresholds: %q", v.Thresholds)
	}
	if adminMoney(1234.5) != "1,234.5" || adminMoney(999) != "999" || adminMoney(-1000) != "-1,000" {
		t.Error("money", adminMoney(1234.5), adminMoney(999), adminMoney(-1000))
	}
	cb := v.Steps[6]
	if cb.Step != complaint.StepCallback || len(cb.Variants) != 1 || cb.Variants[0].Scope != "所有投诉" || cb.Variants[0].Clock != "自然时间" ||
		cb.Variants[0].Limit != "24 小时" {
		t.Errorf("callback: %+v", cb)
	}
	// A step no rule matches counts its step limit on the clock.
	p.SLARules = nil
	if r := adminViewPolicy("en", p, nil).Steps[2].Variants[0]; r.Clock != "calendar time" || r.Limit != "48 h" || r.Warn != "—" {
		t.Errorf("fallback: %+v", r)
	}
}

func TestAdminAddsAPolicyVersion(t *testing.T) {
	f := adminFake(t, adminActor)
	f.api["POST /api/v1/sla-policies"] = Answer{Status: http.StatusCreated, Body: []byte(`{}`)}
	srv := serve(f)
	defer srv.Close()

	_, page := get(t, srv, "/admin/sla-policies?version=v1", "zh")
	draft := regexp.MustCompile(`(?s)<textarea name="policy"[^>]*>(.*?)</textarea>`).FindStringSubmatch(page)
	if draft == nil || strings.Contains(draft[1], `&#34;version&#34;`) || !strings.Contains(draft[1], `&#34;number_prefix&#34;: &#34;TS&#34;`) {
		t.Fatalf("the editor is not the policy without its version: %v", draft)
	}
	if !strings.Contains(page, "版本 v1") || !strings.Contains(page, "历史版本") || !strings.Contains(page, "陈静") || !strings.Contains(page, "someone-gone") {
		t.Error("the chosen version or the creators are not shown")
	}

	resp, _ := adminSend(t, srv, http.MethodPost, "/admin/sla-policies", url.Values{"version": {"v3"}, "policy": {`{"number_prefix": "KS", "version": "ignored"}`}}, "zh")
	call := adminLastCall(f, http.MethodPost)
	if resp.StatusCode != http.StatusSeeOther || string(call.Body) != `{"number_prefix":"KS","version":"v3"}` {
		t.Fatalf("%d %v", resp.StatusCode, call)
	}

	// Broken JSON is shown by line and column, and never sent.
	resp, body := adminSend(t, srv, http.MethodPost, "/admin/sla-policies", url.Values{"version": {"v3"}, "policy": {"{\n  \"number_prefix\": \"KS\",\n  oops\n}"}}, "zh")
	if resp.StatusCode != http.StatusBadRequest || adminCalls(f, http.MethodPost) != 1 || !strings.Contains(body, "第 3 行第 3 列附近") ||
		!strings.Contains(body, "  oops\n}</textarea>") {
		t.Fatalf("syntax: %d %s", resp.StatusCode, body)
	}

	// The API's validation names the rule; the console says which it is.
	f.api["POST /api/v1/sla-policies"] = Answer{Status: http.StatusBadRequest, Body: []byte(`{"error":"sla[1]: target must be positive"}`)}
	policy := `{"sla": [{"step": "validation", "target": "8h", "clock": "working"}, {"step": "callback", "target": "0s", "clock": "calendar"}]}`
	resp, body = adminSend(t, srv, http.MethodPost, "/admin/sla-policies", url.Values{"version": {"v3"}, "policy": {policy}}, "zh")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "问题所在：sla[1]（第 2 条时限规则，步骤：回访）") ||
		!strings.Contains(body, "target must be positive") || !strings.Contains(body, `name="version" value="v3"`) {
		t.Fatalf("validation: %d %s", resp.StatusCode, body)
	}
	f.api["POST /api/v1/sla-policies"] = Answer{Status: http.StatusConflict, Body: []byte(`{"error":"policy version v2 already exists","field":"version"}`)}
	resp, body = adminSend(t, srv, http.MethodPost, "/admin/sla-policies", url.Values{"version": {"v2"}, "policy": {"{}"}}, "en")
	if resp.StatusCode != http.StatusConflict || !regexp.MustCompile(`data-field="version" role="alert">[^<]*already exists`).MatchString(body) {
		t.Fatalf("taken version: %d %s", resp.StatusCode, body)
	}
	adminNoMissing(t, "policy refusal", body)
}

func TestAdminRuleForm(t *testing.T) {
	f := adminFake(t, adminActor)
	f.api["POST /api/v1/sla-policies"] = Answer{Status: http.StatusCreated, Body: []byte(`{}`)}
	srv := serve(f)
	defer srv.Close()
	for _, lang := range []string{"zh", "en"} {
		code, body := get(t, srv, "/admin/sla-policies/rules", lang)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", lang, code, body)
		}
		adminNoMissing(t, "rules "+lang, body)
		n := len(complaint.DefaultPolicy().SLARules)
		for _, w := range []string{`name="base" value="v2"`, `name="rows" value="` + strconv.Itoa(n+adminNewRuleRows) + `"`,
			`<option value="validation" selected>`, `name="rule.0.hours" value="8"`, `name="rule.0.warn" value="80"`,
			`name="rule.6.clock"`, `<option value="calendar" selected>`, `name="rule.` + strconv.Itoa(n+2) + `.order" value="` + strconv.Itoa(n+3) + `"`} {
			if !strings.Contains(body, w) {
				t.Errorf("%s: rules form lacks %s", lang, w)
			}
		}
	}

	// A particular rule placed first, a deleted one gone, an empty row ignored.
	form := url.Values{"base": {"v1"}, "version": {"v3"}, "rows": {"4"},
		"rule.0.order": {"2"}, "rule.0.step": {"validation"}, "rule.0.hours": {"8"}, "rule.0.clock": {"working"}, "rule.0.warn": {"80"},
		"rule.1.order": {"1"}, "rule.1.step": {"validation"}, "rule.1.classes": {"A"}, "rule.1.severities": {"major", "extraordinary"},
		"rule.1.hours": {"1.5"}, "rule.1.clock": {"calendar"}, "rule.1.warn": {"50"},
		"rule.1.escalation": {`[{"level":"general_manager","after":"0s","notify":["quality"]}]`},
		"rule.2.order":      {"3"}, "rule.2.step": {"review"}, "rule.2.hours": {"22.5"}, "rule.2.clock": {"working"}, "rule.2.delete": {"true"},
		"rule.3.order": {"4"}, "rule.3.clock": {"working"}, "rule.3.warn": {"80"}}
	resp, _ := adminSend(t, srv, http.MethodPost, "/admin/sla-policies/rules", form, "zh")
	call := adminLastCall(f, http.MethodPost)
	if resp.StatusCode != http.StatusSeeOther || call == nil {
		t.Fatalf("%d %v", resp.StatusCode, call)
	}
	var sent struct {
		Version      string              `json:"version"`
		NumberPrefix string              `json:"number_prefix"`
		SLA          []complaint.SLARule `json:"sla"`
	}
	if err := json.Unmarshal(call.Body, &sent); err != nil {
		t.Fatal(err)
	}
	want := []complaint.SLARule{
		{Step: complaint.StepValidation, Classes: []complaint.ComplainantClass{complaint.ClassA},
			Severities: []complaint.Severity{complaint.SeverityMajor, complaint.SeverityExtraordinary},
			Target:     complaint.Duration(90 * time.Minute), Clock: complaint.ClockCalendar, WarnAt: 0.5,
			Escalation: []complaint.EscalationRule{{Level: complaint.LevelGeneralManager, Notify: []string{"quality"}}}},
		{Step: complaint.StepValidation, Target: complaint.Duration(8 * time.Hour), Clock: complaint.ClockWorking, WarnAt: 0.8},
	}
	if sent.Version != "v3" || sent.NumberPrefix != "TS" || string(adminJSON(t, sent.SLA)) != string(adminJSON(t, want)) {
		t.Fatalf("sent %s", call.Body)
	}

	// The API's complaint about a rule lands on its row, counted after sorting.
	f.api["POST /api/v1/sla-policies"] = Answer{Status: http.StatusBadRequest, Body: []byte(`{"error":"sla[1]: warn_at must be at least 0 and below 1"}`)}
	form.Set("rule.0.warn", "100")
	resp, body := adminSend(t, srv, http.MethodPost, "/admin/sla-policies/rules", form, "en")
	if resp.StatusCode != http.StatusBadRequest ||
		!regexp.MustCompile(`<tr id="rule-1" class="invalid">[\s\S]*?data-field="rule.1" role="alert">[^<]*warn_at must be`).MatchString(body) ||
		!strings.Contains(body, `name="rule.1.warn" value="100"`) || !regexp.MustCompile(`name="version"[^>]*value="v3"`).MatchString(body) {
		t.Fatalf("row error: %d %s", resp.StatusCode, body)
	}
	adminNoMissing(t, "row error", body)

	// A limit that is not a number never reaches the API.
	posts := adminCalls(f, http.MethodPost)
	form.Set("rule.0.hours", "eight")
	resp, body = adminSend(t, srv, http.MethodPost, "/admin/sla-policies/rules", form, "zh")
	if resp.StatusCode != http.StatusBadRequest || adminCalls(f, http.MethodPost) != posts || !strings.Contains(body, "时限应是小时数") {
		t.Fatalf("bad hours: %d %s", resp.StatusCode, body)
	}

	auditor := serve(adminFake(t, adminAuditorActor))
	defer auditor.Close()
	if code, _ := get(t, auditor, "/admin/sla-policies/rules", "zh"); code != http.StatusForbidden {
		t.Errorf("auditor rules form: %d", code)
	}
}

func TestAdminCalendarSummaryFlagsMissingYears(t *testing.T) {
	cal := adminCalendar()
	at := func(y, m int) []int {
		return adminSummarise("zh", cal, time.Date(y, time.Month(m), 15, 12, 0, 0, 0, time.UTC)).Missing
	}
	if got := at(2026, 10); len(got) != 0 {
		t.Errorf("October 2026: %v", got)
	}
	if got := at(2026, 11); len(got) != 1 || got[0] != 2027 {
		t.Errorf("November 2026: %v", got)
	}
	if got := at(2027, 3); len(got) != 1 || got[0] != 2027 {
		t.Errorf("March 2027: %v", got)
	}
	s := adminSummarise("en", cal, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if s.Days != "Monday, Tuesday, Wednesday, Thursday, Friday" || s.Weekly != "37.5" {
		t.Errorf("%+v", s)
	}
}

func TestAdminCalendarHistoryNamesUsersAndReleases(t *testing.T) {
	f := adminFake(t, adminActor)
	f.api["GET /api/v1/calendars/default/versions"] = adminOK(t, map[string]any{"items": []map[string]any{
		{"version": 3, "created_at": time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC), "created_by": adminUID1, "years": []int{2026}},
		{"version": 2, "created_at": time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC), "created_by": "release 2026-12 (shipped holidays 2026, 2027)", "years": []int{2026, 2027}},
	}})
	srv := serve(f)
	defer srv.Close()
	_, zh := get(t, srv, "/admin/calendars/default?year=2026", "zh")
	for _, w := range []string{"修改记录", "<td>陈静</td>", "系统版本发布时随附：2026-12 (shipped holidays 2026, 2027)", "<td>2026, 2027</td>"} {
		if !strings.Contains(zh, w) {
			t.Errorf("zh history lacks %q", w)
		}
	}
	adminNoMissing(t, "history zh", zh)
	_, en := get(t, srv, "/admin/calendars/default?year=2026", "en")
	if !strings.Contains(en, "Shipped with release 2026-12") {
		t.Error("en history lacks the release")
	}
	// Without the history (an older API, a failure) the page still works.
	delete(f.api, "GET /api/v1/calendars/default/versions")
	if code, body := get(t, srv, "/admin/calendars/default?year=2026", "zh"); code != http.StatusOK || strings.Contains(body, "修改记录") {
		t.Errorf("no history: %d", code)
	}
}

func TestAdminOwnPasswordAsksForTheCurrentOne(t *testing.T) {
	own := adminActor
	own.ID = adminUID1 // the administrator editing their own account
	f := adminFake(t, own)
	srv := serve(f)
	defer srv.Close()
	_, body := get(t, srv, "/admin/users/"+adminUID1, "zh")
	if !strings.Contains(body, `name="current_password"`) || !strings.Contains(body, "当前密码") {
		t.Fatal("own account: no current-password field")
	}
	if _, other := get(t, srv, "/admin/users/"+adminUID2, "zh"); strings.Contains(other, `name="current_password"`) {
		t.Error("another user's account asks for the current password")
	}
	f.api["PUT /api/v1/users/"+adminUID1+"/password"] = Answer{Status: http.StatusForbidden, Body: []byte(`{"error":"current_password is wrong"}`)}
	resp, body := adminSend(t, srv, http.MethodPost, "/admin/users/"+adminUID1+"/password",
		url.Values{"current_password": {"guess"}, "password": {"long-enough-3"}, "password_confirm": {"long-enough-3"}}, "zh")
	if call := adminLastCall(f, http.MethodPut); string(call.Body) != `{"current_password":"guess","password":"long-enough-3"}` {
		t.Errorf("sent %s", call.Body)
	}
	if resp.StatusCode != http.StatusBadRequest ||
		!regexp.MustCompile(`<span class="field-error" data-field="current_password" role="alert">[^<]*current_password is wrong`).MatchString(body) {
		t.Fatalf("wrong current password: %d %s", resp.StatusCode, body)
	}
	adminNoMissing(t, "own password", body)
}
