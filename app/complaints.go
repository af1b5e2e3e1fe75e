package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/validate"
	"github.com/cxflow/cxflow/workflows"
)

// The complaints: record one, read them, take their steps (客户投诉处理).

// idempotencyNamespace makes a complaint's ID from an Idempotency-Key: a key
// always names the same complaint, so a retried create finds its workflow.
var idempotencyNamespace = uuid.MustParse("5b0c7c52-8c1e-4d8e-9a52-6f1f7e3c2a10")

// now is the application's clock.
func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Measure counts a complaint's clock time on its calendar; nil (figures as
// last recorded) when the calendar cannot be read.
func (a *App) Measure(ctx context.Context, c complaint.Complaint) complaint.Measure {
	var h *calendar.Hours
	if c.Calendar != "" {
		var err error
		if h, err = a.Hours(ctx, c.Calendar); err != nil {
			a.Log.Warn("calendar unavailable for SLA figures", "calendar", c.Calendar, "err", err)
			return nil
		}
	}
	return func(kind complaint.ClockKind, from, to time.Time) time.Duration {
		if kind == complaint.ClockWorking && h != nil {
			return h.Elapsed(from, to)
		}
		return to.Sub(from)
	}
}

// refresh brings a complaint's SLA figures to now.
func (a *App) refresh(ctx context.Context, c *complaint.Complaint) {
	c.Refresh(a.now(), a.Measure(ctx, *c))
}

// Complaint reads one complaint the actor may read, its figures as of now.
func (a *App) Complaint(ctx context.Context, by complaint.Actor, id string) (complaint.Complaint, error) {
	st, err := a.Store.GetComplaint(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return complaint.Complaint{}, Refuse(NotFound, "", "complaint not found")
	}
	if err != nil {
		return complaint.Complaint{}, err
	}
	if err := complaint.Authorize(by, &st.Complaint, complaint.ActRead, ""); err != nil {
		return complaint.Complaint{}, &Error{Code: Forbidden, Message: err.Error()}
	}
	a.refresh(ctx, &st.Complaint)
	return st.Complaint, nil
}

// ComplaintPage is one page of complaints.
type ComplaintPage struct {
	Items []complaint.Complaint
	// Next is the cursor of the next page; empty on the last.
	Next string
}

// ComplaintFilter selects and pages complaints (Now is set by Complaints).
type ComplaintFilter = store.ListFilter

// The bounds of a complaint list.
const (
	defaultComplaintPage = 50
	maxComplaintPage     = 200
	maxComplaintSearch   = 100
)

// Complaints lists the complaints the actor may read: everything for those
// who read all, else what their department or branch is involved in. A zero
// limit is a page of 50.
func (a *App) Complaints(ctx context.Context, by complaint.Actor, f ComplaintFilter) (ComplaintPage, error) {
	switch {
	case f.Status != "" && !f.Status.Valid():
		return ComplaintPage{}, notOneOf("status", "status must be one of validation, assignment, root_cause, plan, approval, execution, callback, review, closed")
	case f.SLAStatus != "" && f.SLAStatus != complaint.SLAOnTrack && f.SLAStatus != complaint.SLAAtRisk && f.SLAStatus != complaint.SLABreached:
		return ComplaintPage{}, notOneOf("sla_status", "sla_status must be on_track, at_risk or breached")
	case f.Limit < 0 || f.Limit > maxComplaintPage:
		return ComplaintPage{}, outOfRange("limit", 1, 200)
	case utf8.RuneCountInString(f.Search) > maxComplaintSearch:
		return ComplaintPage{}, tooLong("q", 100)
	}
	if f.Limit == 0 {
		f.Limit = defaultComplaintPage
	}
	f.Now = a.now()
	if !complaint.CanReadAll(by) {
		f.Involving = by.Department
	}
	items, next, err := a.Store.ListComplaints(ctx, f)
	if errors.Is(err, store.ErrBadCursor) {
		return ComplaintPage{}, Refuse(Invalid, "cursor", "cursor is not one this API returned")
	}
	if err != nil {
		return ComplaintPage{}, err
	}
	for i := range items {
		items[i].Refresh(f.Now, a.Measure(ctx, items[i]))
	}
	if items == nil {
		items = []complaint.Complaint{}
	}
	return ComplaintPage{Items: items, Next: next}, nil
}

// maxWaitingPages bounds Waiting: pages of 200, at most ten per step.
const maxWaitingPages = 10

// Waiting is every complaint waiting at one of the steps that the actor may
// read, its figures as of now (我的待办 keeps those the actor may act on).
func (a *App) Waiting(ctx context.Context, by complaint.Actor, steps []complaint.Step) ([]complaint.Complaint, error) {
	var out []complaint.Complaint
	for _, step := range steps {
		f := store.ListFilter{Status: step, Limit: 200}
		for range maxWaitingPages {
			page, err := a.Complaints(ctx, by, f)
			if err != nil {
				return nil, err
			}
			out = append(out, page.Items...)
			if page.Next == "" {
				break
			}
			f.Cursor = page.Next
		}
	}
	return out, nil
}

