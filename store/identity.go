package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/org"
)

// Departments lists every department, HQ first.
func (s *Store) Departments(ctx context.Context) ([]org.Department, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, kind FROM departments ORDER BY kind DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (org.Department, error) {
		var d org.Department
		return d, r.Scan(&d.ID, &d.Name, &d.Kind)
	})
}

// Department returns one department.
func (s *Store) Department(ctx context.Context, id string) (org.Department, error) {
	var d org.Department
	err := s.pool.QueryRow(ctx, `SELECT id, name, kind FROM departments WHERE id = $1`, id).Scan(&d.ID, &d.Name, &d.Kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("read department %s: %w", id, err)
	}
	return d, nil
}

// SaveDepartment creates or renames a department.
func (s *Store) SaveDepartment(ctx context.Context, d org.Department) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO departments (id, name, kind) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind`, d.ID, d.Name, d.Kind)
	if err != nil {
		return fmt.Errorf("save department %s: %w", d.ID, err)
	}
	return nil
}

const userColumns = `id::text, username, name, department, roles, disabled, created_at, updated_at, updated_by, email, mobile`

func scanUser(r pgx.Row) (org.User, error) {
	var u org.User
	var roles []string
	if err := r.Scan(&u.ID, &u.Username, &u.Name, &u.Department, &roles, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &u.UpdatedBy, &u.Email, &u.Mobile); err != nil {
		return u, err
	}
	for _, r := range roles {
		u.Roles = append(u.Roles, org.Role(r))
	}
	return u, nil
}

func roleStrings(rs []org.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// Users lists every user by username.
func (s *Store) Users(ctx context.Context) ([]org.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (org.User, error) { return scanUser(r) })
}

// User returns one user.
func (s *Store) User(ctx context.Context, id string) (org.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("read user %s: %w", id, err)
	}
	return u, nil
}

// Credentials returns a user by username with their password hash. An
// account without a password (an empty password_hash, as for users who sign in
// through the identity provider only) comes back with auth.NoPassword, a hash
// no password matches, so no caller can mistake "no password" for "any
// password" (issue #15).
func (s *Store) Credentials(ctx context.Context, username string) (org.User, string, error) {
	var hash string
	var u org.User
	var roles []string
	err := s.pool.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE username = $1`, username).
		Scan(&u.ID, &u.Username, &u.Name, &u.Department, &roles, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &u.UpdatedBy, &u.Email, &u.Mobile, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, "", ErrNotFound
	}
	if err != nil {
		return u, "", fmt.Errorf("read credentials: %w", err)
	}
	for _, r := range roles {
		u.Roles = append(u.Roles, org.Role(r))
	}
	if hash == "" {
		hash = auth.NoPassword
	}
	return u, hash, nil
}

// ErrUnknownDepartment is returned for a user whose department does not exist.
var ErrUnknownDepartment = errors.New("no such department")

// CreateUser stores a new user; ErrExists when the username is taken.
func (s *Store) CreateUser(ctx context.Context, u org.User, passwordHash string) (org.User, error) {
	created, err := scanUser(s.pool.QueryRow(ctx, `
		INSERT INTO users (id, username, name, department, roles, password_hash, disabled, updated_by, email, mobile)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+userColumns,
		u.ID, u.Username, u.Name, u.Department, roleStrings(u.Roles), passwordHash, u.Disabled, u.UpdatedBy, u.Email, u.Mobile))
	return created, userWriteError(u, err)
}

// UpdateUser changes a user's name, department, roles, disabled flag and
// contact addresses, noting the change as made now by u.UpdatedBy.
func (s *Store) UpdateUser(ctx context.Context, u org.User) (org.User, error) {
	updated, err := scanUser(s.pool.QueryRow(ctx, `
		UPDATE users SET name = $2, department = $3, roles = $4, disabled = $5, updated_at = now(), updated_by = $6,
			email = $7, mobile = $8 WHERE id = $1
		RETURNING `+userColumns, u.ID, u.Name, u.Department, roleStrings(u.Roles), u.Disabled, u.UpdatedBy, u.Email, u.Mobile))
	if errors.Is(err, pgx.ErrNoRows) {
		return updated, ErrNotFound
	}
	return updated, userWriteError(u, err)
}

func userWriteError(u org.User, err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return ErrExists
	case errors.As(err, &pgErr) && pgErr.Code == "23503":
		return ErrUnknownDepartment
	}
	return fmt.Errorf("save user %s: %w", u.Username, err)
}

// SetPassword replaces a user's password hash, noted as a change by by, and
// signs out their sessions.
func (s *Store) SetPassword(ctx context.Context, userID, hash, by string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = now(), updated_by = $3 WHERE id = $1`, userID, hash, by)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		_, err = tx.Exec(ctx, `UPDATE tokens SET revoked_at = now() WHERE user_id = $1 AND kind = 'session' AND revoked_at IS NULL`, userID)
		return err
	})
}

