package server

import (
	"reflect"
	"slices"
	"strings"

	"github.com/cxflow/cxflow/reports"
)

func init() {
	operationAccess["GET /api/v1/dashboard"] = access{roles: slices.Clone(dashboardReaders),
		who: describeRoles(reportReaders) + ", for the whole company or one branch; a branch head for the complaints their branch is involved in; " +
			"a department head for the complaints their department is involved in",
		refused: "Refused: the caller holds none of the roles " + strings.Join(names(dashboardReaders...), ", ") +
			", or a branch or department head asked for another branch (field branch); error says why."}

	const period = "Received, founded and SLA compliance count the complaints received in the period, as the complaint analysis report does; " +
		"closed and the handling times the complaints closed in it; escalations those made in it."
	for t, doc := range map[reflect.Type]string{
		reflect.TypeFor[reports.Dashboard](): "The management dashboard (管理看板) of the complaints the caller may read, as of as_of: the open complaints by step and department " +
			"with how their current steps stand against their deadlines, the most urgent overdue and escalated ones, this quarter against the last, and the last twelve months. " +
			"Months and quarters begin at midnight in the organisation's time zone (time_zone). Compliance figures are fractions rounded to four places (0.25 is 25%); " +
			"hours are rounded to two places; a ratio or time of nothing is null.",
		reflect.TypeFor[reports.DashboardScope]():       "Whose complaints the dashboard counts.",
		reflect.TypeFor[reports.DashboardOpen]():        "The open (not closed) complaints and how their current steps stand now: on track, at risk (past the warning point) or breached (past due). A paused step keeps the standing it had when its clock stopped.",
		reflect.TypeFor[reports.DashboardGroup]():       "The open complaints of one step or one responsible department, by standing.",
		reflect.TypeFor[reports.DashboardLevelOpen]():   "How many open complaints have their current step escalated to a level.",
		reflect.TypeFor[reports.DashboardUrgentList]():  "The most urgent open complaints of a kind (at most 20) and how many there are in all.",
		reflect.TypeFor[reports.DashboardUrgentEntry](): "An overdue or escalated open complaint.",
		reflect.TypeFor[reports.DashboardComparison]():  "This quarter, so far, against the previous one.",
		reflect.TypeFor[reports.DashboardQuarter]():     "A quarter's figures. " + period,
		reflect.TypeFor[reports.DashboardMonth]():       "A month's figures. " + period,
		reflect.TypeFor[reports.DashboardPeriod]():      "What happened in a period. " + period,
	} {
		typeDocs[t] = doc
	}
	for k, doc := range map[fieldKey]string{
		{reflect.TypeFor[reports.Dashboard](), "as_of"}:     "When the figures were computed; SLA standings are as of then.",
		{reflect.TypeFor[reports.Dashboard](), "time_zone"}: "The organisation's time zone (IANA name), in which months and quarters begin.",
		{reflect.TypeFor[reports.Dashboard](), "overdue"}: "The open complaints whose current step is past due (breached), the longest overdue first; " +
			"total equals open.breached.",
		{reflect.TypeFor[reports.Dashboard](), "escalated"}: "The open complaints whose current step is escalated above its owner, the highest level first, then the earliest due; " +
			"total equals open.escalated.",
		{reflect.TypeFor[reports.Dashboard](), "quarters"}: "This quarter against the last.",
		{reflect.TypeFor[reports.Dashboard](), "trend"}:    "The last twelve months, the current one (so far) last.",

		{reflect.TypeFor[reports.DashboardScope](), "kind"}: "company: every complaint, or one branch's when branch is set (a company-wide reader's filter); " +
			"branch: a branch head's, the complaints their branch is involved in (raised at it, or assigned to it); " +
			"department: a department head's, the complaints their department is involved in.",
		{reflect.TypeFor[reports.DashboardScope](), "branch"}:     "The branch: the filter asked for, or the branch head's own.",
		{reflect.TypeFor[reports.DashboardScope](), "department"}: "The department head's department.",
		{reflect.TypeFor[reports.DashboardScope](), "name"}:       "The branch's or department's name.",

		{reflect.TypeFor[reports.DashboardOpen](), "total"}:         "Open complaints.",
		{reflect.TypeFor[reports.DashboardOpen](), "on_track"}:      "Of them, those whose current step is neither at risk nor past due.",
		{reflect.TypeFor[reports.DashboardOpen](), "at_risk"}:       "Of them, those past their step's warning point but not yet due.",
		{reflect.TypeFor[reports.DashboardOpen](), "breached"}:      "Of them, those past their step's due time: the overdue complaints.",
		{reflect.TypeFor[reports.DashboardOpen](), "escalated"}:     "Of them, those whose current step is escalated above its owner.",
		{reflect.TypeFor[reports.DashboardOpen](), "paused"}:        "Of them, those whose clock is stopped (waiting on the customer or a third party).",
		{reflect.TypeFor[reports.DashboardOpen](), "by_step"}:       "By current step: every step with a time limit in procedure order (zeros included), then any other status a complaint holds.",
		{reflect.TypeFor[reports.DashboardOpen](), "by_department"}: "By responsible department (key the department ID, empty for complaints not assigned yet, labelled " + reports.Unassigned + "), most open first.",
		{reflect.TypeFor[reports.DashboardOpen](), "by_level"}:      "The escalated ones by level: department_head, market_department, general_manager (zeros included).",

		{reflect.TypeFor[reports.DashboardGroup](), "key"}:       "The step, or the department ID (empty: not assigned yet).",
		{reflect.TypeFor[reports.DashboardGroup](), "label"}:     "The step's or department's Chinese name.",
		{reflect.TypeFor[reports.DashboardGroup](), "total"}:     "Open complaints in the group; on_track + at_risk + breached.",
		{reflect.TypeFor[reports.DashboardLevelOpen](), "count"}: "Open complaints whose current step is at the level.",

		{reflect.TypeFor[reports.DashboardUrgentEntry](), "id"}:               "The complaint's ID.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "number"}:           "The complaint's number, e.g. TS-2026-000123.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "subject"}:          "The complaint's subject.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "status"}:           "The current step.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "department"}:       "The responsible department's ID; absent while none is assigned.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "department_name"}:  "The responsible department's name.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "branch"}:           "The branch the complaint concerns; absent for headquarters'.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "due_at"}:           "The current step's due time.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "sla_status"}:       "How the current step stands now (a paused step: as when its clock stopped).",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "paused"}:           "The step's clock is stopped.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "escalation_level"}: "The level the current step is escalated to (owner: not escalated).",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "late_seconds"}: "How long the step has been past due, in seconds, until now or until its clock stopped; counted as late_clock says. " +
			"Absent when the step is not past due.",
		{reflect.TypeFor[reports.DashboardUrgentEntry](), "late_clock"}: "working: working time on the complaint's calendar (a working-time step); calendar: every hour " +
			"(a calendar-time step, or a working-time step whose calendar could not be read).",

		{reflect.TypeFor[reports.DashboardQuarter](), "quarter"}: "The quarter, e.g. 2026Q2.",
		{reflect.TypeFor[reports.DashboardMonth](), "month"}:     "The month, YYYY-MM.",

		{reflect.TypeFor[reports.DashboardPeriod](), "from"}:            "The period's first instant: midnight on its first day in the organisation's time zone.",
		{reflect.TypeFor[reports.DashboardPeriod](), "to"}:              "The end of the period (excluded): midnight after its last day. For this quarter and month, in the future.",
		{reflect.TypeFor[reports.DashboardPeriod](), "received"}:        "Complaints received in the period.",
		{reflect.TypeFor[reports.DashboardPeriod](), "founded"}:         "Of them, those validated as founded (成立).",
		{reflect.TypeFor[reports.DashboardPeriod](), "not_founded"}:     "Of them, those validated as not founded; those not yet validated count in neither.",
		{reflect.TypeFor[reports.DashboardPeriod](), "completed_steps"}: "The completed step runs of the complaints received in the period.",
		{reflect.TypeFor[reports.DashboardPeriod](), "within_sla"}:      "Of them, those completed within their time limit (not breached).",
		{reflect.TypeFor[reports.DashboardPeriod](), "sla_compliance"}:  "within_sla / completed_steps; null when none completed.",
		{reflect.TypeFor[reports.DashboardPeriod](), "closed"}:          "Complaints closed in the period, whenever received.",
		{reflect.TypeFor[reports.DashboardPeriod](), "median_hours"}:    "The median hours from receipt to closing of the complaints closed in the period (elapsed time, not working time); null when none closed.",
		{reflect.TypeFor[reports.DashboardPeriod](), "p90_hours"}:       "The 90th percentile of those hours; null when none closed.",
		{reflect.TypeFor[reports.DashboardPeriod](), "escalations"}:     "Escalations made in the period (steps raised to a higher level when overdue, or cases reopened), whenever their complaints were received.",
	} {
		fieldDocs[k] = doc
	}
	enumFields := map[fieldKey]string{
		{reflect.TypeFor[reports.DashboardLevelOpen](), "level"}: "EscalationLevel",
	}
	for k, name := range enumFields {
		fieldEnums[k] = name
	}
}

