package complaint

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/org"
)

func TestAuthorize(t *testing.T) {
	who := func(dept string, roles ...org.Role) Actor {
		return Actor{ID: dept + "-user", Department: dept, Roles: roles}
	}
	market := who("market", org.RoleMarketDepartment)
	branchHead := who("branch-zz", org.RoleBranchHead)
	otherBranchHead := who("branch-xa", org.RoleBranchHead)
	member := who("engineering", org.RoleDepartmentMember)
	head := who("engineering", org.RoleDepartmentHead)
	otherHead := who("quality", org.RoleDepartmentHead)
	gm := who("gm-office", org.RoleGeneralManager)
	clerk := who("sales", org.RoleIntakeClerk)
	auditor := who("audit", org.RoleInternalAuditor)
	admin := who("it", org.RoleAdministrator)

	hq := &Complaint{ID: "c1", Number: "TS-1", Status: StepRootCause, Department: "engineering"}
	branch := &Complaint{ID: "c2", Number: "TS-2", Status: StepValidation, Branch: "branch-zz"}
	for _, tc := range []struct {
		name  string
		a     Actor
		c     *Complaint
		act   Action
		level Level
		ok    bool
	}{
		{"clerk records", clerk, branch, ActRecord, "", true},
		{"branch head records own branch", branchHead, branch, ActRecord, "", true},
		{"branch head records another branch", otherBranchHead, branch, ActRecord, "", false},
		{"member records", member, hq, ActRecord, "", false},
		{"auditor reads all", auditor, hq, ActRead, "", true},
		{"assigned member reads", member, hq, ActRead, "", true},
		{"other head reads", otherHead, hq, ActRead, "", false},
		{"branch head reads own branch", branchHead, branch, ActRead, "", true},
		{"branch head validates own branch", branchHead, branch, Action(StepValidation), "", true},
		{"other branch head validates", otherBranchHead, branch, Action(StepValidation), "", false},
		{"market validates", market, branch, Action(StepValidation), "", true},
		{"member plans", member, hq, Action(StepPlan), "", true},
		{"other head plans", otherHead, hq, Action(StepPlan), "", false},
		{"head approves own department", head, hq, Action(StepApproval), LevelDepartmentHead, true},
		{"other head approves", otherHead, hq, Action(StepApproval), LevelDepartmentHead, false},
		{"head approves as general manager", head, hq, Action(StepApproval), LevelGeneralManager, false},
		{"gm approves", gm, hq, Action(StepApproval), LevelGeneralManager, true},
		{"clerk calls back", clerk, hq, Action(StepCallback), "", true},
		{"the customer calls back through the link", CustomerActor("c1"), hq, Action(StepCallback), "", true},
		{"another complaint's customer", CustomerActor("c2"), hq, Action(StepCallback), "", false},
		{"the step's owner pauses", member, hq, ActPause, "", true},
		{"market pauses", market, hq, ActPause, "", true},
		{"clerk pauses", clerk, hq, ActPause, "", false},
		{"head extends", head, hq, ActExtend, "", true},
		{"member extends", member, hq, ActExtend, "", false},
		{"gm extends", gm, hq, ActExtend, "", true},
		{"system rolls out a calendar", SystemActor, hq, ActCalendar, "", true},
		{"market rolls out a calendar", market, hq, ActCalendar, "", false},
		{"admin migrates policy", admin, hq, ActPolicy, "", true},
		{"admin validates", admin, branch, Action(StepValidation), "", false},
	} {
		err := Authorize(tc.a, tc.c, tc.act, tc.level)
		if tc.ok {
			require.NoError(t, err, tc.name)
		} else {
			var pe *PermissionError
			require.ErrorAs(t, err, &pe, tc.name)
			require.NotEmpty(t, pe.Reason)
		}
	}
}
