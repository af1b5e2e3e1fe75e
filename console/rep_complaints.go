package console

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/console/chart"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
)

// 投诉分析: the complaint analysis report (季度客户投诉分析报告, 002 第二十七条)
// of GET /api/v1/reports/complaints for any month, quarter, half or year.

func init() {
	addMessages(map[string]string{
		"rep.complaints.title": "投诉分析", "rep.complaints.hint": "期间内收到的投诉：按类别、严重程度、投诉人类别、渠道、责任部门和分公司统计，处理时间、时限达标、升级、原因和直接损失，并与上期及去年同期比较。",
		"rep.c.total": "投诉总数", "rep.c.founded": "成立", "rep.c.not_founded": "不成立", "rep.c.reopened": "重新打开",
		"rep.c.reopen_rate": "重开率（占成立投诉）", "rep.c.reopenings": "共重开 %d 次", "rep.c.loss": "直接损失（元）", "rep.c.escalations": "升级次数",
		"rep.c.by_category": "按投诉类别", "rep.c.by_severity": "按严重程度", "rep.c.by_class": "按投诉人类别", "rep.c.by_channel": "按受理渠道",
		"rep.c.by_department": "按责任部门", "rep.c.by_branch": "按分公司",
		"rep.c.compare": "与上期和去年同期比较", "rep.c.this": "本期", "rep.c.previous": "上期", "rep.c.last_year": "去年同期", "rep.c.change": "变化",
		"rep.c.all":   "合计",
		"rep.c.steps": "各步骤处理时间与时限达标", "rep.c.steps_hint": "处理时间为步骤开始到完成的实际经过时间；达标指未超过该步骤自己的截止时间（按其时限规则计，可能是工作时间）。现行时限取自当前生效的时限政策中不区分类别和严重程度的规则。",
		"rep.c.step": "步骤", "rep.c.completed": "完成次数", "rep.c.median": "中位数（小时）", "rep.c.p90": "90 分位（小时）",
		"rep.c.target": "现行时限", "rep.c.within": "按时完成", "rep.c.compliance": "达标率",
		"rep.c.working": "%s 小时（工作时间）", "rep.c.calendar": "%s 小时（日历时间）",
		"rep.c.compliance_chart": "各步骤时限达标率", "rep.c.times_chart": "各步骤处理时间",
		"rep.c.dept_sla": "各责任部门时限达标", "rep.c.department": "责任部门",
		"rep.c.escalations_by": "按升级级别", "rep.c.cause_types": "原因类型（总结评价）", "rep.c.root_causes": "主要原因（前十）",
		"rep.class.A": "A 类", "rep.class.B": "B 类", "rep.class.C": "C 类",
	}, map[string]string{
		"rep.complaints.title": "Complaint analysis", "rep.complaints.hint": "The complaints received in the period: by category, severity, complainant class, channel, responsible department and branch; handling times, SLA compliance, escalations, causes and direct loss; against the previous period and the same period last year.",
		"rep.c.total": "Complaints", "rep.c.founded": "Founded", "rep.c.not_founded": "Not founded", "rep.c.reopened": "Reopened",
		"rep.c.reopen_rate": "Reopen rate (of founded)", "rep.c.reopenings": "%d reopenings in all", "rep.c.loss": "Direct loss (RMB)", "rep.c.escalations": "Escalations",
		"rep.c.by_category": "By category", "rep.c.by_severity": "By severity", "rep.c.by_class": "By complainant class", "rep.c.by_channel": "By channel",
		"rep.c.by_department": "By responsible department", "rep.c.by_branch": "By branch",
		"rep.c.compare": "Against the previous period and last year", "rep.c.this": "This period", "rep.c.previous": "Previous period", "rep.c.last_year": "Same period last year", "rep.c.change": "Change",
		"rep.c.all":   "All",
		"rep.c.steps": "Handling time and SLA compliance by step", "rep.c.steps_hint": "Handling time is the time that passed from a step's start to its completion; a step is within its SLA when it did not pass its own deadline (counted by its rule, possibly in working time). The current target is the active SLA policy's rule for any class and severity.",
		"rep.c.step": "Step", "rep.c.completed": "Completed", "rep.c.median": "Median (h)", "rep.c.p90": "90th percentile (h)",
		"rep.c.target": "Current target", "rep.c.within": "Within SLA", "rep.c.compliance": "Compliance",
		"rep.c.working": "%s h (working time)", "rep.c.calendar": "%s h (calendar time)",
		"rep.c.compliance_chart": "SLA compliance by step", "rep.c.times_chart": "Handling time by step",
		"rep.c.dept_sla": "SLA compliance by responsible department", "rep.c.department": "Department",
		"rep.c.escalations_by": "Escalations by level", "rep.c.cause_types": "Cause types (reviews)", "rep.c.root_causes": "Top root causes",
		"rep.class.A": "Class A", "rep.class.B": "Class B", "rep.class.C": "Class C",
	})
}

