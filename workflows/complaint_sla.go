package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
)

// Workflow code versions (workflow.GetVersion). Complaints started before a
// change keep replaying the old path; recorded histories in testdata guard it.
const (
	// versionWorkingCalendar loads the complaint's working calendar at intake,
	// so SLA rules can count working time.
	versionWorkingCalendar = "working-calendar"
)

// stepClock is the current step's SLA clock.
type stepClock struct {
	rule complaint.SLARule
	// segment is when the clock last started; used is the time counted before it.
	segment time.Time
	used    time.Duration
	// remaining is the clock time left to the due time (and to the warning)
	// when the clock was paused.
	remainingDue  time.Duration
	remainingWarn time.Duration
	paused        bool
	pausedAt      time.Time
	// fixed is set when the due time came from a person (the plan's promise or
	// an extension): calendar and policy changes leave it alone.
	fixed  bool
	warned bool
}

// measure counts clock time between two instants.
func (s *complaintState) measure(kind complaint.ClockKind, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if kind == complaint.ClockWorking && s.hours != nil {
		return s.hours.Elapsed(from, to)
	}
	return to.Sub(from)
}

// add moves t forward by d of clock time. A calendar without working time
// cannot place a deadline: the step then counts calendar time, and says so in
// the workflow log rather than never falling due.
func (s *complaintState) add(kind complaint.ClockKind, t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	if kind == complaint.ClockWorking && s.hours != nil {
		due, err := s.hours.Add(t, d)
		if err == nil {
			return due
		}
		s.log.Warn("working calendar cannot place a deadline; counting calendar time",
			"calendar", s.hours.Name(), "error", err)
	}
	return t.Add(d)
}

// current is the deadline record of the awaited step.
func (s *complaintState) current() *complaint.Deadline {
	if n := len(s.c.Deadlines); n > 0 && s.c.Deadlines[n-1].CompletedAt == nil {
		return &s.c.Deadlines[n-1]
	}
	return nil
}

// startClock starts the SLA clock of a step begun at start (due overrides the
// rule's target when a person set the date).
func (s *complaintState) startClock(step complaint.Step, start time.Time, due *time.Time) {
	rule := s.policy.SLA(step, s.c.ComplainantClass, s.c.Severity)
	s.clock = stepClock{rule: rule, segment: start, fixed: due != nil}
	d := complaint.Deadline{
		Step: step, StartedAt: start, Clock: rule.Clock,
		TargetSeconds: int64(rule.Target.Std() / time.Second),
	}
	s.c.Deadlines = append(s.c.Deadlines, d)
	if due != nil {
		s.setDue(*due)
		return
	}
	s.schedule()
}

// schedule computes the due and warning times from the target and the time
// already used, on the current calendar.
func (s *complaintState) schedule() {
	d := s.current()
	if d == nil {
		return
	}
	r := s.clock.rule
	if !s.clock.fixed {
		left := r.Target.Std() - s.clock.used
		if left < 0 {
			left = 0
		}
		d.DueAt = s.add(r.Clock, s.clock.segment, left)
	}
	d.WarnAt = nil
	if r.WarnAt > 0 && !s.clock.fixed {
		warnAfter := time.Duration(float64(r.Target.Std()) * r.WarnAt)
		if left := warnAfter - s.clock.used; left > 0 {
			w := s.add(r.Clock, s.clock.segment, left)
			d.WarnAt = &w
		}
	}
	s.publishClock()
}

// setDue fixes the due time (a plan's promised date or an extension); the
// warning keeps its share of the time left.
func (s *complaintState) setDue(due time.Time) {
	d := s.current()
	s.clock.fixed = true
	d.DueAt = due
	d.WarnAt = nil
	if r := s.clock.rule; r.WarnAt > 0 {
		left := s.measure(r.Clock, s.clock.segment, due)
		w := s.add(r.Clock, s.clock.segment, time.Duration(float64(left)*r.WarnAt))
		if w.After(s.clock.segment) && !s.clock.warned {
			d.WarnAt = &w
		}
	}
	s.publishClock()
}

