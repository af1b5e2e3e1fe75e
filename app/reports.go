package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
	"github.com/cxflow/cxflow/workflows"
)

// Reports (报表): the complaint analysis, the satisfaction and churn reports,
// the audit evidence and the kept report versions. An operation takes a
// parsed period (reports.ParseQuery, in the faces) and returns the report's
// data; laying it out as CSV or a workbook is the faces' business. Who may
// read is the permission table's; which branch a branch head reads, the
// operations'.

// CompanyWide reports whether the actor reads the whole company's reports
// (any branch's too); others read at most their own branch's or unit's.
func CompanyWide(by complaint.Actor) bool { return slices.ContainsFunc(reportReaders, by.Has) }

// branch reads the branch a request names; an ID that is no branch is refused.
func (a *App) branch(ctx context.Context, id string) (org.Department, error) {
	d, err := a.Store.Department(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Kind != org.KindBranch) {
		return d, Refuse(Invalid, "branch", "branch must be the ID of a branch (see GET /api/v1/departments)")
	}
	return d, err
}

// reportBranch checks the branch a report asks for: it must be a branch, and
// a branch head (without a company-wide role) reads only their own, which is
// also what they get when they name none.
func (a *App) reportBranch(ctx context.Context, by complaint.Actor, p *reports.Period) error {
	if !CompanyWide(by) {
		if p.Branch == "" {
			p.Branch = by.Department
		}
		if p.Branch != by.Department {
			return Refuse(Forbidden, "", "a branch head reads the reports of their own branch (%s) only", by.Department)
		}
	}
	if p.Branch == "" {
		return nil
	}
	_, err := a.branch(ctx, p.Branch)
	return err
}

// ComplaintAnalysis is the complaint analysis report (季度客户投诉分析报告) of
// a period: the company's, or one branch's (p.Branch).
func (a *App) ComplaintAnalysis(ctx context.Context, by complaint.Actor, p reports.Period) (reports.ComplaintAnalysis, error) {
	if err := Authorize(by, OpComplaintAnalysis); err != nil {
		return reports.ComplaintAnalysis{}, err
	}
	if err := a.reportBranch(ctx, by, &p); err != nil {
		return reports.ComplaintAnalysis{}, err
	}
	return a.Store.ComplaintAnalysis(ctx, p)
}

// SatisfactionReport is the satisfaction analysis report (半年度满意度分析报告)
// of a period, of every programme or one ("" for all).
func (a *App) SatisfactionReport(ctx context.Context, by complaint.Actor, p reports.Period, programme string) (reports.SatisfactionReport, error) {
	if err := Authorize(by, OpSatisfactionReport); err != nil {
		return reports.SatisfactionReport{}, err
	}
	if programme != "" {
		if _, err := uuid.Parse(programme); err != nil {
			return reports.SatisfactionReport{}, Refuse(Invalid, "programme", "programme must be a survey programme's ID (a UUID)")
		}
	}
	return a.Store.SatisfactionReport(ctx, p, programme)
}

// ChurnReport is the customer churn and volume-decline analysis (客户流失统计)
// of a half year; decline is the share of volume lost that counts
// (reports.DefaultDeclineShare unless the reader asks for another).
func (a *App) ChurnReport(ctx context.Context, by complaint.Actor, h reports.Half, decline float64) (reports.ChurnReport, error) {
	if err := Authorize(by, OpChurnReport); err != nil {
		return reports.ChurnReport{}, err
	}
	if !(decline > 0 && decline < 1) {
		return reports.ChurnReport{}, Refuse(Invalid, "decline", "decline must be a share between 0 and 1, e.g. 0.2 for 20 %%")
	}
	return a.Store.ChurnReport(ctx, h, decline)
}

// VolumeImportResult is what a volume import did.
type VolumeImportResult struct {
	Imported int               `json:"imported"`
	Errors   []survey.RowError `json:"errors"`
}

