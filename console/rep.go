package console

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/console/chart"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
)

// 统计报表: the management reports of the API (server/reports*.go,
// server/assessment.go) as pages with charts, and links to the API's own
// Excel and CSV exports so what is downloaded is exactly the API's file.

// Who reads which report is the application's permission table (app.May,
// app.CompanyWide); the pages ask it only to decide what to offer (menu
// entry, links, forms), and each operation still decides its call.

// repCompanyWide reads every report of the company.
func repCompanyWide(a complaint.Actor) bool { return app.CompanyWide(a) }

// repMayComplaints reads the complaint analysis: company-wide, or a branch
// head their own branch's.
func repMayComplaints(a complaint.Actor) bool { return app.May(a, app.OpComplaintAnalysis) }

// repMayEvidence exports the ISO audit evidence.
func repMayEvidence(a complaint.Actor) bool { return app.May(a, app.OpAuditEvidence) }

// repMayAny opens at least one report: the menu entry.
func repMayAny(a complaint.Actor) bool { return repMayComplaints(a) }

func init() {
	register(area{name: "rep", nav: "rep.title", href: "/reports", allowed: repMayAny, order: 40,
		routes: func(cs *Console) []route {
			return []route{
				{method: http.MethodGet, pattern: "/reports", handle: cs.repIndex},
				{method: http.MethodGet, pattern: "/reports/complaints", handle: cs.repComplaints},
				{method: http.MethodGet, pattern: "/reports/satisfaction", handle: cs.repSatisfaction},
				{method: http.MethodGet, pattern: "/reports/departments", handle: cs.repDepartments},
				{method: http.MethodPost, pattern: "/reports/departments/checks", handle: cs.repPostCheck},
				{method: http.MethodPost, pattern: "/reports/departments/credits", handle: cs.repPostCredit},
				{method: http.MethodGet, pattern: "/reports/churn", handle: cs.repChurn},
			}
		}})
	addMessages(map[string]string{
		"rep.title": "统计报表", "rep.hint": "管理报告：投诉分析、满意度分析、部门考核和客户流失。图表下的数字与导出的 Excel、CSV 文件一致。",
		"rep.show": "查看", "rep.by": "期间类型", "rep.period": "期间", "rep.branch": "范围",
		"rep.whole_company": "全公司", "rep.hq": "总部", "rep.unassigned": "未分派",
		"rep.by.month": "月", "rep.by.quarter": "季度", "rep.by.half": "半年", "rep.by.year": "年",
		"rep.period_hint": "格式：月 2026-03，季度 2026Q1，半年 2026H1，年 2026。",
		"rep.covers":      "统计期间：%s 至 %s", "rep.download": "下载：", "rep.xlsx": "Excel 文件", "rep.csv": "CSV 文件",
		"rep.no_data": "本期没有数据", "rep.count": "数量", "rep.share": "占比", "rep.unit.count": "件", "rep.unit.hours": " 小时",
		"rep.yes": "是", "rep.no": "否", "rep.check_field": "请检查此项。系统说明：",
		"rep.bad_by": "期间类型只能是月、季度、半年或年。", "rep.bad_filter": "无法按这些条件生成报表，请按标出的提示修改。",
		"rep.who.complaints": "投诉分析报告供市场部、品质部、总经理、内审员、系统管理员和分公司负责人（本分公司）查看。",
		"rep.who.company":    "此报告供市场部、品质部、总经理、内审员和系统管理员查看。",
		"rep.month_label":    "%[1]d年%[2]d月", "rep.quarter_label": "%d年第%d季度", "rep.h1_label": "%d年上半年", "rep.h2_label": "%d年下半年",
		"rep.year_label": "%d年",
	}, map[string]string{
		"rep.title": "Reports", "rep.hint": "Management reports: complaint analysis, satisfaction, department assessment and customer churn. The figures match the Excel and CSV files you can download.",
		"rep.show": "Show", "rep.by": "Period type", "rep.period": "Period", "rep.branch": "Scope",
		"rep.whole_company": "Whole company", "rep.hq": "Head office", "rep.unassigned": "Not assigned",
		"rep.by.month": "Month", "rep.by.quarter": "Quarter", "rep.by.half": "Half year", "rep.by.year": "Year",
		"rep.period_hint": "Format: month 2026-03, quarter 2026Q1, half year 2026H1, year 2026.",
		"rep.covers":      "Period: %s to %s", "rep.download": "Download:", "rep.xlsx": "Excel file", "rep.csv": "CSV file",
		"rep.no_data": "No data in this period", "rep.count": "Count", "rep.share": "Share", "rep.unit.count": "", "rep.unit.hours": " h",
		"rep.yes": "yes", "rep.no": "no", "rep.check_field": "Please check this field. The system says:",
		"rep.bad_by": "The period type must be month, quarter, half year or year.", "rep.bad_filter": "The report cannot be made for these choices; please correct the marked field.",
		"rep.who.complaints": "The complaint analysis is for the market and quality departments, the general manager, internal auditors, administrators, and branch heads (their own branch).",
		"rep.who.company":    "This report is for the market and quality departments, the general manager, internal auditors and administrators.",
		"rep.month_label":    "%[3]s %[1]d", "rep.quarter_label": "Q%[2]d %[1]d", "rep.h1_label": "H1 %d", "rep.h2_label": "H2 %d",
		"rep.year_label": "%d",
	})
}

