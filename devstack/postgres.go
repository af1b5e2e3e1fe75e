package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PostgresOptions configures StartPostgres.
type PostgresOptions struct {
	// DataDir is the cluster's data directory. It is created and initdb'd on
	// first use and reused afterwards, so data persists across restarts.
	// Missing parent directories are created with mode 0755 because, when
	// running as root, the server runs as the "postgres" user and must be
	// able to traverse them.
	DataDir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free port.
	Port int
	// BinDir holds initdb, pg_ctl and postgres. Default: `pg_config
	// --bindir`, else the newest /usr/lib/postgresql/*/bin, else PATH.
	BinDir string
	// Logger receives devstack's own messages; default slog.Default().
	// The server's log goes to <parent of DataDir>/<base of DataDir>.log.
	Logger *slog.Logger
}

// Postgres is a running local PostgreSQL server started by StartPostgres.
type Postgres struct {
	dataDir   string
	binDir    string
	port      int
	superuser string
	socketDir string
	ownSocket bool // socketDir is a temp dir to remove on Stop
	logPath   string
	runAs     osUser
	logger    *slog.Logger

	proc    *child
	logFile *os.File

	stopOnce sync.Once
	stopErr  error
}

// osUser is the account the PostgreSQL programs run as.
type osUser struct {
	name string
	uid  int
	gid  int
	// cred is non-nil when we are root and must drop to the postgres user:
	// initdb and postgres refuse to run as root.
	cred *syscall.Credential
}

const (
	pgStartTimeout = 60 * time.Second
	pgStopTimeout  = 30 * time.Second
	// Unix socket paths are limited to 107 bytes on Linux; the server
	// appends "/.s.PGSQL.<port>.lock" to the socket directory.
	maxSocketDirLen = 107 - len("/.s.PGSQL.65535.lock")
)

