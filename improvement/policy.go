package improvement

import (
	"fmt"
	"time"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// Duration is written "120h", "30m" in policy data.
type Duration = complaint.Duration

// EscalationRule raises an overdue step to a level once it is After past due.
type EscalationRule = complaint.EscalationRule

// Policy is the configurable part of improvement actions. An action keeps the
// policy it was opened under, so a changed policy never alters a running one.
type Policy struct {
	// Version names this policy in every action opened under it.
	Version string `json:"version"`
	// PlanWithin is the calendar time from the start of a round to its plan.
	PlanWithin Duration `json:"plan_within"`
	// VerifyWithin is the calendar time from completion to verification.
	VerifyWithin Duration `json:"verify_within"`
	// Escalation lists the levels an overdue step rises through, by time past due.
	Escalation []EscalationRule `json:"escalation"`
	// Verifiers are the roles that verify an action's effect (004 §5.3.1.8:
	// the sales, market or quality department).
	Verifiers []org.Role `json:"verifiers"`
}

const day = 24 * time.Hour

// DefaultPolicy: the plan within 5 calendar days of opening, verification
// within 7 days of completion, escalation as for complaints (the department
// head at the deadline, the market department 4 hours later, the general
// manager 8 hours later), verified by the market or quality department.
func DefaultPolicy() Policy {
	return Policy{
		Version:      "improvement-default-1",
		PlanWithin:   Duration(5 * day),
		VerifyWithin: Duration(7 * day),
		Escalation: []EscalationRule{
			{Level: complaint.LevelDepartmentHead, After: 0},
			{Level: complaint.LevelMarketDepartment, After: Duration(4 * time.Hour)},
			{Level: complaint.LevelGeneralManager, After: Duration(8 * time.Hour)},
		},
		Verifiers: []org.Role{org.RoleMarketDepartment, org.RoleQualityDepartment},
	}
}

// Validate checks that the policy can run an action.
func (p Policy) Validate() error {
	if p.Version == "" {
		return fmt.Errorf("version is required")
	}
	if p.PlanWithin <= 0 {
		return fmt.Errorf("plan_within must be positive")
	}
	if p.VerifyWithin <= 0 {
		return fmt.Errorf("verify_within must be positive")
	}
	if err := complaint.ValidateEscalation("escalation", p.Escalation); err != nil {
		return err
	}
	if len(p.Verifiers) == 0 {
		return fmt.Errorf("verifiers: at least one role is required")
	}
	for i, r := range p.Verifiers {
		if !r.Valid() {
			return fmt.Errorf("verifiers[%d]: unknown role %q", i, r)
		}
	}
	return nil
}
