package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/payloadcrypt"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/webhook"
)

// Events for outgoing webhooks (issue #12). An event is written to the
// outbox once per subscription, with the change it reports (and waits for
// its confirmation like any message of a change); the delivery workflow
// posts it. The event's ID is its key without the subscription, so the same
// event reaches every subscriber under one ID and a resend keeps it.

// complaintEventType is the webhook event type of a timeline action.
func complaintEventType(action string) string {
	switch action {
	case complaint.ActionRecorded:
		return webhook.ComplaintRecorded
	case complaint.ActionEscalated:
		return webhook.ComplaintEscalated
	case complaint.ActionClosed:
		return webhook.ComplaintClosed
	case complaint.ActionValidated, complaint.ActionNotFounded, complaint.ActionAssigned, complaint.ActionRootCause,
		complaint.ActionPlanned, complaint.ActionApproved, complaint.ActionRefused, complaint.ActionExecuted,
		complaint.ActionSatisfied, complaint.ActionUnsatisfied, complaint.ActionReviewed:
		return webhook.ComplaintStepCompleted
	}
	return ""
}

// eventsFor enqueues one message per subscription of each event: id, its
// type and its data, about related at the case's version.
func (a *Activities) eventsFor(ctx context.Context, events []caseEvent, related string, version int) error {
	var ns []store.Notification
	subs := map[string][]store.Webhook{}
	for _, e := range events {
		list, ok := subs[e.Type]
		if !ok {
			var err error
			if list, err = a.Store.WebhooksFor(ctx, e.Type); err != nil {
				return err
			}
			subs[e.Type] = list
		}
		for _, w := range list {
			ns = append(ns, store.Notification{Key: e.ID + webhookKeySep + w.ID, Channel: "webhook", Recipient: "webhook:" + w.ID,
				Subject: e.Type, Body: string(e.Data), Related: related, CaseVersion: version})
		}
	}
	if len(ns) == 0 {
		return nil
	}
	_, err := a.Store.Enqueue(ctx, ns)
	return err
}

// webhookKeySep separates an event's ID from the subscription in its key.
const webhookKeySep = "|webhook:"

// caseEvent is one event of a case's change.
type caseEvent struct {
	ID, Type string
	Data     json.RawMessage
}

// complaintEvents enqueues the webhook events of a complaint's change: the
// complaint as GET /api/v1/complaints/{id} shows it is every event's data.
func (a *Activities) complaintEvents(ctx context.Context, s Snapshot) error {
	var events []caseEvent
	var data json.RawMessage
	for _, e := range s.Events {
		t := complaintEventType(e.Action)
		if t == "" {
			continue
		}
		if data == nil {
			b, err := json.Marshal(s.Complaint)
			if err != nil {
				return fmt.Errorf("encode complaint %s for webhooks: %w", s.Complaint.ID, err)
			}
			data = b
		}
		events = append(events, caseEvent{ID: fmt.Sprintf("complaint:%s:%s:%d", s.Complaint.ID, e.Action, e.Seq), Type: t, Data: data})
	}
	return a.eventsFor(ctx, events, "complaint:"+s.Complaint.ID, s.Complaint.Version)
}

// improvementEvents enqueues improvement.opened when an action opens.
func (a *Activities) improvementEvents(ctx context.Context, s ImprovementSnapshot) error {
	for _, e := range s.Events {
		if e.Action != improvement.ActionOpened {
			continue
		}
		b, err := json.Marshal(s.Action)
		if err != nil {
			return fmt.Errorf("encode improvement action %s for webhooks: %w", s.Action.ID, err)
		}
		return a.eventsFor(ctx, []caseEvent{{ID: "improvement-action:" + s.Action.ID + ":opened", Type: webhook.ImprovementOpened, Data: b}},
			"improvement-action:"+s.Action.ID, s.Action.Version)
	}
	return nil
}

// deliverWebhook posts one event to its subscription.
func (a *Activities) deliverWebhook(ctx context.Context, n store.Notification) (answer string, permanent bool, err error) {
	w, err := a.Store.GetWebhook(ctx, strings.TrimPrefix(n.Recipient, "webhook:"))
	if errors.Is(err, store.ErrNotFound) {
		return "the webhook was deleted", true, err
	}
	if err != nil {
		return "", false, err
	}
	eventID, _, _ := strings.Cut(n.Key, webhookKeySep)
	return PostWebhook(ctx, a.Keyring, a.Webhooks, w, webhook.Event{ID: eventID, Type: n.Subject, At: n.CreatedAt, Data: json.RawMessage(n.Body)})
}

// PostWebhook opens a webhook's sealed secret and posts ev to it, answering
// the receiver's answer and whether a refusal is for good. The delivery
// activity and the administrators' test of a webhook use it.
func PostWebhook(ctx context.Context, kr *payloadcrypt.Keyring, sender *webhook.Sender, w store.Webhook, ev webhook.Event) (answer string, permanent bool, err error) {
	if kr == nil || sender == nil {
		return "webhooks are not configured here (no keyring)", true, errors.New("no keyring")
	}
	secret, err := kr.Open(w.SecretKeyID, w.Secret, "webhook:"+w.ID)
	if err != nil {
		return err.Error(), true, err
	}
	answer, err = sender.Post(ctx, w.URL, secret, ev)
	clear(secret)
	var refused *webhook.Refused
	if errors.As(err, &refused) {
		return answer, refused.Permanent, err
	}
	if errors.Is(err, webhook.ErrPrivateTarget) {
		return webhook.ErrPrivateTarget.Error(), true, err
	}
	return answer, false, err
}
