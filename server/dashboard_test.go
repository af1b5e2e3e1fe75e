package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
)

// dashComplaint is a complaint of the dashboard tests: open at step with its
// current step due at due (counted on clock), or closed at closed.
func dashComplaint(step complaint.Step, branch, dept string, received, due time.Time, clock complaint.ClockKind) complaint.Complaint {
	c := complaint.Complaint{
		Status: step, Subject: "看板测试 " + string(step), Severity: complaint.SeveritySlight, Category: complaint.CategoryContract,
		Channel: complaint.ChannelPhone, ComplainantClass: complaint.ClassC, Branch: branch, Department: dept,
		Customer: complaint.Customer{Name: "王伟", Contact: "138"}, ReceivedAt: received.UTC(), CreatedAt: received.UTC(),
		EscalationLevel: complaint.LevelOwner, Calendar: "default", PolicyVersion: "p", Version: 1,
		Validation: &complaint.ValidationRecord{Founded: true, At: received.UTC()},
	}
	if step == complaint.StepClosed {
		c.ClosedAt = &due
		done := received.Add(time.Hour)
		c.Deadlines = []complaint.Deadline{{Step: complaint.StepValidation, StartedAt: received, DueAt: received.Add(8 * time.Hour), CompletedAt: &done}}
		return c
	}
	d := due.UTC()
	c.DueAt = &d
	c.Deadlines = []complaint.Deadline{{Step: step, StartedAt: received.UTC(), DueAt: d, Clock: clock}}
	return c
}

