package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/workflows"
)

// evidenceReaders may read the audit evidence (审核证据, app.OpAuditEvidence).
var evidenceReaders = app.Who(app.OpAuditEvidence)

// auditEvidence serves every complaint and survey cycle event of a period,
// each mapped to the ISO 10002 / ISO 10004 clauses it evidences.
func (s *Server) auditEvidence(c *gin.Context) {
	p, ok := reportPeriod(c)
	if !ok {
		return
	}
	format, lang, ok := reportFormat(c)
	if !ok {
		return
	}
	p.Branch = c.Query("branch")
	e, err := s.app.AuditEvidence(c, actor(c), p)
	if err != nil {
		s.fail(c, "collect the audit evidence", err)
		return
	}
	name := "audit-evidence-" + e.FromDate + "-" + e.ToDate
	if e.Branch != "" {
		name += "-" + e.Branch
	}
	s.writeReport(c, format, name, e, func() []reports.Table { return e.Tables(lang) })
}

// RegenerateRequest asks for a report to be generated again, as a new version.
type RegenerateRequest = app.RegenerateRequest

// RegenerateStarted names the workflow generating the report.
type RegenerateStarted = app.RegenerateStarted

func (s *Server) regenerateReport(c *gin.Context) {
	var in RegenerateRequest
	if !bindJSON(c, &in, "") {
		return
	}
	started, err := s.app.RegenerateReport(c, actor(c), in)
	if err != nil {
		s.fail(c, "start the report generation", err)
		return
	}
	c.Set(auditWorkflowKey, started.WorkflowID)
	c.JSON(http.StatusAccepted, started)
}

// ReportVersionList is the kept versions, newest first.
type ReportVersionList struct {
	Items []reports.Version `json:"items"`
}

func (s *Server) listReportVersions(c *gin.Context) {
	list, err := s.app.ReportVersions(c, actor(c), c.Query("kind"), c.Query("period"))
	if err != nil {
		s.fail(c, "list report versions", err)
		return
	}
	c.JSON(http.StatusOK, ReportVersionList{Items: list})
}

func (s *Server) getReportVersion(c *gin.Context) {
	v, data, err := s.app.ReportVersion(c, actor(c), app.ReportVersionID(c.Param("id")))
	if err != nil {
		s.fail(c, "read the report version", err)
		return
	}
	ct := "application/octet-stream"
	switch v.Format {
	case "xlsx":
		ct = contentTypeXLSX
	case "csv":
		ct = contentTypeCSV
	}
	attachment(c, v.Filename())
	c.Data(http.StatusOK, ct, data)
}

// ReportScheduleID names the Temporal Schedule of the quarterly reports.
const ReportScheduleID = "reports:quarterly"

// ReportScheduleCron runs at 08:00 (Asia/Shanghai) on the first day of each
// quarter; the workflow reports on the quarter just ended, and in January and
// July also on the half year.
const ReportScheduleCron = "0 8 1 1,4,7,10 *"

// EnsureReportSchedule creates the quarterly report schedule, or brings an
// existing one to the current definition; calling it again changes nothing.
func EnsureReportSchedule(ctx context.Context, tc client.Client, taskQueue string) error {
	spec := client.ScheduleSpec{CronExpressions: []string{ReportScheduleCron}, TimeZoneName: "Asia/Shanghai"}
	action := &client.ScheduleWorkflowAction{
		ID: ReportScheduleID, Workflow: workflows.GenerateReportsWorkflow,
		Args: []any{workflows.ReportsRequest{Kind: reports.KindComplaints}}, TaskQueue: taskQueue,
	}
	return upsertSchedule(ctx, tc.ScheduleClient(), client.ScheduleOptions{
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
func KeepReportSchedule(ctx context.Context, tc client.Client, taskQueue string, log *slog.Logger) {
	for wait := time.Second; ; wait = min(2*wait, time.Minute) {
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := EnsureReportSchedule(cctx, tc, taskQueue)
		cancel()
		if err == nil {
			return
		}
		log.Warn("ensure the report schedule", "schedule", ReportScheduleID, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
