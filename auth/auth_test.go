package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("正确的密码 horse battery")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$"))
	ok, err := CheckPassword(h, "正确的密码 horse battery")
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = CheckPassword(h, "wrong")
	require.NoError(t, err)
	require.False(t, ok)
	h2, _ := HashPassword("正确的密码 horse battery")
	require.NotEqual(t, h, h2, "salted")
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		_, err := CheckPassword(bad, "x")
		require.ErrorIs(t, err, ErrBadHash, bad)
	}
}

func TestTokens(t *testing.T) {
	tok, hash, err := NewToken(SessionPrefix)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(tok, "cxs_"))
	require.Equal(t, hash, HashToken(tok))
	tok2, _, _ := NewToken(SessionPrefix)
	require.NotEqual(t, tok, tok2)
}

func TestLinks(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	l, err := NewLinks("k1", key, nil)
	require.NoError(t, err)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tok := l.Sign("callback", "c-1", now.Add(time.Hour))
	sub, err := l.Verify(tok, "callback", now)
	require.NoError(t, err)
	require.Equal(t, "c-1", sub)

	_, err = l.Verify(tok, "callback", now.Add(time.Hour))
	require.ErrorIs(t, err, ErrLinkInvalid, "expired")
	_, err = l.Verify(tok, "survey", now)
	require.ErrorIs(t, err, ErrLinkInvalid, "wrong purpose")
	// Another complaint's subject under the original signature.
	_, sig, _ := strings.Cut(tok, ".")
	otherBody, _, _ := strings.Cut(l.Sign("callback", "c-2", now.Add(time.Hour)), ".")
	forged := otherBody + "." + sig
	_, err = l.Verify(forged, "callback", now)
	require.ErrorIs(t, err, ErrLinkInvalid, "forged")
	other, _ := NewLinks("k1", []byte(strings.Repeat("x", 32)), nil)
	_, err = other.Verify(tok, "callback", now)
	require.ErrorIs(t, err, ErrLinkInvalid, "signed with another key")
	for _, junk := range []string{"", ".", "abc", "a.b", tok + "x"} {
		_, err = l.Verify(junk, "callback", now)
		require.ErrorIs(t, err, ErrLinkInvalid, junk)
	}
	// After a rotation, links signed with the old key still work.
	rotated, err := NewLinks("k2", []byte(strings.Repeat("n", 32)), map[string][]byte{"k1": key})
	require.NoError(t, err)
	_, err = rotated.Verify(tok, "callback", now)
	require.NoError(t, err)
	_, err = NewLinks("short", []byte("short"), nil)
	require.Error(t, err)
}
