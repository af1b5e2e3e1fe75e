package app

import (
	"errors"
	"fmt"
)

// Code classifies why an operation refused: each face turns it into its own
// terms (the API into a status, the console into words), never the message.
type Code string

// The codes an operation answers with.
const (
	// Invalid: the input is wrong; Field names where (a JSON path, a header
	// or query parameter name).
	Invalid Code = "invalid"
	// Forbidden: the actor may not; the message says who may.
	Forbidden Code = "forbidden"
	// NotFound: no such record.
	NotFound Code = "not_found"
	// Conflict: the record is not in a state to do this, or changed since it
	// was read; the message says what it waits for.
	Conflict Code = "conflict"
	// Unavailable: a service behind the operation did not answer in time;
	// the operation may or may not have taken effect.
	Unavailable Code = "unavailable"
)

// Error is an operation's refusal.
type Error struct {
	Code    Code
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Refuse builds a refusal; the message is formatted.
func Refuse(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// As finds an operation's refusal in err.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
