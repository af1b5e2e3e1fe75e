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
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/org"
)

// improvementHarness drives one improvement action in the SDK's test
// environment, where timers skip ahead: a scripted action runs at an offset
// from the start (t0). A run that continues as new is followed by the next,
// in a new environment starting when the old run ended, with the rest of the
// script; saves and updates are counted across runs.
type improvementHarness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	// Local activities run on their own goroutines.
	mu      sync.Mutex
	saves   []activities.ImprovementSnapshot
	pending []*result
	n       int
	script  []*scripted
	// runs are the inputs of the runs so far, the first as a client sent it.
	runs []any
}

// scripted is an action of the script, at an offset from t0.
type scripted struct {
	at   time.Duration
	fn   func()
	done bool
}

// The people of an action owned by 工程部 (engineering).
var (
	impEngineer = complaint.Actor{ID: "u-engineer", Name: "张伟", Department: "engineering", Roles: []org.Role{org.RoleDepartmentMember}}
	impHead     = complaint.Actor{ID: "u-head", Name: "陈静", Department: "engineering", Roles: []org.Role{org.RoleDepartmentHead}}
	impQuality  = complaint.Actor{ID: "u-quality", Name: "刘洋", Department: "quality", Roles: []org.Role{org.RoleQualityDepartment}}
	impMarket   = complaint.Actor{ID: "u-market", Name: "李强", Department: "market", Roles: []org.Role{org.RoleMarketDepartment}}
)

func newImprovementHarness(t *testing.T) *improvementHarness {
	h := &improvementHarness{t: t}
	h.newEnv(t0)
	return h
}

// newEnv is a test environment for a run starting at start.
func (h *improvementHarness) newEnv(start time.Time) {
	var suite testsuite.WorkflowTestSuite
	h.env = suite.NewTestWorkflowEnvironment()
	h.env.SetStartTime(start)
	Register(h.env)
	h.env.OnActivity(acts.ImprovementPolicy, mock.Anything).Return(improvement.DefaultPolicy(), nil)
	h.env.OnActivity(acts.SaveImprovement, mock.Anything, mock.Anything).Return(
		func(_ context.Context, s activities.ImprovementSnapshot) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.saves = append(h.saves, s)
			return nil
		})
}

const day = 24 * time.Hour

// openAction is an action for 工程部 due 30 days after t0.
func openAction() improvement.Start {
	due := t0.Add(30 * day)
	return improvement.StartFor(improvement.Open{
		OpenInput: improvement.OpenInput{
			Title:       "售后响应慢",
			Description: "三份答卷对售后服务不满意。",
			Department:  "engineering",
			DueAt:       &due,
			Source:      improvement.Source{Kind: improvement.SourceSurvey, CycleID: "cycle-1", Dimension: "after_sales"},
			Refs:        3,
		},
		BusinessKey: improvement.SurveyKey("cycle-1", "after_sales", "engineering"),
		OpenedBy:    impMarket,
	})
}

func (h *improvementHarness) savesCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.saves)
}

func impSubmission(actor complaint.Actor, input any) any {
	switch in := input.(type) {
	case improvement.PlanInput:
		return improvement.Submission[improvement.PlanInput]{Actor: actor, Input: in}
	case improvement.CompletionInput:
		return improvement.Submission[improvement.CompletionInput]{Actor: actor, Input: in}
	case improvement.VerificationInput:
		return improvement.Submission[improvement.VerificationInput]{Actor: actor, Input: in}
	}
	panic("unknown input")
}

// update sends an update now (call it from inside a delayed callback).
func (h *improvementHarness) update(actor complaint.Actor, name string, input any, onDone func(r *result)) *result {
	return h.updateWith(actor, name, input, func() {}, onDone)
}

