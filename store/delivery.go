package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Attempt is one try at delivering an outbox message.
type Attempt struct {
	Attempt int       `json:"attempt" doc:"1 for the first try, counting on across resends."`
	At      time.Time `json:"at" doc:"When the attempt ended."`
	Outcome string    `json:"outcome" doc:"accepted (the server took the message), temporary (tried again later) or permanent (refused for good)."`
	Answer  string    `json:"answer,omitempty" doc:"What the server answered, or why it could not be reached."`
}

// Attempt outcomes.
const (
	AttemptAccepted  = "accepted"
	AttemptTemporary = "temporary"
	AttemptPermanent = "permanent"
)

// Undispatched lists pending messages of the channels (email, webhook) whose
// delivery has not been started,
// oldest first: those that report a case's change only once the read model
// holds that change confirmed (a change whose workflow task was lost is
// never told).
func (s *Store) Undispatched(ctx context.Context, channels []string, limit int) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT n.id FROM notifications n
		WHERE n.status = 'pending' AND n.channel = ANY($2) AND n.dispatched_at IS NULL
		AND (n.case_version = 0
			OR EXISTS (SELECT 1 FROM complaints c
				WHERE c.id = CASE WHEN n.related ~ '^complaint:[0-9a-f-]{36}$' THEN substr(n.related, 11)::uuid END
				AND (c.version > n.case_version OR c.version = n.case_version AND c.confirmed))
			OR EXISTS (SELECT 1 FROM improvement_actions a
				WHERE a.id = CASE WHEN n.related ~ '^improvement-action:[0-9a-f-]{36}$' THEN substr(n.related, 20)::uuid END
				AND (a.version > n.case_version OR a.version = n.case_version AND a.confirmed)))
		ORDER BY n.id LIMIT $1`, limit, channels)
	if err != nil {
		return nil, fmt.Errorf("undispatched notifications: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// MarkDispatched records that a message's delivery was started.
func (s *Store) MarkDispatched(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE notifications SET dispatched_at = $2 WHERE id = $1`, id, at); err != nil {
		return fmt.Errorf("mark notification %d dispatched: %w", id, err)
	}
	return nil
}

// GetNotification reads one outbox message.
func (s *Store) GetNotification(ctx context.Context, id int64) (Notification, error) {
	n, err := scanNotification(s.pool.QueryRow(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return n, ErrNotFound
	}
	if err != nil {
		return n, fmt.Errorf("read notification %d: %w", id, err)
	}
	return n, nil
}

// BeginAttempt numbers the next try at delivering a message.
func (s *Store) BeginAttempt(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `UPDATE notifications SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("number an attempt at notification %d: %w", id, err)
	}
	return n, nil
}

// RecordAttempt keeps a try's outcome; an accepted one also marks the
// message sent (if no one marked it otherwise meanwhile), in one transaction.
func (s *Store) RecordAttempt(ctx context.Context, id int64, a Attempt, note string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO notification_attempts (notification_id, attempt, at, outcome, answer)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, id, a.Attempt, a.At, a.Outcome, a.Answer); err != nil {
			return fmt.Errorf("record attempt %d at notification %d: %w", a.Attempt, id, err)
		}
		if a.Outcome != AttemptAccepted {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE notifications SET status = 'sent', sent_at = $2, note = $3 WHERE id = $1 AND status = 'pending'`,
			id, a.At, note); err != nil {
			return fmt.Errorf("mark notification %d sent: %w", id, err)
		}
		return nil
	})
}

// Attempts lists a message's tries, first first.
func (s *Store) Attempts(ctx context.Context, id int64) ([]Attempt, error) {
	rows, err := s.pool.Query(ctx, `SELECT attempt, at, outcome, answer FROM notification_attempts
		WHERE notification_id = $1 ORDER BY attempt`, id)
	if err != nil {
		return nil, fmt.Errorf("attempts at notification %d: %w", id, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Attempt, error) {
		var a Attempt
		return a, r.Scan(&a.Attempt, &a.At, &a.Outcome, &a.Answer)
	})
}

// deleteSubscriber removes a webhook or robot (table's row id) and fails its
// messages still waiting (recipient), saying why.
func (s *Store) deleteSubscriber(ctx context.Context, table, id, recipient, why string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE id::text = $1`, id)
		if err != nil {
			return fmt.Errorf("delete %s %s: %w", table, id, err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		_, err = tx.Exec(ctx, `UPDATE notifications SET status = 'failed', note = $2 WHERE recipient = $1 AND status = 'pending'`, recipient, why)
		return err
	})
}

// Redeliver puts a failed (or pending) e-mail or webhook delivery back:
// pending, its delivery not started. A sent message, or a task, is not
// redelivered.
func (s *Store) Redeliver(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE notifications SET status = 'pending', dispatched_at = NULL, note = ''
		WHERE id = $1 AND channel IN ('email', 'webhook', 'robot') AND status IN ('pending', 'failed')`, id)
	if err != nil {
		return fmt.Errorf("redeliver notification %d: %w", id, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	n, err := s.GetNotification(ctx, id)
	if err != nil {
		return err
	}
	return &NotificationMoved{ID: id, Status: n.Status, SentAt: n.SentAt}
}
