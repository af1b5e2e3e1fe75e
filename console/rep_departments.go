package console

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/console/chart"
	"github.com/cxflow/cxflow/org"
)

// 部门考核: the department assessment of GET /api/v1/reports/departments —
// the monthly service score (考评办法) or the yearly adjustment (002 第二十九条)
// — with the evidence behind every figure, and the forms that feed it: the
// internal auditor's standards checks and the market department's credits.

func init() {
	addMessages(map[string]string{
		"rep.departments.title": "部门考核", "rep.departments.hint": "月度服务考评：标准化检查、满意度调查和客户投诉三部分按权重计分；年度考核加减分：满意度工作、客户表彰加分与重大投诉扣分。展开每个部门可看到每个分数所依据的记录。",
		"rep.d.month_view": "月度服务考评 %s", "rep.d.year_view": "年度考核加减分 %d",
		"rep.d.department": "部门", "rep.d.standards": "标准化（%s）", "rep.d.survey": "满意度（%s）", "rep.d.complaints": "投诉（%s）",
		"rep.d.score": "得分", "rep.d.rating": "等级", "rep.d.rate": "满意率", "rep.d.head_penalty": "负责人扣分",
		"rep.d.excellent": "优秀", "rep.d.pass": "合格", "rep.d.fail": "不合格",
		"rep.d.rules":       "评分规则：≥ %s 分为优秀，≥ %s 分为合格；未计量的部分不计入满分。",
		"rep.d.score_chart": "各部门月度得分", "rep.d.pass_line": "合格 %s",
		"rep.d.evidence": "计分依据（%d 条记录）", "rep.d.item": "项目", "rep.d.points": "得分", "rep.d.basis": "计算", "rep.d.records": "依据记录",
		"rep.d.not_measured": "未计量", "rep.d.none": "无",
		"rep.d.item.standards": "标准化检查", "rep.d.item.survey": "满意度调查", "rep.d.item.complaints": "客户投诉",
		"rep.d.item.head_penalty": "单位负责人扣分", "rep.d.item.satisfaction_work": "满意度工作加分", "rep.d.item.awards": "客户表彰加分",
		"rep.d.item.bonus": "加分合计", "rep.d.item.major_complaints": "重大投诉扣分",
		"rep.d.ev.audit_check": "标准化检查", "rep.d.ev.survey_cycle": "调查轮次", "rep.d.ev.complaint": "投诉", "rep.d.ev.credit": "加分记录",
		"rep.d.sat_work": "满意度工作", "rep.d.awards": "客户表彰", "rep.d.bonus": "加分合计", "rep.d.major": "重大投诉", "rep.d.total": "合计",
		"rep.d.no_departments": "没有部门。",
		"rep.d.check.title":    "录入标准化检查", "rep.d.check.hint": "内审员按月录入各部门的标准化检查得分，计入该月的标准化部分。",
		"rep.d.check.submit": "录入检查", "rep.d.check.done": "检查已录入。",
		"rep.d.credit.title": "录入年度加分", "rep.d.credit.hint": "市场部录入满意度工作加分（每年最多 %s 分）或客户表彰（每次 %s 分，不必填写分数）。",
		"rep.d.credit.submit": "录入加分", "rep.d.credit.done": "加分已录入。",
		"rep.d.f.department": "部门", "rep.d.f.month": "月份", "rep.d.f.item": "检查项目", "rep.d.f.earned": "得分", "rep.d.f.possible": "满分",
		"rep.d.f.note": "说明", "rep.d.f.year": "年度", "rep.d.f.kind": "类型", "rep.d.f.points": "分数", "rep.d.f.reason": "理由",
		"rep.d.kind.satisfaction_work": "满意度工作", "rep.d.kind.customer_award": "客户表彰",
		"rep.d.who_check":  "只有内审员可以录入标准化检查。",
		"rep.d.who_credit": "只有市场部或系统管理员可以录入年度加分。",
		"rep.d.bad_number": "请填写数字。",
	}, map[string]string{
		"rep.departments.title": "Department assessment", "rep.departments.hint": "Monthly service score: standards checks, the satisfaction survey and customer complaints, by their weights; yearly adjustment: credits for satisfaction work and customer awards, deductions for major complaints. Open a department to see the records behind each figure.",
		"rep.d.month_view": "Monthly service score %s", "rep.d.year_view": "Yearly adjustment %d",
		"rep.d.department": "Department", "rep.d.standards": "Standards (%s)", "rep.d.survey": "Survey (%s)", "rep.d.complaints": "Complaints (%s)",
		"rep.d.score": "Score", "rep.d.rating": "Rating", "rep.d.rate": "Satisfaction rate", "rep.d.head_penalty": "Unit head deduction",
		"rep.d.excellent": "excellent", "rep.d.pass": "pass", "rep.d.fail": "fail",
		"rep.d.rules":       "Rules: %s or more is excellent, %s or more a pass; parts not measured do not count towards the maximum.",
		"rep.d.score_chart": "Monthly score by department", "rep.d.pass_line": "pass %s",
		"rep.d.evidence": "How it was scored (%d records)", "rep.d.item": "Item", "rep.d.points": "Points", "rep.d.basis": "Calculation", "rep.d.records": "Records",
		"rep.d.not_measured": "not measured", "rep.d.none": "none",
		"rep.d.item.standards": "Standards checks", "rep.d.item.survey": "Satisfaction survey", "rep.d.item.complaints": "Customer complaints",
		"rep.d.item.head_penalty": "Unit head deduction", "rep.d.item.satisfaction_work": "Satisfaction work", "rep.d.item.awards": "Customer awards",
		"rep.d.item.bonus": "Credits in all", "rep.d.item.major_complaints": "Major complaints",
		"rep.d.ev.audit_check": "standards check", "rep.d.ev.survey_cycle": "survey cycle", "rep.d.ev.complaint": "complaint", "rep.d.ev.credit": "credit",
		"rep.d.sat_work": "Satisfaction work", "rep.d.awards": "Customer awards", "rep.d.bonus": "Credits", "rep.d.major": "Major complaints", "rep.d.total": "Total",
		"rep.d.no_departments": "No departments.",
		"rep.d.check.title":    "Enter a standards check", "rep.d.check.hint": "Internal auditors enter each department's standards checks by month; they count towards that month's standards part.",
		"rep.d.check.submit": "Enter check", "rep.d.check.done": "The check has been entered.",
		"rep.d.credit.title": "Enter a yearly credit", "rep.d.credit.hint": "The market department enters credits for satisfaction work (at most %s a year) or customer awards (%s each; leave the points empty).",
		"rep.d.credit.submit": "Enter credit", "rep.d.credit.done": "The credit has been entered.",
		"rep.d.f.department": "Department", "rep.d.f.month": "Month", "rep.d.f.item": "Item checked", "rep.d.f.earned": "Points earned", "rep.d.f.possible": "Points possible",
		"rep.d.f.note": "Note", "rep.d.f.year": "Year", "rep.d.f.kind": "Kind", "rep.d.f.points": "Points", "rep.d.f.reason": "Reason",
		"rep.d.kind.satisfaction_work": "Satisfaction work", "rep.d.kind.customer_award": "Customer award",
		"rep.d.who_check":  "Only internal auditors enter standards checks.",
		"rep.d.who_credit": "Only the market department or an administrator enters yearly credits.",
		"rep.d.bad_number": "Enter a number.",
	})
}

