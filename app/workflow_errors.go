package app

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/workflows"
)

// UnavailableMessage is what a refusal says when Temporal did not answer.
const UnavailableMessage = "the workflow engine did not answer in time (busy or unreachable): the action may or may not " +
	"have taken effect; retry with the same Idempotency-Key, which never applies it twice, or read the record before retrying without one"

// WorkflowRefusal turns what Temporal answered into a refusal: a validator's
// typed rejection into invalid (naming its field), conflict or forbidden; an
// unknown workflow into not found; no answer in time into unavailable.
// Anything else is returned as it is: a failure of ours.
func WorkflowRefusal(err error) error {
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &app):
		switch app.Type() {
		case workflows.ErrInvalidArgument:
			var fe complaint.FieldError
			if app.HasDetails() && app.Details(&fe) == nil {
				return invalidInput(&fe, fe.Error())
			}
			return &Error{Code: Invalid, Message: app.Message()}
		case workflows.ErrWrongState:
			return &Error{Code: Conflict, Message: app.Message()}
		case workflows.ErrForbidden:
			return &Error{Code: Forbidden, Message: app.Message()}
		}
		return err
	case errors.As(err, &notFound):
		return &Error{Code: NotFound, Message: "complaint not found"}
	case Unanswered(err):
		return &Error{Code: Unavailable, Message: UnavailableMessage}
	}
	return err
}

// Unanswered tells a request that Temporal did not answer — the request's
// time ran out, the update's wait was cut, the server is down or overloaded —
// from a failure of ours. The SDK wraps a timed-out update in
// WorkflowUpdateServiceTimeoutOrCanceledError around a gRPC status, which a
// check for context.DeadlineExceeded alone misses.
func Unanswered(err error) bool {
	var (
		updateTimeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
		down          *serviceerror.Unavailable
		deadline      *serviceerror.DeadlineExceeded
		exhausted     *serviceerror.ResourceExhausted
		canceled      *serviceerror.Canceled
	)
	if errors.As(err, &updateTimeout) || errors.As(err, &down) || errors.As(err, &deadline) ||
		errors.As(err, &exhausted) || errors.As(err, &canceled) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	switch status.Code(errors.Unwrap(err)) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Canceled:
		return true
	}
	return status.Code(err) == codes.Unavailable || status.Code(err) == codes.DeadlineExceeded
}
