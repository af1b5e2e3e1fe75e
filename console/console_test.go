package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

const cid = "0b8f1c7e-5d0a-4e0b-9d7c-1a2b3c4d5e6f"

type fake struct {
	actor   complaint.Actor
	c       complaint.Complaint
	sent    string
	key     string
	refusal *Refusal
	// api answers API calls by "METHOD path"; calls keeps what was asked.
	api   map[string]Answer
	calls []Call
	// open, when set, is the open list instead of c alone.
	open []complaint.Complaint
	// steps is what 我的待办 last asked Open for.
	steps []complaint.Step
}

func (f *fake) API(_ *gin.Context, call Call) Answer {
	f.calls = append(f.calls, call)
	if a, ok := f.api[call.Method+" "+call.Path]; ok {
		return a
	}
	// 我的待办 asks for open improvement actions; none unless a test says so.
	if call.Method == http.MethodGet && strings.HasPrefix(call.Path, "/api/v1/improvement-actions?") {
		return Answer{Status: http.StatusOK, Body: []byte(`{"items":[]}`)}
	}
	return Answer{Status: http.StatusNotFound, Body: []byte(`{"error":"no such endpoint: ` + call.Method + " " + call.Path + `"}`)}
}

func (f *fake) SignIn(c *gin.Context, u, p string) error {
	if p != "right" {
		return ErrBadLogin
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: "s", Value: u, Path: "/"})
	return nil
}
func (f *fake) SignOut(*gin.Context) {}
func (f *fake) Who(c *gin.Context) (User, bool, error) {
	if _, err := c.Cookie("s"); err != nil {
		return User{}, false, nil
	}
	return User{Name: "李强", Actor: f.actor}, true, nil
}

func sample(step complaint.Step) complaint.Complaint {
	due := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	at := due.Add(-time.Hour)
	return complaint.Complaint{
		ID: cid, Number: "TS-2026-0001", Status: step, Subject: "空调不制冷", Description: "描述",
		Customer: complaint.Customer{Name: "刘先生", Contact: "138"}, Channel: complaint.ChannelPhone,
		Category: complaint.CategoryServiceQuality, Severity: complaint.SeverityGeneral, Department: "engineering",
		DueAt: &due, SLAStatus: complaint.SLAAtRisk, EscalationLevel: complaint.LevelDepartmentHead,
		ApprovalsRequired: []complaint.Level{complaint.LevelDepartmentHead, complaint.LevelMarketDepartment},
		Approvals:         []complaint.ApprovalRecord{{Level: complaint.LevelDepartmentHead, Approved: true, By: complaint.Actor{Name: "陈静"}, At: at}},
		Timeline: []complaint.Event{{At: at, Step: complaint.StepRecord, Action: complaint.ActionRecorded, Actor: complaint.Actor{Name: "王芳"}},
			{At: at, Step: step, Action: complaint.ActionEscalated, Actor: complaint.SystemActor}},
		Escalations: []complaint.Escalation{{Step: step, Level: complaint.LevelDepartmentHead, At: at, DueAt: due, Reason: complaint.ReasonOverdue}},
		Deadlines:   []complaint.Deadline{{Step: step, StartedAt: at, DueAt: due, SLAStatus: complaint.SLAAtRisk}},
	}
}

var market = complaint.Actor{ID: "m", Name: "李强", Roles: []org.Role{org.RoleMarketDepartment, org.RoleDepartmentHead, org.RoleGeneralManager,
	org.RoleDepartmentMember, org.RoleIntakeClerk}, Department: "engineering"}

func serve(f *fake) *httptest.Server {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	cs := New(f, f, nil)
	mountPages(r, cs)
	return httptest.NewServer(r)
}

// mountPages registers the console's pages as the server does, with no API
// routes beside them.
func mountPages(r *gin.Engine, cs *Console) {
	for _, p := range cs.Pages() {
		r.Handle(p.Method, p.Path, p.Handlers...)
	}
	r.NoRoute(func(c *gin.Context) { c.String(http.StatusNotFound, "not a page") })
}

func get(t *testing.T, srv *httptest.Server, path, lang string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "s", Value: "market"})
	req.AddCookie(&http.Cookie{Name: LangCookie, Value: lang})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if csp := resp.Header.Get("Content-Security-Policy"); csp != CSP {
		t.Errorf("%s: CSP %q", path, csp)
	}
	return resp.StatusCode, string(b)
}

