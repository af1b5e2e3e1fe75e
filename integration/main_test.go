// Package integration tests cxflow through its HTTP API against a real Temporal
// server, a real PostgreSQL and Mailpit (an SMTP server that keeps what it is
// sent), all started locally for the test run.
package integration

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/email"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/payloadcrypt"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
)

// stack is the system under test, shared by every test in the package.
var stack struct {
	cfg      config.Config
	pg       *devstack.Postgres
	temporal *devstack.Temporal
	// mailpit receives the mail sent through smtp; its helpers read it back
	// (Search, WaitForMessage, DeleteAll). Started with chaos mode on, so
	// that a test can make SMTP fail (SetChaos) — and must reset it.
	mailpit *devstack.Mailpit
	// smtp is Mailpit's SMTP server. The shared worker (cfg) has none: its
	// e-mails wait in the outbox for the staff, as an installation without
	// a mail server works, and the tests of that stay undisturbed; the
	// delivery tests run a worker of their own over a database of their own.
	smtp   email.Server
	pool   *pgxpool.Pool
	client client.Client
	api    *httptest.Server
	dir    string
	log    *slog.Logger
	// token signs in the default test user, who holds every role a
	// complaint's path needs (in engineering); other users sign in by name.
	token string
	env   []string
}

// Fixed test keys, also handed to the worker process of the crash test.
var (
	testEncryptionKey = bytes.Repeat([]byte{7}, 32)
	testLinkKey       = bytes.Repeat([]byte{9}, 32)
)

const testerPassword = "tester-password-1"

const taskQueue = "cxflow-it"

func TestMain(m *testing.M) {
	if _, err := devstack.FindTemporalBinary(); err != nil && os.Getenv("CI") != "true" {
		fmt.Println("integration: skipped, no Temporal CLI (run `make bin/temporal`):", err)
		os.Exit(0)
	}
	if _, err := devstack.FindMailpitBinary(); err != nil && os.Getenv("CI") != "true" {
		fmt.Println("integration: skipped, no Mailpit (run `make bin/mailpit`):", err)
		os.Exit(0)
	}
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cxflow-it-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	// PostgreSQL runs as the postgres user when we are root: it must reach the data dir.
	if err := os.Chmod(dir, 0o755); err != nil {
		return 0, err
	}
	stack.dir = dir
	logFile, err := os.Create(filepath.Join(dir, "test.log"))
	if err != nil {
		return 0, err
	}
	stack.log = slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))

	stack.pg, err = devstack.StartPostgres(ctx, devstack.PostgresOptions{DataDir: filepath.Join(dir, "pg"), Logger: stack.log})
	if err != nil {
		return 0, err
	}
	defer stack.pg.Stop()
	if err := stack.pg.EnsureDatabase(ctx, "cxflow"); err != nil {
		return 0, err
	}
	stack.temporal, err = devstack.StartTemporal(ctx, devstack.TemporalOptions{Headless: true, Logger: stack.log,
		Namespaces: []string{upgradeNamespace}})
	if err != nil {
		return 0, err
	}
	defer stack.temporal.Stop()
	stack.mailpit, err = devstack.StartMailpit(ctx, devstack.MailpitOptions{Chaos: true, Logger: stack.log})
	if err != nil {
		return 0, err
	}
	defer stack.mailpit.Stop()
	stack.smtp, err = email.ParseURL(stack.mailpit.SMTPURL())
	if err != nil {
		return 0, fmt.Errorf("mailpit SMTP URL: %w", err)
	}

	kr, err := payloadcrypt.NewKeyring("it", map[string][]byte{"it": testEncryptionKey})
	if err != nil {
		return 0, err
	}
	links, err := auth.NewLinks("l-it", testLinkKey, nil)
	if err != nil {
		return 0, err
	}
	stack.env = []string{
		payloadcrypt.EnvKeys + "=it:" + base64.StdEncoding.EncodeToString(testEncryptionKey),
		config.EnvLinkKeys + "=l-it:" + base64.StdEncoding.EncodeToString(testLinkKey),
	}
	stack.cfg = config.Config{
		TemporalAddress: stack.temporal.Address(), TemporalNamespace: "default", TaskQueue: taskQueue,
		DatabaseURL: stack.pg.URL("cxflow"), Location: mustLocation("Asia/Shanghai"),
		SessionTTL: time.Hour, PublicURL: "http://cxflow.test",
		Secrets:  &config.Secrets{Keyring: kr, Links: links},
		MailFrom: config.DefaultMailFrom,
	}
	stack.pool, err = stack.cfg.OpenDatabase(ctx)
	if err != nil {
		return 0, err
	}
	defer stack.pool.Close()
	if err := migrations.Up(ctx, stack.pool, stack.log); err != nil {
		return 0, err
	}
	st := store.New(stack.pool)
	if _, err := demo.Seed(ctx, st); err != nil {
		return 0, err
	}
	hash, err := auth.HashPassword(testerPassword)
	if err != nil {
		return 0, err
	}
	if _, err := st.CreateUser(ctx, org.User{
		ID: uuid.NewString(), Username: "tester", Name: "测试员", Department: "engineering",
		Roles: []org.Role{org.RoleIntakeClerk, org.RoleMarketDepartment, org.RoleDepartmentMember,
			org.RoleDepartmentHead, org.RoleGeneralManager, org.RoleAdministrator, org.RoleInternalAuditor},
	}, hash); err != nil {
		return 0, err
	}
	stack.client, err = stack.cfg.DialTemporal(ctx, stack.log)
	if err != nil {
		return 0, err
	}
	defer stack.client.Close()

	wctx, stopWorker := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- worker.Run(wctx, stack.cfg, stack.client, stack.pool, stack.log) }()
	defer func() { stopWorker(); <-done }()

	stack.api = httptest.NewServer(newAPI(taskQueue).Handler())
	defer stack.api.Close()
	if stack.token, err = login(stack.api.URL, "tester", testerPassword); err != nil {
		return 0, err
	}

	code := m.Run()
	if code != 0 {
		if b, err := os.ReadFile(filepath.Join(dir, "test.log")); err == nil {
			tail := b
			if len(tail) > 8000 {
				tail = tail[len(tail)-8000:]
			}
			fmt.Fprintf(os.Stderr, "--- last lines of the stack's log:\n%s\n", tail)
		}
	}
	return code, nil
}

