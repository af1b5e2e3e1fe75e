package console

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/survey"
)

// The report pages read recorded API answers, built by marshalling the real
// report types so a change in their shape breaks these tests.

var (
	repGM      = complaint.Actor{ID: "g", Name: "周明", Roles: []org.Role{org.RoleGeneralManager}, Department: "gm-office"}
	repAuditor = complaint.Actor{ID: "a", Name: "孙丽", Roles: []org.Role{org.RoleInternalAuditor}, Department: "audit"}
	repMarket  = complaint.Actor{ID: "m", Name: "李强", Roles: []org.Role{org.RoleMarketDepartment}, Department: "market"}
	repBranch  = complaint.Actor{ID: "b", Name: "赵磊", Roles: []org.Role{org.RoleBranchHead}, Department: "branch-sh"}
	repMember  = complaint.Actor{ID: "e", Name: "张伟", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
)

// repNow is the console's clock in these tests: 2026-05-20 in Shanghai.
var repNow = time.Date(2026, 5, 20, 10, 0, 0, 0, Shanghai())

func repServe(f *fake) *httptest.Server {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	cs := New(f, f, nil)
	cs.now = func() time.Time { return repNow }
	mountPages(r, cs)
	return httptest.NewServer(r)
}

// calledPaths lists the API paths the pages asked for.
func calledPaths(f *fake) []string {
	var out []string
	for _, c := range f.calls {
		out = append(out, c.Method+" "+c.Path)
	}
	return out
}

func sampleAnalysis() reports.ComplaintAnalysis {
	a := reports.ComplaintAnalysis{Period: reports.Quarter(2026, 1), Total: 3, Founded: 2, NotFounded: 1, Reopened: 1, Reopenings: 2, DirectLoss: 3000.5}
	a.ByCategory = reports.Ordered(complaint.Categories, map[string]int{"contract": 2, "service_quality": 1}, reports.CategoryLabel, 3)
	a.BySeverity = reports.Ordered(complaint.Severities, map[string]int{"slight": 2, "general": 1}, reports.SeverityLabel, 3)
	a.ByClass = reports.Ordered(complaint.ComplainantClasses, map[string]int{"B": 1, "C": 2}, reports.ClassLabel, 3)
	a.ByChannel = reports.Ordered(complaint.Channels, map[string]int{"phone": 3}, reports.ChannelLabel, 3)
	a.ByDepartment = reports.ByCount(map[string]int{"engineering": 2, "": 1}, func(k string) string {
		if k == "" {
			return reports.Unassigned
		}
		return "工程部"
	}, 3)
	a.ByBranch = reports.ByCount(map[string]int{"": 2, "branch-sh": 1}, func(k string) string {
		if k == "" {
			return "总部"
		}
		return "上海分公司"
	}, 3)
	for _, st := range reports.StepOrder {
		f := reports.StepFigures{Step: st, Label: st.Label()}
		if st == complaint.StepValidation {
			f.Completed, f.MedianHours, f.P90Hours, f.WithinSLA, f.Compliance = 3, reports.Hours(3), reports.Hours(5.5), 2, reports.Ratio(2, 3)
		}
		a.Steps = append(a.Steps, f)
	}
	a.Departments = []reports.DepartmentSLA{{Department: "engineering", Label: "工程部", Completed: 3, WithinSLA: 2, Compliance: reports.Ratio(2, 3)}}
	a.Escalations = reports.Ordered(complaint.Levels[1:], map[string]int{"department_head": 2}, reports.LevelLabel, 0)
	a.CauseTypes = reports.Ordered(complaint.CauseTypes, map[string]int{"mechanism": 2}, reports.CauseTypeLabel, 2)
	a.RootCauses = reports.ByCount(map[string]int{"批次电容失效": 2}, func(k string) string { return k }, 0)
	a.PreviousPeriod = reports.Compare(&a, a.Period.Previous(), 2, map[string]int{"contract": 1, "service_quality": 1})
	a.LastYear = reports.Compare(&a, a.Period.LastYear(), 0, nil)
	a.Finish()
	return a
}

func TestRepMenuAndIndex(t *testing.T) {
	v := reports.Version{ID: 7, Kind: "complaints", Period: "2026Q1", Version: 2, Format: "xlsx", Size: 10240,
		CreatedAt: time.Date(2026, 4, 1, 0, 0, 5, 0, time.UTC), CreatedBy: "schedule"}
	versions := jsonAnswer(t, http.StatusOK, map[string]any{"items": []reports.Version{v}})

	f := &fake{actor: repMarket, api: map[string]Answer{"GET /api/v1/report-versions": versions}}
	srv := repServe(f)
	defer srv.Close()
	for _, l := range []string{"zh", "en"} {
		code, body := get(t, srv, "/reports", l)
		require.Equal(t, http.StatusOK, code, body)
		noMissing(t, "index "+l, body)
		require.Contains(t, body, `<a href="/reports" aria-current="page">`)
		for _, href := range []string{"/reports/complaints", "/reports/satisfaction", "/reports/departments", "/reports/churn"} {
			require.Contains(t, body, `href="`+href+`"`)
		}
		require.Contains(t, body, `href="/api/v1/report-versions/7" download>xlsx</a>`)
		require.Contains(t, body, "10.0 KB")
		require.Contains(t, body, "2026-04-01 08:00", "created at, in Shanghai time")
		require.NotContains(t, body, "audit-evidence", "the market department exports no ISO evidence")
	}
	_, zh := get(t, srv, "/reports", "zh")
	require.Contains(t, zh, "2026年第1季度")
	require.Contains(t, zh, "定时生成")

	// The auditor also exports the ISO evidence.
	f.actor = repAuditor
	_, body := get(t, srv, "/reports", "zh")
	require.Contains(t, body, `/api/v1/reports/audit-evidence?format=xlsx&amp;lang=zh&amp;quarter=2026Q2`)
	require.Contains(t, body, `/api/v1/reports/audit-evidence?format=csv&amp;lang=zh&amp;year=2025`)

	// A branch head reads the complaint analysis only, and lists no versions.
	f.actor, f.calls = repBranch, nil
	_, body = get(t, srv, "/reports", "zh")
	require.Contains(t, body, `href="/reports/complaints"`)
	require.NotContains(t, body, `href="/reports/satisfaction"`)
	require.NotContains(t, body, "rep-versions")
	require.Empty(t, calledPaths(f))

	// A department member has no menu entry, and each page says why not.
	f.actor = repMember
	_, work := get(t, srv, "/", "zh")
	require.NotContains(t, work, `href="/reports"`)
	f.calls = nil
	for _, path := range []string{"/reports", "/reports/complaints", "/reports/satisfaction", "/reports/departments", "/reports/churn"} {
		for _, l := range []string{"zh", "en"} {
			code, body := get(t, srv, path, l)
			require.Equal(t, http.StatusForbidden, code, path)
			noMissing(t, path, body)
			if l == "zh" {
				require.Contains(t, body, "您没有权限", path)
				require.Contains(t, body, "查看", path)
			} else {
				require.Contains(t, body, "not allowed", path)
			}
		}
	}
	require.Empty(t, calledPaths(f), "nothing is asked of the API for a page one may not see")
}

func TestRepComplaintAnalysisPage(t *testing.T) {
	a := sampleAnalysis()
	f := &fake{actor: repGM, api: map[string]Answer{
		"GET /api/v1/reports/complaints?quarter=2026Q1": jsonAnswer(t, http.StatusOK, a),
		"GET /api/v1/sla-policies/active":               jsonAnswer(t, http.StatusOK, complaint.DefaultPolicy()),
	}}
	srv := repServe(f)
	defer srv.Close()
	for _, l := range []string{"zh", "en"} {
		code, body := get(t, srv, "/reports/complaints?by=quarter&period=2026Q1", l)
		require.Equal(t, http.StatusOK, code, body)
		noMissing(t, l, body)
		require.Contains(t, body, `data-figure="total">3<`)
		require.Contains(t, body, `data-figure="not_founded_share">33.3%<`)
		require.Contains(t, body, `data-figure="reopen_rate">50.0%<`)
		require.Contains(t, body, `data-figure="escalations">2<`)
		require.Contains(t, body, `data-figure="direct_loss">3,000.50<`)
		require.Contains(t, body, "2026-01-01", "the period's first day")
		require.Contains(t, body, "2026-03-31", "the period's last day")
		require.Contains(t, body, ">&#43;1 (&#43;50.0%)<", "against the previous quarter (+ escaped)")
		require.Contains(t, body, ">&#43;3<", "against last year, which had none")
		require.Contains(t, body, "66.7%", "the share of contract complaints and the validation step's compliance")
		require.Contains(t, body, ">3.0<", "the validation step's median")
		require.Contains(t, body, ">5.5<", "the validation step's 90th percentile")
		require.Contains(t, body, "<svg", "charts")
		require.NotContains(t, body, "<script")
		require.Contains(t, body, "工程部")
		require.Contains(t, body, "批次电容失效")
		require.Contains(t, body, `<option value="branch-sh">上海分公司</option>`, "the branch filter")
		require.Contains(t, body, `href="/api/v1/reports/complaints?format=xlsx&amp;lang=`+l+`&amp;quarter=2026Q1"`)
		require.Contains(t, body, `href="/api/v1/reports/complaints?format=csv&amp;lang=`+l+`&amp;quarter=2026Q1"`)
		require.Contains(t, body, `<option value="quarter" selected>`)
		require.Contains(t, body, `name="period" value="2026Q1"`)
	}
	_, zh := get(t, srv, "/reports/complaints?by=quarter&period=2026Q1", "zh")
	for _, want := range []string{"合同投诉", "轻微", "B 类", "电话", "部门经理", "管理机制", "判定投诉", "8 小时（工作时间）", "24 小时（日历时间）", "未分派", "总部", "上海分公司"} {
		require.Contains(t, zh, want)
	}
	_, en := get(t, srv, "/reports/complaints?by=quarter&period=2026Q1", "en")
	for _, want := range []string{"contract", "slight", "Class B", "phone", "Department head", "management mechanism", "Validation", "8 h (working time)", "Not assigned", "Head office"} {
		require.Contains(t, en, want)
	}

	// With no period: the current quarter, with quick links to others.
	f.api["GET /api/v1/reports/complaints?quarter=2026Q2"] = jsonAnswer(t, http.StatusOK, a)
	code, body := get(t, srv, "/reports/complaints", "zh")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `name="period" value="2026Q2"`)
	require.Contains(t, body, `href="/reports/complaints?by=month&amp;period=2026-04">2026年4月</a>`)
	require.Contains(t, body, `href="/reports/complaints?by=half&amp;period=2025H2">2025年下半年</a>`)

	// A branch asked for goes to the API, and stays in the links.
	f.api["GET /api/v1/reports/complaints?branch=branch-sh&quarter=2026Q1"] = jsonAnswer(t, http.StatusOK, a)
	code, body = get(t, srv, "/reports/complaints?by=quarter&period=2026Q1&branch=branch-sh", "zh")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `<option value="branch-sh" selected>`)
	require.Contains(t, body, `?branch=branch-sh&amp;format=xlsx&amp;lang=zh&amp;quarter=2026Q1`)
}

