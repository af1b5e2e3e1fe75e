package console

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/survey"
)

const (
	tok     = "eyJwIjoic3VydmV5In0.c2ln"
	progID  = "5a0c7e2e-1d6b-4c57-9a7e-0c7e0b7b1a01"
	cycleID = "9e1f6f3a-2c4d-4e5f-8a9b-0c1d2e3f4a5b"
	actID   = "3c2b1a09-8f7e-4d6c-9b5a-493827160504"
)

var closes = time.Date(2026, 3, 21, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai

func publicSample(q survey.Questionnaire, answered, open bool) app.PublicSurvey {
	return app.PublicSurvey{Programme: "重点客户满意度调查", Questionnaire: q, ClosesAt: &closes, Answered: answered, Open: open}
}

// lastCall is the last API call of the method, or fails.
func lastCall(t *testing.T, f *fake, method, path string) Call {
	t.Helper()
	for i := len(f.calls) - 1; i >= 0; i-- {
		if f.calls[i].Method == method && f.calls[i].Path == path {
			return f.calls[i]
		}
	}
	t.Fatalf("no %s %s among %d calls", method, path, len(f.calls))
	return Call{}
}

func TestPublicSurveyFormInBothLanguages(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	q.AskCompetitor = true
	f := &fake{api: map[string]Answer{"GET /public/survey/" + tok: jsonAnswer(t, 200, publicSample(q, false, true))}}
	srv := serve(f)
	defer srv.Close()
	resp, zh := do(t, srv, http.MethodGet, "/public/survey/"+tok, nil, "zh", false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, zh)
	}
	noMissing(t, "zh", zh)
	for _, want := range []string{"重点客户满意度调查", "产品质量", "售后服务", "很满意", "很不满意", "2026-03-21 09:00",
		`action="/public/survey/` + tok + `"`, `name="ratings.product_quality" value="very_dissatisfied"`,
		`name="competitor.price" value="neutral"`, `name="recommend" value="10"`, `name="comment"`, "向朋友或同行推荐"} {
		if !strings.Contains(zh, want) {
			t.Errorf("zh form lacks %q", want)
		}
	}
	// A customer gets no menu and no sign-out, and no segment for a named survey.
	for _, unwanted := range []string{`action="/logout"`, `href="/surveys"`, `name="segment"`, `name="respondent"`} {
		if strings.Contains(zh, unwanted) {
			t.Errorf("the customer's page has %s", unwanted)
		}
	}
	_, en := do(t, srv, http.MethodGet, "/public/survey/"+tok+"?lang=en", nil, "zh", false)
	noMissing(t, "en", en)
	for _, want := range []string{"Product quality", "After-sales service", "Very satisfied", "Very dissatisfied", "recommend us",
		"Send my answers", "重点客户满意度调查"} {
		if !strings.Contains(en, want) {
			t.Errorf("en form lacks %q", want)
		}
	}
	if strings.Contains(en, ">很满意<") {
		t.Error("the English form shows the Chinese level label")
	}
}

func TestPublicSurveyKeepsCustomLabels(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	q.Dimensions = append(q.Dimensions, survey.Dimension{Code: "installation", Name: "安装质量", OwnerDepartment: "engineering"})
	q.Dimensions[0].Name = "设备质量" // renamed: no longer the default's translation
	q.Scale = survey.AssessmentScale()
	q.Scale.Levels[2].Label = "过得去"
	f := &fake{api: map[string]Answer{"GET /public/survey/" + tok: jsonAnswer(t, 200, publicSample(q, false, true))}}
	srv := serve(f)
	defer srv.Close()
	_, en := do(t, srv, http.MethodGet, "/public/survey/"+tok, nil, "en", false)
	for _, want := range []string{"设备质量", "安装质量", "Fairly satisfied", "过得去", "Delivery time"} {
		if !strings.Contains(en, want) {
			t.Errorf("en form lacks %q", want)
		}
	}
	if strings.Contains(en, "Product quality") {
		t.Error("a renamed dimension got the default's English name")
	}
}