// repMonthly and repYearly are the assessment as the operations answer it.
type (
	repMonthly = app.MonthlyAssessment
	repYearly  = app.YearlyAssessment
)

// repDepartmentsView is the department assessment page's data.
type repDepartmentsView struct {
	Filter    repFilter
	Heading   string
	Rules     string
	Downloads []repLink
	// Month or Year is set, as the page shows one or the other.
	Month *repMonthly
	Year  *repYearly
	// Headers are the monthly table's part headers with their maxima.
	Standards, Survey, Complaints string
	Rows                          []repDeptRow
	Chart                         template.HTML
	// Check and Credit are the entry forms the user may use (nil: none).
	Check, Credit *repForm
}

// repDeptRow is one department's figures and the lines behind them: the
// monthly score's parts, or the yearly adjustment's.
type repDeptRow struct {
	ID, Name                                            string
	Standards, Survey, Complaints, Score, Rate, Penalty string
	Rating, RatingClass                                 string
	Work, Awards, Bonus, Major, Total                   string
	Lines                                               []repLineView
	// Records counts the distinct records behind the figures (the unit
	// head's line rests on the survey's cycles again).
	Records int
	seen    map[string]bool
}

// repLineView is one score line: its points and the records it rests on.
type repLineView struct {
	Item, Points, Basis string
	Evidence            []repEvidence
}

