package payloadcrypt

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

type contact struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

var testContact = contact{
	Name:    "张伟",
	Phone:   "+86 138 0013 8000",
	Address: "北京市朝阳区建国路88号",
}

// testKey returns a deterministic 32-byte key distinct per seed.
func testKey(seed byte) []byte {
	k := make([]byte, KeySize)
	for i := range k {
		k[i] = seed + byte(i)*7
	}
	return k
}

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

func mustKeyring(t *testing.T, active string, keys map[string][]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(active, keys)
	require.NoError(t, err)
	return k
}

func encodeContact(t *testing.T, k *Keyring) *commonpb.Payloads {
	t.Helper()
	ps, err := k.DataConverter().ToPayloads(testContact, "13800138000")
	require.NoError(t, err)
	return ps
}

func TestRoundTripHidesPlaintext(t *testing.T) {
	k := mustKeyring(t, "k1", map[string][]byte{"k1": testKey(1)})
	ps := encodeContact(t, k)

	require.Len(t, ps.Payloads, 2)
	for _, p := range ps.Payloads {
		assert.Equal(t, MetadataEncodingEncrypted, string(p.Metadata[converter.MetadataEncoding]))
		assert.Equal(t, "k1", string(p.Metadata[MetadataKeyID]))
		assert.Len(t, p.Metadata, 2, "only encoding and key ID metadata may be visible")
	}

	raw, err := proto.Marshal(ps)
	require.NoError(t, err)
	for _, secret := range []string{testContact.Name, testContact.Phone, testContact.Address, "13800138000", "json/plain", "北京"} {
		assert.False(t, bytes.Contains(raw, []byte(secret)), "encoded payloads contain %q", secret)
	}

	var got contact
	var phone string
	require.NoError(t, k.DataConverter().FromPayloads(ps, &got, &phone))
	assert.Equal(t, testContact, got)
	assert.Equal(t, "13800138000", phone)

	// Single-payload path, and nonces differ between encodings.
	p1, err := k.DataConverter().ToPayload(testContact)
	require.NoError(t, err)
	p2, err := k.DataConverter().ToPayload(testContact)
	require.NoError(t, err)
	assert.NotEqual(t, p1.Data, p2.Data, "same plaintext must not give the same ciphertext")
	got = contact{}
	require.NoError(t, k.DataConverter().FromPayload(p1, &got))
	assert.Equal(t, testContact, got)
}

func TestCodecPreservesOriginalMetadata(t *testing.T) {
	k := mustKeyring(t, "k1", map[string][]byte{"k1": testKey(1)})
	orig := &commonpb.Payload{
		Metadata: map[string][]byte{converter.MetadataEncoding: []byte("json/plain"), "messageType": []byte("x.Y")},
		Data:     []byte(`{"a":1}`),
	}
	enc, err := k.Codec().Encode([]*commonpb.Payload{orig})
	require.NoError(t, err)
	dec, err := k.Codec().Decode(enc)
	require.NoError(t, err)
	require.Len(t, dec, 1)
	assert.True(t, proto.Equal(orig, dec[0]))
	assert.Equal(t, "json/plain", string(orig.Metadata[converter.MetadataEncoding]), "input must not be mutated")
}

