package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/payloadcrypt"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
)

// stack is a throwaway cxflow: PostgreSQL in a temporary directory, an
// in-memory headless Temporal dev server, the schema, the demo organisation,
// the worker and the API, all on free ports of 127.0.0.1, as cmd/cxflow wires
// them. Payloads are encrypted as in production, and the bench signs in as a
// user who holds every role its path needs.
type stack struct {
	cfg    config.Config
	pool   *pgxpool.Pool
	tc     client.Client
	apiURL string
	// token is the bench user's session, sent as a Bearer token on every request.
	token string

	pgVersion       string
	temporalVersion string

	// failed is closed with err set when the worker or the API stops by itself.
	failed  chan struct{}
	failErr error

	cancel context.CancelFunc
	wg     sync.WaitGroup
	stops  []func() error
}

// Fixed keys: the stack is thrown away, so nothing encrypted or signed with
// them outlives the run. Their values do not change what encryption costs.
var (
	benchEncryptionKey = bytes.Repeat([]byte{0x5a}, payloadcrypt.KeySize)
	benchLinkKey       = bytes.Repeat([]byte{0xa5}, 32)
)

// The bench user works in engineering, the department the assignment step
// names, and holds every role the benchmark's path needs: intake and callback
// (intake clerk), validation, assignment and review (market department), root
// cause, plan and execution (department member), approval (department head),
// and the general manager's role for good measure.
const (
	benchUser       = "bench"
	benchPassword   = "bench-password-1"
	benchDepartment = "engineering"
)

var benchRoles = []org.Role{
	org.RoleIntakeClerk, org.RoleMarketDepartment, org.RoleDepartmentMember,
	org.RoleDepartmentHead, org.RoleGeneralManager,
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
	kr, err := payloadcrypt.NewKeyring("bench", map[string][]byte{"bench": benchEncryptionKey})
	if err != nil {
		return s, err
	}
	links, err := auth.NewLinks("l-bench", benchLinkKey, nil)
	if err != nil {
		return s, err
	}
	s.cfg = config.Config{
		TemporalNamespace: config.DefaultNamespace,
		TaskQueue:         config.DefaultTaskQueue,
		Location:          loc,
		SessionTTL:        12 * time.Hour,
		PublicURL:         "http://cxflow.bench",
		// With secrets set, DialTemporal gives the client the encrypting data
		// converter: the worker, the API and the floor phase all use it.
		Secrets: &config.Secrets{Keyring: kr, Links: links},
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
	if err := seedUsers(ctx, store.New(s.pool)); err != nil {
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
	sec := server.SecurityFrom(s.cfg)
	// Only the one sign-in below, but every call comes from 127.0.0.1.
	sec.LoginPerMinute, sec.PublicPerMinute = 100_000, 100_000
	api := server.New(s.tc, store.New(s.pool), s.cfg.TaskQueue, log).WithSecurity(sec)
	s.wg.Go(func() { fail("API", api.Serve(runCtx, ln)) })

	if err := waitHealthy(ctx, s.apiURL+"/healthz"); err != nil {
		return s, err
	}
	if s.token, err = login(ctx, s.apiURL, benchUser, benchPassword); err != nil {
		return s, err
	}
	return s, nil
}

// seedUsers creates the demo organisation (its departments include
// engineering) and the bench user.
func seedUsers(ctx context.Context, st *store.Store) error {
	if _, err := demo.Seed(ctx, st); err != nil {
		return fmt.Errorf("seed demo organisation: %w", err)
	}
	hash, err := auth.HashPassword(benchPassword)
	if err != nil {
		return err
	}
	if _, err := st.CreateUser(ctx, org.User{
		ID: uuid.NewString(), Username: benchUser, Name: "压测员", Department: benchDepartment, Roles: benchRoles,
	}, hash); err != nil {
		return fmt.Errorf("create bench user: %w", err)
	}
	return nil
}

// login signs a user in and returns the session token.
func login(ctx context.Context, apiURL, username, password string) (string, error) {
	body, err := json.Marshal(map[string]string{"username": username, "password": password})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sign in as %s: HTTP %d: %s", username, resp.StatusCode, snippet(b))
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("sign in as %s: no token in %s", username, snippet(b))
	}
	return out.Token, nil
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
