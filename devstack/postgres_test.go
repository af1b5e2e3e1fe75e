package devstack

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// requirePostgres skips the test when this machine has no PostgreSQL server
// binaries, except in CI, where missing binaries are a broken setup.
func requirePostgres(t *testing.T) {
	t.Helper()
	_, err := findPostgresBinDir()
	if err == nil {
		_, err = postgresUser()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unavailable in CI: %v", err)
		}
		t.Skipf("PostgreSQL unavailable: %v", err)
	}
}

// pgTempDir returns a fresh directory the postgres user can traverse;
// t.TempDir() is 0700, which blocks it when the tests run as root.
func pgTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devstack-pg-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// tWriter sends log output through t.Log so it shows only for failures or -v.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func startPG(t *testing.T, dataDir string) *Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pg, err := StartPostgres(ctx, PostgresOptions{DataDir: dataDir, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	return pg
}

func exec1(t *testing.T, url, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func queryString(t *testing.T, url, sql string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var s string
	if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func TestPostgresKeepsDataAcrossRestart(t *testing.T) {
	requirePostgres(t)
	dataDir := filepath.Join(pgTempDir(t), "nested", "pg")

	pg := startPG(t, dataDir)
	wantPrefix := fmt.Sprintf("postgres://%s@127.0.0.1:%d/cx?sslmode=disable", pg.superuser, pg.Port())
	if got := pg.URL("cx"); got != wantPrefix {
		t.Errorf("URL = %q, want %q", got, wantPrefix)
	}
	ctx := context.Background()
	for range 2 { // idempotent
		if err := pg.EnsureDatabase(ctx, "cx"); err != nil {
			t.Fatal(err)
		}
	}
	exec1(t, pg.URL("cx"), "CREATE TABLE kv (k text PRIMARY KEY, v text)")
	exec1(t, pg.URL("cx"), "INSERT INTO kv VALUES ('greeting', '你好')")
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := pg.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "postmaster.pid")); !os.IsNotExist(err) {
		t.Errorf("postmaster.pid still present after Stop: %v", err)
	}
	// Directories devstack created must be enterable by the server's user.
	if st, err := os.Stat(filepath.Dir(dataDir)); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("created parent dir mode = %v, %v; want 0755", st.Mode().Perm(), err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dataDir), "pg.log")); err != nil {
		t.Errorf("server log: %v", err)
	}

	pg2 := startPG(t, dataDir)
	if err := pg2.EnsureDatabase(ctx, "cx"); err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, pg2.URL("cx"), "SELECT v FROM kv WHERE k = 'greeting'"); got != "你好" {
		t.Errorf("after restart got %q", got)
	}
}

// runHelperUntilReady starts a re-executed test binary acting as a launcher
// and returns the child PID it reports on its "READY <pid>" line.
func runHelperUntilReady(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if pid, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
			n, _ := strconv.Atoi(pid)
			return n
		}
		t.Log("helper:", sc.Text())
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatal("helper launcher did not report READY")
	return 0
}

// helperEnv makes the test binary act as a launcher that starts PostgreSQL
// and then waits to be killed (see TestPostgresHelperLauncher).
const helperEnv = "DEVSTACK_TEST_LAUNCHER_DATADIR"

func TestPostgresHelperLauncher(t *testing.T) {
	dataDir := os.Getenv(helperEnv)
	if dataDir == "" {
		t.Skip("helper process for TestPostgresStartAfterLauncherKilled")
	}
	pg, err := StartPostgres(context.Background(), PostgresOptions{DataDir: dataDir})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	exec1(t, pg.URL("postgres"), "CREATE TABLE survivor (id int)")
	exec1(t, pg.URL("postgres"), "INSERT INTO survivor VALUES (42)")
	fmt.Println("READY", pg.proc.cmd.Process.Pid)
	time.Sleep(time.Minute) // killed long before this
	os.Exit(1)
}