func TestTranslationsHaveTheSameKeys(t *testing.T) {
	for k := range messages["zh"] {
		if _, ok := messages["en"][k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
	for k := range messages["en"] {
		if _, ok := messages["zh"][k]; !ok {
			t.Errorf("zh lacks %q", k)
		}
	}
	// Every enumerated value the pages show has its words.
	var keys []string
	for _, s := range append([]complaint.Step{complaint.StepRecord, complaint.StepClosed}, complaint.ActionSteps...) {
		keys = append(keys, "step."+string(s))
	}
	for _, l := range complaint.Levels {
		keys = append(keys, "level."+string(l))
	}
	for _, c := range complaint.CauseTypes {
		keys = append(keys, "cause."+string(c))
	}
	for _, r := range complaint.Resolutions {
		keys = append(keys, "resolution."+string(r))
	}
	for _, s := range []complaint.SLAStatus{complaint.SLAOnTrack, complaint.SLAAtRisk, complaint.SLABreached} {
		keys = append(keys, "sla."+string(s))
	}
	for _, lang := range []string{"zh", "en"} {
		for _, k := range keys {
			if _, ok := messages[lang][k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

func TestPagesRenderInBothLanguages(t *testing.T) {
	for _, step := range complaint.ActionSteps {
		f := &fake{actor: market, c: sample(step)}
		srv := serve(f)
		for _, lang := range []string{"zh", "en"} {
			for _, path := range []string{"/", "/complaints/" + cid, "/login"} {
				code, body := get(t, srv, path, lang)
				if code != http.StatusOK {
					t.Fatalf("%s %s %s: %d", step, lang, path, code)
				}
				if strings.Contains(body, Missing) {
					t.Errorf("%s %s %s: untranslated %s", step, lang, path, regexp.MustCompile(Missing+`[^⟧]*`).FindString(body))
				}
			}
			_, body := get(t, srv, "/complaints/"+cid, lang)
			if !strings.Contains(body, `action="/complaints/`+cid+`/`+string(step)+`"`) {
				t.Errorf("%s %s: no form for the step", step, lang)
			}
		}
		srv.Close()
	}
}

func TestWorkListShowsSLAAndShanghaiTime(t *testing.T) {
	srv := serve(&fake{actor: market, c: sample(complaint.StepValidation)})
	defer srv.Close()
	_, zh := get(t, srv, "/", "zh")
	for _, want := range []string{"我的待办", "TS-2026-0001", "判定投诉", "预警", "2026-03-02 09:00", "部门经理"} {
		if !strings.Contains(zh, want) {
			t.Errorf("zh page lacks %q", want)
		}
	}
	_, en := get(t, srv, "/", "en")
	for _, want := range []string{"My work", "Validation", "At risk", "2026-03-02 09:00"} {
		if !strings.Contains(en, want) {
			t.Errorf("en page lacks %q", want)
		}
	}
}

func TestFormIsShownOnlyToThoseAllowed(t *testing.T) {
	engineer := complaint.Actor{ID: "e", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	srv := serve(&fake{actor: engineer, c: sample(complaint.StepValidation)})
	defer srv.Close()
	_, body := get(t, srv, "/complaints/"+cid, "zh")
	if strings.Contains(body, "/validation\"") {
		t.Error("the engineer sees the validation form")
	}
	_, body = get(t, srv, "/", "zh")
	if strings.Contains(body, "TS-2026-0001") {
		t.Error("the engineer's work list holds the validation")
	}
}

func TestSubmitSendsJSONAndShowsRefusals(t *testing.T) {
	f := &fake{actor: market, c: sample(complaint.StepPlan)}
	srv := serve(f)
	defer srv.Close()
	post := func(form url.Values) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/complaints/"+cid+"/plan", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "s", Value: "market"})
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, _ := post(url.Values{"plan": {"上门更换"}, "due_at": {"2026-03-05T17:00"}, "idempotency_key": {"k-plan"}})
	if resp.StatusCode != http.StatusSeeOther || f.sent != `{"due_at":"2026-03-05T17:00:00+08:00","plan":"上门更换"}` || f.key != "k-plan" {
		t.Fatalf("status %d, sent %s with key %q", resp.StatusCode, f.sent, f.key)
	}
	f.refusal = &Refusal{Status: http.StatusConflict, Message: "complaint is at approval, not plan"}
	resp, body := post(url.Values{"plan": {"再来一次"}, "idempotency_key": {"k-plan"}})
	// The form shown again carries a new key: the corrected submission is a new request.
	if m := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(body); m == nil || m[1] == "k-plan" {
		t.Errorf("the refused form's key: %v", m)
	}
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "投诉当前的状态不允许此操作") ||
		!strings.Contains(body, "complaint is at approval, not plan") || !strings.Contains(body, "再来一次") {
		t.Fatalf("refusal page %d: %s", resp.StatusCode, body)
	}
	// Another site's form is refused.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/complaints/"+cid+"/plan", strings.NewReader("plan=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.AddCookie(&http.Cookie{Name: "s", Value: "market"})
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", r2.StatusCode)
	}
}

func TestSignedOutGoesToLogin(t *testing.T) {
	srv := serve(&fake{actor: market, c: sample(complaint.StepValidation)})
	defer srv.Close()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(srv.URL + "/complaints/" + cid)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = c.PostForm(srv.URL+"/login", url.Values{"username": {"market"}, "password": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), "用户名或密码错误") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	if safeNext("//evil.example") != "/" || safeNext("/complaints/x") != "/complaints/x" {
		t.Fatal("safeNext")
	}
}

func TestIntakeFormRendersInBothLanguages(t *testing.T) {
	srv := serve(&fake{actor: market, c: sample(complaint.StepValidation)})
	defer srv.Close()
	for _, lang := range []string{"zh", "en"} {
		code, body := get(t, srv, "/complaints/new", lang)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", lang, code)
		}
		if strings.Contains(body, Missing) {
			t.Errorf("%s: untranslated %s", lang, regexp.MustCompile(Missing+`[^⟧]*`).FindString(body))
		}
		for _, want := range []string{`action="/complaints/new"`, `name="customer.contact"`, `<option value="branch-sh">上海分公司</option>`,
			`name="idempotency_key" value="`, `<option value="phone">`, `<option value="A">`, `href="/complaints/new"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: form lacks %s", lang, want)
			}
		}
		if strings.Contains(body, `<option value="engineering">`) {
			t.Errorf("%s: a head-office department is offered as a branch", lang)
		}
	}
	_, zh := get(t, srv, "/complaints/new", "zh")
	_, en := get(t, srv, "/complaints/new", "en")
	for _, want := range []string{"投诉登记", "联系方式", "电话", "服务质量投诉"} {
		if !strings.Contains(zh, want) {
			t.Errorf("zh lacks %q", want)
		}
	}
	for _, want := range []string{"Record a complaint", "Contact", "phone", "service quality"} {
		if !strings.Contains(en, want) {
			t.Errorf("en lacks %q", want)
		}
	}
}

func TestIntakeSendsJSONAndShowsFieldErrors(t *testing.T) {
	f := &fake{actor: market, c: sample(complaint.StepValidation)}
	srv := serve(f)
	defer srv.Close()
	post := func(form url.Values, lang string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/complaints/new", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "s", Value: "market"})
		req.AddCookie(&http.Cookie{Name: LangCookie, Value: lang})
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	form := url.Values{"customer.name": {"刘先生"}, "customer.contact": {"138"}, "channel": {"phone"}, "category": {"contract"},
		"subject": {"空调"}, "description": {"不制冷"}, "estimated_loss": {"12.5"}, "branch": {"branch-sh"},
		"received_at": {"2026-03-01T09:30"}, "idempotency_key": {"k-1"}}
	resp, _ := post(form, "zh")
	want := `{"branch":"branch-sh","category":"contract","channel":"phone","customer":{"contact":"138","name":"刘先生","organisation":""},` +
		`"description":"不制冷","estimated_loss":12.5,"received_at":"2026-03-01T09:30:00+08:00","subject":"空调"}`
	// The page hands the operation a complaint.Intake: compare as one.
	var in complaint.Intake
	if err := json.Unmarshal([]byte(want), &in); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(in)
	want = string(b)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/complaints/"+cid+"?done=record" || f.sent != want || f.key != "k-1" {
		t.Fatalf("status %d, location %s, key %s, sent %s", resp.StatusCode, resp.Header.Get("Location"), f.key, f.sent)
	}
	f.refusal = &Refusal{Status: http.StatusBadRequest, Field: "customer.contact", Message: "customer.contact: is required"}
	for _, lang := range []string{"zh", "en"} {
		resp, body := post(form, lang)
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, Missing) ||
			!regexp.MustCompile(`name="customer.contact" value="138"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="customer.contact"[^>]*>[^<]*(is required|必须填写)`).MatchString(body) ||
			!strings.Contains(body, `value="不制冷"`) && !strings.Contains(body, ">不制冷</textarea>") ||
			!strings.Contains(body, `name="idempotency_key" value="k-1"`) {
			t.Fatalf("%s refusal page %d: %s", lang, resp.StatusCode, body)
		}
	}
	f.refusal = &Refusal{Status: http.StatusForbidden, Message: "not your branch"}
	resp, body := post(form, "zh")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "您没有权限") {
		t.Fatalf("403 page %d: %s", resp.StatusCode, body)
	}
}

func TestIntakeIsOnlyForThoseWhoRecord(t *testing.T) {
	engineer := complaint.Actor{ID: "e", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	srv := serve(&fake{actor: engineer, c: sample(complaint.StepValidation)})
	defer srv.Close()
	if _, body := get(t, srv, "/", "zh"); strings.Contains(body, "/complaints/new") {
		t.Error("the engineer gets the intake link")
	}
	code, body := get(t, srv, "/complaints/new", "en")
	if code != http.StatusForbidden || !strings.Contains(body, "not allowed") || strings.Contains(body, Missing) {
		t.Fatalf("%d %s", code, body)
	}
	head := complaint.Actor{ID: "b", Roles: []org.Role{org.RoleBranchHead}, Department: "branch-sh"}
	srv2 := serve(&fake{actor: head, c: sample(complaint.StepValidation)})
	defer srv2.Close()
	code, body = get(t, srv2, "/complaints/new", "zh")
	if code != http.StatusOK || !strings.Contains(body, `<option value="branch-sh" selected>`) {
		t.Fatalf("branch head: %d %s", code, body)
	}
}