func TestRepBranchHeadReadsOwnBranch(t *testing.T) {
	a := sampleAnalysis()
	a.Branch = "branch-sh"
	f := &fake{actor: repBranch, api: map[string]Answer{"GET /api/v1/reports/complaints?year=2026": jsonAnswer(t, http.StatusOK, a)}}
	srv := repServe(f)
	defer srv.Close()
	code, body := get(t, srv, "/reports/complaints?by=year&period=2026", "zh")
	require.Equal(t, http.StatusOK, code, body)
	require.NotContains(t, body, `name="branch"`, "a branch head picks no branch")
	require.Contains(t, body, "上海分公司", "the scope is named")
	require.Contains(t, body, "—", "no SLA targets without the policy")
}

func TestRepBadPeriodIsShownAtItsField(t *testing.T) {
	f := &fake{actor: repGM, api: map[string]Answer{
		"GET /api/v1/reports/complaints?quarter=2026Q5": refusalAnswer(http.StatusBadRequest, `quarter: must look like 2026Q1 (quarters 1 to 4), not "2026Q5"`, "quarter"),
	}}
	srv := repServe(f)
	defer srv.Close()
	for _, l := range []string{"zh", "en"} {
		code, body := get(t, srv, "/reports/complaints?by=quarter&period=2026Q5", l)
		require.Equal(t, http.StatusBadRequest, code, body)
		noMissing(t, l, body)
		require.Regexp(t, `name="period" value="2026Q5"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="period"[^>]*>[^<]*must look like 2026Q1`, body)
		require.NotContains(t, body, "<svg", "no report for a bad period")
		require.Contains(t, body, T(l, "rep.bad_filter"))
	}
	// A period type the API does not take is refused without asking it.
	f.calls = nil
	code, body := get(t, srv, "/reports/complaints?by=week&period=2026-20", "zh")
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Contains(t, body, `data-field="by"`)
	require.Empty(t, calledPaths(f))
	// Other refusals are the error page.
	f.api["GET /api/v1/reports/complaints?quarter=2026Q1"] = refusalAnswer(http.StatusForbidden, "reports is for: market_department", "")
	code, body = get(t, srv, "/reports/complaints?by=quarter&period=2026Q1", "zh")
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, "您没有权限")
}