// updateWith is update, calling onAccept once the validator accepted it.
func (h *improvementHarness) updateWith(actor complaint.Actor, name string, input any, onAccept func(), onDone func(r *result)) *result {
	r := &result{name: name, at: h.env.Now().Sub(t0), onDone: onDone}
	h.mu.Lock()
	h.pending = append(h.pending, r)
	h.n++
	id := name + "-" + time.Duration(h.n).String()
	h.mu.Unlock()
	finish := func(err error, rejected bool) {
		r.err, r.done, r.rejected = err, true, rejected
		if r.onDone != nil {
			r.onDone(r)
		}
	}
	h.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
		OnReject:   func(err error) { finish(err, true) },
		OnAccept:   onAccept,
		OnComplete: func(_ any, err error) { finish(err, false) },
	}, impSubmission(actor, input))
	return r
}

// at scripts fn at offset d from t0, in whichever run is running then.
func (h *improvementHarness) at(d time.Duration, fn func()) {
	h.script = append(h.script, &scripted{at: d, fn: fn})
}

// schedule registers the script's actions not yet run with the current
// environment, which starts at offset from t0.
func (h *improvementHarness) schedule(offset time.Duration) {
	for _, s := range h.script {
		if s.done {
			continue
		}
		require.GreaterOrEqual(h.t, s.at, offset, "an action scripted at %s was left behind by the run that ended at %s", s.at, offset)
		h.env.RegisterDelayedCallback(func() {
			s.done = true
			s.fn()
		}, s.at-offset)
	}
}

// suggestContinueAsNew makes Temporal suggest continuing as new from offset
// d on (until the run ends; the next run starts without the suggestion).
func (h *improvementHarness) suggestContinueAsNew(d time.Duration) {
	h.at(d, func() { h.env.SetContinueAsNewSuggested(true) })
}

// stepSuggesting is step, with Temporal suggesting to continue as new in the
// workflow task that runs the update: the suggestion is set once the update
// is accepted, when its handler counts as running (in production the SDK runs
// an Update's handler before the workflow's main coroutine; the test
// environment delivers the Update after a callback has run the workflow).
func (h *improvementHarness) stepSuggesting(d time.Duration, actor complaint.Actor, name string, input any) {
	h.at(d, func() {
		h.updateWith(actor, name, input, func() { h.env.SetContinueAsNewSuggested(true) },
			func(r *result) { assert.NoError(h.t, r.err, "%s at %s", name, d) })
	})
}

// step sends an update as actor at offset d and requires it to succeed.
func (h *improvementHarness) step(d time.Duration, actor complaint.Actor, name string, input any) {
	h.at(d, func() {
		h.update(actor, name, input, func(r *result) { assert.NoError(h.t, r.err, "%s at %s", name, d) })
	})
}

// reject sends an update as actor at offset d and requires its validator to
// reject it with errType, writing nothing.
func (h *improvementHarness) reject(d time.Duration, actor complaint.Actor, name string, input any, errType string) {
	h.at(d, func() {
		before := h.savesCount()
		h.update(actor, name, input, func(r *result) {
			assert.True(h.t, r.rejected, "%s at %s: want rejected by the validator", name, d)
			var appErr *temporal.ApplicationError
			if assert.True(h.t, errors.As(r.err, &appErr), "%s at %s: want %s, got %v", name, d, errType, r.err) {
				assert.Equal(h.t, errType, appErr.Type(), "%s at %s: %v", name, d, r.err)
			}
			assert.Equal(h.t, before, h.savesCount(), "a rejected %s must write nothing", name)
		})
	})
}

func (h *improvementHarness) query() improvement.Action {
	v, err := h.env.QueryWorkflow(QueryImprovement)
	require.NoError(h.t, err)
	var a improvement.Action
	require.NoError(h.t, v.Get(&a))
	return a
}

// run runs the action from its start, following every continue-as-new to
// the run that completes.
func (h *improvementHarness) run(in improvement.Start) improvement.Action {
	return h.runInput(in)
}

