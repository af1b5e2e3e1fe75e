package worker

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/email"
	"github.com/cxflow/cxflow/robot"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/webhook"
)

// The read-model reconciler (app.Reconcile) looks every reconcileInterval at
// the rows workflows wrote at least reconcileGrace ago that no answered
// Update confirmed: the workflows' own timers' writes, and writes of tasks
// that were lost. The grace leaves the API time to confirm what it sent.
const (
	reconcileInterval = 2 * time.Second
	reconcileGrace    = 5 * time.Second
)

// dispatchInterval is how often the dispatcher looks for e-mails to deliver
// (app.Dispatch): the longest a new message waits before its delivery starts.
const dispatchInterval = 500 * time.Millisecond

// webhookTimeout bounds one post to a webhook's receiver.
const webhookTimeout = 15 * time.Second

// Run polls the task queue until ctx is cancelled.
func Run(ctx context.Context, cfg config.Config, tc client.Client, pool *pgxpool.Pool, log *slog.Logger) error {
	policy, err := cfg.Policy()
	if err != nil {
		return err
	}
	acts := &activities.Activities{Store: store.New(pool), Temporal: tc, Policy: policy, Location: cfg.Location, PublicURL: cfg.PublicURL}
	if cfg.Secrets != nil {
		acts.Links = cfg.Secrets.Links
	}
	channels := []string{"webhook", "robot"}
	if cfg.SMTP != nil {
		if acts.Mail, err = email.NewSender(*cfg.SMTP, cfg.MailFrom); err != nil {
			return err
		}
		channels = append(channels, "email")
	}
	if cfg.Secrets != nil {
		acts.Keyring = cfg.Secrets.Keyring
	}
	acts.Webhooks = webhook.NewSender(cfg.WebhookAllowPrivate, webhookTimeout)
	acts.Robots = robot.NewSender(webhook.Client(cfg.WebhookAllowPrivate, webhookTimeout))
	// A release's new holiday years reach the stored calendar and the open
	// complaints before the worker takes work (see app.AdoptShippedHolidays).
	ops := &app.App{Temporal: tc, Store: acts.Store, TaskQueue: cfg.TaskQueue, Log: log, DeliveryChannels: channels}
	if _, err := ops.AdoptShippedHolidays(ctx, time.Now().In(cmp.Or(cfg.Location, time.Local))); err != nil {
		return fmt.Errorf("adopt the shipped holidays: %w", err)
	}
	// Rows a lost workflow task wrote are repaired from the workflows.
	go ops.RunReconciler(ctx, reconcileInterval, reconcileGrace)
	// Webhook events and robot messages are delivered always, the outbox's
	// e-mails when a mail
	// server is configured; without one they wait, pending, for a relay or
	// the staff.
	go ops.RunDispatcher(ctx, dispatchInterval)
	if acts.Mail != nil {
		log.Info("delivering e-mail", "smtp", cfg.SMTP.String(), "from", cfg.MailFrom)
	}
	w := New(tc, cfg.TaskQueue, acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker on %s: %w", cfg.TaskQueue, err)
	}
	log.Info("worker started", "task_queue", cfg.TaskQueue, "policy", policy.Version)
	<-ctx.Done()
	w.Stop()
	log.Info("worker stopped")
	return nil
}
