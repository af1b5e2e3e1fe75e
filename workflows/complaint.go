package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
)

// Names clients use to reach the complaint workflow.
const (
	ComplaintWorkflow = "Complaint"
	// UpdateIntake returns the complaint once it is recorded; sent with the
	// workflow's start (update-with-start) so the creator gets its number back.
	UpdateIntake   = "intake"
	QueryComplaint = "complaint"
	// QueryProjection answers the state the read model must show, with what
	// made it, for the reconciler and the API's repair (see app.Reconcile).
	QueryProjection = "projection"
)

// ComplaintProjection is a complaint's committed state, timeline included,
// and the cause of the write that recorded it.
type ComplaintProjection struct {
	Complaint      complaint.Complaint `json:"complaint"`
	Cause          string              `json:"cause"`
	IdempotencyKey string              `json:"idempotency_key,omitempty"`
	RequestHash    string              `json:"request_hash,omitempty"`
}

// Step updates are named after the step they act on.
const (
	UpdateValidation = string(complaint.StepValidation)
	UpdateAssignment = string(complaint.StepAssignment)
	UpdateRootCause  = string(complaint.StepRootCause)
	UpdatePlan       = string(complaint.StepPlan)
	UpdateApproval   = string(complaint.StepApproval)
	UpdateExecution  = string(complaint.StepExecution)
	UpdateCallback   = string(complaint.StepCallback)
	UpdateReview     = string(complaint.StepReview)
)

// complaintState is the workflow's state: the complaint view itself plus what
// the deadline loop needs. Every field changes only in workflow code.
type complaintState struct {
	c        complaint.Complaint
	start    complaint.Start
	policy   complaint.Policy
	recorded bool
	log      log.Logger
	// hours are the working calendar the complaint counts working time on
	// (nil: calendar time only, as before working calendars).
	hours *calendar.Hours
	clock stepClock
	// timerSeq changes whenever the deadline timers must be re-armed (a new
	// step, a pause, a moved deadline), waking the deadline loop so it cancels
	// the old timer.
	timerSeq int
	// escalated counts the step's escalation rules already applied.
	escalated int
	// unsaved holds timeline events not yet handed to the read model.
	unsaved []complaint.Event
	// cause names what made the last save (see updateCause).
	cause string
}

// Complaint runs one complaint from record to closed (002 第二十一条). Human steps
// arrive as Updates whose validators reject wrong-state or invalid input before
// anything enters the history; overdue steps escalate level by level.
func Complaint(ctx workflow.Context, in complaint.Start) (complaint.Complaint, error) {
	s := &complaintState{start: in, log: workflow.GetLogger(ctx)}
	if err := s.registerHandlers(ctx); err != nil {
		return complaint.Complaint{}, err
	}
	if err := s.record(ctx); err != nil {
		return complaint.Complaint{}, err
	}
	if err := s.runDeadlines(ctx); err != nil {
		return s.view(), err
	}
	// An update may still be saving its step; let it answer its caller.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return s.view(), err
	}
	// The result is kept in the history: the timeline is left to the read
	// model (and the query) rather than stored a second time.
	final := s.view()
	final.Timeline = nil
	return final, nil
}

