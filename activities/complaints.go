// Package activities holds the workflows' side effects: PostgreSQL writes and
// reads through the store. No process decisions are made here.
package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/email"
	"github.com/cxflow/cxflow/payloadcrypt"
	"github.com/cxflow/cxflow/robot"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/webhook"
)

// Activities are registered on the worker; their methods run as (local) activities.
type Activities struct {
	Store *store.Store
	// Temporal lets roll-outs reach running workflows.
	Temporal client.Client
	Policy   complaint.Policy
	// Location is the organisation's time zone; complaint numbers take its year.
	Location *time.Location
	// Links signs the customer links the outbox sends; PublicURL is where they point.
	Links     *auth.Links
	PublicURL string
	// Mail sends the outbox's e-mail; nil when no mail server is
	// configured (the e-mails then wait, pending).
	Mail *email.Sender
	// Keyring opens webhooks' and robots' sealed secrets; Webhooks and
	// Robots post to them (nil: not delivered by this worker).
	Keyring  *payloadcrypt.Keyring
	Webhooks *webhook.Sender
	Robots   *robot.Sender
}

// CurrentPolicy is the policy a new complaint starts under, recorded into it:
// the version an administrator activated through the API, else the worker's
// configured one (defaults plus CXFLOW_POLICY_FILE).
func (a *Activities) CurrentPolicy(ctx context.Context) (complaint.Policy, error) {
	p, err := a.Store.ActivePolicy(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return a.Policy, nil
	}
	return p, err
}

// NumberRequest asks for a complaint's register number.
type NumberRequest struct {
	ComplaintID string    `json:"complaint_id"`
	ReceivedAt  time.Time `json:"received_at"`
	Prefix      string    `json:"prefix"`
}

// AllocateNumber numbers the complaint in the year it was received, in the
// organisation's time zone (a complaint received on 31 December at 23:30 in
// Shanghai belongs to that year, whatever UTC says).
func (a *Activities) AllocateNumber(ctx context.Context, req NumberRequest) (string, error) {
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	return a.Store.AllocateNumber(ctx, req.ComplaintID, req.Prefix, req.ReceivedAt.In(loc).Year())
}

// Snapshot is the complaint's state after a change, with the timeline events the
// change added.
type Snapshot struct {
	Complaint      complaint.Complaint `json:"complaint"`
	Events         []complaint.Event   `json:"events"`
	IdempotencyKey string              `json:"idempotency_key,omitempty"`
	RequestHash    string              `json:"request_hash,omitempty"`
	// Cause names what made the change: the Update's ID, or "workflow" for
	// the workflow's own timers (empty from workflows older than the field).
	Cause string `json:"cause,omitempty"`
	// TimelineLen is the timeline's length after the change.
	TimelineLen int `json:"timeline_len,omitempty"`
}

// SaveComplaint writes the snapshot to the read model, idempotently, and
// tells whoever its new escalations reach. It runs as a local activity, before
// the workflow task that made the change is committed: the row stays
// provisional until the change is known to be committed (the API confirms
// the Updates it sent, the reconciler the rest, see app.Reconcile), and a
// committed state of the same version replaces it.
func (a *Activities) SaveComplaint(ctx context.Context, s Snapshot) error {
	if _, err := a.Store.WriteComplaint(ctx, store.ComplaintWrite{
		Complaint: s.Complaint, Events: s.Events, IdempotencyKey: s.IdempotencyKey, RequestHash: s.RequestHash,
		Provenance: store.Provenance{Cause: s.Cause, TimelineLen: s.TimelineLen},
	}); err != nil {
		return err
	}
	if err := a.notifyCustomer(ctx, s); err != nil {
		return err
	}
	if err := a.complaintEvents(ctx, s); err != nil {
		return err
	}
	if err := a.notifyNewWork(ctx, s); err != nil {
		return err
	}
	return a.notifyComplaintEscalations(ctx, s)
}

// LoadCalendar returns the named working calendar, from the read model when an
// administrator has stored one, else the shipped default.
func (a *Activities) LoadCalendar(ctx context.Context, name string) (calendar.Calendar, error) {
	return a.Store.Calendar(ctx, name)
}
