package complaint

import (
	"encoding/json"
	"time"
)

// Complaint is the complaint as the API shows it. The workflow builds it from
// its state; the read model stores it as written, so both answers agree.
type Complaint struct {
	ID               string           `json:"id"`
	Number           string           `json:"number" doc:"The complaint number, e.g. TS-2026-000123."`
	Status           Step             `json:"status"`
	StatusLabel      string           `json:"status_label"`
	Resolution       Resolution       `json:"resolution,omitempty"`
	Customer         Customer         `json:"customer"`
	Channel          Channel          `json:"channel"`
	Category         Category         `json:"category"`
	Subject          string           `json:"subject"`
	Description      string           `json:"description"`
	Request          string           `json:"request,omitempty"`
	EstimatedLoss    float64          `json:"estimated_loss"`
	Severity         Severity         `json:"severity"`
	SeverityLabel    string           `json:"severity_label"`
	Branch           string           `json:"branch,omitempty"`
	ComplainantClass ComplainantClass `json:"complainant_class"`
	ReceivedAt       time.Time        `json:"received_at"`
	CreatedAt        time.Time        `json:"created_at"`
	ClosedAt         *time.Time       `json:"closed_at,omitempty"`
	Department       string           `json:"department,omitempty"`
	Handler          string           `json:"handler,omitempty"`

	Validation *ValidationRecord `json:"validation,omitempty"`
	Assignment *AssignmentRecord `json:"assignment,omitempty"`
	RootCause  *RootCauseRecord  `json:"root_cause,omitempty"`
	Plan       *PlanRecord       `json:"plan,omitempty"`
	Execution  *ExecutionRecord  `json:"execution,omitempty"`
	Callback   *CallbackRecord   `json:"callback,omitempty"`
	Review     *ReviewRecord     `json:"review,omitempty"`

	ApprovalsRequired []Level          `json:"approvals_required" doc:"The approval levels the plan needs, in order."`
	Approvals         []ApprovalRecord `json:"approvals"`
	ReopenCount       int              `json:"reopen_count"`

	// DueAt is the current step's deadline; Overdue and SLAStatus are computed when read.
	DueAt     *time.Time `json:"due_at,omitempty" doc:"The current step's deadline; absent once closed."`
	Overdue   bool       `json:"overdue" doc:"Whether the current step's SLA is breached (sla_status breached), at the time of the response."`
	SLAStatus SLAStatus  `json:"sla_status,omitempty" doc:"The current step's standing against its deadline, at the time of the response (a paused step keeps the standing it had when paused); absent once closed."`
	// Paused is set while the current step waits on the customer or a third party.
	Paused          *Pause       `json:"paused,omitempty" doc:"Present while the current step's clock is paused."`
	Calendar        string       `json:"calendar,omitempty" doc:"The working calendar the complaint's working-time SLAs count on."`
	EscalationLevel Level        `json:"escalation_level"`
	Deadlines       []Deadline   `json:"deadlines"`
	Escalations     []Escalation `json:"escalations"`
	Timeline        []Event      `json:"timeline,omitempty" doc:"The history, only in responses about a single complaint."`

	PolicyVersion string `json:"policy_version"`
	// Version counts state changes; the read model never overwrites a newer one.
	Version int `json:"version" doc:"Counts state changes."`
}

// Measure is the time a step's clock counts between two instants: working time
// on its calendar, or all of it.
type Measure func(clock ClockKind, from, to time.Time) time.Duration

// Refresh sets the fields that depend on the time of reading; call it once per
// read. measure may be nil; then the current step's used time is left as last
// recorded.
func (c *Complaint) Refresh(now time.Time, measure Measure) {
	for i := range c.Deadlines {
		d := &c.Deadlines[i]
		if d.CompletedAt != nil {
			continue
		}
		if d.Paused {
			// A paused clock keeps the standing it had when it stopped.
			continue
		}
		d.SLAStatus = d.StatusAt(now)
		if measure != nil && d.CountingSince != nil && d.Clock != "" {
			d.UsedSeconds += int64(measure(d.Clock, *d.CountingSince, now) / time.Second)
		}
	}
	c.Overdue = false
	c.SLAStatus = ""
	if n := len(c.Deadlines); n > 0 && c.Status != StepClosed {
		c.SLAStatus = c.Deadlines[n-1].SLAStatus
		c.Overdue = c.SLAStatus == SLABreached
	}
}

// Pause records why a step's clock is stopped.
type Pause struct {
	Reason    string    `json:"reason"`
	WaitingOn string    `json:"waiting_on"`
	Since     time.Time `json:"since"`
	By        Actor     `json:"by"`
}

