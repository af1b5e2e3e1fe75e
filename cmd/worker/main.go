// Command worker runs cxflow's Temporal worker. Configuration: docs/configuration.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/worker"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log := cfg.Logger()
	// Payload keys encrypt and decrypt histories; link keys sign the survey
	// links the outbox sends.
	secrets, err := config.LoadSecrets()
	if err != nil {
		return err
	}
	cfg.Secrets = &secrets
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tc, err := cfg.DialTemporal(ctx, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	pool, err := cfg.OpenDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	return worker.Run(ctx, cfg, tc, pool, log)
}