func TestDashboardAPI(t *testing.T) {
	st := needStore(t)
	ctx := context.Background()
	srv := testServer(t, &captureClient{})
	// Wednesday 20 May 2026, 10:00 in Shanghai.
	now := time.Date(2026, 5, 20, 10, 0, 0, 0, reports.Location)
	srv.now = func() time.Time { return now }
	h := srv.Handler()

	// A branch and a department of this test's own, so complaints other tests
	// store do not count.
	suffix := uuid.NewString()[:8]
	branch, otherBranch, dept := "dash-br-"+suffix, "dash-br2-"+suffix, "dash-dept-"+suffix
	for _, d := range []org.Department{
		{ID: branch, Name: "看板分公司", Kind: org.KindBranch},
		{ID: otherBranch, Name: "另一分公司", Kind: org.KindBranch},
		{ID: dept, Name: "看板部", Kind: org.KindHQ},
	} {
		require.NoError(t, st.SaveDepartment(ctx, d))
	}
	day := func(d, hour int) time.Time { return time.Date(2026, 5, d, hour, 0, 0, 0, reports.Location) }
	// a: the branch's, assigned to dept, due yesterday 16:00 in working time:
	// 1.5 working hours yesterday and 1.5 this morning late; escalated.
	a := dashComplaint(complaint.StepPlan, branch, dept, day(18, 9), day(19, 16), complaint.ClockWorking)
	a.EscalationLevel = complaint.LevelMarketDepartment
	a = storeComplaint(t, a)
	// b: the branch's, not assigned yet, on track.
	b := storeComplaint(t, dashComplaint(complaint.StepValidation, branch, "", day(20, 8), day(20, 14), complaint.ClockWorking))
	// c: headquarters', assigned to dept, an hour late on a calendar that
	// does not exist: the lateness falls back to the wall clock.
	c := dashComplaint(complaint.StepRootCause, "", dept, day(15, 9), now.Add(-time.Hour), complaint.ClockWorking)
	c.Calendar = "no-such-calendar"
	c = storeComplaint(t, c)
	// d: the branch's, closed after 24 hours in April.
	april := time.Date(2026, 4, 10, 9, 0, 0, 0, reports.Location)
	storeComplaint(t, dashComplaint(complaint.StepClosed, branch, dept, april, april.Add(24*time.Hour).UTC(), ""))
	// e: the other branch's, overdue.
	e := storeComplaint(t, dashComplaint(complaint.StepExecution, otherBranch, "", day(19, 9), day(19, 12), complaint.ClockCalendar))

	get := func(u org.User, query string) (int, store.Dashboard, Error, []byte) {
		t.Helper()
		rec := serve(h, http.MethodGet, "/api/v1/dashboard"+query, nil, "Authorization", "Bearer "+newSession(t, u))
		var d store.Dashboard
		var e Error
		if rec.Code == http.StatusOK {
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &d))
		} else {
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "%s", rec.Body)
		}
		return rec.Code, d, e, rec.Body.Bytes()
	}
	user := func(department string, roles ...org.Role) org.User {
		u := newUser(t, roles...)
		if department != "" {
			u.Department = department
			var err error
			u, err = st.UpdateUser(ctx, u)
			require.NoError(t, err)
		}
		return u
	}
	gm := user("", org.RoleGeneralManager)
	doc := loadOpenAPI(t)
	schema := componentSchema(t, doc, "Dashboard")

	t.Run("a company-wide reader picks a branch", func(t *testing.T) {
		code, d, _, body := get(gm, "?branch="+branch)
		require.Equal(t, http.StatusOK, code, "%s", body)
		var v any
		require.NoError(t, json.Unmarshal(body, &v))
		require.NoError(t, schema.VisitJSON(v, openapi3.EnableFormatValidation()), "the answer matches the OpenAPI schema")

		require.Equal(t, store.DashboardScope{Kind: store.ScopeCompany, Branch: branch, Name: "看板分公司"}, d.Scope)
		require.True(t, now.Equal(d.AsOf))
		require.Equal(t, "Asia/Shanghai", d.TimeZone)
		require.Equal(t, 2, d.Open.Total)
		require.Equal(t, []int{1, 0, 1, 1}, []int{d.Open.OnTrack, d.Open.AtRisk, d.Open.Breached, d.Open.Escalated})
		require.Len(t, d.Overdue.Items, 1)
		late := d.Overdue.Items[0]
		require.Equal(t, a.ID, late.ID)
		require.Equal(t, "看板部", late.DepartmentName)
		// 16:00–17:30 yesterday and 08:30–10:00 today on the default calendar.
		require.Equal(t, int64(3*3600), *late.LateSeconds)
		require.Equal(t, complaint.ClockWorking, late.LateClock)
		require.Equal(t, []string{a.ID}, dashIDs(d.Escalated))
		require.Equal(t, []store.DashboardGroup{
			{Key: "", Label: reports.Unassigned, Total: 1, OnTrack: 1},
			{Key: dept, Label: "看板部", Total: 1, Breached: 1},
		}, d.Open.ByDepartment, "b not assigned yet, and a; a tie goes by key")
		require.Equal(t, store.DashboardGroup{Key: "validation", Label: "判定投诉", Total: 1, OnTrack: 1}, d.Open.ByStep[0], "b (%s)", b.Number)
		// Q2 so far: a, b, d received; d closed after 24 hours.
		cur := d.Quarters.Current
		require.Equal(t, "2026Q2", cur.Quarter)
		require.Equal(t, []int{3, 3, 1}, []int{cur.Received, cur.Founded, cur.Closed})
		require.Equal(t, 24.0, *cur.MedianHours)
		require.Equal(t, 1.0, *cur.SLACompliance, "d's one completed step was in time")
		require.Equal(t, "2026Q1", d.Quarters.Previous.Quarter)
		require.Len(t, d.Trend, 12)
		require.Equal(t, "2026-05", d.Trend[11].Month)
		require.Equal(t, 2, d.Trend[11].Received)
		require.Equal(t, 1, d.Trend[10].Closed)
	})

	t.Run("the whole company", func(t *testing.T) {
		code, d, _, body := get(gm, "")
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.Equal(t, store.DashboardScope{Kind: store.ScopeCompany}, d.Scope)
		require.GreaterOrEqual(t, d.Open.Total, 4, "a, b, c and e at least")
		require.GreaterOrEqual(t, d.Overdue.Total, 3)
	})

	t.Run("a branch that is no branch", func(t *testing.T) {
		for _, id := range []string{"no-such-branch", dept} {
			code, _, e, _ := get(gm, "?branch="+id)
			require.Equal(t, http.StatusBadRequest, code)
			require.Equal(t, "branch", e.Field)
		}
	})

	t.Run("a branch head sees what their branch is involved in", func(t *testing.T) {
		head := user(branch, org.RoleBranchHead)
		for _, q := range []string{"", "?branch=" + branch} {
			code, d, _, body := get(head, q)
			require.Equal(t, http.StatusOK, code, "%s", body)
			require.Equal(t, store.DashboardScope{Kind: store.ScopeBranch, Branch: branch, Name: "看板分公司"}, d.Scope)
			require.Equal(t, 2, d.Open.Total, "a and b")
			require.Equal(t, []string{a.ID}, dashIDs(d.Overdue))
		}
		code, _, e, _ := get(head, "?branch="+otherBranch)
		require.Equal(t, http.StatusForbidden, code)
		require.Equal(t, "branch", e.Field)
		require.Contains(t, e.Error, branch)
	})

	t.Run("a department head sees what their department is involved in", func(t *testing.T) {
		head := user(dept, org.RoleDepartmentHead)
		code, d, _, body := get(head, "")
		require.Equal(t, http.StatusOK, code, "%s", body)
		require.Equal(t, store.DashboardScope{Kind: store.ScopeDepartment, Department: dept, Name: "看板部"}, d.Scope)
		require.Equal(t, 2, d.Open.Total, "a and c, not b")
		require.Equal(t, []store.DashboardGroup{{Key: dept, Label: "看板部", Total: 2, Breached: 2}}, d.Open.ByDepartment)
		// a, due yesterday, first; c an hour late on the wall clock, its
		// calendar being unknown.
		require.Equal(t, []string{a.ID, c.ID}, dashIDs(d.Overdue))
		require.Equal(t, int64(3600), *d.Overdue.Items[1].LateSeconds)
		require.Equal(t, complaint.ClockCalendar, d.Overdue.Items[1].LateClock)
		require.NotContains(t, dashIDs(d.Overdue), e.ID)

		code, _, e, _ := get(head, "?branch="+branch)
		require.Equal(t, http.StatusForbidden, code)
		require.Equal(t, "branch", e.Field)
	})

	t.Run("not for others", func(t *testing.T) {
		for _, u := range []org.User{
			user(dept, org.RoleDepartmentMember),
			user("", org.RoleIntakeClerk), // reads every complaint, but is no manager
		} {
			code, _, e, _ := get(u, "")
			require.Equal(t, http.StatusForbidden, code)
			require.Contains(t, e.Error, "management dashboard")
		}
	})
}

func dashIDs(l store.DashboardUrgentList) []string {
	out := []string{}
	for _, e := range l.Items {
		out = append(out, e.ID)
	}
	return out
}
