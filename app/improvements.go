package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/store"
)

// Improvement actions (改进计划 · 纠正预防措施): list them, read one, open one
// by hand, take its PDCA steps. Each action is a workflow (improvement:<id>)
// whose steps arrive as Updates, like a complaint's; a survey cycle opens
// actions itself through activities.OpenImprovementAction.
//
// Who may is decided per action (improvement.Authorize: the opener's or the
// reader's department, the action's verifiers), so the permission table has
// no rule for these operations; the workflows check a step again themselves.

// improvementPageMax bounds a page of actions.
const improvementPageMax = 200

// ImprovementFilter is what a list of actions asks for; empty fields ask
// for everything.
type ImprovementFilter struct {
	Status improvement.Step
	Source improvement.SourceKind
	// Department is the owner department's ID.
	Department string
	// CycleID and ComplaintID keep the actions a survey cycle or a complaint opened.
	CycleID     string
	ComplaintID string
	// Overdue, when set, keeps only open actions whose step is past (or
	// within) its due time, or only the others.
	Overdue *bool
	// Limit is the page's size, 1 to 200.
	Limit int
	// Cursor is the Next of the page before; empty for the first.
	Cursor string
}

// ImprovementPage is one page of actions, newest first, without timelines.
type ImprovementPage struct {
	Items []improvement.Action
	// Next is the cursor of the next page; empty on the last.
	Next string
}

// Improvements lists the actions the actor may read: every one for those
// who read all (improvement.CanReadAll), their own department's for its
// members and head, none for others.
func (a *App) Improvements(ctx context.Context, by complaint.Actor, f ImprovementFilter) (ImprovementPage, error) {
	empty := ImprovementPage{Items: []improvement.Action{}}
	if err := Authorize(by, OpListImprovements); err != nil {
		return empty, err
	}
	now := a.now()
	q := store.ImprovementFilter{
		Department: f.Department, Status: f.Status, Source: f.Source, CycleID: f.CycleID,
		Overdue: f.Overdue, Limit: f.Limit, Cursor: f.Cursor, Now: now,
	}
	if q.Status != "" && !q.Status.Valid() {
		return empty, notOneOf("status", "status must be one of plan, completion, verification, closed")
	}
	switch q.Source {
	case "", improvement.SourceSurvey, improvement.SourceComplaint, improvement.SourceManual:
	default:
		return empty, notOneOf("source", "source must be one of survey, complaint, manual")
	}
	if f.ComplaintID != "" {
		id, err := uuid.Parse(f.ComplaintID)
		if err != nil {
			return empty, Refuse(Invalid, "complaint_id", "complaint_id must be a complaint ID")
		}
		q.ComplaintID = id.String()
	}
	if q.Limit < 1 || q.Limit > improvementPageMax {
		return empty, outOfRange("limit", 1, improvementPageMax)
	}
	if !improvement.CanReadAll(by) {
		// Others see their own department's actions, and only those.
		if !improvement.ReadsOwnDepartment(by) || (q.Department != "" && q.Department != by.Department) {
			return empty, nil
		}
		q.Department = by.Department
	}
	items, next, err := a.Store.ListImprovements(ctx, q)
	if errors.Is(err, store.ErrBadCursor) {
		return empty, Refuse(Invalid, "cursor", "cursor is not one this API returned")
	}
	if err != nil {
		return empty, err
	}
	for i := range items {
		items[i].Refresh(now)
	}
	if items == nil {
		items = []improvement.Action{}
	}
	return ImprovementPage{Items: items, Next: next}, nil
}

// Improvement reads one action the actor may read, as of now.
func (a *App) Improvement(ctx context.Context, by complaint.Actor, id string) (improvement.Action, error) {
	if err := Authorize(by, OpGetImprovement); err != nil {
		return improvement.Action{}, err
	}
	id, err := improvementID(id)
	if err != nil {
		return improvement.Action{}, err
	}
	x, err := a.storedImprovement(ctx, id)
	if err != nil {
		return x, err
	}
	if err := improvement.Authorize(by, &x, improvement.ActRead); err != nil {
		return improvement.Action{}, &Error{Code: Forbidden, Message: err.Error()}
	}
	return x, nil
}

