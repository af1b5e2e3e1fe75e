// Package improvement holds the vocabulary and rules of improvement actions
// (改进计划 · 纠正预防措施, domain.md §3): an owner department plans and carries
// out a correction, the market or quality department verifies its effect by
// the deadline, and an action that was not effective goes round the PDCA
// cycle again (004 §5.3.1.8); the internal auditor follows up (000). Pure Go,
// no I/O: both the workflow and the HTTP API depend on it.
package improvement

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// Actor is who acts on an action: the same identity the complaints record.
type Actor = complaint.Actor

// FieldError names the input field at fault; the API answers it with a 400.
type FieldError = complaint.FieldError

// PermissionError says why an actor may not act; the API answers it with a 403.
type PermissionError = complaint.PermissionError

// Submission is one person's input to a step, as the workflow receives it.
type Submission[T any] = complaint.Submission[T]

// Names clients use to reach the workflow. They live here, not in the
// workflows package, so that activities (the survey cycle's open-or-join)
// can start an action without importing the workflows.
const (
	// WorkflowType is the improvement action workflow's registered name.
	WorkflowType = "ImprovementAction"
	// UpdateOpened answers once the action is stored; it is sent with the
	// workflow's start under a fixed update ID, so opening again joins it.
	UpdateOpened = "opened"
)

// WorkflowID is the action workflow's ID.
func WorkflowID(id string) string { return "improvement:" + id }

// idNamespace derives action IDs from business keys.
var idNamespace = uuid.MustParse("8d3f1f0e-47a2-4c55-b1f4-3c9a0e6d2b71")

// IDFor is the action ID a business key names: the same key always names the
// same action, so opening twice joins it.
func IDFor(businessKey string) string {
	return uuid.NewSHA1(idNamespace, []byte(businessKey)).String()
}

// SurveyKey is the business key of the action a survey cycle opens for the
// dissatisfied answers on one dimension owned by one department (002 制度):
// one action per cycle, dimension and department, however often it is asked.
func SurveyKey(cycleID, dimension, department string) string {
	return "survey:" + cycleID + ":" + dimension + ":" + department
}

// ComplaintKey is the business key of the action opened from a complaint
// for a department.
func ComplaintKey(complaintID, department string) string {
	return "complaint:" + complaintID + ":" + department
}

// Step is a stage of an action; the action's status is the step awaiting action.
type Step string

const (
	// StepOpen appears only in the timeline: the action was opened.
	StepOpen         Step = "open"
	StepPlan         Step = "plan"
	StepCompletion   Step = "completion"
	StepVerification Step = "verification"
	StepClosed       Step = "closed"
)

// Statuses lists the statuses an action can have, in PDCA order.
var Statuses = []Step{StepPlan, StepCompletion, StepVerification, StepClosed}

// Valid reports whether s names a status an action can have.
func (s Step) Valid() bool { return slices.Contains(Statuses, s) }

// Label is the step's name in the procedures' words.
func (s Step) Label() string {
	switch s {
	case StepOpen:
		return "立项"
	case StepPlan:
		return "制定改进计划"
	case StepCompletion:
		return "实施完成"
	case StepVerification:
		return "效果验证"
	case StepClosed:
		return "已关闭"
	}
	return string(s)
}

// Resolution says how a closed action ended.
type Resolution string

// ResolutionEffective: verified effective.
const ResolutionEffective Resolution = "effective"

