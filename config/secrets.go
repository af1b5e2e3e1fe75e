package config

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/payloadcrypt"
)

// Secrets are the keys cxflow runs with. They come from the environment only;
// none is ever logged.
type Secrets struct {
	// Keyring encrypts workflow payloads (CXFLOW_ENCRYPTION_KEYS, CXFLOW_ENCRYPTION_KEY_ID).
	Keyring *payloadcrypt.Keyring
	// Links signs customer links (CXFLOW_LINK_KEYS, CXFLOW_LINK_KEY_ID).
	Links *auth.Links
}

// Link key variables: the same "id:BASE64KEY,…" form as the encryption keys.
const (
	EnvLinkKeys  = "CXFLOW_LINK_KEYS"
	EnvLinkKeyID = "CXFLOW_LINK_KEY_ID"
)

// LoadSecrets reads the keys from the environment.
func LoadSecrets() (Secrets, error) {
	kr, err := payloadcrypt.FromEnv()
	if err != nil {
		return Secrets{}, err
	}
	links, err := linksFromEnv()
	if err != nil {
		return Secrets{}, err
	}
	return Secrets{Keyring: kr, Links: links}, nil
}

func linksFromEnv() (*auth.Links, error) {
	spec := strings.TrimSpace(os.Getenv(EnvLinkKeys))
	if spec == "" {
		return nil, fmt.Errorf("%s is not set: create a key with `go run ./cmd/cxflow keygen` and set %s=l1:<key>", EnvLinkKeys, EnvLinkKeys)
	}
	keys := map[string][]byte{}
	var last string
	for i, entry := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(entry), ":")
		if !ok || id == "" {
			return nil, fmt.Errorf("%s entry %d must be id:BASE64KEY", EnvLinkKeys, i+1)
		}
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("%s entry %d (%s) is not valid base64", EnvLinkKeys, i+1, id)
		}
		keys[id], last = k, id
	}
	active := strings.TrimSpace(os.Getenv(EnvLinkKeyID))
	if active == "" {
		active = last
	}
	key, ok := keys[active]
	if !ok {
		return nil, fmt.Errorf("%s names %q, which %s does not hold", EnvLinkKeyID, active, EnvLinkKeys)
	}
	delete(keys, active)
	return auth.NewLinks(active, key, keys)
}
