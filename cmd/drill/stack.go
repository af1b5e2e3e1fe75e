package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/payloadcrypt"
)

// proc is one process as /proc/<pid>/stat shows it.
type proc struct {
	pid, ppid int
	state     byte
	start     uint64 // start time in clock ticks since boot: tells a recycled PID apart
	comm      string
}

func (p proc) dead() bool { return p.state == 'Z' || p.state == 'X' }

// stack is one run's system under test: the launcher cmd/cxflow (what `make
// run` runs) with its own data directory and ports. It is started again on
// the same directory and ports after every power cut.
type stack struct {
	bin     string   // the launcher, built once
	dir     string   // the run's directory (working directory of the launcher)
	dataDir string   // CXFLOW_DATA_DIR
	logPath string   // the launcher's stdout and stderr, every start appended
	env     []string // the launcher's environment
	apiURL  string
	// temporalAddr is the Temporal frontend; key the payload key the
	// launcher encrypts with (for the drill's own Temporal client).
	temporalAddr string
	key          []byte
	startTimeout time.Duration

	starts int
	cmd    *exec.Cmd
	done   chan struct{} // closed when the current launcher has exited
	err    error         // its exit, valid once done is closed
	log    *os.File
}

// newStack prepares a stack in dir on free ports.
func newStack(bin, dir, dataDir, logPath, temporalBin, mailpitBin string, startTimeout time.Duration) (*stack, error) {
	// Six distinct free ports: FreePort may hand out the same one twice.
	// Mailpit's too, so that a drill runs beside a developer's make run.
	var ports []int
	for len(ports) < 6 {
		p, err := devstack.FreePort()
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	pgPort, tPort, uiPort, httpPort, smtpPort, mailUIPort := ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]
	key := make([]byte, payloadcrypt.KeySize)
	linkKey := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := rand.Read(linkKey); err != nil {
		return nil, err
	}
	s := &stack{
		bin: bin, dir: dir, dataDir: dataDir, logPath: logPath,
		apiURL:       "http://127.0.0.1:" + strconv.Itoa(httpPort),
		temporalAddr: "127.0.0.1:" + strconv.Itoa(tPort),
		key:          key, startTimeout: startTimeout,
	}
	// The caller's own settings for a `make run` (a DATABASE_URL or
	// TEMPORAL_ADDRESS elsewhere, other ports, another data dir) must not
	// reach the drill's launcher.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "CXFLOW_") || name == "DATABASE_URL" || name == "TEMPORAL_ADDRESS" || name == "TEMPORAL_NAMESPACE" {
			continue
		}
		s.env = append(s.env, kv)
	}
	s.env = append(s.env,
		"CXFLOW_DATA_DIR="+dataDir,
		"CXFLOW_PG_PORT="+strconv.Itoa(pgPort),
		"CXFLOW_TEMPORAL_PORT="+strconv.Itoa(tPort),
		"CXFLOW_TEMPORAL_UI_PORT="+strconv.Itoa(uiPort),
		"CXFLOW_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(httpPort),
		"CXFLOW_TEMPORAL_BIN="+temporalBin,
		"CXFLOW_MAILPIT_SMTP_PORT="+strconv.Itoa(smtpPort),
		"CXFLOW_MAILPIT_UI_PORT="+strconv.Itoa(mailUIPort),
		"CXFLOW_MAILPIT_BIN="+mailpitBin,
		"CXFLOW_PUBLIC_URL="+s.apiURL,
		"CXFLOW_TEMPORAL_UI_ORIGIN=http://localhost:"+strconv.Itoa(uiPort),
		"CXFLOW_LOG_LEVEL=info",
		// The keys come from here rather than from a secrets.env the
		// launcher would write, so the drill can read the histories.
		payloadcrypt.EnvKeys+"=drill:"+base64.StdEncoding.EncodeToString(key),
		config.EnvLinkKeys+"=l-drill:"+base64.StdEncoding.EncodeToString(linkKey),
	)
	// The same keys in the data directory, where the launcher looks when the
	// environment has none: a data directory kept with -keep opens with
	// `CXFLOW_DATA_DIR=<dir> go run ./cmd/cxflow`.
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	secrets := fmt.Sprintf("# Keys of this drill run's data.\n%s=drill:%s\n%s=l-drill:%s\n",
		payloadcrypt.EnvKeys, base64.StdEncoding.EncodeToString(key), config.EnvLinkKeys, base64.StdEncoding.EncodeToString(linkKey))
	if err := os.WriteFile(filepath.Join(dataDir, "secrets.env"), []byte(secrets), 0o600); err != nil {
		return nil, err
	}
	return s, nil
}

// crashRecoveries counts PostgreSQL's crash recoveries in its server log
// (next to its cluster in the data directory): one per power cut, or a cut
// let it shut down cleanly.
func (s *stack) crashRecoveries() int {
	return countIn(filepath.Join(s.dataDir, "postgres.log"), "not properly shut down; automatic recovery in progress")
}

