package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/reports"
)

// GenerateReportsWorkflow generates management reports and keeps each as a
// new version (domain.md §4).
const GenerateReportsWorkflow = "GenerateReports"

// ReportsRequest names the reports to generate: a kind and its periods. A
// scheduled run gives no periods and reports on those that have just ended
// (reports.ScheduledPeriods).
type ReportsRequest struct {
	Kind        string   `json:"kind"`
	Periods     []string `json:"periods,omitempty"`
	Branch      string   `json:"branch,omitempty"`
	RequestedBy string   `json:"requested_by,omitempty"`
}

// ReportsResult lists the versions generated.
type ReportsResult struct {
	Versions []reports.Version `json:"versions"`
}

// GenerateReports generates each period's report as a workbook, keeps it as
// the next version, and tells the owners where to download it.
func GenerateReports(ctx workflow.Context, in ReportsRequest) (ReportsResult, error) {
	var res ReportsResult
	if in.Kind == "" {
		in.Kind = reports.KindComplaints
	}
	periods := in.Periods
	if len(periods) == 0 {
		periods = reports.ScheduledPeriods(workflow.Now(ctx))
	}
	by := in.RequestedBy
	if by == "" {
		by = "schedule"
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	info := workflow.GetInfo(ctx)
	for _, period := range periods {
		key := strings.Join([]string{info.WorkflowExecution.ID, info.WorkflowExecution.RunID, in.Kind, period, in.Branch}, ":")
		var v reports.Version
		if err := workflow.ExecuteActivity(actx, acts.GenerateReport, activities.GenerateReportRequest{
			Key: key, Kind: in.Kind, Period: period, Branch: in.Branch, CreatedBy: by,
		}).Get(ctx, &v); err != nil {
			return res, fmt.Errorf("generate %s %s: %w", in.Kind, period, err)
		}
		if err := workflow.ExecuteActivity(actx, acts.NotifyReportOwners, v).Get(ctx, nil); err != nil {
			return res, fmt.Errorf("notify the owners of %s %s: %w", in.Kind, period, err)
		}
		res.Versions = append(res.Versions, v)
	}
	return res, nil
}
