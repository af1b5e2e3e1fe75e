package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
)

// dashSeed is a complaint for the dashboard tests. Open ones have a current
// step (due, warn, clock, paused); closed ones a closing time.
type dashSeed struct {
	number     string
	status     complaint.Step
	received   time.Time
	closed     time.Time
	department string
	branch     string
	founded    *bool
	// runs are completed step runs: true within the time limit, false breached.
	runs []bool
	// Current step, for open complaints.
	due, warn   time.Time
	clock       complaint.ClockKind
	pausedSince time.Time
	// pausedAs is the standing the step had when its clock stopped.
	pausedAs  complaint.SLAStatus
	level     complaint.Level
	escalated []time.Time
}

func saveDashSeed(t *testing.T, s *store.Store, d dashSeed) complaint.Complaint {
	t.Helper()
	at := d.received.UTC()
	c := complaint.Complaint{
		ID: uuid.NewString(), Number: d.number, Status: d.status, Subject: "看板 " + d.number,
		Severity: complaint.SeveritySlight, Category: complaint.CategoryContract, Channel: complaint.ChannelPhone,
		ComplainantClass: complaint.ClassC, Department: d.department, Branch: d.branch,
		EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at, PolicyVersion: "p", Version: 1,
		Calendar: "default",
	}
	if d.level != "" {
		c.EscalationLevel = d.level
	}
	if d.founded != nil {
		c.Validation = &complaint.ValidationRecord{Founded: *d.founded, At: at}
	}
	started := at
	for i, ok := range d.runs {
		done := started.Add(time.Hour)
		st := complaint.SLAOnTrack
		if !ok {
			st = complaint.SLABreached
		}
		c.Deadlines = append(c.Deadlines, complaint.Deadline{Step: complaint.ActionSteps[i], StartedAt: started,
			DueAt: started.Add(2 * time.Hour), CompletedAt: &done, SLAStatus: st})
		started = done
	}
	if d.status == complaint.StepClosed {
		closed := d.closed.UTC()
		c.ClosedAt = &closed
	} else {
		due := d.due.UTC()
		c.DueAt = &due
		dl := complaint.Deadline{Step: d.status, StartedAt: started, DueAt: due, Clock: d.clock, SLAStatus: complaint.SLAOnTrack}
		if !d.warn.IsZero() {
			w := d.warn.UTC()
			dl.WarnAt = &w
		}
		if !d.pausedSince.IsZero() {
			dl.Paused, dl.SLAStatus = true, d.pausedAs
			c.Paused = &complaint.Pause{Reason: "等客户", WaitingOn: complaint.WaitingOnCustomer, Since: d.pausedSince.UTC()}
		}
		c.Deadlines = append(c.Deadlines, dl)
	}
	for i, when := range d.escalated {
		c.Escalations = append(c.Escalations, complaint.Escalation{Seq: i + 1, Step: d.status, Level: complaint.LevelDepartmentHead,
			At: when.UTC(), DueAt: when.UTC(), Reason: complaint.ReasonOverdue})
	}
	require.NoError(t, s.SaveComplaint(context.Background(), c, nil, "", ""))
	return c
}

