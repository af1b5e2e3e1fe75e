package server

import (
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
)

// calendarEndpoints are the working calendars and working-time arithmetic.
func calendarEndpoints() []endpoint {
	calendarOK := answers(http.StatusOK, "The calendar.", typeOf[calendar.Calendar]())
	name := pathParam("name", fmt.Sprintf("The calendar's name; %s is the built-in one.", calendar.DefaultName), fixed(stringSchema()))
	notFound := fails(http.StatusNotFound, "No calendar has this name.")
	timeQuery := func(name, desc string) param {
		return requiredQuery(name, desc+" RFC 3339, e.g. 2026-02-13T16:00:00+08:00.", fixed(formatted("date-time")))
	}
	saved := func(more ...reply) []reply {
		return append([]reply{
			calendarOK, badRequest,
			fails(http.StatusConflict, "The calendar changed since the version sent was read (field version): read it again and reapply the change."),
			tooLarge, internalError,
			fails(http.StatusServiceUnavailable, "The calendar was saved (the message gives its new version), but the open complaints on it could not be rescheduled now; save it again to retry."),
		}, more...)
	}
	const savedDoc = " Answers with the saved calendar, its version one more than before. Open complaints counting working time on it then move their deadlines to the new calendar, in the background."
	return []endpoint{
		{method: http.MethodGet, path: "/api/v1/calendars", op: app.OpListCalendars, handle: method((*Server).listCalendars),
			tag: "calendars", summary: "List working calendars (工作日历)", description: "Every working calendar by name. " + defaultCalendarDoc(),
			responses: []reply{answers(http.StatusOK, "The calendars.", typeOf[CalendarList]()), internalError}},
		{method: http.MethodGet, path: "/api/v1/calendars/{name}", op: app.OpGetCalendar, handle: method((*Server).getCalendar),
			tag: "calendars", summary: "Read a working calendar", description: defaultCalendarDoc(),
			params:    []param{name},
			responses: []reply{calendarOK, notFound, internalError}},
		{method: http.MethodPut, path: "/api/v1/calendars/{name}", op: app.OpPutCalendar, handle: method((*Server).putCalendar),
			tag: "calendars", summary: "Create or replace a working calendar",
			description: "Creates the calendar (version 0) or replaces the version read; a change made since is not overwritten (409)." + savedDoc,
			params:      []param{name},
			body:        jsonBody(bodyOf[calendar.Calendar]()),
			responses:   saved()},
		{method: http.MethodPut, path: "/api/v1/calendars/{name}/years/{year}", op: app.OpPutCalendarYear, handle: method((*Server).putCalendarYear),
			tag: "calendars", summary: "Add or correct one year's holidays",
			description: "Adds or replaces one year's statutory holidays and make-up working days, the yearly chore when the State Council publishes the next year's schedule. A 400 names year for a path that is no year and holidays for data that does not validate." + savedDoc,
			params: []param{name, pathParam("year", "The year the holidays are for.",
				fixed(&openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: num(1970), Max: num(9999)}))},
			body:      jsonBody(bodyOf[calendar.Year]()),
			responses: saved(notFound)},
		{method: http.MethodGet, path: "/api/v1/calendars/{name}/versions", op: app.OpCalendarHistory, handle: method((*Server).calendarHistory),
			tag: "calendars", summary: "A working calendar's saved versions",
			description: "Every saved version of the calendar, newest first: when, by whom (a user's ID, or the release that added its shipped holiday years at start-up, e.g. release 2026-12 (shipped holidays …)) and the years it holds. The built-in default's version 1 was never saved and is not listed.",
			params:      []param{name},
			responses:   []reply{answers(http.StatusOK, "The versions.", typeOf[CalendarHistory]()), notFound, internalError}},
		{method: http.MethodGet, path: "/api/v1/calendars/{name}/due", op: app.OpCalendarDue, handle: method((*Server).calendarDue),
			tag: "calendars", summary: "When a working duration ends",
			description: "The instant at which duration of working time has passed since start on the calendar: nights, breaks, weekends and holidays do not count; make-up working days do. A zero duration ends at start.",
			params: []param{name,
				timeQuery("start", "When the duration starts."),
				requiredQuery("duration", "The working time, at most ten years, e.g. 8h or 90m.", typeOf[complaint.Duration]()),
			},
			responses: []reply{answers(http.StatusOK, "When it ends, in start's time zone.", typeOf[DueAnswer]()), badRequest, notFound,
				fails(http.StatusConflict, "The calendar has no working time to end the duration in."), internalError}},
		{method: http.MethodGet, path: "/api/v1/calendars/{name}/elapsed", op: app.OpCalendarElapsed, handle: method((*Server).calendarElapsed),
			tag: "calendars", summary: "Working time between two instants",
			description: "The working time on the calendar from from to to, at most ten years apart.",
			params:      []param{name, timeQuery("from", "The start."), timeQuery("to", "The end, not before from.")},
			responses:   []reply{answers(http.StatusOK, "The working time.", typeOf[ElapsedAnswer]()), badRequest, notFound, internalError}},
	}
}

// policyEndpoints are the SLA policy versions.
func policyEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodGet, path: "/api/v1/sla-policies", op: app.OpListPolicies, handle: method((*Server).listPolicies),
			tag: "policies", summary: "List SLA policy versions", description: "Every stored policy version, newest first; empty until one is stored.",
			responses: []reply{answers(http.StatusOK, "The stored versions.", typeOf[PolicyList]()), internalError}},
		{method: http.MethodPost, path: "/api/v1/sla-policies", op: app.OpAddPolicy, handle: method((*Server).addPolicy),
			tag: "policies", summary: "Store and activate a new SLA policy version",
			description: "Stores a new policy version and makes it the active one: new complaints start under it, running ones keep theirs. Versions are immutable. A 400 for a policy that does not validate names no field; its message says which part is at fault.",
			body:        jsonBody(bodyOf[complaint.Policy]()),
			responses: []reply{answers(http.StatusCreated, "The stored, active version.", typeOf[store.StoredPolicy]()), badRequest,
				fails(http.StatusConflict, "A policy with this version already exists (field version); give the new one another name."), tooLarge, internalError}},
		{method: http.MethodGet, path: "/api/v1/sla-policies/active", op: app.OpActivePolicy, id: "getActivePolicy", handle: method((*Server).activePolicy),
			tag: "policies", summary: "The active SLA policy",
			description: "The policy new complaints start under: the active stored version, or the configured one (built-in defaults plus the policy file) while none is stored.",
			responses:   []reply{answers(http.StatusOK, "The active policy.", typeOf[complaint.Policy]()), internalError}},
	}
}
