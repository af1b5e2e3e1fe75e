package console

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/console/chart"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
)

// The management dashboard (管理看板): app.Dashboard drawn as headline
// tiles, SVG charts and the lists of overdue and escalated complaints.

func init() {
	addMessages(map[string]string{
		"dash.title": "管理看板", "dash.as_of": "数据截至 %s（%s）", "dash.scope": "范围：",
		"dash.scope.company": "全公司", "dash.scope.branch": "%s 涉及的投诉", "dash.scope.department": "%s 涉及的投诉",
		"dash.branch": "分公司", "dash.all_branches": "全部（全公司）", "dash.apply": "查看",
		"dash.tile.open": "在办投诉", "dash.tile.overdue": "已超期", "dash.tile.at_risk": "临近时限", "dash.tile.escalated": "已升级",
		"dash.tile.sla": "本季度时限达成率", "dash.tile.sla_change": "较上季度 %s", "dash.tile.no_change": "上季度无可比数据",
		"dash.tile.paused": "其中 %d 件暂停计时",
		"dash.chart.step":  "在办投诉按当前环节", "dash.chart.dept": "在办投诉按责任部门及时限状态",
		"dash.chart.sla": "时限达成率（近12个月，%s 至 %s）", "dash.chart.time": "处理时长（受理至结案，近12个月）",
		"dash.chart.quarter": "本季度与上季度", "dash.chart.volume": "受理与结案（近12个月）", "dash.chart.empty": "暂无数据",
		"dash.series.open": "在办", "dash.series.sla": "时限达成率", "dash.series.median": "中位数", "dash.series.p90": "90分位",
		"dash.unit.count": "件", "dash.unit.hours": "小时",
		"dash.unassigned": "未分派",
		"dash.overdue":    "超期投诉", "dash.escalated": "升级投诉",
		"dash.list.count": "共 %d 件，按紧急程度列出前 %d 件。", "dash.list.all": "共 %d 件。", "dash.list.empty": "没有。",
		"dash.col.department": "责任部门", "dash.col.late": "超时",
		"dash.late.working": "%s 工作小时", "dash.late.calendar": "%s 小时", "dash.paused": "暂停计时",
		"dash.quarter": "%d年第%d季度",
		"dash.q.title": "季度指标", "dash.q.metric": "指标", "dash.q.change": "变化",
		"dash.q.received": "受理", "dash.q.founded": "成立", "dash.q.not_founded": "不成立", "dash.q.closed": "结案",
		"dash.q.sla": "时限达成率", "dash.q.median": "处理时长中位数（小时）", "dash.q.p90": "处理时长90分位（小时）", "dash.q.escalations": "升级次数",
		"dash.pp":   "%s 个百分点",
		"dash.note": "时限达成率：期间受理的投诉中已完成环节按时完成的比例（与季度投诉分析报告口径一致）。处理时长：期间结案投诉从受理到结案的时长。",
	}, map[string]string{
		"dash.title": "Dashboard", "dash.as_of": "As of %s (%s)", "dash.scope": "Scope: ",
		"dash.scope.company": "Whole company", "dash.scope.branch": "Complaints %s is involved in", "dash.scope.department": "Complaints %s is involved in",
		"dash.branch": "Branch", "dash.all_branches": "All (whole company)", "dash.apply": "Show",
		"dash.tile.open": "Open complaints", "dash.tile.overdue": "Overdue", "dash.tile.at_risk": "At risk", "dash.tile.escalated": "Escalated",
		"dash.tile.sla": "SLA compliance this quarter", "dash.tile.sla_change": "%s on last quarter", "dash.tile.no_change": "Nothing to compare last quarter",
		"dash.tile.paused": "%d with the clock paused",
		"dash.chart.step":  "Open complaints by current step", "dash.chart.dept": "Open complaints by department and SLA status",
		"dash.chart.sla": "SLA compliance (last 12 months, %s to %s)", "dash.chart.time": "Handling time (receipt to closing, last 12 months)",
		"dash.chart.quarter": "This quarter against the last", "dash.chart.volume": "Received and closed (last 12 months)", "dash.chart.empty": "No data yet",
		"dash.series.open": "Open", "dash.series.sla": "SLA compliance", "dash.series.median": "Median", "dash.series.p90": "90th percentile",
		"dash.unit.count": "", "dash.unit.hours": " h",
		"dash.unassigned": "Not assigned",
		"dash.overdue":    "Overdue complaints", "dash.escalated": "Escalated complaints",
		"dash.list.count": "%d in all; the %d most urgent are listed.", "dash.list.all": "%d in all.", "dash.list.empty": "None.",
		"dash.col.department": "Department", "dash.col.late": "Late by",
		"dash.late.working": "%s working h", "dash.late.calendar": "%s h", "dash.paused": "clock paused",
		"dash.quarter": "Q%[2]d %[1]d",
		"dash.q.title": "Quarterly figures", "dash.q.metric": "Figure", "dash.q.change": "Change",
		"dash.q.received": "Received", "dash.q.founded": "Founded", "dash.q.not_founded": "Not founded", "dash.q.closed": "Closed",
		"dash.q.sla": "SLA compliance", "dash.q.median": "Median handling time (h)", "dash.q.p90": "90th percentile handling time (h)", "dash.q.escalations": "Escalations",
		"dash.pp":   "%s pp",
		"dash.note": "SLA compliance: the share of the completed steps of the complaints received in the period that were done in time (as the quarterly complaint analysis counts it). Handling time: from receipt to closing, of the complaints closed in the period.",
	})
	register(area{name: "dash", nav: "dash.title", href: "/dashboard", allowed: mayDashboard, order: 15,
		routes: func(cs *Console) []route {
			return []route{{method: http.MethodGet, pattern: "/dashboard", handle: cs.dashPage}}
		}})
}