// improvementID is id as a canonical UUID; anything else names no action.
func improvementID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", Refuse(NotFound, "", "improvement action not found: %s is not an improvement action ID", id)
	}
	return u.String(), nil
}

// storedImprovement reads an action from the read model, as of now. The
// workflow writes it before an Update completes, so a read after a step sees
// the step.
func (a *App) storedImprovement(ctx context.Context, id string) (improvement.Action, error) {
	st, err := a.Store.GetImprovement(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return improvement.Action{}, Refuse(NotFound, "", "improvement action not found")
	}
	if err != nil {
		return improvement.Action{}, err
	}
	st.Action.Refresh(a.now())
	return st.Action, nil
}

// ImprovementOpened is an action as its opening answered.
type ImprovementOpened struct {
	Action improvement.Action
	// ID is the action's ID, known (for the audit trail) once the input was
	// accepted, also when the opening then failed.
	ID string
	// Replayed is set when an earlier request with the same Idempotency-Key
	// opened it.
	Replayed bool
}

// OpenImprovement opens an action by hand. An Idempotency-Key is the
// action's business key: the same key opens the same action once (a retry
// answers with it; the key with other content is a conflict), and a survey
// cycle's key (improvement.SurveyKey) joins the action the cycle opened.
func (a *App) OpenImprovement(ctx context.Context, by complaint.Actor, in improvement.OpenInput, key string) (ImprovementOpened, error) {
	var out ImprovementOpened
	if err := Authorize(by, OpOpenImprovement); err != nil {
		return out, err
	}
	if err := in.Validate(a.now()); err != nil {
		return out, fieldRefusal(err)
	}
	if err := improvement.Authorize(by, &improvement.Action{Department: in.Department}, improvement.ActOpen); err != nil {
		return out, &Error{Code: Forbidden, Message: err.Error()}
	}
	if err := a.CheckDepartment(ctx, in.Department, "department"); err != nil {
		return out, err
	}
	if in.Source.Kind == improvement.SourceComplaint {
		_, err := a.Store.GetComplaint(ctx, in.Source.ComplaintID)
		if errors.Is(err, store.ErrNotFound) {
			return out, Refuse(Invalid, "source.complaint_id", "source.complaint_id: no complaint has this ID")
		}
		if err != nil {
			return out, fmt.Errorf("read the complaint: %w", err)
		}
	}
	// PostgreSQL keeps microseconds; so does everything else, so values round-trip.
	due := in.DueAt.UTC().Truncate(time.Microsecond)
	in.DueAt = &due
	start := improvement.StartFor(improvement.Open{OpenInput: in, BusinessKey: key, OpenedBy: by})
	out.ID = start.ID
	if key != "" {
		done, err := a.Store.GetImprovement(ctx, start.ID)
		switch {
		case err == nil && !done.Confirmed:
			// Perhaps a write its workflow never committed: the open below
			// settles it with Temporal.
		case err == nil:
			if done.RequestHash != start.RequestHash {
				return out, Refuse(Conflict, "Idempotency-Key", "Idempotency-Key already opened improvement action %s (%s) with other content",
					done.Action.ID, done.Action.Title)
			}
			if err := improvement.Authorize(by, &done.Action, improvement.ActRead); err != nil {
				return out, &Error{Code: Forbidden, Message: err.Error()}
			}
			done.Action.Refresh(a.now())
			out.Action, out.Replayed = done.Action, true
			return out, nil
		case !errors.Is(err, store.ErrNotFound):
			return out, fmt.Errorf("look up the Idempotency-Key: %w", err)
		}
	}
	// The survey cycle's activity starts (or joins) an action the same way.
	receipt, err := activities.OpenImprovement(ctx, a.Temporal, a.TaskQueue, start)
	if err != nil {
		return out, WorkflowRefusal(err)
	}
	a.ConfirmCreated(ctx, KindImprovement, start.ID, receipt.Version)
	out.Action, err = a.storedImprovement(ctx, start.ID)
	if err != nil {
		return out, fmt.Errorf("read the improvement action back: %w", err)
	}
	return out, nil
}