// ImportVolumes saves purchase volumes per customer and half year, read from
// a file by reports.ParseVolumesCSV; rowErrors are the rows it could not read.
func (a *App) ImportVolumes(ctx context.Context, by complaint.Actor, vs []reports.Volume, rowErrors []survey.RowError) (VolumeImportResult, error) {
	if err := Authorize(by, OpImportVolumes); err != nil {
		return VolumeImportResult{Errors: []survey.RowError{}}, err
	}
	if err := a.Store.UpsertVolumes(ctx, vs); err != nil {
		return VolumeImportResult{Errors: []survey.RowError{}}, err
	}
	if rowErrors == nil {
		rowErrors = []survey.RowError{}
	}
	return VolumeImportResult{Imported: len(vs), Errors: rowErrors}, nil
}

// AuditEvidence is every complaint and survey cycle event of a period, each
// mapped to the ISO 10002 / ISO 10004 clauses it evidences.
func (a *App) AuditEvidence(ctx context.Context, by complaint.Actor, p reports.Period) (reports.AuditEvidence, error) {
	if err := Authorize(by, OpAuditEvidence); err != nil {
		return reports.AuditEvidence{}, err
	}
	if err := a.reportBranch(ctx, by, &p); err != nil {
		return reports.AuditEvidence{}, err
	}
	return a.Store.AuditEvidence(ctx, p)
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

// RegenerateReport starts a workflow that generates a report again and keeps
// it as a new version.
func (a *App) RegenerateReport(ctx context.Context, by complaint.Actor, in RegenerateRequest) (RegenerateStarted, error) {
	if err := Authorize(by, OpRegenerateReport); err != nil {
		return RegenerateStarted{}, err
	}
	if in.Kind != reports.KindComplaints {
		return RegenerateStarted{}, notOneOf("kind", "kind must be complaints")
	}
	p, err := reports.ParseLabel(in.Period)
	if err != nil {
		return RegenerateStarted{}, &Error{Code: Invalid, Field: "period", Message: err.Error()}
	}
	p.Branch = in.Branch
	if err := a.reportBranch(ctx, by, &p); err != nil {
		return RegenerateStarted{}, err
	}
	in.Period = strings.ToUpper(strings.TrimSpace(in.Period))
	wid := "reports:" + in.Kind + ":" + in.Period
	if in.Branch != "" {
		wid += ":" + in.Branch
	}
	wid += ":" + uuid.NewString()
	if _, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: a.TaskQueue, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StaticSummary: "报告生成 report generation: " + in.Kind + " " + in.Period,
	}, workflows.GenerateReportsWorkflow, workflows.ReportsRequest{
		Kind: in.Kind, Periods: []string{in.Period}, Branch: in.Branch, RequestedBy: by.ID,
	}); err != nil {
		return RegenerateStarted{}, err
	}
	return RegenerateStarted{WorkflowID: wid, Kind: in.Kind, Period: in.Period, Branch: in.Branch}, nil
}

// ReportVersions lists the kept versions of a kind of report and a period
// ("" for all), newest first.
func (a *App) ReportVersions(ctx context.Context, by complaint.Actor, kind, period string) ([]reports.Version, error) {
	if err := Authorize(by, OpListReportVersions); err != nil {
		return nil, err
	}
	period = strings.ToUpper(strings.TrimSpace(period))
	list, err := a.Store.ReportVersions(ctx, kind, period)
	if list == nil {
		list = []reports.Version{}
	}
	return list, err
}

// ReportVersion reads a kept version and its file.
func (a *App) ReportVersion(ctx context.Context, by complaint.Actor, id int64) (reports.Version, []byte, error) {
	if err := Authorize(by, OpGetReportVersion); err != nil {
		return reports.Version{}, nil, err
	}
	if id <= 0 {
		return reports.Version{}, nil, Refuse(NotFound, "", "report version not found")
	}
	v, data, err := a.Store.ReportVersionData(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return v, nil, Refuse(NotFound, "", "report version not found")
	}
	return v, data, err
}

