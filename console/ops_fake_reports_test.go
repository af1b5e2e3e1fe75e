package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
)

// The reports' operations answer from the fake's api map, under the JSON
// API's routes and queries (the period as the API's query gives it).

// periodQuery is the query naming p as a page would have asked the API:
// month, quarter, half or year for a whole one, else from and to.
func periodQuery(p reports.Period) url.Values {
	q := url.Values{}
	f, t := p.From.In(reports.Location), p.To.In(reports.Location)
	first := func(x time.Time) bool { return x.Day() == 1 && x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 }
	n := (t.Year()-f.Year())*12 + int(t.Month()) - int(f.Month())
	switch {
	case !first(f) || !first(t):
		q.Set("from", p.FirstDate())
		q.Set("to", p.LastDate())
	case n == 1:
		q.Set("month", f.Format("2006-01"))
	case n == 3 && f.Month()%3 == 1:
		q.Set("quarter", strconv.Itoa(f.Year())+"Q"+strconv.Itoa(int(f.Month()+2)/3))
	case n == 6 && (f.Month() == 1 || f.Month() == 7):
		q.Set("half", strconv.Itoa(f.Year())+"H"+strconv.Itoa(int(f.Month()+5)/6))
	case n == 12 && f.Month() == 1:
		q.Set("year", strconv.Itoa(f.Year()))
	default:
		q.Set("from", p.FirstDate())
		q.Set("to", p.LastDate())
	}
	if p.Branch != "" {
		q.Set("branch", p.Branch)
	}
	return q
}

// withQuery is path with q, if any.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// bodyOf is in as the form pages sent it: its fields, without the empty ones.
func bodyOf(in any) map[string]any {
	var body map[string]any
	b, _ := json.Marshal(in)
	_ = json.Unmarshal(b, &body)
	for k, v := range body {
		if v == nil {
			delete(body, k)
		}
	}
	return body
}

func (f *fake) Dashboard(_ context.Context, _ complaint.Actor, in app.DashboardInput) (reports.Dashboard, error) {
	q := url.Values{}
	if in.Branch != "" {
		q.Set("branch", in.Branch)
	}
	var out reports.Dashboard
	return out, f.op(http.MethodGet, withQuery("/api/v1/dashboard", q), nil, &out)
}

func (f *fake) ComplaintAnalysis(_ context.Context, _ complaint.Actor, p reports.Period) (reports.ComplaintAnalysis, error) {
	var out reports.ComplaintAnalysis
	return out, f.op(http.MethodGet, withQuery("/api/v1/reports/complaints", periodQuery(p)), nil, &out)
}

func (f *fake) SatisfactionReport(_ context.Context, _ complaint.Actor, p reports.Period, programme string) (reports.SatisfactionReport, error) {
	q := periodQuery(p)
	if programme != "" {
		q.Set("programme", programme)
	}
	var out reports.SatisfactionReport
	return out, f.op(http.MethodGet, withQuery("/api/v1/reports/satisfaction", q), nil, &out)
}

func (f *fake) ChurnReport(_ context.Context, _ complaint.Actor, h reports.Half, decline float64) (reports.ChurnReport, error) {
	q := url.Values{"half": {h.String()}}
	if decline != reports.DefaultDeclineShare {
		q.Set("decline", strconv.FormatFloat(decline, 'f', -1, 64))
	}
	var out reports.ChurnReport
	return out, f.op(http.MethodGet, withQuery("/api/v1/reports/churn", q), nil, &out)
}

func (f *fake) AssessmentMonth(_ context.Context, _ complaint.Actor, p reports.Period) (app.MonthlyAssessment, error) {
	var out app.MonthlyAssessment
	return out, f.op(http.MethodGet, withQuery("/api/v1/reports/departments", periodQuery(p)), nil, &out)
}

func (f *fake) AssessmentYear(_ context.Context, _ complaint.Actor, p reports.Period) (app.YearlyAssessment, error) {
	var out app.YearlyAssessment
	return out, f.op(http.MethodGet, withQuery("/api/v1/reports/departments", periodQuery(p)), nil, &out)
}

func (f *fake) EnterAuditCheck(_ context.Context, _ complaint.Actor, in app.AuditCheckInput, _ string) (assessment.AuditCheck, error) {
	var out assessment.AuditCheck
	return out, f.op(http.MethodPost, "/api/v1/assessment/checks", bodyOf(in), &out)
}

func (f *fake) EnterCredit(_ context.Context, _ complaint.Actor, in app.CreditInput, _ string) (assessment.AssessmentCredit, error) {
	var out assessment.AssessmentCredit
	return out, f.op(http.MethodPost, "/api/v1/assessment/credits", bodyOf(in), &out)
}

func (f *fake) ReportVersions(_ context.Context, _ complaint.Actor, kind, period string) ([]reports.Version, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if period != "" {
		q.Set("period", period)
	}
	var out struct {
		Items []reports.Version `json:"items"`
	}
	err := f.op(http.MethodGet, withQuery("/api/v1/report-versions", q), nil, &out)
	return out.Items, err
}
