// Command migrate applies cxflow's database schema (DATABASE_URL) and exits.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/migrations"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	ctx := context.Background()
	pool, err := cfg.OpenDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrations.Up(ctx, pool, cfg.Logger())
}
