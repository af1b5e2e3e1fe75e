package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// workingHarness runs the default policy (working-time SLAs on China's
// calendar) with the workflow starting, and the complaint received, at start.
func workingHarness(t *testing.T, start time.Time) (*harness, complaint.Start) {
	h := newHarnessWith(t, complaint.DefaultPolicy())
	h.env.SetStartTime(start)
	in := startIntake(5_000)
	in.ReceivedAt = start.UTC()
	return h, in
}

func startIntake(loss float64) complaint.Start { return start(loss, "") }

// atTime runs fn when the workflow clock reads t.
func (h *harness) atTime(t time.Time, fn func()) {
	h.env.RegisterDelayedCallback(fn, t.Sub(h.env.Now()))
}

func requireInstant(t *testing.T, want time.Time, got *time.Time, msg string) {
	t.Helper()
	require.NotNil(t, got, msg)
	require.True(t, want.Equal(*got), "%s: want %s, got %s", msg, want.In(shanghai), got.In(shanghai))
}

func TestWorkingTimeDeadlineOverMakeUpDayAndSpringFestival(t *testing.T) {
	h, in := workingHarness(t, cst("2026-02-13 16:00"))
	var at0 complaint.Complaint
	h.atTime(cst("2026-02-13 16:01"), func() { at0 = h.query() })
	// 80 % of 8 working hours: 1.5 h on Friday, 4.9 h on the make-up Saturday.
	h.atTime(cst("2026-02-14 14:53"), func() { require.Equal(t, complaint.SLAOnTrack, h.query().Deadlines[0].StatusAt(h.env.Now())) })
	h.atTime(cst("2026-02-14 14:55"), func() {
		c := h.query()
		require.Contains(t, actions(c), complaint.ActionWarned)
		require.Empty(t, c.Escalations)
	})
	// Escalation: at due, then 4 and 8 working hours later, over the holiday.
	h.atTime(cst("2026-02-14 16:31"), func() { require.Len(t, h.query().Escalations, 1) })
	h.atTime(cst("2026-02-24 11:29"), func() { require.Len(t, h.query().Escalations, 1) })
	h.atTime(cst("2026-02-24 11:31"), func() { require.Len(t, h.query().Escalations, 2) })
	h.atTime(cst("2026-02-24 17:01"), func() {
		c := h.query()
		require.Len(t, c.Escalations, 3)
		require.Equal(t, complaint.LevelGeneralManager, c.EscalationLevel)
		require.Equal(t, []string{"general_manager"}, c.Escalations[2].Notify)
	})
	h.atTime(cst("2026-02-25 09:00"), func() {
		h.update(UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "r", Reply: "reply"}, nil)
	})
	c := h.run(in)

	require.Equal(t, "default", at0.Calendar)
	d := at0.Deadlines[0]
	require.Equal(t, complaint.ClockWorking, d.Clock)
	require.Equal(t, int64(8*3600), d.TargetSeconds)
	require.True(t, cst("2026-02-14 16:30").Equal(d.DueAt), "due %s", d.DueAt.In(shanghai))
	requireInstant(t, cst("2026-02-14 14:54"), d.WarnAt, "warning")

	require.Equal(t, []time.Time{cst("2026-02-14 16:30"), cst("2026-02-24 11:30"), cst("2026-02-24 17:00")},
		[]time.Time{c.Escalations[0].At.In(shanghai), c.Escalations[1].At.In(shanghai), c.Escalations[2].At.In(shanghai)})
	warnings := 0
	for _, a := range actions(c) {
		if a == complaint.ActionWarned {
			warnings++
		}
	}
	require.Equal(t, 1, warnings, "the warning fires once")
	done := c.Deadlines[0]
	require.Equal(t, complaint.SLABreached, done.SLAStatus)
	// Used: 1.5 h Friday, 7.5 h Saturday, 7.5 h on 02-24, 0.5 h on 02-25.
	require.Equal(t, int64(17*3600), done.UsedSeconds)
}

func TestDeadlineStartingInsideTheSpringFestival(t *testing.T) {
	h, in := workingHarness(t, cst("2026-02-20 16:00"))
	var c complaint.Complaint
	h.atTime(cst("2026-02-20 16:01"), func() { c = h.query() })
	h.atTime(cst("2026-02-20 16:02"), func() {
		h.update(UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "r", Reply: "reply"}, nil)
	})
	h.run(in)
	require.True(t, cst("2026-02-25 09:00").Equal(*c.DueAt), "due %s", c.DueAt.In(shanghai))
}