// runInput is run from any input: a start, or the input of a resumed run.
func (h *improvementHarness) runInput(input any) improvement.Action {
	for {
		h.runs = append(h.runs, input)
		h.schedule(h.env.Now().Sub(t0))
		h.env.ExecuteWorkflow(ImprovementWorkflow, input)
		require.True(h.t, h.env.IsWorkflowCompleted())
		var next ImprovementInput
		if !continuedAsNew(h.t, h.env, ImprovementWorkflow, &next) {
			break
		}
		input = next
		h.newEnv(h.env.Now())
	}
	require.NoError(h.t, h.env.GetWorkflowError())
	for _, r := range h.pending {
		require.True(h.t, r.done, "update %s sent at %s never finished", r.name, r.at)
	}
	var a improvement.Action
	require.NoError(h.t, h.env.GetWorkflowResult(&a))
	require.Nil(h.t, a.Timeline, "the result leaves the timeline to the read model")
	full := h.query()
	a.Timeline = full.Timeline
	require.Equal(h.t, full, a)
	return a
}

// continuedAsNew reports whether the run in env continued as new (as
// workflowType) and decodes the next run's input into next.
func continuedAsNew(t *testing.T, env *testsuite.TestWorkflowEnvironment, workflowType string, next any) bool {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if !errors.As(env.GetWorkflowError(), &can) {
		return false
	}
	require.Equal(t, workflowType, can.WorkflowType.Name)
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, next))
	return true
}

// resumed is the input of run n (from 0), a run that continued another.
func (h *improvementHarness) resumed(n int) ImprovementInput {
	h.t.Helper()
	require.Greater(h.t, len(h.runs), n, "the action ran %d runs", len(h.runs))
	in, ok := h.runs[n].(ImprovementInput)
	require.True(h.t, ok, "run %d did not continue another", n)
	require.NotNil(h.t, in.Resume)
	return in
}

func impActions(a improvement.Action) []string {
	var out []string
	for _, e := range a.Timeline {
		out = append(out, e.Action)
	}
	return out
}

var (
	impPlan     = improvement.PlanInput{Plan: "增设售后热线坐席, 48 小时内上门"}
	impComplete = improvement.CompletionInput{Result: "已增设两名坐席"}
	effective   = improvement.VerificationInput{Effective: ptr(true), Comment: "回访满意"}
	ineffective = improvement.VerificationInput{Effective: ptr(false), Comment: "客户仍反映响应慢"}
)

