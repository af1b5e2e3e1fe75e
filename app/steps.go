package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// Step is one human decision sent to a case's workflow as an Update.
type Step struct {
	// Kind is KindComplaint or KindImprovement; CaseID the case's ID.
	Kind   string
	CaseID string
	// Update is the Update's name; Arg its argument (the submission).
	Update string
	Arg    any
	// ActorID is who sends it; Input the typed input, whose canonical JSON
	// tells a retry from a different request under the same Key.
	ActorID string
	Input   any
	// Key is the client's Idempotency-Key ("" for none).
	Key string
}

// StepDone is an answered step.
type StepDone struct {
	// UpdateID is the Update the step was sent as (for the audit trail).
	UpdateID string
	// Version is the case's version after the step.
	Version int
	// Replayed is set when a retry under the same key was answered from the
	// first attempt.
	Replayed bool
}

// KeyReusedError refuses an Idempotency-Key sent again with another request.
type KeyReusedError struct{ Update string }

func (e *KeyReusedError) Error() string {
	return "Idempotency-Key was already used for a different " + e.Update + " of this case by you; send a new key for a new request"
}

// stepNamespace makes a keyed step's Update ID from its scope, so every
// attempt under one key is the same Update.
var stepNamespace = uuid.MustParse("6f1d4c1e-6a55-4c2b-9a53-3a7c1c2f7e10")

// SubmitStep sends a step and waits for the workflow's answer.
//
// With a Key, a retry is safe: the step is recorded first with its body's
// hash and an Update ID derived from the key's scope (case, Update, caller),
// so a retry goes to the same Update, which Temporal answers from the first
// attempt (or applies now if the first never arrived); a retry after the
// step was answered is answered from the record without Temporal (the
// workflow may have closed since); the same key with another body is
// refused. Temporal alone would not do: it deduplicates Update IDs within
// one run and does not compare arguments.
//
// When the workflow refuses the step as not the one it waits for, the case's
// read model is repaired from the workflow first, so the next read shows
// what the refusal names.
func (a *App) SubmitStep(ctx context.Context, s Step) (StepDone, error) {
	done := StepDone{UpdateID: uuid.NewString()}
	var req store.StepRequest
	retry := false
	if s.Key != "" {
		hash, err := requestHash(s.Input)
		if err != nil {
			return done, fmt.Errorf("hash the %s: %w", s.Update, err)
		}
		req = store.StepRequest{
			Kind: s.Kind, CaseID: s.CaseID, Update: s.Update, ActorID: s.ActorID, Key: s.Key,
			BodyHash: hash,
			UpdateID: uuid.NewSHA1(stepNamespace, []byte(s.Kind+"\x00"+s.CaseID+"\x00"+s.Update+"\x00"+s.ActorID+"\x00"+s.Key)).String(),
		}
		got, created, err := a.Store.ClaimStepRequest(ctx, req)
		if err != nil {
			return done, err
		}
		if got.BodyHash != req.BodyHash {
			return done, &KeyReusedError{Update: s.Update}
		}
		done.UpdateID, retry = got.UpdateID, !created
		if got.DoneVersion != nil {
			done.Version, done.Replayed = *got.DoneVersion, true
			return done, nil
		}
	}
	workflowID := a.workflowID(s.Kind, s.CaseID)
	var receipt struct {
		Version int `json:"version"`
	}
	h, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateID:     done.UpdateID,
		UpdateName:   s.Update,
		Args:         []any{s.Arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &receipt)
	}
	if err != nil && retry {
		// The first attempt may have been applied and its workflow closed
		// since: its outcome is still in the history.
		if h := a.Temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{
			WorkflowID: workflowID, UpdateID: done.UpdateID,
		}); h.Get(ctx, &receipt) == nil {
			err = nil
		}
	}
	if err != nil {
		if isWrongState(err) {
			if _, rerr := a.repair(ctx, s.Kind, s.CaseID, nil); rerr != nil {
				a.Log.Warn("read model not repaired after a refused step", "kind", s.Kind, "id", s.CaseID, "err", rerr)
			}
		}
		return done, err
	}
	done.Version, done.Replayed = receipt.Version, retry
	// Temporal answered: the task that made the change is committed, and the
	// row the workflow wrote for it is its committed state.
	if ok, err := a.confirmed(ctx, s.Kind, s.CaseID, receipt.Version, done.UpdateID); err != nil {
		a.Log.Warn("read model write not confirmed (the reconciler will)", "kind", s.Kind, "id", s.CaseID, "err", err)
	} else if !ok && !done.Replayed {
		// The row does not hold this step's write: a later step's (fine), or
		// something the workflow never committed. The workflow decides.
		if _, err := a.repair(ctx, s.Kind, s.CaseID, nil); err != nil {
			a.Log.Warn("read model not checked after a step", "kind", s.Kind, "id", s.CaseID, "err", err)
		}
	}
	if s.Key != "" {
		if err := a.Store.StepRequestDone(ctx, req, receipt.Version); err != nil {
			a.Log.Warn("keyed step not marked done (a retry asks Temporal again)", "kind", s.Kind, "id", s.CaseID, "err", err)
		}
	}
	return done, nil
}

// ConfirmCreated confirms a case's row after the Update that created it was
// answered: the workflow's record is its first, self-caused write.
func (a *App) ConfirmCreated(ctx context.Context, kind, id string, version int) {
	if err := a.confirm(ctx, kind, id, version, workflows.CauseWorkflow); err != nil {
		a.Log.Warn("read model write not confirmed (the reconciler will)", "kind", kind, "id", id, "err", err)
	}
}

func (a *App) workflowID(kind, id string) string {
	if kind == KindImprovement {
		return improvement.WorkflowID(id)
	}
	return complaint.WorkflowID(id)
}

// requestHash is the hash an Idempotency-Key is kept with: of the decoded
// input's JSON, not of the raw bytes, so the same request sent with other
// spacing is the same request.
func requestHash(v any) (string, error) {
	canonical, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}

func isWrongState(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == workflows.ErrWrongState
}
