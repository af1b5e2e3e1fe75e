package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/activities"
)

// CalendarRolloutWorkflow moves the live deadlines of every open complaint on a
// calendar after an administrator corrected it.
const CalendarRolloutWorkflow = "CalendarRollout"

// CalendarRollout names the calendar version to roll out.
type CalendarRollout struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// CalendarRolloutID is the roll-out's business key: one per calendar version.
func CalendarRolloutID(name string, version int) string {
	return fmt.Sprintf("calendar-rollout:%s:v%d", name, version)
}

// RolloutCalendar pages through the open complaints in an activity (which
// heartbeats its progress), so the workflow's history stays a handful of
// events however many complaints there are.
func RolloutCalendar(ctx workflow.Context, in CalendarRollout) (activities.RolloutResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	var res activities.RolloutResult
	err := workflow.ExecuteActivity(ctx, acts.RescheduleOpenComplaints, activities.RolloutRequest{
		Calendar: in.Name, Version: in.Version,
	}).Get(ctx, &res)
	return res, err
}
