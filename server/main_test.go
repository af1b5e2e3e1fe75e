package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// testStore is the read model the handler tests run against: a real
// PostgreSQL, started once by TestMain, with the schema applied and the
// departments and testUser stored. It is nil only where PostgreSQL is not
// installed outside CI; the tests that need it then skip.
var testStore *store.Store

// testPassword is every stored test user's password; testPasswordHash its
// hash, computed once so that making users stays cheap.
const testPassword = "correct horse battery"

var testPasswordHash string

// testDepartments are the departments the tests' users, complaints and
// examples name.
var testDepartments = []org.Department{
	{ID: "after-sales", Name: "售后服务部", Kind: org.KindHQ},
	{ID: "engineering", Name: "工程部", Kind: org.KindHQ},
	{ID: "quality", Name: "品质部", Kind: org.KindHQ},
	{ID: "market", Name: "市场部", Kind: org.KindHQ},
	{ID: "suzhou", Name: "苏州分公司", Kind: org.KindBranch},
}

func TestMain(m *testing.M) {
	code, err := runWithPostgres(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runWithPostgres(m *testing.M) (int, error) {
	if !postgresInstalled() {
		if os.Getenv("CI") == "true" {
			return 0, errors.New("no PostgreSQL server binaries (initdb) found; CI must have them (Debian: apt-get install postgresql)")
		}
		fmt.Println("server tests: PostgreSQL is not installed; the tests that need it skip")
		return m.Run(), nil
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cxflow-server-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	// As root, PostgreSQL runs as the postgres user, which must traverse the
	// directory (MkdirTemp makes it 0700).
	if err := os.Chmod(dir, 0o755); err != nil {
		return 0, err
	}
	pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{
		DataDir: filepath.Join(dir, "pg"),
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return 0, err
	}
	defer pg.Stop()
	if err := pg.EnsureDatabase(ctx, "cxflow"); err != nil {
		return 0, err
	}
	pool, err := pgxpool.New(ctx, pg.URL("cxflow"))
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	if err := migrations.Up(ctx, pool, nil); err != nil {
		return 0, err
	}
	st := store.New(pool)
	if err := seed(ctx, st); err != nil {
		return 0, fmt.Errorf("seed: %w", err)
	}
	testStore = st
	return m.Run(), nil
}

// postgresInstalled looks for initdb where devstack.StartPostgres does.
func postgresInstalled() bool {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(out)), "initdb")); err == nil {
			return true
		}
	}
	if found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(found) > 0 {
		return true
	}
	_, err := exec.LookPath("initdb")
	return err == nil
}

func seed(ctx context.Context, st *store.Store) error {
	for _, d := range testDepartments {
		if err := st.SaveDepartment(ctx, d); err != nil {
			return err
		}
	}
	var err error
	if testPasswordHash, err = auth.HashPassword(testPassword); err != nil {
		return err
	}
	_, err = st.CreateUser(ctx, testUser, testPasswordHash)
	return err
}

// needStore is the package's PostgreSQL store; the test skips without one.
func needStore(t *testing.T) *store.Store {
	t.Helper()
	if testStore == nil {
		t.Skip("PostgreSQL is not installed")
	}
	return testStore
}

// userSeq numbers the usernames the tests store, which must be unique.
var userSeq atomic.Int64

// newUser stores a user of its own for a test, in after-sales with the roles,
// whose password is testPassword.
func newUser(t *testing.T, roles ...org.Role) org.User {
	t.Helper()
	u := org.User{
		ID: uuid.NewString(), Username: fmt.Sprintf("tester-%d", userSeq.Add(1)), Name: "测试员",
		Department: "after-sales", Roles: roles,
	}
	created, err := needStore(t).CreateUser(context.Background(), u, testPasswordHash)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// newSession stores a live session token for u, as signing in does, and
// returns the token to send.
func newSession(t *testing.T, u org.User) string {
	t.Helper()
	token, hash, err := auth.NewToken(auth.SessionPrefix)
	if err != nil {
		t.Fatal(err)
	}
	_, err = needStore(t).CreateToken(context.Background(), store.Token{
		ID: uuid.NewString(), UserID: u.ID, Kind: "session", ExpiresAt: time.Now().Add(time.Hour),
	}, hash)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// storeComplaint saves c, under a new ID and number, with its timeline as the
// workflow would, and returns it as stored.
func storeComplaint(t *testing.T, c complaint.Complaint) complaint.Complaint {
	t.Helper()
	st := needStore(t)
	ctx := context.Background()
	c.ID = uuid.NewString()
	number, err := st.AllocateNumber(ctx, c.ID, "TS", c.ReceivedAt.Year())
	if err != nil {
		t.Fatal(err)
	}
	c.Number = number
	events := c.Timeline
	if len(events) == 0 {
		events = []complaint.Event{{Seq: 1, At: c.CreatedAt, Step: complaint.StepRecord, Action: complaint.ActionRecorded, Actor: complaint.SystemActor}}
	}
	if err := st.SaveComplaint(ctx, c, events, "", ""); err != nil {
		t.Fatal(err)
	}
	stored, err := st.GetComplaint(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return stored.Complaint
}
