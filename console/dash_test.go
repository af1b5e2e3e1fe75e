package console

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// dashSample is an answer of GET /api/v1/dashboard, built from the API's own
// type so the page reads what the API writes.
func dashSample() store.Dashboard {
	sh := Shanghai()
	f := func(v float64) *float64 { return &v }
	late, paused := int64(3*3600), int64(48*3600)
	due := time.Date(2026, 5, 19, 16, 0, 0, 0, sh).UTC()
	due2 := time.Date(2026, 5, 18, 10, 0, 0, 0, sh).UTC()
	d := store.Dashboard{
		AsOf: time.Date(2026, 5, 20, 2, 0, 0, 0, time.UTC), TimeZone: "Asia/Shanghai",
		Scope: store.DashboardScope{Kind: store.ScopeCompany},
		Open: store.DashboardOpen{Total: 7, OnTrack: 2, AtRisk: 1, Breached: 4, Escalated: 3, Paused: 2,
			ByDepartment: []store.DashboardGroup{
				{Key: "engineering", Label: "工程部", Total: 3, AtRisk: 1, Breached: 2},
				{Key: "", Label: "未分派", Total: 2, OnTrack: 1, Breached: 1},
			},
			ByLevel: []store.DashboardLevelOpen{{Level: complaint.LevelDepartmentHead, Count: 3}}},
		Overdue: store.DashboardUrgentList{Total: 25, Items: []store.DashboardUrgentEntry{
			{ID: cid, Number: "TS-2026-000042", Subject: "变频器返修后仍故障", Status: complaint.StepPlan, Department: "engineering",
				DepartmentName: "工程部", DueAt: &due, SLAStatus: complaint.SLABreached, EscalationLevel: complaint.LevelMarketDepartment,
				LateSeconds: &late, LateClock: complaint.ClockWorking},
			{ID: "11111111-2222-4333-8444-555555555555", Number: "TS-2026-000043", Subject: "安装延误", Status: complaint.StepApproval,
				DueAt: &due2, SLAStatus: complaint.SLABreached, Paused: true, EscalationLevel: complaint.LevelOwner,
				LateSeconds: &paused, LateClock: complaint.ClockCalendar},
		}},
		Escalated: store.DashboardUrgentList{Total: 1, Items: []store.DashboardUrgentEntry{
			{ID: cid, Number: "TS-2026-000042", Subject: "变频器返修后仍故障", Status: complaint.StepPlan, Department: "engineering",
				DepartmentName: "工程部", DueAt: &due, SLAStatus: complaint.SLABreached, EscalationLevel: complaint.LevelMarketDepartment,
				LateSeconds: &late, LateClock: complaint.ClockWorking},
		}},
		Quarters: store.DashboardComparison{
			Previous: store.DashboardQuarter{Quarter: "2026Q1", DashboardPeriod: store.DashboardPeriod{Received: 40, Founded: 30, NotFounded: 8,
				CompletedSteps: 200, WithinSLA: 170, SLACompliance: f(0.85), Closed: 35, MedianHours: f(30), P90Hours: f(80.25), Escalations: 6}},
			Current: store.DashboardQuarter{Quarter: "2026Q2", DashboardPeriod: store.DashboardPeriod{Received: 25, Founded: 20, NotFounded: 3,
				CompletedSteps: 100, WithinSLA: 87, SLACompliance: f(0.873), Closed: 22, MedianHours: f(26.5), P90Hours: f(70), Escalations: 4}},
		},
	}
	for _, st := range complaint.ActionSteps {
		d.Open.ByStep = append(d.Open.ByStep, store.DashboardGroup{Key: string(st), Label: st.Label(), Total: 1, Breached: 1})
	}
	for i := range 12 {
		from := time.Date(2025, time.Month(6+i), 1, 0, 0, 0, 0, sh)
		m := store.DashboardMonth{Month: from.Format("2006-01"), DashboardPeriod: store.DashboardPeriod{From: from, To: from.AddDate(0, 1, 0), Received: i}}
		if i >= 3 { // no complaint completed or closed in the first three months
			m.SLACompliance, m.MedianHours, m.P90Hours = f(0.8+float64(i)/100), f(20+float64(i)), f(60+float64(i))
		}
		d.Trend = append(d.Trend, m)
	}
	return d
}

func dashFake(actor complaint.Actor, d store.Dashboard) *fake {
	body, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	return &fake{actor: actor, c: sample(complaint.StepValidation), api: map[string]Answer{
		"GET /api/v1/dashboard":                  {Status: http.StatusOK, Body: body},
		"GET /api/v1/dashboard?branch=branch-sh": {Status: http.StatusOK, Body: body},
	}}
}