func TestImprovementPDCALoopUntilEffective(t *testing.T) {
	h := newImprovementHarness(t)
	h.at(time.Minute, func() {
		a := h.query()
		require.Equal(t, improvement.StepPlan, a.Status)
		require.Equal(t, 1, a.Round)
		// The plan is due 5 calendar days after opening.
		require.Equal(t, t0.Add(5*day), *a.StepDueAt)
		require.Equal(t, []org.Role{org.RoleMarketDepartment, org.RoleQualityDepartment}, a.Verifiers)
	})
	h.step(1*day, impEngineer, UpdateImprovementPlan, impPlan)
	h.at(1*day+time.Minute, func() {
		// Completion is due at the action's due date when the plan gives none.
		require.Equal(t, t0.Add(30*day), *h.query().StepDueAt)
	})
	h.step(10*day, impEngineer, UpdateImprovementCompletion, impComplete)
	h.at(10*day+time.Minute, func() {
		a := h.query()
		require.Equal(t, improvement.StepVerification, a.Status)
		// Verification is due 7 days after completion.
		require.Equal(t, t0.Add(17*day), *a.StepDueAt)
	})
	h.step(12*day, impQuality, UpdateImprovementVerification, ineffective)
	h.at(12*day+time.Minute, func() {
		a := h.query()
		require.Equal(t, improvement.StepPlan, a.Status, "not effective: plan again")
		require.Equal(t, 2, a.Round)
		require.Len(t, a.Rounds, 2)
		require.False(t, a.Rounds[0].Verification.Effective, "the old round stays on record")
		require.Nil(t, a.Rounds[1].Plan)
		require.Equal(t, t0.Add(17*day), *a.StepDueAt)
	})
	h.step(13*day, impHead, UpdateImprovementPlan, improvement.PlanInput{Plan: "设立售后响应考核", DueAt: ptr(t0.Add(25 * day))})
	h.at(13*day+time.Minute, func() {
		require.Equal(t, t0.Add(25*day), *h.query().StepDueAt, "completion is due when the plan promised")
	})
	h.step(20*day, impHead, UpdateImprovementCompletion, impComplete)
	h.step(22*day, impMarket, UpdateImprovementVerification, effective)
	a := h.run(openAction())

	require.Equal(t, improvement.StepClosed, a.Status)
	require.Equal(t, improvement.ResolutionEffective, a.Resolution)
	require.Equal(t, 2, a.Round)
	require.Equal(t, t0.Add(22*day), *a.ClosedAt)
	require.Nil(t, a.StepDueAt)
	require.Empty(t, a.Escalations, "no step was late")
	require.Equal(t, []string{
		improvement.ActionOpened,
		improvement.ActionPlanned, improvement.ActionCompleted, improvement.ActionNotEffective, improvement.ActionNewRound,
		improvement.ActionPlanned, improvement.ActionCompleted, improvement.ActionEffective, improvement.ActionClosed,
	}, impActions(a))
	for i, e := range a.Timeline {
		want := 1
		if i >= 4 {
			want = 2
		}
		require.Equal(t, want, e.Round, "event %d (%s)", i, e.Action)
	}
	require.Len(t, a.Deadlines, 6)
	for _, d := range a.Deadlines {
		require.NotNil(t, d.CompletedAt, "step %s of round %d left open", d.Step, d.Round)
	}
	require.Equal(t, "售后响应慢", a.Title)
	require.Equal(t, 3, a.Refs)
	require.Equal(t, improvement.IDFor(improvement.SurveyKey("cycle-1", "after_sales", "engineering")), a.ID)
	require.Equal(t, impMarket, a.OpenedBy)
	require.Equal(t, "improvement-default-1", a.PolicyVersion)

	// Every event reached the read model exactly once, in order; versions rise.
	var seqs []int
	for i, s := range h.saves {
		require.Nil(t, s.Action.Timeline, "snapshots carry new events, not the timeline")
		require.Equal(t, i+1, s.Action.Version)
		require.Equal(t, openAction().RequestHash, s.RequestHash)
		for _, e := range s.Events {
			seqs = append(seqs, e.Seq)
		}
	}
	require.Len(t, seqs, len(a.Timeline))
	for i, s := range seqs {
		require.Equal(t, i+1, s)
	}
	require.Equal(t, a.Version, h.saves[len(h.saves)-1].Action.Version)
}

