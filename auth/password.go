// Package auth holds sign-in's primitives: password hashing, bearer tokens and
// signed customer links. No I/O.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended set, with a smaller
// memory cost that suits a 2-core server signing in people, not attackers).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// hashSlots bounds the Argon2id computations that run at once: each takes
// argonMemory (64 MiB), so a burst of sign-ins waits its turn instead of
// exhausting the server's memory. Two per core keeps the cores busy.
var hashSlots = make(chan struct{}, max(2, 2*runtime.GOMAXPROCS(0)))

// idKey is argon2.IDKey in one of the slots.
func idKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// HashPassword returns an encoded Argon2id hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash is returned for a stored hash this package cannot read.
var ErrBadHash = errors.New("stored password hash is malformed")

// Bounds a stored hash's parameters must keep to. A hash outside them is
// malformed (ErrBadHash) and matches nothing: argon2 panics on zero rounds or
// threads, and a huge memory or time cost would exhaust the server.
const (
	maxArgonMemory = 1 << 20 // KiB (1 GiB)
	maxArgonTime   = 64
	minSaltLen     = 8
	minKeyLen      = 16
	maxKeyLen      = 1024
)

// NoPassword is the stored hash of an account without a password (one that
// signs in through the identity provider only, or a service account): a
// well-formed Argon2id hash with today's parameters whose salt and key are
// all zeros. No password is known to hash to it, and finding one would mean
// inverting Argon2id. Checking a password against it costs as much as
// against a real hash, so response times do not tell such accounts apart.
var NoPassword = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
	base64.RawStdEncoding.EncodeToString(make([]byte, saltLen)), base64.RawStdEncoding.EncodeToString(make([]byte, argonKeyLen)))

// argonHash is a decoded hash.
type argonHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parseHash reads an encoded hash strictly: exactly the form HashPassword
// writes, with parameters within bounds. An empty string is malformed.
func parseHash(encoded string) (argonHash, error) {
	var h argonHash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version ||
		parts[2] != fmt.Sprintf("v=%d", version) {
		return h, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memory, &h.time, &h.threads); err != nil ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", h.memory, h.time, h.threads) {
		return h, ErrBadHash
	}
	if h.time < 1 || h.time > maxArgonTime || h.threads < 1 || h.memory < 8*uint32(h.threads) || h.memory > maxArgonMemory {
		return h, ErrBadHash
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(h.salt) < minSaltLen {
		return h, ErrBadHash
	}
	if h.key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(h.key) < minKeyLen || len(h.key) > maxKeyLen {
		return h, ErrBadHash
	}
	return h, nil
}

// CheckPassword reports whether password matches the encoded hash, in
// constant time. The parameters are read from the hash, so raising them later
// leaves existing passwords valid. A malformed hash — the empty string
// included — matches no password: the answer is false with ErrBadHash.
func CheckPassword(encoded, password string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := idKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1, nil
}

// Token prefixes tell a session from an API token at a glance (and let secret
// scanners find leaked ones).
const (
	SessionPrefix = "cxs_"
	APIPrefix     = "cxa_"
)

// NewToken returns a random bearer token with the prefix, and the hash to store.
func NewToken(prefix string) (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("new token: %w", err)
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is how tokens are looked up: tokens are random, so a plain SHA-256
// suffices (no salt or slow hash needed).
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