// Recorded is a complaint as its record answered.
type Recorded struct {
	Complaint complaint.Complaint
	// Replayed is set when an earlier request with the same Idempotency-Key
	// recorded it.
	Replayed bool
}

// RecordComplaint records a new complaint and starts its procedure at
// validation. With an Idempotency-Key, a retry answers with the complaint
// the first request recorded; the key with another complaint is a conflict.
func (a *App) RecordComplaint(ctx context.Context, by complaint.Actor, in complaint.Intake, key string) (Recorded, error) {
	now := a.now()
	if err := in.Validate(now); err != nil {
		return Recorded{}, fieldRefusal(err)
	}
	in.Customer.Mobile = validate.NormalMobile(in.Customer.Mobile)
	if in.Branch != "" {
		if err := a.checkBranch(ctx, in.Branch); err != nil {
			return Recorded{}, err
		}
	}
	draft := complaint.Complaint{Branch: in.Branch}
	if err := complaint.Authorize(by, &draft, complaint.ActRecord, ""); err != nil {
		return Recorded{}, &Error{Code: Forbidden, Message: err.Error()}
	}
	// The hash of the decoded intake, not of the raw bytes: the same complaint
	// sent with other spacing is the same request.
	hash, _ := requestHash(in)

	id := uuid.New()
	if key != "" {
		id = uuid.NewSHA1(idempotencyNamespace, []byte(key))
		// A row not yet confirmed may be a write its workflow never
		// committed: then the create below settles it with Temporal.
		if done, err := a.Store.GetComplaint(ctx, id.String()); err == nil && done.Confirmed {
			if done.RequestHash != hash {
				return Recorded{}, Refuse(Conflict, "Idempotency-Key", "Idempotency-Key was already used for a different complaint (%s)", done.Complaint.Number)
			}
			if err := complaint.Authorize(by, &done.Complaint, complaint.ActRead, ""); err != nil {
				return Recorded{}, &Error{Code: Forbidden, Message: err.Error()}
			}
			a.refresh(ctx, &done.Complaint)
			return Recorded{Complaint: done.Complaint, Replayed: true}, nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Recorded{}, err
		}
	}

	received := now
	if in.ReceivedAt != nil {
		received = *in.ReceivedAt
	}
	// PostgreSQL keeps microseconds; so does everything else, so values round-trip.
	received = received.UTC().Truncate(time.Microsecond)
	in.ReceivedAt = &received
	start := complaint.Start{
		ID: id.String(), Intake: in, ReceivedAt: received, Actor: by,
		IdempotencyKey: key, RequestHash: hash,
	}
	op := a.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:        complaint.WorkflowID(start.ID),
		TaskQueue: a.TaskQueue,
		// One workflow per complaint, ever: a concurrent duplicate create joins
		// the running one, and a closed complaint's ID is never reused.
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "投诉 complaint: " + in.Subject,
	}, workflows.ComplaintWorkflow, start)
	h, err := a.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			// A fixed update ID: Temporal answers a repeated intake from the first one.
			UpdateID:     workflows.UpdateIntake,
			UpdateName:   workflows.UpdateIntake,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var receipt workflows.Receipt
	if err == nil {
		err = h.Get(ctx, &receipt)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		// The complaint exists and is already closed: answer from the read model.
		done, gerr := a.Store.GetComplaint(ctx, id.String())
		if gerr != nil {
			return Recorded{}, gerr
		}
		a.refresh(ctx, &done.Complaint)
		return Recorded{Complaint: done.Complaint, Replayed: true}, nil
	}
	if err != nil {
		return Recorded{}, WorkflowRefusal(err)
	}
	a.ConfirmCreated(ctx, KindComplaint, id.String(), receipt.Version)
	st, err := a.Store.GetComplaint(ctx, id.String())
	if err != nil {
		return Recorded{}, err
	}
	a.refresh(ctx, &st.Complaint)
	return Recorded{Complaint: st.Complaint}, nil
}

// checkBranch refuses an ID that names no branch.
func (a *App) checkBranch(ctx context.Context, id string) error {
	d, err := a.Store.Department(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Kind != org.KindBranch) {
		return Refuse(Invalid, "branch", "branch must be the ID of a branch (see GET /api/v1/departments)")
	}
	return err
}

// CheckDepartment refuses an ID that names no department; field names where
// the ID was given.
func (a *App) CheckDepartment(ctx context.Context, id, field string) error {
	_, err := a.Store.Department(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Refuse(Invalid, field, "%s must be the ID of a department (see GET /api/v1/departments)", field)
	}
	return err
}

// ComplaintStepped is a complaint after a step.
type ComplaintStepped struct {
	Complaint complaint.Complaint
	// UpdateID is the Update the step was sent as, for the audit trail.
	UpdateID string
	// Replayed: a retry with the same Idempotency-Key answered from the first.
	Replayed bool
}