func TestImprovementOverdueStepsEscalateLevelByLevel(t *testing.T) {
	h := newImprovementHarness(t)
	levelAt := func(d time.Duration, want complaint.Level, n int) {
		h.at(d, func() {
			a := h.query()
			require.Equal(t, want, a.EscalationLevel, "at %s", d)
			require.Len(t, a.Escalations, n, "at %s", d)
			a.Refresh(h.env.Now())
			require.Equal(t, d >= 5*day && a.Status == improvement.StepPlan, a.Overdue, "at %s", d)
		})
	}
	// The plan is due at 5 days; it rises at due, due+4h, due+8h.
	levelAt(5*day-time.Second, complaint.LevelOwner, 0)
	levelAt(5*day+time.Second, complaint.LevelDepartmentHead, 1)
	levelAt(5*day+4*time.Hour-time.Second, complaint.LevelDepartmentHead, 1)
	levelAt(5*day+4*time.Hour+time.Second, complaint.LevelMarketDepartment, 2)
	levelAt(5*day+8*time.Hour+time.Second, complaint.LevelGeneralManager, 3)
	levelAt(8*day, complaint.LevelGeneralManager, 3) // the top level fires once
	h.step(8*day+time.Hour, impEngineer, UpdateImprovementPlan, impPlan)
	// A new step starts at its owner; the escalations stay on record.
	levelAt(8*day+2*time.Hour, complaint.LevelOwner, 3)
	// Completion (due at 30 days) is done a minute early: nothing may fire.
	h.step(30*day-time.Minute, impEngineer, UpdateImprovementCompletion, impComplete)
	// Verification is due 7 days later; it is late by 5 hours: two levels.
	h.at(37*day+5*time.Hour, func() {
		a := h.query()
		require.Len(t, a.Escalations, 5)
		require.Equal(t, complaint.LevelMarketDepartment, a.EscalationLevel)
	})
	h.step(37*day+5*time.Hour+time.Minute, impQuality, UpdateImprovementVerification, effective)
	a := h.run(openAction())

	require.Len(t, a.Escalations, 5)
	for i, want := range []struct {
		step  improvement.Step
		level complaint.Level
		at    time.Duration
		due   time.Duration
	}{
		{improvement.StepPlan, complaint.LevelDepartmentHead, 5 * day, 5 * day},
		{improvement.StepPlan, complaint.LevelMarketDepartment, 5*day + 4*time.Hour, 5 * day},
		{improvement.StepPlan, complaint.LevelGeneralManager, 5*day + 8*time.Hour, 5 * day},
		{improvement.StepVerification, complaint.LevelDepartmentHead, 37*day - time.Minute, 37*day - time.Minute},
		{improvement.StepVerification, complaint.LevelMarketDepartment, 37*day + 4*time.Hour - time.Minute, 37*day - time.Minute},
	} {
		e := a.Escalations[i]
		require.Equal(t, i+1, e.Seq)
		require.Equal(t, want.step, e.Step, "escalation %d", i)
		require.Equal(t, want.level, e.Level, "escalation %d", i)
		require.Equal(t, t0.Add(want.at), e.At, "escalation %d", i)
		require.Equal(t, t0.Add(want.due), e.DueAt, "escalation %d", i)
		require.Equal(t, improvement.ReasonOverdue, e.Reason)
		require.Equal(t, []string{string(want.level)}, e.Notify, "recipients are recorded")
		require.Equal(t, 1, e.Round)
	}
	require.Equal(t, improvement.ResolutionEffective, a.Resolution)
	n := 0
	for _, e := range a.Timeline {
		if e.Action == improvement.ActionEscalated {
			n++
			require.Equal(t, complaint.SystemActor, e.Actor)
		}
	}
	require.Equal(t, 5, n)
}

func TestImprovementStepsDoneInTimeNeverEscalate(t *testing.T) {
	h := newImprovementHarness(t)
	h.step(5*day-time.Minute, impEngineer, UpdateImprovementPlan, impPlan)
	h.step(30*day-time.Minute, impEngineer, UpdateImprovementCompletion, impComplete)
	h.step(37*day-2*time.Minute, impQuality, UpdateImprovementVerification, ineffective)
	// Round 2: the action's own due date has passed, so the plan gives one.
	h.step(42*day-3*time.Minute, impEngineer, UpdateImprovementPlan, improvement.PlanInput{Plan: "再次整改", DueAt: ptr(t0.Add(60 * day))})
	h.step(60*day-time.Minute, impEngineer, UpdateImprovementCompletion, impComplete)
	h.step(67*day-2*time.Minute, impQuality, UpdateImprovementVerification, effective)
	a := h.run(openAction())
	require.Empty(t, a.Escalations)
	require.NotContains(t, impActions(a), improvement.ActionEscalated)
	require.Equal(t, improvement.ResolutionEffective, a.Resolution)
}

