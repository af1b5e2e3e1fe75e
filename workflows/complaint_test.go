package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// harness drives one complaint workflow in the SDK's test environment, where
// timers skip ahead: a scripted action runs at an offset from the start.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	// Local activities run on their own goroutines.
	mu      sync.Mutex
	saves   []activities.Snapshot
	pending []*result
	// actor sends the updates; by default someone who may do every step of
	// a complaint assigned to 工程部, so path tests need not switch users.
	actor complaint.Actor
}

var everyRole = complaint.Actor{ID: "u-all", Name: "全能测试", Department: "工程部", Roles: []org.Role{
	org.RoleIntakeClerk, org.RoleMarketDepartment, org.RoleDepartmentMember, org.RoleDepartmentHead,
	org.RoleGeneralManager, org.RoleAdministrator,
}}

// calendarTimePolicy counts every step in calendar hours, so the tests of the
// procedure's paths can reason in plain durations.
func calendarTimePolicy() complaint.Policy {
	p := complaint.DefaultPolicy()
	p.SLARules = nil
	return p
}

func newHarness(t *testing.T) *harness { return newHarnessWith(t, calendarTimePolicy()) }

func newHarnessWith(t *testing.T, p complaint.Policy) *harness {
	var suite testsuite.WorkflowTestSuite
	h := &harness{t: t, env: suite.NewTestWorkflowEnvironment(), actor: everyRole}
	h.env.SetStartTime(t0)
	Register(h.env)
	h.env.OnActivity(acts.CurrentPolicy, mock.Anything).Return(p, nil)
	h.env.OnActivity(acts.LoadCalendar, mock.Anything, mock.Anything).Return(
		func(_ context.Context, name string) (calendar.Calendar, error) {
			c := calendar.Default()
			c.Name = name
			return c, nil
		})
	h.env.OnActivity(acts.AllocateNumber, mock.Anything, mock.Anything).Return("TS-2026-000001", nil)
	h.env.OnActivity(acts.SaveComplaint, mock.Anything, mock.Anything).Return(
		func(_ context.Context, s activities.Snapshot) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.saves = append(h.saves, s)
			return nil
		})
	return h
}

func ptr[T any](v T) *T { return &v }

func start(loss float64, branch string) complaint.Start {
	return complaint.Start{
		ID: "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00",
		Intake: complaint.Intake{
			Customer:      complaint.Customer{Name: "王伟", Organisation: "华东电气", Contact: "138 0000 0000"},
			Channel:       complaint.ChannelPhone,
			Category:      complaint.CategoryServiceProduct,
			Subject:       "变频器返修后仍故障",
			Description:   "第二次返修后一周内再次停机。",
			Request:       "更换新机",
			EstimatedLoss: ptr(loss),
			Branch:        branch,
		},
		ReceivedAt: t0,
		Actor:      complaint.Actor{ID: "clerk-1", Role: "intake_clerk"},
	}
}

// result is what one scripted update produced. Handlers wait for a local
// activity, so an update finishes after the callback that sent it.
type result struct {
	name     string
	at       time.Duration
	err      error
	done     bool
	rejected bool
	// onDone checks the outcome; it runs on a workflow goroutine, so it uses assert.
	onDone func(r *result)
}

func (h *harness) savesCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.saves)
}

// update sends an update now (call it from inside at()).
func (h *harness) update(name string, input any, onDone func(r *result)) *result {
	r := &result{name: name, at: h.env.Now().Sub(t0), onDone: onDone}
	h.mu.Lock()
	h.pending = append(h.pending, r)
	id := name + "-" + string(rune('a'+len(h.pending)))
	h.mu.Unlock()
	finish := func(err error, rejected bool) {
		r.err, r.done, r.rejected = err, true, rejected
		if r.onDone != nil {
			r.onDone(r)
		}
	}
	actor := h.actor
	h.env.UpdateWorkflow(name, id+time.Duration(len(h.pending)).String(), &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { finish(err, true) },
		OnAccept:   func() {},
		OnComplete: func(_ any, err error) { finish(err, false) },
	}, submission(actor, input))
	return r
}

