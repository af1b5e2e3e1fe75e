package devstack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// TemporalOptions configures StartTemporal.
type TemporalOptions struct {
	// Binary is the `temporal` CLI; default FindTemporalBinary().
	Binary string
	// DBFile is the SQLite file that persists workflows; "" keeps
	// everything in memory (lost on Stop).
	DBFile string
	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free port.
	Port int
	// UIPort is the Web UI port; 0 picks a free port. Ignored when Headless.
	UIPort   int
	Headless bool
	// Namespace is registered at startup; default "default" (which the dev
	// server always registers as well).
	Namespace string
	// Namespaces are registered at startup as well, e.g. for a test that
	// needs a second installation on the same server.
	Namespaces []string
	// UICodecEndpoint, when set, is the remote codec the Web UI decodes
	// payloads with (cxflow's /api/v1/codec).
	UICodecEndpoint string
	// LogLevel is the server's log level; default "warn".
	LogLevel string
	// Logger receives devstack's messages and the server's output;
	// default slog.Default().
	Logger *slog.Logger
}

// Temporal is a running Temporal dev server started by StartTemporal.
type Temporal struct {
	address string
	uiURL   string
	logger  *slog.Logger
	proc    *child

	stopping atomic.Bool
	stopOnce sync.Once
	stopErr  error
}

const (
	temporalStartTimeout = 60 * time.Second
	temporalStopTimeout  = 10 * time.Second
)

// StartTemporal runs `temporal server start-dev` on 127.0.0.1 and returns
// once the frontend answers health checks and the namespace is visible.
// Cancelling ctx does not stop the server: call Stop.
func StartTemporal(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	return startPicking(opts.Port != 0 && (opts.UIPort != 0 || opts.Headless),
		func() (*Temporal, error) { return startTemporalOnce(ctx, opts) })
}

func startTemporalOnce(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With("component", "temporal")

	bin := opts.Binary
	if bin == "" {
		var err error
		if bin, err = FindTemporalBinary(); err != nil {
			return nil, fmt.Errorf("start temporal: %w", err)
		}
	}
	ns := opts.Namespace
	if ns == "" {
		ns = "default"
	}
	level := opts.LogLevel
	if level == "" {
		level = "warn"
	}
	port, err := portOrFree(opts.Port)
	if err != nil {
		return nil, fmt.Errorf("start temporal: pick port: %w", err)
	}

	args := []string{"server", "start-dev",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--namespace", ns,
		"--log-level", level,
		// One task-queue partition: with the default four, a new workflow's
		// first task sometimes waits ~2 s for a poller on another partition
		// (measured by make bench); a single machine gains nothing from four.
		"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
		"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1",
	}
	for _, extra := range opts.Namespaces {
		args = append(args, "--namespace", extra)
	}
	t := &Temporal{address: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), logger: logger}
	if opts.Headless {
		args = append(args, "--headless")
	} else {
		uiPort, err := portOrFree(opts.UIPort)
		if err != nil {
			return nil, fmt.Errorf("start temporal: pick UI port: %w", err)
		}
		args = append(args, "--ui-port", strconv.Itoa(uiPort))
		if opts.UICodecEndpoint != "" {
			args = append(args, "--ui-codec-endpoint", opts.UICodecEndpoint)
		}
		t.uiURL = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(uiPort))
	}
	if opts.DBFile != "" {
		dbFile, err := filepath.Abs(opts.DBFile)
		if err != nil {
			return nil, fmt.Errorf("start temporal: db file %s: %w", opts.DBFile, err)
		}
		// The CLI creates the file but not its directory.
		if err := os.MkdirAll(filepath.Dir(dbFile), 0o755); err != nil {
			return nil, fmt.Errorf("start temporal: create dir for %s: %w", dbFile, err)
		}
		args = append(args, "--db-filename", dbFile)
	}

	cmd := exec.Command(bin, args...)
	// Plain OS pipes rather than cmd.StdoutPipe: Wait closes those, which
	// could cut off the last lines a crashing server prints.
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start temporal: %w", err)
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		stdout.Close()
		stdoutW.Close()
		return nil, fmt.Errorf("start temporal: %w", err)
	}
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	tail := &tailBuffer{n: 30}
	began := time.Now()
	proc, err := startChild(cmd, syscall.SIGTERM)
	// The child has its own copies now; ours must go so the readers see EOF.
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		stdout.Close()
		stderr.Close()
		return nil, fmt.Errorf("start temporal: run %s: %w", bin, err)
	}
	t.proc = proc
	// The banner on stdout is only interesting when debugging; the server's
	// own log lines (stderr) are already filtered by LogLevel.
	var readers sync.WaitGroup
	readers.Go(func() { pipeLines(stdout, logger, t.stdoutLevel, "stdout", tail); stdout.Close() })
	readers.Go(func() { pipeLines(stderr, logger, t.stderrLevel, "stderr", tail); stderr.Close() })

	if err := t.waitReady(ctx, append([]string{ns}, opts.Namespaces...)); err != nil {
		_ = t.Stop()
		// Let the readers catch the server's last words for the error.
		drained := make(chan struct{})
		go func() { readers.Wait(); close(drained) }()
		select {
		case <-drained:
		case <-time.After(time.Second):
		}
		return nil, fmt.Errorf("start temporal: %w\n%s", err, tail)
	}
	logger.Info("started", "address", t.address, "ui", t.uiURL, "namespace", ns,
		"db_file", opts.DBFile, "took", time.Since(began).Round(time.Millisecond).String())
	return t, nil
}

