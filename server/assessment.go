package server

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
)

// assessmentRules are the department assessment's scoring rules.
var assessmentRules = assessment.DefaultRules()

// Who enters the assessment's data.
var (
	checkEntrants  = []org.Role{org.RoleInternalAuditor}
	creditEntrants = []org.Role{org.RoleMarketDepartment, org.RoleAdministrator}
)

// AuditCheckInput is an internal auditor's standards check.
type AuditCheckInput struct {
	Department string   `json:"department"`
	Month      string   `json:"month"`
	Item       string   `json:"item"`
	Earned     *float64 `json:"earned"`
	Possible   *float64 `json:"possible"`
	Note       string   `json:"note"`
}

// CreditInput is a yearly credit: satisfaction work or a customer award.
type CreditInput struct {
	Department string   `json:"department"`
	Year       *int     `json:"year"`
	Kind       string   `json:"kind"`
	Points     *float64 `json:"points"`
	Reason     string   `json:"reason"`
}

// MonthlyAssessment is the monthly service score of every department.
type MonthlyAssessment struct {
	Month       string                            `json:"month"`
	Rules       assessment.AssessmentRules        `json:"rules"`
	Departments []assessment.DepartmentMonthScore `json:"departments"`
}

// YearlyAssessment is the yearly adjustment of every department.
type YearlyAssessment struct {
	Year        int                                   `json:"year"`
	Rules       assessment.AssessmentRules            `json:"rules"`
	Departments []assessment.DepartmentYearAdjustment `json:"departments"`
}

// postAuditCheck enters an internal auditor's standards check.
func (s *Server) postAuditCheck(c *gin.Context) {
	var in AuditCheckInput
	if !bindJSON(c, &in, "") {
		return
	}
	switch {
	case in.Earned == nil:
		abort(c, http.StatusBadRequest, "earned: is required", "earned")
		return
	case in.Possible == nil:
		abort(c, http.StatusBadRequest, "possible: is required", "possible")
		return
	}
	a := actor(c)
	check := assessment.AuditCheck{Department: strings.TrimSpace(in.Department), Month: strings.TrimSpace(in.Month), Item: strings.TrimSpace(in.Item),
		Earned: *in.Earned, Possible: *in.Possible, Note: in.Note, Auditor: a.ID, AuditorName: a.Name}
	if err := check.Validate(); err != nil {
		fieldError(c, err)
		return
	}
	if !s.departmentExists(c, check.Department, "department") {
		return
	}
	var ok bool
	if check.ID, ok = entryID(c, "audit-check", a.ID); !ok {
		return
	}
	saved, created, err := s.store.AddAuditCheck(c, check)
	if err != nil {
		s.internal(c, "store the audit check", err)
		return
	}
	if !created && !sameCents(saved, check, func(x *assessment.AuditCheck) []*float64 { return []*float64{&x.Earned, &x.Possible} }) {
		abort(c, http.StatusConflict, "Idempotency-Key was already used for another audit check ("+saved.Item+", "+saved.Month+")", "Idempotency-Key")
		return
	}
	c.JSON(http.StatusCreated, saved)
}

// entryNamespace derives assessment entries' IDs from Idempotency-Keys.
var entryNamespace = uuid.MustParse("6f0c1f5e-9a7d-4b1e-8c33-2a1f6d0e4b17")

// entryID is the ID of an entry sent with an Idempotency-Key: the same key
// from the same user names the same entry, so a retried or double-submitted
// request stores it once. Without a key it is "" (a new ID is drawn).
func entryID(c *gin.Context, kind, userID string) (string, bool) {
	key, ok := idempotencyKey(c)
	if !ok || key == "" {
		return "", ok
	}
	return uuid.NewSHA1(entryNamespace, []byte(kind+"\x00"+userID+"\x00"+key)).String(), true
}

// sameCents reports whether a stored entry is the one sent, its amounts
// compared as the database keeps them (to the cent).
func sameCents[T comparable](stored, sent T, amounts func(*T) []*float64) bool {
	for _, x := range [](*T){&stored, &sent} {
		for _, v := range amounts(x) {
			*v = math.Round(*v*100) / 100
		}
	}
	return stored == sent
}

// postAssessmentCredit enters a credit for satisfaction work or a customer award.
func (s *Server) postAssessmentCredit(c *gin.Context) {
	var in CreditInput
	if !bindJSON(c, &in, "") {
		return
	}
	if in.Year == nil {
		abort(c, http.StatusBadRequest, "year: is required", "year")
		return
	}
	credit := assessment.AssessmentCredit{Department: strings.TrimSpace(in.Department), Year: *in.Year, Kind: in.Kind,
		Reason: strings.TrimSpace(in.Reason), EnteredBy: actor(c).ID}
	if in.Points != nil {
		credit.Points = *in.Points
	}
	if err := credit.Validate(assessmentRules); err != nil {
		fieldError(c, err)
		return
	}
	if credit.Kind == assessment.CreditCustomerAward {
		credit.Points = assessmentRules.AwardPoints
	}
	if !s.departmentExists(c, credit.Department, "department") {
		return
	}
	var ok bool
	if credit.ID, ok = entryID(c, "assessment-credit", credit.EnteredBy); !ok {
		return
	}
	saved, created, err := s.store.AddAssessmentCredit(c, credit)
	if err != nil {
		s.internal(c, "store the credit", err)
		return
	}
	if !created && !sameCents(saved, credit, func(x *assessment.AssessmentCredit) []*float64 { return []*float64{&x.Points} }) {
		abort(c, http.StatusConflict, "Idempotency-Key was already used for another credit ("+saved.Department+", "+strconv.Itoa(saved.Year)+")", "Idempotency-Key")
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

	var (
		body   any
		tables []reports.Table
		name   string
	)
	if m := strings.TrimSpace(c.Query("month")); m != "" {
		month := p.From.In(reports.Location).Format("2006-01")
		in, err := s.store.AssessmentMonth(c, month, p.From, p.To)
		if err != nil {
			s.internal(c, "compute the department assessment", err)
			return
		}
		a := MonthlyAssessment{Month: month, Rules: assessmentRules, Departments: []assessment.DepartmentMonthScore{}}
		for _, d := range in {
			a.Departments = append(a.Departments, assessmentRules.Monthly(d))
		}
		body, tables, name = a, a.Tables(lang), "department-assessment-"+month
	} else {
		year := p.From.In(reports.Location).Year()
		in, err := s.store.AssessmentYear(c, year, p.From, p.To)
		if err != nil {
			s.internal(c, "compute the department assessment", err)
			return
		}
		a := YearlyAssessment{Year: year, Rules: assessmentRules, Departments: []assessment.DepartmentYearAdjustment{}}
		for _, d := range in {
			a.Departments = append(a.Departments, assessmentRules.Yearly(d))
		}
		body, tables, name = a, a.Tables(lang), "department-assessment-"+strconv.Itoa(year)
	}
	s.writeReport(c, format, name, body, func() []reports.Table { return tables })
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

// Tables lays the monthly assessment out: the scores, and every line's basis.
func (a MonthlyAssessment) Tables(lang reports.Language) []reports.Table {
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

// Tables lays the yearly adjustment out: the adjustments, and every line's basis.
func (a YearlyAssessment) Tables(lang reports.Language) []reports.Table {
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