func TestPostgresStartAfterLauncherKilled(t *testing.T) {
	requirePostgres(t)
	dataDir := filepath.Join(pgTempDir(t), "pg")

	cmd := exec.Command(os.Args[0], "-test.run=^TestPostgresHelperLauncher$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dataDir)
	pmPid := runHelperUntilReady(t, cmd)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	cmd.Wait()

	// The parent-death signal must take the postmaster down by itself.
	deadline := time.Now().Add(15 * time.Second)
	for isPostgresProcess(pmPid) {
		if time.Now().After(deadline) {
			t.Fatalf("postmaster %d still running 15s after its launcher was killed", pmPid)
		}
		time.Sleep(50 * time.Millisecond)
	}

	pg := startPG(t, dataDir)
	if got := queryString(t, pg.URL("postgres"), "SELECT id::text FROM survivor"); got != "42" {
		t.Errorf("got %q after restart", got)
	}
}

func TestPostgresStopsLeftoverServer(t *testing.T) {
	requirePostgres(t)
	dataDir := filepath.Join(pgTempDir(t), "pg")
	pg := startPG(t, dataDir)
	exec1(t, pg.URL("postgres"), "CREATE TABLE t (id int)")
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}

	// A server started outside devstack (daemonized by pg_ctl, as if by
	// hand or by an older launcher) on another port.
	otherPort, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out, err := pg.command(ctx, "pg_ctl", "start", "-w", "-D", dataDir,
		"-l", filepath.Join(dataDir, "manual.log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", otherPort, dataDir)).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
	pidLine, _ := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	oldPid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidLine), "\n", 2)[0]))
	if !isPostgresProcess(oldPid) {
		t.Fatalf("manual postmaster pid %d not detected as postgres", oldPid)
	}
	t.Cleanup(func() { pg.command(ctx, "pg_ctl", "stop", "-D", dataDir, "-m", "immediate").Run() })

	pg2 := startPG(t, dataDir)
	if isPostgresProcess(oldPid) {
		t.Errorf("leftover postmaster %d still running", oldPid)
	}
	exec1(t, pg2.URL("postgres"), "INSERT INTO t VALUES (1)")
}

func TestPostgresIgnoresStalePidFile(t *testing.T) {
	requirePostgres(t)
	dataDir := filepath.Join(pgTempDir(t), "pg")
	pg := startPG(t, dataDir)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	// A live PID that is not a postgres process, as after PID reuse.
	stale := fmt.Sprintf("%d\n%s\n", os.Getppid(), dataDir)
	if err := os.WriteFile(filepath.Join(dataDir, "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	pg2 := startPG(t, dataDir)
	exec1(t, pg2.URL("postgres"), "SELECT 1")
}

func TestPostgresRejectsUntraversableParent(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another user")
	}
	requirePostgres(t)
	dir := pgTempDir(t)
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := StartPostgres(context.Background(), PostgresOptions{DataDir: filepath.Join(locked, "pg"), Logger: testLogger(t)})
	if err == nil || !strings.Contains(err.Error(), "cannot enter "+locked) {
		t.Fatalf("want a clear permission error, got %v", err)
	}
}

func TestPostgresRejectsForeignDirectory(t *testing.T) {
	requirePostgres(t)
	dataDir := filepath.Join(pgTempDir(t), "pg")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := StartPostgres(context.Background(), PostgresOptions{DataDir: dataDir, Logger: testLogger(t)})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("want refusal to initdb a non-empty dir, got %v", err)
	}
	st, err := os.Stat(filepath.Join(dataDir, "notes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if uid := st.Sys().(*syscall.Stat_t).Uid; int(uid) != os.Getuid() {
		t.Errorf("refused dir's file was chowned to uid %d", uid)
	}
}

func TestVersionOrder(t *testing.T) {
	if versionOf("/usr/lib/postgresql/9.6/bin") >= versionOf("/usr/lib/postgresql/15/bin") {
		t.Error("9.6 should sort below 15")
	}
}
