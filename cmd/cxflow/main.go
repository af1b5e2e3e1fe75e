// Command cxflow runs the whole system on one machine for `make run`: a local
// PostgreSQL and Temporal dev server (unless DATABASE_URL / TEMPORAL_ADDRESS
// point elsewhere), Mailpit to catch outgoing mail (unless CXFLOW_SMTP_URL
// names a mail server), the schema migrations, the worker and the API. Data
// lives in CXFLOW_DATA_DIR (default .data) and survives restarts; Ctrl-C stops
// it all.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/email"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "keygen" {
		if err := keygen(); err != nil {
			fmt.Fprintln(os.Stderr, "cxflow keygen:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cxflow:", err)
		os.Exit(1)
	}
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%s must be a port number, not %q", name, v)
	}
	return n, nil
}

func run() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	cfg.HTTPAddr = launcherAddr(os.Getenv("CXFLOW_HTTP_ADDR"))
	log := cfg.Logger()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dataDir := os.Getenv("CXFLOW_DATA_DIR")
	if dataDir == "" {
		dataDir = ".data"
	}
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return err
	}
	pgPort, err := envInt("CXFLOW_PG_PORT", 5433)
	if err != nil {
		return err
	}
	tPort, err := envInt("CXFLOW_TEMPORAL_PORT", 7233)
	if err != nil {
		return err
	}
	uiPort, err := envInt("CXFLOW_TEMPORAL_UI_PORT", 8233)
	if err != nil {
		return err
	}
	mailSMTPPort, err := envInt(devstack.EnvMailpitSMTPPort, devstack.DefaultMailpitSMTPPort)
	if err != nil {
		return err
	}
	mailUIPort, err := envInt(devstack.EnvMailpitUIPort, devstack.DefaultMailpitUIPort)
	if err != nil {
		return err
	}

	// Services started here are stopped in reverse order on the way out.
	var stops []func() error
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			if err := stops[i](); err != nil {
				log.Warn("stop", "err", err)
			}
		}
	}()

	// Keys for payload encryption and customer links: taken from the
	// environment, else from (or first written to) a file in the data dir.
	if err := loadOrCreateSecrets(filepath.Join(dataDir, "secrets.env")); err != nil {
		return err
	}
	secrets, err := config.LoadSecrets()
	if err != nil {
		return err
	}
	cfg.Secrets = &secrets

	uiURL := ""
	if os.Getenv("DATABASE_URL") == "" {
		pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{
			DataDir: filepath.Join(dataDir, "postgres"), Port: pgPort, Logger: log,
		})
		if err != nil {
			return err
		}
		stops = append(stops, pg.Stop)
		if err := pg.EnsureDatabase(ctx, "cxflow"); err != nil {
			return err
		}
		cfg.DatabaseURL = pg.URL("cxflow")
	}
	if os.Getenv("TEMPORAL_ADDRESS") == "" {
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return err
		}
		tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{
			DBFile: filepath.Join(dataDir, "temporal.db"), Port: tPort, UIPort: uiPort,
			Namespace: cfg.TemporalNamespace, Logger: log,
			UICodecEndpoint: "http://" + displayAddr(mustTCPAddr(cfg.HTTPAddr)) + "/api/v1/codec",
		})
		if err != nil {
			return err
		}
		stops = append(stops, tmp.Stop)
		cfg.TemporalAddress = tmp.Address()
		// localhost, not 127.0.0.1: the same site as the API, so the Web UI's
		// codec calls carry the sign-in cookie.
		uiURL = strings.Replace(tmp.UIURL(), "127.0.0.1", "localhost", 1)
		cfg.TemporalUIOrigin = uiURL
	}

	// Mail: to the server CXFLOW_SMTP_URL names, else to a local Mailpit that
	// keeps every message for the developer to read (nothing leaves the machine).
	mailLine := ""
	if cfg.SMTP != nil {
		mailLine = mailBanner(cfg.SMTP, "")
	} else {
		mp, err := devstack.StartMailpit(ctx, devstack.MailpitOptions{
			SMTPPort: mailSMTPPort, UIPort: mailUIPort,
			DBFile: filepath.Join(dataDir, "mailpit.db"), Logger: log,
		})
		if err != nil && strings.Contains(err.Error(), "address already in use") {
			return fmt.Errorf("%w (set %s and %s to use other ports, or CXFLOW_SMTP_URL to send through a mail server)",
				err, devstack.EnvMailpitSMTPPort, devstack.EnvMailpitUIPort)
		}
		if err != nil {
			return err
		}
		stops = append(stops, mp.Stop)
		server, err := email.ParseURL(mp.SMTPURL())
		if err != nil {
			return fmt.Errorf("mailpit SMTP URL: %w", err)
		}
		cfg.SMTP = &server
		mailLine = mailBanner(cfg.SMTP, mp.UIURL())
	}

	pool, err := cfg.OpenDatabase(ctx)
	if err != nil {
		return err
	}
	stops = append(stops, func() error { pool.Close(); return nil })
	if err := migrations.Up(ctx, pool, log); err != nil {
		return err
	}
	seeded := false
	if os.Getenv("CXFLOW_DEMO") != "0" {
		if seeded, err = demo.Seed(ctx, store.New(pool)); err != nil {
			return err
		}
	}
	tc, err := cfg.DialTemporal(ctx, log)
	if err != nil {
		return err
	}
	stops = append(stops, func() error { tc.Close(); return nil })

	policy, err := cfg.Policy()
	if err != nil {
		return err
	}
	oidcLogin, err := server.OIDCFrom(ctx, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen %s (set CXFLOW_HTTP_ADDR to use another port): %w", cfg.HTTPAddr, err)
	}
	apiURL := "http://" + displayAddr(ln.Addr())

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go (&app.App{Temporal: tc, TaskQueue: cfg.TaskQueue, Log: log}).KeepReportSchedule(runCtx)
	wg.Add(2)
	go func() {
		defer wg.Done()
		errs <- worker.Run(runCtx, cfg, tc, pool, log)
	}()
	go func() {
		defer wg.Done()
		errs <- server.New(tc, store.New(pool), cfg.TaskQueue, log).
			WithPolicy(policy).WithSecurity(server.SecurityFrom(cfg)).WithOIDC(oidcLogin).WithUpdateTimeout(cfg.UpdateTimeout).Serve(runCtx, ln)
	}()

	fmt.Printf("\ncxflow is running.\n  Console:         %s/ (中文; English at the top right)\n  API:             %s/api/v1/complaints\n  OpenAPI:         %s/openapi.json\n", apiURL, apiURL, apiURL)
	if uiURL != "" {
		fmt.Printf("  Temporal Web UI: %s\n", uiURL)
	}
	fmt.Printf("  Temporal:        %s (namespace %s)\n  Data:            %s\n", cfg.TemporalAddress, cfg.TemporalNamespace, dataDir)
	fmt.Print(mailLine)
	if seeded {
		fmt.Printf("  Demo users:      %s (password %s)\n", strings.Join(demo.Usernames(), ", "), demo.Password)
	}
	fmt.Printf("Press Ctrl-C to stop.\n\n")

	var first error
	select {
	case <-ctx.Done():
		log.Info("stopping")
	case first = <-errs:
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		if first == nil && err != nil && !errors.Is(err, context.Canceled) {
			first = err
		}
	}
	return first
}

