package workflows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
)

// Names clients use to reach an improvement action's workflow.
const (
	ImprovementWorkflow = improvement.WorkflowType
	// UpdateImprovementOpened returns once the action is stored; sent with the
	// start (update-with-start) under a fixed ID, so opening again joins it.
	UpdateImprovementOpened       = improvement.UpdateOpened
	UpdateImprovementPlan         = string(improvement.StepPlan)
	UpdateImprovementCompletion   = string(improvement.StepCompletion)
	UpdateImprovementVerification = string(improvement.StepVerification)
	QueryImprovement              = "improvement"
)

// Workflow code versions of the improvement action (workflow.GetVersion).
const (
	// versionImprovementContinueAsNew lets a run continue as new when Temporal
	// suggests it. Runs started before it never do (their histories are short).
	versionImprovementContinueAsNew = "improvement-continue-as-new"
)

// ImprovementInput is the workflow's input: the start, whose fields stay at
// the top level as clients send them (improvement.Start), and, on a run that
// continues an earlier one, the state that run handed over.
type ImprovementInput struct {
	improvement.Start
	// Resume is nil on an action's first run.
	Resume *ImprovementResume `json:"resume,omitempty"`
	// ContinueAsNewAt is a test hook (see continueAsNewDue): the run continues
	// as new once its history has this many events. Carried to the next run.
	ContinueAsNewAt int `json:"continue_as_new_at,omitempty"`
}

// ImprovementResume is the state a run hands to the next when it continues
// as new: everything improvementState keeps across steps.
type ImprovementResume struct {
	// Action is the action with its whole timeline; its version goes on
	// rising in the new run, so the read model keeps taking its saves.
	Action improvement.Action `json:"action"`
	// Policy is the policy the action opened under, never read again.
	Policy improvement.Policy `json:"policy"`
	// Escalated counts the escalation rules applied to the current step.
	Escalated int `json:"escalated"`
	// Cause names what made the last save (the projection query reports it).
	Cause string `json:"cause"`
	// Unsaved are timeline events not yet handed to the read model (none
	// when every handler has finished, but carried rather than lost).
	Unsaved []improvement.Event `json:"unsaved,omitempty"`
}

// ImprovementProjection is an action's committed state, timeline included,
// and the cause of the write that recorded it (see ComplaintProjection).
type ImprovementProjection struct {
	Action      improvement.Action `json:"action"`
	Cause       string             `json:"cause"`
	RequestHash string             `json:"request_hash,omitempty"`
}

// improvementState is the workflow's state: the action view plus what the
// deadline loop needs. Every field changes only in workflow code.
type improvementState struct {
	a      improvement.Action
	start  improvement.Start
	policy improvement.Policy
	opened bool
	// timerSeq changes whenever the current step changes, waking the deadline
	// loop so it drops the old step's timer.
	timerSeq int
	// escalated counts the escalation rules already applied to the step.
	escalated int
	// unsaved holds timeline events not yet handed to the read model.
	unsaved []improvement.Event
	// cause names what made the last save (see updateCause).
	cause string
	// mayContinue: this run may continue as new (versionImprovementContinueAsNew).
	mayContinue bool
	// continueAt is the input's test hook, carried to the next run.
	continueAt int
	// resumedAt is the version the run started from: a run continues as new
	// only once it has saved something, so it can never loop on starting.
	resumedAt int
}