// mayDashboard: the operation's rule (company-wide report readers, branch
// and department heads) keeps the menu entry from those it would refuse.
func mayDashboard(a complaint.Actor) bool { return app.May(a, app.OpDashboard) }

// dashData is the dashboard as the operation answers it (app.Dashboard).
type dashData = reports.Dashboard

// dashView is the page's data, every figure already in words.
type dashView struct {
	AsOf, Scope string
	// Branches is the branch filter, for company-wide readers; Branch the one chosen.
	Branches []org.Department
	Branch   string
	Tiles    []dashTile
	Charts   []dashChart
	Quarter  dashQuarterTable
	Lists    []dashList
}

type dashTile struct {
	Label, Value, Note, Class, Href string
}

type dashChart struct {
	// Class styles the chart (the SLA split's colours); SVG is the drawing.
	Class string
	SVG   template.HTML
}

type dashQuarterTable struct {
	Previous, Current string
	Rows              []dashRow
}

type dashRow struct{ Label, Previous, Current, Change string }

type dashList struct {
	ID, Title, Summary string
	Items              []dashItem
}

type dashItem struct {
	ID, Number, Subject, Step, Department, Due, Late, Level, SLA string
}

func (cs *Console) dashPage(c *gin.Context) {
	branch := strings.TrimSpace(c.Query("branch"))
	d, err := cs.ops.Dashboard(c, user(c).Actor, app.DashboardInput{Branch: branch, Location: cs.loc})
	if r := refusalOf(err); r != nil {
		cs.refuse(c, r)
		return
	}
	p := cs.base(c, "dash.title")
	v := dashView{Branch: branch}
	if repCompanyWide(user(c).Actor) {
		depts, err := cs.ops.DepartmentList(c)
		if err != nil {
			cs.fail(c, err)
			return
		}
		for _, dp := range depts {
			if dp.Kind == org.KindBranch {
				v.Branches = append(v.Branches, dp)
			}
		}
	}
	cs.dashFill(&v, &d, p.Lang)
	p.Data = v
	cs.render(c, http.StatusOK, "dash_page.html", p)
}