// dashboardPaths documents the management dashboard.
func dashboardPaths(g *schemaGen, paths obj, errResp func(string) obj) {
	paths["/api/v1/dashboard"] = obj{"get": obj{
		"operationId": "dashboard",
		"tags":        []string{"reports"},
		"summary":     "The management dashboard (管理看板)",
		"description": "The open complaints counted by current step and by responsible department with how their steps stand now (on track, at risk, breached; " +
			"a paused step as when its clock stopped), the overdue and the escalated open complaints (the 20 most urgent of each, with how late in working time, and totals), " +
			"this quarter so far against the last (received, founded and not founded, SLA compliance, closed, median and 90th-percentile handling time, escalations) " +
			"and the same figures for each of the last twelve months. Months and quarters begin at midnight in the organisation's time zone. " +
			"SLA compliance is that of the completed steps of the complaints received in the period, as the complaint analysis report (GET /api/v1/reports/complaints) counts it; " +
			"handling time is from receipt to closing of the complaints closed in the period. All figures are computed in the database when asked. " +
			"A 400 names branch for an ID that is no branch.",
		"parameters": []any{obj{"name": "branch", "in": "query", "schema": obj{"type": "string", "example": "suzhou"},
			"description": "Only the complaints concerning this branch: the ID of a branch (a department of kind branch, see GET /api/v1/departments), for those who read " +
				"the whole company's complaints. A branch head may name only their own branch (the same as naming none); a department head none."}},
		"responses": obj{
			"200": obj{"description": "The dashboard.", "content": jsonContent(g.schema(reflect.TypeFor[reports.Dashboard]()))},
			"400": errResp("branch is not the ID of a branch (field branch)."),
			"500": errResponse("InternalError"),
		},
	}}
}
