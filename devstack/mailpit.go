package devstack

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// MailpitOptions configures StartMailpit.
type MailpitOptions struct {
	// Binary is the `mailpit` executable; default FindMailpitBinary().
	Binary string
	// SMTPPort is the SMTP port on 127.0.0.1; 0 picks a free port.
	SMTPPort int
	// UIPort is the port of the web UI and the JSON API on 127.0.0.1; 0
	// picks a free port.
	UIPort int
	// DBFile is the SQLite file that keeps the messages; "" uses a
	// temporary file that Mailpit deletes when it stops.
	DBFile string
	// Chaos enables Mailpit's chaos mode, so that a test can make the SMTP
	// server refuse senders or recipients on demand (see SetChaos). Off, the
	// chaos API answers with an error.
	Chaos bool
	// Logger receives devstack's messages and Mailpit's output;
	// default slog.Default().
	Logger *slog.Logger
}

// Mailpit is a running Mailpit (an SMTP server that keeps every message it
// is sent, with a web UI and a JSON API to read them) started by
// StartMailpit.
type Mailpit struct {
	smtpAddr string
	uiURL    string
	logger   *slog.Logger
	proc     *child
	http     *http.Client

	stopping atomic.Bool
	stopOnce sync.Once
	stopErr  error
}

const (
	mailpitStartTimeout = 30 * time.Second
	mailpitStopTimeout  = 5 * time.Second
	// mailpitListLimit bounds one listing; Mailpit keeps 500 messages by
	// default, so one page holds them all.
	mailpitListLimit = 500
)

// StartMailpit runs Mailpit on 127.0.0.1 and returns once its API answers
// and its SMTP port accepts connections. Cancelling ctx does not stop it:
// call Stop.
func StartMailpit(ctx context.Context, opts MailpitOptions) (*Mailpit, error) {
	return startPicking(opts.SMTPPort != 0 && opts.UIPort != 0, func() (*Mailpit, error) { return startMailpitOnce(ctx, opts) })
}

func startMailpitOnce(ctx context.Context, opts MailpitOptions) (*Mailpit, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With("component", "mailpit")

	bin := opts.Binary
	if bin == "" {
		var err error
		if bin, err = FindMailpitBinary(); err != nil {
			return nil, fmt.Errorf("start mailpit: %w", err)
		}
	}
	smtpPort, err := portOrFree(opts.SMTPPort)
	if err != nil {
		return nil, fmt.Errorf("start mailpit: pick SMTP port: %w", err)
	}
	uiPort, err := portOrFree(opts.UIPort)
	if err != nil {
		return nil, fmt.Errorf("start mailpit: pick UI port: %w", err)
	}
	m := &Mailpit{
		smtpAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(smtpPort)),
		uiURL:    "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(uiPort)),
		logger:   logger,
		http:     &http.Client{Timeout: 10 * time.Second},
	}
	args := []string{
		"--smtp", m.smtpAddr,
		"--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(uiPort)),
		// No calls to GitHub for a newer release: the version is pinned in
		// tools/mailpit, and machines without Internet access would log
		// an error at every start.
		"--disable-version-check",
		// Senders are always this machine; a reverse lookup only costs time
		// (or a DNS timeout offline) on every connection.
		"--smtp-disable-rdns",
	}
	if opts.Chaos {
		args = append(args, "--enable-chaos")
	}
	if opts.DBFile != "" {
		dbFile, err := filepath.Abs(opts.DBFile)
		if err != nil {
			return nil, fmt.Errorf("start mailpit: db file %s: %w", opts.DBFile, err)
		}
		if err := os.MkdirAll(filepath.Dir(dbFile), 0o755); err != nil {
			return nil, fmt.Errorf("start mailpit: create dir for %s: %w", dbFile, err)
		}
		args = append(args, "--database", dbFile)
	}

	cmd := exec.Command(bin, args...)
	// Mailpit reads MP_* variables as settings (MP_ENABLE_CHAOS,
	// MP_UI_AUTH_FILE, MP_MAX_MESSAGES, ...); a developer's shell must not
	// change what the tests run against.
	cmd.Env = withoutPrefix(os.Environ(), "MP_")
	// Plain OS pipes, as for Temporal: Wait must not cut off the last lines.
	out, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start mailpit: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, outW
	tail := &tailBuffer{n: 30}
	began := time.Now()
	proc, err := startChild(cmd, syscall.SIGTERM)
	outW.Close()
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("start mailpit: run %s: %w", bin, err)
	}
	m.proc = proc
	var readers sync.WaitGroup
	readers.Go(func() { pipeLines(out, logger, m.lineLevel, "output", tail); out.Close() })

	if err := m.waitReady(ctx); err != nil {
		_ = m.Stop()
		drained := make(chan struct{})
		go func() { readers.Wait(); close(drained) }()
		select {
		case <-drained:
		case <-time.After(time.Second):
		}
		return nil, fmt.Errorf("start mailpit: %w\n%s", err, tail)
	}
	logger.Info("started", "smtp", m.smtpAddr, "ui", m.uiURL, "chaos", opts.Chaos,
		"db_file", opts.DBFile, "took", time.Since(began).Round(time.Millisecond).String())
	return m, nil
}