// Improvement runs one improvement action (改进计划 · 纠正预防措施) through
// plan → completion → verification; an action verified not effective goes
// round again until it is (PDCA, 004 §5.3.1.8). Human steps arrive as Updates
// whose validators reject wrong-state, invalid or unpermitted input before
// anything enters the history; an overdue step escalates level by level.
// A long-lived action continues as new between steps when Temporal suggests
// it (continue_as_new.go); the next run resumes from in.Resume.
func Improvement(ctx workflow.Context, in ImprovementInput) (improvement.Action, error) {
	s := &improvementState{start: in.Start, continueAt: in.ContinueAsNewAt}
	// A resumed run takes its state before it registers its handlers: an
	// Update that arrived with the run's first task is validated as soon as
	// its handler is registered, and must find the action as it is.
	if in.Resume != nil {
		s.resume(*in.Resume)
	}
	if err := s.registerHandlers(ctx); err != nil {
		return improvement.Action{}, err
	}
	s.mayContinue = workflow.GetVersion(ctx, versionImprovementContinueAsNew, workflow.DefaultVersion, 1) >= 1
	if in.Resume == nil {
		if err := s.open(ctx); err != nil {
			return improvement.Action{}, err
		}
	}
	if err := s.runDeadlines(ctx); err != nil {
		// A *workflow.ContinueAsNewError among them: the next run takes over.
		return s.view(), err
	}
	// An update may still be saving its step; let it answer its caller.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return s.view(), err
	}
	final := s.view()
	final.Timeline = nil
	return final, nil
}

// open reads the policy, builds the action and writes it to the read model.
func (s *improvementState) open(ctx workflow.Context) error {
	// The policy is read once and kept, so a changed policy never alters a running action.
	if err := workflow.ExecuteLocalActivity(withStore(ctx), acts.ImprovementPolicy).Get(ctx, &s.policy); err != nil {
		return fmt.Errorf("read improvement policy: %w", err)
	}
	t := now(ctx)
	o := s.start.Open
	due := t
	if o.DueAt != nil {
		due = o.DueAt.UTC().Truncate(time.Microsecond)
	}
	opener := o.OpenedBy
	if opener.ID == "" {
		opener = complaint.SystemActor
	}
	s.a = improvement.Action{
		ID:              s.start.ID,
		Source:          o.Source,
		Department:      o.Department,
		Title:           o.Title,
		Description:     o.Description,
		Refs:            o.Refs,
		BusinessKey:     o.BusinessKey,
		DueAt:           due,
		EscalationLevel: complaint.LevelOwner,
		Verifiers:       slices.Clone(s.policy.Verifiers),
		OpenedBy:        opener,
		CreatedAt:       t,
		Rounds:          []improvement.Round{},
		Deadlines:       []improvement.Deadline{},
		Escalations:     []improvement.Escalation{},
		Timeline:        []improvement.Event{},
		PolicyVersion:   s.policy.Version,
	}
	s.newRound(t)
	s.event(t, improvement.StepOpen, improvement.ActionOpened, opener, o.OpenInput)
	if err := s.save(ctx, CauseWorkflow); err != nil {
		return err
	}
	s.opened = true
	return nil
}

// resume takes over the state an earlier run handed over; the action is
// open and stored, so nothing is written.
func (s *improvementState) resume(r ImprovementResume) {
	s.a = r.Action
	s.policy = r.Policy
	s.escalated = r.Escalated
	s.cause = r.Cause
	s.unsaved = r.Unsaved
	s.opened = true
	s.resumedAt = s.a.Version
}

// continueDue reports whether the run should continue as new now.
func (s *improvementState) continueDue(ctx workflow.Context) bool {
	return s.mayContinue && s.a.Version > s.resumedAt && continueAsNewDue(ctx, s.continueAt)
}

// continueAsNew ends the run and starts the next with the whole state, once
// no Update handler is running (each saves its step and answers its caller
// first). It returns nil when an Update closed the action meanwhile: the run
// then completes as usual.
func (s *improvementState) continueAsNew(ctx workflow.Context) error {
	if err := awaitHandlers(ctx); err != nil {
		return err
	}
	if s.a.Status == improvement.StepClosed {
		return nil
	}
	workflow.GetLogger(ctx).Info("improvement action continues as new",
		"action", s.a.ID, "version", s.a.Version, "history", workflow.GetInfo(ctx).GetCurrentHistoryLength())
	return workflow.NewContinueAsNewError(ctx, ImprovementWorkflow, ImprovementInput{
		Start: s.start,
		Resume: &ImprovementResume{
			Action: s.view(), Policy: s.policy, Escalated: s.escalated, Cause: s.cause,
			Unsaved: slices.Clone(s.unsaved),
		},
		ContinueAsNewAt: s.continueAt,
	})
}

