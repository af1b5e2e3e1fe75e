package complaint

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cxflow/cxflow/overlay"
)

// Duration is a time.Duration written as "8h", "30m" or "30s" in policy files.
type Duration time.Duration

// MarshalJSON writes the shortest form: "8h", "1h30m", "30s".
func (d Duration) MarshalJSON() ([]byte, error) {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return json.Marshal(s)
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"8h\" or \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// EscalationRule raises an overdue step to Level once it is After past its due
// time (counted on the step's clock) and notifies the recipients.
type EscalationRule struct {
	Level Level    `json:"level"`
	After Duration `json:"after" doc:"How long past due, on the step's clock; non-negative."`
	// Notify names who is told, as roles or units; empty means the level itself.
	Notify []string `json:"notify,omitempty" doc:"Who is told, as roles or units; empty means the level itself."`
}

// Recipients are who an escalation to this level notifies.
func (e EscalationRule) Recipients() []string {
	if len(e.Notify) > 0 {
		return e.Notify
	}
	return []string{string(e.Level)}
}

// Policy is the configurable part of the complaint procedure. A complaint keeps
// the policy it started with, so a changed file never alters a running case.
type Policy struct {
	// Version names this policy in every complaint that runs under it.
	Version string `json:"version" doc:"Names this policy version in every complaint that runs under it."`
	// NumberPrefix starts every complaint number: TS-2026-000123.
	NumberPrefix string `json:"number_prefix" doc:"Starts every complaint number: TS-2026-000123."`
	// SeverityThresholds grade the estimated direct loss in RMB.
	SeverityThresholds []SeverityThreshold `json:"severity_thresholds" doc:"Grade the estimated direct loss; a loss below every threshold is none. No severity may appear twice."`
	// Approval says who must approve a plan.
	Approval ApprovalRule `json:"approval"`
	// StepLimits is the time allowed for each step in calendar time, for steps
	// no SLA rule matches. Validation counts from the complaint's receipt;
	// execution defaults to the plan's own due date when the plan gives one.
	StepLimits map[Step]Duration `json:"step_limits" doc:"The time allowed for each step in calendar time, for steps no SLA rule matches. Validation counts from receipt; execution defaults to the plan's own due_at when given."`
	// SLARules set steps' targets by complainant class and severity, counted in
	// working or calendar time; the first matching rule applies.
	SLARules []SLARule `json:"sla,omitempty" doc:"SLA rules setting steps' time limits by complainant class and severity, in working or calendar time; the first matching rule applies."`
	// DefaultCalendar is the working calendar for headquarters' complaints.
	DefaultCalendar string `json:"default_calendar,omitempty" doc:"The working calendar of headquarters' complaints; default when absent."`
	// Calendars names the working calendar of a branch, when it keeps other hours.
	Calendars map[string]string `json:"calendars,omitempty" doc:"The working calendar of each branch that keeps other hours, by branch name."`
	// Escalation lists the levels an overdue step rises through, by time past due.
	Escalation []EscalationRule `json:"escalation" doc:"The levels an overdue step rises through, for steps whose SLA rule gives no escalation of its own."`
	// ReopenEscalation is the level a case sent back by an unsatisfied customer
	// starts its new plan at.
	ReopenEscalation Level `json:"reopen_escalation" doc:"The level a case sent back by an unsatisfied customer starts its new plan at."`
}

// DefaultPolicy is the procedure as written in domain.md: 8 hours from receipt
// to validate and answer, callback within 24 hours after execution (000).
func DefaultPolicy() Policy {
	return Policy{
		Version:      "default-2",
		NumberPrefix: "TS",
		SeverityThresholds: []SeverityThreshold{
			{SeverityExtraordinary, 1_000_000},
			{SeverityMajor, 500_000},
			{SeveritySerious, 100_000},
			{SeverityGeneral, 50_000},
			{SeverityMinor, 10_000},
			{SeveritySlight, 1_000},
		},
		Approval: ApprovalRule{
			MarketDepartmentFrom:     SeverityGeneral,
			BranchToMarketDepartment: true,
			GeneralManagerFrom:       SeverityMajor,
		},
		StepLimits: map[Step]Duration{
			StepValidation: Duration(8 * time.Hour),
			StepAssignment: Duration(4 * time.Hour),
			StepRootCause:  Duration(48 * time.Hour),
			StepPlan:       Duration(24 * time.Hour),
			StepApproval:   Duration(24 * time.Hour),
			StepExecution:  Duration(72 * time.Hour),
			StepCallback:   Duration(24 * time.Hour),
			StepReview:     Duration(72 * time.Hour),
		},
		Escalation: []EscalationRule{
			{Level: LevelDepartmentHead, After: 0},
			{Level: LevelMarketDepartment, After: Duration(4 * time.Hour)},
			{Level: LevelGeneralManager, After: Duration(8 * time.Hour)},
		},
		ReopenEscalation: LevelDepartmentHead,
		SLARules:         defaultSLARules(),
		DefaultCalendar:  "default",
	}
}

// LoadPolicy reads a policy file over the defaults: a file may give only the
// fields it changes. An empty path returns the defaults.
func LoadPolicy(path string) (Policy, error) {
	p := DefaultPolicy()
	if path == "" {
		return p, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("read policy %s: %w", path, err)
	}
	limits := p.StepLimits
	p.StepLimits = nil
	// Lists the file gives replace the defaults' whole (overlay), never merge.
	if err := overlay.Decode(b, &p); err != nil {
		return p, fmt.Errorf("parse policy %s: %w", path, err)
	}
	// Step limits merge per step so a file can change just one.
	for s, d := range p.StepLimits {
		limits[s] = d
	}
	p.StepLimits = limits
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// Validate checks that the policy can run a complaint.
func (p Policy) Validate() error {
	if p.Version == "" {
		return fmt.Errorf("version is required")
	}
	if p.NumberPrefix == "" {
		return fmt.Errorf("number_prefix is required")
	}
	if err := validateThresholds(p.SeverityThresholds); err != nil {
		return err
	}
	for _, s := range []Severity{p.Approval.MarketDepartmentFrom, p.Approval.GeneralManagerFrom} {
		if s.Rank() < 0 {
			return fmt.Errorf("approval: unknown severity %q", s)
		}
	}
	for s, d := range p.StepLimits {
		if !s.Valid() || s == StepClosed {
			return fmt.Errorf("step_limits: unknown step %q", s)
		}
		if d <= 0 {
			return fmt.Errorf("step_limits: %s must be positive", s)
		}
	}
	for _, s := range ActionSteps {
		if _, ok := p.StepLimits[s]; !ok {
			return fmt.Errorf("step_limits: %s is missing", s)
		}
	}
	if err := ValidateEscalation("escalation", p.Escalation); err != nil {
		return err
	}
	if err := p.validateSLA(); err != nil {
		return err
	}
	if p.ReopenEscalation != "" && p.ReopenEscalation.Rank() < 0 {
		return fmt.Errorf("reopen_escalation: unknown level %q", p.ReopenEscalation)
	}
	return nil
}

// Limit is the time allowed for a step.
func (p Policy) Limit(s Step) time.Duration { return p.StepLimits[s].Std() }
