package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestChecks(t *testing.T) {
	require.Nil(t, Required("name", "王芳", 10))
	require.Equal(t, "name: is required", Required("name", "  ", 10).Error())
	require.Equal(t, "name: must be at most 3 characters", Required("name", "王芳芳芳", 3).Error(), "runes, not bytes")
	require.Nil(t, Optional("note", "", 3))
	require.Equal(t, "note: is not valid UTF-8", Optional("note", "\xff", 3).Error())

	require.NoError(t, First(nil, nil), "typed nils stay a nil error")
	err := First(nil, Errorf("b", "bad %d", 2), Errorf("c", "worse"))
	var fe *Error
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "b", fe.Field)

	require.Equal(t, "q.scale: bad", Within("q", Errorf("scale", "bad")).Error())
	require.Equal(t, "q: plain", Within("q", errors.New("plain")).Error())
	require.NoError(t, Within("q", nil))
	require.True(t, strings.HasPrefix(Errorf("f", "%s", "x").Message, "x"))
}

// Each shared check names its rule and bounds, so a face can word it in its
// own language; a nested field keeps them.
func TestChecksNameTheirRule(t *testing.T) {
	for _, c := range []struct {
		err      *Error
		rule     Rule
		min, max int
		msg      string
	}{
		{Required("name", " ", 10), RuleRequired, 0, 0, "name: is required"},
		{RequiredWithin("name", 100), RuleRequired, 0, 100, "name: is required (at most 100 characters)"},
		{Missing("due_at", "is required: the deadline"), RuleRequired, 0, 0, "due_at: is required: the deadline"},
		{Optional("note", "abcd", 3), RuleTooLong, 0, 3, "note: must be at most 3 characters"},
		{Optional("note", "\xff", 3), RuleEncoding, 0, 0, "note: is not valid UTF-8"},
		{Future("due_at"), RuleFuture, 0, 0, "due_at: must be in the future"},
		{Choice("tier", []Rule{"A", "B"}), RuleOneOf, 0, 0, "tier: must be one of A, B"},
	} {
		require.Equal(t, c.rule, c.err.Rule, c.msg)
		require.Equal(t, [2]int{c.min, c.max}, [2]int{c.err.Min, c.err.Max}, c.msg)
		require.Equal(t, c.msg, c.err.Error())
	}
	var fe *Error
	require.True(t, errors.As(Within("q", Optional("note", "abcd", 3)), &fe))
	require.Equal(t, "q.note", fe.Field)
	require.Equal(t, RuleTooLong, fe.Rule)
	require.Equal(t, 3, fe.Max)
	require.Empty(t, Errorf("x", "free words").Rule, "a message alone names no rule")
}

func TestEmailAndMobile(t *testing.T) {
	for _, ok := range []string{"", "liu@example.com", "li.na+cx@corp.com.cn"} {
		require.Nil(t, Email("customer.email", ok), ok)
	}
	for _, bad := range []string{"liu", "liu@", "刘先生 <liu@example.com>", "liu@localhost", "liu@example.com, wang@example.com"} {
		e := Email("customer.email", bad)
		require.NotNil(t, e, bad)
		require.Equal(t, RuleEmail, e.Rule)
		require.Equal(t, "customer.email", e.Field)
	}
	for _, ok := range []string{"", "13812345678", "138-1234-5678", "+86 138 1234 5678", "+447700900123"} {
		require.Nil(t, Mobile("customer.mobile", ok), ok)
	}
	for _, bad := range []string{"12812345678", "1381234567", "0371-6000000", "+0123456789", "phone"} {
		e := Mobile("customer.mobile", bad)
		require.NotNil(t, e, bad)
		require.Equal(t, RuleMobile, e.Rule)
	}
	require.Equal(t, "+8613812345678", NormalMobile(" +86 138-1234-5678 "))
}
