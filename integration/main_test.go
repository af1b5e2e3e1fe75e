// Package integration tests cxflow through its HTTP API against a real Temporal
// server and a real PostgreSQL, both started locally for the test run.
package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
)

// stack is the system under test, shared by every test in the package.
var stack struct {
	cfg      config.Config
	pg       *devstack.Postgres
	temporal *devstack.Temporal
	pool     *pgxpool.Pool
	client   client.Client
	api      *httptest.Server
	dir      string
	log      *slog.Logger
}

const taskQueue = "cxflow-it"

func TestMain(m *testing.M) {
	if _, err := devstack.FindTemporalBinary(); err != nil && os.Getenv("CI") != "true" {
		fmt.Println("integration: skipped, no Temporal CLI (run `make bin/temporal`):", err)
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
	stack.temporal, err = devstack.StartTemporal(ctx, devstack.TemporalOptions{Headless: true, Logger: stack.log})
	if err != nil {
		return 0, err
	}
	defer stack.temporal.Stop()

	stack.cfg = config.Config{
		TemporalAddress: stack.temporal.Address(), TemporalNamespace: "default", TaskQueue: taskQueue,
		DatabaseURL: stack.pg.URL("cxflow"), Location: mustLocation("Asia/Shanghai"),
	}
	stack.pool, err = stack.cfg.OpenDatabase(ctx)
	if err != nil {
		return 0, err
	}
	defer stack.pool.Close()
	if err := migrations.Up(ctx, stack.pool, stack.log); err != nil {
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

	stack.api = httptest.NewServer(server.New(stack.client, store.New(stack.pool), taskQueue, stack.log).Handler())
	defer stack.api.Close()

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

func call(t *testing.T, base, method, path string, body any, header ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

func api(t *testing.T, method, path string, body any, header ...string) response {
	t.Helper()
	return call(t, stack.api.URL, method, path, body, header...)
}
