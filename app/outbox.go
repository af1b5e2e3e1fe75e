package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
)

// The outbox (通知发件箱): what cxflow wants delivered, which a mail relay
// (through an API token) or the staff deliver and report.

// Notification is one message of the outbox; OutboxCounts tally them.
type (
	Notification = store.Notification
	OutboxCounts = store.OutboxCounts
	OutboxTally  = store.OutboxTally
)

// OutboxFilter selects messages: a status (pending, sent, failed; empty for
// any), a channel (email, task), what they are about, a position (IDs after
// or before) and an order (oldest first unless Newest). Limit is 1–1000.
type OutboxFilter = store.OutboxFilter

// NotificationPage is a page of the outbox; NextAfter (oldest first) or
// NextBefore (newest first) pages on.
type NotificationPage struct {
	Items                 []Notification
	NextAfter, NextBefore int64
}

// MaxNotificationNote bounds a report's note, in bytes.
const MaxNotificationNote = 2000

// Notifications lists a page of the outbox.
func (a *App) Notifications(ctx context.Context, by complaint.Actor, f OutboxFilter) (NotificationPage, error) {
	if err := Authorize(by, OpListNotifications); err != nil {
		return NotificationPage{}, err
	}
	if f.Status != "" && f.Status != "pending" && f.Status != "sent" && f.Status != "failed" {
		return NotificationPage{}, notOneOf("status", "status must be pending, sent or failed")
	}
	if f.Channel != "" && f.Channel != "email" && f.Channel != "task" && f.Channel != "webhook" && f.Channel != "robot" {
		return NotificationPage{}, notOneOf("channel", "channel must be email, task, webhook or robot")
	}
	if f.After < 0 {
		return NotificationPage{}, Refuse(Invalid, "after", "after must be a notification ID")
	}
	if f.Before < 0 {
		return NotificationPage{}, Refuse(Invalid, "before", "before must be a notification ID")
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > 1000 {
		return NotificationPage{}, outOfRange("limit", 1, 1000)
	}
	list, err := a.Store.Outbox(ctx, f)
	if err != nil {
		return NotificationPage{}, err
	}
	out := NotificationPage{Items: list}
	if out.Items == nil {
		out.Items = []Notification{}
	}
	if len(list) == f.Limit {
		if last := list[len(list)-1].ID; f.Newest {
			out.NextBefore = last
		} else {
			out.NextAfter = last
		}
	}
	return out, nil
}

// CountNotifications tells how much of the outbox waits and how much went
// out or failed, by channel.
func (a *App) CountNotifications(ctx context.Context, by complaint.Actor) (OutboxCounts, error) {
	if err := Authorize(by, OpCountNotifications); err != nil {
		return OutboxCounts{}, err
	}
	return a.Store.CountOutbox(ctx)
}

// NotificationReport reports a delivery: sent or failed, with a note.
// IfStatus, when given, makes it conditional: it is refused (a conflict)
// unless the message still stands so, so a colleague's report made
// meanwhile is not overwritten unseen.
type NotificationReport struct {
	Status, Note, IfStatus string
}

// MarkNotification reports a message sent or failed.
func (a *App) MarkNotification(ctx context.Context, by complaint.Actor, id int64, in NotificationReport) error {
	if err := Authorize(by, OpMarkNotification); err != nil {
		return err
	}
	if in.Status != "sent" && in.Status != "failed" {
		return notOneOf("status", "status must be sent or failed")
	}
	if len(in.Note) > MaxNotificationNote {
		return tooLong("note", MaxNotificationNote)
	}
	if in.IfStatus != "" && in.IfStatus != "pending" && in.IfStatus != "sent" && in.IfStatus != "failed" {
		return notOneOf("if_status", "if_status must be pending, sent or failed")
	}
	err := a.Store.MarkNotificationIf(ctx, id, in.Status, in.Note, in.IfStatus, a.now())
	var moved *store.NotificationMoved
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Refuse(NotFound, "", "notification not found")
	case errors.As(err, &moved):
		return &Error{Code: Conflict, Message: fmt.Sprintf("the message is %s, not %s: someone reported it meanwhile", moved.Status, in.IfStatus)}
	}
	return err
}

// Attempt is one try at delivering a message.
type Attempt = store.Attempt

// NotificationAttempts lists the tries at delivering a message, with the
// server's answers.
func (a *App) NotificationAttempts(ctx context.Context, by complaint.Actor, id int64) ([]Attempt, error) {
	if err := Authorize(by, OpMessageAttempts); err != nil {
		return nil, err
	}
	if _, err := a.Store.GetNotification(ctx, id); errors.Is(err, store.ErrNotFound) {
		return nil, Refuse(NotFound, "", "notification not found")
	} else if err != nil {
		return nil, err
	}
	return a.Store.Attempts(ctx, id)
}

// ResendNotification delivers a failed e-mail again (or one still waiting,
// at once): it goes back to pending and the dispatcher starts a new
// delivery, which keeps the message's Message-ID. A sent message, or a task
// for staff, cannot be resent.
func (a *App) ResendNotification(ctx context.Context, by complaint.Actor, id int64) error {
	if err := Authorize(by, OpResendNotification); err != nil {
		return err
	}
	err := a.Store.Redeliver(ctx, id)
	var moved *store.NotificationMoved
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Refuse(NotFound, "", "notification not found")
	case errors.As(err, &moved):
		n, gerr := a.Store.GetNotification(ctx, id)
		if gerr == nil && n.Channel != "email" {
			return Refuse(Conflict, "", "the message is a task for staff, not an e-mail: cxflow does not deliver it")
		}
		return Refuse(Conflict, "", "the message was sent already; it is not sent twice")
	}
	return err
}