// repEvidence is one record behind a figure, linked where the console has a page.
type repEvidence struct {
	Kind, Label, Href string
}

// repForm is an entry form: where it posts and its inputs.
type repForm struct {
	Name, Action, Title, Submit string
	// Hint is a message key; HintText, when set, is the hint in words.
	Hint, HintText string
	Inputs         []repInput
	// View is the page's period, kept so a refused form comes back to it.
	View repPeriod
	// Key is the entry's Idempotency-Key: a double submit stores it once.
	Key string
}

var repAssessmentKinds = []string{"month", "year"}

func (cs *Console) repDepartments(c *gin.Context) {
	if !repCompanyWide(user(c).Actor) {
		cs.repForbidden(c, "rep.who.company")
		return
	}
	notice := ""
	switch c.Query("done") {
	case "check":
		notice = T(lang(c), "rep.d.check.done")
	case "credit":
		notice = T(lang(c), "rep.d.credit.done")
	}
	per, ok := repReadPeriod(c, repAssessmentKinds, repPeriod{By: "month", Value: repPrevious("month", cs.now().In(cs.loc))})
	cs.repDepartmentsPage(c, per, ok, notice, "", nil)
}

// repDepartmentsPage renders the assessment for per; failed names the entry
// form the API refused (r), whose values are kept and its errors shown.
func (cs *Console) repDepartmentsPage(c *gin.Context, per repPeriod, ok bool, notice, failed string, r *Refusal) {
	u := user(c)
	l := lang(c)
	now := cs.now().In(cs.loc)
	byID, depts, err := cs.repOrg(c)
	if err != nil {
		cs.fail(c, err)
		return
	}
	v := &repDepartmentsView{Filter: repFilter{Action: "/reports/departments", Inputs: repPeriodInputs(per, repAssessmentKinds),
		Chips: repChipsFor(l, "/reports/departments", now, repAssessmentKinds, per, nil), Hint: "rep.period_hint"}}
	v.Filter.Inputs[1].Placeholder = "2026-03"
	status := http.StatusOK
	show := func(p page) {
		p.Title = T(p.Lang, "rep.departments.title")
		p.Notice = notice
		p.Data = v
		cs.render(c, status, "rep_departments.html", p)
	}

	// The entry forms, for those the API lets enter; their defaults follow the page.
	formMonth, formYear := repCurrent("month", now), repCurrent("year", now)
	if ok && per.By == "month" && len(per.Value) == 7 {
		formMonth, formYear = per.Value, per.Value[:4]
	} else if ok && per.By == "year" && len(per.Value) == 4 {
		formYear = per.Value
	}
	if app.May(u.Actor, app.OpEnterAuditCheck) {
		v.Check = repCheckForm(depts, formMonth, per)
	}
	if app.May(u.Actor, app.OpEnterCredit) {
		v.Credit = repCreditForm(depts, formYear, per)
	}
	if r != nil {
		status = r.Status
		for _, f := range []*repForm{v.Check, v.Credit} {
			if f != nil && f.Name == failed {
				f.fill(c.Request.PostForm)
				if k := c.Request.PostForm.Get("idempotency_key"); k != "" {
					f.Key = k
				}
				msg := T(l, "rep.check_field")
				if r.Message != "" {
					msg += " " + r.Message
				}
				if r.Field != "" && f.markError(r.Field, msg) {
					r = &Refusal{Status: r.Status, Message: r.Message}
				}
			}
		}
	}

	if !ok {
		cs.repRefused(c, &Refusal{Status: http.StatusBadRequest, Field: "by", Message: T(l, "rep.bad_by")}, &v.Filter,
			func(p page) { status = http.StatusBadRequest; show(p) })
		return
	}
	q := per.query()
	period, ref := repPeriodOf(q)
	if ref == nil && per.By == "month" {
		m, err := cs.ops.AssessmentMonth(c, u.Actor, period)
		if ref = refusalOf(err); ref == nil {
			v.fillMonth(l, m, byID)
		}
	} else if ref == nil {
		y, err := cs.ops.AssessmentYear(c, u.Actor, period)
		if ref = refusalOf(err); ref == nil {
			v.fillYear(l, y, byID)
		}
	}
	if ref != nil {
		cs.repRefused(c, ref, &v.Filter, func(p page) { status = ref.Status; show(p) })
		return
	}
	v.Downloads = repDownloads(l, "/api/v1/reports/departments", q)
	if v.Credit != nil {
		rl := v.rules()
		v.Credit.HintText = fmt.Sprintf(T(l, "rep.d.credit.hint"), chart.Format(rl.SatisfactionWorkMax), chart.Format(rl.AwardPoints))
	}
	p := cs.base(c, "rep.departments.title")
	if r != nil {
		p.Error = explain(l, r)
	}
	show(p)
}