func TestImprovementWrongStateInvalidAndForbiddenLeaveNoTrace(t *testing.T) {
	clerk := complaint.Actor{ID: "u-clerk", Department: "sales", Roles: []org.Role{org.RoleIntakeClerk}}
	otherEngineer := complaint.Actor{ID: "u-other", Department: "quality", Roles: []org.Role{org.RoleDepartmentMember}}
	auditor := complaint.Actor{ID: "u-auditor", Department: "audit", Roles: []org.Role{org.RoleInternalAuditor}}
	// A quality-department member of engineering reports completion and may
	// not then verify it.
	selfVerifier := complaint.Actor{ID: "u-both", Department: "engineering", Roles: []org.Role{org.RoleDepartmentMember, org.RoleQualityDepartment}}
	m := func(n int) time.Duration { return time.Duration(n) * time.Minute }

	h := newImprovementHarness(t)
	// Wrong state: only the plan is awaited.
	h.reject(m(1), impEngineer, UpdateImprovementCompletion, impComplete, ErrWrongState)
	h.reject(m(2), impQuality, UpdateImprovementVerification, effective, ErrWrongState)
	// Invalid content, with the field named.
	h.reject(m(3), impEngineer, UpdateImprovementPlan, improvement.PlanInput{}, ErrInvalidArgument)
	h.reject(m(4), impEngineer, UpdateImprovementPlan, improvement.PlanInput{Plan: "x", DueAt: ptr(t0)}, ErrInvalidArgument)
	h.reject(m(5), impEngineer, UpdateImprovementPlan, improvement.PlanInput{Plan: "x", DueAt: ptr(t0.Add(31 * day))}, ErrInvalidArgument)
	// Not permitted: outside the owner department, or not a member of it.
	h.reject(m(6), otherEngineer, UpdateImprovementPlan, impPlan, ErrForbidden)
	h.reject(m(7), impMarket, UpdateImprovementPlan, impPlan, ErrForbidden)
	h.reject(m(8), clerk, UpdateImprovementPlan, impPlan, ErrForbidden)
	h.reject(m(9), auditor, UpdateImprovementPlan, impPlan, ErrForbidden)
	h.step(m(10), selfVerifier, UpdateImprovementPlan, impPlan)
	// Sent twice: the second finds the plan already given.
	h.reject(m(11), impEngineer, UpdateImprovementPlan, impPlan, ErrWrongState)
	h.reject(m(12), impEngineer, UpdateImprovementCompletion, improvement.CompletionInput{Result: " "}, ErrInvalidArgument)
	h.reject(m(13), impQuality, UpdateImprovementCompletion, impComplete, ErrForbidden)
	h.step(m(20), selfVerifier, UpdateImprovementCompletion, impComplete)
	h.reject(m(21), impQuality, UpdateImprovementVerification, improvement.VerificationInput{}, ErrInvalidArgument)
	h.reject(m(22), impQuality, UpdateImprovementVerification, improvement.VerificationInput{Effective: ptr(false)}, ErrInvalidArgument)
	h.reject(m(23), impEngineer, UpdateImprovementVerification, effective, ErrForbidden)
	h.reject(m(24), impHead, UpdateImprovementVerification, effective, ErrForbidden)
	h.reject(m(25), auditor, UpdateImprovementVerification, effective, ErrForbidden)
	h.reject(m(26), selfVerifier, UpdateImprovementVerification, effective, ErrForbidden)
	h.step(m(30), impQuality, UpdateImprovementVerification, effective)
	var late *result
	h.at(m(30), func() { late = h.update(impEngineer, UpdateImprovementPlan, impPlan, nil) })
	a := h.run(openAction())
	require.Equal(t, improvement.ResolutionEffective, a.Resolution)
	require.Len(t, a.Timeline, 5, "rejections leave no trace in the timeline")
	require.Len(t, h.saves, 4, "open, plan, completion, verification")

	// A step sent to a closed action says so.
	require.NotNil(t, late)
	require.True(t, late.rejected)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(late.err, &appErr))
	require.Equal(t, ErrWrongState, appErr.Type())
	require.Contains(t, appErr.Error(), "closed")
}

