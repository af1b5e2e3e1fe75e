package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notification is a message in the outbox.
type Notification struct {
	ID        int64      `json:"id" doc:"Increases with every message."`
	Key       string     `json:"-"`
	CreatedAt time.Time  `json:"created_at" doc:"When cxflow decided the message."`
	Channel   string     `json:"channel"`
	Recipient string     `json:"recipient" doc:"Whom it is for: an e-mail address, or for a task the staff, e.g. department:market or department_head:market."`
	Subject   string     `json:"subject" doc:"The message's subject; for a webhook delivery, the event type."`
	Body      string     `json:"body" doc:"The message's text; for a webhook delivery, the event's data (JSON)."`
	Link      string     `json:"link,omitempty" doc:"The link the message carries, e.g. the customer's signed survey link."`
	Related   string     `json:"related,omitempty" doc:"What the message is about, e.g. survey-cycle:<cycle ID>."`
	Status    string     `json:"status"`
	SentAt    *time.Time `json:"sent_at,omitempty" doc:"When it was reported sent."`
	Note      string     `json:"note,omitempty" doc:"What the last report said, e.g. why it failed."`
	Attempts  int        `json:"attempts" doc:"How many times cxflow tried to deliver it (e-mails; GET …/attempts lists them)."`
	// CaseVersion is the version of the case (Related) whose change the
	// message reports: it is delivered once that version is confirmed.
	CaseVersion int `json:"-"`
}

// Enqueue adds messages to the outbox; a message whose key is there already
// is not added again.
func (s *Store) Enqueue(ctx context.Context, ns []Notification) (int, error) {
	added := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for start := 0; start < len(ns); start += 500 {
			batch := &pgx.Batch{}
			end := min(start+500, len(ns))
			for _, n := range ns[start:end] {
				// The same message decided again (a lost change made once more,
				// perhaps at another version) waits for that version instead.
				batch.Queue(`INSERT INTO notifications (key, channel, recipient, subject, body, link, related, case_version)
					VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
					ON CONFLICT (key) DO UPDATE SET case_version = EXCLUDED.case_version
					WHERE notifications.status = 'pending' AND notifications.dispatched_at IS NULL
						AND notifications.case_version <> EXCLUDED.case_version AND EXCLUDED.case_version > 0`,
					n.Key, n.Channel, n.Recipient, n.Subject, n.Body, n.Link, n.Related, n.CaseVersion)
			}
			br := tx.SendBatch(ctx, batch)
			for range ns[start:end] {
				tag, err := br.Exec()
				if err != nil {
					br.Close()
					return err
				}
				added += int(tag.RowsAffected())
			}
			if err := br.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue notifications: %w", err)
	}
	return added, nil
}

// Notifications lists outbox messages by status and relation, oldest first,
// after the given ID.
func (s *Store) Notifications(ctx context.Context, status, related string, after int64, limit int) ([]Notification, error) {
	return s.Outbox(ctx, OutboxFilter{Status: status, Related: related, After: after, Limit: limit})
}

// MarkNotification records a delivery (sent) or its failure.
func (s *Store) MarkNotification(ctx context.Context, id int64, status, note string, at time.Time) error {
	return s.MarkNotificationIf(ctx, id, status, note, "", at)
}

// UnansweredContacts lists a cycle's unanswered invitations with the
// customer's name and first e-mail address, for invitations and reminders.
func (s *Store) UnansweredContacts(ctx context.Context, cycleID string) ([]InvitationContact, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT i.id::text, i.customer_id, i.channel, c.name, coalesce(c.contacts->0->>'email', ''), coalesce(c.contacts->0->>'name', '')
		FROM survey_invitations i JOIN customers c ON c.id = i.customer_id
		WHERE i.cycle_id = $1 AND i.answered_at IS NULL ORDER BY i.customer_id`, cycleID)
	if err != nil {
		return nil, fmt.Errorf("unanswered invitations of %s: %w", cycleID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (InvitationContact, error) {
		var ic InvitationContact
		return ic, r.Scan(&ic.InvitationID, &ic.CustomerID, &ic.Channel, &ic.CustomerName, &ic.Email, &ic.ContactName)
	})
}

// InvitationContact is whom an invitation reaches.
type InvitationContact struct {
	InvitationID string
	CustomerID   string
	Channel      string
	CustomerName string
	Email        string
	ContactName  string
}
