package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// DeliveryFollowUpWorkflow surveys one customer after a delivery: at 1 month,
// 3 months and the end of a one-year warranty (002 调查管理规定).
const DeliveryFollowUpWorkflow = "DeliveryFollowUp"

// Delivery is a delivery event posted to the API.
type Delivery struct {
	CustomerID  string    `json:"customer_id" doc:"The customer delivered to."`
	ProgrammeID string    `json:"programme_id" doc:"The survey programme that surveys the customer after the delivery."`
	DeliveredAt time.Time `json:"delivered_at" doc:"When the delivery was made; not more than a day in the future."`
	Reference   string    `json:"reference,omitempty" doc:"The delivery's own number, e.g. a delivery note, at most 200 bytes; posting the same customer and reference (or, without one, delivered_at) again changes nothing."`
}

// FollowUpMonths are the follow-up points after delivery.
var FollowUpMonths = []int{1, 3, 12}

// Workflow code versions of the delivery follow-up (workflow.GetVersion).
const (
	// versionFollowUpContinueAsNew lets a run continue as new between its
	// follow-ups when Temporal suggests it. Runs started before it never do.
	versionFollowUpContinueAsNew = "delivery-followup-continue-as-new"
)

// DeliveryFollowUpInput is the workflow's input: the delivery, whose fields
// stay at the top level as the API sends them, and, on a run that continues
// an earlier one, how far that run got.
type DeliveryFollowUpInput struct {
	Delivery
	// Done counts the follow-ups (FollowUpMonths, in order) earlier runs ran.
	Done int `json:"done,omitempty"`
	// ContinueAsNewAt is a test hook (see continueAsNewDue): the run continues
	// as new between follow-ups once its history has this many events.
	// Carried to the next run.
	ContinueAsNewAt int `json:"continue_as_new_at,omitempty"`
}

// DeliveryFollowUp sleeps until each follow-up point and runs a one-customer
// survey cycle of the programme as a child workflow. Between follow-ups (never
// while a cycle runs) it continues as new when Temporal suggests it; the next
// run skips the follow-ups already done. It returns how many follow-ups ran,
// earlier runs' included.
func DeliveryFollowUp(ctx workflow.Context, in DeliveryFollowUpInput) (int, error) {
	d := in.Delivery
	mayContinue := workflow.GetVersion(ctx, versionFollowUpContinueAsNew, workflow.DefaultVersion, 1) >= 1
	done := in.Done
	for _, m := range FollowUpMonths[min(done, len(FollowUpMonths)):] {
		at := d.DeliveredAt.AddDate(0, m, 0)
		if wait := at.Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return done, err
			}
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: fmt.Sprintf("%s:m%d", workflow.GetInfo(ctx).WorkflowExecution.ID, m),
		})
		err := workflow.ExecuteChildWorkflow(cctx, SurveyCycleWorkflow, CycleStart{
			ProgrammeID: d.ProgrammeID, CustomerIDs: []string{d.CustomerID},
			Reason: fmt.Sprintf("交付后 %d 个月回访 (%s)", m, d.Reference),
		}).Get(ctx, nil)
		if err != nil {
			return done, fmt.Errorf("follow-up at %d months: %w", m, err)
		}
		done++
		// Only with a follow-up still to come: the last one completes the workflow.
		if mayContinue && done < len(FollowUpMonths) && continueAsNewDue(ctx, in.ContinueAsNewAt) {
			// The workflow has no handlers today; should one come, it finishes first.
			if err := awaitHandlers(ctx); err != nil {
				return done, err
			}
			return done, workflow.NewContinueAsNewError(ctx, DeliveryFollowUpWorkflow, DeliveryFollowUpInput{
				Delivery: d, Done: done, ContinueAsNewAt: in.ContinueAsNewAt,
			})
		}
	}
	return done, nil
}