// StartPostgres initializes (on first use) and starts a PostgreSQL server on
// opts.DataDir, listening on 127.0.0.1 only, with trust authentication. It
// returns once the server accepts connections. A server left running on the
// same data directory by an earlier, crashed launcher is stopped first so the
// new one gets the requested port and settings. Cancelling ctx does not stop
// the server: call Stop.
func StartPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With("component", "postgres")

	if opts.DataDir == "" {
		return nil, errors.New("start postgres: PostgresOptions.DataDir is required")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("start postgres: data dir %s: %w", opts.DataDir, err)
	}
	binDir := opts.BinDir
	if binDir == "" {
		if binDir, err = findPostgresBinDir(); err != nil {
			return nil, fmt.Errorf("start postgres: %w", err)
		}
	}
	runAs, err := postgresUser()
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}

	p := &Postgres{
		dataDir:   dataDir,
		binDir:    binDir,
		port:      opts.Port,
		superuser: runAs.name,
		logPath:   filepath.Join(filepath.Dir(dataDir), filepath.Base(dataDir)+".log"),
		runAs:     runAs,
		logger:    logger,
	}
	if p.port == 0 {
		if p.port, err = FreePort(); err != nil {
			return nil, fmt.Errorf("start postgres: pick port: %w", err)
		}
	}
	if err := p.prepareDirs(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := p.initdb(ctx); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := p.stopLeftoverPostmaster(ctx); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := p.start(ctx); err != nil {
		p.cleanup()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	return p, nil
}

// URL returns a connection URL for database on this server.
func (p *Postgres) URL(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(p.superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Port returns the TCP port the server listens on.
func (p *Postgres) Port() int { return p.port }

// DataDir returns the absolute path of the cluster's data directory.
func (p *Postgres) DataDir() string { return p.dataDir }

// LogPath returns the file the server logs to.
func (p *Postgres) LogPath() string { return p.logPath }

// EnsureDatabase creates database name unless it already exists.
func (p *Postgres) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, p.URL("postgres"))
	if err != nil {
		return fmt.Errorf("ensure database %s: connect: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var exists bool
	if err := conn.QueryRow(ctx,
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("ensure database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	// CREATE DATABASE takes no parameters, hence the quoted identifier.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: lost a race, fine
			return nil
		}
		return fmt.Errorf("ensure database %s: %w", name, err)
	}
	p.logger.Info("created database", "database", name)
	return nil
}

// Stop shuts the server down with PostgreSQL's "fast" mode (what `pg_ctl
// stop -m fast` does: roll back open transactions, checkpoint, exit) and
// waits for it. It is safe to call more than once and on a nil *Postgres.
func (p *Postgres) Stop() error {
	if p == nil {
		return nil
	}
	p.stopOnce.Do(func() { p.stopErr = p.stop() })
	return p.stopErr
}

func (p *Postgres) stop() error {
	defer p.cleanup()
	if p.proc == nil || p.proc.exited() {
		return nil
	}
	pid := p.proc.cmd.Process.Pid
	// The postmaster itself is signalled (SIGINT = fast shutdown); it stops
	// its own backends. Signalling the group would hit them directly.
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stop postgres (pid %d): %w", pid, err)
	}
	select {
	case <-p.proc.done:
		p.logger.Info("stopped", "data_dir", p.dataDir)
		return nil
	case <-time.After(pgStopTimeout):
	}
	p.logger.Warn("fast shutdown timed out; killing", "pid", pid)
	_ = p.proc.signalGroup(syscall.SIGKILL)
	<-p.proc.done
	return fmt.Errorf("stop postgres (pid %d): fast shutdown did not finish in %s; killed", pid, pgStopTimeout)
}

func (p *Postgres) cleanup() {
	if p.logFile != nil {
		p.logFile.Close()
		p.logFile = nil
	}
	if p.ownSocket && p.socketDir != "" {
		os.RemoveAll(p.socketDir)
		p.socketDir = ""
	}
}

// prepareDirs creates the data directory and its parents and makes sure the
// account the server runs as can reach and own it.
func (p *Postgres) prepareDirs() error {
	parent := filepath.Dir(p.dataDir)
	created, err := mkdirAllTracked(parent)
	if err != nil {
		return err
	}
	for _, d := range created {
		// Explicit chmod: MkdirAll's mode is filtered by the umask.
		if err := os.Chmod(d, 0o755); err != nil {
			return fmt.Errorf("chmod %s: %w", d, err)
		}
	}
	if p.runAs.cred != nil {
		if err := checkTraversable(parent, p.runAs); err != nil {
			return err
		}
	}

	st, err := os.Stat(p.dataDir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.Mkdir(p.dataDir, 0o700); err != nil {
			return fmt.Errorf("create data dir %s: %w", p.dataDir, err)
		}
		if err := p.chown(p.dataDir); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("data dir %s: %w", p.dataDir, err)
	case !st.IsDir():
		return fmt.Errorf("data dir %s: not a directory", p.dataDir)
	default:
		// Refuse before touching ownership: this may be someone's unrelated
		// directory given by mistake.
		if err := checkClusterDir(p.dataDir); err != nil {
			return err
		}
		if p.runAs.cred != nil && int(st.Sys().(*syscall.Stat_t).Uid) != p.runAs.uid {
			// E.g. a cluster first created by a non-root run: the server
			// refuses a data directory it does not own.
			p.logger.Warn("data dir not owned by the postgres user; changing owner", "data_dir", p.dataDir)
			if err := chownTree(p.dataDir, p.runAs.uid, p.runAs.gid); err != nil {
				return err
			}
		}
	}

	// The socket goes into the data dir, which the server owns, unless its
	// path is too long for a Unix socket address.
	p.socketDir = p.dataDir
	if len(p.dataDir) > maxSocketDirLen {
		d, err := os.MkdirTemp("", "cxflow-pg-")
		if err != nil {
			return fmt.Errorf("create socket dir: %w", err)
		}
		p.socketDir, p.ownSocket = d, true
		if err := p.chown(d); err != nil {
			return err
		}
	}
	return nil
}

// initdb creates the cluster unless the data directory already holds one.
func (p *Postgres) initdb(ctx context.Context) error {
	if hasCluster(p.dataDir) {
		return nil
	}
	began := time.Now()
	// -A trust: local development on 127.0.0.1 only. --locale=C keeps the
	// cluster independent of whatever locales this machine has installed.
	out, err := p.command(ctx, "initdb",
		"-D", p.dataDir, "-A", "trust", "--no-sync", "-U", p.superuser,
		"-E", "UTF8", "--locale=C").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb %s: %w\n%s", p.dataDir, err, out)
	}
	p.logger.Info("initialized cluster", "data_dir", p.dataDir, "took", time.Since(began).Round(time.Millisecond).String())
	return nil
}

func hasCluster(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "PG_VERSION"))
	return err == nil
}