func TestPublicSurveyAnswerIsSentAndThanked(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	f := &fake{api: map[string]Answer{
		"GET /public/survey/" + tok:  jsonAnswer(t, 200, publicSample(q, false, true)),
		"POST /public/survey/" + tok: jsonAnswer(t, 201, map[string]string{"status": "answered"}),
	}}
	srv := serve(f)
	defer srv.Close()
	form := url.Values{"ratings.product_quality": {"dissatisfied"}, "ratings.service": {"satisfied"}, "ratings.price": {""},
		"recommend": {"9"}, "comment": {"  交货后一周出现故障 "}, "segment": {"ignored: the survey is by name"}}
	resp, body := do(t, srv, http.MethodPost, "/public/survey/"+tok, form, "zh", false)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/public/survey/"+tok+"/thanks" {
		t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	sent := string(lastCall(t, f, http.MethodPost, "/public/survey/"+tok).Body)
	want := `{"comment":"交货后一周出现故障","ratings":{"product_quality":"dissatisfied","service":"satisfied"},"recommend":9}`
	if sent != want {
		t.Fatalf("sent %s\nwant %s", sent, want)
	}

	// The thanks page says until when the answer may be changed.
	f.api["GET /public/survey/"+tok] = jsonAnswer(t, 200, publicSample(q, true, true))
	resp, thanks := do(t, srv, http.MethodGet, "/public/survey/"+tok+"/thanks", nil, "zh", false)
	if resp.StatusCode != http.StatusOK || !strings.Contains(thanks, "感谢您的评价") || !strings.Contains(thanks, "2026-03-21 09:00") ||
		!strings.Contains(thanks, `href="/public/survey/`+tok+`"`) {
		t.Fatalf("thanks %d: %s", resp.StatusCode, thanks)
	}
	// Opening the link again: the form, with "you answered already".
	_, again := do(t, srv, http.MethodGet, "/public/survey/"+tok, nil, "en", false)
	if !strings.Contains(again, "You have answered already. You may change your answer until 2026-03-21 09:00") ||
		!strings.Contains(again, `name="ratings.service"`) {
		t.Fatalf("answered form: %s", again)
	}
	// Thanks before answering goes back to the form.
	f.api["GET /public/survey/"+tok] = jsonAnswer(t, 200, publicSample(q, false, true))
	resp, _ = do(t, srv, http.MethodGet, "/public/survey/"+tok+"/thanks", nil, "zh", false)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/public/survey/"+tok {
		t.Fatalf("thanks before answering: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestPublicSurveyShowsErrorsNextToTheField(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	f := &fake{api: map[string]Answer{
		"GET /public/survey/" + tok:  jsonAnswer(t, 200, publicSample(q, false, true)),
		"POST /public/survey/" + tok: refusalAnswer(400, "ratings.service: must be one of very_satisfied, satisfied", "ratings.service"),
	}}
	srv := serve(f)
	defer srv.Close()
	form := url.Values{"ratings.product_quality": {"satisfied"}, "ratings.service": {"great"}, "comment": {"门锁松动"}}
	for _, lang := range []string{"zh", "en"} {
		resp, body := do(t, srv, http.MethodPost, "/public/survey/"+tok, form, lang, false)
		noMissing(t, lang, body)
		if resp.StatusCode != http.StatusBadRequest ||
			!regexp.MustCompile(`(?s)<fieldset class="survey-q invalid" id="q-service">.*?<span class="field-error" data-field="ratings.service" role="alert">`).MatchString(body) ||
			!strings.Contains(body, `name="ratings.product_quality" value="satisfied" checked`) || !strings.Contains(body, ">门锁松动</textarea>") {
			t.Fatalf("%s: %d %s", lang, resp.StatusCode, body)
		}
		// The customer is not shown the API's English internals.
		if strings.Contains(body, "must be one of") {
			t.Errorf("%s: the customer sees the API's message", lang)
		}
	}

	// Nothing rated: the console asks before the API counts an empty answer as returned.
	n := len(f.calls)
	resp, body := do(t, srv, http.MethodPost, "/public/survey/"+tok, url.Values{"comment": {"只写意见"}}, "zh", false)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-field="ratings"`) || !strings.Contains(body, "请至少评价一项") {
		t.Fatalf("empty answer: %d %s", resp.StatusCode, body)
	}
	for _, c := range f.calls[n:] {
		if c.Method == http.MethodPost {
			t.Fatalf("an empty answer was sent: %s", c.Body)
		}
	}
}

func TestPublicSurveyRefusedAndClosedLinks(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	f := &fake{api: map[string]Answer{
		"GET /public/survey/forged.x": refusalAnswer(403, "this link is not valid or has expired; please contact us", ""),
		"GET /public/survey/" + tok:   jsonAnswer(t, 200, publicSample(q, true, false)),
	}}
	srv := serve(f)
	defer srv.Close()
	resp, body := do(t, srv, http.MethodGet, "/public/survey/forged.x", nil, "zh", false)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "链接无效或已过期") || strings.Contains(body, "<form method=\"post\" action=\"/public") {
		t.Fatalf("forged: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, srv, http.MethodPost, "/public/survey/forged.x", url.Values{"ratings.service": {"satisfied"}}, "en", false)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "This link is not valid") {
		t.Fatalf("forged post: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, srv, http.MethodGet, "/public/survey/"+tok, nil, "zh", false)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "调查已结束") || strings.Contains(body, `name="ratings.service"`) {
		t.Fatalf("closed: %d %s", resp.StatusCode, body)
	}
	// Closed between opening the form and sending it: the API's 410.
	f.api["GET /public/survey/"+tok] = jsonAnswer(t, 200, publicSample(q, false, true))
	f.api["POST /public/survey/"+tok] = refusalAnswer(410, "the survey has closed; answers are no longer taken", "")
	resp, body = do(t, srv, http.MethodPost, "/public/survey/"+tok, url.Values{"ratings.service": {"satisfied"}}, "en", false)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "This survey has closed") {
		t.Fatalf("closed post: %d %s", resp.StatusCode, body)
	}
	// Another site's form is refused.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/public/survey/"+tok, strings.NewReader("ratings.service=satisfied"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", r2.StatusCode)
	}
}

func TestAnonymousSurveyAsksForASegment(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	q.Anonymous = true
	q.AskRecommend = false
	f := &fake{api: map[string]Answer{
		"GET /public/survey/" + tok:  jsonAnswer(t, 200, publicSample(q, false, true)),
		"POST /public/survey/" + tok: jsonAnswer(t, 201, map[string]string{"status": "answered"}),
	}}
	srv := serve(f)
	defer srv.Close()
	_, body := do(t, srv, http.MethodGet, "/public/survey/"+tok, nil, "zh", false)
	if !strings.Contains(body, `name="segment"`) || !strings.Contains(body, "匿名问卷") || strings.Contains(body, `name="recommend"`) {
		t.Fatalf("anonymous form: %s", body)
	}
	resp, _ := do(t, srv, http.MethodPost, "/public/survey/"+tok, url.Values{"ratings.price": {"neutral"}, "segment": {"设备客户"}, "recommend": {"7"}}, "zh", false)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("%d", resp.StatusCode)
	}
	if sent := string(lastCall(t, f, http.MethodPost, "/public/survey/"+tok).Body); sent != `{"ratings":{"price":"neutral"},"segment":"设备客户"}` {
		t.Fatalf("sent %s", sent)
	}
}

// surveyFixture is a programme with a closed and an open cycle, and the
// improvement action the closed one opened.
func surveyFixture(t *testing.T, actor complaint.Actor) *fake {
	t.Helper()
	d := survey.Definition{ID: progID, Name: "重点客户季度调查", Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(),
		Schedule: survey.Schedule{Kind: survey.ScheduleQuarterly, Month: 1}, Version: 1}
	q := d.Programme.Questionnaire
	opened := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	shut := opened.Add(21 * 24 * time.Hour)
	stats, err := survey.ComputeStats(survey.StatsInput{Questionnaire: q, Targets: d.Programme.Targets, Population: 4, Issued: 3,
		Answers: []survey.Answer{
			{CustomerID: "BIG1", Ratings: map[string]string{"product_quality": "dissatisfied", "service": "satisfied"}, Comment: "交货后一周出现故障"},
			{CustomerID: "MID1", Ratings: map[string]string{"product_quality": "very_satisfied", "service": "very_satisfied"}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	closed := surveyCycle{ID: cycleID, ProgrammeID: progID, Status: "closed", Definition: d, Population: 4, Chosen: 3, Issued: 3, Returned: 2,
		OpenedAt: &opened, ClosesAt: &shut, ClosedAt: &shut, EscalationLevel: "owner", Actions: 1, Stats: &stats, CreatedAt: opened}
	open2 := opened.AddDate(0, 3, 0)
	closes2 := open2.Add(21 * 24 * time.Hour)
	open := surveyCycle{ID: "11111111-2222-4333-8444-555555555555", ProgrammeID: progID, Status: "open", Definition: d, Population: 4,
		Chosen: 3, Issued: 3, Returned: 1, OpenedAt: &open2, ClosesAt: &closes2, CreatedAt: open2}
	due := shut.Add(30 * 24 * time.Hour)
	stepDue := shut.Add(5 * 24 * time.Hour)
	action := improvement.Action{ID: actID, Source: improvement.Source{Kind: improvement.SourceSurvey, CycleID: cycleID, Dimension: "product_quality"},
		Department: "engineering", Title: "满意度调查：产品质量 不满意", Description: "1 条不满意评价", Refs: 1, Status: improvement.StepPlan,
		Round: 1, DueAt: due, StepDueAt: &stepDue, Overdue: true, Verifiers: []org.Role{org.RoleMarketDepartment, org.RoleQualityDepartment},
		OpenedBy: complaint.SystemActor, CreatedAt: shut, Rounds: []improvement.Round{{Number: 1, StartedAt: shut}},
		Deadlines: []improvement.Deadline{{Step: improvement.StepPlan, Round: 1, StartedAt: shut, DueAt: stepDue}},
		Timeline:  []improvement.Event{{Seq: 1, At: shut, Step: improvement.StepOpen, Round: 1, Action: improvement.ActionOpened, Actor: complaint.SystemActor}}}
	// Stats' dissatisfied rating names the dimension's owner, "quality" by default; the action answers it.
	action.Department = stats.Dissatisfied[0].OwnerDepartment
	invs := map[string]any{"items": []map[string]any{
		{"customer_id": "BIG2", "channel": "link", "reminders": 2},
		{"customer_id": "BIG1", "channel": "link", "reminders": 1, "answered_at": shut.Add(-time.Hour)},
		{"customer_id": "MID1", "channel": "link", "reminders": 0, "answered_at": shut.Add(-2 * time.Hour)},
	}}
	next := []time.Time{time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC)}
	return &fake{actor: actor, api: map[string]Answer{
		"GET /api/v1/survey-programmes":                                      jsonAnswer(t, 200, map[string]any{"items": []survey.Definition{d}}),
		"GET /api/v1/survey-programmes/" + progID:                            jsonAnswer(t, 200, d),
		"GET /api/v1/survey-programmes/" + progID + "/schedule":              jsonAnswer(t, 200, scheduleState{Cron: "0 9 1 1,4,7,10 *", NextRun: next}),
		"GET /api/v1/survey-programmes/" + progID + "/cycles":                jsonAnswer(t, 200, map[string]any{"items": []surveyCycle{open, closed}}),
		"GET /api/v1/survey-cycles/" + cycleID:                               jsonAnswer(t, 200, closed),
		"GET /api/v1/survey-cycles/" + open.ID:                               jsonAnswer(t, 200, open),
		"GET /api/v1/survey-cycles/" + cycleID + "/invitations":              jsonAnswer(t, 200, invs),
		"GET /api/v1/survey-cycles/" + open.ID + "/invitations":              jsonAnswer(t, 200, invs),
		"GET /api/v1/improvement-actions?cycle_id=" + cycleID + "&limit=200": jsonAnswer(t, 200, map[string]any{"items": []improvement.Action{action}}),
		"GET /api/v1/improvement-actions?cycle_id=" + open.ID + "&limit=200": jsonAnswer(t, 200, map[string]any{"items": []improvement.Action{}}),
		"GET /api/v1/improvement-actions?limit=50":                           jsonAnswer(t, 200, map[string]any{"items": []improvement.Action{action}, "next_cursor": "c2"}),
		"GET /api/v1/improvement-actions/" + actID:                           jsonAnswer(t, 200, action),
	}}
}

var (
	quality  = complaint.Actor{ID: "q", Name: "刘洋", Roles: []org.Role{org.RoleQualityDepartment}, Department: "quality"}
	clerk    = complaint.Actor{ID: "c", Name: "王芳", Roles: []org.Role{org.RoleIntakeClerk}, Department: "sales"}
	engineer = complaint.Actor{ID: "e", Name: "张伟", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	marketer = complaint.Actor{ID: "m", Name: "李强", Roles: []org.Role{org.RoleMarketDepartment}, Department: "market"}
	qmember  = complaint.Actor{ID: "qm", Name: "赵工", Roles: []org.Role{org.RoleDepartmentMember}, Department: "quality"}
)

func TestSurveyPagesRenderInBothLanguages(t *testing.T) {
	srv := serve(surveyFixture(t, marketer))
	defer srv.Close()
	for _, lang := range []string{"zh", "en"} {
		for _, path := range []string{"/surveys", "/surveys/programmes/" + progID, "/surveys/cycles/" + cycleID,
			"/surveys/cycles/11111111-2222-4333-8444-555555555555", "/surveys/cycles/11111111-2222-4333-8444-555555555555/answer",
			"/improvements", "/improvements/" + actID} {
			resp, body := do(t, srv, http.MethodGet, path, nil, lang, true)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %s", lang, path, resp.StatusCode, body)
			}
			noMissing(t, lang+" "+path, body)
		}
	}
}

func TestSurveyProgrammesAndProgramme(t *testing.T) {
	srv := serve(surveyFixture(t, marketer))
	defer srv.Close()
	_, list := do(t, srv, http.MethodGet, "/surveys", nil, "zh", true)
	for _, want := range []string{`href="/surveys" aria-current="page"`, "重点客户季度调查", "每季度 · （1,4,7,10 月）", "2026-04-01 09:00",
		"发放率目标 80.0% · 回收率目标 70.0%", "在线问卷"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	_, prog := do(t, srv, http.MethodGet, "/surveys/programmes/"+progID, nil, "zh", true)
	for _, want := range []string{"产品质量", "很满意 · 满意 · 一般 · 不满意 · 很不满意", "21 天", "年采购额100万元以上", "90.0%",
		`action="/surveys/programmes/` + progID + `/schedule/pause"`, `action="/surveys/programmes/` + progID + `/schedule/trigger"`,
		`action="/surveys/programmes/` + progID + `/cycles"`, `href="/surveys/cycles/` + cycleID + `"`,
		// The closed cycle: 2 of 3 returned, short of 70 %; the open one: 1 of 3.
		`<span class="badge survey-missed">66.7%</span>`, `<span class="badge survey-missed">33.3%</span>`, "2026-01-01 – 2026-01-22", "进行中", "已结束"} {
		if !strings.Contains(prog, want) {
			t.Errorf("programme page lacks %q", want)
		}
	}

	// The quality department reads, but has no buttons.
	srvQ := serve(surveyFixture(t, quality))
	defer srvQ.Close()
	_, progQ := do(t, srvQ, http.MethodGet, "/surveys/programmes/"+progID, nil, "zh", true)
	if !strings.Contains(progQ, "产品质量") || strings.Contains(progQ, "/schedule/pause") || strings.Contains(progQ, `/cycles"`) {
		t.Errorf("quality's programme page: %s", progQ)
	}
}