func sampleSatisfaction() reports.SatisfactionReport {
	f := func(v float64) *float64 { return &v }
	stats := func(idx, rate float64, quality, service survey.DimensionStats) survey.Stats {
		return survey.Stats{Scale: "five_level", Answers: 10, Ratings: 20, Index: f(idx), SatisfactionRate: f(rate),
			Dimensions: []survey.DimensionStats{quality, service},
			BySegment:  []survey.Group{{Key: "device", Answers: 10, Ratings: 20, Index: f(idx), SatisfactionRate: f(rate)}},
			ByTier:     []survey.Group{{Key: "A", Answers: 6, Ratings: 12, Index: f(idx), SatisfactionRate: f(rate)}, {Key: "", Answers: 4, Ratings: 8, Index: f(idx), SatisfactionRate: f(rate)}}}
	}
	dim := func(code, name, owner string, avg float64, sat, dis int, comp *survey.CompetitorStats) survey.DimensionStats {
		r := float64(sat) / 10
		return survey.DimensionStats{Code: code, Name: name, OwnerDepartment: owner, Count: 10, Average: f(avg),
			SatisfiedCount: sat, DissatisfiedCount: dis, SatisfactionRate: &r, Competitor: comp}
	}
	cycles := []reports.SatisfactionCycle{
		{CycleID: "c1", ProgrammeID: "p1", ProgrammeName: "重点客户季度调查", ClosedAt: time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC),
			Stats: stats(80, 0.9, dim("product_quality", "产品质量", "engineering", 82, 9, 1, &survey.CompetitorStats{Count: 4, Average: f(75)}),
				dim("service", "服务", "market", 78, 9, 0, nil))},
		{CycleID: "c2", ProgrammeID: "p1", ProgrammeName: "重点客户季度调查", ClosedAt: time.Date(2026, 6, 20, 2, 0, 0, 0, time.UTC),
			Stats: stats(90, 1, dim("product_quality", "产品质量", "engineering", 92, 10, 0, &survey.CompetitorStats{Count: 4, Average: f(85)}),
				dim("service", "服务", "market", 88, 8, 0, nil))},
	}
	actions := []reports.SurveyAction{{ID: "a-1", CycleID: "c1", Dimension: "product_quality", Department: "engineering",
		Title: "改进出厂检验", Status: "closed", Resolution: "effective", Effective: true}}
	return reports.BuildSatisfaction(reports.Period{From: reports.Date(2026, 1, 1), To: reports.Date(2026, 7, 1)}, "", cycles, actions)
}