func TestDashboard(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, d := range []org.Department{
		{ID: "engineering", Name: "工程部", Kind: org.KindHQ},
		{ID: "logistics", Name: "物流部", Kind: org.KindHQ},
		{ID: "branch-zz", Name: "郑州分公司", Kind: org.KindBranch},
	} {
		require.NoError(t, s.SaveDepartment(ctx, d))
	}
	yes, no := ptr(true), ptr(false)
	h := time.Hour
	// Wednesday 20 May 2026, 10:00 in Shanghai: this quarter is 2026Q2, the
	// last 2026Q1, the trend runs from June 2025 to May 2026.
	now := sh(2026, 5, 20, 10, 0, 0)
	const (
		validation = complaint.StepValidation
		assignment = complaint.StepAssignment
		rootCause  = complaint.StepRootCause
		plan       = complaint.StepPlan
		approval   = complaint.StepApproval
		execution  = complaint.StepExecution
		callback   = complaint.StepCallback
		closed     = complaint.StepClosed
		working    = complaint.ClockWorking
		wall       = complaint.ClockCalendar
	)
	// Open complaints, as they stand at now:
	o1 := saveDashSeed(t, s, dashSeed{number: "O1", status: validation, received: now.Add(-2 * h), // on track
		due: now.Add(5 * h), warn: now.Add(3 * h), clock: working})
	o2 := saveDashSeed(t, s, dashSeed{number: "O2", status: rootCause, received: sh(2026, 5, 1, 0, 0, 0), department: "engineering", // at risk
		founded: yes, due: now.Add(h), warn: now.Add(-h), clock: working})
	o3 := saveDashSeed(t, s, dashSeed{number: "O3", status: plan, received: sh(2026, 4, 15, 9, 0, 0), department: "engineering", // 26 h overdue
		founded: yes, runs: []bool{true, false}, due: now.Add(-26 * h), warn: now.Add(-30 * h), clock: working,
		level: complaint.LevelMarketDepartment, escalated: []time.Time{sh(2026, 5, 19, 9, 0, 0), sh(2026, 5, 19, 13, 0, 0)}})
	// O4 stopped its clock 2 hours ago, 48 hours after it fell due: still overdue.
	o4 := saveDashSeed(t, s, dashSeed{number: "O4", status: approval, received: sh(2026, 3, 15, 9, 0, 0), department: "logistics",
		founded: yes, due: now.Add(-50 * h), clock: wall, pausedSince: now.Add(-2 * h), pausedAs: complaint.SLABreached,
		level: complaint.LevelDepartmentHead, escalated: []time.Time{sh(2026, 3, 20, 9, 0, 0)}})
	// O5's due time has passed, but its clock stopped while it was on track.
	o5 := saveDashSeed(t, s, dashSeed{number: "O5", status: execution, received: sh(2026, 2, 1, 9, 0, 0), department: "logistics",
		founded: yes, due: now.Add(-h), clock: working, pausedSince: now.Add(-3 * h), pausedAs: complaint.SLAOnTrack,
		level: complaint.LevelGeneralManager})
	o6 := saveDashSeed(t, s, dashSeed{number: "O6", status: assignment, received: sh(2026, 5, 10, 9, 0, 0), branch: "branch-zz", // 2 h overdue
		founded: yes, due: now.Add(-2 * h), clock: working})
	o7 := saveDashSeed(t, s, dashSeed{number: "O7", status: callback, received: sh(2026, 5, 19, 9, 0, 0), department: "engineering", // due this instant
		founded: yes, due: now, warn: now.Add(-h), clock: wall})
	// Closed complaints:
	saveDashSeed(t, s, dashSeed{number: "C1", status: closed, received: sh(2026, 4, 2, 9, 0, 0), closed: sh(2026, 4, 3, 9, 0, 0), // 24 h
		department: "engineering", founded: yes, runs: []bool{true, false, true}, escalated: []time.Time{sh(2026, 4, 2, 12, 0, 0)}})
	// C2 came in at Q1's last second and closed 12 hours later, in Q2.
	saveDashSeed(t, s, dashSeed{number: "C2", status: closed, received: sh(2026, 3, 31, 23, 59, 59), closed: sh(2026, 4, 1, 11, 59, 59),
		founded: no, runs: []bool{true}})
	saveDashSeed(t, s, dashSeed{number: "C3", status: closed, received: sh(2026, 1, 10, 9, 0, 0), closed: sh(2026, 1, 20, 9, 0, 0), // 240 h
		department: "logistics", founded: yes, runs: []bool{true, true}})
	// C4 came in before the trend's first month and closed in it (2 h); its
	// escalation before the trend counts nowhere.
	saveDashSeed(t, s, dashSeed{number: "C4", status: closed, received: sh(2025, 5, 31, 23, 0, 0), closed: sh(2025, 6, 1, 1, 0, 0),
		founded: yes, runs: []bool{false}, escalated: []time.Time{sh(2025, 5, 31, 23, 30, 0)}})
	saveDashSeed(t, s, dashSeed{number: "C5", status: closed, received: sh(2026, 5, 20, 8, 0, 0), closed: sh(2026, 5, 20, 9, 0, 0), // 1 h
		department: "engineering", founded: yes, runs: []bool{true}})

	// late halves the wall time of a working-time step on the default
	// calendar, as a calendar with 12 working hours a day would.
	var asked []string
	late := func(cal string, clock complaint.ClockKind, from, to time.Time) (time.Duration, complaint.ClockKind) {
		asked = append(asked, cal+"/"+string(clock))
		if clock == working && cal == "default" {
			return to.Sub(from) / 2, working
		}
		return to.Sub(from), wall
	}
	q := store.DashboardQuery{Now: now, Location: reports.Location, Urgent: 20, Late: late}

	t.Run("the whole company", func(t *testing.T) {
		d, err := s.Dashboard(ctx, q)
		require.NoError(t, err)
		require.True(t, now.Equal(d.AsOf))
		require.Equal(t, "Asia/Shanghai", d.TimeZone)

		// On track: O1, and O5 whose clock stopped in time; at risk: O2;
		// breached: O3, O4 (paused late), O6, O7 (due at now).
		o := d.Open
		require.Equal(t, store.DashboardOpen{Total: 7, OnTrack: 2, AtRisk: 1, Breached: 4, Escalated: 3, Paused: 2,
			ByStep: o.ByStep, ByDepartment: o.ByDepartment, ByLevel: o.ByLevel}, o)
		require.Equal(t, []store.DashboardGroup{
			{Key: "validation", Label: "判定投诉", Total: 1, OnTrack: 1},
			{Key: "assignment", Label: "确定责任部门", Total: 1, Breached: 1},
			{Key: "root_cause", Label: "分析原因", Total: 1, AtRisk: 1},
			{Key: "plan", Label: "提出处理方案", Total: 1, Breached: 1},
			{Key: "approval", Label: "主管领导批示", Total: 1, Breached: 1},
			{Key: "execution", Label: "实施处理方案", Total: 1, OnTrack: 1},
			{Key: "callback", Label: "回访", Total: 1, Breached: 1},
			{Key: "review", Label: "总结评价"},
		}, o.ByStep)
		// Most first, ties by key: engineering 3, unassigned 2, logistics 2.
		require.Equal(t, []store.DashboardGroup{
			{Key: "engineering", Label: "工程部", Total: 3, AtRisk: 1, Breached: 2},
			{Key: "", Label: reports.Unassigned, Total: 2, OnTrack: 1, Breached: 1},
			{Key: "logistics", Label: "物流部", Total: 2, OnTrack: 1, Breached: 1},
		}, o.ByDepartment)
		require.Equal(t, []store.DashboardLevelOpen{{Level: "department_head", Count: 1}, {Level: "market_department", Count: 1}, {Level: "general_manager", Count: 1}}, o.ByLevel)

		// Overdue, longest first. O3: 26 h past due, half of it working time;
		// O4: 48 h until its clock stopped, on the wall clock (a calendar-time
		// step); O6: 2 h, 1 working; O7: due this instant.
		require.Equal(t, 4, d.Overdue.Total)
		require.Equal(t, []string{o4.ID, o3.ID, o6.ID, o7.ID}, urgentIDs(d.Overdue))
		require.Equal(t, []int64{48 * 3600, 13 * 3600, 3600, 0}, lateSeconds(d.Overdue))
		require.Equal(t, []complaint.ClockKind{wall, working, working, wall}, lateClocks(d.Overdue))
		x := d.Overdue.Items[1]
		require.Equal(t, store.DashboardUrgentEntry{ID: o3.ID, Number: "O3", Subject: "看板 O3", Status: plan, Department: "engineering",
			DepartmentName: "工程部", DueAt: o3.DueAt, SLAStatus: complaint.SLABreached, EscalationLevel: complaint.LevelMarketDepartment,
			LateSeconds: x.LateSeconds, LateClock: working}, x)
		require.True(t, d.Overdue.Items[0].Paused)
		// Overdue O4, O3, O6, O7, then escalated O3, O4 (O5 is not late).
		require.Equal(t, []string{"default/calendar", "default/working", "default/working", "default/calendar", "default/working", "default/calendar"},
			asked, "the complaint's calendar and its step's clock")
		require.Equal(t, "branch-zz", d.Overdue.Items[2].Branch)

		// Escalated, highest level first: O5 (general manager, not late: no
		// lateness), O3 (market department), O4 (department head).
		require.Equal(t, 3, d.Escalated.Total)
		require.Equal(t, []string{o5.ID, o3.ID, o4.ID}, urgentIDs(d.Escalated))
		require.Nil(t, d.Escalated.Items[0].LateSeconds)
		require.Equal(t, complaint.SLAOnTrack, d.Escalated.Items[0].SLAStatus)

		// Months: June 2025 … May 2026.
		require.Len(t, d.Trend, 12)
		require.Equal(t, "2025-06", d.Trend[0].Month)
		require.True(t, sh(2025, 6, 1, 0, 0, 0).Equal(d.Trend[0].From))
		require.Equal(t, "2026-05", d.Trend[11].Month)
		require.True(t, sh(2026, 6, 1, 0, 0, 0).Equal(d.Trend[11].To))
		month := func(m string) store.DashboardPeriod {
			for _, x := range d.Trend {
				if x.Month == m {
					return x.DashboardPeriod
				}
			}
			t.Fatalf("no month %s", m)
			return store.DashboardPeriod{}
		}
		// June 2025: C4 closed (2 h); received before, so not counted.
		require.Equal(t, period(sh(2025, 6, 1, 0, 0, 0), sh(2025, 7, 1, 0, 0, 0), 0, 0, 0, 0, 0, 1, ptr(2.0), ptr(2.0), 0), month("2025-06"))
		// January: C3 received (2 runs in time) and closed (240 h).
		require.Equal(t, period(sh(2026, 1, 1, 0, 0, 0), sh(2026, 2, 1, 0, 0, 0), 1, 1, 0, 2, 2, 1, ptr(240.0), ptr(240.0), 0), month("2026-01"))
		require.Equal(t, period(sh(2026, 2, 1, 0, 0, 0), sh(2026, 3, 1, 0, 0, 0), 1, 1, 0, 0, 0, 0, nil, nil, 0), month("2026-02"))
		// March: C2 (not founded, its run in time) and O4, with O4's escalation.
		require.Equal(t, period(sh(2026, 3, 1, 0, 0, 0), sh(2026, 4, 1, 0, 0, 0), 2, 1, 1, 1, 1, 0, nil, nil, 1), month("2026-03"))
		// April: C1 (3 runs, 1 breached) and O3 (2, 1 breached) received;
		// C1 (24 h) and C2 (12 h) closed: median 18, p90 12 + 0.9 × 12.
		require.Equal(t, period(sh(2026, 4, 1, 0, 0, 0), sh(2026, 5, 1, 0, 0, 0), 2, 2, 0, 5, 3, 2, ptr(18.0), ptr(22.8), 1), month("2026-04"))
		// May: C5, O1 (not validated), O2 (at midnight on 1 May), O6, O7; C5
		// closed (1 h); O3's two escalations.
		require.Equal(t, period(sh(2026, 5, 1, 0, 0, 0), sh(2026, 6, 1, 0, 0, 0), 5, 4, 0, 1, 1, 1, ptr(1.0), ptr(1.0), 2), month("2026-05"))
		for _, m := range []string{"2025-07", "2025-12"} {
			require.Zero(t, month(m).Received+month(m).Closed+month(m).Escalations)
			require.Nil(t, month(m).SLACompliance)
		}

		// 2026Q1: C3, O5, C2, O4 received; C3 closed.
		require.Equal(t, store.DashboardQuarter{Quarter: "2026Q1",
			DashboardPeriod: period(sh(2026, 1, 1, 0, 0, 0), sh(2026, 4, 1, 0, 0, 0), 4, 3, 1, 3, 3, 1, ptr(240.0), ptr(240.0), 1)},
			normalQuarter(d.Quarters.Previous))
		// 2026Q2 so far: April's and May's received; C2, C1, C5 closed (12,
		// 24, 1 h): median 12, p90 12 + 0.8 × 12.
		require.Equal(t, store.DashboardQuarter{Quarter: "2026Q2",
			DashboardPeriod: period(sh(2026, 4, 1, 0, 0, 0), sh(2026, 7, 1, 0, 0, 0), 7, 6, 0, 6, 4, 3, ptr(12.0), ptr(21.6), 3)},
			normalQuarter(d.Quarters.Current))
	})

	t.Run("without a measure lateness is wall time", func(t *testing.T) {
		q := q
		q.Late, q.Urgent = nil, 2
		d, err := s.Dashboard(ctx, q)
		require.NoError(t, err)
		require.Equal(t, 4, d.Overdue.Total, "the total counts beyond the list")
		require.Equal(t, []string{o4.ID, o3.ID}, urgentIDs(d.Overdue))
		require.Equal(t, []int64{48 * 3600, 26 * 3600}, lateSeconds(d.Overdue))
		require.Equal(t, []complaint.ClockKind{wall, wall}, lateClocks(d.Overdue))
	})

	t.Run("one branch", func(t *testing.T) {
		q := q
		q.Branch = "branch-zz"
		d, err := s.Dashboard(ctx, q)
		require.NoError(t, err)
		require.Equal(t, 1, d.Open.Total)
		require.Equal(t, []store.DashboardGroup{{Key: "", Label: reports.Unassigned, Total: 1, Breached: 1}}, d.Open.ByDepartment)
		require.Equal(t, []string{o6.ID}, urgentIDs(d.Overdue))
		require.Empty(t, d.Escalated.Items)
		require.NotNil(t, d.Escalated.Items, "an empty list, not null")
		require.Equal(t, 1, d.Quarters.Current.Received)
		require.Zero(t, d.Quarters.Current.Closed)
		require.Nil(t, d.Quarters.Current.MedianHours)
		require.Zero(t, d.Quarters.Previous.Received)
	})

	t.Run("what a department is involved in", func(t *testing.T) {
		q := q
		q.Involving = "engineering"
		d, err := s.Dashboard(ctx, q)
		require.NoError(t, err)
		require.Equal(t, 3, d.Open.Total) // O2, O3, O7
		require.Equal(t, []string{o3.ID, o7.ID}, urgentIDs(d.Overdue))
		require.Equal(t, []string{o3.ID}, urgentIDs(d.Escalated))
		// Q2: C1, O3 (April), C5, O2, O7 (May); C1, C5 closed.
		cur := d.Quarters.Current
		require.Equal(t, []int{5, 5, 0, 6, 4, 2, 3}, []int{cur.Received, cur.Founded, cur.NotFounded, cur.CompletedSteps, cur.WithinSLA, cur.Closed, cur.Escalations})
		require.Equal(t, 0.6667, *cur.SLACompliance)
		require.Zero(t, d.Quarters.Previous.Received)
		require.NotContains(t, urgentIDs(d.Overdue), o1.ID)
		require.NotContains(t, urgentIDs(d.Overdue), o2.ID)
	})

	t.Run("the organisation's time zone sets the months", func(t *testing.T) {
		// In UTC, C2 (15:59:59 UTC on 31 March) is still March's, but O2
		// (16:00 UTC on 30 April) is April's.
		q := q
		q.Location = time.UTC
		d, err := s.Dashboard(ctx, q)
		require.NoError(t, err)
		require.Equal(t, "UTC", d.TimeZone)
		require.Equal(t, "2026-04", d.Trend[10].Month)
		require.True(t, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC).Equal(d.Trend[10].From))
		require.Equal(t, 3, d.Trend[10].Received) // C1, O3, O2
		require.Equal(t, 4, d.Trend[11].Received) // C5, O1, O6, O7
		require.Equal(t, 2, d.Trend[9].Received)  // C2, O4
	})
}

