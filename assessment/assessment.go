// Package assessment scores departments (部门考核): the monthly service score
// of the 考评办法 and the yearly adjustment of 002 第二十九条. The rules are
// data (DefaultRules); every figure is a line that says how it was reached
// and names its evidence: audit check IDs, survey cycle IDs, complaint numbers.
package assessment

import (
	"fmt"
	"math"
	"strings"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/validate"
)

// SurveyBand maps a satisfaction rate to points of the survey part: a rate
// of at least MinRate earns Points (the 20/16/12/8/4 scale of the 考评办法).
type SurveyBand struct {
	MinRate float64 `json:"min_rate"`
	Points  float64 `json:"points"`
}

// AssessmentRules are the scoring rules.
type AssessmentRules struct {
	// Monthly service score: the parts' weights (their maximum points).
	StandardsPoints  float64 `json:"standards_points"`
	SurveyPoints     float64 `json:"survey_points"`
	ComplaintsPoints float64 `json:"complaints_points"`
	// FoundedPenalty is taken from the complaints part per founded complaint
	// below MajorFrom; MajorPenalty (instead) per founded one at MajorFrom or worse.
	FoundedPenalty float64            `json:"founded_penalty"`
	MajorPenalty   float64            `json:"major_penalty"`
	MajorFrom      complaint.Severity `json:"major_from"`
	// SurveyBands, highest MinRate first; a rate below every band earns 0.
	SurveyBands []SurveyBand `json:"survey_bands"`
	// Ratings: a score of at least Excellent is 优秀, at least Pass 合格, else 不合格.
	Excellent float64 `json:"excellent"`
	Pass      float64 `json:"pass"`
	// A satisfaction rate below SatisfactionThreshold costs the unit head
	// HeadPenalty points (a separate line, not part of the department's score).
	SatisfactionThreshold float64 `json:"satisfaction_threshold"`
	HeadPenalty           float64 `json:"head_penalty"`

	// Yearly adjustment (002 第二十九条).
	SatisfactionWorkMax float64 `json:"satisfaction_work_max"`
	AwardPoints         float64 `json:"award_points"`
	AwardMax            float64 `json:"award_max"`
	BonusMax            float64 `json:"bonus_max"`
	MajorDeduction      float64 `json:"major_deduction"`
	DeductionMax        float64 `json:"deduction_max"`
}

// DefaultRules are the rules of the source procedures. The survey mapping
// puts the month's satisfaction rate on the 考评办法's five levels:
// ≥ 95 % → 20, ≥ 85 % → 16, ≥ 75 % → 12, ≥ 60 % → 8, below 60 % → 4.
func DefaultRules() AssessmentRules {
	return AssessmentRules{
		StandardsPoints: 50, SurveyPoints: 20, ComplaintsPoints: 30,
		FoundedPenalty: 6, MajorPenalty: 12, MajorFrom: complaint.SeverityMajor,
		SurveyBands: []SurveyBand{{0.95, 20}, {0.85, 16}, {0.75, 12}, {0.60, 8}, {0, 4}},
		Excellent:   95, Pass: 90,
		SatisfactionThreshold: 0.95, HeadPenalty: 2,
		SatisfactionWorkMax: 1, AwardPoints: 0.5, AwardMax: 1, BonusMax: 2,
		MajorDeduction: 0.5, DeductionMax: 2,
	}
}

// Evidence is one record a figure rests on.
type Evidence struct {
	// Kind is audit_check, survey_cycle, complaint or credit.
	Kind string `json:"kind"`
	// ID is the record's ID; for a complaint Label is its number.
	ID    string `json:"id"`
	Label string `json:"label"`
}

// ScoreLine is one figure with how it was reached.
type ScoreLine struct {
	Item string `json:"item"`
	// Points earned (negative for a deduction); Max is the most there is to earn or lose.
	Points   float64    `json:"points"`
	Max      float64    `json:"max"`
	Measured bool       `json:"measured"`
	Basis    string     `json:"basis"`
	Evidence []Evidence `json:"evidence"`
}

// AuditCheck is one standards check by an internal auditor (标准化检查).
type AuditCheck struct {
	ID         string  `json:"id"`
	Department string  `json:"department"`
	Month      string  `json:"month"` // YYYY-MM
	Item       string  `json:"item"`
	Earned     float64 `json:"earned"`
	Possible   float64 `json:"possible"`
	Note       string  `json:"note"`
	Auditor    string  `json:"auditor"`
	// AuditorName is the auditor's name when entered.
	AuditorName string `json:"auditor_name"`
}