// Deadline is one step's time limit, kept for every step the case has entered.
type Deadline struct {
	Step        Step       `json:"step"`
	StartedAt   time.Time  `json:"started_at"`
	DueAt       time.Time  `json:"due_at" doc:"When the step is due. While the clock is paused it is moved on resumption."`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	// Clock and TargetSeconds are the step's SLA: how much time, counted how.
	Clock         ClockKind `json:"clock,omitempty" doc:"How the step's time limit is counted."`
	TargetSeconds int64     `json:"target_seconds,omitempty" doc:"The step's time limit in seconds, counted on its clock."`
	// WarnAt is when the step becomes at risk.
	WarnAt *time.Time `json:"warn_at,omitempty" doc:"When the step becomes at risk and its owner is warned; absent when the rule gives no warning point."`
	// UsedSeconds is the time counted so far on the step's clock (working
	// seconds for a working-time SLA); PausedSeconds the wall time it stood still.
	UsedSeconds   int64     `json:"used_seconds" doc:"Seconds counted so far on the step's clock (working seconds for a working-time SLA); for a running clock, up to the time of the response."`
	PausedSeconds int64     `json:"paused_seconds" doc:"Wall-clock seconds the step's clock stood still in finished pauses."`
	Paused        bool      `json:"paused,omitempty" doc:"Whether the step's clock is stopped now."`
	SLAStatus     SLAStatus `json:"sla_status,omitempty" doc:"The step's standing while it is open (a paused step keeps the standing it had when paused)."`
	// CountingSince is when the clock last started; used time since then is
	// added when the complaint is read.
	CountingSince *time.Time `json:"counting_since,omitempty" doc:"When the step's clock last started; absent while paused."`
	// Extended is set when the due time was moved by an approved extension.
	Extended bool `json:"extended,omitempty" doc:"Whether the due time was moved by an approved extension."`
}

// StatusAt is the step's standing at now.
func (d Deadline) StatusAt(now time.Time) SLAStatus {
	switch {
	case !now.Before(d.DueAt):
		return SLABreached
	case d.WarnAt != nil && !now.Before(*d.WarnAt):
		return SLAAtRisk
	}
	return SLAOnTrack
}

// Escalation records a step raised to a higher level, by a timer or a reopening.
type Escalation struct {
	Seq    int       `json:"seq"`
	Step   Step      `json:"step"`
	Level  Level     `json:"level"`
	At     time.Time `json:"at"`
	DueAt  time.Time `json:"due_at"`
	Reason string    `json:"reason"`
	// Notify is who was told.
	Notify []string `json:"notify,omitempty" doc:"Who was told, as roles or units."`
}

// Escalation reasons.
const (
	ReasonOverdue  = "overdue"
	ReasonReopened = "reopened"
)

// Event is one line of the complaint's timeline: who did what, when.
type Event struct {
	Seq    int             `json:"seq"`
	At     time.Time       `json:"at"`
	Step   Step            `json:"step"`
	Action string          `json:"action"`
	Actor  Actor           `json:"actor"`
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Timeline actions.
const (
	ActionRecorded    = "recorded"
	ActionValidated   = "validated"
	ActionNotFounded  = "not_founded"
	ActionAssigned    = "assigned"
	ActionRootCause   = "root_cause_submitted"
	ActionPlanned     = "plan_submitted"
	ActionApproved    = "approved"
	ActionRefused     = "refused"
	ActionExecuted    = "executed"
	ActionSatisfied   = "callback_satisfied"
	ActionUnsatisfied = "callback_unsatisfied"
	ActionReviewed    = "reviewed"
	ActionEscalated   = "escalated"
	ActionClosed      = "closed"
	ActionReopened    = "reopened"
	ActionWarned      = "sla_warning"
	ActionPaused      = "paused"
	ActionResumed     = "resumed"
	ActionExtended    = "deadline_extended"
	ActionRescheduled = "rescheduled"
)

// Step records: the latest content of each step, with who gave it and when.

type ValidationRecord struct {
	Founded bool      `json:"founded"`
	Reason  string    `json:"reason,omitempty"`
	Reply   string    `json:"reply,omitempty"`
	By      Actor     `json:"by"`
	At      time.Time `json:"at"`
}

type AssignmentRecord struct {
	Department string    `json:"department"`
	Handler    string    `json:"handler"`
	By         Actor     `json:"by"`
	At         time.Time `json:"at"`
}

type RootCauseRecord struct {
	Cause             string    `json:"cause"`
	CauseType         CauseType `json:"cause_type,omitempty"`
	ResponsiblePerson string    `json:"responsible_person"`
	CorrectiveAction  string    `json:"corrective_action"`
	PreventiveAction  string    `json:"preventive_action,omitempty"`
	By                Actor     `json:"by"`
	At                time.Time `json:"at"`
}

type PlanRecord struct {
	Plan  string     `json:"plan"`
	DueAt *time.Time `json:"due_at,omitempty"`
	Round int        `json:"round"`
	By    Actor      `json:"by"`
	At    time.Time  `json:"at"`
}

type ApprovalRecord struct {
	Level    Level     `json:"level"`
	Approved bool      `json:"approved"`
	Comment  string    `json:"comment,omitempty"`
	Round    int       `json:"round"`
	By       Actor     `json:"by"`
	At       time.Time `json:"at"`
}

type ExecutionRecord struct {
	Result           string    `json:"result"`
	CustomerNotified bool      `json:"customer_notified"`
	By               Actor     `json:"by"`
	At               time.Time `json:"at"`
}

type CallbackRecord struct {
	Satisfied bool      `json:"satisfied"`
	Comment   string    `json:"comment,omitempty"`
	By        Actor     `json:"by"`
	At        time.Time `json:"at"`
}

type ReviewRecord struct {
	Summary   string    `json:"summary"`
	CauseType CauseType `json:"cause_type"`
	Lessons   string    `json:"lessons,omitempty"`
	By        Actor     `json:"by"`
	At        time.Time `json:"at"`
}

// Start is the workflow's input: the recorded intake, resolved by the server.
type Start struct {
	ID             string    `json:"id"`
	Intake         Intake    `json:"intake"`
	ReceivedAt     time.Time `json:"received_at"`
	Actor          Actor     `json:"actor"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	RequestHash    string    `json:"request_hash,omitempty"`
}

// WorkflowID is the complaint workflow's business key.
func WorkflowID(id string) string { return "complaint:" + id }