// ---- periods ---------------------------------------------------------------

// repPeriodKinds are the ways a report period is given, as the API's query
// parameters (reports.ParseQuery).
var repPeriodKinds = []string{"month", "quarter", "half", "year"}

// repPeriod is a period as the API takes it: the parameter and its value.
type repPeriod struct{ By, Value string }

// query is the period as API query parameters.
func (p repPeriod) query() url.Values { return url.Values{p.By: {p.Value}} }

// repCurrent is the value of the period of kind by that holds now.
func repCurrent(by string, now time.Time) string {
	y, m := now.Year(), int(now.Month())
	switch by {
	case "month":
		return fmt.Sprintf("%04d-%02d", y, m)
	case "quarter":
		return fmt.Sprintf("%04dQ%d", y, (m-1)/3+1)
	case "half":
		return fmt.Sprintf("%04dH%d", y, (m-1)/6+1)
	}
	return fmt.Sprintf("%04d", y)
}

// repPrevious is the value of the period of kind by just before the one that holds now.
func repPrevious(by string, now time.Time) string {
	first := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, now.Location())
	switch by {
	case "month":
		return repCurrent(by, first.AddDate(0, -1, 0))
	case "quarter":
		return repCurrent(by, first.AddDate(0, -3, 0))
	case "half":
		return repCurrent(by, first.AddDate(0, -6, 0))
	}
	return repCurrent(by, first.AddDate(-1, 0, 0))
}

// repPeriodLabel names a period value in words; a value it cannot read is
// shown as it is.
func repPeriodLabel(lang, by, v string) string {
	if len(v) < 4 {
		return v
	}
	y, err := strconv.Atoi(v[:4])
	if err != nil {
		return v
	}
	rest := v[4:]
	switch {
	case by == "month" && len(rest) == 3 && rest[0] == '-':
		if m, err := strconv.Atoi(rest[1:]); err == nil && m >= 1 && m <= 12 {
			return fmt.Sprintf(T(lang, "rep.month_label"), y, m, time.Month(m).String()[:3])
		}
	case by == "quarter" && len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') && rest[1] >= '1' && rest[1] <= '4':
		return fmt.Sprintf(T(lang, "rep.quarter_label"), y, int(rest[1]-'0'))
	case by == "half" && (strings.EqualFold(rest, "H1") || strings.EqualFold(rest, "H2")):
		if rest[1] == '1' {
			return fmt.Sprintf(T(lang, "rep.h1_label"), y)
		}
		return fmt.Sprintf(T(lang, "rep.h2_label"), y)
	case by == "year" && rest == "":
		return fmt.Sprintf(T(lang, "rep.year_label"), y)
	}
	return v
}

// repLabelOf names a kept version's period label (2026Q1, 2026H1, 2026, 2026-03).
func repLabelOf(lang, label string) string {
	by := "year"
	switch {
	case len(label) == 6 && (label[4] == 'Q' || label[4] == 'q'):
		by = "quarter"
	case len(label) == 6 && (label[4] == 'H' || label[4] == 'h'):
		by = "half"
	case len(label) == 7 && label[4] == '-':
		by = "month"
	}
	return repPeriodLabel(lang, by, label)
}

