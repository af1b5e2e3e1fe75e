package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/store"
)

// ImprovementPolicy is the policy a new improvement action opens under,
// recorded into it. The built-in defaults for now.
func (a *Activities) ImprovementPolicy(ctx context.Context) (improvement.Policy, error) {
	return improvement.DefaultPolicy(), nil
}

// ImprovementSnapshot is an action's state after a change, with the timeline
// events the change added.
type ImprovementSnapshot struct {
	Action      improvement.Action  `json:"action"`
	Events      []improvement.Event `json:"events"`
	RequestHash string              `json:"request_hash,omitempty"`
	// Cause and TimelineLen: see Snapshot.
	Cause       string `json:"cause,omitempty"`
	TimelineLen int    `json:"timeline_len,omitempty"`
}

// SaveImprovement writes the snapshot to the read model, idempotently and
// provisionally (see SaveComplaint).
func (a *Activities) SaveImprovement(ctx context.Context, s ImprovementSnapshot) error {
	if _, err := a.Store.WriteImprovement(ctx, store.ImprovementWrite{
		Action: s.Action, Events: s.Events, RequestHash: s.RequestHash, Provenance: store.Provenance{Cause: s.Cause, TimelineLen: s.TimelineLen},
	}); err != nil {
		return err
	}
	if err := a.improvementEvents(ctx, s); err != nil {
		return err
	}
	return a.notifyActionEscalations(ctx, s)
}

// OpenImprovementAction opens an improvement action, or joins the one its
// business key already names, and returns the action's ID once the action is
// stored. A survey cycle calls it as an activity for each department and
// dimension with dissatisfied answers (improvement.SurveyKey); retried, it
// never opens a second action. Without a business key, the calling activity
// (its workflow and activity ID) is the key, so an activity that opens
// several actions must give each its own. The action runs on the task queue
// of the activity that opens it; opened_by defaults to cxflow itself.
func (a *Activities) OpenImprovementAction(ctx context.Context, o improvement.Open) (string, error) {
	if !activity.IsActivity(ctx) {
		return "", errors.New("OpenImprovementAction runs as an activity; elsewhere call activities.OpenImprovement")
	}
	info := activity.GetInfo(ctx)
	if o.BusinessKey == "" {
		o.BusinessKey = "activity:" + info.WorkflowExecution.ID + ":" + info.ActivityID
	}
	if o.OpenedBy.ID == "" {
		o.OpenedBy = complaint.SystemActor
	}
	r, err := OpenImprovement(ctx, a.Temporal, info.TaskQueue, improvement.StartFor(o))
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// ErrInvalidOpen is the error type of an open request that can never succeed;
// it has the type name of a rejected update (workflows.ErrInvalidArgument).
const ErrInvalidOpen = "InvalidArgument"

// OpenImprovement starts the action's workflow (improvement.StartFor), or
// joins it when its ID is taken (the same business key), and waits until the
// action is stored. A closed action is joined too: its ID is never reused.
func OpenImprovement(ctx context.Context, tc client.Client, taskQueue string, start improvement.Start) (improvement.Receipt, error) {
	o := start.Open
	// Checked for shape only: a retried open must still join its action after
	// the due date has passed (the API refuses a due date in the past itself).
	if err := o.Validate(time.Time{}); err != nil {
		var fe *complaint.FieldError
		if errors.As(err, &fe) {
			return improvement.Receipt{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidOpen, nil, *fe)
		}
		return improvement.Receipt{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidOpen, nil)
	}
	if start.ID == "" {
		return improvement.Receipt{}, temporal.NewNonRetryableApplicationError("an improvement action needs an ID", ErrInvalidOpen, nil)
	}
	// PostgreSQL keeps microseconds; so does the action, so times round-trip.
	due := o.DueAt.UTC().Truncate(time.Microsecond)
	start.Open.DueAt = &due
	op := tc.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:        improvement.WorkflowID(start.ID),
		TaskQueue: taskQueue,
		// One workflow per action, ever: a concurrent open with the same
		// business key joins the running one, and a closed one's ID is never reused.
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "改进计划 improvement: " + o.Title,
	}, improvement.WorkflowType, start)
	h, err := tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			// A fixed update ID: Temporal answers a repeated open from the first one.
			UpdateID:     improvement.UpdateOpened,
			UpdateName:   improvement.UpdateOpened,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var r improvement.Receipt
	if err == nil {
		err = h.Get(ctx, &r)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		// The action exists and is already closed: it is the one asked for.
		return improvement.Receipt{ID: start.ID, Status: improvement.StepClosed}, nil
	}
	if err != nil {
		return improvement.Receipt{}, fmt.Errorf("open improvement action %s: %w", start.ID, err)
	}
	return r, nil
}