func TestPauseStopsTheClockAndMovesTheDeadline(t *testing.T) {
	h, in := workingHarness(t, cst("2026-03-02 09:00"))
	h.atTime(cst("2026-03-02 09:01"), func() {
		requireInstant(t, cst("2026-03-03 09:30"), h.query().DueAt, "due before the pause")
	})
	h.atTime(cst("2026-03-02 10:00"), func() {
		h.update(UpdatePause, complaint.PauseInput{Reason: "等待客户提供故障照片", WaitingOn: complaint.WaitingOnCustomer}, nil)
	})
	h.atTime(cst("2026-03-02 10:05"), func() {
		c := h.query()
		require.NotNil(t, c.Paused)
		require.True(t, c.Deadlines[0].Paused)
		require.Equal(t, int64(3600), c.Deadlines[0].UsedSeconds)
	})
	h.reject(cst("2026-03-02 10:10").Sub(cst("2026-03-02 09:00")), UpdatePause, complaint.PauseInput{Reason: "again", WaitingOn: complaint.WaitingOnCustomer}, ErrWrongState)
	h.reject(cst("2026-03-02 10:11").Sub(cst("2026-03-02 09:00")), UpdatePause, complaint.PauseInput{Reason: "x", WaitingOn: "nobody"}, ErrInvalidArgument)
	// Long past the original deadline: nothing fires while paused.
	h.atTime(cst("2026-03-04 09:00"), func() {
		c := h.query()
		require.Empty(t, c.Escalations)
		require.NotContains(t, actions(c), complaint.ActionWarned)
	})
	h.atTime(cst("2026-03-04 10:00"), func() { h.update(UpdateResume, complaint.ResumeInput{Comment: "照片已收到"}, nil) })
	h.atTime(cst("2026-03-04 10:01"), func() {
		c := h.query()
		require.Nil(t, c.Paused)
		// 7 working hours were left: Wednesday 10:00–17:30 gives 6, Thursday the last one.
		requireInstant(t, cst("2026-03-05 09:30"), c.DueAt, "due after resuming")
		require.Equal(t, int64(48*3600), c.Deadlines[0].PausedSeconds)
	})
	h.reject(cst("2026-03-04 10:02").Sub(cst("2026-03-02 09:00")), UpdateResume, complaint.ResumeInput{}, ErrWrongState)
	h.atTime(cst("2026-03-05 09:31"), func() { require.Len(t, h.query().Escalations, 1) })
	h.atTime(cst("2026-03-05 10:00"), func() {
		h.update(UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "r", Reply: "reply"}, nil)
	})
	c := h.run(in)
	require.Subset(t, actions(c), []string{complaint.ActionPaused, complaint.ActionResumed})
	require.Equal(t, int64(48*3600), c.Deadlines[0].PausedSeconds)
}

func TestExtensionMovesTheLiveTimer(t *testing.T) {
	h, in := workingHarness(t, cst("2026-03-02 09:00"))
	newDue := cst("2026-03-06 17:00")
	h.atTime(cst("2026-03-02 11:00"), func() {
		h.update(UpdateExtend, complaint.ExtensionInput{DueAt: &newDue, Reason: "需第三方检测报告,部门经理批准延期"}, nil)
	})
	h.reject(cst("2026-03-02 11:01").Sub(cst("2026-03-02 09:00")), UpdateExtend, complaint.ExtensionInput{DueAt: ptr(cst("2026-03-01 09:00")), Reason: "x"}, ErrInvalidArgument)
	h.atTime(cst("2026-03-03 09:31"), func() { require.Empty(t, h.query().Escalations, "the old deadline no longer fires") })
	h.atTime(cst("2026-03-06 17:01"), func() {
		c := h.query()
		require.Len(t, c.Escalations, 1)
		require.True(t, newDue.Equal(c.Escalations[0].DueAt))
		require.True(t, c.Deadlines[0].Extended)
	})
	h.atTime(cst("2026-03-06 17:02"), func() {
		h.update(UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "r", Reply: "reply"}, nil)
	})
	c := h.run(in)
	require.Contains(t, actions(c), complaint.ActionExtended)
}