// submission wraps an input the way the server does.
func submission(actor complaint.Actor, input any) any {
	switch in := input.(type) {
	case complaint.ValidationInput:
		return complaint.Submission[complaint.ValidationInput]{Actor: actor, Input: in}
	case complaint.AssignmentInput:
		return complaint.Submission[complaint.AssignmentInput]{Actor: actor, Input: in}
	case complaint.RootCauseInput:
		return complaint.Submission[complaint.RootCauseInput]{Actor: actor, Input: in}
	case complaint.PlanInput:
		return complaint.Submission[complaint.PlanInput]{Actor: actor, Input: in}
	case complaint.ApprovalInput:
		return complaint.Submission[complaint.ApprovalInput]{Actor: actor, Input: in}
	case complaint.ExecutionInput:
		return complaint.Submission[complaint.ExecutionInput]{Actor: actor, Input: in}
	case complaint.CallbackInput:
		return complaint.Submission[complaint.CallbackInput]{Actor: actor, Input: in}
	case complaint.ReviewInput:
		return complaint.Submission[complaint.ReviewInput]{Actor: actor, Input: in}
	case complaint.PauseInput:
		return complaint.Submission[complaint.PauseInput]{Actor: actor, Input: in}
	case complaint.ResumeInput:
		return complaint.Submission[complaint.ResumeInput]{Actor: actor, Input: in}
	case complaint.ExtensionInput:
		return complaint.Submission[complaint.ExtensionInput]{Actor: actor, Input: in}
	case calendar.Calendar:
		return complaint.Submission[calendar.Calendar]{Actor: actor, Input: in}
	case complaint.Policy:
		return complaint.Submission[complaint.Policy]{Actor: actor, Input: in}
	}
	panic("unknown input")
}

// at runs fn at offset d after the workflow starts.
func (h *harness) at(d time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, d) }

// step sends an update at offset d and requires it to succeed.
func (h *harness) step(d time.Duration, name string, input any) {
	h.at(d, func() {
		h.update(name, input, func(r *result) {
			assert.NoError(h.t, r.err, "%s at %s", name, d)
		})
	})
}

// reject sends an update at offset d and requires the validator to reject it
// with the given error type, leaving nothing saved.
func (h *harness) reject(d time.Duration, name string, input any, errType string) {
	h.at(d, func() { h.rejectNow(name, input, errType, d) })
}

// rejectNow sends an update now (inside a callback) and requires its rejection.
func (h *harness) rejectNow(name string, input any, errType string, d time.Duration) {
	{
		before := h.savesCount()
		h.update(name, input, func(r *result) {
			assert.True(h.t, r.rejected, "%s at %s: want rejected by the validator", name, d)
			var appErr *temporal.ApplicationError
			if assert.True(h.t, errors.As(r.err, &appErr), "%s at %s: want %s rejection, got %v", name, d, errType, r.err) {
				assert.Equal(h.t, errType, appErr.Type(), "%s: %v", name, r.err)
			}
			assert.Equal(h.t, before, h.savesCount(), "a rejected %s must write nothing", name)
		})
	}
}

func (h *harness) run(in complaint.Start) complaint.Complaint {
	h.env.ExecuteWorkflow(ComplaintWorkflow, in)
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	for _, r := range h.pending {
		require.True(h.t, r.done, "update %s sent at %s never finished", r.name, r.at)
	}
	var c complaint.Complaint
	require.NoError(h.t, h.env.GetWorkflowResult(&c))
	require.Nil(h.t, c.Timeline, "the result leaves the timeline to the read model")
	// The query still shows everything, timeline included.
	full := h.query()
	c.Timeline = full.Timeline
	require.Equal(h.t, full, c)
	return c
}

func (h *harness) query() complaint.Complaint {
	v, err := h.env.QueryWorkflow(QueryComplaint)
	require.NoError(h.t, err)
	var c complaint.Complaint
	require.NoError(h.t, v.Get(&c))
	return c
}