// DimensionRating is one survey dimension the department owns, as a closed
// cycle rated it.
type DimensionRating struct {
	CycleID   string `json:"cycle_id"`
	Dimension string `json:"dimension"`
	Count     int    `json:"count"`
	Satisfied int    `json:"satisfied"`
}

// ComplaintFact is a complaint assigned to the department.
type ComplaintFact struct {
	ID       string             `json:"id"`
	Number   string             `json:"number"`
	Severity complaint.Severity `json:"severity"`
	Founded  bool               `json:"founded"`
}

// MonthInput is what a department's month holds.
type MonthInput struct {
	Department string
	Name       string
	Month      string
	Checks     []AuditCheck
	Ratings    []DimensionRating
	Complaints []ComplaintFact
}

// DepartmentMonthScore is a department's monthly service score.
type DepartmentMonthScore struct {
	Department string    `json:"department"`
	Name       string    `json:"name"`
	Month      string    `json:"month"`
	Standards  ScoreLine `json:"standards"`
	Survey     ScoreLine `json:"survey"`
	Complaints ScoreLine `json:"complaints"`
	// Score is out of 100: the measured parts' points over their maxima.
	Score float64 `json:"score"`
	// Rating is excellent (优秀), pass (合格) or fail (不合格); RatingLabel in Chinese.
	Rating      string `json:"rating"`
	RatingLabel string `json:"rating_label"`
	// SatisfactionRate is nil when no closed cycle rated the department's dimensions.
	SatisfactionRate *float64 `json:"satisfaction_rate"`
	// HeadPenalty is the unit head's deduction for satisfaction below the threshold.
	HeadPenalty ScoreLine `json:"head_penalty"`
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func pct(x float64) string { return fmt.Sprintf("%.2f%%", x*100) }

// Monthly scores a department's month.
func (r AssessmentRules) Monthly(in MonthInput) DepartmentMonthScore {
	out := DepartmentMonthScore{Department: in.Department, Name: in.Name, Month: in.Month}

	// Standards: points earned over points possible, on StandardsPoints.
	st := ScoreLine{Item: "standards", Max: r.StandardsPoints, Evidence: []Evidence{}}
	var earned, possible float64
	for _, c := range in.Checks {
		earned += c.Earned
		possible += c.Possible
		st.Evidence = append(st.Evidence, Evidence{Kind: "audit_check", ID: c.ID, Label: c.Item})
	}
	if possible > 0 {
		st.Measured = true
		st.Points = round2(earned / possible * r.StandardsPoints)
		st.Basis = fmt.Sprintf("%d audit checks: %g of %g points × %g", len(in.Checks), earned, possible, r.StandardsPoints)
	} else {
		st.Basis = "no audit check this month: not measured"
	}
	out.Standards = st

	// Survey: pooled satisfaction rate of the department's dimensions.
	sv := ScoreLine{Item: "survey", Max: r.SurveyPoints, Evidence: []Evidence{}}
	var n, sat int
	seen := map[string]bool{}
	for _, d := range in.Ratings {
		n += d.Count
		sat += d.Satisfied
		if !seen[d.CycleID] {
			seen[d.CycleID] = true
			sv.Evidence = append(sv.Evidence, Evidence{Kind: "survey_cycle", ID: d.CycleID})
		}
	}
	hp := ScoreLine{Item: "head_penalty", Max: -r.HeadPenalty, Evidence: []Evidence{}}
	if n > 0 {
		rate := float64(sat) / float64(n)
		out.SatisfactionRate = &rate
		sv.Measured = true
		sv.Points = r.surveyPoints(rate)
		sv.Basis = fmt.Sprintf("satisfaction rate %s (%d of %d ratings satisfied) → %g points", pct(rate), sat, n, sv.Points)
		hp.Measured = true
		hp.Evidence = sv.Evidence
		if rate < r.SatisfactionThreshold {
			hp.Points = -r.HeadPenalty
			hp.Basis = fmt.Sprintf("satisfaction rate %s below %s: the unit head loses %g", pct(rate), pct(r.SatisfactionThreshold), r.HeadPenalty)
		} else {
			hp.Basis = fmt.Sprintf("satisfaction rate %s not below %s", pct(rate), pct(r.SatisfactionThreshold))
		}
	} else {
		sv.Basis = "no closed survey cycle rated the department this month: not measured"
		hp.Basis = "no satisfaction rate this month"
	}
	out.Survey, out.HeadPenalty = sv, hp

	// Complaints: from ComplaintsPoints, per founded complaint.
	cp := ScoreLine{Item: "complaints", Max: r.ComplaintsPoints, Measured: true, Evidence: []Evidence{}}
	founded, major := 0, 0
	for _, c := range in.Complaints {
		if !c.Founded {
			continue
		}
		if c.Severity.AtLeast(r.MajorFrom) {
			major++
		} else {
			founded++
		}
		cp.Evidence = append(cp.Evidence, Evidence{Kind: "complaint", ID: c.ID, Label: c.Number})
	}
	cp.Points = math.Max(0, r.ComplaintsPoints-float64(founded)*r.FoundedPenalty-float64(major)*r.MajorPenalty)
	cp.Basis = fmt.Sprintf("%g − %d founded × %g − %d major × %g, at least 0", r.ComplaintsPoints, founded, r.FoundedPenalty, major, r.MajorPenalty)
	out.Complaints = cp

	var pts, max float64
	for _, l := range []ScoreLine{st, sv, cp} {
		if l.Measured {
			pts += l.Points
			max += l.Max
		}
	}
	if max > 0 {
		out.Score = round2(pts / max * 100)
	}
	out.Rating, out.RatingLabel = r.Rate(out.Score)
	return out
}

func (r AssessmentRules) surveyPoints(rate float64) float64 {
	for _, b := range r.SurveyBands {
		if rate >= b.MinRate {
			return b.Points
		}
	}
	return 0
}

// Rate rates a monthly score.
func (r AssessmentRules) Rate(score float64) (string, string) {
	switch {
	case score >= r.Excellent:
		return "excellent", "优秀"
	case score >= r.Pass:
		return "pass", "合格"
	}
	return "fail", "不合格"
}

// Credit kinds.
const (
	CreditSatisfactionWork = "satisfaction_work"
	CreditCustomerAward    = "customer_award"
)

// AssessmentCredit is a yearly credit entered by the market department or
// an administrator: satisfaction work (Points up to the cap) or a customer award.
type AssessmentCredit struct {
	ID         string  `json:"id"`
	Department string  `json:"department"`
	Year       int     `json:"year"`
	Kind       string  `json:"kind"`
	Points     float64 `json:"points"`
	Reason     string  `json:"reason"`
	EnteredBy  string  `json:"entered_by"`
}

// YearInput is what a department's year holds.
type YearInput struct {
	Department string
	Name       string
	Year       int
	Credits    []AssessmentCredit
	Complaints []ComplaintFact
}

// DepartmentYearAdjustment is a department's yearly adjustment.
type DepartmentYearAdjustment struct {
	Department       string    `json:"department"`
	Name             string    `json:"name"`
	Year             int       `json:"year"`
	SatisfactionWork ScoreLine `json:"satisfaction_work"`
	Awards           ScoreLine `json:"awards"`
	// Bonus is SatisfactionWork and Awards together, capped.
	Bonus          ScoreLine `json:"bonus"`
	MajorComplaint ScoreLine `json:"major_complaints"`
	Total          float64   `json:"total"`
}

// Yearly computes a department's yearly adjustment.
func (r AssessmentRules) Yearly(in YearInput) DepartmentYearAdjustment {
	out := DepartmentYearAdjustment{Department: in.Department, Name: in.Name, Year: in.Year}
	sw := ScoreLine{Item: "satisfaction_work", Max: r.SatisfactionWorkMax, Measured: true, Evidence: []Evidence{}}
	aw := ScoreLine{Item: "awards", Max: r.AwardMax, Measured: true, Evidence: []Evidence{}}
	var work float64
	awards := 0
	var reasons []string
	for _, c := range in.Credits {
		switch c.Kind {
		case CreditSatisfactionWork:
			work += c.Points
			sw.Evidence = append(sw.Evidence, Evidence{Kind: "credit", ID: c.ID, Label: c.Reason})
			reasons = append(reasons, fmt.Sprintf("%g", c.Points))
		case CreditCustomerAward:
			awards++
			aw.Evidence = append(aw.Evidence, Evidence{Kind: "credit", ID: c.ID, Label: c.Reason})
		}
	}
	sw.Points = math.Min(work, r.SatisfactionWorkMax)
	sw.Basis = fmt.Sprintf("credits %s = %g, at most %g", orNone(reasons), work, r.SatisfactionWorkMax)
	aw.Points = math.Min(float64(awards)*r.AwardPoints, r.AwardMax)
	aw.Basis = fmt.Sprintf("%d customer awards × %g, at most %g", awards, r.AwardPoints, r.AwardMax)
	bonus := ScoreLine{Item: "bonus", Max: r.BonusMax, Measured: true, Points: math.Min(sw.Points+aw.Points, r.BonusMax),
		Evidence: append(append([]Evidence{}, sw.Evidence...), aw.Evidence...)}
	bonus.Basis = fmt.Sprintf("%g + %g, at most %g", sw.Points, aw.Points, r.BonusMax)

	mc := ScoreLine{Item: "major_complaints", Max: -r.DeductionMax, Measured: true, Evidence: []Evidence{}}
	major := 0
	for _, c := range in.Complaints {
		if c.Founded && c.Severity.AtLeast(r.MajorFrom) {
			major++
			mc.Evidence = append(mc.Evidence, Evidence{Kind: "complaint", ID: c.ID, Label: c.Number})
		}
	}
	mc.Points = -math.Min(float64(major)*r.MajorDeduction, r.DeductionMax)
	mc.Basis = fmt.Sprintf("%d major complaints × −%g, at most −%g", major, r.MajorDeduction, r.DeductionMax)
	out.SatisfactionWork, out.Awards, out.Bonus, out.MajorComplaint = sw, aw, bonus, mc
	out.Total = round2(bonus.Points + mc.Points)
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " + ")
}