// rules are the scoring rules the API answered with.
func (v *repDepartmentsView) rules() assessment.AssessmentRules {
	if v.Month != nil {
		return v.Month.Rules
	}
	return v.Year.Rules
}

func (v *repDepartmentsView) fillMonth(l string, m repMonthly, byID map[string]org.Department) {
	v.Month = &m
	v.Heading = fmt.Sprintf(T(l, "rep.d.month_view"), repPeriodLabel(l, "month", m.Month))
	rl := m.Rules
	v.Rules = fmt.Sprintf(T(l, "rep.d.rules"), chart.Format(rl.Excellent), chart.Format(rl.Pass))
	v.Standards = fmt.Sprintf(T(l, "rep.d.standards"), chart.Format(rl.StandardsPoints))
	v.Survey = fmt.Sprintf(T(l, "rep.d.survey"), chart.Format(rl.SurveyPoints))
	v.Complaints = fmt.Sprintf(T(l, "rep.d.complaints"), chart.Format(rl.ComplaintsPoints))
	lo, hi, pass := 0.0, 100.0, rl.Pass
	spec := chart.Spec{Title: T(l, "rep.d.score_chart"), Min: &lo, Max: &hi, Target: &pass,
		TargetLabel: fmt.Sprintf(T(l, "rep.d.pass_line"), chart.Format(pass)), Empty: T(l, "rep.no_data"), Width: 1040}
	scores := []float64{}
	for _, d := range m.Departments {
		name := repDeptName(d.Name, d.Department, byID)
		row := repDeptRow{ID: d.Department, Name: name, Rating: d.RatingLabel, RatingClass: "rep-" + d.Rating,
			Standards: repPoints(d.Standards), Survey: repPoints(d.Survey), Complaints: repPoints(d.Complaints),
			Score: chart.Format(d.Score), Rate: repPct(d.SatisfactionRate), Penalty: repPoints(d.HeadPenalty)}
		if s, known := lookup(l, "rep.d."+d.Rating); known {
			row.Rating = s
		}
		for _, sl := range []assessment.ScoreLine{d.Standards, d.Survey, d.Complaints, d.HeadPenalty} {
			row.addLine(l, sl)
		}
		v.Rows = append(v.Rows, row)
		spec.Categories = append(spec.Categories, name)
		scores = append(scores, d.Score)
	}
	spec.Series = []chart.Series{{Name: T(l, "rep.d.score"), Values: scores}}
	v.Chart = chart.HBar(spec)
}

func (v *repDepartmentsView) fillYear(l string, y repYearly, byID map[string]org.Department) {
	v.Year = &y
	v.Heading = fmt.Sprintf(T(l, "rep.d.year_view"), y.Year)
	spec := chart.Spec{Title: v.Heading, Empty: T(l, "rep.no_data"), Width: 1040, Stacked: true}
	bonus, deduction := []float64{}, []float64{}
	for _, d := range y.Departments {
		name := repDeptName(d.Name, d.Department, byID)
		row := repDeptRow{ID: d.Department, Name: name, Work: chart.Format(d.SatisfactionWork.Points), Awards: chart.Format(d.Awards.Points),
			Bonus: chart.Format(d.Bonus.Points), Major: chart.Format(d.MajorComplaint.Points), Total: chart.Format(d.Total)}
		for _, sl := range []assessment.ScoreLine{d.SatisfactionWork, d.Awards, d.Bonus, d.MajorComplaint} {
			row.addLine(l, sl)
		}
		v.Rows = append(v.Rows, row)
		spec.Categories = append(spec.Categories, name)
		bonus, deduction = append(bonus, d.Bonus.Points), append(deduction, d.MajorComplaint.Points)
	}
	spec.Series = []chart.Series{{Name: T(l, "rep.d.bonus"), Values: bonus}, {Name: T(l, "rep.d.major"), Values: deduction}}
	v.Chart = chart.HBar(spec)
}

