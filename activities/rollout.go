package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
)

// RolloutRequest names the calendar version to push to open complaints.
type RolloutRequest struct {
	Calendar string `json:"calendar"`
	Version  int    `json:"version"`
}

// RolloutResult counts what a roll-out did.
type RolloutResult struct {
	Rescheduled int `json:"rescheduled"`
	Skipped     int `json:"skipped"`
}

const rolloutPage = 200

// RescheduleOpenComplaints sends the calendar to every open complaint that
// counts time on it. The complaint's validator ignores a version it already
// has, so a retried page does no harm; progress is heartbeated so a retry
// resumes after the last complaint done.
func (a *Activities) RescheduleOpenComplaints(ctx context.Context, req RolloutRequest) (RolloutResult, error) {
	cal, err := a.Store.Calendar(ctx, req.Calendar)
	if err != nil {
		return RolloutResult{}, fmt.Errorf("roll out calendar %s: %w", req.Calendar, err)
	}
	if cal.Version != req.Version {
		// A newer version has its own roll-out; this one has nothing to do.
		return RolloutResult{}, nil
	}
	var progress struct {
		After  string
		Result RolloutResult
	}
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &progress)
	}
	for {
		ids, err := a.Store.OpenComplaintsOn(ctx, req.Calendar, progress.After, rolloutPage)
		if err != nil {
			return progress.Result, err
		}
		for _, id := range ids {
			moved, err := a.sendCalendar(ctx, id, cal)
			if err != nil {
				return progress.Result, err
			}
			progress.After = id
			if moved {
				progress.Result.Rescheduled++
			} else {
				progress.Result.Skipped++
			}
			activity.RecordHeartbeat(ctx, progress)
		}
		if len(ids) < rolloutPage {
			return progress.Result, nil
		}
	}
}

// sendCalendar reports whether the complaint took the calendar.
func (a *Activities) sendCalendar(ctx context.Context, id string, cal calendar.Calendar) (bool, error) {
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   complaint.WorkflowID(id),
		UpdateName:   "calendar",
		Args:         []any{complaint.Submission[calendar.Calendar]{Actor: complaint.SystemActor, Input: cal}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &app), errors.As(err, &notFound):
		// Already on this version, closed meanwhile, or on another calendar: nothing to move.
		return false, nil
	}
	return false, fmt.Errorf("reschedule complaint %s: %w", id, err)
}