var gmActor = complaint.Actor{ID: "g", Name: "周明", Roles: []org.Role{org.RoleGeneralManager}, Department: "gm-office"}

func TestDashboardPage(t *testing.T) {
	f := dashFake(gmActor, dashSample())
	srv := serve(f)
	defer srv.Close()

	for lang, want := range map[string][]string{
		"zh": {"管理看板", "范围：全公司", "数据截至 2026-05-20 10:00（Asia/Shanghai）", "在办投诉", "已超期", "临近时限", "已升级",
			"本季度时限达成率", "87.3%", "较上季度 +2.3 个百分点", "其中 2 件暂停计时",
			"在办投诉按当前环节", "在办投诉按责任部门及时限状态", "时限达成率（近12个月，2025-06 至 2026-05）", "处理时长（受理至结案，近12个月）", "受理与结案（近12个月）",
			"2026年第1季度", "2026年第2季度", "−15", "+2.3 个百分点", "−3.5",
			"超期投诉", "共 25 件，按紧急程度列出前 2 件。", "升级投诉", "共 1 件。",
			"3.0 工作小时", "48.0 小时 · 暂停计时", "2026-05-19 16:00", "2026-05-18 10:00", "市场部", "未分派", "6月", "5月"},
		"en": {"Dashboard", "Scope: Whole company", "As of 2026-05-20 10:00 (Asia/Shanghai)", "Open complaints", "Overdue", "At risk",
			"Escalated", "SLA compliance this quarter", "87.3%", "+2.3 pp on last quarter", "Open complaints by current step",
			"SLA compliance (last 12 months, 2025-06 to 2026-05)", "Received and closed (last 12 months)", "Q1 2026", "Q2 2026", "25 in all; the 2 most urgent are listed.",
			"3.0 working h", "48.0 h · clock paused", "Not assigned", "Jun", "May"},
	} {
		code, body := get(t, srv, "/dashboard", lang)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", lang, code, body)
		}
		body = html.UnescapeString(body) // html/template writes + as &#43;
		if strings.Contains(body, Missing) {
			t.Errorf("%s: untranslated %s", lang, regexp.MustCompile(Missing+`[^⟧]*`).FindString(body))
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s page lacks %q", lang, w)
			}
		}
		if n := strings.Count(body, "<svg"); n != 6 {
			t.Errorf("%s: %d charts, want 6", lang, n)
		}
		if n := strings.Count(body, `href="/complaints/`+cid+`"`); n != 2 {
			t.Errorf("%s: the complaint is linked %d times, want twice (overdue and escalated)", lang, n)
		}
		if !strings.Contains(body, `<a href="/dashboard" aria-current="page">`) {
			t.Errorf("%s: the menu does not mark the dashboard", lang)
		}
		if strings.Contains(body, "<script") {
			t.Errorf("%s: a script on the page", lang)
		}
	}
	_, body := get(t, srv, "/dashboard", "zh")
	body = html.UnescapeString(body)
	// The SLA split is stacked: on track, at risk, breached, coloured by the page's styles.
	if !regexp.MustCompile(`(?s)<figure class="card dash-chart dash-sla-split"><svg.*正常.*预警.*超期.*</svg></figure>`).MatchString(body) {
		t.Error("no SLA split chart with its series")
	}
	// Counts of one or two complaints are drawn on whole ticks up to 5.
	if strings.Contains(body, ">0.2件<") || !strings.Contains(body, ">5件<") {
		t.Error("a small count chart has fractional ticks")
	}
	// The quarter table: received 40 → 25, SLA 85.0% → 87.3%, median 30.0 → 26.5.
	for _, row := range []string{
		`<th scope="row">受理</th><td>40</td><td>25</td><td>−15</td>`,
		`<th scope="row">时限达成率</th><td>85.0%</td><td>87.3%</td><td>+2.3 个百分点</td>`,
		`<th scope="row">处理时长中位数（小时）</th><td>30.0</td><td>26.5</td><td>−3.5</td>`,
	} {
		if !strings.Contains(body, row) {
			t.Errorf("quarter table lacks %s", row)
		}
	}
	// The company-wide reader may pick a branch.
	if !strings.Contains(body, `<option value="branch-sh">上海分公司</option>`) || strings.Contains(body, `<option value="engineering"`) {
		t.Error("the branch filter does not list the branches alone")
	}
	f.calls = nil
	code, body := get(t, srv, "/dashboard?branch=branch-sh", "zh")
	if code != http.StatusOK || len(f.calls) != 1 || f.calls[0].Path != "/api/v1/dashboard?branch=branch-sh" {
		t.Fatalf("branch filter: %d, calls %+v", code, f.calls)
	}
	if !strings.Contains(body, `<option value="branch-sh" selected>上海分公司</option>`) {
		t.Error("the chosen branch is not selected")
	}
}

