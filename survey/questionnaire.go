package survey

import (
	"fmt"
	"regexp"
)

// Level is one answer on a rating scale, e.g. 满意 = 80.
type Level struct {
	Code  string  `json:"code" doc:"Identifies the level in answers, e.g. satisfied."`
	Label string  `json:"label" doc:"The level's words on the form, e.g. 满意."`
	Score float64 `json:"score" doc:"The level's points, 0 to 1000, below the level before it."`
}

// Scale is an ordered set of levels, best first. Which levels count as
// satisfied and dissatisfied is policy: the top and bottom two by default
// (002 物业 5.2.2), but a four-level scale whose third level is "not sure"
// should not count that as a complaint.
type Scale struct {
	// Name identifies the scale; trends compare only cycles on the same one.
	Name   string  `json:"name" doc:"Identifies the scale; trends compare only cycles on the same scale."`
	Levels []Level `json:"levels" doc:"At least two levels, best first, scores strictly decreasing."`
	// SatisfiedTop is how many levels from the top count as satisfied.
	SatisfiedTop int `json:"satisfied_top" doc:"How many levels from the top count as satisfied; at least 1."`
	// DissatisfiedBottom is how many levels from the bottom count as
	// dissatisfied; each such rating opens an improvement action (002 制度).
	DissatisfiedBottom int `json:"dissatisfied_bottom" doc:"How many levels from the bottom count as dissatisfied; at least 1. Each dissatisfied rating goes to an improvement action."`
}

// Names of the preset scales.
const (
	ScaleQP17       = "qp17_100"      // 五级标度法: 100/80/60/30/0 (002 QP17)
	ScaleAssessment = "assessment_20" // 考评办法: 20/16/12/8/4 (002)
	ScaleEmployee   = "employee_10"   // 员工满意度: 10/8/5/3 (002 员工)
)

// Level codes shared by the presets, so answers read the same on any scale.
const (
	LevelVerySatisfied    = "very_satisfied"
	LevelSatisfied        = "satisfied"
	LevelNeutral          = "neutral"
	LevelDissatisfied     = "dissatisfied"
	LevelVeryDissatisfied = "very_dissatisfied"
	LevelNotSure          = "not_sure"
)

// DefaultScale is the five-level scale of 002 QP17 4.3.1: 很满意 100, 满意 80,
// 一般 60, 不满意 30, 很不满意 0.
func DefaultScale() Scale {
	return Scale{
		Name: ScaleQP17,
		Levels: []Level{
			{LevelVerySatisfied, "很满意", 100},
			{LevelSatisfied, "满意", 80},
			{LevelNeutral, "一般", 60},
			{LevelDissatisfied, "不满意", 30},
			{LevelVeryDissatisfied, "很不满意", 0},
		},
		SatisfiedTop:       2,
		DissatisfiedBottom: 2,
	}
}

// AssessmentScale is the monthly service assessment's scale (002 考评办法):
// 很满意 20, 基本满意 16, 一般 12, 不太满意 8, 很不满意 4.
func AssessmentScale() Scale {
	return Scale{
		Name: ScaleAssessment,
		Levels: []Level{
			{LevelVerySatisfied, "很满意", 20},
			{LevelSatisfied, "基本满意", 16},
			{LevelNeutral, "一般", 12},
			{LevelDissatisfied, "不太满意", 8},
			{LevelVeryDissatisfied, "很不满意", 4},
		},
		SatisfiedTop:       2,
		DissatisfiedBottom: 2,
	}
}

// EmployeeScale is the employee survey's four scores (002 员工 5.2.1): 非常满意
// 10, 基本满意但稍不如意 8, 不确定 5, 不满意 3. Only 不满意 is dissatisfied: an
// employee who is not sure has not complained.
func EmployeeScale() Scale {
	return Scale{
		Name: ScaleEmployee,
		Levels: []Level{
			{LevelVerySatisfied, "非常满意", 10},
			{LevelSatisfied, "基本满意但稍不如意", 8},
			{LevelNotSure, "不确定", 5},
			{LevelDissatisfied, "不满意", 3},
		},
		SatisfiedTop:       2,
		DissatisfiedBottom: 1,
	}
}