func TestKeyRotation(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	old := mustKeyring(t, "k1", map[string][]byte{"k1": k1})
	ps := encodeContact(t, old)

	rotated, err := ParseKeys(fmt.Sprintf("k1:%s, k2:%s", b64(k1), b64(k2)), "")
	require.NoError(t, err)
	assert.Equal(t, "k2", rotated.ActiveID(), "empty active means the last key listed")

	var got contact
	var phone string
	require.NoError(t, rotated.DataConverter().FromPayloads(ps, &got, &phone))
	assert.Equal(t, testContact, got)

	fresh := encodeContact(t, rotated)
	for _, p := range fresh.Payloads {
		assert.Equal(t, "k2", string(p.Metadata[MetadataKeyID]))
	}

	tests := []struct {
		name    string
		keyring *Keyring
		input   *commonpb.Payloads
		wantErr string // "" = success
	}{
		{"rotated decodes old", rotated, ps, ""},
		{"rotated decodes new", rotated, fresh, ""},
		{"k2 only decodes new", mustKeyring(t, "k2", map[string][]byte{"k2": k2}), fresh, ""},
		{"k2 only fails on old", mustKeyring(t, "k2", map[string][]byte{"k2": k2}), ps, `"k1"`},
		{"k1 only fails on new", old, fresh, `"k2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c contact
			var s string
			err := tt.keyring.DataConverter().FromPayloads(tt.input, &c, &s)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, testContact, c)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), testContact.Phone)
		})
	}
}

func TestTampering(t *testing.T) {
	keys := map[string][]byte{"k1": testKey(1), "k2": testKey(2)}
	k := mustKeyring(t, "k1", keys)
	enc, err := k.Codec().Encode([]*commonpb.Payload{mustPayload(t, testContact)})
	require.NoError(t, err)
	good := enc[0]

	tests := []struct {
		name    string
		mutate  func(p *commonpb.Payload)
		wantErr string
	}{
		{"flip ciphertext byte", func(p *commonpb.Payload) { p.Data[len(p.Data)/2] ^= 0x01 }, `"k1"`},
		{"flip tag byte", func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 0x80 }, `"k1"`},
		{"flip nonce byte", func(p *commonpb.Payload) { p.Data[0] ^= 0x01 }, `"k1"`},
		{"relabel to other existing key", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte("k2") }, `"k2"`},
		{"relabel to unknown key", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte("k9") }, `"k9"`},
		{"missing key ID", func(p *commonpb.Payload) { delete(p.Metadata, MetadataKeyID) }, MetadataKeyID},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:10] }, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := proto.Clone(good).(*commonpb.Payload)
			tt.mutate(p)
			_, err := k.Codec().Decode([]*commonpb.Payload{p})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), testContact.Name)
		})
	}

	// The untampered payload still decodes.
	_, err = k.Codec().Decode([]*commonpb.Payload{good})
	require.NoError(t, err)
}

func mustPayload(t *testing.T, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	require.NoError(t, err)
	return p
}

func TestUnencryptedPassThrough(t *testing.T) {
	k := mustKeyring(t, "k1", map[string][]byte{"k1": testKey(1)})
	plain := []*commonpb.Payload{
		mustPayload(t, testContact),
		mustPayload(t, nil),
		mustPayload(t, []byte{1, 2, 3}),
		{Metadata: map[string][]byte{converter.MetadataEncoding: []byte("binary/zlib")}, Data: []byte("zz")},
		{},
	}
	dec, err := k.Codec().Decode(plain)
	require.NoError(t, err)
	require.Len(t, dec, len(plain))
	for i := range plain {
		assert.True(t, proto.Equal(plain[i], dec[i]), "payload %d changed", i)
	}

	// Legacy history read through the full converter.
	var got contact
	require.NoError(t, k.DataConverter().FromPayload(plain[0], &got))
	assert.Equal(t, testContact, got)

	// A mix of legacy and encrypted payloads.
	enc, err := k.Codec().Encode(plain[:1])
	require.NoError(t, err)
	dec, err = k.Codec().Decode([]*commonpb.Payload{plain[0], enc[0]})
	require.NoError(t, err)
	assert.True(t, proto.Equal(plain[0], dec[0]))
	assert.True(t, proto.Equal(plain[0], dec[1]))
}

func TestParseKeys(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	short := testKey(3)[:16]
	long := append(testKey(4), 0xAA)

	tests := []struct {
		name       string
		spec       string
		active     string
		wantActive string
		wantErr    []string // substrings of the error; nil = success
	}{
		{"single", "k1:" + b64(k1), "", "k1", nil},
		{"last is default", "k1:" + b64(k1) + ",k2:" + b64(k2), "", "k2", nil},
		{"explicit active", "k1:" + b64(k1) + ",k2:" + b64(k2), "k1", "k1", nil},
		{"whitespace", "  k1 : " + b64(k1)[:20] + "\n " + b64(k1)[20:] + " ,\n\t k2:" + b64(k2) + ",\n", " k1 ", "k1", nil},
		{"url base64", "k.1_a-B:" + base64.URLEncoding.EncodeToString(k1), "", "k.1_a-B", nil},
		{"raw base64", "k1:" + base64.RawStdEncoding.EncodeToString(k1) + ",k2:" + base64.RawURLEncoding.EncodeToString(k2), "", "k2", nil},

		{"empty spec", "", "", "", []string{"empty"}},
		{"blank spec", " , \n", "", "", []string{"empty"}},
		{"bad base64", "k1:" + b64(k1) + ",k2:" + b64(k2)[:30] + "!!" + b64(k2)[32:], "", "", []string{"entry 2", `"k2"`, "base64"}},
		{"too short", "k1:" + b64(short), "", "", []string{"entry 1", `"k1"`, "32 bytes", "got 16"}},
		{"too long", "k1:" + b64(long), "", "", []string{`"k1"`, "got 33"}},
		{"duplicate id", "k1:" + b64(k1) + ",k1:" + b64(k2), "", "", []string{"entry 2", "duplicate", `"k1"`}},
		{"unknown active", "k1:" + b64(k1) + ",k2:" + b64(k2), "k3", "", []string{`"k3"`, "k1, k2"}},
		{"missing colon", b64(k1), "", "", []string{"entry 1", "id:BASE64KEY"}},
		{"empty id", ":" + b64(k1), "", "", []string{"entry 1", "empty"}},
		{"bad id", "k/1:" + b64(k1), "", "", []string{"entry 1", `"k/1"`}},
		{"empty key", "k1:", "", "", []string{`"k1"`, "empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeys(tt.spec, tt.active)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.wantActive, k.ActiveID())
				// Keyring formatting must not leak key material either.
				for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k)} {
					assertNoKeyMaterial(t, s, tt.spec)
				}
				return
			}
			require.Error(t, err)
			assert.Nil(t, k)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
			assertNoKeyMaterial(t, err.Error(), tt.spec)
		})
	}
}

// assertNoKeyMaterial checks that no 8-character run of any key's base64
// text in spec appears in s.
func assertNoKeyMaterial(t *testing.T, s, spec string) {
	t.Helper()
	for _, entry := range strings.Split(spec, ",") {
		_, key, ok := strings.Cut(entry, ":")
		if !ok {
			key = entry
		}
		key = strings.Join(strings.Fields(key), "")
		for i := 0; i+8 <= len(key); i++ {
			if strings.Contains(s, key[i:i+8]) {
				t.Fatalf("message %q contains key material %q", s, key[i:i+8])
			}
		}
	}
}

func TestNewKeyringErrors(t *testing.T) {
	tests := []struct {
		name    string
		active  string
		keys    map[string][]byte
		wantErr string
	}{
		{"no keys", "", nil, "no encryption keys"},
		{"ambiguous active", "", map[string][]byte{"a": testKey(1), "b": testKey(2)}, "active key ID must be given"},
		{"unknown active", "c", map[string][]byte{"a": testKey(1)}, `"c"`},
		{"short key", "a", map[string][]byte{"a": testKey(1)[:31]}, "got 31"},
		{"bad id", "a b", map[string][]byte{"a b": testKey(1)}, `"a b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewKeyring(tt.active, tt.keys)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}

	k, err := NewKeyring("", map[string][]byte{"only": testKey(1)})
	require.NoError(t, err)
	assert.Equal(t, "only", k.ActiveID())
}

func TestGenerateKey(t *testing.T) {
	a, err := GenerateKey()
	require.NoError(t, err)
	b, err := GenerateKey()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	raw, err := base64.StdEncoding.DecodeString(a)
	require.NoError(t, err)
	assert.Len(t, raw, KeySize)

	k, err := ParseKeys("gen:"+a, "")
	require.NoError(t, err)
	assert.Equal(t, "gen", k.ActiveID())
}

func TestFromEnv(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	tests := []struct {
		name       string
		keys       string
		active     string
		wantActive string
		wantErr    []string
	}{
		{"unset", "", "", "", []string{EnvKeys, "go run ./cmd/cxflow keygen"}},
		{"default active", "k1:" + b64(k1) + ",k2:" + b64(k2), "", "k2", nil},
		{"explicit active", "k1:" + b64(k1) + ",k2:" + b64(k2), "k1", "k1", nil},
		{"bad spec", "k1:" + b64(k1[:5]), "", "", []string{EnvKeys, `"k1"`}},
		{"unknown active", "k1:" + b64(k1), "nope", "", []string{`"nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvKeys, tt.keys)
			t.Setenv(EnvActiveKeyID, tt.active)
			k, err := FromEnv()
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.wantActive, k.ActiveID())
				return
			}
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
			assertNoKeyMaterial(t, err.Error(), tt.keys)
		})
	}
}

func postPayloads(t *testing.T, h http.Handler, path string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func readPayloads(t *testing.T, rec *httptest.ResponseRecorder) []*commonpb.Payload {
	t.Helper()
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(rec.Body.Bytes(), &out))
	return out.Payloads
}

func TestHandler(t *testing.T) {
	k := mustKeyring(t, "k1", map[string][]byte{"k1": testKey(1)})
	h := Handler(k)
	plain := []*commonpb.Payload{mustPayload(t, testContact), mustPayload(t, "13800138000")}
	enc, err := k.Codec().Encode(plain)
	require.NoError(t, err)

	for _, prefix := range []string{"", "/codec"} {
		t.Run("decode"+prefix, func(t *testing.T) {
			body, err := protojson.Marshal(&commonpb.Payloads{Payloads: enc})
			require.NoError(t, err)
			got := readPayloads(t, postPayloads(t, h, prefix+"/decode", body))
			require.Len(t, got, len(plain))
			for i := range plain {
				assert.True(t, proto.Equal(plain[i], got[i]), "payload %d", i)
			}
		})

		t.Run("encode round trip"+prefix, func(t *testing.T) {
			body, err := protojson.Marshal(&commonpb.Payloads{Payloads: plain})
			require.NoError(t, err)
			rec := postPayloads(t, h, prefix+"/encode", body)
			encoded := readPayloads(t, rec)
			require.Len(t, encoded, len(plain))
			assert.NotContains(t, rec.Body.String(), base64.StdEncoding.EncodeToString(plain[0].Data))
			for _, p := range encoded {
				assert.Equal(t, MetadataEncodingEncrypted, string(p.Metadata[converter.MetadataEncoding]))
				assert.Equal(t, "k1", string(p.Metadata[MetadataKeyID]))
			}

			body, err = protojson.Marshal(&commonpb.Payloads{Payloads: encoded})
			require.NoError(t, err)
			got := readPayloads(t, postPayloads(t, h, prefix+"/decode", body))
			for i := range plain {
				assert.True(t, proto.Equal(plain[i], got[i]), "payload %d", i)
			}
		})
	}

	t.Run("literal JSON shape", func(t *testing.T) {
		// The shape the Web UI / CLI send: bytes fields are base64 strings.
		std := base64.StdEncoding.EncodeToString
		body := fmt.Sprintf(`{"payloads":[{"metadata":{"encoding":%q,"encryption-key-id":%q},"data":%q}]}`,
			std(enc[0].Metadata[converter.MetadataEncoding]), std(enc[0].Metadata[MetadataKeyID]), std(enc[0].Data))
		rec := postPayloads(t, h, "/decode", []byte(body))
		got := readPayloads(t, rec)
		require.Len(t, got, 1)
		assert.True(t, proto.Equal(plain[0], got[0]))
		assert.Contains(t, rec.Body.String(), `"payloads":[{"metadata":{"encoding":"`+std([]byte("json/plain"))+`"}`)
	})

	t.Run("unknown key is 400 without plaintext", func(t *testing.T) {
		other := mustKeyring(t, "k2", map[string][]byte{"k2": testKey(2)})
		body, err := protojson.Marshal(&commonpb.Payloads{Payloads: enc})
		require.NoError(t, err)
		rec := postPayloads(t, Handler(other), "/decode", body)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Contains(t, rec.Body.String(), `k1`)
		assert.NotContains(t, rec.Body.String(), testContact.Phone)
	})

	t.Run("GET is not served", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/decode", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusNotFound, rec.Code)
	})
}

func TestSealOpensOnlyWhereItWasSealed(t *testing.T) {
	k, err := NewKeyring("a", map[string][]byte{"a": bytes.Repeat([]byte{1}, 32), "b": bytes.Repeat([]byte{2}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	id, box, err := k.Seal([]byte("webhook secret"), "webhook:1")
	if err != nil || id != "a" {
		t.Fatalf("seal: %s %v", id, err)
	}
	if bytes.Contains(box, []byte("webhook secret")) {
		t.Fatal("the box holds the secret in the clear")
	}
	plain, err := k.Open(id, box, "webhook:1")
	if err != nil || string(plain) != "webhook secret" {
		t.Fatalf("open: %q %v", plain, err)
	}
	if _, err := k.Open(id, box, "webhook:2"); err == nil {
		t.Fatal("opened under another context")
	}
	if _, err := k.Open("b", box, "webhook:1"); err == nil {
		t.Fatal("opened with another key")
	}
	if _, err := k.Open("zz", box, "webhook:1"); err == nil {
		t.Fatal("opened with a key not in the keyring")
	}
}
