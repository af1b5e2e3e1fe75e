package devstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cxflow/cxflow/email"
)

// requireMailpit returns Mailpit's path, skipping the test when it has not
// been built, except in CI, where `make test` builds it first.
func requireMailpit(t *testing.T) string {
	t.Helper()
	bin, err := FindMailpitBinary()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Mailpit missing in CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return bin
}

func startTestMailpit(t *testing.T, chaos bool) *Mailpit {
	t.Helper()
	requireMailpit(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mp, err := StartMailpit(ctx, MailpitOptions{Chaos: chaos, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mp.Stop() })
	return mp
}

func testSender(t *testing.T, mp *Mailpit) *email.Sender {
	t.Helper()
	server, err := email.ParseURL(mp.SMTPURL())
	if err != nil {
		t.Fatal(err)
	}
	s, err := email.NewSender(server, "cxflow <noreply@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMailpitSendAndRead(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A fixed database file also checks that the option reaches Mailpit.
	dbFile := filepath.Join(t.TempDir(), "sub", "mailpit.db")
	requireMailpit(t)
	mp, err := StartMailpit(ctx, MailpitOptions{DBFile: dbFile, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mp.Stop() })

	sent := email.Message{
		ID: "devstack-1@cxflow.test", To: "客户 <customer@example.com>",
		Subject: "投诉已受理", Text: "您好，您的投诉已受理。", HTML: "<p>您好，您的投诉<b>已受理</b>。</p>",
	}
	if err := testSender(t, mp).Send(ctx, sent); err != nil {
		t.Fatal(err)
	}

	all, err := mp.Messages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].MessageID != sent.ID || all[0].Subject != sent.Subject {
		t.Fatalf("Messages() = %+v; want the one sent", all)
	}
	found, err := mp.Search(ctx, "message-id:"+sent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ID != all[0].ID {
		t.Fatalf("Search(message-id) = %+v", found)
	}
	if none, err := mp.Search(ctx, "message-id:nobody@cxflow.test"); err != nil || len(none) != 0 {
		t.Fatalf("Search(other message-id) = %+v, %v; want none", none, err)
	}
	got, err := mp.WaitForMessage(ctx, "to:customer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageID != sent.ID || got.Subject != sent.Subject ||
		strings.TrimSpace(got.Text) != sent.Text || strings.TrimSpace(got.HTML) != sent.HTML {
		t.Errorf("Message = %+v; want %+v", got, sent)
	}
	if len(got.To) != 1 || got.To[0].Address != "customer@example.com" || got.To[0].Name != "客户" {
		t.Errorf("To = %+v", got.To)
	}
	if got.From == nil || got.From.Address != "noreply@example.com" {
		t.Errorf("From = %+v", got.From)
	}
	h, err := mp.Headers(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h["Message-Id"]) != 1 || h["Message-Id"][0] != "<"+sent.ID+">" {
		t.Errorf("Message-Id header = %q", h["Message-Id"])
	}

	if err := mp.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	if all, err := mp.Messages(ctx); err != nil || len(all) != 0 {
		t.Fatalf("Messages() after DeleteAll = %+v, %v", all, err)
	}
	if _, err := mp.SetChaos(ctx, ChaosTriggers{}); err == nil {
		t.Error("SetChaos worked without MailpitOptions.Chaos")
	}

	if err := mp.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := mp.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", mp.SMTPAddr(), time.Second); err == nil {
		conn.Close()
		t.Errorf("SMTP %s still accepting connections after Stop", mp.SMTPAddr())
	}
	if _, err := os.Stat(dbFile); err != nil {
		t.Errorf("database file: %v", err)
	}
}

// TestMailpitChaos is what a fault test does: make the SMTP server refuse,
// see the sender report it, then let mail through again.
func TestMailpitChaos(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mp := startTestMailpit(t, true)
	sender := testSender(t, mp)
	msg := email.Message{ID: "chaos-1@cxflow.test", To: "customer@example.com", Subject: "chaos", Text: "x"}

	applied, err := mp.SetChaos(ctx, ChaosTriggers{Recipient: ChaosTrigger{ErrorCode: 451, Probability: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if applied.Recipient != (ChaosTrigger{ErrorCode: 451, Probability: 100}) || applied.Sender.Probability != 0 {
		t.Errorf("SetChaos applied %+v", applied)
	}
	var rejected *email.Rejected
	if err := sender.Send(ctx, msg); !errors.As(err, &rejected) || rejected.Permanent {
		t.Fatalf("Send under a 451 recipient trigger = %v; want a temporary *email.Rejected", err)
	}

	if _, err := mp.SetChaos(ctx, ChaosTriggers{Sender: ChaosTrigger{ErrorCode: 550, Probability: 100}}); err != nil {
		t.Fatal(err)
	}
	if err := sender.Send(ctx, msg); !errors.As(err, &rejected) || !rejected.Permanent {
		t.Fatalf("Send under a 550 sender trigger = %v; want a permanent *email.Rejected", err)
	}

	if _, err := mp.SetChaos(ctx, ChaosTriggers{}); err != nil {
		t.Fatal(err)
	}
	if current, err := mp.Chaos(ctx); err != nil || current.Sender.Probability != 0 || current.Recipient.Probability != 0 {
		t.Fatalf("Chaos() after reset = %+v, %v", current, err)
	}
	if err := sender.Send(ctx, msg); err != nil {
		t.Fatalf("Send after reset: %v", err)
	}
	if _, err := mp.WaitForMessage(ctx, "message-id:"+msg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := mp.SetChaos(ctx, ChaosTriggers{Sender: ChaosTrigger{ErrorCode: 200, Probability: 100}}); err == nil ||
		!strings.Contains(err.Error(), "between 400 and 599") {
		t.Errorf("SetChaos with code 200 = %v; want Mailpit's refusal", err)
	}
}

func TestMailpitPortTaken(t *testing.T) {
	requireMailpit(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mp, err := StartMailpit(ctx, MailpitOptions{SMTPPort: port, Logger: testLogger(t)})
	if err == nil {
		mp.Stop()
		t.Fatal("Mailpit started on a taken SMTP port")
	}
	if !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("error does not quote Mailpit's reason: %v", err)
	}
}

func TestFindMailpitBinaryEnv(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "mailpit")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvMailpitBin, fake)
	if got, err := FindMailpitBinary(); err != nil || got != fake {
		t.Errorf("FindMailpitBinary() = %q, %v; want %q", got, err, fake)
	}
	t.Setenv(EnvMailpitBin, filepath.Join(dir, "missing"))
	if _, err := FindMailpitBinary(); err == nil || !strings.Contains(err.Error(), EnvMailpitBin) {
		t.Errorf("FindMailpitBinary() with a missing $%s: %v", EnvMailpitBin, err)
	}
}

func TestWithoutPrefix(t *testing.T) {
	got := withoutPrefix([]string{"PATH=/bin", "MP_ENABLE_CHAOS=true", "HOME=/root", "MP_MAX_MESSAGES=1"}, "MP_")
	if strings.Join(got, " ") != "PATH=/bin HOME=/root" {
		t.Errorf("withoutPrefix = %q", got)
	}
}

const mailpitHelperEnv = "DEVSTACK_TEST_MAILPIT_LAUNCHER"

func TestMailpitHelperLauncher(t *testing.T) {
	if os.Getenv(mailpitHelperEnv) == "" {
		t.Skip("helper process for TestMailpitDiesWithLauncher")
	}
	mp, err := StartMailpit(context.Background(), MailpitOptions{})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("READY", mp.proc.cmd.Process.Pid)
	time.Sleep(time.Minute) // killed long before this
	os.Exit(1)
}

// A launcher killed with SIGKILL (make drill's power cut) must not leave
// Mailpit holding its ports for the next start.
func TestMailpitDiesWithLauncher(t *testing.T) {
	requireMailpit(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestMailpitHelperLauncher$")
	cmd.Env = append(os.Environ(), mailpitHelperEnv+"=1")
	pid := runHelperUntilReady(t, cmd)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	deadline := time.Now().Add(15 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			syscall.Kill(-pid, syscall.SIGKILL)
			t.Fatalf("mailpit %d still running 15s after its launcher was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
