package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one state-changing request in the audit trail.
type AuditEntry struct {
	ID         int64     `json:"id" doc:"Increases with every entry."`
	At         time.Time `json:"at"`
	UserID     string    `json:"user_id" doc:"The signed-in user's ID; empty when nobody was signed in (a refused request without a valid token, a sign-in attempt or a customer's answer)."`
	Username   string    `json:"username" doc:"The signed-in user's username, or the one a sign-in attempt gave."`
	Roles      []string  `json:"roles" doc:"The user's roles at the time."`
	Department string    `json:"department" doc:"The user's department at the time."`
	Method     string    `json:"method"`
	Route      string    `json:"route" doc:"The route matched, in the server's notation, e.g. /api/v1/complaints/:id/plan; empty for a path no route matched."`
	Path       string    `json:"path" doc:"The path requested."`
	Target     string    `json:"target" doc:"What the request acted on: a complaint, improvement action, survey programme or cycle, user, department or token ID, or a calendar name; empty when nothing in particular."`
	RemoteAddr string    `json:"remote_addr" doc:"The client's address."`
	Status     int       `json:"status" doc:"The HTTP status answered."`
	Outcome    string    `json:"outcome"`
	Message    string    `json:"message" doc:"The error message answered, for requests that were not allowed."`
	WorkflowID string    `json:"workflow_id" doc:"The workflow the request acted on or started (a complaint, improvement action, survey cycle or delivery follow-up), if any."`
	UpdateID   string    `json:"update_id" doc:"The ID of the Update the request sent to the workflow, to find it in the workflow's history."`
}

// AppendAudit adds an entry; the table refuses updates and deletes.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) error {
	if e.Roles == nil {
		e.Roles = []string{}
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO audit_log (user_id, username, roles, department, method, route, path, target,
			remote_addr, status, outcome, message, workflow_id, update_id)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		e.UserID, e.Username, e.Roles, e.Department, e.Method, e.Route, e.Path, e.Target,
		e.RemoteAddr, e.Status, e.Outcome, e.Message, e.WorkflowID, e.UpdateID)
	if err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	UserID  string
	Target  string
	Outcome string
	From    *time.Time
	To      *time.Time
	// Before pages: entries with a smaller ID.
	Before int64
	Limit  int
}

// Audit lists entries matching the filter, newest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.UserID != "" {
		where = append(where, "user_id = "+arg(f.UserID))
	}
	if f.Target != "" {
		where = append(where, "target = "+arg(f.Target))
	}
	if f.Outcome != "" {
		where = append(where, "outcome = "+arg(f.Outcome))
	}
	if f.From != nil {
		where = append(where, "at >= "+arg(*f.From))
	}
	if f.To != nil {
		where = append(where, "at < "+arg(*f.To))
	}
	if f.Before > 0 {
		where = append(where, "id < "+arg(f.Before))
	}
	q := `SELECT id, at, user_id, username, roles, department, method, route, path, target, remote_addr,
		status, outcome, message, workflow_id, update_id FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + arg(f.Limit)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		return e, r.Scan(&e.ID, &e.At, &e.UserID, &e.Username, &e.Roles, &e.Department, &e.Method, &e.Route,
			&e.Path, &e.Target, &e.RemoteAddr, &e.Status, &e.Outcome, &e.Message, &e.WorkflowID, &e.UpdateID)
	})
}