func repDeptName(name, id string, byID map[string]org.Department) string {
	if name != "" {
		return name
	}
	if d, ok := byID[id]; ok {
		return d.Name
	}
	return id
}

// repPoints is a line's points, "—" when the part was not measured.
func repPoints(sl assessment.ScoreLine) string {
	if !sl.Measured {
		return "—"
	}
	return chart.Format(sl.Points)
}

// addLine adds a score line with its records.
func (r *repDeptRow) addLine(l string, sl assessment.ScoreLine) {
	lv := repLineView{Item: sl.Item, Basis: sl.Basis}
	if s, ok := lookup(l, "rep.d.item."+sl.Item); ok {
		lv.Item = s
	}
	lv.Points = T(l, "rep.d.not_measured")
	if sl.Measured {
		lv.Points = chart.Format(sl.Points) + " / " + chart.Format(sl.Max)
	}
	for _, e := range sl.Evidence {
		ev := repEvidence{Kind: e.Kind, Label: e.Label}
		if s, ok := lookup(l, "rep.d.ev."+e.Kind); ok {
			ev.Kind = s
		}
		switch e.Kind {
		case "complaint":
			ev.Href = "/complaints/" + url.PathEscape(e.ID)
		case "survey_cycle":
			ev.Href = "/surveys/cycles/" + url.PathEscape(e.ID)
		}
		if ev.Label == "" {
			ev.Label = e.ID
		}
		lv.Evidence = append(lv.Evidence, ev)
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	for _, e := range sl.Evidence {
		if k := e.Kind + "/" + e.ID; !r.seen[k] {
			r.seen[k] = true
			r.Records++
		}
	}
	r.Lines = append(r.Lines, lv)
}

// ---- the entry forms -------------------------------------------------------

func repDeptOptions(depts []org.Department) []option {
	o := []option{{Value: "", Label: "form.choose"}}
	for _, d := range depts {
		o = append(o, option{Value: d.ID, Text: d.Name})
	}
	return o
}

func repCheckForm(depts []org.Department, month string, view repPeriod) *repForm {
	return &repForm{Name: "check", Action: "/reports/departments/checks", Title: "rep.d.check.title", Hint: "rep.d.check.hint",
		Submit: "rep.d.check.submit", View: view, Key: uuid.NewString(), Inputs: []repInput{
			{Name: "department", Label: "rep.d.f.department", Type: "select", Options: repDeptOptions(depts)},
			{Name: "month", Label: "rep.d.f.month", Type: "month", Value: month, Placeholder: "2026-03"},
			{Name: "item", Label: "rep.d.f.item", Type: "text"},
			{Name: "earned", Label: "rep.d.f.earned", Type: "number"},
			{Name: "possible", Label: "rep.d.f.possible", Type: "number"},
			{Name: "note", Label: "rep.d.f.note", Type: "textarea"},
		}}
}

func repCreditForm(depts []org.Department, year string, view repPeriod) *repForm {
	return &repForm{Name: "credit", Action: "/reports/departments/credits", Title: "rep.d.credit.title",
		Submit: "rep.d.credit.submit", View: view, Key: uuid.NewString(), Inputs: []repInput{
			{Name: "department", Label: "rep.d.f.department", Type: "select", Options: repDeptOptions(depts)},
			{Name: "year", Label: "rep.d.f.year", Type: "number", Value: year},
			{Name: "kind", Label: "rep.d.f.kind", Type: "select", Options: []option{{Value: "", Label: "form.choose"},
				{Value: assessment.CreditSatisfactionWork, Label: "rep.d.kind." + assessment.CreditSatisfactionWork},
				{Value: assessment.CreditCustomerAward, Label: "rep.d.kind." + assessment.CreditCustomerAward}}},
			{Name: "points", Label: "rep.d.f.points", Type: "number"},
			{Name: "reason", Label: "rep.d.f.reason", Type: "textarea"},
		}}
}

// Open shows the form unfolded: it came back with an error.
func (f *repForm) Open() bool {
	for _, in := range f.Inputs {
		if in.Error != "" {
			return true
		}
	}
	return false
}

func (f *repForm) fill(v url.Values) {
	for i := range f.Inputs {
		f.Inputs[i].Value = v.Get(f.Inputs[i].Name)
	}
}

func (f *repForm) markError(field, msg string) bool {
	for i := range f.Inputs {
		if f.Inputs[i].Name == field {
			f.Inputs[i].Error = msg
			return true
		}
	}
	return false
}

// repViewOf is the page period a form came from (hidden view_by, view_period).
func repViewOf(c *gin.Context) (repPeriod, bool) {
	p := repPeriod{By: c.PostForm("view_by"), Value: strings.TrimSpace(c.PostForm("view_period"))}
	if p.By == "" {
		return p, false
	}
	for _, k := range repAssessmentKinds {
		if k == p.By {
			return p, true
		}
	}
	return p, false
}

// repNumber reads an optional number input (nil when empty); a refusal
// names it when it is not a number.
func repNumber(v url.Values, name string) (*float64, *Refusal) {
	raw := strings.TrimSpace(v.Get(name))
	if raw == "" {
		return nil, nil
	}
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return nil, &Refusal{Status: http.StatusBadRequest, Field: name}
	}
	return &n, nil
}

