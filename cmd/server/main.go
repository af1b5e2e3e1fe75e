// Command server runs cxflow's HTTP API. Configuration: docs/configuration.md.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := config.Start(ctx)
	if err != nil {
		return err
	}
	defer p.Close()
	cfg, log := p.Config, p.Log
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
		return fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	log.Info("api listening", "addr", ln.Addr().String())
	go (&app.App{Temporal: p.Temporal, TaskQueue: cfg.TaskQueue, Log: log}).KeepReportSchedule(ctx)
	return server.New(p.Temporal, store.New(p.Pool), cfg.TaskQueue, log).
		WithPolicy(policy).WithSecurity(server.SecurityFrom(cfg)).WithOIDC(oidcLogin).WithUpdateTimeout(cfg.UpdateTimeout).Serve(ctx, ln)
}
