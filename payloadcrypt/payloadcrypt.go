// Package payloadcrypt provides a Temporal payload codec that encrypts every
// payload with AES-256-GCM, so complaint data (customer contact details) is
// never stored in plain text in Temporal's history.
//
// Each encoded payload carries the ID of the key that encrypted it in its
// metadata, so keys can be rotated: a Keyring encrypts with one active key and
// decrypts with any key it holds.
//
// Encoded payload layout:
//
//	metadata: encoding = "binary/encrypted", encryption-key-id = <key ID>
//	data:     nonce (12 bytes) || AES-GCM ciphertext+tag of proto.Marshal(original payload)
//
// The key ID is used as additional authenticated data, so a payload cannot be
// re-labelled to be decrypted with a different key.
package payloadcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	// MetadataEncodingEncrypted is the value of the "encoding" metadata entry
	// of payloads produced by this codec.
	MetadataEncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the metadata entry naming the key that encrypted a payload.
	MetadataKeyID = "encryption-key-id"

	// EnvKeys is the environment variable holding the key spec ("id1:BASE64KEY,id2:BASE64KEY").
	EnvKeys = "CXFLOW_ENCRYPTION_KEYS"
	// EnvActiveKeyID is the environment variable naming the key used for new payloads.
	EnvActiveKeyID = "CXFLOW_ENCRYPTION_KEY_ID"

	// KeySize is the required key length in bytes (AES-256).
	KeySize = 32

	nonceSize = 12
)

// Keyring holds the encryption keys: one active key for encoding, all of them
// for decoding. A Keyring is immutable and safe for concurrent use.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
	ids    []string // sorted, for messages
}

// NewKeyring builds a Keyring from raw 32-byte keys. active names the key new
// payloads are encrypted with; it may be "" only when exactly one key is given.
// The key bytes are not retained after the ciphers are set up.
func NewKeyring(active string, keys map[string][]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("payloadcrypt: no encryption keys configured")
	}
	k := &Keyring{aeads: make(map[string]cipher.AEAD, len(keys))}
	for id, key := range keys {
		if err := validateID(id); err != nil {
			return nil, err
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("payloadcrypt: key %q must be %d bytes, got %d", id, KeySize, len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("payloadcrypt: key %q: cannot create AES cipher", id)
		}
		aead, err := cipher.NewGCMWithNonceSize(block, nonceSize)
		if err != nil {
			return nil, fmt.Errorf("payloadcrypt: key %q: cannot create AES-GCM", id)
		}
		k.aeads[id] = aead
		k.ids = append(k.ids, id)
	}
	sort.Strings(k.ids)
	if active == "" {
		if len(k.ids) != 1 {
			return nil, fmt.Errorf("payloadcrypt: active key ID must be given when there are several keys (%s)", strings.Join(k.ids, ", "))
		}
		active = k.ids[0]
	}
	if _, ok := k.aeads[active]; !ok {
		return nil, fmt.Errorf("payloadcrypt: active key ID %q is not among the configured keys (%s)", active, strings.Join(k.ids, ", "))
	}
	k.active = active
	return k, nil
}

// ParseKeys reads a key spec of the form "id1:BASE64KEY,id2:BASE64KEY".
// Keys are 32 bytes in standard or URL-safe base64, padded or not; whitespace
// around and inside entries is ignored. active names the key new payloads use;
// "" selects the last key listed. Errors identify the offending entry by
// position and ID but never include key material.
func ParseKeys(spec, active string) (*Keyring, error) {
	keys := make(map[string][]byte)
	last := ""
	n := 0
	for i, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue // tolerate trailing commas and blank lines
		}
		n++
		pos := i + 1
		id, b64, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("payloadcrypt: key entry %d: expected the form id:BASE64KEY", pos)
		}
		id = strings.TrimSpace(id)
		if err := validateID(id); err != nil {
			return nil, fmt.Errorf("payloadcrypt: key entry %d: %w", pos, err)
		}
		if _, dup := keys[id]; dup {
			return nil, fmt.Errorf("payloadcrypt: key entry %d: duplicate key ID %q", pos, id)
		}
		key, err := decodeKey(b64)
		if err != nil {
			return nil, fmt.Errorf("payloadcrypt: key entry %d (ID %q): %w", pos, id, err)
		}
		keys[id] = key
		last = id
	}
	if n == 0 {
		return nil, errors.New("payloadcrypt: key spec is empty; expected id:BASE64KEY[,id:BASE64KEY...]")
	}
	active = strings.TrimSpace(active)
	if active == "" {
		active = last
	}
	k, err := NewKeyring(active, keys)
	for _, key := range keys {
		clear(key)
	}
	return k, err
}

// decodeKey decodes a base64 key in any of the standard/URL, padded/raw
// alphabets and checks its length. Errors never contain the input.
func decodeKey(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil, errors.New("key is empty")
	}
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("key is not valid base64")
	}
	if len(key) != KeySize {
		n := len(key)
		clear(key)
		return nil, fmt.Errorf("key must be %d bytes, got %d", KeySize, n)
	}
	return key, nil
}

func validateID(id string) error {
	if id == "" {
		return errors.New("payloadcrypt: key ID is empty")
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return fmt.Errorf("payloadcrypt: key ID %q may contain only letters, digits, '.', '_' and '-'", id)
		}
	}
	return nil
}

// GenerateKey returns the standard base64 encoding of 32 random bytes,
// suitable as a key in a ParseKeys spec.
func GenerateKey() (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("payloadcrypt: generating key: %w", err)
	}
	s := base64.StdEncoding.EncodeToString(key)
	clear(key)
	return s, nil
}

