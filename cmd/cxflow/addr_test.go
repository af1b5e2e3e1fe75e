package main

import "testing"

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