func TestScheduleButtonsCallTheAPI(t *testing.T) {
	f := surveyFixture(t, marketer)
	f.api["POST /api/v1/survey-programmes/"+progID+"/schedule/pause"] = jsonAnswer(t, 200, scheduleState{Paused: true})
	f.api["POST /api/v1/survey-programmes/"+progID+"/schedule/trigger"] = refusalAnswer(409, "the programme has no schedule", "")
	srv := serve(f)
	defer srv.Close()
	resp, _ := do(t, srv, http.MethodPost, "/surveys/programmes/"+progID+"/schedule/pause", url.Values{"note": {"春节暂停"}}, "zh", true)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/surveys/programmes/"+progID+"?done=pause" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if b := string(lastCall(t, f, http.MethodPost, "/api/v1/survey-programmes/"+progID+"/schedule/pause").Body); b != `{"note":"春节暂停"}` {
		t.Fatalf("sent %s", b)
	}
	resp, body := do(t, srv, http.MethodPost, "/surveys/programmes/"+progID+"/schedule/trigger", url.Values{}, "zh", true)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "the programme has no schedule") || !strings.Contains(body, "产品质量") {
		t.Fatalf("refused trigger: %d %s", resp.StatusCode, body)
	}
	resp, _ = do(t, srv, http.MethodPost, "/surveys/programmes/"+progID+"/schedule/delete", url.Values{}, "zh", true)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown action: %d", resp.StatusCode)
	}
}

