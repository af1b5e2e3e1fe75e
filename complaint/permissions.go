package complaint

import (
	"fmt"

	"github.com/cxflow/cxflow/org"
)

// Action is something a person does to a complaint.
type Action string

// Actions besides the steps (whose actions are named after the step).
const (
	ActRecord       Action = "record"
	ActRead         Action = "read"
	ActPause        Action = "pause"
	ActResume       Action = "resume"
	ActExtend       Action = "extend_deadline"
	ActCalendar     Action = "calendar"
	ActPolicy       Action = "migrate_policy"
	ActCallbackLink Action = "callback_link"
)

// PermissionError says why an actor may not act.
type PermissionError struct{ Reason string }

func (e *PermissionError) Error() string { return e.Reason }

func deny(format string, args ...any) error {
	return &PermissionError{Reason: fmt.Sprintf(format, args...)}
}

// Authorize decides whether the actor may take the action on the complaint
// (002 第二十一条; domain.md §1). level is the approval level, for approvals.
// The API checks it for a quick answer; the workflow's validators check it
// again against the complaint's current state.
func Authorize(a Actor, c *Complaint, act Action, level Level) error {
	market := a.Has(org.RoleMarketDepartment)
	branchHead := a.Has(org.RoleBranchHead) && c.Branch != "" && a.Department == c.Branch
	assigned := c.Department != "" && a.Department == c.Department &&
		(a.Has(org.RoleDepartmentMember) || a.Has(org.RoleDepartmentHead))
	switch act {
	case ActRecord:
		if a.Has(org.RoleIntakeClerk) || market || branchHead {
			return nil
		}
		if a.Has(org.RoleBranchHead) {
			return deny("a branch head records complaints of their own branch (%s), not of %q", a.Department, c.Branch)
		}
		return deny("recording complaints is for customer service, the market department or a branch head")
	case ActRead:
		if CanReadAll(a) || (c.Department != "" && a.Department == c.Department) || (c.Branch != "" && a.Department == c.Branch) {
			return nil
		}
		return deny("complaint %s is not one your department (%s) is involved in", c.Number, a.Department)
	case Action(StepValidation), Action(StepAssignment), Action(StepReview):
		if market || branchHead {
			return nil
		}
		if c.Branch != "" {
			return deny("%s is for the market department or the head of branch %s", act, c.Branch)
		}
		return deny("%s is for the market department", act)
	case Action(StepRootCause), Action(StepPlan), Action(StepExecution):
		if assigned {
			return nil
		}
		if c.Department == "" {
			return deny("%s is for the responsible department, and none is assigned yet", act)
		}
		return deny("%s is for members of the responsible department (%s)", act, c.Department)
	case Action(StepApproval):
		switch level {
		case LevelDepartmentHead:
			if a.Has(org.RoleDepartmentHead) && a.Department == c.Department {
				return nil
			}
			return deny("the department_head approval is for the head of %s", c.Department)
		case LevelMarketDepartment:
			if market {
				return nil
			}
			return deny("the market_department approval is for the market department")
		case LevelGeneralManager:
			if a.Has(org.RoleGeneralManager) {
				return nil
			}
			return deny("the general_manager approval is for the general manager")
		}
		return deny("unknown approval level %q", level)
	case Action(StepCallback):
		if a.Has(org.RoleIntakeClerk) || (a.Has(RoleCustomer) && a.ID == CustomerActor(c.ID).ID) {
			return nil
		}
		return deny("the callback is made by customer service, or by the customer through their link")
	case ActCallbackLink:
		if a.Has(org.RoleIntakeClerk) {
			return nil
		}
		return deny("callback links are sent by customer service")
	case ActPause, ActResume:
		if market || c.Status == StepClosed {
			return nil
		}
		next := LevelDepartmentHead
		if c.Status == StepApproval && len(c.Approvals) < len(c.ApprovalsRequired) {
			next = c.ApprovalsRequired[len(c.Approvals)]
		}
		if err := Authorize(a, c, Action(c.Status), next); err != nil {
			return deny("only whoever acts on the current step (%s) or the market department may %s its clock", c.Status, act)
		}
		return nil
	case ActExtend:
		if a.Has(org.RoleGeneralManager) || (a.Has(org.RoleDepartmentHead) && a.Department == c.Department && c.Department != "") {
			return nil
		}
		if c.Department == "" && market && a.Has(org.RoleDepartmentHead) {
			return nil
		}
		return deny("a deadline extension is approved by the head of the responsible department or the general manager")
	case ActCalendar:
		if a.Has(RoleSystem) || a.Has(org.RoleAdministrator) {
			return nil
		}
		return deny("calendar changes are rolled out by cxflow")
	case ActPolicy:
		if a.Has(org.RoleAdministrator) {
			return nil
		}
		return deny("moving a complaint to another policy is for administrators")
	}
	return deny("unknown action %q", act)
}

// CanReadAll reports whether the actor sees every complaint: the market and
// quality departments, customer service, the general manager, auditors and
// administrators. Others see the complaints their department or branch is
// involved in.
func CanReadAll(a Actor) bool {
	for _, r := range []org.Role{org.RoleMarketDepartment, org.RoleQualityDepartment, org.RoleIntakeClerk,
		org.RoleGeneralManager, org.RoleInternalAuditor, org.RoleAdministrator} {
		if a.Has(r) {
			return true
		}
	}
	return false
}
