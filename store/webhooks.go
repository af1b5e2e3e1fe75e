package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Webhook is a subscription of a URL to event types. Its secret is kept
// sealed (SecretKeyID, Secret) and never leaves the server.
type Webhook struct {
	ID          string    `json:"id" doc:"Assigned by the server."`
	URL         string    `json:"url" doc:"Where the events are posted."`
	Events      []string  `json:"events" doc:"The event types posted."`
	CreatedAt   time.Time `json:"created_at" doc:"When it was registered."`
	CreatedBy   string    `json:"created_by" doc:"The username of the administrator who registered it."`
	SecretKeyID string    `json:"-"`
	Secret      []byte    `json:"-"`
}

// CreateWebhook stores a subscription.
func (s *Store) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	err := s.pool.QueryRow(ctx, `INSERT INTO webhooks (id, url, events, secret_key_id, secret, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`, w.ID, w.URL, w.Events, w.SecretKeyID, w.Secret, w.CreatedBy).Scan(&w.CreatedAt)
	if err != nil {
		return w, fmt.Errorf("store webhook: %w", err)
	}
	return w, nil
}

const webhookColumns = `id::text, url, events, created_at, created_by, secret_key_id, secret`

func scanWebhook(r pgx.Row) (Webhook, error) {
	var w Webhook
	err := r.Scan(&w.ID, &w.URL, &w.Events, &w.CreatedAt, &w.CreatedBy, &w.SecretKeyID, &w.Secret)
	return w, err
}

// Webhooks lists the subscriptions, oldest first.
func (s *Store) Webhooks(ctx context.Context) ([]Webhook, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Webhook, error) { return scanWebhook(r) })
}

// WebhooksFor lists the subscriptions to an event type.
func (s *Store) WebhooksFor(ctx context.Context, eventType string) ([]Webhook, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE $1 = ANY(events) ORDER BY id`, eventType)
	if err != nil {
		return nil, fmt.Errorf("webhooks for %s: %w", eventType, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Webhook, error) { return scanWebhook(r) })
}

// GetWebhook reads one subscription; ErrNotFound when there is none.
func (s *Store) GetWebhook(ctx context.Context, id string) (Webhook, error) {
	w, err := scanWebhook(s.pool.QueryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id::text = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, ErrNotFound
	}
	if err != nil {
		return w, fmt.Errorf("read webhook %s: %w", id, err)
	}
	return w, nil
}

// DeleteWebhook removes a subscription; its deliveries still waiting are
// failed, saying why.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	return s.deleteSubscriber(ctx, "webhooks", id, "webhook:"+id, "the webhook was deleted")
}