func TestStartCycleSendsTheNamedCustomers(t *testing.T) {
	f := surveyFixture(t, marketer)
	f.api["POST /api/v1/survey-programmes/"+progID+"/cycles"] = jsonAnswer(t, 201, map[string]string{"cycle_id": cycleID})
	srv := serve(f)
	defer srv.Close()
	resp, _ := do(t, srv, http.MethodPost, "/surveys/programmes/"+progID+"/cycles",
		url.Values{"customer_ids": {"BIG1, BIG2\nMID1、NEW1"}, "reason": {"重大投诉后专项调查"}}, "zh", true)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/surveys/cycles/"+cycleID+"?done=started" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if b := string(lastCall(t, f, http.MethodPost, "/api/v1/survey-programmes/"+progID+"/cycles").Body); b != `{"customer_ids":["BIG1","BIG2","MID1","NEW1"],"reason":"重大投诉后专项调查"}` {
		t.Fatalf("sent %s", b)
	}
	f.api["POST /api/v1/survey-programmes/"+progID+"/cycles"] = refusalAnswer(400, "no customer has ID NOPE", "customer_ids")
	resp, body := do(t, srv, http.MethodPost, "/surveys/programmes/"+progID+"/cycles", url.Values{"customer_ids": {"NOPE"}}, "zh", true)
	if resp.StatusCode != http.StatusBadRequest ||
		!regexp.MustCompile(`aria-invalid="true">NOPE</textarea>[\s\S]*?<span class="field-error" data-field="customer_ids"[^>]*>[^<]*no customer has ID NOPE`).MatchString(body) {
		t.Fatalf("refused start: %d %s", resp.StatusCode, body)
	}
}

