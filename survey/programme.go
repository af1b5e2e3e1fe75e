package survey

import (
	"fmt"
	"math"
	"slices"
)

// CoverageRule is one stratum of a programme's population and the share of it
// that is surveyed (000). A customer matches when every condition the rule
// sets holds: the volume range, then years or potential, then representative.
type CoverageRule struct {
	// Name identifies the stratum in selections and reports.
	Name string `json:"name" doc:"Identifies the stratum in selections and reports; unique within the programme."`
	// Label is the rule as the procedure words it, e.g. 年采购额100万元以上.
	Label string `json:"label,omitempty" doc:"The rule as the procedure words it, e.g. 年采购额100万元以上."`
	// MinVolume and MaxVolume bound the annual volume in RMB: at least Min,
	// below Max; a Max of 0 is no upper bound.
	MinVolume float64 `json:"min_volume,omitempty" doc:"The least annual volume, RMB."`
	MaxVolume float64 `json:"max_volume,omitempty" doc:"The annual volume the stratum stays below, RMB; above min_volume, or 0 (absent) for no upper bound."`
	// RequireYears and Potential are alternatives: with either set, the
	// customer must have at least RequireYears consecutive years, or be
	// marked as having potential when Potential is set.
	RequireYears int  `json:"require_years,omitempty" doc:"With require_years or potential set, only customers of at least this many consecutive years, or with potential when potential is set."`
	Potential    bool `json:"potential,omitempty" doc:"With require_years or potential set, customers marked as having potential qualify too."`
	// Representative limits the rule to representative projects (代表性项目).
	Representative bool `json:"representative,omitempty" doc:"Only representative projects."`
	// Share is the part of the stratum surveyed, 0–1, rounded up to whole
	// customers; 0 names a stratum that is deliberately not surveyed.
	Share float64 `json:"share" doc:"The part of the stratum surveyed, rounded up to whole customers; 0 names a stratum deliberately not surveyed."`
}

// Matches reports whether the customer falls in the rule's stratum.
func (r CoverageRule) Matches(c Customer) bool {
	if c.AnnualVolume < r.MinVolume || (r.MaxVolume > 0 && c.AnnualVolume >= r.MaxVolume) {
		return false
	}
	if r.RequireYears > 0 || r.Potential {
		if !r.byYears(c) && !(r.Potential && c.Potential) {
			return false
		}
	}
	return !r.Representative || c.Representative
}

func (r CoverageRule) byYears(c Customer) bool {
	return r.RequireYears > 0 && c.YearsAsCustomer >= r.RequireYears
}

// DefaultCoverage is the coverage of 000, tried in order: every customer of
// RMB 1,000,000 or more; every representative project, for its special
// survey; 90 % of those from 500,000 to 1,000,000; 80 % of smaller customers
// who have bought two consecutive years or have potential. Customers matching
// no rule — a new small customer without potential — are not surveyed.
func DefaultCoverage() []CoverageRule {
	return []CoverageRule{
		{Name: "volume_1m", Label: "年采购额100万元以上", MinVolume: 1_000_000, Share: 1},
		{Name: "representative", Label: "代表性项目", Representative: true, Share: 1},
		{Name: "volume_500k", Label: "年采购额50万至100万元", MinVolume: 500_000, MaxVolume: 1_000_000, Share: 0.9},
		{Name: "loyal_or_potential", Label: "连续两年或有潜力的客户", MaxVolume: 500_000, RequireYears: 2, Potential: true, Share: 0.8},
	}
}

// Targets are what a cycle must reach to count as done properly (004
// 5.3.1.2: issued to at least 80 % of customers, at least 70 % returned).
// Other procedures set other numbers: 50 % returned (002 QP17); property
// surveys 50 % issued and 95 % returned.
type Targets struct {
	IssueRate  float64 `json:"issue_rate" doc:"The least share of the population to be issued a questionnaire."`
	ReturnRate float64 `json:"return_rate" doc:"The least share of the questionnaires issued to be answered."`
}

// DefaultTargets are 004's.
func DefaultTargets() Targets { return Targets{IssueRate: 0.8, ReturnRate: 0.7} }

// Validate checks both rates are shares.
func (t Targets) Validate() error {
	if !isShare(t.IssueRate) {
		return fieldErr("issue_rate", "must be between 0 and 1")
	}
	if !isShare(t.ReturnRate) {
		return fieldErr("return_rate", "must be between 0 and 1")
	}
	return nil
}

