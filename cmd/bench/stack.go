package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
)

// stack is a throwaway cxflow: PostgreSQL in a temporary directory, an
// in-memory headless Temporal dev server, the schema, the worker and the API,
// all on free ports of 127.0.0.1, as cmd/cxflow wires them.
type stack struct {
	cfg    config.Config
	pool   *pgxpool.Pool
	tc     client.Client
	apiURL string

	pgVersion       string
	temporalVersion string

	// failed is closed with err set when the worker or the API stops by itself.
	failed  chan struct{}
	failErr error

	cancel context.CancelFunc
	wg     sync.WaitGroup
	stops  []func() error
}

// startStack brings the stack up. On error everything already started is
// stopped again.
func startStack(ctx context.Context, log *slog.Logger) (s *stack, err error) {
	s = &stack{failed: make(chan struct{})}
	defer func() {
		if err != nil {
			s.close(log)
			s = nil
		}
	}()

	// PostgreSQL refuses to run as root; devstack then runs it as the
	// postgres user, which must be able to traverse the parent (MkdirTemp
	// creates it 0700).
	dir, err := os.MkdirTemp("", "cxflow-bench-")
	if err != nil {
		return s, err
	}
	s.stops = append(s.stops, func() error { return os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return s, err
	}

	loc, err := time.LoadLocation(config.DefaultTimeZone)
	if err != nil {
		return s, err
	}
	s.cfg = config.Config{
		TemporalNamespace: config.DefaultNamespace,
		TaskQueue:         config.DefaultTaskQueue,
		Location:          loc,
	}

	pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{
		DataDir: filepath.Join(dir, "postgres"), Logger: log,
	})
	if err != nil {
		return s, err
	}
	s.stops = append(s.stops, pg.Stop)
	if err := pg.EnsureDatabase(ctx, "cxflow"); err != nil {
		return s, err
	}
	s.cfg.DatabaseURL = pg.URL("cxflow")

	tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{
		Headless: true, Namespace: s.cfg.TemporalNamespace, Logger: log,
	})
	if err != nil {
		return s, err
	}
	s.stops = append(s.stops, tmp.Stop)
	s.cfg.TemporalAddress = tmp.Address()

	if s.pool, err = s.cfg.OpenDatabase(ctx); err != nil {
		return s, err
	}
	s.stops = append(s.stops, func() error { s.pool.Close(); return nil })
	if err := migrations.Up(ctx, s.pool, log); err != nil {
		return s, err
	}
	if s.tc, err = s.cfg.DialTemporal(ctx, log); err != nil {
		return s, err
	}
	s.stops = append(s.stops, func() error { s.tc.Close(); return nil })

	_ = s.pool.QueryRow(ctx, `SHOW server_version`).Scan(&s.pgVersion)
	if info, err := s.tc.WorkflowService().GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{}); err == nil {
		s.temporalVersion = info.GetServerVersion()
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return s, err
	}
	s.apiURL = "http://" + ln.Addr().String()

	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.stops = append(s.stops, func() error { cancel(); s.wg.Wait(); return nil })
	var once sync.Once
	fail := func(what string, err error) {
		if runCtx.Err() != nil {
			return // stopping on purpose
		}
		if err == nil {
			err = errors.New("stopped")
		}
		once.Do(func() { s.failErr = fmt.Errorf("%s: %w", what, err); close(s.failed) })
	}
	s.wg.Go(func() { fail("worker", worker.Run(runCtx, s.cfg, s.tc, s.pool, log)) })
	s.wg.Go(func() {
		fail("API", server.New(s.tc, store.New(s.pool), s.cfg.TaskQueue, log).Serve(runCtx, ln))
	})

	if err := waitHealthy(ctx, s.apiURL+"/healthz"); err != nil {
		return s, err
	}
	return s, nil
}

func waitHealthy(ctx context.Context, url string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("API at %s not healthy: %w", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// close stops what was started, newest first, and removes the temporary
// directory. It is safe on a partly started stack.
func (s *stack) close(log *slog.Logger) {
	for i := len(s.stops) - 1; i >= 0; i-- {
		if err := s.stops[i](); err != nil {
			log.Warn("stop", "err", err)
			fmt.Fprintln(os.Stderr, "bench: cleanup:", err)
		}
	}
	s.stops = nil
}