// ---- the filter form -------------------------------------------------------

// repInput is one input of a report's filter form.
type repInput struct {
	Name  string
	Label string // message key
	// Type is an input type (text, month, number) or "select".
	Type        string
	Value       string
	Placeholder string
	Options     []option
	// Error is the API's complaint about the input, shown next to it.
	Error string
}

// repChip is a quick link to a period.
type repChip struct {
	Href, Label string
	Active      bool
}

// repFilter is the form that picks what a report shows. It is a GET form:
// the page's address says what it shows and can be bookmarked.
type repFilter struct {
	Action string
	Inputs []repInput
	Chips  []repChip
	Hint   string // message key
}

// markError puts msg next to the input named field; false when there is none.
func (f *repFilter) markError(field, msg string) bool {
	for i := range f.Inputs {
		if f.Inputs[i].Name == field {
			f.Inputs[i].Error = msg
			return true
		}
	}
	return false
}

// repPeriodInputs are the period type and value inputs, offering kinds.
func repPeriodInputs(p repPeriod, kinds []string) []repInput {
	by := repInput{Name: "by", Label: "rep.by", Type: "select", Value: p.By}
	for _, k := range kinds {
		by.Options = append(by.Options, option{Value: k, Label: "rep.by." + k})
	}
	return []repInput{by, {Name: "period", Label: "rep.period", Type: "text", Value: p.Value, Placeholder: "2026Q1"}}
}

// repChipsFor links the current and the previous period of each kind, with
// the page's other parameters kept.
func repChipsFor(lang, path string, now time.Time, kinds []string, cur repPeriod, keep url.Values) []repChip {
	var out []repChip
	for _, k := range kinds {
		for _, v := range []string{repCurrent(k, now), repPrevious(k, now)} {
			q := url.Values{}
			for name, vs := range keep {
				if len(vs) > 0 && vs[0] != "" {
					q.Set(name, vs[0])
				}
			}
			q.Set("by", k)
			q.Set("period", v)
			out = append(out, repChip{Href: path + "?" + q.Encode(), Label: repPeriodLabel(lang, k, v),
				Active: cur.By == k && strings.EqualFold(cur.Value, v)})
		}
	}
	return out
}

// repReadPeriod reads by and period from the page's query, with the kinds
// allowed and the default when none is given; ok is false for a kind not
// offered.
func repReadPeriod(c *gin.Context, kinds []string, def repPeriod) (repPeriod, bool) {
	by, v := strings.TrimSpace(c.Query("by")), strings.TrimSpace(c.Query("period"))
	if by == "" && v == "" {
		return def, true
	}
	if by == "" {
		by = def.By
	}
	return repPeriod{By: by, Value: v}, slices.Contains(kinds, by)
}

// repAPIField is the input of the page that stands for an API query
// parameter: the period's parameters are the period input.
func repAPIField(field string) string {
	switch field {
	case "month", "quarter", "half", "year", "from", "to":
		return "period"
	}
	return field
}

// repRefused renders a report page's refusal: a 403 or a failure as the error
// page; a bad parameter next to its input on the page itself (render).
func (cs *Console) repRefused(c *gin.Context, r *Refusal, f *repFilter, render func(p page)) {
	p := cs.base(c, "rep.title")
	if r.Status != http.StatusBadRequest {
		cs.refuse(c, r)
		return
	}
	field := repAPIField(r.Field)
	msg := T(p.Lang, "rep.check_field")
	if r.Message != "" {
		msg += " " + r.Message
	}
	if f.markError(field, msg) {
		p.Error = T(p.Lang, "rep.bad_filter")
	} else {
		p.Error = explain(p.Lang, r)
	}
	render(p)
}

// repForbidden answers 403 with who may read the page.
func (cs *Console) repForbidden(c *gin.Context, who string) {
	p := cs.base(c, "error.title")
	p.Error = T(p.Lang, "refusal.403") + " " + T(p.Lang, who)
	cs.render(c, http.StatusForbidden, "error.html", p)
}

// ---- downloads -------------------------------------------------------------

// repLink is a download of the API's own export.
type repLink struct {
	Href, Label string
}