func TestCyclePageShowsResultsAndActions(t *testing.T) {
	srv := serve(surveyFixture(t, marketer))
	defer srv.Close()
	resp, body := do(t, srv, http.MethodGet, "/surveys/cycles/"+cycleID, nil, "zh", true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"重点客户季度调查", "已结束", "2026-01-22 09:00",
		// issued 3 of 4 = 75 % against 80 %; returned 2 of 3 against 70 %.
		`<span class="badge survey-missed">75.0%</span> (目标 80.0%)`, `<span class="badge survey-missed">66.7%</span> (目标 70.0%)`,
		"已催收 2 / 2 轮，共提醒 3 次", "责任人", "交货后一周出现故障", "BIG1", "不满意",
		// Product quality: 30 and 100, average 65, one of two satisfied.
		"<td>产品质量</td><td>quality</td><td>2</td><td>65.0</td>", "75.0%",
		`<a href="/improvements/` + actID + `">满意度调查：产品质量 不满意</a> · 制定改进计划`, "survey-overdue"} {
		if !strings.Contains(body, want) {
			t.Errorf("cycle page lacks %q", want)
		}
	}
	// Closed: no answer entry.
	if strings.Contains(body, "/answer\"") {
		t.Error("a closed cycle offers answer entry")
	}
	_, open := do(t, srv, http.MethodGet, "/surveys/cycles/11111111-2222-4333-8444-555555555555", nil, "en", true)
	for _, want := range []string{"The results are computed when the cycle closes.", `href="/surveys/cycles/11111111-2222-4333-8444-555555555555/answer"`, "2026-04-22 09:00"} {
		if !strings.Contains(open, want) {
			t.Errorf("open cycle page lacks %q", want)
		}
	}
	resp, nf := do(t, srv, http.MethodGet, "/surveys/cycles/not-a-uuid", nil, "zh", true)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(nf, "找不到该调查周期") {
		t.Fatalf("%d %s", resp.StatusCode, nf)
	}
}