// newAPI is the API as the server program builds it, on a task queue.
func newAPI(queue string) *server.Server {
	sec := server.SecurityFrom(stack.cfg)
	// Every test signs in from 127.0.0.1; TestSignInIsRateLimited checks the default.
	sec.LoginPerMinute, sec.PublicPerMinute = 10_000, 10_000
	return server.New(stack.client, store.New(stack.pool), queue, stack.log).WithSecurity(sec)
}

func login(base, username, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("login %s: %d %s", username, resp.StatusCode, b)
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out.Token, err
}

var tokens sync.Map

// tokenOf signs a demo user in once and keeps the token.
func tokenOf(t *testing.T, username string) string {
	t.Helper()
	if tok, ok := tokens.Load(username); ok {
		return tok.(string)
	}
	tok, err := login(stack.api.URL, username, demo.Password)
	require.NoError(t, err)
	tokens.Store(username, tok)
	return tok
}

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// response is an HTTP answer with its decoded JSON body.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// field reads a top-level field of a JSON object body.
func (r response) field(t *testing.T, name string) any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m[name]
}

// call sends a request and reads the answer; a call to a path of the OpenAPI
// document is checked against it (see checkContract).
func call(t *testing.T, base, method, path string, body any, header ...string) response {
	t.Helper()
	var sent []byte
	switch b := body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		sent = raw
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(sent)
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+stack.token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	checkContract(t, exchange{method: method, url: base + path, reqHeader: req.Header, reqBody: sent,
		status: resp.StatusCode, respHeader: resp.Header, respBody: raw})
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

func api(t *testing.T, method, path string, body any, header ...string) response {
	t.Helper()
	return call(t, stack.api.URL, method, path, body, header...)
}