func TestRepSatisfactionPage(t *testing.T) {
	r := sampleSatisfaction()
	rules := assessment.DefaultRules()
	f := &fake{actor: repGM, api: map[string]Answer{
		"GET /api/v1/reports/satisfaction?half=2026H1": jsonAnswer(t, http.StatusOK, r),
		"GET /api/v1/reports/departments?month=2026-05": jsonAnswer(t, http.StatusOK, repMonthly{Month: "2026-05", Rules: rules,
			Departments: []assessment.DepartmentMonthScore{}}),
		"GET /api/v1/survey-programmes": jsonAnswer(t, http.StatusOK, map[string]any{"items": []survey.Definition{{ID: "p1", Name: "重点客户季度调查"}}}),
	}}
	srv := repServe(f)
	defer srv.Close()
	for _, l := range []string{"zh", "en"} {
		code, body := get(t, srv, "/reports/satisfaction", l)
		require.Equal(t, http.StatusOK, code, body)
		noMissing(t, l, body)
		require.Contains(t, body, `data-figure="cycles">2<`)
		require.Contains(t, body, `data-figure="answers">20<`)
		require.Contains(t, body, `data-figure="index">85.0<`)
		require.Contains(t, body, `data-figure="satisfaction_rate">95.0%<`)
		require.Contains(t, body, "95.0%", "the target")
		require.Contains(t, body, "产品质量")
		require.Contains(t, body, `<a href="/improvements/a-1">改进出厂检验</a>`)
		require.Contains(t, body, `<polyline`, "the trend line")
		require.Contains(t, body, "2026-03-31")
		require.Contains(t, body, "2026-06-20")
		require.Contains(t, body, "&#43;7.0", "ahead of the competitor: 87 against 80")
		require.Contains(t, body, `<option value="p1">重点客户季度调查</option>`)
		require.Contains(t, body, `href="/api/v1/reports/satisfaction?format=xlsx&amp;half=2026H1&amp;lang=`+l+`"`)
	}
	_, zh := get(t, srv, "/reports/satisfaction", "zh")
	require.Contains(t, zh, "已验证有效 1 / 1 项")
	require.Contains(t, zh, `<span class="badge rep-met">达标</span>`, "product quality: 19 of 20 satisfied, 95 %")
	require.Contains(t, zh, `<span class="badge rep-missed">未达标</span>`, "service: 17 of 20, 85 %")
	require.Contains(t, zh, "85.0%")
	require.Contains(t, zh, "（未填）")
	require.Contains(t, zh, "已关闭")
	require.Contains(t, zh, "工程部", "the owner department by name")

	// The programme picked goes to the API.
	f.api["GET /api/v1/reports/satisfaction?programme=p1&quarter=2026Q2"] = jsonAnswer(t, http.StatusOK, r)
	code, body := get(t, srv, "/reports/satisfaction?by=quarter&period=2026Q2&programme=p1", "en")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `<option value="p1" selected>`)
}

