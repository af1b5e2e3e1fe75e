package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/webhook"
)

// Outgoing webhooks (issue #12): integrators' systems subscribe to cxflow's
// events. The administrator registers a URL, a secret and event types; each
// event is delivered through the outbox (channel webhook) by its own
// delivery workflow, signed with the secret, retried like an e-mail.

// Webhook is a subscription as the API shows it: never its secret.
type Webhook = store.Webhook

// WebhookRequest registers a subscription.
type WebhookRequest struct {
	URL    string   `json:"url" doc:"Where to post the events: an http:// or https:// URL of a public address (a private or loopback one is refused unless CXFLOW_WEBHOOK_ALLOW_PRIVATE=true)."`
	Secret string   `json:"secret" doc:"The secret each delivery is signed with (X-Cxflow-Signature: sha256=<hex HMAC-SHA256 of the body>); 16 to 256 characters. Kept encrypted, never returned."`
	Events []string `json:"events" doc:"The event types to post: complaint.recorded, complaint.step_completed, complaint.escalated, complaint.closed, survey.answered, improvement.opened."`
}

// Bounds of a webhook's secret.
const (
	minWebhookSecret = 16
	maxWebhookSecret = 256
)

// webhookContext binds a sealed secret to its webhook.
func webhookContext(id string) string { return "webhook:" + id }

// CreateWebhook registers a subscription.
func (a *App) CreateWebhook(ctx context.Context, by complaint.Actor, in WebhookRequest) (Webhook, error) {
	if err := Authorize(by, OpCreateWebhook); err != nil {
		return Webhook{}, err
	}
	in.URL = strings.TrimSpace(in.URL)
	if in.URL == "" || utf8.RuneCountInString(in.URL) > 2000 {
		return Webhook{}, Refuse(Invalid, "url", "url is required (at most 2000 characters)")
	}
	if err := webhook.CheckURL(ctx, in.URL, a.WebhookAllowPrivate); err != nil {
		return Webhook{}, Refuse(Invalid, "url", "url %s", strings.TrimPrefix(err.Error(), "must "))
	}
	if n := utf8.RuneCountInString(in.Secret); n < minWebhookSecret || n > maxWebhookSecret {
		return Webhook{}, Refuse(Invalid, "secret", "secret must be %d to %d characters", minWebhookSecret, maxWebhookSecret)
	}
	if len(in.Events) == 0 {
		return Webhook{}, Refuse(Invalid, "events", "events must name at least one event type: %s", strings.Join(webhook.Types, ", "))
	}
	var events []string
	for _, e := range in.Events {
		if !slices.Contains(webhook.Types, e) {
			return Webhook{}, notOneOf("events", "events must be among "+strings.Join(webhook.Types, ", "))
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if a.Keyring == nil {
		return Webhook{}, errors.New("no encryption keys configured: a webhook's secret cannot be kept")
	}
	name, err := a.username(ctx, by)
	if err != nil {
		return Webhook{}, err
	}
	w := Webhook{ID: uuid.NewString(), URL: in.URL, Events: events, CreatedBy: name}
	if w.SecretKeyID, w.Secret, err = a.Keyring.Seal([]byte(in.Secret), webhookContext(w.ID)); err != nil {
		return Webhook{}, err
	}
	return a.Store.CreateWebhook(ctx, w)
}

// Webhooks lists the subscriptions.
func (a *App) Webhooks(ctx context.Context, by complaint.Actor) ([]Webhook, error) {
	if err := Authorize(by, OpListWebhooks); err != nil {
		return nil, err
	}
	return a.Store.Webhooks(ctx)
}

// DeleteWebhook ends a subscription; its deliveries still waiting fail.
func (a *App) DeleteWebhook(ctx context.Context, by complaint.Actor, id string) error {
	if err := Authorize(by, OpDeleteWebhook); err != nil {
		return err
	}
	err := a.Store.DeleteWebhook(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Refuse(NotFound, "", "webhook not found")
	}
	return err
}

// WebhookDelivery is one event posted (or to be posted) to a webhook, with
// its attempts.
type WebhookDelivery struct {
	Notification
	Tries []Attempt `json:"tries" doc:"The attempts, first first, with the receiver's answers."`
}

// WebhookDeliveries lists a webhook's latest deliveries, newest first.
func (a *App) WebhookDeliveries(ctx context.Context, by complaint.Actor, id string) ([]WebhookDelivery, error) {
	if err := Authorize(by, OpWebhookDeliveries); err != nil {
		return nil, err
	}
	if _, err := a.Store.GetWebhook(ctx, id); errors.Is(err, store.ErrNotFound) {
		return nil, Refuse(NotFound, "", "webhook not found")
	} else if err != nil {
		return nil, err
	}
	list, err := a.Store.Outbox(ctx, store.OutboxFilter{Channel: "webhook", Recipient: "webhook:" + id, Newest: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	out := make([]WebhookDelivery, len(list))
	for i, n := range list {
		tries, err := a.Store.Attempts(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		out[i] = WebhookDelivery{Notification: n, Tries: tries}
	}
	return out, nil
}
