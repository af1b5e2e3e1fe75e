package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/reports"
)

// assessmentRules are the department assessment's scoring rules.
var assessmentRules = app.AssessmentRules

// Who enters the assessment's data.
var (
	checkEntrants  = app.Who(app.OpEnterAuditCheck)
	creditEntrants = app.Who(app.OpEnterCredit)
)

// The department assessment's input and answers are the operations'.
type (
	AuditCheckInput   = app.AuditCheckInput
	CreditInput       = app.CreditInput
	MonthlyAssessment = app.MonthlyAssessment
	YearlyAssessment  = app.YearlyAssessment
)

// postAuditCheck enters an internal auditor's standards check.
func (s *Server) postAuditCheck(c *gin.Context) {
	var in AuditCheckInput
	if !bindJSON(c, &in, "") {
		return
	}
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	saved, err := s.app.EnterAuditCheck(c, actor(c), in, key)
	if err != nil {
		s.fail(c, "store the audit check", err)
		return
	}
	c.JSON(http.StatusCreated, saved)
}

// postAssessmentCredit enters a credit for satisfaction work or a customer award.
func (s *Server) postAssessmentCredit(c *gin.Context) {
	var in CreditInput
	if !bindJSON(c, &in, "") {
		return
	}
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	saved, err := s.app.EnterCredit(c, actor(c), in, key)
	if err != nil {
		s.fail(c, "store the credit", err)
		return
	}
	c.JSON(http.StatusCreated, saved)
}

// departmentAssessment serves the department assessment: the monthly service
// scores (month=) or the yearly adjustment (year=), as JSON, CSV or a workbook.
func (s *Server) departmentAssessment(c *gin.Context) {
	for _, k := range []string{"quarter", "half", "from", "to"} {
		if c.Query(k) != "" {
			abort(c, http.StatusBadRequest, "the department assessment is by month (month=2026-03) or year (year=2026), not "+k, k)
			return
		}
	}
	p, err := reports.ParseQuery(c.Query)
	var pe *reports.ParamError
	if errors.As(err, &pe) {
		param := pe.Param
		if param == "quarter" {
			param = "month"
			pe.Message = "give month=2026-03 (monthly service scores) or year=2026 (yearly adjustment)"
		}
		abort(c, http.StatusBadRequest, param+": "+pe.Message, param)
		return
	}
	format, lang, ok := reportFormat(c)
	if !ok {
		return
	}
	if strings.TrimSpace(c.Query("month")) != "" {
		a, err := s.app.AssessmentMonth(c, actor(c), p)
		if err != nil {
			s.fail(c, "compute the department assessment", err)
			return
		}
		s.writeReport(c, format, "department-assessment-"+a.Month, a, func() []reports.Table { return monthlyTables(a, lang) })
		return
	}
	a, err := s.app.AssessmentYear(c, actor(c), p)
	if err != nil {
		s.fail(c, "compute the department assessment", err)
		return
	}
	s.writeReport(c, format, "department-assessment-"+strconv.Itoa(a.Year), a, func() []reports.Table { return yearlyTables(a, lang) })
}

// asmEvidenceText lists a line's evidence: complaints by number, the rest by ID.
func asmEvidenceText(es []assessment.Evidence) string {
	parts := make([]string, 0, len(es))
	for _, e := range es {
		id := e.ID
		if e.Kind == "complaint" && e.Label != "" {
			id = e.Label
		}
		parts = append(parts, e.Kind+" "+id)
	}
	return strings.Join(parts, "; ")
}

var asmLineLabels = map[string][2]string{
	"standards":         {"标准化检查", "standards"},
	"survey":            {"满意度调查", "survey"},
	"complaints":        {"客户投诉", "complaints"},
	"head_penalty":      {"单位负责人扣分", "unit head deduction"},
	"satisfaction_work": {"满意度工作加分", "satisfaction work"},
	"awards":            {"客户表彰加分", "customer awards"},
	"bonus":             {"加分合计", "bonus"},
	"major_complaints":  {"重大投诉扣分", "major complaints"},
}

