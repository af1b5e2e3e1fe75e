package main

import (
	"strings"
	"testing"

	"github.com/cxflow/cxflow/email"
)

func TestDisplayAddr(t *testing.T) {
	for in, want := range map[string]string{
		":8080": "localhost:8080", "0.0.0.0:9000": "localhost:9000", "[::]:8081": "localhost:8081",
		"127.0.0.1:8080": "localhost:8080", "192.0.2.7:8080": "192.0.2.7:8080",
	} {
		if got := displayAddr(mustTCPAddr(in)); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestLauncherListensLocallyByDefault(t *testing.T) {
	if got := launcherAddr(""); got != "127.0.0.1:8080" {
		t.Errorf("default: %s", got)
	}
	if got := launcherAddr(":9090"); got != ":9090" {
		t.Errorf("CXFLOW_HTTP_ADDR: %s", got)
	}
}

func TestMailBanner(t *testing.T) {
	local := &email.Server{Host: "127.0.0.1", Port: 1025, TLS: email.TLSNone}
	if got := mailBanner(local, "http://127.0.0.1:8025"); !strings.Contains(got, "http://127.0.0.1:8025") ||
		!strings.Contains(got, "127.0.0.1:1025") {
		t.Errorf("Mailpit banner: %q", got)
	}
	remote := &email.Server{Host: "mail.example.com", Port: 587, Username: "cx", Password: "s3cret", TLS: email.TLSRequired}
	got := mailBanner(remote, "")
	if !strings.Contains(got, "mail.example.com:587") || !strings.Contains(got, "CXFLOW_SMTP_URL") {
		t.Errorf("CXFLOW_SMTP_URL banner: %q", got)
	}
	if strings.Contains(got, "s3cret") {
		t.Errorf("banner shows the SMTP password: %q", got)
	}
}