// repDownloads links the API endpoint's xlsx and csv exports for the query,
// headed in the page's language.
func repDownloads(lang, endpoint string, q url.Values) []repLink {
	var out []repLink
	for _, f := range []string{"xlsx", "csv"} {
		d := url.Values{}
		for k, v := range q {
			d[k] = v
		}
		d.Set("format", f)
		d.Set("lang", lang)
		out = append(out, repLink{Href: endpoint + "?" + d.Encode(), Label: T(lang, "rep."+f)})
	}
	return out
}

// ---- numbers ---------------------------------------------------------------

// repPct is a share as a percentage with one decimal; "—" when there is none.
func repPct(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// repNum is a figure with dec decimals; "—" when there is none.
func repNum(v *float64, dec int) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', dec, 64)
}

// repDelta is a change with its sign and, when there is a base, its ratio.
func repDelta(d int, share *float64) string {
	s := strconv.Itoa(d)
	if d > 0 {
		s = "+" + s
	}
	if share != nil {
		p := strconv.FormatFloat(*share*100, 'f', 1, 64) + "%"
		if *share > 0 {
			p = "+" + p
		}
		s += " (" + p + ")"
	}
	return s
}

// repPercent is a share as percentages for a chart, NaN where there is none.
func repPercent(r *float64) float64 {
	if r == nil {
		return math.NaN()
	}
	return *r * 100
}

// ---- counts ----------------------------------------------------------------

// repCountRow is one line of a count table.
type repCountRow struct {
	Label string
	Count int
	Share string
}

// repCounts is a count table with its chart.
type repCounts struct {
	Title string
	Chart template.HTML
	Rows  []repCountRow
	// Total is shown under the rows when set (the base of the shares).
	Total int
}

// repCountLabel names a counted key: the console's own words for an
// enumerated value (kind "category" → category.contract), else the API's label.
func repCountLabel(lang, kind string, c reports.Count) string {
	if kind != "" && c.Key != "" {
		if s, ok := lookup(lang, kind+"."+c.Key); ok {
			return s
		}
	}
	if c.Label != "" {
		return c.Label
	}
	return c.Key
}

// repChartStyle is how a count table's chart is drawn.
type repChartStyle int

const (
	repColumns  repChartStyle = iota // vertical bars, half the page wide
	repRows                          // horizontal bars for long names, half the page wide
	repWideRows                      // horizontal bars across the page
)

// repSmallAxis is the least top of a count axis: below it the axis would
// tick in halves of a complaint.
const repSmallAxis = 5

// repCountAxis fixes a count chart's axis at 0–5 when the counts are
// smaller, so it ticks in whole complaints.
func repCountAxis(spec *chart.Spec, top int) {
	if top < repSmallAxis {
		lo, hi := 0.0, float64(repSmallAxis)
		spec.Min, spec.Max = &lo, &hi
	}
}

// repCountTable lays counts out as a table and a bar chart.
func repCountTable(lang, titleKey, kind string, cs []reports.Count, style repChartStyle, label func(reports.Count) string) repCounts {
	if label == nil {
		label = func(c reports.Count) string { return repCountLabel(lang, kind, c) }
	}
	t := repCounts{Title: T(lang, titleKey)}
	spec := chart.Spec{Title: t.Title, Unit: T(lang, "rep.unit.count"), Empty: T(lang, "rep.no_data"), Width: 560}
	if style == repWideRows {
		spec.Width = 1040
	}
	vals := []float64{}
	top := 0
	for _, c := range cs {
		l := label(c)
		t.Rows = append(t.Rows, repCountRow{Label: l, Count: c.Count, Share: repPct(c.Share)})
		spec.Categories = append(spec.Categories, l)
		vals = append(vals, float64(c.Count))
		top = max(top, c.Count)
	}
	repCountAxis(&spec, top)
	spec.Series = []chart.Series{{Name: T(lang, "rep.count"), Values: vals}}
	if style == repColumns {
		t.Chart = chart.Bar(spec)
	} else {
		t.Chart = chart.HBar(spec)
	}
	return t
}

// repOrg is the organisation's departments and branches, by ID and listed.
func (cs *Console) repOrg(c *gin.Context) (map[string]org.Department, []org.Department, error) {
	ds, err := cs.ops.DepartmentList(c)
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]org.Department, len(ds))
	for _, d := range ds {
		m[d.ID] = d
	}
	return m, ds, nil
}
