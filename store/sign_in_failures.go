package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SignInBlockedUntil is until when sign-in stays refused for any of the
// keys (the latest); zero when it is not.
func (s *Store) SignInBlockedUntil(ctx context.Context, keys []string, now time.Time) (time.Time, error) {
	var until *time.Time
	err := s.pool.QueryRow(ctx, `SELECT max(blocked_until) FROM sign_in_failures WHERE key = ANY($1) AND blocked_until > $2`,
		keys, now).Scan(&until)
	if errors.Is(err, pgx.ErrNoRows) || until == nil {
		return time.Time{}, err
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read sign-in failures: %w", err)
	}
	return *until, nil
}

// RecordSignInFailure counts a failed sign-in for key and answers the count
// within window (a count older than window starts again at 1); block says,
// from the count, how long the key is then refused (0: not at all).
func (s *Store) RecordSignInFailure(ctx context.Context, key string, now time.Time, window time.Duration,
	block func(failures int) time.Duration) (int, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("record a sign-in failure: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	var n int
	err = tx.QueryRow(ctx, `
		INSERT INTO sign_in_failures (key, failures, window_start) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN sign_in_failures.window_start <= $2 - $3::interval THEN 1 ELSE sign_in_failures.failures + 1 END,
			window_start = CASE WHEN sign_in_failures.window_start <= $2 - $3::interval THEN $2 ELSE sign_in_failures.window_start END
		RETURNING failures`, key, now, window).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("record a sign-in failure: %w", err)
	}
	if d := block(n); d > 0 {
		if _, err := tx.Exec(ctx, `UPDATE sign_in_failures SET blocked_until = $2 WHERE key = $1`, key, now.Add(d)); err != nil {
			return 0, fmt.Errorf("block sign-in: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("record a sign-in failure: %w", err)
	}
	return n, nil
}

// ClearSignInFailures forgets key's failures (an account after a success).
func (s *Store) ClearSignInFailures(ctx context.Context, key string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}
