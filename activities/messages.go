package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/cxflow/cxflow/email"
	"github.com/cxflow/cxflow/payloadcrypt"
	"github.com/cxflow/cxflow/robot"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/webhook"
)

// ErrPermanentRefusal types a delivery the server refused for good: retrying
// it cannot help, so the workflow stops and records the reason.
const ErrPermanentRefusal = "delivery.permanent"

// MessageRequest names an outbox message to deliver.
type MessageRequest struct {
	NotificationID int64 `json:"notification_id"`
}

// DeliverMessage sends one outbox e-mail (or posts one webhook event) and
// records the attempt with the server's answer. It is safe to retry: a message already sent (by an
// earlier attempt or marked by staff) is not sent again; the one window left
// — the server accepted, the record was lost — sends a copy under the same
// Message-ID, which receivers drop.
func (a *Activities) DeliverMessage(ctx context.Context, req MessageRequest) error {
	n, err := a.Store.GetNotification(ctx, req.NotificationID)
	if err != nil {
		return err
	}
	if n.Status != "pending" || (n.Channel != "email" && n.Channel != "webhook" && n.Channel != "robot") {
		return nil
	}
	if n.Channel == "email" && a.Mail == nil {
		return temporal.NewNonRetryableApplicationError("no mail server is configured (CXFLOW_SMTP_URL)", ErrPermanentRefusal, nil)
	}
	attempt, err := a.Store.BeginAttempt(ctx, n.ID)
	if err != nil {
		return err
	}
	var answer, note string
	var permanent bool
	var sendErr error
	switch n.Channel {
	case "email":
		m := a.mailOf(n)
		sendErr = a.Mail.Send(ctx, m)
		answer, note = "accepted by "+a.Mail.Server().String(), "Message-ID <"+m.ID+">"
		var rejected *email.Rejected
		switch {
		case errors.As(sendErr, &rejected):
			answer, permanent = rejected.Reason, rejected.Permanent
		case sendErr != nil:
			answer = sendErr.Error()
		}
	case "webhook":
		answer, permanent, sendErr = a.deliverWebhook(ctx, n)
		if sendErr != nil && answer == "" {
			answer = sendErr.Error()
		}
		note = "answered " + answer
	case "robot":
		answer, permanent, sendErr = a.deliverRobot(ctx, n)
		if sendErr != nil && answer == "" {
			answer = sendErr.Error()
		}
		note = "answered " + answer
	}
	rec := store.Attempt{Attempt: attempt, At: time.Now(), Outcome: store.AttemptAccepted, Answer: answer}
	switch {
	case sendErr != nil && permanent:
		rec.Outcome = store.AttemptPermanent
	case sendErr != nil:
		rec.Outcome = store.AttemptTemporary
	}
	// Recorded even if the activity's time ran out: the attempt was made.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := a.Store.RecordAttempt(rctx, n.ID, rec, capReason(note)); err != nil {
		return err
	}
	switch rec.Outcome {
	case store.AttemptPermanent:
		return temporal.NewNonRetryableApplicationError(rec.Answer, ErrPermanentRefusal, sendErr)
	case store.AttemptTemporary:
		return fmt.Errorf("deliver notification %d (attempt %d): %w", n.ID, attempt, sendErr)
	}
	return nil
}

// FailedMessage is a message whose delivery gave up, and why.
type FailedMessage struct {
	NotificationID int64  `json:"notification_id"`
	Reason         string `json:"reason"`
}

// FailMessage marks a message failed with the reason, unless it was sent or
// marked meanwhile.
func (a *Activities) FailMessage(ctx context.Context, f FailedMessage) error {
	err := a.Store.MarkNotificationIf(ctx, f.NotificationID, "failed", capReason(f.Reason), "pending", time.Now())
	var moved *store.NotificationMoved
	if errors.As(err, &moved) {
		return nil
	}
	return err
}

func capReason(s string) string {
	const max = 1000
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// mailOf is the e-mail of an outbox message: its Message-ID derived from the
// message's key (the same on every attempt and resend), threaded under the
// record it concerns (a complaint's mails in one conversation).
func (a *Activities) mailOf(n store.Notification) email.Message {
	domain := a.Mail.Domain()
	sum := sha256.Sum256([]byte(n.Key))
	m := email.Message{
		ID:      "cxflow." + hex.EncodeToString(sum[:12]) + "@" + domain,
		To:      n.Recipient,
		Subject: n.Subject,
		Text:    n.Body,
		HTML:    htmlBody(n.Body, n.Link),
	}
	if n.Link != "" && !strings.Contains(n.Body, n.Link) {
		m.Text += "\n\n" + n.Link
	}
	if n.Related != "" {
		rel := sha256.Sum256([]byte(n.Related))
		m.InReplyTo = "cxflow.thread." + hex.EncodeToString(rel[:12]) + "@" + domain
	}
	return m
}

// htmlBody is the text as HTML: paragraphs kept, the link clickable.
func htmlBody(text, link string) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><body style="font-family:sans-serif;line-height:1.6">`)
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		p := html.EscapeString(para)
		if link != "" {
			esc := html.EscapeString(link)
			p = strings.ReplaceAll(p, esc, `<a href="`+esc+`">`+esc+`</a>`)
		}
		b.WriteString("<p>" + strings.ReplaceAll(p, "\n", "<br>") + "</p>")
	}
	if link != "" && !strings.Contains(text, link) {
		esc := html.EscapeString(link)
		b.WriteString(`<p><a href="` + esc + `">` + esc + `</a></p>`)
	}
	b.WriteString("</body></html>")
	return b.String()
}

// deliverRobot posts one message to a department's robot.
func (a *Activities) deliverRobot(ctx context.Context, n store.Notification) (answer string, permanent bool, err error) {
	r, err := a.Store.GetRobot(ctx, strings.TrimPrefix(n.Recipient, "robot:"))
	if errors.Is(err, store.ErrNotFound) {
		return "the robot was removed", true, err
	}
	if err != nil {
		return "", false, err
	}
	return PostRobot(ctx, a.Keyring, a.Robots, r, robot.Message{Title: n.Subject, Text: n.Body, Link: n.Link})
}

// PostRobot opens a robot's sealed URL and secret and posts m to it,
// answering the platform's answer and whether a refusal is for good. The
// delivery activity and the administrators' test of a robot use it.
func PostRobot(ctx context.Context, kr *payloadcrypt.Keyring, sender *robot.Sender, r store.Robot, m robot.Message) (answer string, permanent bool, err error) {
	if kr == nil || sender == nil {
		return "robots are not configured here (no keyring)", true, errors.New("no keyring")
	}
	raw, err := kr.Open(r.BoxKeyID, r.Box, "robot:"+r.ID)
	if err != nil {
		return err.Error(), true, err
	}
	var box struct{ URL, Secret string }
	err = json.Unmarshal(raw, &box)
	clear(raw)
	if err != nil {
		return "the robot's sealed settings are unreadable", true, err
	}
	answer, err = sender.Post(ctx, robot.Vendor(r.Vendor), box.URL, box.Secret, m)
	var refused *robot.Refused
	if errors.As(err, &refused) {
		return refused.Answer, refused.Permanent, err
	}
	if errors.Is(err, webhook.ErrPrivateTarget) {
		return webhook.ErrPrivateTarget.Error(), true, err
	}
	return answer, false, err
}
