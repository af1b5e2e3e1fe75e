package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/activities"
)

// acts is only used to name activity methods; the worker registers the real instance.
var acts *activities.Activities

// withStore runs short database writes as local activities: milliseconds, no
// task-queue round trip. They retry until the database answers, because a
// recorded step must not be lost to an outage; the workflow simply waits.
func withStore(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 7 * 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    200 * time.Millisecond,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// CauseWorkflow is the cause of a save the workflow makes by itself (its
// record, a timer), as the read model records it.
const CauseWorkflow = "workflow"

// updateCause is the cause of a save an Update handler makes: the Update's ID,
// which the history holds, so a replay names it the same. The read model
// tells a committed write from one of a task that was lost by it.
func updateCause(ctx workflow.Context) string {
	return workflow.GetCurrentUpdateInfo(ctx).ID
}