func TestStaffEntersAnAnswer(t *testing.T) {
	const open = "11111111-2222-4333-8444-555555555555"
	f := surveyFixture(t, clerk)
	f.api["POST /api/v1/survey-cycles/"+open+"/answers"] = jsonAnswer(t, 201, map[string]string{"status": "answered"})
	srv := serve(f)
	defer srv.Close()
	_, page := do(t, srv, http.MethodGet, "/surveys/cycles/"+open+"/answer?customer=BIG2", nil, "zh", true)
	for _, want := range []string{`name="customer_id" value="BIG2"`, `<option value="BIG2">未答卷</option>`, `name="channel" value="visit"`,
		`name="respondent"`, `name="answered_at"`, `name="ratings.after_sales"`, "保存答卷"} {
		if !strings.Contains(page, want) {
			t.Errorf("entry form lacks %q", want)
		}
	}
	form := url.Values{"customer_id": {"BIG2"}, "channel": {"phone"}, "respondent": {"设备部 刘工"}, "answered_at": {"2026-04-10T15:30"},
		"ratings.product_quality": {"satisfied"}, "ratings.service": {"very_dissatisfied"}, "recommend": {"6"}, "segment": {"x"}}
	resp, body := do(t, srv, http.MethodPost, "/surveys/cycles/"+open+"/answer", form, "zh", true)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/surveys/cycles/"+open+"?done=answer" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	want := `{"answered_at":"2026-04-10T15:30:00+08:00","channel":"phone","customer_id":"BIG2","ratings":{"product_quality":"satisfied","service":"very_dissatisfied"},"recommend":6,"respondent":"设备部 刘工"}`
	if b := string(lastCall(t, f, http.MethodPost, "/api/v1/survey-cycles/"+open+"/answers").Body); b != want {
		t.Fatalf("sent %s\nwant %s", b, want)
	}
	// The API names the field: the staff see its words there, and what they typed stays.
	f.api["POST /api/v1/survey-cycles/"+open+"/answers"] = refusalAnswer(400, "customer NEW1 was not invited to this cycle", "customer_id")
	form.Set("customer_id", "NEW1")
	resp, body = do(t, srv, http.MethodPost, "/surveys/cycles/"+open+"/answer", form, "en", true)
	noMissing(t, "en refusal", body)
	if resp.StatusCode != http.StatusBadRequest ||
		!regexp.MustCompile(`name="customer_id" value="NEW1"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="customer_id" role="alert">[^<]*not invited to this cycle`).MatchString(body) ||
		!strings.Contains(body, `value="设备部 刘工"`) || !strings.Contains(body, `name="ratings.service" value="very_dissatisfied" checked`) {
		t.Fatalf("refusal: %d %s", resp.StatusCode, body)
	}
	// Only customer service and the market department enter answers.
	srvQ := serve(surveyFixture(t, quality))
	defer srvQ.Close()
	resp, body = do(t, srvQ, http.MethodGet, "/surveys/cycles/"+open+"/answer", nil, "zh", true)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "只有客服或市场部") {
		t.Fatalf("quality's entry: %d %s", resp.StatusCode, body)
	}
	_, cyc := do(t, srvQ, http.MethodGet, "/surveys/cycles/"+open, nil, "zh", true)
	if strings.Contains(cyc, "/answer\"") {
		t.Error("quality is offered answer entry")
	}
}

