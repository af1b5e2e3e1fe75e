// Package validate holds the input checks every domain package shares: an
// error that names the field it is about (so the API answers 400 with that
// field, and a form shows the message beside it) and the text checks.
package validate

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text limits keep records printable on a form and histories small.
const (
	MaxShortText = 200
	MaxLongText  = 10_000
)

// Error is an input that names the field it is wrong about.
type Error struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Field + ": " + e.Message }

// Errorf is an error about field.
func Errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Required checks a text that must not be blank nor longer than max runes.
func Required(field, v string, max int) *Error {
	if strings.TrimSpace(v) == "" {
		return Errorf(field, "is required")
	}
	return Optional(field, v, max)
}

// Optional checks a text that may be blank but not longer than max runes.
func Optional(field, v string, max int) *Error {
	if !utf8.ValidString(v) {
		return Errorf(field, "is not valid UTF-8")
	}
	if utf8.RuneCountInString(v) > max {
		return Errorf(field, "must be at most %d characters", max)
	}
	return nil
}

// First is the first non-nil error; typed, so a nil *Error stays a nil error.
func First(errs ...*Error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Within prefixes a nested error's field with where it sits, e.g. scale →
// questionnaire.scale.levels[1].score; other errors are wrapped.
func Within(prefix string, err error) error {
	if err == nil {
		return nil
	}
	if fe, ok := err.(*Error); ok {
		return &Error{Field: prefix + "." + fe.Field, Message: fe.Message}
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
