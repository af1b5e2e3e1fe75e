package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxFilter selects outbox messages. A mail relay works through the
// pending messages oldest first, paging with After; the staff read the
// outbox newest first, paging with Before.
type OutboxFilter struct {
	Status  string // pending, sent or failed; empty for any
	Channel string // email, task or webhook; empty for any
	Related string // e.g. survey-cycle:<cycle ID>; empty for any
	// Recipient, when set, selects one recipient's messages (webhook:<id>).
	Recipient string
	// After and Before bound the IDs (exclusive); 0 leaves a side open.
	After, Before int64
	// Newest lists the highest IDs first.
	Newest bool
	Limit  int
}

// notificationColumns and scanNotification read an outbox message.
const notificationColumns = `id, key, created_at, channel, recipient, subject, body, link, related, status, sent_at, note, attempts`

func scanNotification(r pgx.Row) (Notification, error) {
	var n Notification
	err := r.Scan(&n.ID, &n.Key, &n.CreatedAt, &n.Channel, &n.Recipient, &n.Subject, &n.Body, &n.Link, &n.Related, &n.Status, &n.SentAt, &n.Note, &n.Attempts)
	return n, err
}

// Outbox lists the messages the filter selects, in its order.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]Notification, error) {
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE id > $1`
	args := []any{f.After}
	where := func(cond string, v any) {
		args = append(args, v)
		q += " AND " + cond + " $" + strconv.Itoa(len(args))
	}
	if f.Before > 0 {
		where("id <", f.Before)
	}
	if f.Status != "" {
		where("status =", f.Status)
	}
	if f.Channel != "" {
		where("channel =", f.Channel)
	}
	if f.Related != "" {
		where("related =", f.Related)
	}
	if f.Recipient != "" {
		where("recipient =", f.Recipient)
	}
	order := "id"
	if f.Newest {
		order = "id DESC"
	}
	args = append(args, f.Limit)
	q += " ORDER BY " + order + " LIMIT $" + strconv.Itoa(len(args))
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) { return scanNotification(r) })
}

// OutboxCounts is how many messages stand in each status, by channel.
type OutboxCounts struct {
	Pending OutboxTally `json:"pending" doc:"Not delivered yet: e-mails for the relay to send, tasks for the staff to do."`
	Sent    OutboxTally `json:"sent" doc:"Reported sent."`
	Failed  OutboxTally `json:"failed" doc:"Reported failed."`
}

// OutboxTally counts the messages of one status.
type OutboxTally struct {
	Email   int `json:"email" doc:"E-mails."`
	Task    int `json:"task" doc:"Tasks for staff."`
	Webhook int `json:"webhook" doc:"Events for webhooks."`
	Robot   int `json:"robot" doc:"Messages to group-chat robots."`
	Total   int `json:"total" doc:"All of them: email, task, webhook and robot."`
}

// CountOutbox counts the outbox's messages by status and channel.
func (s *Store) CountOutbox(ctx context.Context) (OutboxCounts, error) {
	var out OutboxCounts
	rows, err := s.pool.Query(ctx, `SELECT status, channel, count(*) FROM notifications GROUP BY status, channel`)
	if err != nil {
		return out, fmt.Errorf("count notifications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, channel string
		var n int
		if err := rows.Scan(&status, &channel, &n); err != nil {
			return out, fmt.Errorf("count notifications: %w", err)
		}
		var t *OutboxTally
		switch status {
		case "pending":
			t = &out.Pending
		case "sent":
			t = &out.Sent
		case "failed":
			t = &out.Failed
		default: // the table's CHECK allows no other
			continue
		}
		switch channel {
		case "email":
			t.Email += n
		case "task":
			t.Task += n
		case "webhook":
			t.Webhook += n
		case "robot":
			t.Robot += n
		}
		t.Total += n
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("count notifications: %w", err)
	}
	return out, nil
}

// NotificationMoved is a report refused because the message no longer
// stands as the reporter saw it: someone else reported it meanwhile.
type NotificationMoved struct {
	ID     int64
	Status string
	SentAt *time.Time
}

func (e *NotificationMoved) Error() string {
	return fmt.Sprintf("notification %d is %s now", e.ID, e.Status)
}

// Unwrap makes a NotificationMoved an ErrVersionConflict.
func (e *NotificationMoved) Unwrap() error { return ErrVersionConflict }

// MarkNotificationIf records a delivery or its failure as MarkNotification
// does, but only while the message stands in ifStatus (any status when
// ifStatus is empty); otherwise it answers a *NotificationMoved. Two people
// working the same list then cannot overwrite each other's report unseen.
func (s *Store) MarkNotificationIf(ctx context.Context, id int64, status, note, ifStatus string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE notifications SET status = $2, note = $3, sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE sent_at END
		WHERE id = $1 AND ($5 = '' OR status = $5)`, id, status, note, at, ifStatus)
	if err != nil {
		return fmt.Errorf("mark notification %d: %w", id, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	moved := &NotificationMoved{ID: id}
	err = s.pool.QueryRow(ctx, `SELECT status, sent_at FROM notifications WHERE id = $1`, id).Scan(&moved.Status, &moved.SentAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("mark notification %d: %w", id, err)
	}
	return moved
}
