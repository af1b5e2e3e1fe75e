package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/reports"
)

func runGenerateReports(t *testing.T, start time.Time, in ReportsRequest) ([]activities.GenerateReportRequest, []reports.Version, ReportsResult) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	Register(env)
	var mu sync.Mutex
	var generated []activities.GenerateReportRequest
	var notified []reports.Version
	env.OnActivity(acts.GenerateReport, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.GenerateReportRequest) (reports.Version, error) {
			mu.Lock()
			defer mu.Unlock()
			generated = append(generated, r)
			return reports.Version{ID: int64(len(generated)), Kind: r.Kind, Period: r.Period, Branch: r.Branch, Version: 1, Format: "xlsx"}, nil
		})
	env.OnActivity(acts.NotifyReportOwners, mock.Anything, mock.Anything).Return(
		func(_ context.Context, v reports.Version) error {
			mu.Lock()
			defer mu.Unlock()
			notified = append(notified, v)
			return nil
		})
	env.ExecuteWorkflow(GenerateReportsWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res ReportsResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return generated, notified, res
}

func TestGenerateReportsOnDemand(t *testing.T) {
	gen, notified, res := runGenerateReports(t, time.Date(2026, 5, 3, 10, 0, 0, 0, reports.Location),
		ReportsRequest{Kind: "complaints", Periods: []string{"2026Q1"}, Branch: "branch-zhengzhou", RequestedBy: "u1"})
	require.Len(t, gen, 1)
	require.Equal(t, "2026Q1", gen[0].Period)
	require.Equal(t, "branch-zhengzhou", gen[0].Branch)
	require.Equal(t, "u1", gen[0].CreatedBy)
	require.NotEmpty(t, gen[0].Key)
	require.Len(t, notified, 1)
	require.Equal(t, int64(1), notified[0].ID)
	require.Len(t, res.Versions, 1)
}

func TestGenerateReportsScheduled(t *testing.T) {
	// The schedule fires at 08:00 on 1 July: the second quarter and the first half.
	gen, notified, res := runGenerateReports(t, time.Date(2026, 7, 1, 8, 0, 0, 0, reports.Location), ReportsRequest{Kind: "complaints"})
	require.Len(t, gen, 2)
	require.Equal(t, "2026Q2", gen[0].Period)
	require.Equal(t, "2026H1", gen[1].Period)
	require.Equal(t, "schedule", gen[0].CreatedBy)
	require.NotEqual(t, gen[0].Key, gen[1].Key)
	require.Len(t, notified, 2)
	require.Len(t, res.Versions, 2)

	gen, _, _ = runGenerateReports(t, time.Date(2026, 4, 1, 8, 0, 0, 0, reports.Location), ReportsRequest{})
	require.Len(t, gen, 1)
	require.Equal(t, "2026Q1", gen[0].Period)
	require.Equal(t, reports.KindComplaints, gen[0].Kind)
}