// repComplaintsView is the complaint analysis page's data.
type repComplaintsView struct {
	Filter    repFilter
	A         *reports.ComplaintAnalysis
	Covers    string
	Scope     string
	Downloads []repLink
	Loss      string
	// NotFoundedShare and ReopenRate are the report's shares in percent.
	NotFoundedShare, ReopenRate string
	// Escalated is the number of escalations made in the period.
	Escalated int
	Counts    []repCounts // category, severity, class, channel
	Wide      []repCounts // department, branch
	Compare   []repCompareRow
	// CompareChart sets the categories of the three periods side by side.
	CompareChart         template.HTML
	PrevCovers, LYCovers string
	Steps                []repStepRow
	ComplianceChart      template.HTML
	TimesChart           template.HTML
	DeptSLA              []repSLARow
	DeptChart            template.HTML
	Escalations, Causes  repCounts
	RootCauses           repCounts
}

// repCompareRow is one line of the comparison with the other periods.
type repCompareRow struct {
	Label                string
	Current, Prev, Last  int
	PrevDelta, LastDelta string
}

// repStepRow is one step's handling time and SLA compliance.
type repStepRow struct {
	Label, Median, P90, Target, Compliance string
	Completed, Within                      int
}

// repSLARow is one department's SLA compliance.
type repSLARow struct {
	Label, Compliance string
	Completed, Within int
}

func (cs *Console) repComplaints(c *gin.Context) {
	u := user(c)
	if !repMayComplaints(u.Actor) {
		cs.repForbidden(c, "rep.who.complaints")
		return
	}
	l := lang(c)
	now := cs.now().In(cs.loc)
	per, ok := repReadPeriod(c, repPeriodKinds, repPeriod{By: "quarter", Value: repCurrent("quarter", now)})
	branch := strings.TrimSpace(c.Query("branch"))
	byID, depts, err := cs.repOrg(c)
	if err != nil {
		cs.fail(c, err)
		return
	}
	v := &repComplaintsView{Filter: repFilter{Action: "/reports/complaints", Inputs: repPeriodInputs(per, repPeriodKinds), Hint: "rep.period_hint"}}
	// Company-wide readers pick a branch; a branch head reads their own,
	// which the API chooses when none is named.
	if repCompanyWide(u.Actor) {
		in := repInput{Name: "branch", Label: "rep.branch", Type: "select", Value: branch,
			Options: []option{{Value: "", Label: "rep.whole_company"}}}
		for _, d := range depts {
			if d.Kind == org.KindBranch {
				in.Options = append(in.Options, option{Value: d.ID, Text: d.Name})
			}
		}
		v.Filter.Inputs = append(v.Filter.Inputs, in)
	}
	v.Filter.Chips = repChipsFor(l, "/reports/complaints", now, repPeriodKinds, per, url.Values{"branch": {branch}})
	show := func(p page, status int) {
		p.Title = T(p.Lang, "rep.complaints.title")
		p.Data = v
		cs.render(c, status, "rep_complaints.html", p)
	}
	if !ok {
		cs.repRefused(c, &Refusal{Status: http.StatusBadRequest, Field: "by", Message: T(l, "rep.bad_by")}, &v.Filter,
			func(p page) { show(p, http.StatusBadRequest) })
		return
	}
	q := per.query()
	if branch != "" {
		q.Set("branch", branch)
	}
	period, r := repPeriodOf(q)
	var a reports.ComplaintAnalysis
	if r == nil {
		period.Branch = branch
		var err error
		a, err = cs.ops.ComplaintAnalysis(c, u.Actor, period)
		r = refusalOf(err)
	}
	if r != nil {
		cs.repRefused(c, r, &v.Filter, func(p page) { show(p, r.Status) })
		return
	}
	// The step targets are a help to read the times, not part of the report:
	// without them (a refusal) the column shows "—" rather than no page.
	var pol *complaint.Policy
	if active, err := cs.ops.ActivePolicy(c); err == nil {
		pol = &active
	}
	v.fill(l, a, pol, byID)
	v.Downloads = repDownloads(l, "/api/v1/reports/complaints", q)
	show(cs.base(c, "rep.complaints.title"), http.StatusOK)
}