// newRound starts a PDCA round at its plan, due PlanWithin later.
func (s *improvementState) newRound(now time.Time) {
	s.a.Round++
	s.a.Rounds = append(s.a.Rounds, improvement.Round{Number: s.a.Round, StartedAt: now})
	s.enter(now, improvement.StepPlan, now.Add(s.policy.PlanWithin.Std()))
}

// enter makes step the awaited one, due at due; the previous step's deadline is met.
func (s *improvementState) enter(now time.Time, step improvement.Step, due time.Time) {
	if d := s.current(); d != nil {
		d.CompletedAt = &now
	}
	s.timerSeq++
	s.escalated = 0
	s.a.EscalationLevel = complaint.LevelOwner
	s.a.Status = step
	s.a.StatusLabel = step.Label()
	if step == improvement.StepClosed {
		s.a.StepDueAt = nil
		s.a.ClosedAt = &now
		return
	}
	s.a.Deadlines = append(s.a.Deadlines, improvement.Deadline{Step: step, Round: s.a.Round, StartedAt: now, DueAt: due})
	s.a.StepDueAt = &due
}

// current is the deadline of the awaited step.
func (s *improvementState) current() *improvement.Deadline {
	if n := len(s.a.Deadlines); n > 0 && s.a.Deadlines[n-1].CompletedAt == nil {
		return &s.a.Deadlines[n-1]
	}
	return nil
}

// runDeadlines waits for the current step's next escalation until the action
// closes. AwaitWithTimeout drops the timer as soon as the step changes, so a
// finished step never escalates. Between steps the run may continue as new;
// the wait wakes for that too (never on runs before the change: continueDue
// is false there, so they wait exactly as they did).
func (s *improvementState) runDeadlines(ctx workflow.Context) error {
	for s.a.Status != improvement.StepClosed {
		if s.continueDue(ctx) {
			return s.continueAsNew(ctx)
		}
		seq := s.timerSeq
		changed := func() bool { return s.timerSeq != seq || s.continueDue(ctx) }
		at, ok := s.nextEscalation()
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
		if err := s.escalate(ctx); err != nil {
			return err
		}
	}
	return nil
}

// nextEscalation is when the current step next rises a level, if it still can.
func (s *improvementState) nextEscalation() (time.Time, bool) {
	d := s.current()
	if d == nil {
		return time.Time{}, false
	}
	for _, r := range s.policy.Escalation[s.escalated:] {
		if r.Level.Rank() > s.a.EscalationLevel.Rank() {
			return d.DueAt.Add(r.After.Std()), true
		}
	}
	return time.Time{}, false
}

// escalate raises the overdue step one level and records it.
func (s *improvementState) escalate(ctx workflow.Context) error {
	chain := s.policy.Escalation
	for s.escalated < len(chain) {
		r := chain[s.escalated]
		s.escalated++
		if r.Level.Rank() <= s.a.EscalationLevel.Rank() {
			continue
		}
		t := now(ctx)
		s.a.EscalationLevel = r.Level
		e := improvement.Escalation{
			Seq: len(s.a.Escalations) + 1, Step: s.a.Status, Round: s.a.Round, Level: r.Level,
			At: t, Reason: improvement.ReasonOverdue, Notify: r.Recipients(),
		}
		if d := s.current(); d != nil {
			e.DueAt = d.DueAt
		}
		s.a.Escalations = append(s.a.Escalations, e)
		s.event(t, s.a.Status, improvement.ActionEscalated, complaint.SystemActor, e)
		return s.save(ctx, CauseWorkflow)
	}
	return nil
}

