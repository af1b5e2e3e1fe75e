package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cxflow/cxflow/complaint"
)

// StoredPolicy is a complaint policy version as administrators manage it.
type StoredPolicy struct {
	Policy    complaint.Policy `json:"policy"`
	Active    bool             `json:"active"`
	CreatedAt time.Time        `json:"created_at"`
	CreatedBy string           `json:"created_by" doc:"Who stored the version."`
}

// ErrExists is returned when a record with that key already exists.
var ErrExists = errors.New("already exists")

// AddPolicy stores a new policy version and makes it the active one: new
// complaints start under it; running ones keep theirs.
func (s *Store) AddPolicy(ctx context.Context, p complaint.Policy, by string) (StoredPolicy, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return StoredPolicy{}, fmt.Errorf("encode policy %s: %w", p.Version, err)
	}
	var sp StoredPolicy
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE complaint_policies SET active = false WHERE active`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `
			INSERT INTO complaint_policies (version, data, active, created_by) VALUES ($1, $2, true, $3)
			RETURNING created_at`, p.Version, data, by).Scan(&sp.CreatedAt)
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return sp, ErrExists
	}
	if err != nil {
		return sp, fmt.Errorf("add policy %s: %w", p.Version, err)
	}
	sp.Policy, sp.Active, sp.CreatedBy = p, true, by
	return sp, nil
}

// ActivePolicy returns the active stored policy; ErrNotFound when none is stored.
func (s *Store) ActivePolicy(ctx context.Context) (complaint.Policy, error) {
	return s.policy(ctx, `SELECT data FROM complaint_policies WHERE active`)
}

// Policy returns a stored policy version.
func (s *Store) Policy(ctx context.Context, version string) (complaint.Policy, error) {
	return s.policy(ctx, `SELECT data FROM complaint_policies WHERE version = $1`, version)
}

func (s *Store) policy(ctx context.Context, q string, args ...any) (complaint.Policy, error) {
	var p complaint.Policy
	var data []byte
	err := s.pool.QueryRow(ctx, q, args...).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("read policy: %w", err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("decode policy: %w", err)
	}
	return p, nil
}

// Policies lists the stored versions, newest first.
func (s *Store) Policies(ctx context.Context) ([]StoredPolicy, error) {
	rows, err := s.pool.Query(ctx, `SELECT data, active, created_at, created_by FROM complaint_policies ORDER BY created_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (StoredPolicy, error) {
		var sp StoredPolicy
		var data []byte
		if err := r.Scan(&data, &sp.Active, &sp.CreatedAt, &sp.CreatedBy); err != nil {
			return sp, err
		}
		return sp, json.Unmarshal(data, &sp.Policy)
	})
}