// fill lays the analysis out for the page.
func (v *repComplaintsView) fill(l string, a reports.ComplaintAnalysis, pol *complaint.Policy, byID map[string]org.Department) {
	v.A = &a
	v.Covers = fmt.Sprintf(T(l, "rep.covers"), a.FromDate, a.ToDate)
	v.Scope = T(l, "rep.whole_company")
	if a.Branch != "" {
		v.Scope = a.Branch
		if d, ok := byID[a.Branch]; ok {
			v.Scope = d.Name
		}
	}
	v.Loss = money(a.DirectLoss)
	v.NotFoundedShare, v.ReopenRate = repPct(a.NotFoundedShare), repPct(a.ReopenRate)
	for _, e := range a.Escalations {
		v.Escalated += e.Count
	}
	dept := func(c reports.Count) string {
		if c.Key == "" {
			return T(l, "rep.unassigned")
		}
		return c.Label
	}
	branch := func(c reports.Count) string {
		if c.Key == "" {
			return T(l, "rep.hq")
		}
		return c.Label
	}
	v.Counts = []repCounts{
		repCountTable(l, "rep.c.by_category", "category", a.ByCategory, repColumns, nil),
		repCountTable(l, "rep.c.by_severity", "severity", a.BySeverity, repColumns, nil),
		repCountTable(l, "rep.c.by_class", "rep.class", a.ByClass, repColumns, nil),
		repCountTable(l, "rep.c.by_channel", "channel", a.ByChannel, repColumns, nil),
	}
	for i := range v.Counts {
		v.Counts[i].Total = a.Total
	}
	v.Wide = []repCounts{
		repCountTable(l, "rep.c.by_department", "", a.ByDepartment, repRows, dept),
		repCountTable(l, "rep.c.by_branch", "", a.ByBranch, repRows, branch),
	}
	v.Escalations = repCountTable(l, "rep.c.escalations_by", "level", a.Escalations, repColumns, nil)
	v.Causes = repCountTable(l, "rep.c.cause_types", "cause", a.CauseTypes, repColumns, nil)
	v.RootCauses = repCountTable(l, "rep.c.root_causes", "", a.RootCauses, repWideRows, nil)
	v.fillComparison(l, a)
	v.fillSteps(l, a, pol)
	var names []string
	var shares []*float64
	for _, d := range a.Departments {
		name := d.Label
		if d.Department == "" {
			name = T(l, "rep.unassigned")
		}
		v.DeptSLA = append(v.DeptSLA, repSLARow{Label: name, Completed: d.Completed, Within: d.WithinSLA, Compliance: repPct(d.Compliance)})
		names, shares = append(names, name), append(shares, d.Compliance)
	}
	v.DeptChart = repShareChart(l, T(l, "rep.c.dept_sla"), T(l, "rep.c.compliance"), names, shares, nil, "", 1040)
}