func period(from, to time.Time, received, founded, notFounded, completed, within, closed int, median, p90 *float64, escalations int) store.DashboardPeriod {
	return store.DashboardPeriod{From: from, To: to, Received: received, Founded: founded, NotFounded: notFounded,
		CompletedSteps: completed, WithinSLA: within, SLACompliance: reports.Ratio(within, completed),
		Closed: closed, MedianHours: median, P90Hours: p90, Escalations: escalations}
}

// normalQuarter makes a quarter's instants comparable with period's.
func normalQuarter(q store.DashboardQuarter) store.DashboardQuarter {
	q.From, q.To = q.From.In(reports.Location), q.To.In(reports.Location)
	return q
}

func urgentIDs(l store.DashboardUrgentList) []string {
	out := []string{}
	for _, e := range l.Items {
		out = append(out, e.ID)
	}
	return out
}

func lateSeconds(l store.DashboardUrgentList) []int64 {
	var out []int64
	for _, e := range l.Items {
		if e.LateSeconds == nil {
			panic(fmt.Sprintf("%s has no lateness", e.Number))
		}
		out = append(out, *e.LateSeconds)
	}
	return out
}

func lateClocks(l store.DashboardUrgentList) []complaint.ClockKind {
	var out []complaint.ClockKind
	for _, e := range l.Items {
		out = append(out, e.LateClock)
	}
	return out
}
