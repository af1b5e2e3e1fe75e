package app

import (
	"slices"
	"strings"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// Op names an operation, as the permission table and the contract know it.
type Op string

// The operations of this package, grouped by area.
const (
	OpListCalendars   Op = "listCalendars"
	OpGetCalendar     Op = "getCalendar"
	OpPutCalendar     Op = "putCalendar"
	OpPutCalendarYear Op = "putCalendarYear"
	OpCalendarHistory Op = "calendarHistory"
	OpCalendarDue     Op = "calendarDue"
	OpCalendarElapsed Op = "calendarElapsed"
)

// Improvement actions. None has a rule in the table: who may open, read or
// take a step is decided per action by improvement.Authorize (the actor's
// department against the action's, the action's verifiers), which the
// operations check and the workflows check again.
const (
	OpListImprovements    Op = "listImprovementActions"
	OpOpenImprovement     Op = "openImprovementAction"
	OpGetImprovement      Op = "getImprovementAction"
	OpPlanImprovement     Op = "planImprovement"
	OpCompleteImprovement Op = "completeImprovement"
	OpVerifyImprovement   Op = "verifyImprovement"
)

// rule is who may run an operation.
type rule struct {
	// what names the operation in a refusal ("administration is for: …").
	what  string
	roles []org.Role
}

// administration is the administrators' work.
var administration = rule{"administration", []org.Role{org.RoleAdministrator}}

// permissions is who may run each operation: the one table of it. An
// operation absent here is open to every signed-in user; the workflows check
// case-level permissions (whose complaint, which step) again themselves.
var permissions = map[Op]rule{
	OpPutCalendar:     administration,
	OpPutCalendarYear: administration,
}

// Who lists the roles that may run op; nil when every signed-in user may.
func Who(op Op) []org.Role { return slices.Clone(permissions[op].roles) }

// May reports whether the actor may run op, for faces that offer it.
func May(a complaint.Actor, op Op) bool { return Authorize(a, op) == nil }

// Authorize refuses an actor who holds none of op's roles, saying who may.
func Authorize(a complaint.Actor, op Op) error {
	r, ok := permissions[op]
	if !ok || slices.ContainsFunc(r.roles, a.Has) {
		return nil
	}
	names := make([]string, len(r.roles))
	for i, role := range r.roles {
		names[i] = string(role)
	}
	return &Error{Code: Forbidden, Message: r.what + " is for: " + strings.Join(names, ", ")}
}