// PresetScale returns a preset scale by name.
func PresetScale(name string) (Scale, bool) {
	switch name {
	case ScaleQP17:
		return DefaultScale(), true
	case ScaleAssessment:
		return AssessmentScale(), true
	case ScaleEmployee:
		return EmployeeScale(), true
	}
	return Scale{}, false
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Validate checks that the scale can grade answers.
func (s Scale) Validate() error {
	// The name is what says two cycles' scores are on the same points.
	if err := required("name", s.Name, maxShortText); err != nil {
		return err
	}
	if len(s.Levels) < 2 {
		return fieldErr("levels", "needs at least two levels")
	}
	seen := map[string]bool{}
	for i, l := range s.Levels {
		at := fmt.Sprintf("levels[%d]", i)
		if !codePattern.MatchString(l.Code) {
			return fieldErr(at+".code", "must be 1-40 lower-case letters, digits or '_', starting with a letter")
		}
		if seen[l.Code] {
			return fieldErr(at+".code", "%s is given twice", l.Code)
		}
		seen[l.Code] = true
		if err := required(at+".label", l.Label, maxShortText); err != nil {
			return err
		}
		if l.Score != l.Score || l.Score < 0 || l.Score > 1000 {
			return fieldErr(at+".score", "must be between 0 and 1000")
		}
		// Best first: a level scoring above the one before it would make
		// "top two" mean something else than the two best.
		if i > 0 && l.Score >= s.Levels[i-1].Score {
			return fieldErr(at+".score", "must be below %s's %g: levels go from best to worst", s.Levels[i-1].Code, s.Levels[i-1].Score)
		}
	}
	if s.SatisfiedTop < 1 {
		return fieldErr("satisfied_top", "must be at least 1")
	}
	if s.DissatisfiedBottom < 1 {
		return fieldErr("dissatisfied_bottom", "must be at least 1")
	}
	if s.SatisfiedTop+s.DissatisfiedBottom > len(s.Levels) {
		return fieldErr("dissatisfied_bottom", "satisfied_top and dissatisfied_bottom overlap: together at most %d levels", len(s.Levels))
	}
	return nil
}

// Find returns the level with the code and its position from the top.
func (s Scale) Find(code string) (Level, int, bool) {
	for i, l := range s.Levels {
		if l.Code == code {
			return l, i, true
		}
	}
	return Level{}, -1, false
}

// Satisfied reports whether the level counts toward the satisfaction rate.
func (s Scale) Satisfied(code string) bool {
	_, i, ok := s.Find(code)
	return ok && i < s.SatisfiedTop
}

// Dissatisfied reports whether the level opens an improvement action.
func (s Scale) Dissatisfied(code string) bool {
	_, i, ok := s.Find(code)
	return ok && i >= len(s.Levels)-s.DissatisfiedBottom
}

// Dimension is one thing the customer rates (调查项目), owned by the department
// that answers for it when the rating is poor.
type Dimension struct {
	Code string `json:"code" doc:"Identifies the dimension in answers, e.g. delivery_time."`
	Name string `json:"name"`
	// OwnerDepartment is the department ID that gets the improvement action.
	OwnerDepartment string `json:"owner_department" doc:"The ID of the department that gets the improvement action for dissatisfied ratings."`
}

// Questionnaire is what a cycle asks (顾客满意度调查表).
type Questionnaire struct {
	Dimensions []Dimension `json:"dimensions" doc:"What is rated, 1 to 50 dimensions with distinct codes."`
	Scale      Scale       `json:"scale"`
	// AskRecommend adds "how likely are you to recommend us", 0–10, for the
	// net promoter score: the loyalty question of 000, 002 and 004.
	AskRecommend bool `json:"ask_recommend" doc:"Asks how likely the customer is to recommend the company, 0–10, for the net promoter score."`
	// AskCompetitor asks the same dimensions about the main competitor
	// (002 制度: at least 10 competitor forms a cycle).
	AskCompetitor bool `json:"ask_competitor" doc:"Asks the same dimensions about the main competitor."`
	// Anonymous answers carry no customer ID; employee surveys ask sensitive
	// dimensions this way (002 员工满意度调查管理办法).
	Anonymous bool `json:"anonymous" doc:"Answers are stored without the customer (employee surveys of sensitive dimensions)."`
}

// DefaultDimensions are the dimensions common to the procedures (000, 002, 004),
// owned by the departments that usually answer for them.
func DefaultDimensions() []Dimension {
	return []Dimension{
		{"product_quality", "产品质量", "quality"},
		{"delivery_time", "交货期", "sales"},
		{"service", "服务质量", "market"},
		{"after_sales", "售后服务", "after-sales"},
		{"price", "价格", "market"},
		{"cooperation", "配合度", "sales"},
	}
}

// DefaultQuestionnaire rates the default dimensions on the QP17 scale and asks
// whether the customer would recommend the company.
func DefaultQuestionnaire() Questionnaire {
	return Questionnaire{Dimensions: DefaultDimensions(), Scale: DefaultScale(), AskRecommend: true}
}

// maxDimensions keeps a questionnaire short enough to be answered.
const maxDimensions = 50

// Validate checks that the questionnaire can be sent and its answers graded.
func (q Questionnaire) Validate() error {
	if len(q.Dimensions) == 0 {
		return fieldErr("dimensions", "needs at least one dimension")
	}
	if len(q.Dimensions) > maxDimensions {
		return fieldErr("dimensions", "must be at most %d", maxDimensions)
	}
	seen := map[string]bool{}
	for i, d := range q.Dimensions {
		at := fmt.Sprintf("dimensions[%d]", i)
		if !codePattern.MatchString(d.Code) {
			return fieldErr(at+".code", "must be 1-40 lower-case letters, digits or '_', starting with a letter")
		}
		if seen[d.Code] {
			return fieldErr(at+".code", "%s is given twice", d.Code)
		}
		seen[d.Code] = true
		if err := firstErr(
			required(at+".name", d.Name, maxShortText),
			// Every poor rating must reach somebody (002 制度).
			required(at+".owner_department", d.OwnerDepartment, maxShortText),
		); err != nil {
			return err
		}
	}
	return within("scale", q.Scale.Validate())
}

// Dimension returns the dimension with the code.
func (q Questionnaire) Dimension(code string) (Dimension, bool) {
	for _, d := range q.Dimensions {
		if d.Code == code {
			return d, true
		}
	}
	return Dimension{}, false
}