// Action is the improvement action as the API shows it. The workflow builds it
// from its state; the read model stores it as written.
type Action struct {
	ID          string `json:"id"`
	Source      Source `json:"source"`
	Department  string `json:"department" doc:"The ID of the owner department."`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Refs counts what the action answers, e.g. dissatisfied survey answers;
	// the answers themselves stay in the read model.
	Refs        int        `json:"refs" doc:"How many things the action answers, e.g. dissatisfied survey answers."`
	BusinessKey string     `json:"business_key,omitempty" doc:"The key the action was opened under (an Idempotency-Key, or a survey cycle's key survey:<cycle ID>:<dimension>:<department>); the same key always names this action."`
	Status      Step       `json:"status"`
	StatusLabel string     `json:"status_label" doc:"The status in the procedures' words, e.g. 制定改进计划."`
	Resolution  Resolution `json:"resolution,omitempty" doc:"Present once the action is closed."`
	// Round counts PDCA rounds: one more each time verification finds the
	// action not effective.
	Round int `json:"round" doc:"The PDCA round, from 1; one more each time verification finds the action not effective."`
	// DueAt is the deadline to complete the action, as opened.
	DueAt time.Time `json:"due_at" doc:"The deadline to complete the action, as opened."`
	// StepDueAt is the current step's deadline; Overdue is computed when read.
	StepDueAt       *time.Time      `json:"step_due_at,omitempty" doc:"The current step's deadline; absent once closed."`
	Overdue         bool            `json:"overdue" doc:"Whether the current step is past its deadline, at the time of the response."`
	EscalationLevel complaint.Level `json:"escalation_level" doc:"How far the current step has been escalated; owner until it is overdue."`
	// Verifiers are the roles that verify the action's effect.
	Verifiers []org.Role `json:"verifiers" doc:"The roles that verify the action's effect, as the policy set them when it was opened."`
	OpenedBy  Actor      `json:"opened_by" doc:"Who opened the action; system for a survey cycle."`
	CreatedAt time.Time  `json:"created_at"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	// Rounds are every PDCA round, the current one last; earlier rounds keep
	// the plan that was not effective and why.
	Rounds      []Round      `json:"rounds" doc:"Every PDCA round, the current one last."`
	Deadlines   []Deadline   `json:"deadlines"`
	Escalations []Escalation `json:"escalations"`
	Timeline    []Event      `json:"timeline,omitempty" doc:"The history, only in responses about a single action."`

	PolicyVersion string `json:"policy_version" doc:"The improvement policy the action runs under."`
	// Version counts state changes; the read model never overwrites a newer one.
	Version int `json:"version" doc:"Counts state changes."`
}

// Current is the round in progress (nil before the action is opened).
func (a *Action) Current() *Round {
	if n := len(a.Rounds); n > 0 {
		return &a.Rounds[n-1]
	}
	return nil
}

// Refresh sets the fields that depend on the time of reading.
func (a *Action) Refresh(now time.Time) {
	a.Overdue = a.Status != StepClosed && a.StepDueAt != nil && !now.Before(*a.StepDueAt)
}

// Round is one turn of plan → do → check.
type Round struct {
	Number       int                 `json:"number"`
	StartedAt    time.Time           `json:"started_at"`
	Plan         *PlanRecord         `json:"plan,omitempty"`
	Completion   *CompletionRecord   `json:"completion,omitempty"`
	Verification *VerificationRecord `json:"verification,omitempty"`
}

// PlanRecord is the owner department's plan for a round.
type PlanRecord struct {
	Plan  string     `json:"plan"`
	DueAt *time.Time `json:"due_at,omitempty"`
	By    Actor      `json:"by"`
	At    time.Time  `json:"at"`
}

// CompletionRecord reports the plan carried out.
type CompletionRecord struct {
	Result string    `json:"result"`
	By     Actor     `json:"by"`
	At     time.Time `json:"at"`
}

// VerificationRecord is the market or quality department's judgement of the effect.
type VerificationRecord struct {
	Effective bool      `json:"effective"`
	Comment   string    `json:"comment,omitempty"`
	By        Actor     `json:"by"`
	At        time.Time `json:"at"`
}

// Deadline is one step's time limit, kept for every step the action has entered.
type Deadline struct {
	Step        Step       `json:"step"`
	Round       int        `json:"round"`
	StartedAt   time.Time  `json:"started_at"`
	DueAt       time.Time  `json:"due_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

// Escalation records an overdue step raised to a higher level.
type Escalation struct {
	Seq    int             `json:"seq"`
	Step   Step            `json:"step"`
	Round  int             `json:"round"`
	Level  complaint.Level `json:"level"`
	At     time.Time       `json:"at"`
	DueAt  time.Time       `json:"due_at"`
	Reason string          `json:"reason" doc:"Why: overdue."`
	// Notify is who was told.
	Notify []string `json:"notify,omitempty" doc:"Who was told."`
}

// ReasonOverdue is why a timer escalates a step.
const ReasonOverdue = "overdue"

// Event is one line of the action's timeline: who did what, when.
type Event struct {
	Seq    int             `json:"seq"`
	At     time.Time       `json:"at"`
	Step   Step            `json:"step"`
	Round  int             `json:"round"`
	Action string          `json:"action"`
	Actor  Actor           `json:"actor"`
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Timeline actions.
const (
	ActionOpened       = "opened"
	ActionPlanned      = "plan_submitted"
	ActionCompleted    = "completed"
	ActionEffective    = "verified_effective"
	ActionNotEffective = "verified_not_effective"
	ActionNewRound     = "round_started"
	ActionEscalated    = "escalated"
	ActionClosed       = "closed"
)

// Start is the workflow's input.
type Start struct {
	ID   string `json:"id"`
	Open Open   `json:"open"`
	// RequestHash identifies what was asked, so a repeated open with the same
	// business key but other content can be told apart.
	RequestHash string `json:"request_hash,omitempty"`
}

// StartFor is the workflow input that opens o.
func StartFor(o Open) Start {
	return Start{ID: o.ID(), Open: o, RequestHash: o.OpenInput.Hash()}
}

// Receipt answers an accepted Update. Small on purpose: update results are
// kept in the history; the full action is read from the read model.
type Receipt struct {
	ID      string `json:"id"`
	Status  Step   `json:"status"`
	Round   int    `json:"round"`
	Version int    `json:"version"`
}