// Token is a bearer token's record (never the token itself).
type Token struct {
	ID        string     `json:"id" doc:"The token's ID, to revoke it with."`
	UserID    string     `json:"user_id" doc:"The user the token acts as."`
	Kind      string     `json:"kind"`
	Name      string     `json:"name" doc:"What an API token is for; empty for sessions."`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty" doc:"When the token was revoked; absent while it is not."`
}

// CreateToken stores a token's hash.
func (s *Store) CreateToken(ctx context.Context, t Token, hash []byte) (Token, error) {
	err := s.pool.QueryRow(ctx, `
		INSERT INTO tokens (id, user_id, kind, name, hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING created_at`, t.ID, t.UserID, t.Kind, t.Name, hash, t.ExpiresAt).Scan(&t.CreatedAt)
	if err != nil {
		return t, fmt.Errorf("create token: %w", err)
	}
	return t, nil
}

// ErrTokenInvalid is returned for an unknown, expired or revoked token, or a
// disabled user's.
var ErrTokenInvalid = errors.New("token is not valid")

// Authenticate returns the user a token hash belongs to, if the token is live.
func (s *Store) Authenticate(ctx context.Context, hash []byte, now time.Time) (org.User, Token, error) {
	var t Token
	var u org.User
	var roles []string
	err := s.pool.QueryRow(ctx, `
		SELECT t.id::text, t.kind, t.name, t.created_at, t.expires_at,
		       u.id::text, u.username, u.name, u.department, u.roles, u.disabled, u.created_at
		FROM tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND NOT u.disabled`, hash, now).
		Scan(&t.ID, &t.Kind, &t.Name, &t.CreatedAt, &t.ExpiresAt,
			&u.ID, &u.Username, &u.Name, &u.Department, &roles, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, t, ErrTokenInvalid
	}
	if err != nil {
		return u, t, fmt.Errorf("authenticate: %w", err)
	}
	for _, r := range roles {
		u.Roles = append(u.Roles, org.Role(r))
	}
	t.UserID = u.ID
	return u, t, nil
}

// RevokeToken ends a token now; ErrNotFound when it does not exist.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// APITokens lists the API tokens (not sessions), newest first.
func (s *Store) APITokens(ctx context.Context) ([]Token, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, user_id::text, kind, name, created_at, expires_at, revoked_at
		FROM tokens WHERE kind = 'api' ORDER BY created_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		return t, r.Scan(&t.ID, &t.UserID, &t.Kind, &t.Name, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt)
	})
}

// HasUsers reports whether any user exists (the demo seed runs only on an empty organisation).
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&ok)
	return ok, err
}

// StaffAddresses are the e-mail addresses of the enabled users a recipient
// names: "department:<id>" (the department's people), "department_head:<id>"
// (its heads), "branch_head:<id>" (a branch's head), "role:<role>" (every
// holder of the role). Users without an
// address are left out; an unknown form names no one.
func (s *Store) StaffAddresses(ctx context.Context, recipient string) ([]string, error) {
	kind, arg, _ := strings.Cut(recipient, ":")
	var q string
	switch kind {
	case "department":
		q = `SELECT email FROM users WHERE NOT disabled AND email <> '' AND department = $1 ORDER BY username`
	case "department_head":
		q = `SELECT email FROM users WHERE NOT disabled AND email <> '' AND department = $1 AND 'department_head' = ANY(roles) ORDER BY username`
	case "branch_head":
		q = `SELECT email FROM users WHERE NOT disabled AND email <> '' AND department = $1 AND 'branch_head' = ANY(roles) ORDER BY username`
	case "role":
		q = `SELECT email FROM users WHERE NOT disabled AND email <> '' AND $1 = ANY(roles) ORDER BY username`
	default:
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, q, arg)
	if err != nil {
		return nil, fmt.Errorf("addresses of %s: %w", recipient, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