func isShare(v float64) bool { return v >= 0 && v <= 1 } // false for NaN

// Programme is the configurable policy of a survey programme: who is
// surveyed, what they are asked and what counts as success. A cycle keeps the
// programme it started with.
type Programme struct {
	// Population narrows who the programme is about before the coverage rules
	// draw from them; empty means every customer.
	Population    Population     `json:"population"`
	Coverage      []CoverageRule `json:"coverage" doc:"Who is surveyed: the rules are tried in order, and a customer falls in the first it matches; at least one rule."`
	Targets       Targets        `json:"targets"`
	Questionnaire Questionnaire  `json:"questionnaire"`
}

// DefaultProgramme is the procedure as written in domain.md §3.
func DefaultProgramme() Programme {
	return Programme{Coverage: DefaultCoverage(), Targets: DefaultTargets(), Questionnaire: DefaultQuestionnaire()}
}

// Population selects the customers a programme surveys (e.g. device
// customers vs engineering-project customers, 000), by segment and tier.
type Population struct {
	Segments []string `json:"segments,omitempty"`
	Tiers    []Tier   `json:"tiers,omitempty"`
}

// Includes reports whether the customer belongs to the population.
func (p Population) Includes(c Customer) bool {
	if len(p.Segments) > 0 && !slices.Contains(p.Segments, c.Segment) {
		return false
	}
	return len(p.Tiers) == 0 || slices.Contains(p.Tiers, c.Tier)
}

// Filter keeps the customers in the population.
func (p Population) Filter(cs []Customer) []Customer {
	var out []Customer
	for _, c := range cs {
		if p.Includes(c) {
			out = append(out, c)
		}
	}
	return out
}

func (p Population) validate() error {
	for _, t := range p.Tiers {
		if !slices.Contains(Tiers, t) {
			return fieldErr("tiers", "unknown tier %q: must be A, B or C", t)
		}
	}
	for _, s := range p.Segments {
		if s == "" {
			return fieldErr("segments", "a segment must not be empty")
		}
	}
	return nil
}

// Validate checks that the programme can run a cycle.
func (p Programme) Validate() error {
	if err := within("population", p.Population.validate()); err != nil {
		return err
	}
	if err := validateCoverage("coverage", p.Coverage); err != nil {
		return err
	}
	if err := within("targets", p.Targets.Validate()); err != nil {
		return err
	}
	return within("questionnaire", p.Questionnaire.Validate())
}

// ValidateCoverage checks the rules, naming the first rule and field at
// fault as rules[i].field.
func ValidateCoverage(rules []CoverageRule) error { return validateCoverage("rules", rules) }

func validateCoverage(field string, rules []CoverageRule) error {
	if len(rules) == 0 {
		return fieldErr(field, "needs at least one rule")
	}
	seen := map[string]bool{}
	for i, r := range rules {
		at := fmt.Sprintf("%s[%d]", field, i)
		if err := firstErr(required(at+".name", r.Name, maxShortText), optional(at+".label", r.Label, maxShortText)); err != nil {
			return err
		}
		// The name tells strata apart in selections.
		if seen[r.Name] {
			return fieldErr(at+".name", "%s is given twice", r.Name)
		}
		seen[r.Name] = true
		if math.IsNaN(r.MinVolume) || r.MinVolume < 0 || r.MinVolume > maxVolume {
			return fieldErr(at+".min_volume", "must be between 0 and %.0f", float64(maxVolume))
		}
		if math.IsNaN(r.MaxVolume) || r.MaxVolume < 0 || (r.MaxVolume > 0 && r.MaxVolume <= r.MinVolume) {
			return fieldErr(at+".max_volume", "must be 0 (no upper bound) or above min_volume")
		}
		if r.RequireYears < 0 || r.RequireYears > maxYears {
			return fieldErr(at+".require_years", "must be between 0 and %d", maxYears)
		}
		if !isShare(r.Share) {
			return fieldErr(at+".share", "must be between 0 and 1")
		}
	}
	return nil
}

// RuleFor returns the index of the first rule the customer matches, or -1.
func RuleFor(c Customer, rules []CoverageRule) int {
	for i, r := range rules {
		if r.Matches(c) {
			return i
		}
	}
	return -1
}
