package survey

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// FieldError is an input that names the field it is wrong about, so a form or
// an import report can point at the cell to fix.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// within prefixes a nested error's field with where it sits, e.g. scale →
// questionnaire.scale.levels[1].score.
func within(prefix string, err error) error {
	if err == nil {
		return nil
	}
	if fe, ok := err.(*FieldError); ok {
		return &FieldError{Field: prefix + "." + fe.Field, Message: fe.Message}
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// Text limits keep records printable on a form and a cycle's history small.
const (
	maxShortText = 200
	maxLongText  = 10_000
)

func required(field, v string, max int) *FieldError {
	if strings.TrimSpace(v) == "" {
		return fieldErr(field, "is required")
	}
	return optional(field, v, max)
}

func optional(field, v string, max int) *FieldError {
	if !utf8.ValidString(v) {
		return fieldErr(field, "is not valid UTF-8")
	}
	if utf8.RuneCountInString(v) > max {
		return fieldErr(field, "must be at most %d characters", max)
	}
	return nil
}

// firstErr returns the first non-nil error; typed so a nil *FieldError stays nil.
func firstErr(errs ...*FieldError) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func oneOf[T comparable](v T, valid []T) bool {
	for _, x := range valid {
		if x == v {
			return true
		}
	}
	return false
}

func names[T ~string](valid []T) string {
	s := make([]string, len(valid))
	for i, v := range valid {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