// start runs the launcher and waits until GET /readyz answers 200 (Temporal
// and PostgreSQL both answer the API).
func (s *stack) start(ctx context.Context) error {
	s.starts++
	if s.log == nil {
		f, err := os.OpenFile(s.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		s.log = f
	}
	fmt.Fprintf(s.log, "=== drill: launcher start %d at %s ===\n", s.starts, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(s.bin)
	cmd.Dir, cmd.Env = s.dir, s.env
	cmd.Stdout, cmd.Stderr = s.log, s.log
	// Its own process group: the terminal's Ctrl-C reaches the drill, which
	// stops the stack in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	deathSignal(cmd.SysProcAttr)
	done := make(chan struct{})
	started := make(chan error, 1)
	// The kernel sends the parent-death signal when the thread that forked
	// the child exits, and the Go runtime may retire threads: the fork
	// happens on a goroutine that keeps its thread until the child exits.
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.err = cmd.Wait()
		close(done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	s.cmd, s.done = cmd, done

	hc := &http.Client{Timeout: 3 * time.Second}
	deadline := time.Now().Add(s.startTimeout)
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.apiURL+"/readyz", nil)
		resp, err := hc.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
		} else {
			last = err.Error()
		}
		select {
		case <-done:
			return fmt.Errorf("the launcher exited during startup (%v); last lines of %s:\n%s", s.err, s.logPath, tail(s.logPath, 25))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %s (last answer: %s); last lines of %s:\n%s", s.startTimeout, last, s.logPath, tail(s.logPath, 25))
		}
	}
}

// running reports whether the launcher runs.
func (s *stack) running() bool {
	if s.done == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// cut is the power cut: SIGKILL to the launcher and every process below it
// (PostgreSQL's postmaster and backends, the Temporal dev server) at once.
// Killing the launcher alone would not do: its children get a parent-death
// signal and shut down cleanly, which a power cut does not allow.
func (s *stack) cut() ([]proc, error) {
	if !s.running() {
		return nil, errors.New("the launcher is not running")
	}
	fmt.Fprintf(s.log, "=== drill: power cut at %s ===\n", time.Now().Format(time.RFC3339Nano))
	killed, err := powerCut(s.cmd.Process.Pid, s.cmd.Process.Pid)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		return killed, errors.New("the launcher did not exit after SIGKILL")
	}
	// Anything that escaped the sweep has been orphaned to us by now.
	if left := reapOrphans(0); len(left) > 0 {
		for _, p := range left {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
		_ = awaitGone(left, 0, 5*time.Second)
		return killed, fmt.Errorf("%d processes survived the sweep (killed afterwards): %s", len(left), describe(left))
	}
	return killed, err
}

// stop ends the stack as Ctrl-C would (SIGTERM to the launcher, which stops
// the API, the worker, Temporal and PostgreSQL in order) and waits for it.
// Whatever outlives the launcher is reported and killed.
func (s *stack) stop(timeout time.Duration) error {
	defer func() {
		if s.log != nil {
			s.log.Close()
			s.log = nil
		}
	}()
	if !s.running() {
		return nil
	}
	before := treeOf(s.cmd.Process.Pid)
	fmt.Fprintf(s.log, "=== drill: stop (SIGTERM) at %s ===\n", time.Now().Format(time.RFC3339Nano))
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case <-s.done:
	case <-time.After(timeout):
		err = fmt.Errorf("the launcher did not stop within %s of SIGTERM; killed", timeout)
		_, _ = powerCut(s.cmd.Process.Pid, s.cmd.Process.Pid)
		<-s.done
	}
	var left []proc
	for _, p := range before {
		if q, ok := readProcOf(p); ok && !q.dead() {
			left = append(left, q)
		}
	}
	left = append(left, reapOrphans(0)...)
	if len(left) > 0 {
		for _, p := range left {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
		_ = awaitGone(left, 0, 5*time.Second)
		if err == nil {
			err = fmt.Errorf("still running after the launcher stopped (killed): %s", describe(left))
		}
	}
	return err
}

// readProcOf reads p again, if it is still the same process.
func readProcOf(p proc) (proc, bool) {
	for _, q := range treeOf(p.pid) {
		if q.pid == p.pid && q.start == p.start {
			return q, true
		}
	}
	return proc{}, false
}

// describe lists processes by name: "cxflow, postgres ×7, temporal".
func describe(ps []proc) string {
	count := map[string]int{}
	var names []string
	for _, p := range ps {
		if count[p.comm] == 0 {
			names = append(names, p.comm)
		}
		count[p.comm]++
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n
		if count[n] > 1 {
			parts[i] = fmt.Sprintf("%s ×%d", n, count[n])
		}
	}
	return strings.Join(parts, ", ")
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// countIn counts the occurrences of substr in a file.
func countIn(path, substr string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), substr)
}
