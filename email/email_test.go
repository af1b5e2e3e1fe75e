package email

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]Server{
		"smtp://mail.example.com":                            {Host: "mail.example.com", Port: 587, TLS: TLSOpportunistic},
		"smtp://bob:s3cret@mail.example.com:2525":            {Host: "mail.example.com", Port: 2525, Username: "bob", Password: "s3cret", TLS: TLSOpportunistic},
		"smtp://127.0.0.1:1025?starttls=none":                {Host: "127.0.0.1", Port: 1025, TLS: TLSNone},
		"smtp://mail.example.com?starttls=required":          {Host: "mail.example.com", Port: 587, TLS: TLSRequired},
		"smtps://bob:p%40ss@smtp.example.com":                {Host: "smtp.example.com", Port: 465, Username: "bob", Password: "p@ss", TLS: TLSImplicit},
		" smtps://smtp.example.com:4650 ":                    {Host: "smtp.example.com", Port: 4650, TLS: TLSImplicit},
		"smtp://[::1]:25?starttls=none":                      {Host: "::1", Port: 25, TLS: TLSNone},
		"smtp://noreply%40corp.cn:pw@smtp.corp.cn:587":       {Host: "smtp.corp.cn", Port: 587, Username: "noreply@corp.cn", Password: "pw", TLS: TLSOpportunistic},
		"smtp://mail.example.com:587?starttls=opportunistic": {Host: "mail.example.com", Port: 587, TLS: TLSOpportunistic},
	} {
		got, err := ParseURL(raw)
		require.NoError(t, err, raw)
		require.Equal(t, want, got, raw)
	}
	for _, raw := range []string{
		"", "mail.example.com", "http://mail.example.com", "smtp://", "smtp://mail.example.com:0",
		"smtp://mail.example.com:99999", "smtp://mail.example.com?starttls=maybe", "smtps://mail.example.com?starttls=none",
	} {
		_, err := ParseURL(raw)
		require.Error(t, err, raw)
	}
}

// A URL that does not parse is reported without itself: it may carry the
// password.
func TestParseURLErrorsKeepThePasswordOut(t *testing.T) {
	_, err := ParseURL("smtp://bob:se cret%zz@mail.example.com")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "se cret")
	require.NotContains(t, err.Error(), "bob")
}

// The server as logs name it: no password.
func TestServerStringHidesThePassword(t *testing.T) {
	s, err := ParseURL("smtps://bob:s3cret@smtp.example.com")
	require.NoError(t, err)
	require.Equal(t, "smtps://bob@smtp.example.com:465 (tls implicit)", s.String())
	require.False(t, strings.Contains(s.String(), "s3cret"))
}

func TestNewSenderChecksTheSender(t *testing.T) {
	_, err := NewSender(Server{Host: "h", Port: 25}, "not an address")
	require.Error(t, err)
	s, err := NewSender(Server{Host: "h", Port: 25}, "cxflow <noreply@example.com>")
	require.NoError(t, err)
	require.Equal(t, "h", s.Server().Host)
}
