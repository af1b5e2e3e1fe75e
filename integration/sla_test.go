package integration

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/workflows"
)

// dueOn asks the API when a duration counted from start ends on a calendar.
func dueOn(t *testing.T, cal string, start time.Time, d string) time.Time {
	t.Helper()
	r := api(t, http.MethodGet, "/api/v1/calendars/"+cal+"/due?start="+url.QueryEscape(start.Format(time.RFC3339Nano))+"&duration="+d, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var a struct {
		Due time.Time `json:"due"`
	}
	r.json(t, &a)
	return a.Due
}

var alwaysOpen struct {
	once   sync.Once
	branch string
}

// Two calendars open around the clock: one stays as it is, the other is
// corrected by a test.
const (
	alwaysOpenCalendar = "it-always-open"
	correctedCalendar  = "it-corrected"
	correctedBranch    = "branch-repair"
)

// alwaysOpenBranch sets up, once, a branch whose calendar works around the
// clock, so a test can reason in plain hours whatever day it runs on. It
// stores the calendar and activates a policy naming it for the branch.
func alwaysOpenBranch(t *testing.T) string {
	t.Helper()
	alwaysOpen.once.Do(func() {
		allDay := []string{"00:00-24:00"}
		week := map[string]any{}
		for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
			week[d] = allDay
		}
		for id, name := range map[string]string{"branch-test": "测试分公司", correctedBranch: "检修分公司"} {
			r := api(t, http.MethodPut, "/api/v1/departments/"+id, map[string]any{"id": id, "name": name, "kind": "branch"})
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		}
		for _, name := range []string{alwaysOpenCalendar, correctedCalendar} {
			r := api(t, http.MethodPut, "/api/v1/calendars/"+name, map[string]any{
				"time_zone": "Asia/Shanghai", "week": week, "years": []any{}, "version": 0,
			})
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		}
		branch := "branch-test"
		r := api(t, http.MethodPost, "/api/v1/sla-policies", map[string]any{
			"version":   "it-" + uuid.NewString()[:8],
			"calendars": map[string]string{branch: alwaysOpenCalendar, correctedBranch: correctedCalendar},
		})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		alwaysOpen.branch = branch
	})
	require.NotEmpty(t, alwaysOpen.branch, "setting up the always-open branch failed earlier")
	return alwaysOpen.branch
}

func TestCalendarArithmeticOverHTTP(t *testing.T) {
	// Issue #3's acceptance cases on the default calendar.
	cst := time.FixedZone("CST", 8*3600)
	require.True(t, time.Date(2026, 2, 14, 16, 30, 0, 0, cst).Equal(dueOn(t, "default", time.Date(2026, 2, 13, 16, 0, 0, 0, cst), "8h")))
	require.True(t, time.Date(2026, 2, 25, 9, 0, 0, 0, cst).Equal(dueOn(t, "default", time.Date(2026, 2, 20, 16, 0, 0, 0, cst), "8h")))

	r := api(t, http.MethodGet, "/api/v1/calendars/default/elapsed?from=2026-02-13T16:00:00%2B08:00&to=2026-02-14T16:30:00%2B08:00", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.EqualValues(t, 8*3600, r.field(t, "working_seconds"))

	for _, tc := range []struct {
		path, field string
		q           url.Values
	}{
		{"due", "start", url.Values{"duration": {"8h"}}},
		{"due", "start", url.Values{"start": {"yesterday"}, "duration": {"8h"}}},
		{"due", "duration", url.Values{"start": {"2026-02-13T16:00:00Z"}, "duration": {"8 hours"}}},
		{"due", "duration", url.Values{"start": {"2026-02-13T16:00:00Z"}, "duration": {"-1h"}}},
		{"elapsed", "to", url.Values{"from": {"2026-02-13T16:00:00Z"}}},
		{"elapsed", "to", url.Values{"from": {"2026-02-14T16:00:00Z"}, "to": {"2026-02-13T16:00:00Z"}}},
	} {
		r := api(t, http.MethodGet, "/api/v1/calendars/default/"+tc.path+"?"+tc.q.Encode(), nil)
		require.Equal(t, http.StatusBadRequest, r.status, "%v: %s", tc.q, r.body)
		require.Equal(t, tc.field, r.field(t, "field"), "%v", tc.q)
	}
	require.Equal(t, http.StatusNotFound, api(t, http.MethodGet, "/api/v1/calendars/nowhere/due?start=2026-02-13T16:00:00Z&duration=1h", nil).status)
}

func TestCalendarCorrectionMovesALiveDeadline(t *testing.T) {
	alwaysOpenBranch(t)
	body := intake(5_000)
	body["branch"] = correctedBranch
	c := create(t, body)
	require.Equal(t, correctedCalendar, c.Calendar)
	require.Equal(t, c.ReceivedAt.Add(8*time.Hour), *c.DueAt, "around the clock, 8 working hours are 8 hours")

	// The administrator declares today a day off at that branch.
	today := c.ReceivedAt.In(time.FixedZone("CST", 8*3600))
	day := today.Format(time.DateOnly)
	var cal calendar.Calendar
	api(t, http.MethodGet, "/api/v1/calendars/"+correctedCalendar, nil).json(t, &cal)
	r := api(t, http.MethodPut, "/api/v1/calendars/"+correctedCalendar+"/years/"+day[:4], map[string]any{
		"holidays": []map[string]string{{"name": "停电检修", "from": day, "to": day}},
		"workdays": []any{},
	})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.EqualValues(t, cal.Version+1, r.field(t, "version"))

	// A stale edit is refused rather than overwriting the new version.
	r = api(t, http.MethodPut, "/api/v1/calendars/"+correctedCalendar, cal)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)

	want := dueOn(t, correctedCalendar, c.ReceivedAt, "8h")
	require.NotEqual(t, *c.DueAt, want)
	require.Eventually(t, func() bool {
		got := get(t, c.ID)
		return got.DueAt != nil && got.DueAt.Equal(want)
	}, 20*time.Second, 100*time.Millisecond, "the live deadline moves to %s", want)
	got := get(t, c.ID)
	require.True(t, slices.ContainsFunc(got.Timeline, func(e complaint.Event) bool { return e.Action == complaint.ActionRescheduled }))
	recordHistory(t, "calendar_rescheduled", complaint.WorkflowID(c.ID))
	// The calendar version's roll-out workflow moved it, and finishes.
	ctx := context.Background()
	rollout := workflows.CalendarRolloutID(correctedCalendar, cal.Version+1)
	require.NoError(t, stack.client.GetWorkflow(ctx, rollout, "").Get(ctx, nil))
	recordHistory(t, "calendar_rollout_corrected", rollout)
}

