package app

import (
	"errors"
	"fmt"

	"github.com/cxflow/cxflow/validate"
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
	// Rule, with Min and Max, is the input check an invalid refusal failed,
	// for a face that words it in its own language (the console in
	// Chinese); empty where only Message says it.
	Rule     validate.Rule
	Min, Max int
}

func (e *Error) Error() string { return e.Message }

// Refuse builds a refusal; the message is formatted.
func Refuse(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// invalidInput is a domain check's failure as a refusal, message as given.
func invalidInput(fe *validate.Error, message string) *Error {
	return &Error{Code: Invalid, Field: fe.Field, Message: message, Rule: fe.Rule, Min: fe.Min, Max: fe.Max}
}

// outOfRange refuses a whole-number parameter outside min..max.
func outOfRange(field string, min, max int) *Error {
	return &Error{Code: Invalid, Field: field, Rule: validate.RuleRange, Min: min, Max: max,
		Message: fmt.Sprintf("%s must be a whole number from %d to %d", field, min, max)}
}

// tooLong refuses a text parameter longer than max characters.
func tooLong(field string, max int) *Error {
	return &Error{Code: Invalid, Field: field, Rule: validate.RuleTooLong, Max: max,
		Message: fmt.Sprintf("%s must be at most %d characters", field, max)}
}

// notOneOf refuses a parameter that takes only the values listed (message
// as given, since each words its list its own way).
func notOneOf(field, message string) *Error {
	return &Error{Code: Invalid, Field: field, Rule: validate.RuleOneOf, Message: message}
}

// As finds an operation's refusal in err.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