// record reads the policy, numbers the complaint and writes it to the read model.
func (s *complaintState) record(ctx workflow.Context) error {
	lctx := withStore(ctx)
	// The policy is read once and kept, so a changed policy file never alters a running case.
	if err := workflow.ExecuteLocalActivity(lctx, acts.CurrentPolicy).Get(ctx, &s.policy); err != nil {
		return fmt.Errorf("read policy: %w", err)
	}
	var number string
	req := activities.NumberRequest{ComplaintID: s.start.ID, ReceivedAt: s.start.ReceivedAt, Prefix: s.policy.NumberPrefix}
	if err := workflow.ExecuteLocalActivity(lctx, acts.AllocateNumber, req).Get(ctx, &number); err != nil {
		return fmt.Errorf("number complaint %s: %w", s.start.ID, err)
	}

	var calendarName string
	if workflow.GetVersion(ctx, versionWorkingCalendar, workflow.DefaultVersion, 1) >= 1 {
		calendarName = s.policy.CalendarFor(s.start.Intake.Branch)
		var cal calendar.Calendar
		if err := workflow.ExecuteLocalActivity(lctx, acts.LoadCalendar, calendarName).Get(ctx, &cal); err != nil {
			return fmt.Errorf("load calendar %s: %w", calendarName, err)
		}
		if err := s.useCalendar(cal); err != nil {
			return fmt.Errorf("calendar %s: %w", calendarName, err)
		}
	}

	t := now(ctx)
	in := s.start.Intake
	sev := complaint.SeverityFor(*in.EstimatedLoss, s.policy.SeverityThresholds)
	class := in.ComplainantClass
	if class == "" {
		class = complaint.ClassC
	}
	s.c = complaint.Complaint{
		ID:                s.start.ID,
		Number:            number,
		Customer:          in.Customer,
		Channel:           in.Channel,
		Category:          in.Category,
		Subject:           in.Subject,
		Description:       in.Description,
		Request:           in.Request,
		EstimatedLoss:     *in.EstimatedLoss,
		Severity:          sev,
		SeverityLabel:     sev.Label(),
		Branch:            in.Branch,
		ComplainantClass:  class,
		ReceivedAt:        s.start.ReceivedAt,
		CreatedAt:         t,
		ApprovalsRequired: s.policy.Approval.RequiredApprovals(sev, in.Branch),
		Approvals:         []complaint.ApprovalRecord{},
		Deadlines:         []complaint.Deadline{},
		Escalations:       []complaint.Escalation{},
		Timeline:          []complaint.Event{},
		PolicyVersion:     s.policy.Version,
	}
	s.event(t, complaint.StepRecord, complaint.ActionRecorded, s.start.Actor, in)
	// 000: the 8 hours to handle and answer count from receipt, not from data entry.
	s.enter(s.start.ReceivedAt, t, complaint.StepValidation, nil)
	if err := s.save(ctx, CauseWorkflow); err != nil {
		return err
	}
	s.recorded = true
	return nil
}

