package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
)

// The fake's operations answer from its api map, keyed as the JSON API's
// routes, so a test sets up one answer for a page whether the page calls the
// operation or the API; a non-2xx answer is the refusal with its code.

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
		var e struct {
			Error string `json:"error"`
			Field string `json:"field"`
		}
		_ = json.Unmarshal(a.Body, &e)
		code, ok := codeOfStatus[a.Status]
		if !ok {
			return &app.Error{Code: "internal", Message: e.Error}
		}
		return &app.Error{Code: code, Field: e.Field, Message: e.Error}
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
