package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// The read model and the workflows.
//
// A workflow writes its case's read-model row in a local activity, before the
// workflow task that made the change is committed: fast, but when the task is
// lost (the Temporal server dies at that moment, a shard moves, the completion
// is refused) the row shows a change the workflow never recorded. So every
// workflow write is provisional (store.ComplaintWrite): the API confirms the
// write of each Update it sent once Temporal answered it — the answer means
// the task was committed — and the reconciler below confirms the rest (the
// workflows' own timers) or, where the workflow's committed state differs,
// writes that state over the orphan. A step refused because the workflow
// waits for something else than the row shows repairs its case at once.

// Kinds of case, as step requests record them.
const (
	KindComplaint   = "complaint"
	KindImprovement = "improvement"
)

// queryTimeout bounds one projection query of a workflow.
const queryTimeout = 10 * time.Second

// ReconcileResult counts what one pass of the reconciler did.
type ReconcileResult struct {
	Checked   int
	Confirmed int
	Repaired  int
	Failed    int
}

// Reconcile checks every provisional row written at least grace ago against
// its workflow: it confirms those that match and repairs those that do not.
// Rows are checked a few at a time in parallel (each check is one query).
func (a *App) Reconcile(ctx context.Context, grace time.Duration) (ReconcileResult, error) {
	var res ReconcileResult
	var mu sync.Mutex
	for _, kind := range []string{KindComplaint, KindImprovement} {
		var list []store.Unconfirmed
		var err error
		if kind == KindComplaint {
			list, err = a.Store.UnconfirmedComplaints(ctx, grace, 1000)
		} else {
			list, err = a.Store.UnconfirmedImprovements(ctx, grace, 1000)
		}
		if err != nil {
			return res, err
		}
		sem := make(chan struct{}, 8)
		var wg sync.WaitGroup
		for _, u := range list {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				repaired, err := a.repair(ctx, kind, u.ID, &u)
				mu.Lock()
				defer mu.Unlock()
				res.Checked++
				switch {
				case err != nil:
					res.Failed++
					a.Log.Warn("read model not reconciled", "kind", kind, "id", u.ID, "err", err)
				case repaired:
					res.Repaired++
				default:
					res.Confirmed++
				}
			})
		}
		wg.Wait()
	}
	return res, nil
}

// RunReconciler reconciles every interval until ctx ends. Provisional rows
// are durable, so a restarted process picks up where a stopped one left off.
func (a *App) RunReconciler(ctx context.Context, interval, grace time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := a.Reconcile(ctx, grace)
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("read model reconciliation failed", "err", err)
		} else if res.Repaired > 0 || res.Failed > 0 {
			a.Log.Info("read model reconciled", "checked", res.Checked, "confirmed", res.Confirmed,
				"repaired", res.Repaired, "failed", res.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Repairs is how many rows were repaired from their workflow since start.
func (a *App) Repairs() int64 { return a.repairs.Load() }

// repair compares a case's row (shown, or read now when nil) with its
// workflow's projection; equal, the row is confirmed; different, the
// projection replaces the row unless the row was written again meanwhile.
func (a *App) repair(ctx context.Context, kind, id string, shown *store.Unconfirmed) (bool, error) {
	if shown == nil {
		var u store.Unconfirmed
		var err error
		if kind == KindComplaint {
			u, err = a.Store.ComplaintWriteOf(ctx, id)
		} else {
			u, err = a.Store.ImprovementWriteOf(ctx, id)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
		shown = &u
	}
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	workflowID := a.workflowID(kind, id)
	v, err := a.Temporal.QueryWorkflow(qctx, workflowID, "", workflows.QueryProjection)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		// No workflow to hold the row against (its history is past
		// retention, or it never started): the row is all there is.
		a.Log.Warn("read model row has no workflow to check against", "kind", kind, "id", id, "version", shown.Version)
		return false, a.confirm(ctx, kind, id, shown.Version, shown.Cause)
	}
	if err != nil {
		return false, fmt.Errorf("query %s: %w", workflowID, err)
	}
	var version int
	var cause string
	var written bool
	switch kind {
	case KindComplaint:
		var p workflows.ComplaintProjection
		if err := v.Get(&p); err != nil {
			return false, fmt.Errorf("decode projection of %s: %w", workflowID, err)
		}
		version, cause = p.Complaint.Version, p.Cause
		if version == shown.Version && cause == shown.Cause {
			return false, a.confirm(ctx, kind, id, version, cause)
		}
		written, err = a.Store.WriteComplaint(ctx, store.ComplaintWrite{
			Complaint: p.Complaint, Events: p.Complaint.Timeline, IdempotencyKey: p.IdempotencyKey,
			RequestHash: p.RequestHash, Provenance: repairOf(shown, p.Cause, len(p.Complaint.Timeline)),
		})
	default:
		var p workflows.ImprovementProjection
		if err := v.Get(&p); err != nil {
			return false, fmt.Errorf("decode projection of %s: %w", workflowID, err)
		}
		version, cause = p.Action.Version, p.Cause
		if version == shown.Version && cause == shown.Cause {
			return false, a.confirm(ctx, kind, id, version, cause)
		}
		written, err = a.Store.WriteImprovement(ctx, store.ImprovementWrite{
			Action: p.Action, Events: p.Action.Timeline, RequestHash: p.RequestHash,
			Provenance: repairOf(shown, p.Cause, len(p.Action.Timeline)),
		})
	}
	if err != nil || !written {
		return false, err
	}
	a.repairs.Add(1)
	a.Log.Warn("read model repaired from the workflow: it showed a write the workflow never committed",
		"kind", kind, "id", id, "shown_version", shown.Version, "shown_cause", shown.Cause,
		"workflow_version", version, "workflow_cause", cause)
	return true, nil
}

// repairOf is the provenance of a repair: the workflow's committed write
// (cause, timeline length) over the row judged as shown.
func repairOf(shown *store.Unconfirmed, cause string, timelineLen int) store.Provenance {
	return store.Provenance{Cause: cause, TimelineLen: timelineLen, Repair: true, ExpectVersion: shown.Version, ExpectCause: shown.Cause}
}

func (a *App) confirm(ctx context.Context, kind, id string, version int, cause string) error {
	_, err := a.confirmed(ctx, kind, id, version, cause)
	return err
}

// confirmed confirms a write and reports whether the row held it unconfirmed.
func (a *App) confirmed(ctx context.Context, kind, id string, version int, cause string) (bool, error) {
	if kind == KindComplaint {
		return a.Store.ConfirmComplaint(ctx, id, version, cause)
	}
	return a.Store.ConfirmImprovement(ctx, id, version, cause)
}
