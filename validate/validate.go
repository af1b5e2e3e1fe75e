// Package validate holds the input checks every domain package shares: an
// error that names the field it is about (so the API answers 400 with that
// field, and a form shows the message beside it) and the text checks.
package validate

import (
	"fmt"
	"net/mail"
	"regexp"
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
	// Rule names the check that failed, with its bounds, so that a face
	// can say it in its own language; empty when only the message says it.
	Rule Rule `json:"rule,omitempty"`
	Min  int  `json:"min,omitempty"`
	Max  int  `json:"max,omitempty"`
}

func (e *Error) Error() string { return e.Field + ": " + e.Message }

// Rule is a check an input can fail.
type Rule string

// The checks the domain packages share.
const (
	// RuleRequired: blank or missing; Max, when set, is the text limit too.
	RuleRequired Rule = "required"
	// RuleTooLong: more than Max characters.
	RuleTooLong Rule = "too_long"
	// RuleEncoding: not valid UTF-8.
	RuleEncoding Rule = "encoding"
	// RuleFuture: a time that must lie ahead.
	RuleFuture Rule = "future"
	// RuleOneOf: not one of the values the field takes.
	RuleOneOf Rule = "one_of"
	// RuleRange: not a whole number from Min to Max.
	RuleRange Rule = "range"
	// RuleBool: not true or false.
	RuleBool Rule = "bool"
	// RuleEmail: not an e-mail address (name@example.com).
	RuleEmail Rule = "email"
	// RuleMobile: not a mobile number (13812345678, +86 138 1234 5678, +44…).
	RuleMobile Rule = "mobile"
)

// Errorf is an error about field that only its message explains.
func Errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Required checks a text that must not be blank nor longer than max runes.
func Required(field, v string, max int) *Error {
	if strings.TrimSpace(v) == "" {
		return &Error{Field: field, Message: "is required", Rule: RuleRequired}
	}
	return Optional(field, v, max)
}

// Missing is a required value left out, its message saying more about it.
func Missing(field, format string, args ...any) *Error {
	return &Error{Field: field, Message: fmt.Sprintf(format, args...), Rule: RuleRequired}
}

// RequiredWithin is a blank text whose limit the message gives as well.
func RequiredWithin(field string, max int) *Error {
	return &Error{Field: field, Message: fmt.Sprintf("is required (at most %d characters)", max), Rule: RuleRequired, Max: max}
}

// Optional checks a text that may be blank but not longer than max runes.
func Optional(field, v string, max int) *Error {
	if !utf8.ValidString(v) {
		return &Error{Field: field, Message: "is not valid UTF-8", Rule: RuleEncoding}
	}
	if utf8.RuneCountInString(v) > max {
		return &Error{Field: field, Message: fmt.Sprintf("must be at most %d characters", max), Rule: RuleTooLong, Max: max}
	}
	return nil
}

// OneOf is a value the field does not take; values are the ones it does.
func OneOf(field string, values ...string) *Error {
	return &Error{Field: field, Message: "must be one of " + strings.Join(values, ", "), Rule: RuleOneOf}
}

// Choice is a value the field does not take, of the typed values it does.
func Choice[T ~string](field string, valid []T) *Error {
	values := make([]string, len(valid))
	for i, v := range valid {
		values[i] = string(v)
	}
	return OneOf(field, values...)
}

// Email checks an optional e-mail address: a bare address, no display name,
// at most 254 characters (RFC 5321's path limit).
func Email(field, v string) *Error {
	if v == "" {
		return nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v || len(v) > 254 || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
		return &Error{Field: field, Message: "must be an e-mail address such as name@example.com", Rule: RuleEmail}
	}
	return nil
}

// mobilePattern: a mainland mobile number (11 digits from 1[3-9]), with or
// without +86, or an international number in E.164 (+ and 8–15 digits).
var mobilePattern = regexp.MustCompile(`^(?:(?:\+86)?1[3-9][0-9]{9}|\+[1-9][0-9]{7,14})$`)

// Mobile checks an optional mobile number; spaces and hyphens are allowed
// between digits. NormalMobile is the form to store.
func Mobile(field, v string) *Error {
	if v == "" || mobilePattern.MatchString(NormalMobile(v)) {
		return nil
	}
	return &Error{Field: field, Message: "must be a mobile number such as 13812345678 or +8613812345678", Rule: RuleMobile}
}

// NormalMobile is a mobile number without its spaces and hyphens.
func NormalMobile(v string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(v))
}

// Future is a time that must lie ahead.
func Future(field string) *Error {
	return &Error{Field: field, Message: "must be in the future", Rule: RuleFuture}
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
		nested := *fe
		nested.Field = prefix + "." + fe.Field
		return &nested
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
