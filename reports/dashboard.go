package reports

import (
	"time"

	"github.com/cxflow/cxflow/complaint"
)

// Dashboard is the management dashboard (管理看板): the open complaints as
// they stand now, the overdue and escalated ones, this quarter against the
// last and the trend of the last twelve months. Every figure is an SQL
// aggregate over the read model; only the listed complaints come back as rows.
type Dashboard struct {
	AsOf time.Time `json:"as_of" doc:"When the figures were computed; SLA standings are as of then."`
	// TimeZone is the organisation's, in which months and quarters begin.
	TimeZone string `json:"time_zone" doc:"The organisation's time zone (IANA name), in which months and quarters begin."`
	// Scope says whose complaints are counted; the dashboard operation fills it in.
	Scope     DashboardScope      `json:"scope"`
	Open      DashboardOpen       `json:"open"`
	Overdue   DashboardUrgentList `json:"overdue" doc:"The open complaints whose current step is past due (breached), the longest overdue first; total equals open.breached."`
	Escalated DashboardUrgentList `json:"escalated" doc:"The open complaints whose current step is escalated above its owner, the highest level first, then the earliest due; total equals open.escalated."`
	Quarters  DashboardComparison `json:"quarters" doc:"This quarter against the last."`
	Trend     []DashboardMonth    `json:"trend" doc:"The last twelve months, the current one (so far) last."`
}

// DashboardScope describes the complaints a dashboard counts.
type DashboardScope struct {
	// Kind is company (every complaint, or one branch's when Branch is set),
	// branch (a branch head's: the complaints their branch is involved in) or
	// department (a department head's: the complaints their department is
	// involved in).
	Kind string `json:"kind" doc:"company: every complaint, or one branch's when branch is set (a company-wide reader's filter); branch: a branch head's, the complaints their branch is involved in (raised at it, or assigned to it); department: a department head's, the complaints their department is involved in."`
	// Branch is the branch filter of a company-wide reader, or the branch
	// head's branch; Department the department head's department.
	Branch     string `json:"branch,omitempty" doc:"The branch: the filter asked for, or the branch head's own."`
	Department string `json:"department,omitempty" doc:"The department head's department."`
	// Name is the branch's or department's name.
	Name string `json:"name,omitempty" doc:"The branch's or department's name."`
}

// Scope kinds.
const (
	ScopeCompany    = "company"
	ScopeBranch     = "branch"
	ScopeDepartment = "department"
)

// DashboardOpen counts the open complaints by how their current step stands
// against its deadline now. A paused step keeps the standing it had when its
// clock stopped, as complaint.Refresh has it.
type DashboardOpen struct {
	Total    int `json:"total" doc:"Open complaints."`
	OnTrack  int `json:"on_track" doc:"Of them, those whose current step is neither at risk nor past due."`
	AtRisk   int `json:"at_risk" doc:"Of them, those past their step's warning point but not yet due."`
	Breached int `json:"breached" doc:"Of them, those past their step's due time: the overdue complaints."`
	// Escalated counts those whose current step is escalated above its owner;
	// Paused those whose clock is stopped.
	Escalated int `json:"escalated" doc:"Of them, those whose current step is escalated above its owner."`
	Paused    int `json:"paused" doc:"Of them, those whose clock is stopped (waiting on the customer or a third party)."`
	// ByStep lists every step in procedure order, zeros included;
	// ByDepartment the responsible departments, most open first ("" = not
	// assigned yet).
	ByStep       []DashboardGroup `json:"by_step" doc:"By current step: every step with a time limit in procedure order (zeros included), then any other status a complaint holds."`
	ByDepartment []DashboardGroup `json:"by_department"`
	// ByLevel counts the escalated ones by the level their step is at,
	// lowest first, zeros included.
	ByLevel []DashboardLevelOpen `json:"by_level" doc:"The escalated ones by level: department_head, market_department, general_manager (zeros included)."`
}

// DashboardGroup is one step's or department's open complaints.
type DashboardGroup struct {
	Key      string `json:"key" doc:"The step, or the department ID (empty: not assigned yet)."`
	Label    string `json:"label" doc:"The step's or department's Chinese name."`
	Total    int    `json:"total" doc:"Open complaints in the group; on_track + at_risk + breached."`
	OnTrack  int    `json:"on_track"`
	AtRisk   int    `json:"at_risk"`
	Breached int    `json:"breached"`
}

// DashboardLevelOpen counts the open complaints escalated to a level.
type DashboardLevelOpen struct {
	Level complaint.Level `json:"level"`
	Count int             `json:"count" doc:"Open complaints whose current step is at the level."`
}

