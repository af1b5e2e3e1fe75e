package workflows

import (
	"time"

	"github.com/cxflow/cxflow/validate"

	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
)

// Updates that act on the current step's clock rather than complete a step.
const (
	UpdatePause    = "pause"
	UpdateResume   = "resume"
	UpdateExtend   = "extend_deadline"
	UpdateCalendar = "calendar"
	UpdatePolicy   = "migrate_policy"
)

// controlUpdate registers an Update that any open complaint accepts, subject to
// its own check; like the steps, it changes state before its first yield.
func controlUpdate[T any](
	ctx workflow.Context,
	s *complaintState,
	name string,
	act complaint.Action,
	check func(ctx workflow.Context, in T) error,
	apply func(now time.Time, by complaint.Actor, in T),
) error {
	validator := func(ctx workflow.Context, sub complaint.Submission[T]) error {
		switch {
		case !s.recorded:
			return wrongState("complaint %s is still being recorded", s.start.ID)
		case s.c.Status == complaint.StepClosed:
			return wrongState("complaint %s is closed", s.c.Number)
		}
		if v, ok := any(sub.Input).(validatable); ok {
			if err := v.Validate(); err != nil {
				return invalid(err)
			}
		}
		if err := complaint.Authorize(sub.Actor, &s.c, act, ""); err != nil {
			return forbidden(err)
		}
		return check(ctx, sub.Input)
	}
	handler := func(ctx workflow.Context, sub complaint.Submission[T]) (Receipt, error) {
		apply(now(ctx), sub.Actor, sub.Input)
		if err := s.save(ctx, updateCause(ctx)); err != nil {
			return Receipt{}, err
		}
		return s.receipt(), nil
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, name, handler, workflow.UpdateHandlerOptions{
		Validator:        validator,
		UnfinishedPolicy: workflow.HandlerUnfinishedPolicyWarnAndAbandon,
	})
}

func (s *complaintState) registerControls(ctx workflow.Context) error {
	return firstError(
		controlUpdate(ctx, s, UpdatePause, complaint.ActPause, s.checkPause, s.paused),
		controlUpdate(ctx, s, UpdateResume, complaint.ActResume, s.checkResume, s.resumed),
		controlUpdate(ctx, s, UpdateExtend, complaint.ActExtend, s.checkExtend, s.extended),
		controlUpdate(ctx, s, UpdateCalendar, complaint.ActCalendar, s.checkCalendar, s.calendarChanged),
		controlUpdate(ctx, s, UpdatePolicy, complaint.ActPolicy, s.checkPolicy, s.policyMigrated),
	)
}

func (s *complaintState) checkPause(_ workflow.Context, _ complaint.PauseInput) error {
	if p := s.c.Paused; p != nil {
		return wrongState("complaint %s is already paused since %s (waiting on %s)", s.c.Number, p.Since.Format(time.RFC3339), p.WaitingOn)
	}
	return nil
}

func (s *complaintState) paused(now time.Time, by complaint.Actor, in complaint.PauseInput) {
	s.pause(now)
	s.c.Paused = &complaint.Pause{Reason: in.Reason, WaitingOn: in.WaitingOn, Since: now, By: by}
	s.event(now, s.c.Status, complaint.ActionPaused, by, s.c.Paused)
}

func (s *complaintState) checkResume(_ workflow.Context, _ complaint.ResumeInput) error {
	if s.c.Paused == nil {
		return wrongState("complaint %s is not paused", s.c.Number)
	}
	return nil
}

func (s *complaintState) resumed(now time.Time, by complaint.Actor, in complaint.ResumeInput) {
	s.resume(now)
	s.c.Paused = nil
	d := s.current()
	s.event(now, s.c.Status, complaint.ActionResumed, by, map[string]any{
		"comment": in.Comment, "due_at": d.DueAt, "paused_seconds": d.PausedSeconds,
	})
}

func (s *complaintState) checkExtend(ctx workflow.Context, in complaint.ExtensionInput) error {
	if s.c.Paused != nil {
		return wrongState("complaint %s is paused; resume it before moving its deadline", s.c.Number)
	}
	if !in.DueAt.After(workflow.Now(ctx)) {
		return invalid(validate.Future("due_at"))
	}
	return nil
}

func (s *complaintState) extended(now time.Time, by complaint.Actor, in complaint.ExtensionInput) {
	prev := s.current().DueAt
	s.setDue(in.DueAt.UTC().Truncate(time.Microsecond))
	s.current().Extended = true
	s.timerSeq++
	s.event(now, s.c.Status, complaint.ActionExtended, by, map[string]any{
		"from": prev, "to": s.current().DueAt, "reason": in.Reason,
	})
}

func (s *complaintState) checkCalendar(_ workflow.Context, in calendar.Calendar) error {
	if s.hours == nil || in.Name != s.hours.Name() {
		return wrongState("complaint %s does not count time on calendar %q", s.c.Number, in.Name)
	}
	if in.Version <= s.hours.Version() {
		return wrongState("complaint %s already uses version %d of calendar %q", s.c.Number, s.hours.Version(), in.Name)
	}
	if err := in.Validate(); err != nil {
		return invalid(err)
	}
	return nil
}

func (s *complaintState) calendarChanged(now time.Time, by complaint.Actor, in calendar.Calendar) {
	var before time.Time
	if d := s.current(); d != nil {
		before = d.DueAt
	}
	// Validated above; Compile cannot fail on a valid calendar.
	if err := s.useCalendar(in); err != nil {
		s.log.Error("calendar rejected after validation", "error", err)
		return
	}
	detail := map[string]any{"calendar": in.Name, "version": in.Version}
	if d := s.current(); d != nil {
		detail["from"], detail["to"] = before, d.DueAt
	}
	s.event(now, s.c.Status, complaint.ActionRescheduled, by, detail)
}

func (s *complaintState) checkPolicy(_ workflow.Context, p complaint.Policy) error {
	if p.Version == s.policy.Version {
		return wrongState("complaint %s already runs under policy %s", s.c.Number, p.Version)
	}
	if err := p.Validate(); err != nil {
		return invalid(err)
	}
	return nil
}

// policyMigrated moves the complaint to another policy version; the current
// step keeps the time it has used and gets the new policy's target.
func (s *complaintState) policyMigrated(now time.Time, by complaint.Actor, p complaint.Policy) {
	from := s.policy.Version
	s.policy = p
	s.c.PolicyVersion = p.Version
	if d := s.current(); d != nil && !s.clock.paused {
		s.clock.used += s.measure(s.clock.rule.Clock, s.clock.segment, now)
		s.clock.segment = now
		s.clock.rule = p.SLA(s.c.Status, s.c.ComplainantClass, s.c.Severity)
		d.Clock = s.clock.rule.Clock
		d.TargetSeconds = int64(s.clock.rule.Target.Std() / time.Second)
		s.schedule()
	}
	s.timerSeq++
	s.event(now, s.c.Status, complaint.ActionRescheduled, by, map[string]any{"policy_from": from, "policy_to": p.Version})
}