func sampleMonthly() repMonthly {
	rules := assessment.DefaultRules()
	eng := rules.Monthly(assessment.MonthInput{Department: "engineering", Name: "工程部", Month: "2026-04",
		Checks:     []assessment.AuditCheck{{ID: "chk-1", Department: "engineering", Month: "2026-04", Item: "服务规范执行", Earned: 45, Possible: 50}},
		Ratings:    []assessment.DimensionRating{{CycleID: "cyc-1", Dimension: "product_quality", Count: 10, Satisfied: 9}},
		Complaints: []assessment.ComplaintFact{{ID: cid, Number: "TS-2026-0001", Severity: complaint.SeverityMajor, Founded: true}}})
	mkt := rules.Monthly(assessment.MonthInput{Department: "market", Name: "市场部", Month: "2026-04"})
	return repMonthly{Month: "2026-04", Rules: rules, Departments: []assessment.DepartmentMonthScore{eng, mkt}}
}

func TestRepDepartmentAssessmentPage(t *testing.T) {
	m := sampleMonthly()
	f := &fake{actor: repGM, api: map[string]Answer{"GET /api/v1/reports/departments?month=2026-04": jsonAnswer(t, http.StatusOK, m)}}
	srv := repServe(f)
	defer srv.Close()
	eng := m.Departments[0]
	for _, l := range []string{"zh", "en"} {
		code, body := get(t, srv, "/reports/departments", l)
		require.Equal(t, http.StatusOK, code, "the previous month by default: %s", body)
		noMissing(t, l, body)
		require.Contains(t, body, "<svg")
		require.Contains(t, body, `<td class="num rep-score">`+formatScore(eng.Score)+`</td>`)
		require.Contains(t, body, "<details>", "the evidence folds out")
		require.Contains(t, body, `<a href="/complaints/`+cid+`">TS-2026-0001</a>`)
		require.Contains(t, body, `<a href="/surveys/cycles/cyc-1">cyc-1</a>`)
		require.Contains(t, body, "服务规范执行")
		require.Contains(t, body, eng.Complaints.Basis, "the API's calculation")
		require.Contains(t, body, `href="/api/v1/reports/departments?format=xlsx&amp;lang=`+l+`&amp;month=2026-04"`)
		require.NotContains(t, body, "rep-entry", "the general manager enters nothing")
	}
	_, zh := get(t, srv, "/reports/departments", "zh")
	require.Contains(t, zh, "不合格")
	require.Contains(t, zh, "标准化（50）")
	require.Contains(t, zh, "45 / 50")
	require.Contains(t, zh, "未计量", "the market department's survey part")

	// The yearly adjustment.
	rules := assessment.DefaultRules()
	y := repYearly{Year: 2026, Rules: rules, Departments: []assessment.DepartmentYearAdjustment{rules.Yearly(assessment.YearInput{
		Department: "engineering", Name: "工程部", Year: 2026,
		Credits: []assessment.AssessmentCredit{{ID: "cr-1", Kind: assessment.CreditCustomerAward, Points: 0.5, Reason: "客户锦旗"}},
	})}}
	f.api["GET /api/v1/reports/departments?year=2026"] = jsonAnswer(t, http.StatusOK, y)
	code, body := get(t, srv, "/reports/departments?by=year&period=2026", "zh")
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "客户锦旗")
	require.Contains(t, body, `<td class="num rep-score">0.5</td>`)
}

