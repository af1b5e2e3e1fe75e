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

// Process is what the server and worker programs start with: the
// configuration with its secrets loaded, a logger, and the connections.
type Process struct {
	Config   Config
	Log      *slog.Logger
	Temporal client.Client
	Pool     *pgxpool.Pool
}

// Start reads the environment, loads the keys and connects to Temporal and
// PostgreSQL. Close releases what it opened.
func Start(ctx context.Context) (*Process, error) {
	cfg, err := FromEnv()
	if err != nil {
		return nil, err
	}
	p := &Process{Config: cfg, Log: cfg.Logger()}
	secrets, err := LoadSecrets()
	if err != nil {
		return nil, err
	}
	p.Config.Secrets = &secrets
	if p.Temporal, err = p.Config.DialTemporal(ctx, p.Log); err != nil {
		return nil, err
	}
	if p.Pool, err = p.Config.OpenDatabase(ctx); err != nil {
		p.Temporal.Close()
		return nil, err
	}
	return p, nil
}

// Close releases the connections.
func (p *Process) Close() {
	p.Pool.Close()
	p.Temporal.Close()
}
