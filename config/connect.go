package config

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// DialTemporal connects a Temporal client that logs through log. With secrets
// loaded, every payload it writes is encrypted: complaint data never reaches
// Temporal's history in plain text.
func (c Config) DialTemporal(ctx context.Context, log *slog.Logger) (client.Client, error) {
	opts := client.Options{
		HostPort:  c.TemporalAddress,
		Namespace: c.TemporalNamespace,
		Logger:    sdklog.NewStructuredLogger(log.With("component", "temporal-sdk")),
	}
	if c.Secrets != nil && c.Secrets.Keyring != nil {
		opts.DataConverter = c.Secrets.Keyring.DataConverter()
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("dial temporal %s: %w", c.TemporalAddress, err)
	}
	return tc, nil
}

// OpenDatabase opens a PostgreSQL pool and checks that the database answers.
func (c Config) OpenDatabase(ctx context.Context) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(ctx, c.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return pool, nil
}