func formatScore(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRepAssessmentEntryForms(t *testing.T) {
	m := sampleMonthly()
	f := &fake{actor: repAuditor, api: map[string]Answer{
		"GET /api/v1/reports/departments?month=2026-04": jsonAnswer(t, http.StatusOK, m),
		"POST /api/v1/assessment/checks":                {Status: http.StatusCreated, Body: []byte(`{"id":"chk-2"}`)},
	}}
	srv := repServe(f)
	defer srv.Close()
	_, en := get(t, srv, "/reports/departments?by=month&period=2026-04", "en")
	noMissing(t, "entry forms", en)
	require.Contains(t, en, "Enter a standards check")
	_, body := get(t, srv, "/reports/departments?by=month&period=2026-04", "zh")
	require.Contains(t, body, `action="/reports/departments/checks"`)
	require.NotContains(t, body, `action="/reports/departments/credits"`, "credits are the market department's")
	require.Contains(t, body, `<option value="engineering">工程部</option>`)
	require.Contains(t, body, `name="month" value="2026-04"`)

	form := url.Values{"department": {"engineering"}, "month": {"2026-04"}, "item": {"服务规范执行"}, "earned": {"45"},
		"possible": {"50"}, "note": {"抽查10单"}, "view_by": {"month"}, "view_period": {"2026-04"}}
	code, loc := post(t, srv, "/reports/departments/checks", form, true)
	require.Equal(t, http.StatusSeeOther, code, loc)
	require.Equal(t, "/reports/departments?by=month&done=check&period=2026-04", loc)
	last := f.calls[len(f.calls)-1]
	require.Equal(t, "POST /api/v1/assessment/checks", last.Method+" "+last.Path)
	require.JSONEq(t, `{"department":"engineering","month":"2026-04","item":"服务规范执行","earned":45,"possible":50,"note":"抽查10单"}`, string(last.Body))
	_, body = get(t, srv, "/reports/departments?by=month&period=2026-04&done=check", "zh")
	require.Contains(t, body, "检查已录入")

	// The API's refusal comes back next to the field, with what was typed.
	f.api["POST /api/v1/assessment/checks"] = refusalAnswer(http.StatusBadRequest, "earned: must be from 0 to possible (50)", "earned")
	form.Set("earned", "60")
	code, body = post(t, srv, "/reports/departments/checks", form, true)
	require.Equal(t, http.StatusBadRequest, code, body)
	noMissing(t, "refused check", body)
	require.Regexp(t, `name="earned" value="60"[^>]*aria-invalid="true">\s*<span class="field-error" data-field="earned"[^>]*>[^<]*must be from 0 to possible`, body)
	require.Contains(t, body, `<details class="card rep-entry" open>`)
	require.Contains(t, body, `<option value="engineering" selected>`)
	require.Contains(t, body, "<svg", "the assessment is still shown")

	// Not a number: refused before the API is asked.
	n := len(f.calls)
	form.Set("possible", "fifty")
	code, body = post(t, srv, "/reports/departments/checks", form, true)
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Contains(t, body, `data-field="possible"`)
	for _, c := range f.calls[n:] {
		require.NotEqual(t, http.MethodPost, c.Method)
	}

	// Credits: the market department's; the auditor is refused in words.
	code, body = post(t, srv, "/reports/departments/credits", url.Values{"department": {"engineering"}}, true)
	require.Equal(t, http.StatusForbidden, code)
	require.Contains(t, body, "市场部")
	f.actor = repMarket
	f.api["POST /api/v1/assessment/credits"] = Answer{Status: http.StatusCreated, Body: []byte(`{"id":"cr-2"}`)}
	code, loc = post(t, srv, "/reports/departments/credits", url.Values{"department": {"engineering"}, "year": {"2026"},
		"kind": {"customer_award"}, "points": {""}, "reason": {"客户锦旗"}, "view_by": {"month"}, "view_period": {"2026-04"}}, true)
	require.Equal(t, http.StatusSeeOther, code, loc)
	require.Equal(t, "/reports/departments?by=year&done=credit&period=2026", loc)
	last = f.calls[len(f.calls)-1]
	require.JSONEq(t, `{"department":"engineering","year":2026,"kind":"customer_award","reason":"客户锦旗"}`, string(last.Body))
}

func TestRepChurnPage(t *testing.T) {
	vol := 80000.0
	score := 60.0
	r := reports.ChurnReport{Half: "2025H2", PreviousHalf: "2025H1", DeclineShare: 0.2, Customers: 5, Declined: 1, Lost: 1, New: 1,
		Flagged: []reports.ChurnCustomer{
			{CustomerID: "C1", Name: "华东电气", Status: reports.ChurnLost, PreviousVolume: 500000, Drop: 500000, DropShare: 1,
				Complaints: []reports.ChurnComplaint{{ID: cid, Number: "TS-2026-0001", Subject: "变频器返修", Category: "service_product",
					Status: "closed", ReceivedAt: time.Date(2026, 2, 1, 1, 0, 0, 0, time.UTC)}},
				LatestSurvey: &reports.ChurnSurvey{CycleID: "c1", AnsweredAt: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC), Scale: "five_level", Score: &score}},
			{CustomerID: "C2", Name: "华北机电", Status: reports.ChurnDeclined, PreviousVolume: 100000, Volume: &vol, Drop: 20000, DropShare: 0.2},
		}}
	f := &fake{actor: repGM, api: map[string]Answer{
		"GET /api/v1/reports/churn?half=2025H2":             jsonAnswer(t, http.StatusOK, r),
		"GET /api/v1/reports/churn?decline=0.3&half=2026H1": jsonAnswer(t, http.StatusOK, r),
		"GET /api/v1/reports/churn?decline=abc&half=2026H1": refusalAnswer(http.StatusBadRequest, "decline must be a share between 0 and 1, e.g. 0.2 for 20 %", "decline"),
	}}
	srv := repServe(f)
	defer srv.Close()
	for _, l := range []string{"zh", "en"} {
		code, body := get(t, srv, "/reports/churn", l)
		require.Equal(t, http.StatusOK, code, "the last half year by default: %s", body)
		noMissing(t, l, body)
		require.Contains(t, body, `data-figure="lost">1<`)
		require.Contains(t, body, `data-figure="customers">5<`)
		require.Contains(t, body, "500,000.00")
		require.Contains(t, body, "80,000.00")
		require.Contains(t, body, "20.0%")
		require.Contains(t, body, `<a href="/complaints/`+cid+`">TS-2026-0001</a>`)
		require.Contains(t, body, "2026-02-01 09:00")
		require.Contains(t, body, "60.0")
		require.Contains(t, body, `href="/api/v1/reports/churn?format=xlsx&amp;half=2025H2&amp;lang=`+l+`"`)
		require.Contains(t, body, `name="period" value="2025H2"`)
		require.NotContains(t, body, "audit-evidence", "the general manager exports no ISO evidence")
	}
	_, zh := get(t, srv, "/reports/churn?period=2026H1&decline=0.3", "zh")
	require.Contains(t, zh, "流失")
	require.Contains(t, zh, "服务产品投诉")
	require.Contains(t, zh, `name="decline" value="0.3"`)

	code, body := get(t, srv, "/reports/churn?period=2026H1&decline=abc", "zh")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body, `data-field="decline"`)

	f.actor = repAuditor
	_, body = get(t, srv, "/reports/churn", "zh")
	require.Contains(t, body, `href="/api/v1/reports/audit-evidence?format=xlsx&amp;half=2025H2&amp;lang=zh"`)
}