// DashboardUrgentList is the most urgent of a kind of open complaint and how
// many there are in all.
type DashboardUrgentList struct {
	Total int                    `json:"total"`
	Items []DashboardUrgentEntry `json:"items"`
}

// DashboardUrgentEntry is one overdue or escalated open complaint.
type DashboardUrgentEntry struct {
	ID         string         `json:"id" doc:"The complaint's ID."`
	Number     string         `json:"number" doc:"The complaint's number, e.g. TS-2026-000123."`
	Subject    string         `json:"subject" doc:"The complaint's subject."`
	Status     complaint.Step `json:"status" doc:"The current step."`
	Department string         `json:"department,omitempty" doc:"The responsible department's ID; absent while none is assigned."`
	// DepartmentName is the department's name (the ID when unknown).
	DepartmentName  string              `json:"department_name,omitempty" doc:"The responsible department's name."`
	Branch          string              `json:"branch,omitempty" doc:"The branch the complaint concerns; absent for headquarters'."`
	DueAt           *time.Time          `json:"due_at,omitempty" doc:"The current step's due time."`
	SLAStatus       complaint.SLAStatus `json:"sla_status" doc:"How the current step stands now (a paused step: as when its clock stopped)."`
	Paused          bool                `json:"paused" doc:"The step's clock is stopped."`
	EscalationLevel complaint.Level     `json:"escalation_level" doc:"The level the current step is escalated to (owner: not escalated)."`
	// LateSeconds is how long the step has been past its due time (until its
	// clock stopped, if paused), counted on LateClock: working time on the
	// complaint's calendar for a working-time step whose calendar could be
	// read, else every hour. Absent when the step is not past due.
	LateSeconds *int64              `json:"late_seconds,omitempty" doc:"How long the step has been past due, in seconds, until now or until its clock stopped; counted as late_clock says. Absent when the step is not past due."`
	LateClock   complaint.ClockKind `json:"late_clock,omitempty" doc:"working: working time on the complaint's calendar (a working-time step); calendar: every hour (a calendar-time step, or a working-time step whose calendar could not be read)."`
}

// DashboardComparison is this quarter (so far) against the last.
type DashboardComparison struct {
	Current  DashboardQuarter `json:"current"`
	Previous DashboardQuarter `json:"previous"`
}

// DashboardQuarter is one quarter's figures.
type DashboardQuarter struct {
	// Quarter names it, e.g. 2026Q2.
	Quarter string `json:"quarter" doc:"The quarter, e.g. 2026Q2."`
	DashboardPeriod
}

// DashboardMonth is one month's figures.
type DashboardMonth struct {
	// Month names it, e.g. 2026-04.
	Month string `json:"month" doc:"The month, YYYY-MM."`
	DashboardPeriod
}

// DashboardPeriod is what happened in a period [From, To). Received,
// founded and SLA compliance are of the complaints received in it, as the
// complaint analysis report counts them; closed and handling times of the
// complaints closed in it; escalations those made in it.
type DashboardPeriod struct {
	From       time.Time `json:"from" doc:"The period's first instant: midnight on its first day in the organisation's time zone."`
	To         time.Time `json:"to" doc:"The end of the period (excluded): midnight after its last day. For this quarter and month, in the future."`
	Received   int       `json:"received" doc:"Complaints received in the period."`
	Founded    int       `json:"founded" doc:"Of them, those validated as founded (成立)."`
	NotFounded int       `json:"not_founded" doc:"Of them, those validated as not founded; those not yet validated count in neither."`
	// CompletedSteps are the completed step runs of the complaints received
	// in the period, WithinSLA those not breached; SLACompliance is their
	// ratio (null with none completed).
	CompletedSteps int      `json:"completed_steps" doc:"The completed step runs of the complaints received in the period."`
	WithinSLA      int      `json:"within_sla" doc:"Of them, those completed within their time limit (not breached)."`
	SLACompliance  *float64 `json:"sla_compliance" doc:"within_sla / completed_steps; null when none completed."`
	Closed         int      `json:"closed" doc:"Complaints closed in the period, whenever received."`
	// MedianHours and P90Hours are the hours from receipt to closing of the
	// complaints closed in the period (null with none closed).
	MedianHours *float64 `json:"median_hours" doc:"The median hours from receipt to closing of the complaints closed in the period (elapsed time, not working time); null when none closed."`
	P90Hours    *float64 `json:"p90_hours" doc:"The 90th percentile of those hours; null when none closed."`
	Escalations int      `json:"escalations" doc:"Escalations made in the period (steps raised to a higher level when overdue, or cases reopened), whenever their complaints were received."`
}
