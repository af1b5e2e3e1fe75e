package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Passwords an attacker would try first: the server's own timing equaliser
// (server/auth.go), the demo password, blanks and the most common ones.
var guesses = []string{"", " ", "cxflow-timing-equaliser", "cxflow-demo", "password", "123456", "x", strings.Repeat("a", 256)}

// An empty or malformed stored hash matches no password, and checking it
// never panics (argon2 panics on zero rounds or threads).
func TestMalformedHashMatchesNothing(t *testing.T) {
	good, err := HashPassword("a real password 1")
	require.NoError(t, err)
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, bad := range map[string]string{
		"empty":                 "",
		"spaces":                "   ",
		"a dollar":              "$",
		"bcrypt":                "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":               with(1, "argon2i"),
		"text before":           "x" + good,
		"text after":            good + "$",
		"old version":           with(2, "v=16"),
		"version junk":          with(2, "v=19x"),
		"zero rounds":           with(3, "m=65536,t=0,p=2"),
		"zero threads":          with(3, "m=65536,t=3,p=0"),
		"too little memory":     with(3, "m=8,t=3,p=2"),
		"too much memory":       with(3, "m=4294967295,t=3,p=2"),
		"too many rounds":       with(3, "m=65536,t=4000000,p=2"),
		"threads out of range":  with(3, "m=65536,t=3,p=300"),
		"parameter junk":        with(3, "m=65536,t=3,p=2,x=1"),
		"no salt":               with(4, ""),
		"short salt":            with(4, "AAAA"),
		"salt not base64":       with(4, "!!!!!!!!!!!!!!!!!!!!!!"),
		"no key":                with(5, ""),
		"short key":             with(5, "AAAAAAAA"),
		"key not base64":        with(5, "%%%%"),
		"key with base64 pad":   with(5, parts[5]+"="),
		"only the parameters":   "$argon2id$v=19$m=65536,t=3,p=2",
		"too many parts":        good + "$AA",
		"the key as the hash":   parts[5],
		"the encoded as a salt": with(4, good),
	} {
		for _, pw := range append(guesses, "a real password 1") {
			var ok bool
			var err error
			require.NotPanics(t, func() { ok, err = CheckPassword(bad, pw) }, name)
			require.False(t, ok, "%s matched %q", name, pw)
			require.ErrorIs(t, err, ErrBadHash, name)
		}
	}
	ok, err := CheckPassword(good, "a real password 1")
	require.NoError(t, err)
	require.True(t, ok, "the well-formed hash still matches")
}

// NoPassword is well formed — checking it costs a full Argon2id run, as a
// real hash does — and matches no password.
func TestNoPasswordMatchesNothing(t *testing.T) {
	require.True(t, strings.HasPrefix(NoPassword, "$argon2id$v=19$m=65536,t=3,p=2$"))
	for _, pw := range guesses {
		ok, err := CheckPassword(NoPassword, pw)
		require.NoError(t, err, "well formed")
		require.False(t, ok, pw)
	}
}

func TestCommonPasswords(t *testing.T) {
	for _, pw := range []string{
		"1234567890", "qwertyuiop", "QwertyUiop", " 1q2w3e4r5t ", "woaini1314", "a123456789", "1qaz2wsx3edc",
		"Password2024!", "password123456", "P@ssw0rd2026", "Admin@123456", "welcome@2025", "iloveyou!!!!", "Dragon 2024",
		"5201314520", "meiyoumima123",
	} {
		require.True(t, CommonPassword(pw), pw)
	}
	for _, pw := range []string{
		"correct horse battery", "tester-password-1", "first-password-1", "long-enough-1", "cxflow-demo",
		"my-dragon-2024", "dragonfly-2024", "abc1234567", "密码密码密码密码密码", "1234567890x", "", "admins2024",
	} {
		require.False(t, CommonPassword(pw), pw)
	}
	// Every listed password is lower case and listed once.
	seen := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		require.Equal(t, strings.ToLower(strings.TrimSpace(line)), line)
		require.False(t, seen[line], "%s twice", line)
		seen[line] = true
		require.True(t, CommonPassword(line), line)
	}
	require.GreaterOrEqual(t, len(seen), 100)
}
