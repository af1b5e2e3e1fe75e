// Package app holds cxflow's operations: what the API, the console and the
// programs' start-up do, independent of HTTP and HTML. An operation talks to
// Temporal and the read model; the faces only translate in and out.
package app

import (
	"log/slog"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/email"
	"github.com/cxflow/cxflow/payloadcrypt"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// App is the operations over one Temporal namespace and one database.
type App struct {
	Temporal  client.Client
	Store     *store.Store
	TaskQueue string
	Log       *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Links signs customers' links, valid for LinkTTL, pointing at PublicURL.
	Links     *auth.Links
	LinkTTL   time.Duration
	PublicURL string
	// MessageRetry is how an e-mail's delivery retries (the defaults when zero).
	MessageRetry workflows.MessageRetry
	// DeliveryChannels are the outbox channels cxflow delivers itself.
	DeliveryChannels []string
	// Keyring seals secrets kept at rest (webhooks' signing secrets);
	// WebhookAllowPrivate lets webhooks target private addresses.
	Keyring             *payloadcrypt.Keyring
	WebhookAllowPrivate bool
	// Mail sends e-mail (nil without a mail server): used here only for an
	// administrator's test; the worker delivers the outbox.
	Mail *email.Sender
	// Policy is the configured SLA policy, active while none is stored (the
	// built-in defaults when unset).
	Policy complaint.Policy

	// repairs counts read-model rows repaired from their workflow.
	repairs atomic.Int64
	// hours caches compiled calendars.
	hours hoursCache
}
