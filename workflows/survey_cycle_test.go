package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/survey"
)

type cycleHarness struct {
	env    *testsuite.TestWorkflowEnvironment
	mu     sync.Mutex
	events []activities.CycleEvent
	remind map[int]activities.Returns
	onDraw func(activities.SampleRequest)
	// notified lists the notices sent: 0 for the invitations, n for reminder n.
	notified []int
}

func newCycleHarness(t *testing.T, remind map[int]activities.Returns) *cycleHarness {
	var suite testsuite.WorkflowTestSuite
	h := &cycleHarness{env: suite.NewTestWorkflowEnvironment(), remind: remind}
	h.env.SetStartTime(t0)
	Register(h.env)
	def := survey.Definition{ID: "p1", Name: "重点客户季度调查", Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(),
		Schedule: survey.Schedule{Kind: survey.ScheduleQuarterly}}
	h.env.OnActivity(acts.StartCycle, mock.Anything, mock.Anything).Return(def, nil)
	h.env.OnActivity(acts.DrawSample, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.SampleRequest) (activities.SampleResult, error) {
			if h.onDraw != nil {
				h.onDraw(r)
				return activities.SampleResult{Population: 1, Chosen: 1}, nil
			}
			return activities.SampleResult{Population: 100, Chosen: 80}, nil
		})
	h.env.OnActivity(acts.OpenCycle, mock.Anything, mock.Anything).Return(80, nil)
	h.env.OnActivity(acts.NotifyInvitees, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.NotifyRequest) (int, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.notified = append(h.notified, r.N)
			return 80, nil
		})
	h.env.OnActivity(acts.RemindUnanswered, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.RemindRequest) (activities.Returns, error) {
			return h.remind[r.N], nil
		})
	h.env.OnActivity(acts.CloseSurveyCycle, mock.Anything, mock.Anything).Return(activities.CloseResult{Answers: 60, Dissatisfied: 5}, nil)
	h.env.OnActivity(acts.OpenCycleActions, mock.Anything, mock.Anything).Return(2, nil)
	h.env.OnActivity(acts.RecordCycleEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e activities.CycleEvent) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.events = append(h.events, e)
			return nil
		})
	return h
}

func (h *cycleHarness) run(t *testing.T) CycleState {
	h.env.ExecuteWorkflow(SurveyCycleWorkflow, CycleStart{ProgrammeID: "p1"})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var st CycleState
	require.NoError(t, h.env.GetWorkflowResult(&st))
	return st
}

func TestQuarterlyCycle(t *testing.T) {
	day := 24 * time.Hour
	h := newCycleHarness(t, map[int]activities.Returns{
		// A week in, 10 of 80 answered: on course for 37.5 %, short of 70 %.
		1: {Issued: 80, Returned: 10, Reminded: 70},
		// Two weeks in, 50 of 80: on course for 94 %.
		2: {Issued: 80, Returned: 50, Reminded: 30},
	})
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(QuerySurveyCycle)
		require.NoError(t, err)
		var st CycleState
		require.NoError(t, v.Get(&st))
		require.Equal(t, "open", st.Status)
		require.Equal(t, 80, st.Issued)
	}, day)
	st := h.run(t)
	require.Equal(t, "closed", st.Status)
	require.Equal(t, 100, st.Population)
	require.Equal(t, 80, st.Chosen)
	require.Equal(t, 60, st.Returned)
	require.Equal(t, 2, st.Actions)
	require.Equal(t, complaint.LevelOwner, st.Escalation)

	var actions []string
	at := map[string]time.Time{}
	for _, e := range h.events {
		actions = append(actions, e.Action)
		if _, seen := at[e.Action]; !seen {
			at[e.Action] = e.At
		}
	}
	require.Equal(t, []string{"sampled", "issued", "reminded", "escalated", "reminded", "closed"}, actions)
	require.Equal(t, t0.Add(7*day), at["reminded"])
	require.Equal(t, t0.Add(21*day), at["closed"])
	require.Equal(t, string(complaint.LevelOwner), h.events[3].Escalation)
	require.Equal(t, "market", h.events[3].Detail["department"])
	require.Equal(t, []int{0, 1, 2}, h.notified, "invitations, then each reminder")
}

func TestCycleEscalatesToTheHeadWhenReturnsStayLow(t *testing.T) {
	h := newCycleHarness(t, map[int]activities.Returns{
		1: {Issued: 80, Returned: 5},
		2: {Issued: 80, Returned: 20}, // 25 % at two thirds: on course for 37.5 %
	})
	st := h.run(t)
	require.Equal(t, complaint.LevelDepartmentHead, st.Escalation)
	var levels []string
	for _, e := range h.events {
		if e.Action == "escalated" {
			levels = append(levels, e.Escalation)
		}
	}
	require.Equal(t, []string{"owner", "department_head"}, levels)
}