// checkClusterDir accepts an existing directory that holds a cluster or is
// empty (initdb fills it).
func checkClusterDir(dir string) error {
	if hasCluster(dir) {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("data dir %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("data dir %s is not empty but holds no PostgreSQL cluster (no PG_VERSION); remove it or choose another DataDir", dir)
	}
	return nil
}

// stopLeftoverPostmaster deals with a postmaster.pid left by an earlier run.
// A live postmaster (its launcher died without stopping it, or it was started
// by hand) is stopped so the new server gets our port and settings; a stale
// file is removed so a recycled PID cannot block startup.
func (p *Postgres) stopLeftoverPostmaster(ctx context.Context) error {
	pidFile := filepath.Join(p.dataDir, "postmaster.pid")
	b, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", pidFile, err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 || !isPostgresProcess(pid) {
		p.logger.Info("removing stale postmaster.pid", "pid", first)
		if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale %s: %w", pidFile, err)
		}
		return nil
	}
	p.logger.Warn("a server from an earlier run is still running on this data dir; stopping it", "pid", pid, "data_dir", p.dataDir)
	out, err := p.command(ctx, "pg_ctl", "stop", "-D", p.dataDir, "-m", "fast", "-w", "-t", strconv.Itoa(int(pgStopTimeout/time.Second))).CombinedOutput()
	if err != nil && isPostgresProcess(pid) {
		return fmt.Errorf("pg_ctl stop %s (pid %d): %w\n%s", p.dataDir, pid, err, out)
	}
	return nil
}

// start runs the postmaster as a direct child (rather than daemonized by
// `pg_ctl start`) so that the parent-death signal can stop it if the launcher
// is killed, and waits until it accepts connections.
func (p *Postgres) start(ctx context.Context) error {
	logFile, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open log %s: %w", p.logPath, err)
	}
	p.logFile = logFile
	logStart, _ := logFile.Seek(0, io.SeekEnd)

	cmd := p.command(context.Background(), "postgres",
		"-D", p.dataDir,
		"-p", strconv.Itoa(p.port),
		"-k", p.socketDir,
		"-c", "listen_addresses=127.0.0.1",
		// Durability is not wanted for local development and tests; speed is.
		"-c", "fsync=off",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	began := time.Now()
	// SIGINT is the postmaster's fast shutdown: a killed launcher leaves a
	// cleanly stopped cluster behind.
	proc, err := startChild(cmd, syscall.SIGINT)
	if err != nil {
		return fmt.Errorf("run postgres: %w", err)
	}
	p.proc = proc

	deadline := time.Now().Add(pgStartTimeout)
	for {
		if err := ping(ctx, p.URL("postgres")); err == nil {
			break
		} else if proc.exited() {
			return fmt.Errorf("postgres exited during startup (%v); log %s:\n%s", proc.err, p.logPath, readFrom(p.logPath, logStart, 4096))
		} else if ctx.Err() != nil || time.Now().After(deadline) {
			_ = p.Stop()
			if ctx.Err() != nil {
				return fmt.Errorf("wait for postgres: %w", ctx.Err())
			}
			return fmt.Errorf("postgres did not accept connections within %s (last error: %v); log %s:\n%s", pgStartTimeout, err, p.logPath, readFrom(p.logPath, logStart, 4096))
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-proc.done:
		case <-ctx.Done():
		}
	}
	p.logger.Info("started", "port", p.port, "data_dir", p.dataDir, "log", p.logPath,
		"took", time.Since(began).Round(time.Millisecond).String())
	return nil
}

func ping(ctx context.Context, dsn string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// command prepares a PostgreSQL program to run as p.runAs.
func (p *Postgres) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(p.binDir, name), args...)
	// The postgres user may not be able to enter our working directory
	// (e.g. /root), and initdb fails if it cannot.
	cmd.Dir = "/"
	// PG* variables (PGDATA, PGPORT, ...) from the caller's shell would
	// silently override what we pass on the command line.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if p.runAs.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.runAs.cred}
	}
	return cmd
}