func TestRepPeriods(t *testing.T) {
	at := time.Date(2026, 1, 31, 12, 0, 0, 0, Shanghai())
	for by, want := range map[string][2]string{
		"month": {"2026-01", "2025-12"}, "quarter": {"2026Q1", "2025Q4"}, "half": {"2026H1", "2025H2"}, "year": {"2026", "2025"},
	} {
		require.Equal(t, want[0], repCurrent(by, at), by)
		require.Equal(t, want[1], repPrevious(by, at), by)
	}
	require.Equal(t, "2026-02", repPrevious("month", time.Date(2026, 3, 31, 0, 0, 0, 0, Shanghai())), "not March minus a month = 3 March")
	require.Equal(t, "2026年第1季度", repLabelOf("zh", "2026Q1"))
	require.Equal(t, "H2 2025", repLabelOf("en", "2025H2"))
	require.Equal(t, "Mar 2026", repLabelOf("en", "2026-03"))
	require.Equal(t, "2026年3月", repLabelOf("zh", "2026-03"))
	require.Equal(t, "2026Q9", repLabelOf("zh", "2026Q9"), "an unreadable label as it is")
	require.Equal(t, "1,234,567.50", money(1234567.5))
	require.Equal(t, "-1,000.00", money(-1000))
	require.Equal(t, "—", repPct(nil))
}