// event appends a timeline line; detail is the step's content.
func (s *improvementState) event(now time.Time, step improvement.Step, action string, actor improvement.Actor, detail any) {
	var raw json.RawMessage
	if detail != nil {
		// Marshalling our own plain structs cannot fail; a failure would be a programming error.
		b, err := json.Marshal(detail)
		if err != nil {
			panic(fmt.Sprintf("timeline detail for %s: %v", action, err))
		}
		raw = b
	}
	e := improvement.Event{Seq: len(s.a.Timeline) + 1, At: now, Step: step, Round: s.a.Round, Action: action, Actor: actor, Detail: raw}
	s.a.Timeline = append(s.a.Timeline, e)
	s.unsaved = append(s.unsaved, e)
}

// save hands the new state to the read model; the version lets the store
// ignore an older snapshot that arrives after a newer one.
func (s *improvementState) save(ctx workflow.Context, cause string) error {
	s.a.Version++
	s.cause = cause
	// A copy: a local activity gets its arguments as they are, not encoded,
	// and the workflow goes on changing its rounds while the save runs.
	snap := activities.ImprovementSnapshot{Action: s.view(), Events: s.unsaved, RequestHash: s.start.RequestHash,
		Cause: s.cause, TimelineLen: len(s.a.Timeline)}
	// The timeline travels once, as new events, not with every snapshot.
	snap.Action.Timeline = nil
	s.unsaved = nil
	if err := workflow.ExecuteLocalActivity(withStore(ctx), acts.SaveImprovement, snap).Get(ctx, nil); err != nil {
		return fmt.Errorf("save improvement action %s v%d: %w", s.a.ID, s.a.Version, err)
	}
	return nil
}

// view is a copy of the action safe to hand out of the workflow.
func (s *improvementState) view() improvement.Action {
	a := s.a
	a.Verifiers = slices.Clone(a.Verifiers)
	a.Rounds = slices.Clone(a.Rounds)
	a.Deadlines = slices.Clone(a.Deadlines)
	a.Escalations = slices.Clone(a.Escalations)
	a.Timeline = slices.Clone(a.Timeline)
	return a
}

func (s *improvementState) receipt() improvement.Receipt {
	return improvement.Receipt{ID: s.a.ID, Status: s.a.Status, Round: s.a.Round, Version: s.a.Version}
}

// registerHandlers installs the query and one Update per human step. Each
// validator runs before anything is written; each handler changes state before
// its first yield, so a concurrent duplicate sees the new state and is rejected.
func (s *improvementState) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryImprovement, func() (improvement.Action, error) {
		return s.view(), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryProjection, func() (ImprovementProjection, error) {
		return ImprovementProjection{Action: s.view(), Cause: s.cause, RequestHash: s.start.RequestHash}, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateImprovementOpened, func(ctx workflow.Context) (improvement.Receipt, error) {
		if err := workflow.Await(ctx, func() bool { return s.opened }); err != nil {
			return improvement.Receipt{}, err
		}
		return s.receipt(), nil
	}); err != nil {
		return err
	}
	return firstError(
		improvementUpdate(ctx, s, improvement.StepPlan, improvement.ActPlan, s.checkPlan, s.planned),
		improvementUpdate(ctx, s, improvement.StepCompletion, improvement.ActComplete, nil, s.completed),
		improvementUpdate(ctx, s, improvement.StepVerification, improvement.ActVerify, nil, s.verified),
	)
}