// FieldError names the input field at fault.
type FieldError = complaint.FieldError

var fieldErr = validate.Errorf

// Validate checks an audit check as entered (ID and auditor are the server's).
func (c AuditCheck) Validate() error {
	switch {
	case strings.TrimSpace(c.Department) == "":
		return validate.Missing("department", "is required")
	case !validMonth(c.Month):
		return fieldErr("month", "must look like 2026-03, not %q", c.Month)
	case strings.TrimSpace(c.Item) == "":
		return validate.Missing("item", "is required")
	case len(c.Item) > 500:
		return fieldErr("item", "is longer than 500 bytes")
	case len(c.Note) > 4000:
		return fieldErr("note", "is longer than 4000 bytes")
	case !(c.Possible > 0) || c.Possible > 1000:
		return fieldErr("possible", "must be more than 0 and at most 1000")
	case !(c.Earned >= 0) || c.Earned > c.Possible:
		return fieldErr("earned", "must be from 0 to possible (%g)", c.Possible)
	}
	return nil
}

// Validate checks a credit as entered under the rules.
func (c AssessmentCredit) Validate(r AssessmentRules) error {
	switch {
	case strings.TrimSpace(c.Department) == "":
		return validate.Missing("department", "is required")
	case c.Year < 1900 || c.Year > 9998:
		return fieldErr("year", "must be a year such as 2026")
	case c.Kind != CreditSatisfactionWork && c.Kind != CreditCustomerAward:
		return fieldErr("kind", "must be %s or %s", CreditSatisfactionWork, CreditCustomerAward)
	case strings.TrimSpace(c.Reason) == "":
		return validate.Missing("reason", "is required")
	case len(c.Reason) > 4000:
		return fieldErr("reason", "is longer than 4000 bytes")
	case c.Kind == CreditSatisfactionWork && (!(c.Points > 0) || c.Points > r.SatisfactionWorkMax):
		return fieldErr("points", "must be more than 0 and at most %g for satisfaction work", r.SatisfactionWorkMax)
	case c.Kind == CreditCustomerAward && c.Points != 0 && c.Points != r.AwardPoints:
		return fieldErr("points", "a customer award counts %g; leave points out", r.AwardPoints)
	}
	return nil
}

func validMonth(m string) bool {
	if len(m) != 7 || m[4] != '-' {
		return false
	}
	for i, ch := range m {
		if i != 4 && (ch < '0' || ch > '9') {
			return false
		}
	}
	mo := int(m[5]-'0')*10 + int(m[6]-'0')
	return mo >= 1 && mo <= 12 && m[:4] >= "1900"
}