func asmBasisTable(lang reports.Language) reports.Table {
	return reports.Table{Name: lang.Pick("评分依据", "Basis"), Headers: []string{
		lang.Pick("部门", "Department"), lang.Pick("项目", "Item"), lang.Pick("得分", "Points"), lang.Pick("满分", "Max"),
		lang.Pick("计算", "Basis"), lang.Pick("依据", "Evidence"),
	}}
}

func asmBasisRow(lang reports.Language, dept string, l assessment.ScoreLine) []any {
	label := asmLineLabels[l.Item]
	var pts any = reports.Number(l.Points)
	if !l.Measured {
		pts = nil
	}
	return []any{dept, lang.Pick(label[0], label[1]), pts, reports.Number(l.Max), l.Basis, asmEvidenceText(l.Evidence)}
}

func asmMeasured(l assessment.ScoreLine) any {
	if !l.Measured {
		return nil
	}
	return reports.Number(l.Points)
}

// monthlyTables lays the monthly assessment out: the scores, and every line's basis.
func monthlyTables(a MonthlyAssessment, lang reports.Language) []reports.Table {
	scores := reports.Table{Name: lang.Pick("月度服务考评", "Monthly service score"), Headers: []string{
		lang.Pick("月份", "Month"), lang.Pick("部门编号", "Department ID"), lang.Pick("部门", "Department"),
		lang.Pick("标准化（50）", "Standards (50)"), lang.Pick("满意度（20）", "Survey (20)"), lang.Pick("投诉（30）", "Complaints (30)"),
		lang.Pick("得分", "Score"), lang.Pick("等级", "Rating"), lang.Pick("满意率", "Satisfaction rate"), lang.Pick("负责人扣分", "Unit head deduction"),
	}}
	basis := asmBasisTable(lang)
	for _, d := range a.Departments {
		rating := d.RatingLabel
		if lang == reports.English {
			rating = d.Rating
		}
		var rate any
		if d.SatisfactionRate != nil {
			rate = reports.Percent(*d.SatisfactionRate)
		}
		scores.Rows = append(scores.Rows, []any{a.Month, d.Department, d.Name, asmMeasured(d.Standards), asmMeasured(d.Survey), asmMeasured(d.Complaints),
			reports.Number(d.Score), rating, rate, asmMeasured(d.HeadPenalty)})
		for _, l := range []assessment.ScoreLine{d.Standards, d.Survey, d.Complaints, d.HeadPenalty} {
			basis.Rows = append(basis.Rows, asmBasisRow(lang, d.Department, l))
		}
	}
	return []reports.Table{scores, basis}
}

// yearlyTables lays the yearly adjustment out: the adjustments, and every line's basis.
func yearlyTables(a YearlyAssessment, lang reports.Language) []reports.Table {
	adj := reports.Table{Name: lang.Pick("年度考核加减分", "Yearly adjustment"), Headers: []string{
		lang.Pick("年度", "Year"), lang.Pick("部门编号", "Department ID"), lang.Pick("部门", "Department"),
		lang.Pick("满意度工作", "Satisfaction work"), lang.Pick("客户表彰", "Customer awards"), lang.Pick("加分合计", "Bonus"),
		lang.Pick("重大投诉", "Major complaints"), lang.Pick("合计", "Total"),
	}}
	basis := asmBasisTable(lang)
	for _, d := range a.Departments {
		adj.Rows = append(adj.Rows, []any{strconv.Itoa(a.Year), d.Department, d.Name, reports.Number(d.SatisfactionWork.Points), reports.Number(d.Awards.Points),
			reports.Number(d.Bonus.Points), reports.Number(d.MajorComplaint.Points), reports.Number(d.Total)})
		for _, l := range []assessment.ScoreLine{d.SatisfactionWork, d.Awards, d.Bonus, d.MajorComplaint} {
			basis.Rows = append(basis.Rows, asmBasisRow(lang, d.Department, l))
		}
	}
	return []reports.Table{adj, basis}
}