// publishClock copies the clock into the view.
func (s *complaintState) publishClock() {
	d := s.current()
	if d == nil {
		return
	}
	due := d.DueAt
	s.c.DueAt = &due
	d.UsedSeconds = int64(s.clock.used / time.Second)
	d.Paused = s.clock.paused
	if s.clock.paused {
		d.CountingSince = nil
	} else {
		seg := s.clock.segment
		d.CountingSince = &seg
	}
	s.c.Calendar = ""
	if s.hours != nil {
		s.c.Calendar = s.hours.Name()
	}
}

// stopClock closes the step's clock when the step is done.
func (s *complaintState) stopClock(now time.Time) {
	d := s.current()
	if d == nil {
		return
	}
	if s.clock.paused {
		d.PausedSeconds += int64(now.Sub(s.clock.pausedAt) / time.Second)
		s.clock.paused = false
	} else {
		s.clock.used += s.measure(s.clock.rule.Clock, s.clock.segment, now)
	}
	d.UsedSeconds = int64(s.clock.used / time.Second)
	d.SLAStatus = d.StatusAt(now)
	d.CountingSince = nil
	d.Paused = false
	d.CompletedAt = &now
}

// pause stops the clock: the time left to the due time (and the warning) is
// kept and resumes from where it stood.
func (s *complaintState) pause(now time.Time) {
	d := s.current()
	r := s.clock.rule
	s.clock.used += s.measure(r.Clock, s.clock.segment, now)
	s.clock.remainingDue = s.measure(r.Clock, now, d.DueAt)
	s.clock.remainingWarn = -1
	if d.WarnAt != nil && !s.clock.warned {
		s.clock.remainingWarn = s.measure(r.Clock, now, *d.WarnAt)
	}
	s.clock.paused = true
	s.clock.pausedAt = now
	d.SLAStatus = d.StatusAt(now)
	s.publishClock()
	s.timerSeq++
}

// resume restarts the clock; the deadline moves by the paused clock time.
func (s *complaintState) resume(now time.Time) {
	d := s.current()
	r := s.clock.rule
	d.PausedSeconds += int64(now.Sub(s.clock.pausedAt) / time.Second)
	s.clock.paused = false
	s.clock.segment = now
	if s.clock.remainingDue > 0 {
		d.DueAt = s.add(r.Clock, now, s.clock.remainingDue)
	}
	// A breached step stays breached: its due time does not move.
	d.WarnAt = nil
	if s.clock.remainingWarn > 0 {
		w := s.add(r.Clock, now, s.clock.remainingWarn)
		d.WarnAt = &w
	}
	d.SLAStatus = ""
	s.publishClock()
	s.timerSeq++
}

// useCalendar swaps in a corrected calendar and moves the live deadline.
func (s *complaintState) useCalendar(cal calendar.Calendar) error {
	h, err := cal.Compile()
	if err != nil {
		return err
	}
	s.hours = h
	if s.current() != nil && !s.clock.paused {
		s.schedule()
	}
	s.timerSeq++
	return nil
}

// timerKind is what the next timer of the deadline loop does.
type timerKind int

const (
	timerWarn timerKind = iota
	timerEscalate
)

// nextTimer is the current step's next warning or escalation, if any.
func (s *complaintState) nextTimer() (time.Time, timerKind, bool) {
	d := s.current()
	if d == nil || s.clock.paused {
		return time.Time{}, 0, false
	}
	if d.WarnAt != nil && !s.clock.warned {
		return *d.WarnAt, timerWarn, true
	}
	for _, r := range s.clock.rule.Escalation[s.escalated:] {
		if r.Level.Rank() > s.c.EscalationLevel.Rank() {
			return s.add(s.clock.rule.Clock, d.DueAt, r.After.Std()), timerEscalate, true
		}
	}
	return time.Time{}, 0, false
}

// warn tells the step's owner the step is at risk.
func (s *complaintState) warn(ctx workflow.Context) error {
	s.clock.warned = true
	d := s.current()
	d.SLAStatus = complaint.SLAAtRisk
	s.event(now(ctx), s.c.Status, complaint.ActionWarned, complaint.SystemActor, map[string]any{
		"due_at": d.DueAt, "notify": []string{string(complaint.LevelOwner)},
	})
	return s.save(ctx, CauseWorkflow)
}