func TestSurveyMenuFollowsTheAPIsRoles(t *testing.T) {
	for _, c := range []struct {
		actor             complaint.Actor
		surveys, improves bool
	}{
		{marketer, true, true}, {quality, true, true}, {clerk, true, false}, {engineer, false, true},
		{complaint.Actor{ID: "b", Roles: []org.Role{org.RoleBranchHead}, Department: "branch-sh"}, false, true},
		{complaint.Actor{ID: "a", Roles: []org.Role{org.RoleInternalAuditor}}, true, true},
	} {
		srv := serve(&fake{actor: c.actor, c: sample(complaint.StepValidation)})
		_, body := do(t, srv, http.MethodGet, "/", nil, "zh", true)
		srv.Close()
		if got := strings.Contains(body, `href="/surveys"`); got != c.surveys {
			t.Errorf("%v: surveys entry %v, want %v", c.actor.Roles, got, c.surveys)
		}
		if got := strings.Contains(body, `href="/improvements"`); got != c.improves {
			t.Errorf("%v: improvements entry %v, want %v", c.actor.Roles, got, c.improves)
		}
	}
}

func TestImprovementListAndDetail(t *testing.T) {
	f := surveyFixture(t, qmember)
	f.api["GET /api/v1/improvement-actions?cursor=c2&limit=50&status=plan"] = jsonAnswer(t, 200, map[string]any{"items": []improvement.Action{}})
	f.api["GET /api/v1/improvement-actions?limit=50&status=finished"] = Answer{Status: 400, Body: []byte(`{"error":"status must be one of plan, completion, verification, closed","field":"status","rule":"one_of"}`)}
	srv := serve(f)
	defer srv.Close()
	_, list := do(t, srv, http.MethodGet, "/improvements", nil, "zh", true)
	for _, want := range []string{"满意度调查：产品质量 不满意", `href="/surveys/cycles/` + cycleID + `"`, "制定改进计划", "超期",
		`href="/improvements?cursor=c2"`} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	_, page2 := do(t, srv, http.MethodGet, "/improvements?status=plan&cursor=c2", nil, "en", true)
	if !strings.Contains(page2, "No improvement actions match.") || !strings.Contains(page2, `href="/improvements?status=plan"`) {
		t.Errorf("second page: %s", page2)
	}
	resp, bad := do(t, srv, http.MethodGet, "/improvements?status=finished", nil, "zh", true)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(bad, "不是可以选择的值") {
		t.Errorf("bad filter: %d %s", resp.StatusCode, bad)
	}

	// The owner department's member gets the plan form; the market department does not.
	_, detail := do(t, srv, http.MethodGet, "/improvements/"+actID, nil, "zh", true)
	for _, want := range []string{`action="/improvements/` + actID + `/plan"`, `name="plan"`, `name="due_at"`, "市场部, 品质部", "第 1 轮", "立项"} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	srvM := serve(surveyFixture(t, marketer))
	defer srvM.Close()
	_, detailM := do(t, srvM, http.MethodGet, "/improvements/"+actID, nil, "en", true)
	if strings.Contains(detailM, `/plan"`) || !strings.Contains(detailM, "market department, quality department") {
		t.Errorf("market's detail: %s", detailM)
	}
}

