package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/survey"
)

// The survey area's operations answer from the api map, under the routes of
// /api/v1/survey-programmes and /api/v1/survey-cycles.

const (
	programmesAPI = "/api/v1/survey-programmes"
	cyclesAPI     = "/api/v1/survey-cycles"
)

func (f *fake) Programmes(context.Context, complaint.Actor) ([]survey.Definition, error) {
	var out struct {
		Items []survey.Definition `json:"items"`
	}
	err := f.op(http.MethodGet, programmesAPI, nil, &out)
	return out.Items, err
}

func (f *fake) Programme(_ context.Context, _ complaint.Actor, id string) (survey.Definition, error) {
	var out survey.Definition
	return out, f.op(http.MethodGet, programmesAPI+"/"+url.PathEscape(id), nil, &out)
}

func (f *fake) Schedule(_ context.Context, _ complaint.Actor, id string) (app.ScheduleState, error) {
	var out app.ScheduleState
	return out, f.op(http.MethodGet, programmesAPI+"/"+url.PathEscape(id)+"/schedule", nil, &out)
}

// ChangeSchedule posts the note as the API's body, none without one.
func (f *fake) ChangeSchedule(_ context.Context, _ complaint.Actor, id string, action app.ScheduleAction, note string) (app.ScheduleState, error) {
	var body any
	if note != "" {
		body = map[string]string{"note": note}
	}
	var out app.ScheduleState
	return out, f.op(http.MethodPost, programmesAPI+"/"+url.PathEscape(id)+"/schedule/"+string(action), body, &out)
}

func (f *fake) StartCycle(_ context.Context, _ complaint.Actor, id string, in app.CycleRequest) (app.StartedCycle, error) {
	var out app.StartedCycle
	return out, f.op(http.MethodPost, programmesAPI+"/"+url.PathEscape(id)+"/cycles", in, &out)
}

func (f *fake) Cycles(_ context.Context, _ complaint.Actor, id string) ([]app.Cycle, error) {
	var out struct {
		Items []app.Cycle `json:"items"`
	}
	err := f.op(http.MethodGet, programmesAPI+"/"+url.PathEscape(id)+"/cycles", nil, &out)
	return out.Items, err
}

func (f *fake) Cycle(_ context.Context, _ complaint.Actor, id string) (app.Cycle, error) {
	var out app.Cycle
	return out, f.op(http.MethodGet, cyclesAPI+"/"+url.PathEscape(id), nil, &out)
}

func (f *fake) Invitations(_ context.Context, _ complaint.Actor, id string) (app.CycleInvitations, error) {
	var out struct {
		Items []app.Invitation `json:"items"`
	}
	err := f.op(http.MethodGet, cyclesAPI+"/"+url.PathEscape(id)+"/invitations", nil, &out)
	return app.CycleInvitations{Items: out.Items}, err
}

// EnterAnswer posts the answer with its fields in name order, as a form's body.
func (f *fake) EnterAnswer(_ context.Context, _ complaint.Actor, id string, in app.StaffAnswer) (app.AnswerSaved, error) {
	var body map[string]any
	b, _ := json.Marshal(in)
	_ = json.Unmarshal(b, &body)
	err := f.op(http.MethodPost, cyclesAPI+"/"+url.PathEscape(id)+"/answers", body, nil)
	return app.AnswerSaved{CycleID: id}, err
}