func TestImprovementRejectionsNameTheFieldAndTheWait(t *testing.T) {
	h := newImprovementHarness(t)
	var missing, wrong, forbiddenPlan *result
	h.at(time.Minute, func() {
		missing = h.update(impQuality, UpdateImprovementVerification, improvement.VerificationInput{Effective: ptr(false)}, nil)
		wrong = h.update(impEngineer, UpdateImprovementCompletion, impComplete, nil)
		forbiddenPlan = h.update(impMarket, UpdateImprovementPlan, impPlan, nil)
	})
	h.step(time.Hour, impEngineer, UpdateImprovementPlan, impPlan)
	h.step(2*time.Hour, impEngineer, UpdateImprovementCompletion, impComplete)
	var noComment *result
	h.at(3*time.Hour, func() {
		noComment = h.update(impQuality, UpdateImprovementVerification, improvement.VerificationInput{Effective: ptr(false)}, nil)
	})
	h.step(4*time.Hour, impQuality, UpdateImprovementVerification, effective)
	h.run(openAction())

	var appErr *temporal.ApplicationError
	require.True(t, errors.As(missing.err, &appErr))
	require.Equal(t, ErrWrongState, appErr.Type(), "state is checked before content")
	require.True(t, errors.As(wrong.err, &appErr))
	require.Contains(t, appErr.Error(), "waiting for plan (round 1), not completion")
	require.True(t, errors.As(forbiddenPlan.err, &appErr))
	require.Equal(t, ErrForbidden, appErr.Type())
	require.Contains(t, appErr.Error(), "owner department (engineering)")
	require.True(t, errors.As(noComment.err, &appErr))
	require.Equal(t, ErrInvalidArgument, appErr.Type())
	var fe complaint.FieldError
	require.NoError(t, appErr.Details(&fe))
	require.Equal(t, "comment", fe.Field)
}

// pdcaScript is two PDCA rounds: the first verified not effective at 12 days,
// the second effective at 22 days.
// With suggest, Temporal suggests continuing as new as the verification arrives.
func pdcaScript(h *improvementHarness, suggest bool) {
	h.step(1*day, impEngineer, UpdateImprovementPlan, impPlan)
	h.step(10*day, impEngineer, UpdateImprovementCompletion, impComplete)
	if suggest {
		h.stepSuggesting(12*day, impQuality, UpdateImprovementVerification, ineffective)
	} else {
		h.step(12*day, impQuality, UpdateImprovementVerification, ineffective)
	}
	h.step(13*day, impHead, UpdateImprovementPlan, improvement.PlanInput{Plan: "设立售后响应考核", DueAt: ptr(t0.Add(25 * day))})
	h.step(20*day, impHead, UpdateImprovementCompletion, impComplete)
	h.step(22*day, impMarket, UpdateImprovementVerification, effective)
}

// requireSameEnd checks that an action that continued as new ended as the
// one that did not: the same action, timeline and read-model writes, in
// order, with versions rising by one across the runs.
func requireSameEnd(t *testing.T, want, got *improvementHarness, wantAction, gotAction improvement.Action) {
	t.Helper()
	require.Equal(t, wantAction, gotAction)
	require.Equal(t, want.saves, got.saves, "the read model receives the same writes")
	var seqs []int
	for i, s := range got.saves {
		require.Equal(t, i+1, s.Action.Version, "versions rise by one across runs")
		require.Equal(t, len(seqs)+len(s.Events), s.TimelineLen)
		for _, e := range s.Events {
			seqs = append(seqs, e.Seq)
		}
	}
	require.Len(t, seqs, len(gotAction.Timeline), "every event reaches the read model once")
	for i, s := range seqs {
		require.Equal(t, i+1, s)
	}
}

