package console

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/validate"
)

// The fake's operations answer from its api map, keyed as the JSON API's
// routes, so a test sets up one answer for a page whether the page calls the
// operation or the API; a non-2xx answer is the refusal with its code.

// Call is a request the fake answers from its api map, as the API would.
type Call struct {
	Method, Path string
	Body         []byte
	Header       http.Header
}

// Answer is the fake API's response to a Call.
type Answer struct {
	Status int
	Body   []byte
	Header http.Header
}

var codeOfStatus = map[int]app.Code{
	http.StatusBadRequest: app.Invalid, http.StatusForbidden: app.Forbidden, http.StatusNotFound: app.NotFound,
	http.StatusConflict: app.Conflict, http.StatusServiceUnavailable: app.Unavailable,
}

func (f *fake) op(method, path string, body any, out any) error {
	call := Call{Method: method, Path: path}
	if body != nil {
		call.Body, _ = json.Marshal(body)
	}
	a := f.API(nil, call)
	if a.Status/100 != 2 {
		// Beside the API's error and field, a test's answer may give the
		// rule the operation would name (app.Error.Rule).
		var e struct {
			Error    string        `json:"error"`
			Field    string        `json:"field"`
			Rule     validate.Rule `json:"rule"`
			Min, Max int
		}
		_ = json.Unmarshal(a.Body, &e)
		if a.Status == http.StatusGone {
			return app.ErrSurveyClosed
		}
		code, ok := codeOfStatus[a.Status]
		if !ok {
			return &app.Error{Code: "internal", Message: e.Error}
		}
		return &app.Error{Code: code, Field: e.Field, Message: e.Error, Rule: e.Rule, Min: e.Min, Max: e.Max}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(a.Body, out)
}

func (f *fake) Calendars(context.Context) ([]calendar.Calendar, error) {
	var out struct {
		Items []calendar.Calendar `json:"items"`
	}
	err := f.op(http.MethodGet, "/api/v1/calendars", nil, &out)
	return out.Items, err
}

func (f *fake) Calendar(_ context.Context, name string) (calendar.Calendar, error) {
	var out calendar.Calendar
	return out, f.op(http.MethodGet, "/api/v1/calendars/"+url.PathEscape(name), nil, &out)
}

func (f *fake) CalendarHistory(_ context.Context, name string) ([]calendar.Version, error) {
	var out struct {
		Items []calendar.Version `json:"items"`
	}
	err := f.op(http.MethodGet, "/api/v1/calendars/"+url.PathEscape(name)+"/versions", nil, &out)
	return out.Items, err
}

func (f *fake) CalendarDue(_ context.Context, name string, start time.Time, d time.Duration) (time.Time, error) {
	var out struct {
		Due time.Time `json:"due"`
	}
	q := url.Values{"start": {start.Format(time.RFC3339)}, "duration": {d.String()}}
	err := f.op(http.MethodGet, "/api/v1/calendars/"+url.PathEscape(name)+"/due?"+q.Encode(), nil, &out)
	return out.Due, err
}

func (f *fake) PutCalendarYear(_ context.Context, _ complaint.Actor, name string, year int, in calendar.Year) (calendar.Calendar, error) {
	var out calendar.Calendar
	return out, f.op(http.MethodPut, "/api/v1/calendars/"+url.PathEscape(name)+"/years/"+strconv.Itoa(year), in, &out)
}

// The complaints' operations answer from the fake's complaint and refusal,
// and keep what a page sent.

func (f *fake) refusalErr() error {
	if f.refusal == nil {
		return nil
	}
	code, ok := codeOfStatus[f.refusal.Status]
	if !ok {
		code = "internal"
	}
	return &app.Error{Code: code, Field: f.refusal.Field, Message: f.refusal.Message}
}

func (f *fake) Complaint(context.Context, complaint.Actor, string) (complaint.Complaint, error) {
	return f.c, nil
}

func (f *fake) Waiting(_ context.Context, _ complaint.Actor, steps []complaint.Step) ([]complaint.Complaint, error) {
	f.steps = steps
	if f.open != nil {
		return f.open, nil
	}
	return []complaint.Complaint{f.c}, nil
}

func (f *fake) RecordComplaint(_ context.Context, _ complaint.Actor, in complaint.Intake, key string) (app.Recorded, error) {
	b, _ := json.Marshal(in)
	f.sent, f.key = string(b), key
	if err := f.refusalErr(); err != nil {
		return app.Recorded{}, err
	}
	return app.Recorded{Complaint: complaint.Complaint{ID: cid}}, nil
}

func (f *fake) TakeComplaintStepJSON(_ context.Context, _ complaint.Actor, _ string, _ complaint.Step, body []byte, key string) (app.ComplaintStepped, error) {
	f.sent, f.key = string(body), key
	return app.ComplaintStepped{}, f.refusalErr()
}

// The improvement actions' operations answer from the api map, under the
// routes of /api/v1/improvement-actions.

const improvementsAPI = "/api/v1/improvement-actions"

func (f *fake) Improvements(_ context.Context, _ complaint.Actor, in app.ImprovementFilter) (app.ImprovementPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"status": string(in.Status), "source": string(in.Source), "department": in.Department,
		"cycle_id": in.CycleID, "complaint_id": in.ComplaintID, "cursor": in.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if in.Overdue != nil {
		q.Set("overdue", strconv.FormatBool(*in.Overdue))
	}
	if in.Limit != 0 {
		q.Set("limit", strconv.Itoa(in.Limit))
	}
	var out struct {
		Items      []improvement.Action `json:"items"`
		NextCursor string               `json:"next_cursor"`
	}
	err := f.op(http.MethodGet, improvementsAPI+"?"+q.Encode(), nil, &out)
	return app.ImprovementPage{Items: out.Items, Next: out.NextCursor}, err
}

func (f *fake) Improvement(_ context.Context, _ complaint.Actor, id string) (improvement.Action, error) {
	var out improvement.Action
	return out, f.op(http.MethodGet, improvementsAPI+"/"+url.PathEscape(id), nil, &out)
}

func (f *fake) OpenImprovement(_ context.Context, _ complaint.Actor, in improvement.OpenInput, _ string) (app.ImprovementOpened, error) {
	var out improvement.Action
	err := f.op(http.MethodPost, improvementsAPI, in, &out)
	return app.ImprovementOpened{Action: out, ID: out.ID}, err
}

// TakeImprovementStep posts the input to its step's route, its fields in
// name order as a form's body.
func (f *fake) TakeImprovementStep(_ context.Context, _ complaint.Actor, id string, in app.ImprovementStepInput, _ string) (app.ImprovementStepped, error) {
	var step improvement.Step
	switch in.(type) {
	case improvement.PlanInput:
		step = improvement.StepPlan
	case improvement.CompletionInput:
		step = improvement.StepCompletion
	case improvement.VerificationInput:
		step = improvement.StepVerification
	}
	var body map[string]any
	b, _ := json.Marshal(in)
	_ = json.Unmarshal(b, &body)
	var out improvement.Action
	err := f.op(http.MethodPost, improvementsAPI+"/"+url.PathEscape(id)+"/"+string(step), body, &out)
	return app.ImprovementStepped{Action: out}, err
}

func (f *fake) TakeComplaintControlJSON(_ context.Context, _ complaint.Actor, id, control string, body []byte, key string) (app.ComplaintStepped, error) {
	f.sent, f.key = string(body), key
	return app.ComplaintStepped{}, f.op(http.MethodPost, "/api/v1/complaints/"+id+"/"+control, json.RawMessage(body), nil)
}

func (f *fake) Complaints(_ context.Context, _ complaint.Actor, flt app.ComplaintFilter) (app.ComplaintPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"q": flt.Search, "status": string(flt.Status), "sla_status": string(flt.SLAStatus),
		"department": flt.Department, "cursor": flt.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("limit", strconv.Itoa(flt.Limit))
	var out struct {
		Items      []complaint.Complaint `json:"items"`
		NextCursor string                `json:"next_cursor"`
	}
	err := f.op(http.MethodGet, "/api/v1/complaints?"+q.Encode(), nil, &out)
	return app.ComplaintPage{Items: out.Items, Next: out.NextCursor}, err
}

func (f *fake) PublicCallback(_ context.Context, token string) (app.PublicComplaint, error) {
	var out app.PublicComplaint
	return out, f.op(http.MethodGet, "/public/callback/"+url.PathEscape(token), nil, &out)
}

func (f *fake) AnswerPublicCallback(_ context.Context, token string, in complaint.CallbackInput, _ string) (app.CallbackAnswered, error) {
	var out app.CallbackAnswered
	return out, f.op(http.MethodPost, "/public/callback/"+url.PathEscape(token), in, &out.Complaint)
}

func (f *fake) PublicSurvey(_ context.Context, token string) (app.PublicSurvey, error) {
	var out app.PublicSurvey
	return out, f.op(http.MethodGet, "/public/survey/"+url.PathEscape(token), nil, &out)
}

func (f *fake) AnswerPublicSurvey(_ context.Context, token string, in app.PublicAnswer) (app.AnswerSaved, error) {
	var out app.AnswerSaved
	return out, f.op(http.MethodPost, "/public/survey/"+url.PathEscape(token), inNameOrder(in), &out)
}

func (f *fake) PublicStatus(_ context.Context, token string) (app.PublicStatus, error) {
	var out app.PublicStatus
	return out, f.op(http.MethodGet, "/public/status/"+url.PathEscape(token), nil, &out)
}

func (f *fake) MakeCallbackLink(_ context.Context, _ complaint.Actor, id string) (app.CallbackLink, error) {
	var out app.CallbackLink
	return out, f.op(http.MethodPost, "/api/v1/complaints/"+id+"/callback-link", nil, &out)
}

// inNameOrder is an input as a JSON object with its fields in name order, as
// the tests compare what the pages sent.
func inNameOrder(in any) any {
	var m any
	b, _ := json.Marshal(in)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&m)
	return m
}