func TestProjectReturn(t *testing.T) {
	w := 21 * 24 * time.Hour
	require.InDelta(t, 0.375, projectReturn(activities.Returns{Issued: 80, Returned: 10}, 7*24*time.Hour, w), 1e-9)
	require.Equal(t, 1.0, projectReturn(activities.Returns{Issued: 10, Returned: 9}, 7*24*time.Hour, w))
	require.Equal(t, 0.0, projectReturn(activities.Returns{}, time.Hour, w))
}

func TestDeliveryFollowUpsAtOneThreeAndTwelveMonths(t *testing.T) {
	h := newCycleHarness(t, map[int]activities.Returns{1: {Issued: 1, Returned: 1}, 2: {Issued: 1, Returned: 1}})
	var starts []time.Time
	var mu sync.Mutex
	h.onDraw = func(r activities.SampleRequest) {
		mu.Lock()
		defer mu.Unlock()
		if len(r.CustomerIDs) == 1 && r.CustomerIDs[0] == "C-001" {
			starts = append(starts, h.env.Now().UTC())
		}
	}
	h.env.ExecuteWorkflow(DeliveryFollowUpWorkflow, Delivery{CustomerID: "C-001", ProgrammeID: "p1", DeliveredAt: t0, Reference: "合同 HT-88"})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var n int
	require.NoError(t, h.env.GetWorkflowResult(&n))
	require.Equal(t, 3, n)
	require.Equal(t, []time.Time{t0.AddDate(0, 1, 0), t0.AddDate(0, 3, 0), t0.AddDate(0, 12, 0)}, starts)
}

// A follow-up that continues as new between its follow-ups runs each one
// once, when it is due, and counts the earlier runs' follow-ups in its result.
func TestDeliveryFollowUpContinuedAsNewBetweenFollowUps(t *testing.T) {
	remind := map[int]activities.Returns{1: {Issued: 1, Returned: 1}, 2: {Issued: 1, Returned: 1}}
	var starts []time.Time
	var mu sync.Mutex
	delivery := Delivery{CustomerID: "C-001", ProgrammeID: "p1", DeliveredAt: t0, Reference: "合同 HT-88"}
	// The input sets the test hook's threshold, which the second run reaches.
	// (TestDeliveryFollowUpsAtOneThreeAndTwelveMonths starts with a bare
	// Delivery, as the API does.)
	input := DeliveryFollowUpInput{Delivery: delivery, ContinueAsNewAt: 50}
	var inputs []DeliveryFollowUpInput
	start := t0
	var h *cycleHarness
	for run := 0; ; run++ {
		require.Less(t, run, len(FollowUpMonths), "a run per follow-up at most")
		h = newCycleHarness(t, remind)
		h.env.SetStartTime(start)
		env := h.env
		h.onDraw = func(r activities.SampleRequest) {
			mu.Lock()
			defer mu.Unlock()
			starts = append(starts, env.Now().UTC())
		}
		switch run {
		case 0:
			// Temporal suggests continuing as new all along: the run goes on
			// to its first follow-up, which it never leaves half-way.
			h.env.SetContinueAsNewSuggested(true)
		case 1:
			// The test hook: the history has reached the input's threshold.
			h.env.SetCurrentHistoryLength(50)
		}
		h.env.ExecuteWorkflow(DeliveryFollowUpWorkflow, input)
		require.True(t, h.env.IsWorkflowCompleted())
		var next DeliveryFollowUpInput
		if !continuedAsNew(t, h.env, DeliveryFollowUpWorkflow, &next) {
			break
		}
		inputs = append(inputs, next)
		input, start = next, h.env.Now()
	}
	require.NoError(t, h.env.GetWorkflowError())
	var n int
	require.NoError(t, h.env.GetWorkflowResult(&n))
	require.Equal(t, 3, n, "the follow-ups of every run")
	require.Equal(t, []time.Time{t0.AddDate(0, 1, 0), t0.AddDate(0, 3, 0), t0.AddDate(0, 12, 0)}, starts,
		"each follow-up once, when due, as without continuing as new")
	require.Equal(t, []DeliveryFollowUpInput{
		{Delivery: delivery, Done: 1, ContinueAsNewAt: 50},
		{Delivery: delivery, Done: 2, ContinueAsNewAt: 50},
	}, inputs, "the delivery, the follow-ups done and the test hook go to the next run")
}