var (
	validOK    = complaint.ValidationInput{Founded: ptr(true), Reason: "产品质量问题属实"}
	assignOK   = complaint.AssignmentInput{Department: "工程部", Handler: "李工"}
	rootOK     = complaint.RootCauseInput{Cause: "批次电容失效", CauseType: complaint.CauseMechanism, ResponsiblePerson: "张三", CorrectiveAction: "更换电容批次", PreventiveAction: "来料抽检"}
	planOK     = complaint.PlanInput{Plan: "上门更换整机"}
	execOK     = complaint.ExecutionInput{Result: "已更换", CustomerNotified: ptr(true)}
	callbackOK = complaint.CallbackInput{Satisfied: ptr(true), Comment: "满意"}
	reviewOK   = complaint.ReviewInput{Summary: "来料问题", CauseType: complaint.CauseMechanism, Lessons: "加强来料检验"}
)

func approve(level complaint.Level) complaint.ApprovalInput {
	return complaint.ApprovalInput{Approved: ptr(true), Level: level, Comment: "同意"}
}

func actions(c complaint.Complaint) []string {
	var out []string
	for _, e := range c.Timeline {
		out = append(out, e.Action)
	}
	return out
}

func TestHappyPathClosesResolved(t *testing.T) {
	h := newHarness(t)
	h.step(1*time.Hour, UpdateValidation, validOK)
	h.step(2*time.Hour, UpdateAssignment, assignOK)
	h.step(3*time.Hour, UpdateRootCause, rootOK)
	h.step(4*time.Hour, UpdatePlan, planOK)
	h.step(5*time.Hour, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.step(6*time.Hour, UpdateExecution, execOK)
	h.step(7*time.Hour, UpdateCallback, callbackOK)
	h.step(8*time.Hour, UpdateReview, reviewOK)
	c := h.run(start(5_000, ""))

	require.Equal(t, complaint.StepClosed, c.Status)
	require.Equal(t, complaint.ResolutionResolved, c.Resolution)
	require.Equal(t, "TS-2026-000001", c.Number)
	require.Equal(t, complaint.SeveritySlight, c.Severity)
	require.Equal(t, []complaint.Level{complaint.LevelDepartmentHead}, c.ApprovalsRequired)
	require.Len(t, c.Approvals, 1)
	require.Equal(t, "工程部", c.Department)
	require.Empty(t, c.Escalations, "no step was late")
	require.Equal(t, []string{
		complaint.ActionRecorded, complaint.ActionValidated, complaint.ActionAssigned,
		complaint.ActionRootCause, complaint.ActionPlanned, complaint.ActionApproved,
		complaint.ActionExecuted, complaint.ActionSatisfied, complaint.ActionReviewed, complaint.ActionClosed,
	}, actions(c))
	require.Len(t, c.Deadlines, 8)
	for _, d := range c.Deadlines {
		require.NotNil(t, d.CompletedAt, "step %s left open", d.Step)
	}
	// Validation is due 8 hours after receipt (000), the callback 24 hours after execution.
	require.Equal(t, t0.Add(8*time.Hour), c.Deadlines[0].DueAt)
	require.Equal(t, complaint.StepCallback, c.Deadlines[6].Step)
	require.Equal(t, t0.Add(6*time.Hour+24*time.Hour), c.Deadlines[6].DueAt)
	require.Equal(t, t0.Add(8*time.Hour), *c.ClosedAt)

	// Every event reached the read model exactly once, in order.
	var seqs []int
	for _, s := range h.saves {
		require.Nil(t, s.Complaint.Timeline, "snapshots carry new events, not the timeline")
		for _, e := range s.Events {
			seqs = append(seqs, e.Seq)
		}
	}
	require.Len(t, seqs, len(c.Timeline))
	for i, s := range seqs {
		require.Equal(t, i+1, s)
	}
	require.Equal(t, c.Version, h.saves[len(h.saves)-1].Complaint.Version)
}

func TestNotFoundedClosesWithReply(t *testing.T) {
	h := newHarness(t)
	h.step(30*time.Minute, UpdateValidation, complaint.ValidationInput{
		Founded: ptr(false), Reason: "非我司产品", Reply: "经核实该设备非我司供货,已书面答复。",
	})
	c := h.run(start(0, ""))
	require.Equal(t, complaint.StepClosed, c.Status)
	require.Equal(t, complaint.ResolutionNotFounded, c.Resolution)
	require.Equal(t, "经核实该设备非我司供货,已书面答复。", c.Validation.Reply)
	require.Equal(t, []string{complaint.ActionRecorded, complaint.ActionNotFounded, complaint.ActionClosed}, actions(c))
	require.Empty(t, c.Escalations)
}

func TestApprovalChainFollowsSeverityAndBranch(t *testing.T) {
	h := newHarness(t)
	h.step(1*time.Hour, UpdateValidation, validOK)
	h.step(2*time.Hour, UpdateAssignment, assignOK)
	h.step(3*time.Hour, UpdateRootCause, rootOK)
	h.step(4*time.Hour, UpdatePlan, planOK)
	// Approvals must come in order: department head, market department, general manager.
	h.reject(4*time.Hour+time.Minute, UpdateApproval, approve(complaint.LevelGeneralManager), ErrWrongState)
	h.step(5*time.Hour, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.reject(5*time.Hour+time.Minute, UpdateApproval, approve(complaint.LevelDepartmentHead), ErrWrongState)
	h.step(6*time.Hour, UpdateApproval, approve(complaint.LevelMarketDepartment))
	h.at(6*time.Hour+time.Minute, func() {
		c := h.query()
		require.Equal(t, complaint.StepApproval, c.Status)
		require.Len(t, c.Approvals, 2)
	})
	h.step(7*time.Hour, UpdateApproval, approve(complaint.LevelGeneralManager))
	h.step(8*time.Hour, UpdateExecution, execOK)
	h.step(9*time.Hour, UpdateCallback, callbackOK)
	h.step(10*time.Hour, UpdateReview, reviewOK)
	c := h.run(start(600_000, "郑州分公司"))
	require.Equal(t, complaint.SeverityMajor, c.Severity)
	require.Equal(t, []complaint.Level{
		complaint.LevelDepartmentHead, complaint.LevelMarketDepartment, complaint.LevelGeneralManager,
	}, c.ApprovalsRequired)
	require.Len(t, c.Approvals, 3)
	require.Equal(t, complaint.ResolutionResolved, c.Resolution)
}

func TestRefusalSendsBackToPlan(t *testing.T) {
	h := newHarness(t)
	h.step(1*time.Hour, UpdateValidation, validOK)
	h.step(2*time.Hour, UpdateAssignment, assignOK)
	h.step(3*time.Hour, UpdateRootCause, rootOK)
	h.step(4*time.Hour, UpdatePlan, planOK)
	h.step(5*time.Hour, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.step(6*time.Hour, UpdateApproval, complaint.ApprovalInput{Approved: ptr(false), Level: complaint.LevelMarketDepartment, Comment: "赔偿方案不足"})
	h.at(6*time.Hour+time.Minute, func() {
		c := h.query()
		require.Equal(t, complaint.StepPlan, c.Status)
		require.Empty(t, c.Approvals, "a new plan needs every approval again")
	})
	h.reject(6*time.Hour+2*time.Minute, UpdateApproval, approve(complaint.LevelMarketDepartment), ErrWrongState)
	h.step(7*time.Hour, UpdatePlan, complaint.PlanInput{Plan: "更换整机并补偿停机损失"})
	h.step(8*time.Hour, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.step(9*time.Hour, UpdateApproval, approve(complaint.LevelMarketDepartment))
	h.step(10*time.Hour, UpdateExecution, execOK)
	h.step(11*time.Hour, UpdateCallback, callbackOK)
	h.step(12*time.Hour, UpdateReview, reviewOK)
	c := h.run(start(60_000, ""))
	require.Equal(t, complaint.SeverityGeneral, c.Severity)
	require.Equal(t, 2, c.Plan.Round)
	require.Contains(t, actions(c), complaint.ActionRefused)
	require.Equal(t, 0, c.ReopenCount, "a refusal is not a reopening")
	require.Equal(t, complaint.ResolutionResolved, c.Resolution)
}

func TestUnsatisfiedCallbackReopensAndEscalates(t *testing.T) {
	h := newHarness(t)
	h.step(1*time.Hour, UpdateValidation, validOK)
	h.step(2*time.Hour, UpdateAssignment, assignOK)
	h.step(3*time.Hour, UpdateRootCause, rootOK)
	h.step(4*time.Hour, UpdatePlan, planOK)
	h.step(5*time.Hour, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.step(6*time.Hour, UpdateExecution, execOK)
	h.step(7*time.Hour, UpdateCallback, complaint.CallbackInput{Satisfied: ptr(false), Comment: "仍有异响"})
	h.at(7*time.Hour+time.Minute, func() {
		c := h.query()
		require.Equal(t, complaint.StepPlan, c.Status)
		require.Equal(t, 1, c.ReopenCount)
		require.Equal(t, complaint.LevelDepartmentHead, c.EscalationLevel)
		require.Len(t, c.Escalations, 1)
		require.Equal(t, complaint.ReasonReopened, c.Escalations[0].Reason)
	})
	h.step(8*time.Hour, UpdatePlan, complaint.PlanInput{Plan: "更换整机", DueAt: ptr(t0.Add(40 * time.Hour))})
	h.step(9*time.Hour, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.at(9*time.Hour+time.Minute, func() {
		c := h.query()
		require.Equal(t, complaint.StepExecution, c.Status)
		require.Equal(t, t0.Add(40*time.Hour), *c.DueAt, "execution is due when the plan promised")
		require.Equal(t, complaint.LevelOwner, c.EscalationLevel, "a new step starts at its owner")
	})
	h.step(10*time.Hour, UpdateExecution, execOK)
	h.step(11*time.Hour, UpdateCallback, callbackOK)
	h.step(12*time.Hour, UpdateReview, reviewOK)
	c := h.run(start(5_000, ""))
	require.Equal(t, 1, c.ReopenCount)
	require.Equal(t, 2, c.Plan.Round)
	require.Equal(t, complaint.ResolutionResolved, c.Resolution)
	require.Contains(t, actions(c), complaint.ActionReopened)
}

func TestOverdueStepEscalatesLevelByLevel(t *testing.T) {
	h := newHarness(t)
	levelAt := func(d time.Duration, want complaint.Level, n int) {
		h.at(d, func() {
			c := h.query()
			require.Equal(t, want, c.EscalationLevel, "at %s", d)
			require.Len(t, c.Escalations, n, "at %s", d)
		})
	}
	// Validation is due at 8h; the policy raises it at due, due+4h, due+8h.
	levelAt(8*time.Hour-time.Second, complaint.LevelOwner, 0)
	levelAt(8*time.Hour+time.Second, complaint.LevelDepartmentHead, 1)
	levelAt(12*time.Hour-time.Second, complaint.LevelDepartmentHead, 1)
	levelAt(12*time.Hour+time.Second, complaint.LevelMarketDepartment, 2)
	levelAt(16*time.Hour+time.Second, complaint.LevelGeneralManager, 3)
	levelAt(40*time.Hour, complaint.LevelGeneralManager, 3) // the top level fires once
	h.step(41*time.Hour, UpdateValidation, validOK)
	levelAt(41*time.Hour+time.Second, complaint.LevelOwner, 3)
	h.step(42*time.Hour, UpdateAssignment, assignOK)
	// Root cause (48h limit) is done in time: nothing more may fire.
	h.step(80*time.Hour, UpdateRootCause, rootOK)
	h.step(81*time.Hour, UpdatePlan, planOK)
	h.step(82*time.Hour, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.step(83*time.Hour, UpdateExecution, execOK)
	h.step(84*time.Hour, UpdateCallback, callbackOK)
	h.step(85*time.Hour, UpdateReview, reviewOK)
	c := h.run(start(5_000, ""))

	require.Len(t, c.Escalations, 3)
	for i, want := range []struct {
		level complaint.Level
		at    time.Duration
	}{
		{complaint.LevelDepartmentHead, 8 * time.Hour},
		{complaint.LevelMarketDepartment, 12 * time.Hour},
		{complaint.LevelGeneralManager, 16 * time.Hour},
	} {
		e := c.Escalations[i]
		require.Equal(t, complaint.StepValidation, e.Step)
		require.Equal(t, want.level, e.Level)
		require.Equal(t, t0.Add(want.at), e.At)
		require.Equal(t, t0.Add(8*time.Hour), e.DueAt)
		require.Equal(t, complaint.ReasonOverdue, e.Reason)
	}
}

func TestStepDoneInTimeNeverEscalates(t *testing.T) {
	h := newHarness(t)
	// Each step completes a minute before its deadline, then the case idles
	// for days after closing steps; no timer may fire.
	h.step(8*time.Hour-time.Minute, UpdateValidation, validOK)
	h.step(12*time.Hour-2*time.Minute, UpdateAssignment, assignOK)
	h.step(59*time.Hour, UpdateRootCause, rootOK)
	h.step(82*time.Hour, UpdatePlan, planOK)
	h.step(105*time.Hour, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.step(176*time.Hour, UpdateExecution, execOK)
	h.step(199*time.Hour, UpdateCallback, callbackOK)
	h.step(270*time.Hour, UpdateReview, reviewOK)
	c := h.run(start(5_000, ""))
	require.Empty(t, c.Escalations)
	require.NotContains(t, actions(c), complaint.ActionEscalated)
}

func TestInvalidTransitionsAreRejectedWithoutTrace(t *testing.T) {
	h := newHarness(t)
	// Every step other than validation is refused while validation is awaited.
	for i, name := range []string{UpdateAssignment, UpdateRootCause, UpdatePlan, UpdateExecution, UpdateCallback, UpdateReview} {
		inputs := map[string]any{
			UpdateAssignment: assignOK, UpdateRootCause: rootOK, UpdatePlan: planOK,
			UpdateExecution: execOK, UpdateCallback: callbackOK, UpdateReview: reviewOK,
		}
		h.reject(time.Duration(i+1)*time.Minute, name, inputs[name], ErrWrongState)
	}
	h.reject(10*time.Minute, UpdateApproval, approve(complaint.LevelDepartmentHead), ErrWrongState)
	// Invalid content is refused with the field named.
	h.reject(11*time.Minute, UpdateValidation, complaint.ValidationInput{}, ErrInvalidArgument)
	h.reject(12*time.Minute, UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "x"}, ErrInvalidArgument)
	h.step(20*time.Minute, UpdateValidation, validOK)
	// Sent twice: the second finds the case already past validation.
	h.reject(21*time.Minute, UpdateValidation, validOK, ErrWrongState)
	h.reject(22*time.Minute, UpdateAssignment, complaint.AssignmentInput{Department: "工程部"}, ErrInvalidArgument)
	h.step(30*time.Minute, UpdateAssignment, assignOK)
	h.reject(31*time.Minute, UpdateRootCause, complaint.RootCauseInput{Cause: "x", ResponsiblePerson: "y", CorrectiveAction: "z", CauseType: "bad"}, ErrInvalidArgument)
	h.step(40*time.Minute, UpdateRootCause, rootOK)
	h.reject(41*time.Minute, UpdatePlan, complaint.PlanInput{Plan: "x", DueAt: ptr(t0)}, ErrInvalidArgument)
	h.step(50*time.Minute, UpdatePlan, planOK)
	h.reject(51*time.Minute, UpdateApproval, complaint.ApprovalInput{Approved: ptr(false), Level: complaint.LevelDepartmentHead}, ErrInvalidArgument)
	h.reject(52*time.Minute, UpdateApproval, complaint.ApprovalInput{Approved: ptr(true), Level: "ceo"}, ErrInvalidArgument)
	h.step(60*time.Minute, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.reject(61*time.Minute, UpdateExecution, complaint.ExecutionInput{Result: "done"}, ErrInvalidArgument)
	h.step(70*time.Minute, UpdateExecution, execOK)
	h.reject(71*time.Minute, UpdateCallback, complaint.CallbackInput{Satisfied: ptr(false)}, ErrInvalidArgument)
	h.step(80*time.Minute, UpdateCallback, callbackOK)
	h.reject(81*time.Minute, UpdateReview, complaint.ReviewInput{Summary: "x"}, ErrInvalidArgument)
	h.step(90*time.Minute, UpdateReview, reviewOK)
	c := h.run(start(5_000, ""))
	require.Equal(t, complaint.ResolutionResolved, c.Resolution)
	require.Len(t, c.Timeline, 10, "rejections leave no trace in the timeline")
}

func TestClosedComplaintRefusesSteps(t *testing.T) {
	h := newHarness(t)
	h.step(time.Minute, UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "r", Reply: "reply"})
	var after *result
	h.at(time.Minute, func() { after = h.update(UpdateAssignment, assignOK, nil) })
	h.run(start(0, ""))
	require.NotNil(t, after)
	require.True(t, after.rejected)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(after.err, &appErr))
	require.Equal(t, ErrWrongState, appErr.Type())
	require.Contains(t, appErr.Error(), "closed")
}

func TestRejectedErrorCarriesField(t *testing.T) {
	h := newHarness(t)
	var r *result
	h.at(2*time.Minute, func() { r = h.update(UpdateValidation, complaint.ValidationInput{Founded: ptr(false)}, nil) })
	h.step(3*time.Minute, UpdateValidation, complaint.ValidationInput{Founded: ptr(false), Reason: "r", Reply: "reply"})
	h.run(start(0, ""))
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(r.err, &appErr))
	var fe complaint.FieldError
	require.NoError(t, appErr.Details(&fe))
	require.Equal(t, "reason", fe.Field)
}

// forbid sends an update as actor at offset d and requires a permission refusal
// that writes nothing.
func (h *harness) forbid(d time.Duration, actor complaint.Actor, name string, input any) {
	h.at(d, func() {
		prev := h.actor
		h.actor = actor
		h.rejectNow(name, input, ErrForbidden, d)
		h.actor = prev
	})
}

func TestStepsRefuseTheWrongPeople(t *testing.T) {
	person := func(dept string, roles ...org.Role) complaint.Actor {
		return complaint.Actor{ID: "u-" + dept + string(roles[0]), Department: dept, Roles: roles}
	}
	clerk := person("sales", org.RoleIntakeClerk)
	market := person("market", org.RoleMarketDepartment)
	engineer := person("工程部", org.RoleDepartmentMember)
	otherEngineer := person("quality", org.RoleDepartmentMember)
	otherHead := person("quality", org.RoleDepartmentHead)
	auditor := person("audit", org.RoleInternalAuditor)
	admin := person("it", org.RoleAdministrator)

	h := newHarness(t)
	min := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	h.forbid(min(1), clerk, UpdateValidation, validOK)
	h.forbid(min(2), engineer, UpdateValidation, validOK)
	h.forbid(min(3), auditor, UpdateValidation, validOK)
	h.forbid(min(4), admin, UpdateValidation, validOK)
	h.forbid(min(5), clerk, UpdatePause, complaint.PauseInput{Reason: "r", WaitingOn: complaint.WaitingOnCustomer})
	h.forbid(min(6), market, UpdateCalendar, calendar.Default())
	h.step(min(10), UpdateValidation, validOK)
	h.forbid(min(11), engineer, UpdateAssignment, assignOK)
	h.step(min(20), UpdateAssignment, assignOK)
	h.forbid(min(21), otherEngineer, UpdateRootCause, rootOK)
	h.forbid(min(22), market, UpdateRootCause, rootOK)
	h.step(min(30), UpdateRootCause, rootOK)
	h.step(min(40), UpdatePlan, planOK)
	h.forbid(min(41), otherHead, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.forbid(min(42), engineer, UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.forbid(min(43), otherHead, UpdateExtend, complaint.ExtensionInput{DueAt: ptr(t0.Add(100 * time.Hour)), Reason: "x"})
	h.step(min(50), UpdateApproval, approve(complaint.LevelDepartmentHead))
	h.forbid(min(51), otherEngineer, UpdateExecution, execOK)
	h.step(min(60), UpdateExecution, execOK)
	h.forbid(min(61), market, UpdateCallback, callbackOK)
	h.forbid(min(62), engineer, UpdateCallback, callbackOK)
	h.step(min(70), UpdateCallback, callbackOK)
	h.forbid(min(71), engineer, UpdateReview, reviewOK)
	h.step(min(80), UpdateReview, reviewOK)
	c := h.run(start(5_000, ""))
	require.Len(t, c.Timeline, 10, "refusals leave no trace")
	require.Equal(t, complaint.ResolutionResolved, c.Resolution)
}
