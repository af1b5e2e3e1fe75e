package config

import (
	"strings"
	"testing"

	"github.com/cxflow/cxflow/email"
)

func TestSMTPUnsetMeansNoMailServer(t *testing.T) {
	t.Setenv("CXFLOW_SMTP_URL", "")
	t.Setenv("CXFLOW_MAIL_FROM", "")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP != nil {
		t.Errorf("SMTP = %+v; want nil without CXFLOW_SMTP_URL", c.SMTP)
	}
	if c.MailFrom != DefaultMailFrom {
		t.Errorf("MailFrom = %q; want %q", c.MailFrom, DefaultMailFrom)
	}
}

func TestSMTPURL(t *testing.T) {
	t.Setenv("CXFLOW_SMTP_URL", "smtp://mailer:s3cret@mail.example.com:587?starttls=required")
	t.Setenv("CXFLOW_MAIL_FROM", "投诉中心 <complaints@example.com>")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	want := email.Server{Host: "mail.example.com", Port: 587, Username: "mailer", Password: "s3cret", TLS: email.TLSRequired}
	if c.SMTP == nil || *c.SMTP != want {
		t.Errorf("SMTP = %+v; want %+v", c.SMTP, want)
	}
	if c.MailFrom != "投诉中心 <complaints@example.com>" {
		t.Errorf("MailFrom = %q", c.MailFrom)
	}
}

func TestSMTPURLInvalid(t *testing.T) {
	for _, raw := range []string{
		"http://mail.example.com",
		"smtp://mailer:s3cret@mail.example.com:99x",
		"smtp://mail.example.com?starttls=maybe",
		"smtp://",
	} {
		t.Run(raw, func(t *testing.T) {
			t.Setenv("CXFLOW_SMTP_URL", raw)
			_, err := FromEnv()
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), "CXFLOW_SMTP_URL") {
				t.Errorf("error does not name the variable: %v", err)
			}
			// The error is logged: it must not carry the password.
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error quotes the password: %v", err)
			}
		})
	}
}

func TestMailFromInvalid(t *testing.T) {
	t.Setenv("CXFLOW_MAIL_FROM", "cxflow noreply")
	_, err := FromEnv()
	if err == nil || !strings.Contains(err.Error(), "CXFLOW_MAIL_FROM") {
		t.Fatalf("FromEnv() with an invalid sender = %v; want an error naming CXFLOW_MAIL_FROM", err)
	}
}
