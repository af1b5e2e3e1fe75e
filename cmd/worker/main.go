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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Payload keys encrypt and decrypt histories; link keys sign the survey
	// links the outbox sends: the worker needs both, like the server.
	p, err := config.Start(ctx)
	if err != nil {
		return err
	}
	defer p.Close()
	return worker.Run(ctx, p.Config, p.Temporal, p.Pool, p.Log)
}