// dashFill puts the API's figures in words and charts.
func (cs *Console) dashFill(v *dashView, d *dashData, lang string) {
	tr := func(key string, args ...any) string { return fmt.Sprintf(T(lang, key), args...) }
	v.AsOf = tr("dash.as_of", d.AsOf.In(cs.loc).Format("2006-01-02 15:04"), d.TimeZone)
	switch d.Scope.Kind {
	case "branch":
		v.Scope = tr("dash.scope.branch", d.Scope.Name)
	case "department":
		v.Scope = tr("dash.scope.department", d.Scope.Name)
	default:
		v.Scope = T(lang, "dash.scope.company")
		if d.Scope.Branch != "" {
			v.Scope = d.Scope.Name
		}
	}

	cur, prev := d.Quarters.Current, d.Quarters.Previous
	open := dashTile{Label: T(lang, "dash.tile.open"), Value: fmt.Sprint(d.Open.Total)}
	if d.Open.Paused > 0 {
		open.Note = tr("dash.tile.paused", d.Open.Paused)
	}
	sla := dashTile{Label: T(lang, "dash.tile.sla"), Value: dashPercent(cur.SLACompliance), Note: T(lang, "dash.tile.no_change")}
	if ch := dashPointsChange(lang, prev.SLACompliance, cur.SLACompliance); ch != "" {
		sla.Note = tr("dash.tile.sla_change", ch)
	}
	v.Tiles = []dashTile{
		open,
		{Label: T(lang, "dash.tile.overdue"), Value: fmt.Sprint(d.Open.Breached), Class: alertIf(d.Open.Breached, "sla-breached"), Href: "#overdue"},
		{Label: T(lang, "dash.tile.at_risk"), Value: fmt.Sprint(d.Open.AtRisk), Class: alertIf(d.Open.AtRisk, "sla-at_risk")},
		{Label: T(lang, "dash.tile.escalated"), Value: fmt.Sprint(d.Open.Escalated), Class: alertIf(d.Open.Escalated, "escalated"), Href: "#escalated"},
		sla,
	}

	v.Charts = []dashChart{
		{SVG: cs.dashStepChart(d, lang)},
		{Class: "dash-sla-split", SVG: cs.dashDeptChart(d, lang)},
		{SVG: cs.dashSLAChart(d, lang)},
		{SVG: cs.dashTimeChart(d, lang)},
		{SVG: cs.dashVolumeChart(d, lang)},
		{SVG: cs.dashQuarterChart(d, lang)},
	}

	v.Quarter = dashQuarterTable{Previous: dashQuarterLabel(lang, prev.Quarter), Current: dashQuarterLabel(lang, cur.Quarter)}
	count := func(key string, p, c int) dashRow {
		return dashRow{Label: T(lang, key), Previous: fmt.Sprint(p), Current: fmt.Sprint(c), Change: dashSigned(float64(c - p))}
	}
	hours := func(key string, p, c *float64) dashRow {
		r := dashRow{Label: T(lang, key), Previous: oneDecimal(p), Current: oneDecimal(c)}
		if p != nil && c != nil {
			r.Change = dashSigned(*c - *p)
		}
		return r
	}
	v.Quarter.Rows = []dashRow{
		count("dash.q.received", prev.Received, cur.Received),
		count("dash.q.founded", prev.Founded, cur.Founded),
		count("dash.q.not_founded", prev.NotFounded, cur.NotFounded),
		{Label: T(lang, "dash.q.sla"), Previous: dashPercent(prev.SLACompliance), Current: dashPercent(cur.SLACompliance),
			Change: dashPointsChange(lang, prev.SLACompliance, cur.SLACompliance)},
		count("dash.q.closed", prev.Closed, cur.Closed),
		hours("dash.q.median", prev.MedianHours, cur.MedianHours),
		hours("dash.q.p90", prev.P90Hours, cur.P90Hours),
		count("dash.q.escalations", prev.Escalations, cur.Escalations),
	}

	v.Lists = []dashList{cs.dashList("overdue", &d.Overdue, lang), cs.dashList("escalated", &d.Escalated, lang)}
}

func (cs *Console) dashList(id string, u *reports.DashboardUrgentList, lang string) dashList {
	l := dashList{ID: id, Title: T(lang, "dash."+id)}
	switch {
	case u.Total == 0:
		l.Summary = T(lang, "dash.list.empty")
	case u.Total > len(u.Items):
		l.Summary = fmt.Sprintf(T(lang, "dash.list.count"), u.Total, len(u.Items))
	default:
		l.Summary = fmt.Sprintf(T(lang, "dash.list.all"), u.Total)
	}
	for _, e := range u.Items {
		it := dashItem{ID: e.ID, Number: e.Number, Subject: e.Subject, Step: dashStepLabel(lang, string(e.Status)),
			Department: e.DepartmentName, Due: cs.fmtTime(e.DueAt), Level: dashLevelLabel(lang, e.EscalationLevel),
			SLA: string(e.SLAStatus)}
		if it.Department == "" {
			it.Department = T(lang, "dash.unassigned")
		}
		if e.LateSeconds != nil {
			h := fmt.Sprintf("%.1f", float64(*e.LateSeconds)/3600)
			it.Late = fmt.Sprintf(T(lang, "dash.late.calendar"), h)
			if e.LateClock == complaint.ClockWorking {
				it.Late = fmt.Sprintf(T(lang, "dash.late.working"), h)
			}
		}
		if e.Paused {
			it.Late = strings.TrimPrefix(it.Late+" · "+T(lang, "dash.paused"), " · ")
		}
		l.Items = append(l.Items, it)
	}
	return l
}

