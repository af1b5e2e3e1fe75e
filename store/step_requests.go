package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// StepRequest is a step sent with an Idempotency-Key: per kind of case
// ("complaint", "improvement"), case, Update and caller.
type StepRequest struct {
	Kind     string
	CaseID   string
	Update   string
	ActorID  string
	Key      string
	BodyHash string
	// UpdateID is the Update every attempt under the key is sent as.
	UpdateID string
	// DoneVersion is the case's version once the step was answered; nil
	// before.
	DoneVersion *int
}

// ClaimStepRequest records a keyed step before it is sent, or returns the one
// recorded under the same key; created tells which.
func (s *Store) ClaimStepRequest(ctx context.Context, r StepRequest) (StepRequest, bool, error) {
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO step_requests (kind, case_id, update_name, actor_id, key, body_hash, update_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		r.Kind, r.CaseID, r.Update, r.ActorID, r.Key, r.BodyHash, r.UpdateID)
	if err != nil {
		return r, false, fmt.Errorf("record step request: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return r, true, nil
	}
	got := r
	err = s.pool.QueryRow(ctx, `
		SELECT body_hash, update_id, done_version FROM step_requests
		WHERE kind = $1 AND case_id = $2 AND update_name = $3 AND actor_id = $4 AND key = $5`,
		r.Kind, r.CaseID, r.Update, r.ActorID, r.Key).Scan(&got.BodyHash, &got.UpdateID, &got.DoneVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, fmt.Errorf("read step request: vanished")
	}
	if err != nil {
		return r, false, fmt.Errorf("read step request: %w", err)
	}
	return got, false, nil
}

// StepRequestDone records the case's version once the keyed step was answered.
func (s *Store) StepRequestDone(ctx context.Context, r StepRequest, version int) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE step_requests SET done_version = $6
		WHERE kind = $1 AND case_id = $2 AND update_name = $3 AND actor_id = $4 AND key = $5`,
		r.Kind, r.CaseID, r.Update, r.ActorID, r.Key, version)
	if err != nil {
		return fmt.Errorf("record step request done: %w", err)
	}
	return nil
}
