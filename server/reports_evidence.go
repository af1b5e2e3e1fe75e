package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// evidenceReaders may read the audit evidence (审核证据).
var evidenceReaders = []org.Role{org.RoleInternalAuditor, org.RoleAdministrator}

var (
	requireEvidenceReader = requireRole("the audit evidence", evidenceReaders...)
	requireCompanyReports = requireRole("kept report versions", reportReaders...)
)

// auditEvidence serves every complaint and survey cycle event of a period,
// each mapped to the ISO 10002 / ISO 10004 clauses it evidences.
func (s *Server) auditEvidence(c *gin.Context) {
	p, err := reports.ParseQuery(c.Query)
	var pe *reports.ParamError
	if errors.As(err, &pe) {
		abort(c, http.StatusBadRequest, pe.Error(), pe.Param)
		return
	}
	format, lang, ok := reportFormat(c)
	if !ok {
		return
	}
	p.Branch = c.Query("branch")
	if !s.mayReadBranchReport(c, &p) {
		return
	}
	e, err := s.store.AuditEvidence(c, p)
	if err != nil {
		s.internal(c, "collect the audit evidence", err)
		return
	}
	name := "audit-evidence-" + e.FromDate + "-" + e.ToDate
	if p.Branch != "" {
		name += "-" + p.Branch
	}
	s.writeReport(c, format, name, e, func() []reports.Table { return e.Tables(lang) })
}

// RegenerateRequest asks for a report to be generated again, as a new version.
type RegenerateRequest struct {
	// Kind is the report: complaints (the complaint analysis).
	Kind string `json:"kind"`
	// Period is a quarter (2026Q1), half (2026H1), year (2026) or month (2026-03).
	Period string `json:"period"`
	// Branch, when given, limits the report to a branch's complaints.
	Branch string `json:"branch,omitempty"`
}

// RegenerateStarted names the workflow generating the report.
type RegenerateStarted struct {
	WorkflowID string `json:"workflow_id"`
	Kind       string `json:"kind"`
	Period     string `json:"period"`
	Branch     string `json:"branch,omitempty"`
}

func (s *Server) regenerateReport(c *gin.Context) {
	var in RegenerateRequest
	if !bindJSON(c, &in, "") {
		return
	}
	if in.Kind != reports.KindComplaints {
		abort(c, http.StatusBadRequest, "kind must be complaints", "kind")
		return
	}
	p, err := reports.ParseLabel(in.Period)
	if err != nil {
		abort(c, http.StatusBadRequest, err.Error(), "period")
		return
	}
	p.Branch = in.Branch
	if !s.mayReadBranchReport(c, &p) {
		return
	}
	in.Period = strings.ToUpper(strings.TrimSpace(in.Period))
	wid := "reports:" + in.Kind + ":" + in.Period
	if in.Branch != "" {
		wid += ":" + in.Branch
	}
	wid += ":" + uuid.NewString()
	a := actor(c)
	if _, err := s.temporal.ExecuteWorkflow(c, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.taskQueue, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StaticSummary: "报告生成 report generation: " + in.Kind + " " + in.Period,
	}, workflows.GenerateReportsWorkflow, workflows.ReportsRequest{
		Kind: in.Kind, Periods: []string{in.Period}, Branch: in.Branch, RequestedBy: a.ID,
	}); err != nil {
		s.internal(c, "start the report generation", err)
		return
	}
	c.Set(auditWorkflowKey, wid)
	c.JSON(http.StatusAccepted, RegenerateStarted{WorkflowID: wid, Kind: in.Kind, Period: in.Period, Branch: in.Branch})
}

// ReportVersionList is the kept versions, newest first.
type ReportVersionList struct {
	Items []reports.Version `json:"items"`
}

func (s *Server) listReportVersions(c *gin.Context) {
	period := strings.ToUpper(strings.TrimSpace(c.Query("period")))
	list, err := s.store.ReportVersions(c, c.Query("kind"), period)
	if err != nil {
		s.internal(c, "list report versions", err)
		return
	}
	c.JSON(http.StatusOK, ReportVersionList{Items: list})
}

func (s *Server) getReportVersion(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		abort(c, http.StatusNotFound, "report version not found", "")
		return
	}
	v, data, err := s.store.ReportVersionData(c, id)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "report version not found", "")
		return
	}
	if err != nil {
		s.internal(c, "read the report version", err)
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