func (v *repComplaintsView) fillComparison(l string, a reports.ComplaintAnalysis) {
	p, y := a.PreviousPeriod, a.LastYear
	v.PrevCovers = p.FromDate + " – " + p.ToDate
	v.LYCovers = y.FromDate + " – " + y.ToDate
	v.Compare = append(v.Compare, repCompareRow{Label: T(l, "rep.c.all"), Current: a.Total, Prev: p.Total, Last: y.Total,
		PrevDelta: repDelta(p.Delta, p.DeltaShare), LastDelta: repDelta(y.Delta, y.DeltaShare)})
	// Both comparisons list the same categories in the same order (reports.Compare).
	last := map[complaint.Category]reports.CategoryDelta{}
	for _, d := range y.Categories {
		last[d.Category] = d
	}
	spec := chart.Spec{Title: T(l, "rep.c.compare"), Unit: T(l, "rep.unit.count"), Empty: T(l, "rep.no_data"), Width: 1040, Height: 260}
	cur, prev, ly := []float64{}, []float64{}, []float64{}
	top := max(a.Total, p.Total, y.Total)
	for _, d := range p.Categories {
		name := repCountLabel(l, "category", reports.Count{Key: string(d.Category), Label: d.Label})
		o := last[d.Category]
		v.Compare = append(v.Compare, repCompareRow{Label: name, Current: d.Current, Prev: d.Other, Last: o.Other,
			PrevDelta: repDelta(d.Delta, d.DeltaShare), LastDelta: repDelta(o.Delta, o.DeltaShare)})
		spec.Categories = append(spec.Categories, name)
		cur, prev, ly = append(cur, float64(d.Current)), append(prev, float64(d.Other)), append(ly, float64(o.Other))
	}
	repCountAxis(&spec, top)
	spec.Series = []chart.Series{
		{Name: T(l, "rep.c.this"), Values: cur},
		{Name: T(l, "rep.c.previous"), Values: prev},
		{Name: T(l, "rep.c.last_year"), Values: ly},
	}
	v.CompareChart = chart.Bar(spec)
}

func (v *repComplaintsView) fillSteps(l string, a reports.ComplaintAnalysis, pol *complaint.Policy) {
	times := chart.Spec{Title: T(l, "rep.c.times_chart"), Unit: T(l, "rep.unit.hours"), Empty: T(l, "rep.no_data"), Width: 560}
	median, p90 := []float64{}, []float64{}
	for _, s := range a.Steps {
		name := repCountLabel(l, "step", reports.Count{Key: string(s.Step), Label: s.Label})
		row := repStepRow{Label: name, Completed: s.Completed, Within: s.WithinSLA, Median: repNum(s.MedianHours, 1),
			P90: repNum(s.P90Hours, 1), Compliance: repPct(s.Compliance), Target: "—"}
		if pol != nil {
			row.Target = repTarget(l, pol.SLA(s.Step, "", ""))
		}
		v.Steps = append(v.Steps, row)
		times.Categories = append(times.Categories, name)
		median, p90 = append(median, repValue(s.MedianHours)), append(p90, repValue(s.P90Hours))
	}
	times.Series = []chart.Series{{Name: T(l, "rep.c.median"), Values: median}, {Name: T(l, "rep.c.p90"), Values: p90}}
	v.TimesChart = chart.HBar(times)
	shares := make([]*float64, len(a.Steps))
	for i, s := range a.Steps {
		shares[i] = s.Compliance
	}
	v.ComplianceChart = repShareChart(l, T(l, "rep.c.compliance_chart"), T(l, "rep.c.compliance"), times.Categories, shares, nil, "", 560)
}

// repTarget words a step's SLA rule: its time and how it is counted.
func repTarget(l string, r complaint.SLARule) string {
	if r.Target <= 0 {
		return "—"
	}
	h := strconv.FormatFloat(time.Duration(r.Target).Hours(), 'f', -1, 64)
	if r.Clock == complaint.ClockWorking {
		return fmt.Sprintf(T(l, "rep.c.working"), h)
	}
	return fmt.Sprintf(T(l, "rep.c.calendar"), h)
}

// repValue is a figure for a chart, NaN (no bar) when there is none.
func repValue(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

// repShareChart draws shares as percentages (0–100 %), one bar per label,
// with the target line when there is one; width is 560 for half the page,
// 1040 across it.
func repShareChart(l, title, series string, labels []string, shares []*float64, target *float64, targetLabel string, width int) template.HTML {
	lo, hi := 0.0, 100.0
	spec := chart.Spec{Title: title, Categories: labels, Unit: "%", Min: &lo, Max: &hi, Empty: T(l, "rep.no_data"), Width: width}
	vals := make([]float64, len(shares))
	for i, s := range shares {
		vals[i] = repPercent(s)
	}
	spec.Series = []chart.Series{{Name: series, Values: vals}}
	if target != nil {
		t := *target * 100
		spec.Target, spec.TargetLabel = &t, targetLabel
	}
	return chart.HBar(spec)
}