func (p *Postgres) chown(path string) error {
	if p.runAs.cred == nil {
		return nil
	}
	if err := os.Chown(path, p.runAs.uid, p.runAs.gid); err != nil {
		return fmt.Errorf("chown %s to %s: %w", path, p.runAs.name, err)
	}
	return nil
}

// postgresUser returns the account to run the server as: the "postgres" OS
// user when we are root, else ourselves.
func postgresUser() (osUser, error) {
	if os.Geteuid() != 0 {
		return osUser{name: currentUserName(), uid: os.Getuid(), gid: os.Getgid()}, nil
	}
	u, err := lookupUser("postgres")
	if err != nil {
		return osUser{}, fmt.Errorf("running as root, PostgreSQL must run as the \"postgres\" OS user: %w (install the postgresql package or create the user with `useradd --system postgres`)", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return osUser{}, fmt.Errorf("postgres user uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return osUser{}, fmt.Errorf("postgres user gid %q: %w", u.Gid, err)
	}
	return osUser{
		name: "postgres",
		uid:  uid,
		gid:  gid,
		// Empty Groups drops root's supplementary groups.
		cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}},
	}, nil
}

// findPostgresBinDir locates the server binaries, which Debian keeps off PATH.
func findPostgresBinDir() (string, error) {
	hasInitdb := func(dir string) bool {
		st, err := os.Stat(filepath.Join(dir, "initdb"))
		return err == nil && !st.IsDir()
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); hasInitdb(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest major version first; compare numerically so 9.6 < 10.
	sort.Slice(dirs, func(i, j int) bool {
		return versionOf(dirs[i]) > versionOf(dirs[j])
	})
	for _, d := range dirs {
		if hasInitdb(d) {
			return d, nil
		}
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(path), nil
	}
	return "", errors.New("no PostgreSQL server binaries (initdb) found via pg_config, /usr/lib/postgresql/*/bin or PATH; install them (Debian: apt-get install postgresql) or set PostgresOptions.BinDir")
}

// versionOf turns /usr/lib/postgresql/15/bin or .../9.6/bin into a sortable
// number.
func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// mkdirAllTracked is os.MkdirAll that reports which directories it created,
// so only those get their permissions changed.
func mkdirAllTracked(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("stat %s: %w", d, err)
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return created, fmt.Errorf("create %s: %w", missing[i], err)
		}
		created = append(created, missing[i])
	}
	return created, nil
}

// checkTraversable fails with an actionable message if u cannot reach dir,
// e.g. because an ancestor is root's 0700 home or a t.TempDir().
func checkTraversable(dir string, u osUser) error {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("stat %s: %w", d, err)
		}
		sys := st.Sys().(*syscall.Stat_t)
		perm := st.Mode().Perm()
		var ok bool
		switch {
		case int(sys.Uid) == u.uid:
			ok = perm&0o100 != 0
		case int(sys.Gid) == u.gid:
			ok = perm&0o010 != 0
		default:
			ok = perm&0o001 != 0
		}
		if !ok {
			return fmt.Errorf("the %s user (uid %d) cannot enter %s (mode %v, owner uid %d), which the PostgreSQL data dir is under; chmod o+x it or choose a DataDir elsewhere", u.name, u.uid, d, perm, sys.Uid)
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

func chownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, uid, gid); err != nil {
			return fmt.Errorf("chown %s: %w", path, err)
		}
		return nil
	})
}

// isPostgresProcess reports whether pid is a live (non-zombie) process whose
// command name is postgres, so a recycled PID is not mistaken for a server.
func isPostgresProcess(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		// No /proc (not Linux): trust the signal probe.
		return !errors.Is(err, os.ErrNotExist) || !procMounted()
	}
	// Format: "pid (comm) state ..."; comm may itself contain ") ".
	s := string(stat)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open || end+2 >= len(s) {
		return false
	}
	comm, state := s[open+1:end], s[end+2]
	return comm == "postgres" && state != 'Z' && state != 'X'
}

func procMounted() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// readFrom returns up to max bytes of path starting at offset off (the tail
// if there is more), for quoting the server's log in errors.
func readFrom(path string, off int64, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	if st.Size()-off > max {
		off = st.Size() - max
	}
	b, _ := io.ReadAll(io.NewSectionReader(f, off, st.Size()-off))
	return strings.TrimSpace(string(b))
}