func TestImprovementStepIsSentAndRefusalsMarked(t *testing.T) {
	f := surveyFixture(t, qmember)
	path := "/api/v1/improvement-actions/" + actID + "/plan"
	f.api["POST "+path] = jsonAnswer(t, 200, map[string]string{"id": actID})
	srv := serve(f)
	defer srv.Close()
	resp, body := do(t, srv, http.MethodPost, "/improvements/"+actID+"/plan", url.Values{"plan": {"更换供应商并加检"}, "due_at": {"2026-02-20T17:00"}}, "zh", true)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/improvements/"+actID+"?done=plan" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if b := string(lastCall(t, f, http.MethodPost, path).Body); b != `{"due_at":"2026-02-20T17:00:00+08:00","plan":"更换供应商并加检"}` {
		t.Fatalf("sent %s", b)
	}
	f.api["POST "+path] = refusalAnswer(400, "due_at: must not be after the action's due date", "due_at")
	resp, body = do(t, srv, http.MethodPost, "/improvements/"+actID+"/plan", url.Values{"plan": {"更换供应商"}, "due_at": {"2027-01-01T09:00"}}, "zh", true)
	if resp.StatusCode != http.StatusBadRequest ||
		!regexp.MustCompile(`value="2027-01-01T09:00" aria-invalid="true">\s*<span class="field-error" data-field="due_at"[^>]*>[^<]*must not be after`).MatchString(body) ||
		!strings.Contains(body, ">更换供应商</textarea>") {
		t.Fatalf("refusal: %d %s", resp.StatusCode, body)
	}
	resp, _ = do(t, srv, http.MethodPost, "/improvements/"+actID+"/approve", url.Values{}, "zh", true)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown step: %d", resp.StatusCode)
	}
}

// The server routes a customer's link to the API and lets the console answer
// browsers first (server.consoleFirst); the API's JSON handler must then not
// run as well.
func TestPublicSurveyInsideTheAPIsRoute(t *testing.T) {
	q := survey.DefaultQuestionnaire()
	f := &fake{api: map[string]Answer{
		"GET /public/survey/" + tok:  jsonAnswer(t, 200, publicSample(q, false, true)),
		"POST /public/survey/" + tok: jsonAnswer(t, 201, map[string]string{"status": "answered"}),
	}}
	gin.SetMode(gin.ReleaseMode)
	cs := New(f, f, nil)
	r := gin.New()
	jsonRan := 0
	consoleFirst := func(c *gin.Context) {
		if WantsHTML(c.Request) && cs.Serve(c) {
			c.Abort()
		}
	}
	api := func(c *gin.Context) { jsonRan++; c.JSON(http.StatusOK, gin.H{"api": true}) }
	r.GET("/public/survey/:token", consoleFirst, api)
	r.POST("/public/survey/:token", consoleFirst, api)
	srv := httptest.NewServer(r)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/public/survey/"+tok, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if jsonRan != 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.HasPrefix(string(b), "<!doctype html>") {
		t.Fatalf("browser GET: json handler ran %d times, %s: %.200s", jsonRan, resp.Header.Get("Content-Type"), b)
	}
	post, _ := http.NewRequest(http.MethodPost, srv.URL+"/public/survey/"+tok, strings.NewReader("ratings.service=satisfied"))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", srv.URL)
	resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(post)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if jsonRan != 0 || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("browser POST: json handler ran %d times, status %d", jsonRan, resp.StatusCode)
	}
	// An API client still reaches the JSON handler.
	resp, err = http.Get(srv.URL + "/public/survey/" + tok)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if jsonRan != 1 {
		t.Fatalf("API client: json handler ran %d times", jsonRan)
	}
}

func TestSpanSaysDaysAndHours(t *testing.T) {
	for _, c := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"zh", 21 * 24 * time.Hour, "21 天"}, {"en", 24 * time.Hour, "1 day"}, {"en", 30 * time.Hour, "1 day 6 hours"},
		{"en", 2 * time.Hour, "2 hours"}, {"en", 8 * time.Second, "8s"},
	} {
		if got := span(c.lang, c.d); got != c.want {
			t.Errorf("span(%s, %s) = %q, want %q", c.lang, c.d, got, c.want)
		}
	}
}