// stdoutLevel: the CLI's banner on stdout only matters when debugging.
func (t *Temporal) stdoutLevel(string) slog.Level { return slog.LevelDebug }

// stderrLevel keeps the server's own level (its lines look like
// "time=... level=WARN msg=..."), except while stopping, when the server
// reliably complains about its own connections closing.
func (t *Temporal) stderrLevel(line string) slog.Level {
	if t.stopping.Load() {
		return slog.LevelDebug
	}
	switch {
	case strings.Contains(line, "level=ERROR"), strings.Contains(line, "level=FATAL"),
		strings.Contains(line, "level=PANIC"), strings.Contains(line, "level=DPANIC"):
		return slog.LevelError
	case strings.Contains(line, "level=WARN"):
		return slog.LevelWarn
	case strings.Contains(line, "level=DEBUG"):
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// waitReady polls until the frontend passes a gRPC health check and knows
// the namespaces (workers polling an unknown namespace fail), the process
// exits, ctx ends or the start timeout passes.
func (t *Temporal) waitReady(ctx context.Context, namespaces []string) error {
	ctx, cancel := context.WithTimeout(ctx, temporalStartTimeout)
	defer cancel()
	// A probe in flight must not outlive the server: e.g. when the port was
	// taken, the dial may hang on whoever holds it.
	go func() {
		select {
		case <-t.proc.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	// The SDK's default logger would print every failed attempt.
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	var lastErr error
	for {
		lastErr = nil
		for _, ns := range namespaces {
			if lastErr = t.probe(ctx, ns, quiet); lastErr != nil {
				break
			}
		}
		if lastErr == nil {
			return nil
		}
		if t.proc.exited() {
			return fmt.Errorf("temporal server exited during startup (%v)", t.proc.err)
		}
		select {
		case <-t.proc.done:
			return fmt.Errorf("temporal server exited during startup (%v)", t.proc.err)
		case <-ctx.Done():
			return fmt.Errorf("temporal frontend at %s not ready: %w (last error: %v)", t.address, ctx.Err(), lastErr)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (t *Temporal) probe(ctx context.Context, ns string, logger sdklog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: t.address, Namespace: ns, Logger: logger})
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	nc, err := client.NewNamespaceClient(client.Options{HostPort: t.address, Logger: logger})
	if err != nil {
		return fmt.Errorf("namespace client: %w", err)
	}
	defer nc.Close()
	if _, err := nc.Describe(ctx, ns); err != nil {
		return fmt.Errorf("describe namespace %s: %w", ns, err)
	}
	return nil
}

// Address returns the frontend's host:port, for client.Options.HostPort.
func (t *Temporal) Address() string { return t.address }

// UIURL returns the Web UI's base URL, or "" when headless.
func (t *Temporal) UIURL() string { return t.uiURL }

// Stop sends SIGTERM to the server's process group, waits up to 10 s, then
// sends SIGKILL. It is safe to call more than once and on a nil *Temporal.
func (t *Temporal) Stop() error {
	if t == nil {
		return nil
	}
	t.stopOnce.Do(func() { t.stopErr = t.stop() })
	return t.stopErr
}

// Kill ends the server with SIGKILL, as a power cut would: nothing in flight
// is completed. For crash tests and drills; start it again on the same
// DBFile and Port to carry on. Stop afterwards is a no-op.
func (t *Temporal) Kill() {
	if t == nil || t.proc == nil || t.proc.exited() {
		return
	}
	t.stopping.Store(true)
	t.stopOnce.Do(func() {
		_ = t.proc.signalGroup(syscall.SIGKILL)
		<-t.proc.done
		t.logger.Info("killed", "address", t.address)
	})
}

func (t *Temporal) stop() error {
	if t.proc == nil || t.proc.exited() {
		return nil
	}
	t.stopping.Store(true)
	if err := t.proc.signalGroup(syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop temporal: %w", err)
	}
	select {
	case <-t.proc.done:
		t.logger.Info("stopped", "address", t.address)
		return nil
	case <-time.After(temporalStopTimeout):
	}
	t.logger.Warn("did not exit after SIGTERM; killing", "timeout", temporalStopTimeout)
	_ = t.proc.signalGroup(syscall.SIGKILL)
	<-t.proc.done
	return nil
}

func portOrFree(port int) (int, error) {
	if port != 0 {
		return port, nil
	}
	return FreePort()
}

// FindTemporalBinary locates the `temporal` CLI: $CXFLOW_TEMPORAL_BIN, else
// bin/temporal in the cxflow module root (found by walking up from the
// working directory), else `temporal` on PATH.
func FindTemporalBinary() (string, error) {
	if p := os.Getenv(EnvTemporalBin); p != "" {
		if err := checkExecutable(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvTemporalBin, p, err)
		}
		return p, nil
	}
	if root, err := ModuleRoot(); err == nil {
		p := filepath.Join(root, "bin", "temporal")
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return "", errors.New("temporal CLI not found: run `make bin/temporal` in the cxflow repository (builds bin/temporal from tools/temporal), or set " + EnvTemporalBin + " to its path")
}

func checkExecutable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

// modulePath identifies the repository root among nested modules (tools/,
// deploy/composecheck have go.mod files of their own).
const modulePath = "github.com/cxflow/cxflow"

// ModuleRoot returns the directory of the go.mod declaring module
// github.com/cxflow/cxflow, walking up from the working directory.
func ModuleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if declaresModule(filepath.Join(d, "go.mod"), modulePath) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("module root: no go.mod for %s at or above %s", modulePath, wd)
		}
	}
}

func declaresModule(goMod, path string) bool {
	f, err := os.Open(goMod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == path
		}
	}
	return false
}