// improvementUpdate registers the Update for one step: the state check, the
// input's own validation, the caller's permission, an optional step-specific
// check, then the handler, which changes state, saves it and answers.
func improvementUpdate[T validatable](
	ctx workflow.Context,
	s *improvementState,
	step improvement.Step,
	act improvement.Act,
	check func(ctx workflow.Context, in T) error,
	apply func(now time.Time, by improvement.Actor, in T),
) error {
	validator := func(ctx workflow.Context, sub improvement.Submission[T]) error {
		if err := s.expect(step); err != nil {
			return err
		}
		if err := sub.Input.Validate(); err != nil {
			return invalid(err)
		}
		if err := improvement.Authorize(sub.Actor, &s.a, act); err != nil {
			return forbidden(err)
		}
		if check != nil {
			return check(ctx, sub.Input)
		}
		return nil
	}
	handler := func(ctx workflow.Context, sub improvement.Submission[T]) (improvement.Receipt, error) {
		apply(now(ctx), sub.Actor, sub.Input)
		if err := s.save(ctx, updateCause(ctx)); err != nil {
			return improvement.Receipt{}, err
		}
		return s.receipt(), nil
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, string(step), handler, workflow.UpdateHandlerOptions{
		Validator: validator,
		// A step accepted just before the action closes still gets its answer.
		UnfinishedPolicy: workflow.HandlerUnfinishedPolicyWarnAndAbandon,
	})
}

// expect rejects a step that is not the one the action awaits, saying what it waits for.
func (s *improvementState) expect(step improvement.Step) error {
	switch {
	case !s.opened:
		return wrongState("improvement action %s is still being opened", s.start.ID)
	case s.a.Status == improvement.StepClosed:
		return wrongState("improvement action %s is closed (%s); no %s is possible", s.a.ID, s.a.Resolution, step)
	case s.a.Status != step:
		return wrongState("improvement action %s is waiting for %s (round %d), not %s", s.a.ID, s.a.Status, s.a.Round, step)
	}
	return nil
}

func (s *improvementState) checkPlan(ctx workflow.Context, in improvement.PlanInput) error {
	if err := in.CheckDue(workflow.Now(ctx), s.a.DueAt); err != nil {
		return invalid(err)
	}
	return nil
}

func (s *improvementState) planned(now time.Time, by improvement.Actor, in improvement.PlanInput) {
	rec := improvement.PlanRecord{Plan: in.Plan, By: by, At: now}
	// Completion is due when the plan promised, else by the action's deadline.
	due := s.a.DueAt
	if in.DueAt != nil {
		d := in.DueAt.UTC().Truncate(time.Microsecond)
		rec.DueAt, due = &d, d
	}
	s.a.Current().Plan = &rec
	s.event(now, improvement.StepPlan, improvement.ActionPlanned, by, rec)
	s.enter(now, improvement.StepCompletion, due)
}

func (s *improvementState) completed(now time.Time, by improvement.Actor, in improvement.CompletionInput) {
	rec := improvement.CompletionRecord{Result: in.Result, By: by, At: now}
	s.a.Current().Completion = &rec
	s.event(now, improvement.StepCompletion, improvement.ActionCompleted, by, rec)
	s.enter(now, improvement.StepVerification, now.Add(s.policy.VerifyWithin.Std()))
}

func (s *improvementState) verified(now time.Time, by improvement.Actor, in improvement.VerificationInput) {
	rec := improvement.VerificationRecord{Effective: *in.Effective, Comment: in.Comment, By: by, At: now}
	s.a.Current().Verification = &rec
	if rec.Effective {
		s.event(now, improvement.StepVerification, improvement.ActionEffective, by, rec)
		s.a.Resolution = improvement.ResolutionEffective
		s.enter(now, improvement.StepClosed, time.Time{})
		s.event(now, improvement.StepClosed, improvement.ActionClosed, by, map[string]string{"resolution": string(s.a.Resolution)})
		return
	}
	// Not effective: plan again (PDCA); the round just ended stays on record.
	s.event(now, improvement.StepVerification, improvement.ActionNotEffective, by, rec)
	s.newRound(now)
	s.event(now, improvement.StepPlan, improvement.ActionNewRound, by, map[string]int{"round": s.a.Round})
}