// repEntered runs an entry form's operation (enter, given the form's
// Idempotency-Key) unless the form was refused already (r), records it for
// the audit trail under the API's route, and answers: back to the assessment
// with a notice, or the page again with the form's errors.
func (cs *Console) repEntered(c *gin.Context, form, route string, enter func(key string) error, r *Refusal, back repPeriod) {
	l := lang(c)
	if r != nil && r.Message == "" {
		r.Message = T(l, "rep.d.bad_number")
	}
	if r == nil {
		err := enter(c.Request.PostForm.Get("idempotency_key"))
		audited(c, route, "", "", "", err)
		r = refusalOf(err)
	}
	view, ok := repViewOf(c)
	if r == nil {
		q := url.Values{"by": {back.By}, "period": {back.Value}, "done": {form}}
		c.Redirect(http.StatusSeeOther, "/reports/departments?"+q.Encode())
		return
	}
	if r.Status == http.StatusForbidden || r.Status >= 500 {
		cs.refuse(c, r)
		return
	}
	if !ok {
		view = repPeriod{By: "month", Value: repPrevious("month", cs.now().In(cs.loc))}
	}
	cs.repDepartmentsPage(c, view, true, "", form, r)
}

func (cs *Console) repPostCheck(c *gin.Context) {
	u := user(c)
	if !app.May(u.Actor, app.OpEnterAuditCheck) {
		cs.repForbidden(c, "rep.d.who_check")
		return
	}
	_ = c.PostForm("department") // parses the form
	v := c.Request.PostForm
	in := app.AuditCheckInput{Department: strings.TrimSpace(v.Get("department")), Month: strings.TrimSpace(v.Get("month")),
		Item: strings.TrimSpace(v.Get("item")), Note: strings.TrimSpace(v.Get("note"))}
	var r *Refusal
	in.Earned, r = repNumber(v, "earned")
	if r == nil {
		in.Possible, r = repNumber(v, "possible")
	}
	enter := func(key string) error {
		_, err := cs.ops.EnterAuditCheck(c, u.Actor, in, key)
		return err
	}
	cs.repEntered(c, "check", "/api/v1/assessment/checks", enter, r, repPeriod{By: "month", Value: in.Month})
}

func (cs *Console) repPostCredit(c *gin.Context) {
	u := user(c)
	if !app.May(u.Actor, app.OpEnterCredit) {
		cs.repForbidden(c, "rep.d.who_credit")
		return
	}
	_ = c.PostForm("department")
	v := c.Request.PostForm
	in := app.CreditInput{Department: strings.TrimSpace(v.Get("department")), Kind: strings.TrimSpace(v.Get("kind")),
		Reason: strings.TrimSpace(v.Get("reason"))}
	var r *Refusal
	year := strings.TrimSpace(v.Get("year"))
	if year != "" {
		if y, err := strconv.Atoi(year); err == nil {
			in.Year = &y
		} else {
			r = &Refusal{Status: http.StatusBadRequest, Field: "year"}
		}
	}
	if r == nil {
		in.Points, r = repNumber(v, "points")
	}
	enter := func(key string) error {
		_, err := cs.ops.EnterCredit(c, u.Actor, in, key)
		return err
	}
	cs.repEntered(c, "credit", "/api/v1/assessment/credits", enter, r, repPeriod{By: "year", Value: year})
}
