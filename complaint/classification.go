package complaint

import "fmt"

// Severity is the incident severity graded by estimated direct loss (002 第十八条).
type Severity string

const (
	SeverityNone          Severity = "none"
	SeveritySlight        Severity = "slight"        // 轻微
	SeverityMinor         Severity = "minor"         // 较小
	SeverityGeneral       Severity = "general"       // 一般
	SeveritySerious       Severity = "serious"       // 较大
	SeverityMajor         Severity = "major"         // 重大
	SeverityExtraordinary Severity = "extraordinary" // 特别重大
)

// Severities lists the severities from least to most severe.
var Severities = []Severity{
	SeverityNone, SeveritySlight, SeverityMinor, SeverityGeneral,
	SeveritySerious, SeverityMajor, SeverityExtraordinary,
}

var severityLabels = map[Severity]string{
	SeverityNone: "无", SeveritySlight: "轻微", SeverityMinor: "较小", SeverityGeneral: "一般",
	SeveritySerious: "较大", SeverityMajor: "重大", SeverityExtraordinary: "特别重大",
}

// Rank orders severities; -1 for an unknown one.
func (s Severity) Rank() int {
	for i, o := range Severities {
		if o == s {
			return i
		}
	}
	return -1
}

// AtLeast reports whether s is as severe as o or worse.
func (s Severity) AtLeast(o Severity) bool { return s.Rank() >= o.Rank() && o.Rank() >= 0 }

// Label is the Chinese name used in the procedures.
func (s Severity) Label() string { return severityLabels[s] }

// Category is what the complaint is about (002 第十七条).
type Category string

const (
	CategoryServiceProduct Category = "service_product" // 服务产品投诉
	CategoryServiceQuality Category = "service_quality" // 服务质量投诉
	CategoryContract       Category = "contract"        // 合同投诉
)

// Categories lists the valid categories.
var Categories = []Category{CategoryServiceProduct, CategoryServiceQuality, CategoryContract}

// Channel is how the complaint reached the company (002 第二十一条).
type Channel string

const (
	ChannelLetter Channel = "letter" // 书面
	ChannelOral   Channel = "oral"   // 口头
	ChannelPhone  Channel = "phone"  // 电话
	ChannelEmail  Channel = "email"  // E-mail
	ChannelWeb    Channel = "web"
)

// Channels lists the valid channels.
var Channels = []Channel{ChannelLetter, ChannelOral, ChannelPhone, ChannelEmail, ChannelWeb}

// ComplainantClass grades the complainant (002 第十九条): A top-five customer or a
// provincial authority's written notice, B a serious warning, C ordinary.
type ComplainantClass string

const (
	ClassA ComplainantClass = "A"
	ClassB ComplainantClass = "B"
	ClassC ComplainantClass = "C"
)

// ComplainantClasses lists the valid classes.
var ComplainantClasses = []ComplainantClass{ClassA, ClassB, ClassC}

// CauseType is the review's judgement of where the cause lies (002 第二十六条).
type CauseType string

const (
	CauseChance      CauseType = "chance"      // 偶然因素
	CauseMechanism   CauseType = "mechanism"   // 管理机制
	CauseCooperation CauseType = "cooperation" // 合作模式
)

// CauseTypes lists the valid cause types.
var CauseTypes = []CauseType{CauseChance, CauseMechanism, CauseCooperation}

// SeverityThreshold maps a minimum direct loss (RMB) to a severity.
type SeverityThreshold struct {
	Severity Severity `json:"severity"`
	MinLoss  float64  `json:"min_loss"`
}

// SeverityFor grades a loss with the given thresholds (any order); a loss below
// every threshold has severity none.
func SeverityFor(loss float64, thresholds []SeverityThreshold) Severity {
	best := SeverityNone
	for _, t := range thresholds {
		if loss >= t.MinLoss && t.Severity.Rank() > best.Rank() {
			best = t.Severity
		}
	}
	return best
}

func validateThresholds(ts []SeverityThreshold) error {
	seen := map[Severity]bool{}
	for _, t := range ts {
		if t.Severity.Rank() <= 0 {
			return fmt.Errorf("severity_thresholds: unknown severity %q", t.Severity)
		}
		if seen[t.Severity] {
			return fmt.Errorf("severity_thresholds: %s given twice", t.Severity)
		}
		seen[t.Severity] = true
		if t.MinLoss < 0 {
			return fmt.Errorf("severity_thresholds: %s has a negative min_loss", t.Severity)
		}
	}
	// A more severe grade must need a larger loss, or grading is ambiguous.
	for _, a := range ts {
		for _, b := range ts {
			if a.Severity.Rank() > b.Severity.Rank() && a.MinLoss <= b.MinLoss {
				return fmt.Errorf("severity_thresholds: %s must need a larger loss than %s", a.Severity, b.Severity)
			}
		}
	}
	return nil
}