func TestDashboardPageOfADepartmentHead(t *testing.T) {
	head := complaint.Actor{ID: "h", Name: "陈静", Roles: []org.Role{org.RoleDepartmentHead}, Department: "engineering"}
	d := dashSample()
	d.Scope = store.DashboardScope{Kind: store.ScopeDepartment, Department: "engineering", Name: "工程部"}
	srv := serve(dashFake(head, d))
	defer srv.Close()
	code, body := get(t, srv, "/dashboard", "zh")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	if !strings.Contains(body, "范围：工程部 涉及的投诉") {
		t.Error("the scope is not the department's")
	}
	if strings.Contains(body, `name="branch"`) {
		t.Error("a department head gets the branch filter")
	}
}

func TestDashboardWithNothingYet(t *testing.T) {
	d := store.Dashboard{AsOf: time.Date(2026, 5, 20, 2, 0, 0, 0, time.UTC), TimeZone: "Asia/Shanghai", Scope: store.DashboardScope{Kind: store.ScopeCompany},
		Open:      store.DashboardOpen{ByDepartment: []store.DashboardGroup{}, ByLevel: []store.DashboardLevelOpen{}},
		Overdue:   store.DashboardUrgentList{Items: []store.DashboardUrgentEntry{}},
		Escalated: store.DashboardUrgentList{Items: []store.DashboardUrgentEntry{}},
		Quarters:  store.DashboardComparison{Previous: store.DashboardQuarter{Quarter: "2026Q1"}, Current: store.DashboardQuarter{Quarter: "2026Q2"}},
	}
	for _, st := range complaint.ActionSteps {
		d.Open.ByStep = append(d.Open.ByStep, store.DashboardGroup{Key: string(st), Label: st.Label()})
	}
	for i := range 12 {
		d.Trend = append(d.Trend, store.DashboardMonth{Month: time.Date(2025, time.Month(6+i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")})
	}
	srv := serve(dashFake(gmActor, d))
	defer srv.Close()
	for _, lang := range []string{"zh", "en"} {
		code, body := get(t, srv, "/dashboard", lang)
		if code != http.StatusOK || strings.Contains(body, Missing) {
			t.Fatalf("%s: %d %s", lang, code, body)
		}
		for _, want := range map[string][]string{
			"zh": {"暂无数据", "上季度无可比数据", "没有。"},
			"en": {"No data yet", "Nothing to compare last quarter", "None."},
		}[lang] {
			if !strings.Contains(body, want) {
				t.Errorf("%s page lacks %q", lang, want)
			}
		}
		if !strings.Contains(body, `<strong class="dash-tile-value">—</strong>`) {
			t.Errorf("%s: SLA compliance of nothing is not a dash", lang)
		}
	}
}

func TestDashboardIsForManagers(t *testing.T) {
	engineer := complaint.Actor{ID: "e", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	f := dashFake(engineer, dashSample())
	f.api["GET /api/v1/dashboard"] = Answer{Status: http.StatusForbidden,
		Body: []byte(`{"error":"the management dashboard is for: market_department, quality_department, general_manager, internal_auditor, administrator, branch_head, department_head"}`)}
	srv := serve(f)
	defer srv.Close()
	code, body := get(t, srv, "/dashboard", "zh")
	if code != http.StatusForbidden || !strings.Contains(body, "您没有权限") || !strings.Contains(body, "the management dashboard is for") {
		t.Fatalf("%d %s", code, body)
	}
	_, work := get(t, srv, "/", "zh")
	if strings.Contains(work, `href="/dashboard"`) {
		t.Error("a department member has the dashboard in the menu")
	}
	for _, a := range []complaint.Actor{gmActor, {Roles: []org.Role{org.RoleBranchHead}, Department: "branch-sh"},
		{Roles: []org.Role{org.RoleDepartmentHead}}, {Roles: []org.Role{org.RoleInternalAuditor}}} {
		if !mayDashboard(a) {
			t.Errorf("%v may not see the dashboard", a.Roles)
		}
	}
	if mayDashboard(complaint.Actor{Roles: []org.Role{org.RoleIntakeClerk, org.RoleDepartmentMember}}) {
		t.Error("customer service sees the dashboard")
	}
}
