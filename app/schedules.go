package app

import (
	"context"
	"errors"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/workflows"
)

// ReportScheduleID names the Temporal Schedule of the quarterly reports.
const ReportScheduleID = "reports:quarterly"

// ReportScheduleCron runs at 08:00 (Asia/Shanghai) on the first day of each
// quarter; the workflow reports on the quarter just ended, and in January and
// July also on the half year.
const ReportScheduleCron = "0 8 1 1,4,7,10 *"

// EnsureReportSchedule creates the quarterly report schedule, or brings an
// existing one to the current definition; calling it again changes nothing.
func (a *App) EnsureReportSchedule(ctx context.Context) error {
	spec := client.ScheduleSpec{CronExpressions: []string{ReportScheduleCron}, TimeZoneName: "Asia/Shanghai"}
	action := &client.ScheduleWorkflowAction{
		ID: ReportScheduleID, Workflow: workflows.GenerateReportsWorkflow,
		Args: []any{workflows.ReportsRequest{Kind: reports.KindComplaints}}, TaskQueue: a.TaskQueue,
	}
	return upsertSchedule(ctx, a.Temporal.ScheduleClient(), client.ScheduleOptions{
		ID: ReportScheduleID, Spec: spec, Action: action, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note: "季度客户投诉分析报告 quarterly complaint analysis (and half-year at half-year ends)",
	})
}

// upsertSchedule creates the schedule, or brings an existing one's spec and
// action to opts' (its state — paused, note — stays as it is).
func upsertSchedule(ctx context.Context, sc client.ScheduleClient, opts client.ScheduleOptions) error {
	_, err := sc.Create(ctx, opts)
	var exists *serviceerror.AlreadyExists
	if errors.As(err, &exists) || (err != nil && strings.Contains(err.Error(), "already")) {
		err = sc.GetHandle(ctx, opts.ID).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				spec := opts.Spec
				in.Description.Schedule.Spec = &spec
				in.Description.Schedule.Action = opts.Action
				return &client.ScheduleUpdate{Schedule: &in.Description.Schedule}, nil
			}})
	}
	return err
}

// KeepReportSchedule ensures the report schedule at start-up, retrying until
// Temporal answers or ctx ends; a failure is logged, never fatal.
func (a *App) KeepReportSchedule(ctx context.Context) {
	for wait := time.Second; ; wait = min(2*wait, time.Minute) {
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := a.EnsureReportSchedule(cctx)
		cancel()
		if err == nil {
			return
		}
		a.Log.Warn("ensure the report schedule", "schedule", ReportScheduleID, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
