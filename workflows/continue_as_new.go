package workflows

import "go.temporal.io/sdk/workflow"

// Long-lived workflows (an improvement action going round its PDCA rounds, a
// delivery follow-up asleep between its surveys) continue as new when Temporal
// suggests it: the run ends and a new run of the same workflow ID starts from
// the state the old one hands over in its input. Clients address these
// workflows by ID without a run ID, so Queries and Updates reach the new run.
//
// Temporal deduplicates Update IDs only within one run: a step retried under
// the same Update ID after the workflow continued as new reaches the new run
// as a new Update. Steps sent with an Idempotency-Key are answered from the
// application's own records (store/step_requests.go) and never sent twice; a
// repeated open (improvement.UpdateOpened, a fixed ID) only reads the receipt.

// continueAsNewDue reports whether the run should continue as new: Temporal
// suggests it (the history is long or large, or has had many Updates), or the
// history has reached at events. at is a test hook carried in the workflow's
// input, so a replay decides as the run did: tests set it low to make a run
// continue at a point they choose; zero (production) leaves it to Temporal.
func continueAsNewDue(ctx workflow.Context, at int) bool {
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() || (at > 0 && info.GetCurrentHistoryLength() >= at)
}

// awaitHandlers waits until no Update or Signal handler is running: a run
// must not continue as new (or complete) while one is half-way, e.g. saving
// its step before it answers its caller.
func awaitHandlers(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}