// TakeComplaintStep sends a step or control (the Update named update, with
// sub, a complaint.Submission) to the complaint's workflow and answers with
// the complaint as the step left it. A workflow that no longer runs is a
// closed complaint (conflict) or none at all (not found).
func (a *App) TakeComplaintStep(ctx context.Context, by complaint.Actor, id, update string, sub any, key string) (ComplaintStepped, error) {
	if as, ok := sub.(complaint.Submission[complaint.AssignmentInput]); ok {
		if err := a.CheckDepartment(ctx, as.Input.Department, "department"); err != nil {
			return ComplaintStepped{}, err
		}
	}
	done, err := a.SubmitStep(ctx, Step{Kind: KindComplaint, CaseID: id, Update: update, Arg: sub, ActorID: by.ID, Input: sub, Key: key})
	out := ComplaintStepped{UpdateID: done.UpdateID, Replayed: done.Replayed}
	var reused *KeyReusedError
	if errors.As(err, &reused) {
		return out, Refuse(Conflict, "Idempotency-Key", "%s", reused.Error())
	}
	if err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			st, gerr := a.Store.GetComplaint(ctx, id)
			if gerr == nil && st.Complaint.Status == complaint.StepClosed {
				return out, Refuse(Conflict, "", "complaint %s is closed (%s); no %s is possible", st.Complaint.Number, st.Complaint.Resolution, update)
			}
			if gerr != nil && !errors.Is(gerr, store.ErrNotFound) {
				return out, gerr
			}
		}
		return out, WorkflowRefusal(err)
	}
	st, err := a.Store.GetComplaint(ctx, id)
	if err != nil {
		return out, err
	}
	a.refresh(ctx, &st.Complaint)
	out.Complaint = st.Complaint
	return out, nil
}

// fieldRefusal is a domain validation error as a refusal naming its field.
func fieldRefusal(err error) error {
	var fe *complaint.FieldError
	if errors.As(err, &fe) {
		return invalidInput(fe, fe.Error())
	}
	return &Error{Code: Invalid, Message: err.Error()}
}

// stepInput decodes one step's JSON input into its type, checks it and wraps
// it as the workflow's Update takes it.
func stepInput[T interface{ Validate() error }](by complaint.Actor, body []byte) (any, error) {
	var in T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, Refuse(Invalid, "", "body: %s", err.Error())
	}
	if err := in.Validate(); err != nil {
		return nil, fieldRefusal(err)
	}
	return complaint.Submission[T]{Actor: by, Input: in}, nil
}

// stepInputs are the complaint steps' inputs, by step.
var stepInputs = map[complaint.Step]func(complaint.Actor, []byte) (any, error){
	complaint.StepValidation: stepInput[complaint.ValidationInput],
	complaint.StepAssignment: stepInput[complaint.AssignmentInput],
	complaint.StepRootCause:  stepInput[complaint.RootCauseInput],
	complaint.StepPlan:       stepInput[complaint.PlanInput],
	complaint.StepApproval:   stepInput[complaint.ApprovalInput],
	complaint.StepExecution:  stepInput[complaint.ExecutionInput],
	complaint.StepCallback:   stepInput[complaint.CallbackInput],
	complaint.StepReview:     stepInput[complaint.ReviewInput],
}

// controlInputs are the clock controls' inputs and Updates, by the control's
// path (the API's, the console's).
var controlInputs = map[string]struct {
	update string
	decode func(complaint.Actor, []byte) (any, error)
}{
	"pause":    {workflows.UpdatePause, stepInput[complaint.PauseInput]},
	"resume":   {workflows.UpdateResume, stepInput[complaint.ResumeInput]},
	"deadline": {workflows.UpdateExtend, stepInput[complaint.ExtensionInput]},
}

// TakeComplaintControlJSON sends a clock control (pause, resume, deadline)
// with its input as JSON (the console's forms build it).
func (a *App) TakeComplaintControlJSON(ctx context.Context, by complaint.Actor, id, control string, body []byte, key string) (ComplaintStepped, error) {
	ct, ok := controlInputs[control]
	if !ok {
		return ComplaintStepped{}, Refuse(NotFound, "", "no control %s", control)
	}
	sub, err := ct.decode(by, body)
	if err != nil {
		return ComplaintStepped{}, err
	}
	return a.TakeComplaintStep(ctx, by, id, ct.update, sub, key)
}

// TakeComplaintStepJSON is TakeComplaintStep for a step's input as JSON (the
// console's forms build it).
func (a *App) TakeComplaintStepJSON(ctx context.Context, by complaint.Actor, id string, step complaint.Step, body []byte, key string) (ComplaintStepped, error) {
	decode, ok := stepInputs[step]
	if !ok {
		return ComplaintStepped{}, Refuse(NotFound, "", "no step %s", step)
	}
	sub, err := decode(by, body)
	if err != nil {
		return ComplaintStepped{}, err
	}
	return a.TakeComplaintStep(ctx, by, id, string(step), sub, key)
}