// lineLevel maps Mailpit's log lines (time="..." level=info msg="...") to
// slog levels. Its info lines (one per message received) are debug here, as
// Temporal's are: make run's terminal is for cxflow's own log.
func (m *Mailpit) lineLevel(line string) slog.Level {
	if m.stopping.Load() {
		return slog.LevelDebug
	}
	switch {
	case strings.Contains(line, "level=error"), strings.Contains(line, "level=fatal"),
		strings.Contains(line, "level=panic"):
		return slog.LevelError
	case strings.Contains(line, "level=warn"):
		return slog.LevelWarn
	}
	return slog.LevelDebug
}

// waitReady polls Mailpit's readiness endpoint (which also pings its
// database) and then its SMTP port, until both answer, the process exits,
// ctx ends or the start timeout passes.
func (m *Mailpit) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, mailpitStartTimeout)
	defer cancel()
	go func() {
		select {
		case <-m.proc.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	var lastErr error
	for {
		if lastErr = m.probe(ctx); lastErr == nil {
			return nil
		}
		select {
		case <-m.proc.done:
			return fmt.Errorf("mailpit exited during startup (%v)", m.proc.err)
		case <-ctx.Done():
			return fmt.Errorf("mailpit at %s not ready: %w (last error: %v)", m.uiURL, ctx.Err(), lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (m *Mailpit) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.uiURL+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return fmt.Errorf("readyz: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz: %s", resp.Status)
	}
	// Mailpit answers HTTP before it binds SMTP, and when the SMTP port is
	// taken the connection reaches whoever holds it: only Mailpit's own
	// greeting counts.
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.smtpAddr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer conn.Close()
	// Closing the connection ends the read below as soon as ctx ends,
	// which waitReady does when Mailpit exits.
	stopClose := context.AfterFunc(ctx, func() { conn.Close() })
	defer stopClose()
	greeting, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("smtp greeting: %w", err)
	}
	if !strings.HasPrefix(greeting, "220 ") || !strings.Contains(greeting, "Mailpit") {
		return fmt.Errorf("smtp greeting %q is not Mailpit's", strings.TrimSpace(greeting))
	}
	_, _ = conn.Write([]byte("QUIT\r\n"))
	return nil
}

// SMTPAddr returns the SMTP server's host:port.
func (m *Mailpit) SMTPAddr() string { return m.smtpAddr }

// SMTPURL returns the SMTP server as CXFLOW_SMTP_URL takes it (plain text:
// Mailpit is started without TLS, and only on 127.0.0.1).
func (m *Mailpit) SMTPURL() string { return "smtp://" + m.smtpAddr + "?starttls=none" }

// UIURL returns the base URL of the web UI and the JSON API.
func (m *Mailpit) UIURL() string { return m.uiURL }

// Stop sends SIGTERM to Mailpit's process group, waits up to 5 s, then sends
// SIGKILL. It is safe to call more than once and on a nil *Mailpit.
func (m *Mailpit) Stop() error {
	if m == nil {
		return nil
	}
	m.stopOnce.Do(func() { m.stopErr = m.stop() })
	return m.stopErr
}

func (m *Mailpit) stop() error {
	if m.proc == nil || m.proc.exited() {
		return nil
	}
	m.stopping.Store(true)
	if err := m.proc.signalGroup(syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop mailpit: %w", err)
	}
	select {
	case <-m.proc.done:
		m.logger.Info("stopped", "smtp", m.smtpAddr)
		return nil
	case <-time.After(mailpitStopTimeout):
	}
	m.logger.Warn("did not exit after SIGTERM; killing", "timeout", mailpitStopTimeout)
	_ = m.proc.signalGroup(syscall.SIGKILL)
	<-m.proc.done
	return nil
}

// MailAddress is a mailbox as Mailpit's API reports it.
type MailAddress struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// MailSummary is one message in a listing or search result.
type MailSummary struct {
	// ID is Mailpit's own ID, for Message.
	ID string `json:"ID"`
	// MessageID is the Message-ID header without angle brackets.
	MessageID string        `json:"MessageID"`
	From      *MailAddress  `json:"From"`
	To        []MailAddress `json:"To"`
	Cc        []MailAddress `json:"Cc"`
	Subject   string        `json:"Subject"`
	// Created is when Mailpit received it.
	Created time.Time `json:"Created"`
	// Snippet is the start of the text.
	Snippet string `json:"Snippet"`
	Size    uint64 `json:"Size"`
	// Attachments counts the attached files.
	Attachments int `json:"Attachments"`
}

// MailMessage is one message with its bodies.
type MailMessage struct {
	ID        string        `json:"ID"`
	MessageID string        `json:"MessageID"`
	From      *MailAddress  `json:"From"`
	To        []MailAddress `json:"To"`
	Cc        []MailAddress `json:"Cc"`
	Bcc       []MailAddress `json:"Bcc"`
	ReplyTo   []MailAddress `json:"ReplyTo"`
	Subject   string        `json:"Subject"`
	// Date is the Date header, else when Mailpit received it.
	Date time.Time `json:"Date"`
	// Text is the plain-text body, decoded.
	Text string `json:"Text"`
	// HTML is the HTML body, decoded; "" without one.
	HTML string `json:"HTML"`
	Size uint64 `json:"Size"`
}

// mailList is the answer of GET /api/v1/messages and /api/v1/search.
type mailList struct {
	Total         uint64        `json:"total"`
	MessagesCount uint64        `json:"messages_count"`
	Messages      []MailSummary `json:"messages"`
}

// Messages lists the messages Mailpit holds, newest first.
func (m *Mailpit) Messages(ctx context.Context) ([]MailSummary, error) {
	var list mailList
	q := url.Values{"limit": {strconv.Itoa(mailpitListLimit)}}
	if err := m.api(ctx, http.MethodGet, "/api/v1/messages?"+q.Encode(), nil, &list); err != nil {
		return nil, err
	}
	return list.Messages, nil
}

// Search lists the messages matching a Mailpit search query, newest first:
// words, or filters such as to:addr, subject:"...", message-id:ID (see
// https://mailpit.axllent.org/docs/usage/search-filters/).
func (m *Mailpit) Search(ctx context.Context, query string) ([]MailSummary, error) {
	var list mailList
	q := url.Values{"query": {query}, "limit": {strconv.Itoa(mailpitListLimit)}}
	if err := m.api(ctx, http.MethodGet, "/api/v1/search?"+q.Encode(), nil, &list); err != nil {
		return nil, err
	}
	return list.Messages, nil
}

// Message reads one message by Mailpit's ID (MailSummary.ID).
func (m *Mailpit) Message(ctx context.Context, id string) (MailMessage, error) {
	var msg MailMessage
	err := m.api(ctx, http.MethodGet, "/api/v1/message/"+url.PathEscape(id), nil, &msg)
	return msg, err
}

// Headers reads one message's headers (e.g. In-Reply-To, which Message does
// not report), by Mailpit's ID.
func (m *Mailpit) Headers(ctx context.Context, id string) (map[string][]string, error) {
	var h map[string][]string
	err := m.api(ctx, http.MethodGet, "/api/v1/message/"+url.PathEscape(id)+"/headers", nil, &h)
	return h, err
}

// WaitForMessage polls until a message matches query (see Search) and
// returns the newest such message in full. For tests of mail that is sent
// asynchronously (by a workflow's activity, say); ctx bounds the wait.
func (m *Mailpit) WaitForMessage(ctx context.Context, query string) (MailMessage, error) {
	for {
		found, err := m.Search(ctx, query)
		if err != nil {
			return MailMessage{}, err
		}
		if len(found) > 0 {
			return m.Message(ctx, found[0].ID)
		}
		select {
		case <-ctx.Done():
			return MailMessage{}, fmt.Errorf("mailpit: no message matching %q: %w", query, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// DeleteAll deletes every message Mailpit holds.
func (m *Mailpit) DeleteAll(ctx context.Context) error {
	return m.api(ctx, http.MethodDelete, "/api/v1/messages", nil, nil)
}

// ChaosTrigger makes Mailpit's SMTP server answer one stage of a
// transaction with ErrorCode (400–599) with Probability percent (0–100).
type ChaosTrigger struct {
	ErrorCode   int `json:"ErrorCode"`
	Probability int `json:"Probability"`
}

// ChaosTriggers are Mailpit's chaos settings: failures at MAIL FROM
// (Sender), at RCPT TO (Recipient) and at AUTH (Authentication, only when
// the server requires it).
type ChaosTriggers struct {
	Sender         ChaosTrigger `json:"Sender"`
	Recipient      ChaosTrigger `json:"Recipient"`
	Authentication ChaosTrigger `json:"Authentication"`
}

// SetChaos replaces the chaos triggers and returns them as Mailpit applied
// them: a trigger left zero is reset (probability 0, the default code), so
// SetChaos(ctx, ChaosTriggers{}) ends all failures. Only works when started
// with MailpitOptions.Chaos.
func (m *Mailpit) SetChaos(ctx context.Context, triggers ChaosTriggers) (ChaosTriggers, error) {
	body, err := json.Marshal(triggers)
	if err != nil {
		return ChaosTriggers{}, fmt.Errorf("mailpit chaos: %w", err)
	}
	var applied ChaosTriggers
	err = m.api(ctx, http.MethodPut, "/api/v1/chaos", body, &applied)
	return applied, err
}

// Chaos reads the current chaos triggers.
func (m *Mailpit) Chaos(ctx context.Context) (ChaosTriggers, error) {
	var t ChaosTriggers
	err := m.api(ctx, http.MethodGet, "/api/v1/chaos", nil, &t)
	return t, err
}

// api sends one request to Mailpit's JSON API and decodes the answer into
// out (unless out is nil). Mailpit reports errors as 400 with a plain-text
// reason, which the error quotes.
func (m *Mailpit) api(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.uiURL+path, rd)
	if err != nil {
		return fmt.Errorf("mailpit %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return fmt.Errorf("mailpit %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("mailpit %s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit %s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(raw)))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("mailpit %s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// FindMailpitBinary locates Mailpit: $CXFLOW_MAILPIT_BIN, else bin/mailpit in
// the cxflow module root (found by walking up from the working directory),
// else `mailpit` on PATH.
func FindMailpitBinary() (string, error) {
	if p := os.Getenv(EnvMailpitBin); p != "" {
		if err := checkExecutable(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvMailpitBin, p, err)
		}
		return p, nil
	}
	if root, err := ModuleRoot(); err == nil {
		p := filepath.Join(root, "bin", "mailpit")
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, nil
	}
	return "", errors.New("mailpit not found: run `make bin/mailpit` in the cxflow repository (builds bin/mailpit from tools/mailpit), or set " + EnvMailpitBin + " to its path")
}

// withoutPrefix returns env without the variables whose names start with
// prefix.
func withoutPrefix(env []string, prefix string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, prefix) {
			out = append(out, kv)
		}
	}
	return out
}
