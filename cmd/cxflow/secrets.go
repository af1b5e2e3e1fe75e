package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/payloadcrypt"
)

// keygen prints fresh keys in the form the environment variables take.
func keygen() error {
	enc, err := payloadcrypt.GenerateKey()
	if err != nil {
		return err
	}
	link, err := payloadcrypt.GenerateKey()
	if err != nil {
		return err
	}
	fmt.Printf("%s=k1:%s\n%s=l1:%s\n", payloadcrypt.EnvKeys, enc, config.EnvLinkKeys, link)
	return nil
}

// loadOrCreateSecrets sets the key variables the environment lacks from path,
// creating the file (mode 0600) with new keys on first run, so local data
// stays readable across restarts.
func loadOrCreateSecrets(path string) error {
	if os.Getenv(payloadcrypt.EnvKeys) != "" && os.Getenv(config.EnvLinkKeys) != "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		enc, err := payloadcrypt.GenerateKey()
		if err != nil {
			return err
		}
		link, err := payloadcrypt.GenerateKey()
		if err != nil {
			return err
		}
		b = []byte(fmt.Sprintf("# Keys for this machine's local cxflow data. Losing them makes the\n# Temporal histories in this directory unreadable.\n%s=k1:%s\n%s=l1:%s\n",
			payloadcrypt.EnvKeys, enc, config.EnvLinkKeys, link))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	} else if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if os.Getenv(name) == "" {
			os.Setenv(name, value)
		}
	}
	return nil
}