// runDeadlines waits for the current step's next warning or escalation until
// the complaint closes. AwaitWithTimeout cancels the timer as soon as the step
// changes (or its deadline moves), so a finished step never escalates.
func (s *complaintState) runDeadlines(ctx workflow.Context) error {
	for s.c.Status != complaint.StepClosed {
		seq := s.timerSeq
		changed := func() bool { return s.timerSeq != seq }
		at, kind, ok := s.nextTimer()
		if !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		if wait := at.Sub(workflow.Now(ctx)); wait > 0 {
			done, err := workflow.AwaitWithTimeout(ctx, wait, changed)
			if err != nil {
				return err
			}
			if done {
				continue
			}
		}
		var err error
		if kind == timerWarn {
			err = s.warn(ctx)
		} else {
			err = s.escalate(ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// escalate raises the overdue step one level and records it.
func (s *complaintState) escalate(ctx workflow.Context) error {
	chain := s.clock.rule.Escalation
	for s.escalated < len(chain) {
		r := chain[s.escalated]
		s.escalated++
		if r.Level.Rank() > s.c.EscalationLevel.Rank() {
			s.raise(now(ctx), r.Level, complaint.ReasonOverdue, r.Recipients())
			return s.save(ctx, CauseWorkflow)
		}
	}
	return nil
}

func (s *complaintState) raise(now time.Time, level complaint.Level, reason string, notify []string) {
	s.c.EscalationLevel = level
	e := complaint.Escalation{
		Seq: len(s.c.Escalations) + 1, Step: s.c.Status, Level: level, At: now, Reason: reason, Notify: notify,
	}
	if s.c.DueAt != nil {
		e.DueAt = *s.c.DueAt
	}
	s.c.Escalations = append(s.c.Escalations, e)
	s.event(now, s.c.Status, complaint.ActionEscalated, complaint.SystemActor, e)
}

// enter makes step the awaited one, its clock started at start (or due by an
// explicit time a person set).
func (s *complaintState) enter(start, now time.Time, step complaint.Step, due *time.Time) {
	s.stopClock(now)
	s.timerSeq++
	s.escalated = 0
	s.c.EscalationLevel = complaint.LevelOwner
	s.c.Status = step
	s.c.StatusLabel = step.Label()
	s.c.Paused = nil
	if step == complaint.StepClosed {
		s.c.DueAt = nil
		s.c.ClosedAt = &now
		return
	}
	s.startClock(step, start, due)
}

// event appends a timeline line; detail is the step's content.
func (s *complaintState) event(now time.Time, step complaint.Step, action string, actor complaint.Actor, detail any) {
	var raw json.RawMessage
	if detail != nil {
		// Marshalling our own plain structs cannot fail; a failure would be a programming error.
		b, err := json.Marshal(detail)
		if err != nil {
			panic(fmt.Sprintf("timeline detail for %s: %v", action, err))
		}
		raw = b
	}
	e := complaint.Event{Seq: len(s.c.Timeline) + 1, At: now, Step: step, Action: action, Actor: actor, Detail: raw}
	s.c.Timeline = append(s.c.Timeline, e)
	s.unsaved = append(s.unsaved, e)
}

// save hands the new state to the read model. The version lets the store ignore
// an older snapshot that arrives after a newer one.
func (s *complaintState) save(ctx workflow.Context, cause string) error {
	s.c.Version++
	s.cause = cause
	// A copy: a local activity gets its argument as a Go value, and a retried
	// one must not see the state as later steps changed it.
	snap := activities.Snapshot{
		Complaint:      s.view(),
		Events:         s.unsaved,
		IdempotencyKey: s.start.IdempotencyKey,
		RequestHash:    s.start.RequestHash,
		Cause:          s.cause,
		TimelineLen:    len(s.c.Timeline),
	}
	// The timeline travels once, as new events, not with every snapshot: the
	// history stays proportional to the case's steps.
	snap.Complaint.Timeline = nil
	s.unsaved = nil
	if err := workflow.ExecuteLocalActivity(withStore(ctx), acts.SaveComplaint, snap).Get(ctx, nil); err != nil {
		return fmt.Errorf("save complaint %s v%d: %w", s.c.ID, s.c.Version, err)
	}
	return nil
}

// projection is what the read model must hold once the workflow's last task
// is committed.
func (s *complaintState) projection() ComplaintProjection {
	return ComplaintProjection{Complaint: s.view(), Cause: s.cause,
		IdempotencyKey: s.start.IdempotencyKey, RequestHash: s.start.RequestHash}
}

// view is a copy of the complaint safe to hand out of the workflow.
func (s *complaintState) view() complaint.Complaint {
	c := s.c
	c.ApprovalsRequired = slices.Clone(c.ApprovalsRequired)
	c.Approvals = slices.Clone(c.Approvals)
	c.Deadlines = slices.Clone(c.Deadlines)
	c.Escalations = slices.Clone(c.Escalations)
	c.Timeline = slices.Clone(c.Timeline)
	return c
}

// nextApproval is the level whose approval the plan awaits.
func (s *complaintState) nextApproval() (complaint.Level, bool) {
	given := len(s.c.Approvals)
	if given < len(s.c.ApprovalsRequired) {
		return s.c.ApprovalsRequired[given], true
	}
	return "", false
}

// now is the workflow's clock at the read model's precision (microseconds), so
// a time reads back from PostgreSQL exactly as the workflow wrote it.
func now(ctx workflow.Context) time.Time {
	return workflow.Now(ctx).UTC().Truncate(time.Microsecond)
}
