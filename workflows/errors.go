package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/cxflow/cxflow/complaint"
)

// Error types carried by rejected updates; the server maps them to HTTP statuses
// in one place (400, 409, 403).
const (
	ErrInvalidArgument = "InvalidArgument"
	ErrWrongState      = "WrongState"
	ErrForbidden       = "Forbidden"
)

// invalid wraps an input error; a FieldError travels as the error's details so
// the API can name the field.
func invalid(err error) error {
	var fe *complaint.FieldError
	if errors.As(err, &fe) {
		return temporal.NewNonRetryableApplicationError(fe.Error(), ErrInvalidArgument, nil, *fe)
	}
	return temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalidArgument, nil)
}

func wrongState(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrWrongState, nil)
}

// forbidden wraps a permission refusal.
func forbidden(err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), ErrForbidden, nil)
}
