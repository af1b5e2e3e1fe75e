package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/complaint"
)

// validatable is a step input that checks its own fields.
type validatable interface{ Validate() error }

// registerHandlers installs the query and one Update per human step. Each
// validator runs before anything is written; each handler changes state before
// its first yield, so a concurrent duplicate sees the new state and is rejected.
func (s *complaintState) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryComplaint, func() (complaint.Complaint, error) {
		return s.view(), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryProjection, func() (ComplaintProjection, error) {
		return s.projection(), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateIntake, func(ctx workflow.Context) (Receipt, error) {
		if err := workflow.Await(ctx, func() bool { return s.recorded }); err != nil {
			return Receipt{}, err
		}
		return s.receipt(), nil
	}); err != nil {
		return err
	}
	return firstError(
		s.registerControls(ctx),
		stepUpdate(ctx, s, complaint.StepValidation, nil, s.validated),
		stepUpdate(ctx, s, complaint.StepAssignment, nil, s.assigned),
		stepUpdate(ctx, s, complaint.StepRootCause, nil, s.rootCaused),
		stepUpdate(ctx, s, complaint.StepPlan, s.checkPlan, s.planned),
		stepUpdate(ctx, s, complaint.StepApproval, s.checkApproval, s.approved),
		stepUpdate(ctx, s, complaint.StepExecution, nil, s.executed),
		stepUpdate(ctx, s, complaint.StepCallback, nil, s.calledBack),
		stepUpdate(ctx, s, complaint.StepReview, nil, s.reviewed),
	)
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Receipt answers an accepted Update. It is deliberately small: update results
// are kept in the history, so the full complaint is read from the read model,
// which the handler has written before it answers.
type Receipt struct {
	ID      string         `json:"id"`
	Number  string         `json:"number"`
	Status  complaint.Step `json:"status"`
	Version int            `json:"version"`
}

func (s *complaintState) receipt() Receipt {
	return Receipt{ID: s.c.ID, Number: s.c.Number, Status: s.c.Status, Version: s.c.Version}
}

// stepUpdate registers the Update for one step: the shared state checks, the
// input's own validation, an optional step-specific check, then the handler,
// which changes state, saves it and answers with a receipt.
func stepUpdate[T validatable](
	ctx workflow.Context,
	s *complaintState,
	step complaint.Step,
	check func(ctx workflow.Context, in T) error,
	apply func(now time.Time, by complaint.Actor, in T),
) error {
	validator := func(ctx workflow.Context, sub complaint.Submission[T]) error {
		if err := s.expect(step); err != nil {
			return err
		}
		if err := sub.Input.Validate(); err != nil {
			return invalid(err)
		}
		var level complaint.Level
		if a, ok := any(sub.Input).(complaint.ApprovalInput); ok {
			level = a.Level
		}
		if err := complaint.Authorize(sub.Actor, &s.c, complaint.Action(step), level); err != nil {
			return forbidden(err)
		}
		if check != nil {
			return check(ctx, sub.Input)
		}
		return nil
	}
	handler := func(ctx workflow.Context, sub complaint.Submission[T]) (Receipt, error) {
		apply(now(ctx), sub.Actor, sub.Input)
		if err := s.save(ctx, updateCause(ctx)); err != nil {
			return Receipt{}, err
		}
		return s.receipt(), nil
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, string(step), handler, workflow.UpdateHandlerOptions{
		Validator: validator,
		// A step accepted just before the case closes still gets its answer.
		UnfinishedPolicy: workflow.HandlerUnfinishedPolicyWarnAndAbandon,
	})
}

// expect rejects a step that is not the one the complaint awaits.
func (s *complaintState) expect(step complaint.Step) error {
	switch {
	case !s.recorded:
		return wrongState("complaint %s is still being recorded", s.start.ID)
	case s.c.Status == complaint.StepClosed:
		return wrongState("complaint %s is closed (%s); no %s is possible", s.c.Number, s.c.Resolution, step)
	case s.c.Status != step:
		return wrongState("complaint %s is waiting for %s, not %s", s.c.Number, s.c.Status, step)
	}
	return nil
}

func (s *complaintState) validated(now time.Time, by complaint.Actor, in complaint.ValidationInput) {
	rec := complaint.ValidationRecord{Founded: *in.Founded, Reason: in.Reason, Reply: in.Reply, By: by, At: now}
	s.c.Validation = &rec
	if !rec.Founded {
		// Not founded: the written reply is recorded and the case closes (001).
		s.event(now, complaint.StepValidation, complaint.ActionNotFounded, by, rec)
		s.close(now, complaint.ResolutionNotFounded, by)
		return
	}
	s.event(now, complaint.StepValidation, complaint.ActionValidated, by, rec)
	s.enter(now, now, complaint.StepAssignment, nil)
}

func (s *complaintState) assigned(now time.Time, by complaint.Actor, in complaint.AssignmentInput) {
	rec := complaint.AssignmentRecord{Department: in.Department, Handler: in.Handler, By: by, At: now}
	s.c.Assignment = &rec
	s.c.Department, s.c.Handler = in.Department, in.Handler
	s.event(now, complaint.StepAssignment, complaint.ActionAssigned, by, rec)
	s.enter(now, now, complaint.StepRootCause, nil)
}

func (s *complaintState) rootCaused(now time.Time, by complaint.Actor, in complaint.RootCauseInput) {
	rec := complaint.RootCauseRecord{
		Cause: in.Cause, CauseType: in.CauseType, ResponsiblePerson: in.ResponsiblePerson,
		CorrectiveAction: in.CorrectiveAction, PreventiveAction: in.PreventiveAction, By: by, At: now,
	}
	s.c.RootCause = &rec
	s.event(now, complaint.StepRootCause, complaint.ActionRootCause, by, rec)
	s.enter(now, now, complaint.StepPlan, nil)
}

func (s *complaintState) checkPlan(ctx workflow.Context, in complaint.PlanInput) error {
	if err := in.CheckDue(workflow.Now(ctx)); err != nil {
		return invalid(err)
	}
	return nil
}

func (s *complaintState) planned(now time.Time, by complaint.Actor, in complaint.PlanInput) {
	round := 1
	if s.c.Plan != nil {
		round = s.c.Plan.Round + 1
	}
	rec := complaint.PlanRecord{Plan: in.Plan, DueAt: in.DueAt, Round: round, By: by, At: now}
	s.c.Plan = &rec
	s.c.Approvals = []complaint.ApprovalRecord{}
	s.event(now, complaint.StepPlan, complaint.ActionPlanned, by, rec)
	s.enter(now, now, complaint.StepApproval, nil)
}

func (s *complaintState) checkApproval(_ workflow.Context, in complaint.ApprovalInput) error {
	next, _ := s.nextApproval()
	for _, a := range s.c.Approvals {
		if a.Level == in.Level {
			return wrongState("approval by %s was already given for plan round %d; waiting for %s", in.Level, a.Round, next)
		}
	}
	if in.Level != next {
		return wrongState("approval by %s is not due: complaint %s waits for %s (required: %v)",
			in.Level, s.c.Number, next, s.c.ApprovalsRequired)
	}
	return nil
}

func (s *complaintState) approved(now time.Time, by complaint.Actor, in complaint.ApprovalInput) {
	rec := complaint.ApprovalRecord{Level: in.Level, Approved: *in.Approved, Comment: in.Comment, Round: s.c.Plan.Round, By: by, At: now}
	if !rec.Approved {
		// A refusal sends the case back for a new plan; the new plan needs every approval again.
		s.event(now, complaint.StepApproval, complaint.ActionRefused, by, rec)
		s.c.Approvals = []complaint.ApprovalRecord{}
		s.enter(now, now, complaint.StepPlan, nil)
		return
	}
	s.c.Approvals = append(s.c.Approvals, rec)
	s.event(now, complaint.StepApproval, complaint.ActionApproved, by, rec)
	if _, more := s.nextApproval(); more {
		// The next level gets its own full time limit.
		s.enter(now, now, complaint.StepApproval, nil)
		return
	}
	// Execution is due when the plan promised, else by the policy's limit.
	s.enter(now, now, complaint.StepExecution, s.c.Plan.DueAt)
}

func (s *complaintState) executed(now time.Time, by complaint.Actor, in complaint.ExecutionInput) {
	rec := complaint.ExecutionRecord{Result: in.Result, CustomerNotified: *in.CustomerNotified, By: by, At: now}
	s.c.Execution = &rec
	s.event(now, complaint.StepExecution, complaint.ActionExecuted, by, rec)
	// 000: the callback comes within 24 hours after handling.
	s.enter(now, now, complaint.StepCallback, nil)
}

func (s *complaintState) calledBack(now time.Time, by complaint.Actor, in complaint.CallbackInput) {
	rec := complaint.CallbackRecord{Satisfied: *in.Satisfied, Comment: in.Comment, By: by, At: now}
	s.c.Callback = &rec
	if rec.Satisfied {
		s.event(now, complaint.StepCallback, complaint.ActionSatisfied, by, rec)
		s.enter(now, now, complaint.StepReview, nil)
		return
	}
	// Not satisfied: never closed silently. Back to a new plan, counted and escalated.
	s.event(now, complaint.StepCallback, complaint.ActionUnsatisfied, by, rec)
	s.c.ReopenCount++
	s.event(now, complaint.StepPlan, complaint.ActionReopened, by, map[string]int{"reopen_count": s.c.ReopenCount})
	s.enter(now, now, complaint.StepPlan, nil)
	if lvl := s.policy.ReopenEscalation; lvl != "" && lvl != complaint.LevelOwner {
		s.raise(now, lvl, complaint.ReasonReopened, []string{string(lvl)})
	}
}

func (s *complaintState) reviewed(now time.Time, by complaint.Actor, in complaint.ReviewInput) {
	rec := complaint.ReviewRecord{Summary: in.Summary, CauseType: in.CauseType, Lessons: in.Lessons, By: by, At: now}
	s.c.Review = &rec
	s.event(now, complaint.StepReview, complaint.ActionReviewed, by, rec)
	s.close(now, complaint.ResolutionResolved, by)
}

func (s *complaintState) close(now time.Time, r complaint.Resolution, by complaint.Actor) {
	s.c.Resolution = r
	s.enter(now, now, complaint.StepClosed, nil)
	s.event(now, complaint.StepClosed, complaint.ActionClosed, by, map[string]string{"resolution": string(r)})
}