// ImprovementStepInput is the input of an action's step:
// improvement.PlanInput, CompletionInput or VerificationInput.
type ImprovementStepInput interface{ Validate() error }

// ImprovementStepped is an action after a step.
type ImprovementStepped struct {
	Action improvement.Action
	// UpdateID is the Update the step was sent as, for the audit trail.
	UpdateID string
	// Replayed: a retry with the same Idempotency-Key answered from the first.
	Replayed bool
}

// improvementSubmission is the step an input is for, its operation, and the
// Update argument that carries it (the Update is named after the step).
func improvementSubmission(by complaint.Actor, in ImprovementStepInput) (improvement.Step, Op, any, error) {
	switch in := in.(type) {
	case improvement.PlanInput:
		return improvement.StepPlan, OpPlanImprovement, improvement.Submission[improvement.PlanInput]{Actor: by, Input: in}, nil
	case improvement.CompletionInput:
		return improvement.StepCompletion, OpCompleteImprovement, improvement.Submission[improvement.CompletionInput]{Actor: by, Input: in}, nil
	case improvement.VerificationInput:
		return improvement.StepVerification, OpVerifyImprovement, improvement.Submission[improvement.VerificationInput]{Actor: by, Input: in}, nil
	}
	return "", "", nil, fmt.Errorf("%T is not an improvement action's step input", in)
}

// TakeImprovementStep checks the input (the workflow's validator checks it
// again, with the action's state and the actor's permission), sends it to the
// action's workflow as the step's Update (see SubmitStep: with an
// Idempotency-Key a retry never applies it twice) and answers with the
// action as the step left it. A workflow that no longer runs is a closed
// action (conflict) or none at all (not found).
func (a *App) TakeImprovementStep(ctx context.Context, by complaint.Actor, id string, in ImprovementStepInput, key string) (ImprovementStepped, error) {
	var out ImprovementStepped
	step, op, sub, err := improvementSubmission(by, in)
	if err != nil {
		return out, err
	}
	if err := Authorize(by, op); err != nil {
		return out, err
	}
	if id, err = improvementID(id); err != nil {
		return out, err
	}
	if err := in.Validate(); err != nil {
		return out, fieldRefusal(err)
	}
	update := string(step)
	done, err := a.SubmitStep(ctx, Step{Kind: KindImprovement, CaseID: id, Update: update, Arg: sub, ActorID: by.ID, Input: sub, Key: key})
	out.UpdateID, out.Replayed = done.UpdateID, done.Replayed
	if err != nil {
		return out, a.improvementStepRefusal(ctx, id, update, err)
	}
	out.Action, err = a.storedImprovement(ctx, id)
	if err != nil {
		return out, fmt.Errorf("read the improvement action back: %w", err)
	}
	return out, nil
}

// improvementStepRefusal explains a step that failed.
func (a *App) improvementStepRefusal(ctx context.Context, id, update string, err error) error {
	var reused *KeyReusedError
	if errors.As(err, &reused) {
		return Refuse(Conflict, "Idempotency-Key", "%s", reused.Error())
	}
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		return WorkflowRefusal(err)
	}
	st, gerr := a.Store.GetImprovement(ctx, id)
	switch {
	case gerr == nil && st.Action.Status == improvement.StepClosed:
		return Refuse(Conflict, "", "improvement action %s is closed (%s); no %s is possible", id, st.Action.Resolution, update)
	case gerr == nil:
		return fmt.Errorf("reach the improvement action's workflow: %w", err)
	case errors.Is(gerr, store.ErrNotFound):
		return Refuse(NotFound, "", "improvement action not found")
	}
	return fmt.Errorf("read the improvement action: %w", gerr)
}
