package app

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
)

// The department assessment (部门考核): the monthly service scores and the
// yearly adjustment, and the entries behind them — the internal auditors'
// standards checks and the yearly credits.

// AssessmentRules are the department assessment's scoring rules.
var AssessmentRules = assessment.DefaultRules()

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

// AssessmentMonth is the monthly service scores of the month p covers (a
// period given by month=).
func (a *App) AssessmentMonth(ctx context.Context, by complaint.Actor, p reports.Period) (MonthlyAssessment, error) {
	month := p.From.In(reports.Location).Format("2006-01")
	out := MonthlyAssessment{Month: month, Rules: AssessmentRules, Departments: []assessment.DepartmentMonthScore{}}
	if err := Authorize(by, OpDepartmentAssessment); err != nil {
		return out, err
	}
	in, err := a.Store.AssessmentMonth(ctx, month, p.From, p.To)
	if err != nil {
		return out, err
	}
	for _, d := range in {
		out.Departments = append(out.Departments, AssessmentRules.Monthly(d))
	}
	return out, nil
}

// AssessmentYear is the yearly adjustment of the year p covers (year=).
func (a *App) AssessmentYear(ctx context.Context, by complaint.Actor, p reports.Period) (YearlyAssessment, error) {
	year := p.From.In(reports.Location).Year()
	out := YearlyAssessment{Year: year, Rules: AssessmentRules, Departments: []assessment.DepartmentYearAdjustment{}}
	if err := Authorize(by, OpDepartmentAssessment); err != nil {
		return out, err
	}
	in, err := a.Store.AssessmentYear(ctx, year, p.From, p.To)
	if err != nil {
		return out, err
	}
	for _, d := range in {
		out.Departments = append(out.Departments, AssessmentRules.Yearly(d))
	}
	return out, nil
}

// EnterAuditCheck stores an internal auditor's standards check. key is the
// request's Idempotency-Key ("" for none): the same key from the same user
// stores one check, and a key used for another check is a conflict.
func (a *App) EnterAuditCheck(ctx context.Context, by complaint.Actor, in AuditCheckInput, key string) (assessment.AuditCheck, error) {
	if err := Authorize(by, OpEnterAuditCheck); err != nil {
		return assessment.AuditCheck{}, err
	}
	switch {
	case in.Earned == nil:
		return assessment.AuditCheck{}, Refuse(Invalid, "earned", "earned: is required")
	case in.Possible == nil:
		return assessment.AuditCheck{}, Refuse(Invalid, "possible", "possible: is required")
	}
	check := assessment.AuditCheck{Department: strings.TrimSpace(in.Department), Month: strings.TrimSpace(in.Month), Item: strings.TrimSpace(in.Item),
		Earned: *in.Earned, Possible: *in.Possible, Note: in.Note, Auditor: by.ID, AuditorName: by.Name}
	if err := check.Validate(); err != nil {
		return assessment.AuditCheck{}, fieldRefusal(err)
	}
	if err := a.CheckDepartment(ctx, check.Department, "department"); err != nil {
		return assessment.AuditCheck{}, err
	}
	check.ID = entryID("audit-check", by.ID, key)
	saved, created, err := a.Store.AddAuditCheck(ctx, check)
	if err != nil {
		return saved, err
	}
	if !created && !sameCents(saved, check, func(x *assessment.AuditCheck) []*float64 { return []*float64{&x.Earned, &x.Possible} }) {
		return saved, Refuse(Conflict, "Idempotency-Key", "Idempotency-Key was already used for another audit check (%s, %s)", saved.Item, saved.Month)
	}
	return saved, nil
}

// EnterCredit stores a credit for satisfaction work or a customer award; key
// as for EnterAuditCheck.
func (a *App) EnterCredit(ctx context.Context, by complaint.Actor, in CreditInput, key string) (assessment.AssessmentCredit, error) {
	if err := Authorize(by, OpEnterCredit); err != nil {
		return assessment.AssessmentCredit{}, err
	}
	if in.Year == nil {
		return assessment.AssessmentCredit{}, Refuse(Invalid, "year", "year: is required")
	}
	credit := assessment.AssessmentCredit{Department: strings.TrimSpace(in.Department), Year: *in.Year, Kind: in.Kind,
		Reason: strings.TrimSpace(in.Reason), EnteredBy: by.ID}
	if in.Points != nil {
		credit.Points = *in.Points
	}
	if err := credit.Validate(AssessmentRules); err != nil {
		return assessment.AssessmentCredit{}, fieldRefusal(err)
	}
	if credit.Kind == assessment.CreditCustomerAward {
		credit.Points = AssessmentRules.AwardPoints
	}
	if err := a.CheckDepartment(ctx, credit.Department, "department"); err != nil {
		return assessment.AssessmentCredit{}, err
	}
	credit.ID = entryID("assessment-credit", credit.EnteredBy, key)
	saved, created, err := a.Store.AddAssessmentCredit(ctx, credit)
	if err != nil {
		return saved, err
	}
	if !created && !sameCents(saved, credit, func(x *assessment.AssessmentCredit) []*float64 { return []*float64{&x.Points} }) {
		return saved, Refuse(Conflict, "Idempotency-Key", "Idempotency-Key was already used for another credit (%s, %s)", saved.Department, strconv.Itoa(saved.Year))
	}
	return saved, nil
}

// entryNamespace derives assessment entries' IDs from Idempotency-Keys.
var entryNamespace = uuid.MustParse("6f0c1f5e-9a7d-4b1e-8c33-2a1f6d0e4b17")

// entryID is the ID of an entry sent with an Idempotency-Key: the same key
// from the same user names the same entry, so a retried or double-submitted
// request stores it once. Without a key it is "" (a new ID is drawn).
func entryID(kind, userID, key string) string {
	if key == "" {
		return ""
	}
	return uuid.NewSHA1(entryNamespace, []byte(kind+"\x00"+userID+"\x00"+key)).String()
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