// ReportVersionID reads a version's ID as a path gives it; 0 for anything
// that names no version.
func ReportVersionID(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// dashboardUrgent is how many overdue and how many escalated complaints the
// dashboard lists, the most urgent first.
const dashboardUrgent = 20

// DashboardInput is what a dashboard asks for.
type DashboardInput struct {
	// Branch keeps one branch's complaints, for company-wide readers ("" = all,
	// or a branch head's own).
	Branch string
	// Location is the organisation's time zone, in which months and quarters
	// begin (reports.Location when nil).
	Location *time.Location
}

// Dashboard is the management dashboard (管理看板) of the complaints the actor
// may read: the company's (or one branch's) for the report readers, the
// complaints their branch or department is involved in for a branch or
// department head — the read rule of the complaint list.
func (a *App) Dashboard(ctx context.Context, by complaint.Actor, in DashboardInput) (reports.Dashboard, error) {
	if err := Authorize(by, OpDashboard); err != nil {
		return reports.Dashboard{}, err
	}
	loc := in.Location
	if loc == nil {
		loc = reports.Location
	}
	q := store.DashboardQuery{Now: a.now(), Location: loc, Urgent: dashboardUrgent, Late: a.lateness(ctx)}
	scope := reports.DashboardScope{Kind: reports.ScopeCompany}
	branch := strings.TrimSpace(in.Branch)
	switch {
	case CompanyWide(by) && branch != "":
		d, err := a.branch(ctx, branch)
		if err != nil {
			return reports.Dashboard{}, err
		}
		q.Branch, scope.Branch, scope.Name = d.ID, d.ID, d.Name
	case CompanyWide(by):
	case by.Has(org.RoleBranchHead) && (branch == "" || branch == by.Department):
		q.Involving = by.Department
		scope = reports.DashboardScope{Kind: reports.ScopeBranch, Branch: by.Department}
	case by.Has(org.RoleBranchHead):
		return reports.Dashboard{}, Refuse(Forbidden, "branch", "a branch head sees the dashboard of their own branch (%s) only", by.Department)
	case branch != "":
		return reports.Dashboard{}, Refuse(Forbidden, "branch", "a department head sees the complaints their department (%s"+
			") is involved in; the branch filter is for those who read the whole company's complaints", by.Department)
	default:
		q.Involving = by.Department
		scope = reports.DashboardScope{Kind: reports.ScopeDepartment, Department: by.Department}
	}
	if scope.Kind != reports.ScopeCompany {
		scope.Name = by.Department
		d, err := a.Store.Department(ctx, by.Department)
		switch {
		case err == nil:
			scope.Name = d.Name
		case !errors.Is(err, store.ErrNotFound):
			return reports.Dashboard{}, err
		}
	}
	d, err := a.Store.Dashboard(ctx, q)
	if err != nil {
		return d, err
	}
	d.Scope = scope
	return d, nil
}

// lateness measures how long a step has been past due: in working time on
// the complaint's calendar for a working-time step, else (or when the
// calendar cannot be read) every hour.
func (a *App) lateness(ctx context.Context) func(string, complaint.ClockKind, time.Time, time.Time) (time.Duration, complaint.ClockKind) {
	return func(cal string, clock complaint.ClockKind, from, to time.Time) (time.Duration, complaint.ClockKind) {
		if clock == complaint.ClockWorking && cal != "" {
			h, err := a.Hours(ctx, cal)
			if err == nil {
				return h.Elapsed(from, to), complaint.ClockWorking
			}
			if a.Log != nil {
				a.Log.Warn("calendar unavailable for the dashboard's lateness", "calendar", cal, "err", err)
			}
		}
		return to.Sub(from), complaint.ClockCalendar
	}
}