func TestCalendarCorrectionReschedulesWithoutRestart(t *testing.T) {
	h, in := workingHarness(t, cst("2026-03-02 09:00"))
	corrected := calendar.Default()
	corrected.Version = 2
	corrected.Years = append(corrected.Years, calendar.Year{}) // replaced below
	corrected.Years = corrected.Years[:len(corrected.Years)-1]
	for i := range corrected.Years {
		if corrected.Years[i].Year == 2026 {
			corrected.Years[i].Holidays = append(corrected.Years[i].Holidays,
				calendar.Holiday{Name: "临时停工", From: calendar.Date{Y: 2026, M: 3, D: 3}, To: calendar.Date{Y: 2026, M: 3, D: 3}})
		}
	}
	h.atTime(cst("2026-03-02 10:00"), func() { h.update(UpdateCalendar, corrected, nil) })
	h.reject(cst("2026-03-02 10:01").Sub(cst("2026-03-02 09:00")), UpdateCalendar, corrected, ErrWrongState) // same version again
	other := corrected
	other.Name, other.Version = "branch", 9
	h.reject(cst("2026-03-02 10:02").Sub(cst("2026-03-02 09:00")), UpdateCalendar, other, ErrWrongState)
	h.atTime(cst("2026-03-02 10:05"), func() {
		// Tuesday is now a day off: the last working hour moves to Wednesday.
		requireInstant(t, cst("2026-03-04 09:30"), h.query().DueAt, "due after the correction")
	})
	h.atTime(cst("2026-03-03 09:31"), func() { require.Empty(t, h.query().Escalations) })
	h.atTime(cst("2026-03-04 09:31"), func() { require.Len(t, h.query().Escalations, 1) })
	h.atTime(cst("2026-03-04 10:00"), func() {
		h.update(UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "r", Reply: "reply"}, nil)
	})
	c := h.run(in)
	require.Contains(t, actions(c), complaint.ActionRescheduled)
}

func TestCallbackCountsCalendarHours(t *testing.T) {
	// Executed on a Friday afternoon: the callback is due 24 clock hours later,
	// on Saturday, whatever the working calendar says.
	h, in := workingHarness(t, cst("2026-03-06 09:00"))
	base := cst("2026-03-06 09:00")
	step := func(at string, name string, input any) {
		h.atTime(cst(at), func() {
			h.update(name, input, func(r *result) { require.NoError(t, r.err, name) })
		})
	}
	step("2026-03-06 09:10", UpdateValidation, validOK)
	step("2026-03-06 09:20", UpdateAssignment, assignOK)
	step("2026-03-06 09:30", UpdateRootCause, rootOK)
	step("2026-03-06 09:40", UpdatePlan, planOK)
	step("2026-03-06 09:50", UpdateApproval, approve(complaint.LevelDepartmentHead))
	step("2026-03-06 15:00", UpdateExecution, execOK)
	var cb complaint.Complaint
	h.atTime(cst("2026-03-06 15:01"), func() { cb = h.query() })
	step("2026-03-07 10:00", UpdateCallback, callbackOK)
	step("2026-03-09 09:00", UpdateReview, reviewOK)
	_ = base
	c := h.run(in)
	require.Equal(t, complaint.StepCallback, cb.Status)
	require.Equal(t, complaint.ClockCalendar, cb.Deadlines[len(cb.Deadlines)-1].Clock)
	requireInstant(t, cst("2026-03-07 15:00"), cb.DueAt, "callback due")
	require.Equal(t, complaint.ResolutionResolved, c.Resolution)
	for _, d := range c.Deadlines {
		require.NotEqual(t, complaint.SLABreached, d.SLAStatus, "step %s", d.Step)
	}
}

func TestPolicyMigrationRetargetsTheCurrentStep(t *testing.T) {
	h, in := workingHarness(t, cst("2026-03-02 09:00"))
	stricter := complaint.DefaultPolicy()
	stricter.Version = "strict-2026"
	stricter.SLARules[0].Target = complaint.Duration(2 * time.Hour) // validation
	h.atTime(cst("2026-03-02 10:00"), func() { h.update(UpdatePolicy, stricter, nil) })
	h.reject(cst("2026-03-02 10:01").Sub(cst("2026-03-02 09:00")), UpdatePolicy, stricter, ErrWrongState) // already on it
	h.atTime(cst("2026-03-02 10:05"), func() {
		c := h.query()
		require.Equal(t, "strict-2026", c.PolicyVersion)
		// One working hour used of the new two: due at 11:00.
		requireInstant(t, cst("2026-03-02 11:00"), c.DueAt, "due under the new policy")
		require.Equal(t, int64(2*3600), c.Deadlines[0].TargetSeconds)
	})
	h.atTime(cst("2026-03-02 11:01"), func() { require.Len(t, h.query().Escalations, 1) })
	h.atTime(cst("2026-03-02 11:30"), func() {
		h.update(UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "r", Reply: "reply"}, nil)
	})
	c := h.run(in)
	require.Equal(t, "strict-2026", c.PolicyVersion)
}
