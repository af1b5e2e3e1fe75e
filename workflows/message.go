package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/activities"
)

// SendMessageWorkflow delivers one outbox message (issue #12). Each message
// has a workflow of its own, so nothing that grows with the messages — a
// survey's thousands of invitations — passes through one history, and a
// message's retries and backoff are Temporal's: a worker crash or restart
// resumes them, never losing the message.
const SendMessageWorkflow = "SendMessage"

// MessageWorkflowID is the business key of a message's delivery: starting it
// twice while it runs is refused, so one message has one delivery at a time.
func MessageWorkflowID(notificationID int64) string { return fmt.Sprintf("message:%d", notificationID) }

// MessageDelivery is the workflow's input.
type MessageDelivery struct {
	NotificationID int64 `json:"notification_id"`
	// Retry is how the delivery tries again after a temporary failure; the
	// defaults (DefaultMessageRetry) when zero.
	Retry MessageRetry `json:"retry,omitempty"`
}

// MessageRetry is the delivery's retry policy: policy, not code.
type MessageRetry struct {
	// FirstWait is the wait before the second attempt, doubled each time up
	// to MaxWait; Attempts bounds the tries.
	FirstWait time.Duration `json:"first_wait,omitempty"`
	MaxWait   time.Duration `json:"max_wait,omitempty"`
	Attempts  int32         `json:"attempts,omitempty"`
}

// DefaultMessageRetry tries ten times over about three hours: a mail server
// down for maintenance is waited out, a dead address gives up the same day.
var DefaultMessageRetry = MessageRetry{FirstWait: 30 * time.Second, MaxWait: 30 * time.Minute, Attempts: 10}

func (r MessageRetry) orDefault() MessageRetry {
	if r.Attempts <= 0 {
		return DefaultMessageRetry
	}
	return r
}

// MessageOutcome is how a delivery ended: sent, or failed and why.
type MessageOutcome struct {
	Sent   bool   `json:"sent"`
	Reason string `json:"reason,omitempty"`
}

// SendMessage runs the delivery activity under the retry policy; when it
// gives up (attempts used, or refused for good) the message is marked failed
// with the reason, for staff to resend from the console.
func SendMessage(ctx workflow.Context, in MessageDelivery) (MessageOutcome, error) {
	r := in.Retry.orDefault()
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: r.FirstWait, BackoffCoefficient: 2, MaximumInterval: r.MaxWait, MaximumAttempts: r.Attempts,
			NonRetryableErrorTypes: []string{activities.ErrPermanentRefusal},
		},
	})
	req := activities.MessageRequest{NotificationID: in.NotificationID}
	err := workflow.ExecuteActivity(actx, acts.DeliverMessage, req).Get(ctx, nil)
	if err == nil {
		return MessageOutcome{Sent: true}, nil
	}
	reason := err.Error()
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		reason = app.Message()
	}
	fctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: time.Minute}})
	err = workflow.ExecuteActivity(fctx, acts.FailMessage, activities.FailedMessage{NotificationID: in.NotificationID, Reason: reason}).Get(ctx, nil)
	return MessageOutcome{Reason: reason}, err
}