func TestImprovementContinuedAsNewAfterAFailedVerificationEndsTheSame(t *testing.T) {
	ref := newImprovementHarness(t)
	pdcaScript(ref, false)
	want := ref.run(openAction())
	require.Len(t, ref.runs, 1, "nothing suggested continuing as new")

	h := newImprovementHarness(t)
	// The run lets the verification save its step and answer first.
	pdcaScript(h, true)
	var projection ImprovementProjection
	h.at(12*day+time.Minute, func() {
		v, err := h.env.QueryWorkflow(QueryProjection)
		require.NoError(t, err)
		require.NoError(t, v.Get(&projection))
	})
	got := h.run(openAction())
	require.Len(t, h.runs, 2, "one continue-as-new")
	requireSameEnd(t, ref, h, want, got)

	// The first run handed over round 2 at its plan, the whole timeline and
	// what made its last save; the second run answered with it before writing.
	next := h.resumed(1)
	require.Equal(t, openAction(), next.Start)
	r := next.Resume
	require.Equal(t, improvement.StepPlan, r.Action.Status)
	require.Equal(t, 2, r.Action.Round)
	require.Equal(t, 4, r.Action.Version, "open, plan, completion, verification")
	require.Equal(t, []string{
		improvement.ActionOpened, improvement.ActionPlanned, improvement.ActionCompleted,
		improvement.ActionNotEffective, improvement.ActionNewRound,
	}, impActions(r.Action))
	require.Equal(t, improvement.DefaultPolicy(), r.Policy)
	require.Empty(t, r.Unsaved)
	require.Equal(t, h.saves[3].Cause, r.Cause, "the verification's update made the last save")
	require.NotEqual(t, CauseWorkflow, r.Cause)
	require.Equal(t, r.Cause, projection.Cause)
	require.Equal(t, 4, projection.Action.Version)
	require.Len(t, projection.Action.Timeline, 5)
	require.Equal(t, openAction().RequestHash, projection.RequestHash)
}

func TestImprovementContinuedAsNewWhileOverdueEscalatesNoLevelTwice(t *testing.T) {
	script := func(h *improvementHarness) {
		// The plan is late: it rises at 5 days, +4h and +8h; it comes at 8 days.
		h.step(8*day+time.Hour, impEngineer, UpdateImprovementPlan, impPlan)
		h.step(30*day-time.Minute, impEngineer, UpdateImprovementCompletion, impComplete)
		h.step(37*day+5*time.Hour+time.Minute, impQuality, UpdateImprovementVerification, effective)
	}
	ref := newImprovementHarness(t)
	script(ref)
	want := ref.run(openAction())
	require.Len(t, want.Escalations, 5)

	h := newImprovementHarness(t)
	script(h)
	// Suggested between the first and the second escalation of the plan.
	h.suggestContinueAsNew(5*day + time.Hour)
	got := h.run(openAction())
	require.Len(t, h.runs, 2)
	requireSameEnd(t, ref, h, want, got)
	r := h.resumed(1).Resume
	require.Equal(t, improvement.StepPlan, r.Action.Status)
	require.NotEmpty(t, r.Action.Escalations, "handed over in the middle of the escalations")
	require.Less(t, len(r.Action.Escalations), 3)
	require.Equal(t, len(r.Action.Escalations), r.Escalated, "the rules applied to the step go along")
}

func TestImprovementClosedByItsLastStepCompletesInsteadOfContinuing(t *testing.T) {
	h := newImprovementHarness(t)
	h.step(time.Hour, impEngineer, UpdateImprovementPlan, impPlan)
	h.step(2*time.Hour, impEngineer, UpdateImprovementCompletion, impComplete)
	h.stepSuggesting(3*time.Hour, impQuality, UpdateImprovementVerification, effective)
	a := h.run(openAction())
	require.Len(t, h.runs, 1, "a closed action has nothing to continue")
	require.Equal(t, improvement.StepClosed, a.Status)
}

// A resumed run has the action as handed over as soon as its handlers are
// registered: an Update that reached the new run with its first workflow task
// is validated against it, not refused as "still being opened".
func TestImprovementResumedRunTakesAStepInItsFirstTask(t *testing.T) {
	h := newImprovementHarness(t)
	pdcaScript(h, true)
	h.run(openAction())
	next := h.resumed(1)

	r := newImprovementHarness(t)
	r.newEnv(t0.Add(12 * day))
	r.step(12*day, impHead, UpdateImprovementPlan, improvement.PlanInput{Plan: "设立售后响应考核", DueAt: ptr(t0.Add(25 * day))})
	r.step(20*day, impHead, UpdateImprovementCompletion, impComplete)
	r.step(22*day, impMarket, UpdateImprovementVerification, effective)
	a := r.runInput(next)
	require.Equal(t, improvement.StepClosed, a.Status)
	require.Equal(t, 7, a.Version)
	require.Len(t, a.Timeline, 9)
}
