package app

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/workflows"
)

// Delivering the outbox's e-mail (issue #12): a message is written to the
// outbox in the transaction that decides it (store.Enqueue, inside an
// activity); the dispatcher then starts its delivery workflow
// (workflows.SendMessage). A crash between the two leaves the message
// pending without a delivery, and the next pass starts it: none is lost.

// DispatchResult counts one dispatcher pass.
type DispatchResult struct {
	Started int
	Failed  int
}

// Dispatch starts the delivery of every pending message of the delivery
// channels (DeliveryChannels: webhook, and email with a mail server) that
// has none yet.
// Starting one twice is harmless: the workflow ID is the message's, and a
// delivery already running is left to finish; one that finished leaves the
// message sent or failed, which a new delivery does not send again.
func (a *App) Dispatch(ctx context.Context) (DispatchResult, error) {
	var res DispatchResult
	channels := a.DeliveryChannels
	if len(channels) == 0 {
		return res, nil
	}
	ids, err := a.Store.Undispatched(ctx, channels, 500)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: workflows.MessageWorkflowID(id), TaskQueue: a.TaskQueue,
			WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		}, workflows.SendMessageWorkflow, workflows.MessageDelivery{NotificationID: id, Retry: a.MessageRetry})
		var running *serviceerror.WorkflowExecutionAlreadyStarted
		if err != nil && !errors.As(err, &running) {
			res.Failed++
			a.Log.Warn("message delivery not started", "notification", id, "err", err)
			continue
		}
		if err := a.Store.MarkDispatched(ctx, id, a.now()); err != nil {
			return res, err
		}
		res.Started++
	}
	return res, nil
}

// RunDispatcher dispatches every interval until ctx ends.
func (a *App) RunDispatcher(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if res, err := a.Dispatch(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("message dispatch failed", "err", err)
		} else if res.Started > 0 || res.Failed > 0 {
			a.Log.Debug("messages dispatched", "started", res.Started, "failed", res.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
