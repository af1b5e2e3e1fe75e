package integration

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
)

func TestAuditEvidenceForAComplaint(t *testing.T) {
	c := create(t, intake(2_000))
	for _, s := range steps[:3] {
		step(t, c.ID, s.path, s.body)
	}
	now := time.Now().In(reports.Location)
	path := fmt.Sprintf("/api/v1/reports/audit-evidence?from=%s&to=%s",
		now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly))

	r := as(t, "auditor", http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var e reports.AuditEvidence
	r.json(t, &e)
	var actions, clauses []string
	for _, ev := range e.Events {
		if ev.Reference != c.Number {
			continue
		}
		actions = append(actions, ev.Action)
		require.NotEmpty(t, ev.Clauses, ev.Action)
		require.NotEmpty(t, ev.ActorID, ev.Action)
		clauses = append(clauses, ev.Clauses[0].Number)
	}
	require.Equal(t, []string{"recorded", "validated", "assigned", "root_cause_submitted"}, actions)
	require.Equal(t, []string{"8.2", "8.5", "8.5", "8.6"}, clauses)

	r = as(t, "admin", http.MethodGet, path+"&format=xlsx&lang=en", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	require.NoError(t, err)
	rows, err := f.GetRows("Events")
	require.NoError(t, err)
	require.Greater(t, len(rows), 4)
	require.NoError(t, f.Close())

	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodGet, path, nil).status)
	require.Equal(t, http.StatusForbidden, as(t, "market", http.MethodGet, path, nil).status, "auditors and administrators only")
	require.Equal(t, http.StatusBadRequest, as(t, "auditor", http.MethodGet, "/api/v1/reports/audit-evidence?quarter=2026Q9", nil).status)
}

func TestRegenerateReportKeepsVersions(t *testing.T) {
	ctx := context.Background()
	const period = "2018Q3"
	var ids []string
	for range 2 {
		r := as(t, "market", http.MethodPost, "/api/v1/reports/regenerate", map[string]any{"kind": "complaints", "period": "2018q3"})
		require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
		var started server.RegenerateStarted
		r.json(t, &started)
		require.Equal(t, period, started.Period)
		// The versions are numbered in the order the generations run.
		require.NoError(t, stack.client.GetWorkflow(ctx, started.WorkflowID, "").Get(ctx, nil))
		ids = append(ids, started.WorkflowID)
	}
	require.NotEqual(t, ids[0], ids[1])
	recordHistory(t, "generate_reports_regenerated", ids[0])

	r := as(t, "quality", http.MethodGet, "/api/v1/report-versions?kind=complaints&period="+period, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var list server.ReportVersionList
	r.json(t, &list)
	require.Len(t, list.Items, 2)
	require.Equal(t, 2, list.Items[0].Version, "newest first")
	require.Equal(t, 1, list.Items[1].Version)

	for _, v := range list.Items {
		r := as(t, "auditor", http.MethodGet, fmt.Sprintf("/api/v1/report-versions/%d", v.ID), nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r.header.Get("Content-Type"))
		require.Contains(t, r.header.Get("Content-Disposition"), fmt.Sprintf("complaints-%s-v%d.xlsx", period, v.Version))
		f, err := excelize.OpenReader(bytes.NewReader(r.body))
		require.NoError(t, err)
		rows, err := f.GetRows("概要")
		require.NoError(t, err)
		require.Equal(t, "2018-07-01", rows[1][1])
		require.NoError(t, f.Close())

		ns, err := store.New(stack.pool).Notifications(ctx, "", fmt.Sprintf("report-version:%d", v.ID), 0, 10)
		require.NoError(t, err)
		require.Len(t, ns, 1)
		require.Equal(t, "department:market", ns[0].Recipient)
		require.Contains(t, ns[0].Link, fmt.Sprintf("/api/v1/report-versions/%d", v.ID))
	}
	require.Equal(t, http.StatusNotFound, as(t, "market", http.MethodGet, "/api/v1/report-versions/999999999", nil).status)

	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodPost, "/api/v1/reports/regenerate", map[string]any{"kind": "complaints", "period": period}).status)
	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodGet, "/api/v1/report-versions", nil).status)
	require.Equal(t, http.StatusForbidden, as(t, "engineer", http.MethodGet, fmt.Sprintf("/api/v1/report-versions/%d", list.Items[0].ID), nil).status)
	require.Equal(t, http.StatusBadRequest, as(t, "market", http.MethodPost, "/api/v1/reports/regenerate", map[string]any{"kind": "complaints", "period": "2018Q7"}).status)
}

func TestReportScheduleEnsuredIdempotently(t *testing.T) {
	ctx := context.Background()
	require.NoError(t, (&app.App{Temporal: stack.client, TaskQueue: taskQueue, Log: stack.log}).EnsureReportSchedule(ctx))
	require.NoError(t, (&app.App{Temporal: stack.client, TaskQueue: taskQueue, Log: stack.log}).EnsureReportSchedule(ctx), "ensuring again changes nothing")
	d, err := stack.client.ScheduleClient().GetHandle(ctx, app.ReportScheduleID).Describe(ctx)
	require.NoError(t, err)
	require.NotNil(t, d.Schedule.Spec)
}
