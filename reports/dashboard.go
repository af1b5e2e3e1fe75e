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
	AsOf time.Time `json:"as_of"`
	// TimeZone is the organisation's, in which months and quarters begin.
	TimeZone string `json:"time_zone"`
	// Scope says whose complaints are counted; the dashboard operation fills it in.
	Scope     DashboardScope      `json:"scope"`
	Open      DashboardOpen       `json:"open"`
	Overdue   DashboardUrgentList `json:"overdue"`
	Escalated DashboardUrgentList `json:"escalated"`
	Quarters  DashboardComparison `json:"quarters"`
	Trend     []DashboardMonth    `json:"trend"`
}

// DashboardScope describes the complaints a dashboard counts.
type DashboardScope struct {
	// Kind is company (every complaint, or one branch's when Branch is set),
	// branch (a branch head's: the complaints their branch is involved in) or
	// department (a department head's: the complaints their department is
	// involved in).
	Kind string `json:"kind"`
	// Branch is the branch filter of a company-wide reader, or the branch
	// head's branch; Department the department head's department.
	Branch     string `json:"branch,omitempty"`
	Department string `json:"department,omitempty"`
	// Name is the branch's or department's name.
	Name string `json:"name,omitempty"`
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
	Total    int `json:"total"`
	OnTrack  int `json:"on_track"`
	AtRisk   int `json:"at_risk"`
	Breached int `json:"breached"`
	// Escalated counts those whose current step is escalated above its owner;
	// Paused those whose clock is stopped.
	Escalated int `json:"escalated"`
	Paused    int `json:"paused"`
	// ByStep lists every step in procedure order, zeros included;
	// ByDepartment the responsible departments, most open first ("" = not
	// assigned yet).
	ByStep       []DashboardGroup `json:"by_step"`
	ByDepartment []DashboardGroup `json:"by_department"`
	// ByLevel counts the escalated ones by the level their step is at,
	// lowest first, zeros included.
	ByLevel []DashboardLevelOpen `json:"by_level"`
}

// DashboardGroup is one step's or department's open complaints.
type DashboardGroup struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Total    int    `json:"total"`
	OnTrack  int    `json:"on_track"`
	AtRisk   int    `json:"at_risk"`
	Breached int    `json:"breached"`
}

// DashboardLevelOpen counts the open complaints escalated to a level.
type DashboardLevelOpen struct {
	Level complaint.Level `json:"level"`
	Count int             `json:"count"`
}

// DashboardUrgentList is the most urgent of a kind of open complaint and how
// many there are in all.
type DashboardUrgentList struct {
	Total int                    `json:"total"`
	Items []DashboardUrgentEntry `json:"items"`
}

// DashboardUrgentEntry is one overdue or escalated open complaint.
type DashboardUrgentEntry struct {
	ID         string         `json:"id"`
	Number     string         `json:"number"`
	Subject    string         `json:"subject"`
	Status     complaint.Step `json:"status"`
	Department string         `json:"department,omitempty"`
	// DepartmentName is the department's name (the ID when unknown).
	DepartmentName  string              `json:"department_name,omitempty"`
	Branch          string              `json:"branch,omitempty"`
	DueAt           *time.Time          `json:"due_at,omitempty"`
	SLAStatus       complaint.SLAStatus `json:"sla_status"`
	Paused          bool                `json:"paused"`
	EscalationLevel complaint.Level     `json:"escalation_level"`
	// LateSeconds is how long the step has been past its due time (until its
	// clock stopped, if paused), counted on LateClock: working time on the
	// complaint's calendar for a working-time step whose calendar could be
	// read, else every hour. Absent when the step is not past due.
	LateSeconds *int64              `json:"late_seconds,omitempty"`
	LateClock   complaint.ClockKind `json:"late_clock,omitempty"`
}

// DashboardComparison is this quarter (so far) against the last.
type DashboardComparison struct {
	Current  DashboardQuarter `json:"current"`
	Previous DashboardQuarter `json:"previous"`
}

// DashboardQuarter is one quarter's figures.
type DashboardQuarter struct {
	// Quarter names it, e.g. 2026Q2.
	Quarter string `json:"quarter"`
	DashboardPeriod
}

// DashboardMonth is one month's figures.
type DashboardMonth struct {
	// Month names it, e.g. 2026-04.
	Month string `json:"month"`
	DashboardPeriod
}

// DashboardPeriod is what happened in a period [From, To). Received,
// founded and SLA compliance are of the complaints received in it, as the
// complaint analysis report counts them; closed and handling times of the
// complaints closed in it; escalations those made in it.
type DashboardPeriod struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Received   int       `json:"received"`
	Founded    int       `json:"founded"`
	NotFounded int       `json:"not_founded"`
	// CompletedSteps are the completed step runs of the complaints received
	// in the period, WithinSLA those not breached; SLACompliance is their
	// ratio (null with none completed).
	CompletedSteps int      `json:"completed_steps"`
	WithinSLA      int      `json:"within_sla"`
	SLACompliance  *float64 `json:"sla_compliance"`
	Closed         int      `json:"closed"`
	// MedianHours and P90Hours are the hours from receipt to closing of the
	// complaints closed in the period (null with none closed).
	MedianHours *float64 `json:"median_hours"`
	P90Hours    *float64 `json:"p90_hours"`
	Escalations int      `json:"escalations"`
}
