package complaint

import (
	"fmt"
	"slices"
	"time"
)

// ClockKind says how a step's time limit is counted.
type ClockKind string

const (
	// ClockWorking counts only the working calendar's hours: not nights,
	// lunch breaks, weekends or holidays; a make-up working day (调休) counts.
	ClockWorking ClockKind = "working"
	// ClockCalendar counts every hour.
	ClockCalendar ClockKind = "calendar"
)

// ClockKinds lists the valid clocks.
var ClockKinds = []ClockKind{ClockWorking, ClockCalendar}

// SLAStatus is how a step stands against its deadline.
type SLAStatus string

const (
	SLAOnTrack  SLAStatus = "on_track"
	SLAAtRisk   SLAStatus = "at_risk"
	SLABreached SLAStatus = "breached"
)

// SLAStatuses lists the valid statuses.
var SLAStatuses = []SLAStatus{SLAOnTrack, SLAAtRisk, SLABreached}

// SLARule sets a step's time limit for the complaints it matches. Rules are
// tried in order; the first whose step, classes and severities match applies.
type SLARule struct {
	Step Step `json:"step"`
	// Classes and Severities narrow the rule; empty matches all.
	Classes    []ComplainantClass `json:"classes,omitempty" doc:"Only complaints of these complainant classes; empty matches all."`
	Severities []Severity         `json:"severities,omitempty" doc:"Only complaints of these severities; empty matches all."`
	Target     Duration           `json:"target" doc:"The time allowed, counted on clock; positive."`
	Clock      ClockKind          `json:"clock"`
	// WarnAt is the share of the target after which the step is at risk and
	// its owner is warned, e.g. 0.8; 0 means no warning.
	WarnAt float64 `json:"warn_at,omitempty" doc:"The share of the target after which the step is at risk and its owner is warned, at least 0 and below 1, e.g. 0.8; 0 or absent means no warning."`
	// Escalation replaces the policy's escalation chain for this rule.
	Escalation []EscalationRule `json:"escalation,omitempty" doc:"Replaces the policy's escalation for this rule."`
}

func (r SLARule) matches(step Step, class ComplainantClass, sev Severity) bool {
	if r.Step != step {
		return false
	}
	if len(r.Classes) > 0 && !slices.Contains(r.Classes, class) {
		return false
	}
	return len(r.Severities) == 0 || slices.Contains(r.Severities, sev)
}

// SLA is the rule that governs a step of a complaint. Without a matching rule
// the step counts calendar time against step_limits, as policies before
// working-time SLAs did.
func (p Policy) SLA(step Step, class ComplainantClass, sev Severity) SLARule {
	for _, r := range p.SLARules {
		if r.matches(step, class, sev) {
			if len(r.Escalation) == 0 {
				r.Escalation = p.Escalation
			}
			return r
		}
	}
	return SLARule{Step: step, Target: p.StepLimits[step], Clock: ClockCalendar, Escalation: p.Escalation}
}

// CalendarFor names the working calendar of a branch ("" = headquarters).
func (p Policy) CalendarFor(branch string) string {
	if name, ok := p.Calendars[branch]; ok && branch != "" {
		return name
	}
	if p.DefaultCalendar != "" {
		return p.DefaultCalendar
	}
	return "default"
}

// defaultSLARules: 8 working hours to handle and answer (000), the callback 24
// hours after execution (000, counted on the clock: the customer is called
// back the next day, whatever day it is), the other steps in working days of
// 7.5 hours.
func defaultSLARules() []SLARule {
	w := func(step Step, hours float64) SLARule {
		return SLARule{Step: step, Target: Duration(time.Duration(hours * float64(time.Hour))), Clock: ClockWorking, WarnAt: 0.8}
	}
	cb := SLARule{Step: StepCallback, Target: Duration(24 * time.Hour), Clock: ClockCalendar, WarnAt: 0.8}
	return []SLARule{
		w(StepValidation, 8),
		w(StepAssignment, 4),
		w(StepRootCause, 15),
		w(StepPlan, 7.5),
		w(StepApproval, 7.5),
		w(StepExecution, 22.5),
		cb,
		w(StepReview, 22.5),
	}
}

func (p Policy) validateSLA() error {
	for i, r := range p.SLARules {
		at := fmt.Sprintf("sla[%d]", i)
		if !r.Step.Valid() || r.Step == StepClosed {
			return fmt.Errorf("%s: unknown step %q", at, r.Step)
		}
		for _, c := range r.Classes {
			if !slices.Contains(ComplainantClasses, c) {
				return fmt.Errorf("%s: unknown complainant class %q", at, c)
			}
		}
		for _, s := range r.Severities {
			if s.Rank() < 0 {
				return fmt.Errorf("%s: unknown severity %q", at, s)
			}
		}
		if r.Target <= 0 {
			return fmt.Errorf("%s: target must be positive", at)
		}
		if !slices.Contains(ClockKinds, r.Clock) {
			return fmt.Errorf("%s: clock must be working or calendar", at)
		}
		if r.WarnAt < 0 || r.WarnAt >= 1 {
			return fmt.Errorf("%s: warn_at must be at least 0 and below 1", at)
		}
		if err := ValidateEscalation(at+".escalation", r.Escalation); err != nil {
			return err
		}
	}
	return nil
}

// ValidateEscalation checks an escalation chain (complaints' and improvement
// actions'): known levels, rising, at increasing times; field names it in errors.
func ValidateEscalation(field string, rules []EscalationRule) error {
	last := Duration(-1)
	for i, e := range rules {
		if e.Level.Rank() <= 0 {
			return fmt.Errorf("%s[%d]: unknown level %q", field, i, e.Level)
		}
		if e.After < 0 || e.After <= last {
			return fmt.Errorf("%s[%d]: after must be non-negative and increasing", field, i)
		}
		if i > 0 && e.Level.Rank() <= rules[i-1].Level.Rank() {
			return fmt.Errorf("%s[%d]: levels must rise", field, i)
		}
		last = e.After
	}
	return nil
}