func (cs *Console) dashStepChart(d *dashData, lang string) template.HTML {
	var cats []string
	var vals []float64
	for _, g := range d.Open.ByStep {
		cats = append(cats, dashStepLabel(lang, g.Key))
		vals = append(vals, float64(g.Total))
	}
	return chart.Bar(chart.Spec{Title: T(lang, "dash.chart.step"), Caption: true, Categories: cats,
		Series: []chart.Series{{Name: T(lang, "dash.series.open"), Values: vals}}, Unit: T(lang, "dash.unit.count"),
		Max: countAxis(vals), Empty: T(lang, "dash.chart.empty")})
}

// dashDeptChart stacks each department's open complaints by SLA status. The
// series' colours are set by the page's style sheet (class dash-sla-split):
// green, amber and red as on the badges.
func (cs *Console) dashDeptChart(d *dashData, lang string) template.HTML {
	var cats []string
	var totals []float64
	on, risk, late := []float64{}, []float64{}, []float64{}
	for _, g := range d.Open.ByDepartment {
		totals = append(totals, float64(g.Total))
		label := g.Label
		if g.Key == "" {
			label = T(lang, "dash.unassigned")
		}
		cats = append(cats, label)
		on, risk, late = append(on, float64(g.OnTrack)), append(risk, float64(g.AtRisk)), append(late, float64(g.Breached))
	}
	return chart.HBar(chart.Spec{Title: T(lang, "dash.chart.dept"), Caption: true, Categories: cats, Stacked: true,
		Series: []chart.Series{{Name: T(lang, "sla.on_track"), Values: on}, {Name: T(lang, "sla.at_risk"), Values: risk}, {Name: T(lang, "sla.breached"), Values: late}},
		Unit:   T(lang, "dash.unit.count"), Max: countAxis(totals), Empty: T(lang, "dash.chart.empty")})
}

func (cs *Console) dashSLAChart(d *dashData, lang string) template.HTML {
	var cats []string
	var vals []float64
	for _, m := range d.Trend {
		cats = append(cats, dashMonthLabel(lang, m.From.In(cs.loc)))
		vals = append(vals, dashRatioPercent(m.SLACompliance))
	}
	title := T(lang, "dash.chart.sla")
	if n := len(d.Trend); n > 0 {
		title = fmt.Sprintf(title, d.Trend[0].Month, d.Trend[n-1].Month)
	}
	lo, hi := 0.0, 100.0
	return chart.Line(chart.Spec{Title: title, Caption: true, Categories: cats, Min: &lo, Max: &hi, Unit: "%",
		Series: []chart.Series{{Name: T(lang, "dash.series.sla"), Values: vals}}, Empty: T(lang, "dash.chart.empty")})
}

func (cs *Console) dashTimeChart(d *dashData, lang string) template.HTML {
	var cats []string
	var median, p90 []float64
	for _, m := range d.Trend {
		cats = append(cats, dashMonthLabel(lang, m.From.In(cs.loc)))
		median, p90 = append(median, orNaN(m.MedianHours)), append(p90, orNaN(m.P90Hours))
	}
	lo := 0.0
	return chart.Line(chart.Spec{Title: T(lang, "dash.chart.time"), Caption: true, Categories: cats, Min: &lo,
		Series: []chart.Series{{Name: T(lang, "dash.series.median"), Values: median}, {Name: T(lang, "dash.series.p90"), Values: p90}},
		Unit:   T(lang, "dash.unit.hours"), Empty: T(lang, "dash.chart.empty")})
}

