package improvement

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cxflow/cxflow/org"
)

// Act is something a person does to an improvement action.
type Act string

const (
	ActOpen     Act = "open"
	ActRead     Act = "read"
	ActPlan     Act = Act(StepPlan)
	ActComplete Act = Act(StepCompletion)
	ActVerify   Act = Act(StepVerification)
)

func deny(format string, args ...any) error {
	return &PermissionError{Reason: fmt.Sprintf(format, args...)}
}

// Authorize decides whether the actor may act on the action (domain.md §1, §3).
// For ActOpen, x is the action to be opened (its department set). The API
// checks it for a quick answer; the workflow's validators check it again
// against the action's current state.
func Authorize(a Actor, x *Action, act Act) error {
	switch act {
	case ActOpen:
		if a.Has(org.RoleMarketDepartment) || a.Has(org.RoleQualityDepartment) {
			return nil
		}
		if a.Has(org.RoleBranchHead) {
			if x.Department == a.Department {
				return nil
			}
			return deny("a branch head opens improvement actions for their own branch (%s), not for %q", a.Department, x.Department)
		}
		return deny("improvement actions are opened by the market department, the quality department or a branch head")
	case ActRead:
		if CanReadAll(a) || inOwnerDepartment(a, x) {
			return nil
		}
		return deny("improvement action %s belongs to %s, not to your department (%s)", x.ID, x.Department, a.Department)
	case ActPlan, ActComplete:
		if inOwnerDepartment(a, x) {
			return nil
		}
		return deny("the %s is for members and the head of the owner department (%s)", act, x.Department)
	case ActVerify:
		if !slices.ContainsFunc(x.Verifiers, a.Has) {
			return deny("verification is for %s", roleList(x.Verifiers))
		}
		if r := x.Current(); r != nil && r.Completion != nil && r.Completion.By.ID == a.ID {
			return deny("whoever reported the completion does not verify it")
		}
		return nil
	}
	return deny("unknown action %q", act)
}

// inOwnerDepartment: a member or the head of the owner department (a branch's
// head for a branch's action).
func inOwnerDepartment(a Actor, x *Action) bool {
	return x.Department != "" && a.Department == x.Department &&
		(a.Has(org.RoleDepartmentMember) || a.Has(org.RoleDepartmentHead) || a.Has(org.RoleBranchHead))
}

// CanReadAll reports whether the actor sees every action: the market and
// quality departments (who verify), the internal auditor (who follows up,
// 000), the general manager and administrators. Others see their own
// department's.
func CanReadAll(a Actor) bool {
	for _, r := range []org.Role{org.RoleMarketDepartment, org.RoleQualityDepartment,
		org.RoleInternalAuditor, org.RoleGeneralManager, org.RoleAdministrator} {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// ReadsOwnDepartment reports whether an actor who cannot read all actions
// reads their own department's.
func ReadsOwnDepartment(a Actor) bool {
	return a.Department != "" &&
		(a.Has(org.RoleDepartmentMember) || a.Has(org.RoleDepartmentHead) || a.Has(org.RoleBranchHead))
}

func roleList(roles []org.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = fmt.Sprintf("the %s (%s)", strings.ReplaceAll(string(r), "_", " "), r.Label())
	}
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
