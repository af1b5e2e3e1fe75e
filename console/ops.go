package console

import (
	"context"
	"net/http"
	"time"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
)

// Ops are the application's operations (package app) that pages call
// directly, in-process, as the JSON API's handlers do: the same permission
// table, validation and refusals, with no HTTP in between. *app.App has them.
type Ops interface {
	Calendars(ctx context.Context) ([]calendar.Calendar, error)
	Calendar(ctx context.Context, name string) (calendar.Calendar, error)
	CalendarHistory(ctx context.Context, name string) ([]calendar.Version, error)
	CalendarDue(ctx context.Context, name string, start time.Time, d time.Duration) (time.Time, error)
	PutCalendarYear(ctx context.Context, by complaint.Actor, name string, year int, in calendar.Year) (calendar.Calendar, error)

	// Complaints.
	Complaint(ctx context.Context, by complaint.Actor, id string) (complaint.Complaint, error)
	Waiting(ctx context.Context, by complaint.Actor, steps []complaint.Step) ([]complaint.Complaint, error)
	Complaints(ctx context.Context, by complaint.Actor, f app.ComplaintFilter) (app.ComplaintPage, error)
	RecordComplaint(ctx context.Context, by complaint.Actor, in complaint.Intake, key string) (app.Recorded, error)
	TakeComplaintStepJSON(ctx context.Context, by complaint.Actor, id string, step complaint.Step, body []byte, key string) (app.ComplaintStepped, error)
	TakeComplaintControlJSON(ctx context.Context, by complaint.Actor, id, control string, body []byte, key string) (app.ComplaintStepped, error)
	MakeCallbackLink(ctx context.Context, by complaint.Actor, id string) (app.CallbackLink, error)

	// Customers' links: the token is the permission.
	PublicCallback(ctx context.Context, token string) (app.PublicComplaint, error)
	AnswerPublicCallback(ctx context.Context, token string, in complaint.CallbackInput, key string) (app.CallbackAnswered, error)
	PublicSurvey(ctx context.Context, token string) (app.PublicSurvey, error)
	AnswerPublicSurvey(ctx context.Context, token string, in app.PublicAnswer) (app.AnswerSaved, error)
	PublicStatus(ctx context.Context, token string) (app.PublicStatus, error)

	// Improvement actions.
	Improvements(ctx context.Context, by complaint.Actor, f app.ImprovementFilter) (app.ImprovementPage, error)
	Improvement(ctx context.Context, by complaint.Actor, id string) (improvement.Action, error)
	OpenImprovement(ctx context.Context, by complaint.Actor, in improvement.OpenInput, key string) (app.ImprovementOpened, error)
	TakeImprovementStep(ctx context.Context, by complaint.Actor, id string, in app.ImprovementStepInput, key string) (app.ImprovementStepped, error)
	adminOps
	surveyOps
	reportOps
}

var _ Ops = (*app.App)(nil)

// refusalStatus is the page status of each refusal code, as the API's.
var refusalStatus = map[app.Code]int{
	app.Invalid: http.StatusBadRequest, app.Forbidden: http.StatusForbidden, app.NotFound: http.StatusNotFound,
	app.Conflict: http.StatusConflict, app.Unavailable: http.StatusServiceUnavailable,
}

// refusalOf turns an operation's error into what the pages explain: its
// code and field (translated by the page), its message as the detail; nil for
// none, a 500 for a failure of ours.
func refusalOf(err error) *Refusal {
	if err == nil {
		return nil
	}
	if e, ok := app.As(err); ok {
		if status, ok := refusalStatus[e.Code]; ok {
			return &Refusal{Status: status, Message: e.Message, Field: e.Field, Rule: e.Rule, Min: e.Min, Max: e.Max}
		}
	}
	return &Refusal{Status: http.StatusInternalServerError}
}
