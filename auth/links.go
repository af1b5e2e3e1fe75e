package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Links signs and checks customer-facing links (callback confirmation, later
// surveys): the link carries what it is for, whom it concerns and when it
// expires, under an HMAC. Nothing is stored; a forged or expired link is
// refused without a lookup.
type Links struct {
	keys   map[string][]byte
	active string
}

// ErrLinkInvalid covers forged, malformed, expired and wrong-purpose links alike:
// the customer learns nothing more than "this link does not work".
var ErrLinkInvalid = errors.New("link is not valid or has expired")

// NewLinks uses key (at least 32 bytes) under an ID; older keys keep verifying
// links issued before a rotation.
func NewLinks(activeID string, active []byte, older map[string][]byte) (*Links, error) {
	if len(active) < 32 {
		return nil, fmt.Errorf("link signing key %q must be at least 32 bytes", activeID)
	}
	l := &Links{keys: map[string][]byte{activeID: active}, active: activeID}
	for id, k := range older {
		if len(k) < 32 {
			return nil, fmt.Errorf("link signing key %q must be at least 32 bytes", id)
		}
		l.keys[id] = k
	}
	return l, nil
}

type linkClaims struct {
	Purpose string `json:"p"`
	Subject string `json:"s"`
	Expires int64  `json:"e"`
	KeyID   string `json:"k"`
}

// Sign returns a link token for purpose and subject, valid until expires.
func (l *Links) Sign(purpose, subject string, expires time.Time) string {
	claims, _ := json.Marshal(linkClaims{Purpose: purpose, Subject: subject, Expires: expires.Unix(), KeyID: l.active})
	body := base64.RawURLEncoding.EncodeToString(claims)
	return body + "." + base64.RawURLEncoding.EncodeToString(l.mac(l.keys[l.active], body))
}

func (l *Links) mac(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// Verify returns the subject of a live link issued for purpose.
func (l *Links) Verify(token, purpose string, now time.Time) (string, error) {
	body, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", ErrLinkInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", ErrLinkInvalid
	}
	var c linkClaims
	if json.Unmarshal(raw, &c) != nil {
		return "", ErrLinkInvalid
	}
	key, ok := l.keys[c.KeyID]
	if !ok {
		return "", ErrLinkInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, l.mac(key, body)) {
		return "", ErrLinkInvalid
	}
	if c.Purpose != purpose || now.Unix() >= c.Expires {
		return "", ErrLinkInvalid
	}
	return c.Subject, nil
}