// FromEnv builds a Keyring from CXFLOW_ENCRYPTION_KEYS (the key spec, see
// ParseKeys) and CXFLOW_ENCRYPTION_KEY_ID (the active key; optional, defaults
// to the last key listed).
func FromEnv() (*Keyring, error) {
	spec := os.Getenv(EnvKeys)
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("payloadcrypt: %s is not set; payload encryption needs at least one key. "+
			"Create one with `go run ./cmd/cxflow keygen` and set %s=<id>:<key> (for example k1:<key>); "+
			"optionally set %s to the ID new payloads should use (default: the last key listed)",
			EnvKeys, EnvKeys, EnvActiveKeyID)
	}
	k, err := ParseKeys(spec, os.Getenv(EnvActiveKeyID))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvKeys, err)
	}
	return k, nil
}

// ActiveID returns the ID of the key used to encrypt new payloads.
func (k *Keyring) ActiveID() string { return k.active }

// KeyIDs returns the IDs of all keys in the keyring, sorted.
func (k *Keyring) KeyIDs() []string { return append([]string(nil), k.ids...) }

// String describes the keyring without revealing key material.
func (k *Keyring) String() string {
	return fmt.Sprintf("payloadcrypt.Keyring{active: %s, keys: [%s]}", k.active, strings.Join(k.ids, " "))
}

// GoString is like String, so %#v does not dump cipher state either.
func (k *Keyring) GoString() string { return k.String() }

// Codec returns the PayloadCodec that encrypts with the active key and
// decrypts with any key in the keyring.
func (k *Keyring) Codec() converter.PayloadCodec { return &codec{k: k} }

// DataConverter returns the SDK's default data converter wrapped with Codec.
func (k *Keyring) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), k.Codec())
}

// Handler serves Temporal's remote codec protocol (POST .../encode and
// .../decode, matched by path suffix, so it may be mounted under a prefix),
// letting the Temporal Web UI and CLI show payloads decrypted. It performs no
// authentication or CORS handling; the caller must wrap it.
func Handler(k *Keyring) http.Handler { return converter.NewPayloadCodecHTTPHandler(k.Codec()) }

type codec struct{ k *Keyring }

// Encode encrypts every payload with the active key.
func (c *codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	id := c.k.active
	aead := c.k.aeads[id]
	aad := []byte(id)
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if p == nil {
			continue
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("payloadcrypt: marshaling payload: %w", err)
		}
		buf := make([]byte, nonceSize, nonceSize+len(plain)+aead.Overhead())
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("payloadcrypt: generating nonce: %w", err)
		}
		data := aead.Seal(buf, buf[:nonceSize], plain, aad)
		clear(plain)
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(MetadataEncodingEncrypted),
				MetadataKeyID:              []byte(id),
			},
			Data: data,
		}
	}
	return out, nil
}

// Decode decrypts payloads encoded by Encode; other payloads pass through
// unchanged so histories written before encryption stay readable.
func (c *codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if p == nil || string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncodingEncrypted {
			out[i] = p
			continue
		}
		idBytes, ok := p.Metadata[MetadataKeyID]
		if !ok {
			return nil, fmt.Errorf("payloadcrypt: encrypted payload has no %s metadata", MetadataKeyID)
		}
		id := string(idBytes)
		aead, ok := c.k.aeads[id]
		if !ok {
			return nil, fmt.Errorf("payloadcrypt: payload encrypted with key %q, which is not in the keyring (have: %s)", id, strings.Join(c.k.ids, ", "))
		}
		if len(p.Data) < nonceSize+aead.Overhead() {
			return nil, fmt.Errorf("payloadcrypt: payload encrypted with key %q is truncated", id)
		}
		plain, err := aead.Open(nil, p.Data[:nonceSize], p.Data[nonceSize:], idBytes)
		if err != nil {
			return nil, fmt.Errorf("payloadcrypt: decrypting payload with key %q failed: wrong key or tampered data", id)
		}
		var dec commonpb.Payload
		err = proto.Unmarshal(plain, &dec)
		clear(plain)
		if err != nil {
			return nil, fmt.Errorf("payloadcrypt: payload decrypted with key %q is not a valid payload", id)
		}
		out[i] = &dec
	}
	return out, nil
}

// Seal encrypts a secret kept at rest (a webhook's signing secret) with the
// active key; context binds it to where it is kept, so a sealed value
// copied elsewhere does not open. It answers the key's ID with the box.
func (k *Keyring) Seal(secret []byte, context string) (keyID string, box []byte, err error) {
	aead := k.aeads[k.active]
	box = make([]byte, nonceSize, nonceSize+len(secret)+aead.Overhead())
	if _, err := rand.Read(box); err != nil {
		return "", nil, fmt.Errorf("payloadcrypt: generating nonce: %w", err)
	}
	return k.active, aead.Seal(box, box[:nonceSize], secret, []byte(k.active+"\x00"+context)), nil
}

// Open decrypts what Seal sealed under keyID for the same context.
func (k *Keyring) Open(keyID string, box []byte, context string) ([]byte, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("payloadcrypt: secret sealed with key %q, which is not in the keyring", keyID)
	}
	if len(box) < nonceSize+aead.Overhead() {
		return nil, errors.New("payloadcrypt: sealed secret is truncated")
	}
	plain, err := aead.Open(nil, box[:nonceSize], box[nonceSize:], []byte(keyID+"\x00"+context))
	if err != nil {
		return nil, errors.New("payloadcrypt: sealed secret does not open: wrong key, context or tampered data")
	}
	return plain, nil
}