func (cs *Console) dashVolumeChart(d *dashData, lang string) template.HTML {
	var cats []string
	var received, closed []float64
	for _, m := range d.Trend {
		cats = append(cats, dashMonthLabel(lang, m.From.In(cs.loc)))
		received, closed = append(received, float64(m.Received)), append(closed, float64(m.Closed))
	}
	return chart.Bar(chart.Spec{Title: T(lang, "dash.chart.volume"), Caption: true, Categories: cats,
		Series: []chart.Series{{Name: T(lang, "dash.q.received"), Values: received}, {Name: T(lang, "dash.q.closed"), Values: closed}},
		Unit:   T(lang, "dash.unit.count"), Max: countAxis(append(received, closed...)), Empty: T(lang, "dash.chart.empty")})
}

func (cs *Console) dashQuarterChart(d *dashData, lang string) template.HTML {
	cur, prev := d.Quarters.Current, d.Quarters.Previous
	keys := []string{"dash.q.received", "dash.q.founded", "dash.q.not_founded", "dash.q.closed", "dash.q.escalations"}
	figures := func(p reports.DashboardQuarter) []float64 {
		return []float64{float64(p.Received), float64(p.Founded), float64(p.NotFounded), float64(p.Closed), float64(p.Escalations)}
	}
	var cats []string
	for _, k := range keys {
		cats = append(cats, T(lang, k))
	}
	return chart.Bar(chart.Spec{Title: T(lang, "dash.chart.quarter"), Caption: true, Categories: cats,
		Series: []chart.Series{{Name: dashQuarterLabel(lang, prev.Quarter), Values: figures(prev)}, {Name: dashQuarterLabel(lang, cur.Quarter), Values: figures(cur)}},
		Unit:   T(lang, "dash.unit.count"), Max: countAxis(append(figures(prev), figures(cur)...)), Empty: T(lang, "dash.chart.empty")})
}

// countAxis fixes a count chart's axis at 0–5 while the counts are small, so
// its ticks are whole complaints rather than 0.2 of one; nil lets the chart
// fit larger counts.
func countAxis(vals []float64) *float64 {
	if slices.Max(append(vals, 0)) >= 5 {
		return nil
	}
	five := 5.0
	return &five
}

func dashStepLabel(lang, step string) string {
	if s, ok := lookup(lang, "step."+step); ok {
		return s
	}
	return step
}

func dashLevelLabel(lang string, l complaint.Level) string {
	if s, ok := lookup(lang, "level."+string(l)); ok {
		return s
	}
	return string(l)
}

// dashMonthLabel names a month briefly: 6月, Jun; the chart's title gives the years.
func dashMonthLabel(lang string, t time.Time) string {
	if lang == "en" {
		return t.Format("Jan")
	}
	return fmt.Sprintf("%d月", t.Month())
}

// dashQuarterLabel words a quarter such as 2026Q2: 2026年第2季度, Q2 2026.
func dashQuarterLabel(lang, q string) string {
	var y, n int
	if _, err := fmt.Sscanf(q, "%dQ%d", &y, &n); err != nil {
		return q
	}
	return fmt.Sprintf(T(lang, "dash.quarter"), y, n)
}

// dashPercent shows a ratio as a percentage with one decimal; — for none.
func dashPercent(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *r*100)
}

func dashRatioPercent(r *float64) float64 {
	if r == nil {
		return math.NaN()
	}
	return math.Round(*r*1000) / 10
}

// dashPointsChange is the change between two ratios in percentage points, or ""
// when either is missing.
func dashPointsChange(lang string, from, to *float64) string {
	if from == nil || to == nil {
		return ""
	}
	return fmt.Sprintf(T(lang, "dash.pp"), dashSigned((*to-*from)*100))
}

// dashSigned shows a change with its sign and at most one decimal.
func dashSigned(v float64) string {
	v = math.Round(v*10) / 10
	s := fmt.Sprintf("%.1f", v)
	if v == math.Trunc(v) {
		s = fmt.Sprintf("%.0f", v)
	}
	switch {
	case v > 0:
		return "+" + s
	case v == 0:
		return "±0"
	}
	return strings.Replace(s, "-", "−", 1)
}

func oneDecimal(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f", *v)
}

func orNaN(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

func alertIf(n int, class string) string {
	if n > 0 {
		return class
	}
	return ""
}
