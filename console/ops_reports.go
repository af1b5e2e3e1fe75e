package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
)

// reportOps are the reports' operations the pages call (package app): the
// dashboard, the complaint analysis, the satisfaction and churn reports, the
// department assessment and its entries, and the kept report versions. The
// downloads (xlsx, csv) stay links to the API's own exports.
type reportOps interface {
	Dashboard(ctx context.Context, by complaint.Actor, in app.DashboardInput) (reports.Dashboard, error)
	ComplaintAnalysis(ctx context.Context, by complaint.Actor, p reports.Period) (reports.ComplaintAnalysis, error)
	SatisfactionReport(ctx context.Context, by complaint.Actor, p reports.Period, programme string) (reports.SatisfactionReport, error)
	ChurnReport(ctx context.Context, by complaint.Actor, h reports.Half, decline float64) (reports.ChurnReport, error)
	AssessmentMonth(ctx context.Context, by complaint.Actor, p reports.Period) (app.MonthlyAssessment, error)
	AssessmentYear(ctx context.Context, by complaint.Actor, p reports.Period) (app.YearlyAssessment, error)
	EnterAuditCheck(ctx context.Context, by complaint.Actor, in app.AuditCheckInput, key string) (assessment.AuditCheck, error)
	EnterCredit(ctx context.Context, by complaint.Actor, in app.CreditInput, key string) (assessment.AssessmentCredit, error)
	ReportVersions(ctx context.Context, by complaint.Actor, kind, period string) ([]reports.Version, error)
}

// repPeriodOf reads a report period as the API's query gives it
// (reports.ParseQuery); a refusal names the parameter at fault, as the API's.
func repPeriodOf(q url.Values) (reports.Period, *Refusal) {
	p, err := reports.ParseQuery(q.Get)
	var pe *reports.ParamError
	if errors.As(err, &pe) {
		return p, &Refusal{Status: http.StatusBadRequest, Field: pe.Param, Message: pe.Error()}
	}
	if err != nil {
		return p, refusalOf(err)
	}
	return p, nil
}
