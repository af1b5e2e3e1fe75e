package workflows

import (
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Incompatible variants of the workflows, for TestReplayDetectsIncompatibleChanges:
// each is the workflow as it is with one unversioned change in front, the kind
// of edit that breaks the workflows already running. Never registered outside
// this test.

// withActivityFirst schedules an activity the recorded runs never scheduled
// (say, an audit call added at the start) and then runs the workflow.
func withActivityFirst[In, Out any](wf func(workflow.Context, In) (Out, error)) func(workflow.Context, In) (Out, error) {
	return func(ctx workflow.Context, in In) (Out, error) {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
		workflow.ExecuteActivity(actx, "ReplayGuardAudit")
		return wf(ctx, in)
	}
}

// withTimerFirst waits a minute (say, a grace period added at the start)
// and then runs the workflow.
func withTimerFirst[In, Out any](wf func(workflow.Context, In) (Out, error)) func(workflow.Context, In) (Out, error) {
	return func(ctx workflow.Context, in In) (Out, error) {
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			var zero Out
			return zero, err
		}
		return wf(ctx, in)
	}
}

// incompatibleVariants has one variant per registered workflow type.
var incompatibleVariants = map[string]any{
	ComplaintWorkflow:        withActivityFirst(Complaint),
	ImprovementWorkflow:      withTimerFirst(Improvement),
	SurveyCycleWorkflow:      withTimerFirst(SurveyCycle),
	DeliveryFollowUpWorkflow: withActivityFirst(DeliveryFollowUp),
	GenerateReportsWorkflow:  withTimerFirst(GenerateReports),
	CalendarRolloutWorkflow:  withActivityFirst(RolloutCalendar),
	SendMessageWorkflow:      withTimerFirst(SendMessage),
}

// substitute registers every workflow as Register does, except one type,
// whose name it gives to another function.
type substitute struct {
	Registry
	name     string
	workflow any
	done     bool
}

func (s *substitute) RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions) {
	if options.Name == s.name {
		w, s.done = s.workflow, true
	}
	s.Registry.RegisterWorkflowWithOptions(w, options)
}

// TestReplayDetectsIncompatibleChanges shows that TestReplayRecordedHistories
// can fail: each recorded history, replayed against an incompatible variant of
// its workflow registered under the same type name, fails with the SDK's
// nondeterminism error.
func TestReplayDetectsIncompatibleChanges(t *testing.T) {
	require.ElementsMatch(t, registeredWorkflowTypes(t), slices.Collect(maps.Keys(incompatibleVariants)),
		"every registered workflow type needs an incompatible variant here")
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, h := range recordedHistories(t) {
		t.Run(h.file, func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: historyConverter(t)})
			require.NoError(t, err)
			sub := &substitute{Registry: r, name: h.workflowType, workflow: incompatibleVariants[h.workflowType]}
			Register(sub)
			require.True(t, sub.done, "no workflow registered as %s", h.workflowType)

			err = r.ReplayWorkflowHistoryWithOptions(quiet, h.history, h.options())
			require.Error(t, err, "%s replayed against an incompatible %s", h.file, h.workflowType)
			// TMPRL1100 marks all of the SDK's nondeterminism errors: a command
			// that does not match the history ("nondeterministic workflow: …"),
			// or an event the replayed code has no command for ("lookup
			// failed …", "invalid state transition …"). A variant that failed
			// for another reason (say, its input did not decode) lacks it.
			require.Contains(t, err.Error(), "[TMPRL1100]")
		})
	}
}
