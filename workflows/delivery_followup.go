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
	CustomerID  string    `json:"customer_id"`
	ProgrammeID string    `json:"programme_id"`
	DeliveredAt time.Time `json:"delivered_at"`
	Reference   string    `json:"reference,omitempty"`
}

// FollowUpMonths are the follow-up points after delivery.
var FollowUpMonths = []int{1, 3, 12}

// DeliveryFollowUp sleeps until each follow-up point and runs a one-customer
// survey cycle of the programme as a child workflow.
func DeliveryFollowUp(ctx workflow.Context, d Delivery) (int, error) {
	done := 0
	for _, m := range FollowUpMonths {
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
	}
	return done, nil
}