// mailBanner is the banner's lines on where mail goes: Mailpit's web UI when
// the launcher started one (uiURL), else the server from CXFLOW_SMTP_URL,
// named without its password.
func mailBanner(server *email.Server, uiURL string) string {
	if uiURL != "" {
		return fmt.Sprintf("  Mail (Mailpit):  %s (SMTP %s:%d; nothing is delivered)\n", uiURL, server.Host, server.Port)
	}
	return fmt.Sprintf("  Mail:            %s, from CXFLOW_SMTP_URL (no Mailpit started)\n", server)
}

// displayAddr turns ":8080" into something a person can click.
func displayAddr(a net.Addr) string {
	// ":8080" resolves to no IP at all, "0.0.0.0:8080" to the unspecified one;
	// a loopback address is shown as localhost, the name the console's
	// session cookie and the Temporal Web UI's codec calls are made under.
	if tcp, ok := a.(*net.TCPAddr); ok && (len(tcp.IP) == 0 || tcp.IP.IsUnspecified() || tcp.IP.IsLoopback()) {
		return "localhost:" + strconv.Itoa(tcp.Port)
	}
	return a.String()
}

func mustTCPAddr(addr string) net.Addr {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return &net.TCPAddr{Port: 8080}
	}
	return a
}

// launcherAddr is where make run's API listens: this machine only, unless
// CXFLOW_HTTP_ADDR says otherwise — a local trial with demo users and their
// known password must not answer the network by default.
func launcherAddr(env string) string {
	if env != "" {
		return env
	}
	return "127.0.0.1:8080"
}