func TestPauseResumeAndExtendOverHTTP(t *testing.T) {
	body := intake(5_000)
	body["branch"] = alwaysOpenBranch(t)
	c := create(t, body)
	base := "/api/v1/complaints/" + c.ID + "/"

	r := api(t, http.MethodPost, base+"resume", map[string]any{})
	require.Equal(t, http.StatusConflict, r.status, "not paused: %s", r.body)
	r = api(t, http.MethodPost, base+"pause", map[string]any{"reason": "等待客户补充材料"})
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "waiting_on", r.field(t, "field"))

	paused := step(t, c.ID, "pause", map[string]any{"reason": "等待客户补充材料", "waiting_on": "customer"})
	require.NotNil(t, paused.Paused)
	require.Equal(t, "customer", paused.Paused.WaitingOn)
	r = api(t, http.MethodPost, base+"deadline", map[string]any{"due_at": time.Now().Add(72 * time.Hour).Format(time.RFC3339), "reason": "x"})
	require.Equal(t, http.StatusConflict, r.status, "extending a paused step: %s", r.body)
	time.Sleep(1100 * time.Millisecond)
	resumed := step(t, c.ID, "resume", map[string]any{"comment": "材料已收到"})
	require.Nil(t, resumed.Paused)
	require.True(t, resumed.DueAt.After(*c.DueAt), "the deadline moved by the paused time: %s -> %s; %+v", c.DueAt, resumed.DueAt, resumed.Deadlines)
	require.GreaterOrEqual(t, resumed.Deadlines[0].PausedSeconds, int64(1))

	newDue := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	ext := step(t, c.ID, "deadline", map[string]any{"due_at": newDue.Format(time.RFC3339), "reason": "部门经理批准延期"})
	require.True(t, newDue.Equal(*ext.DueAt))
	require.True(t, ext.Deadlines[0].Extended)
	require.Equal(t, complaint.SLAOnTrack, ext.SLAStatus)
	recordHistory(t, "paused_extended", complaint.WorkflowID(c.ID))
}

func TestPoliciesAreVersioned(t *testing.T) {
	alwaysOpenBranch(t)
	r := api(t, http.MethodGet, "/api/v1/sla-policies", nil)
	require.Equal(t, http.StatusOK, r.status)
	var list struct {
		Items []struct {
			Policy complaint.Policy `json:"policy"`
			Active bool             `json:"active"`
		} `json:"items"`
	}
	r.json(t, &list)
	require.NotEmpty(t, list.Items)
	active := list.Items[0].Policy.Version
	r = api(t, http.MethodPost, "/api/v1/sla-policies", map[string]any{"version": active})
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	r = api(t, http.MethodPost, "/api/v1/sla-policies", map[string]any{"version": "bad", "sla": []map[string]any{{"step": "lunch", "target": "1h", "clock": "working"}}})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	r = api(t, http.MethodGet, "/api/v1/sla-policies/active", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, active, r.field(t, "version"))
}

func TestAdministratorMovesAComplaintToAnotherPolicy(t *testing.T) {
	body := intake(5_000)
	body["branch"] = alwaysOpenBranch(t)
	c := create(t, body)

	version := "it-strict-" + uuid.NewString()[:6]
	r := api(t, http.MethodPost, "/api/v1/sla-policies", map[string]any{
		"version":   version,
		"calendars": map[string]string{"branch-test": alwaysOpenCalendar, correctedBranch: correctedCalendar},
		"sla":       []map[string]any{{"step": "validation", "target": "2h", "clock": "working", "warn_at": 0.5}},
	})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.NotEqual(t, version, get(t, c.ID).PolicyVersion, "a running complaint keeps its policy")

	r = as(t, "market", http.MethodPost, "/api/v1/complaints/"+c.ID+"/policy", map[string]any{"version": version})
	require.Equal(t, http.StatusForbidden, r.status, "administrators only: %s", r.body)
	r = api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/policy", map[string]any{"version": "no-such-policy"})
	require.Equal(t, http.StatusBadRequest, r.status)
	got := step(t, c.ID, "policy", map[string]any{"version": version})
	require.Equal(t, version, got.PolicyVersion)
	require.Equal(t, int64(7200), got.Deadlines[0].TargetSeconds)
	require.True(t, got.DueAt.Before(*c.DueAt), "the stricter target brings the deadline forward")
	r = api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/policy", map[string]any{"version": version})
	require.Equal(t, http.StatusConflict, r.status, "already under it: %s", r.body)
}
