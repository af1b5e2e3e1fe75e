package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// StartCalendarRollout moves the deadlines of the open complaints on a
// calendar to one of its versions. A durable workflow does it, one per
// version, so a restart cannot lose a roll-out and a second start is a no-op.
func (a *App) StartCalendarRollout(ctx context.Context, name string, version int) error {
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.CalendarRolloutID(name, version),
		TaskQueue:                a.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.CalendarRolloutWorkflow, workflows.CalendarRollout{Name: name, Version: version})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start roll-out of calendar %s v%d: %w", name, version, err)
	}
	return nil
}

// releasePrefix marks the calendar versions a release made, in their history.
const releasePrefix = "release "

// AdoptShippedHolidays runs at start-up: the holiday years this build ships
// (e.g. 2027, once the State Council published it) that the stored default
// calendar lacks are added as a new calendar version, recorded as made by the
// release, and rolled out to the open complaints so their deadlines move.
// Years an administrator entered, corrected or removed are left alone (see
// store.AddShippedYears). If the process died between storing the version
// and starting its roll-out, the next start-up starts it.
func (a *App) AdoptShippedHolidays(ctx context.Context, now time.Time) (store.ShippedYears, error) {
	shipped := calendar.ChinaYears()
	var years []string
	for _, y := range shipped {
		years = append(years, strconv.Itoa(y.Year))
	}
	by := releasePrefix + calendar.ShippedRelease() + " (shipped holidays " + strings.Join(years, ", ") + ")"
	res, err := a.Store.AddShippedYears(ctx, calendar.Default(), shipped, now.Year(), calendar.ShippedRelease(), by)
	if err != nil {
		return res, err
	}
	if len(res.Added) > 0 {
		a.Log.Info("shipped holidays added to the calendar", "calendar", res.Calendar.Name,
			"version", res.Calendar.Version, "years", res.Added, "release", calendar.ShippedRelease())
	}
	if !strings.HasPrefix(res.UpdatedBy, releasePrefix) {
		return res, nil
	}
	return res, a.StartCalendarRollout(ctx, res.Calendar.Name, res.Calendar.Version)
}
