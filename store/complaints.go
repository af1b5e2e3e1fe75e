// Package store reads and writes cxflow's PostgreSQL read model. Every write is
// idempotent, so an activity retried after a crash never duplicates a row.
package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cxflow/cxflow/complaint"
)

// ErrNotFound is returned for a complaint the read model does not hold.
var ErrNotFound = errors.New("not found")

// Store is the PostgreSQL read model.
type Store struct {
	pool *pgxpool.Pool
}

// New wraps a connection pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// AllocateNumber gives a complaint its register number, e.g. TS-2026-000123.
// Asking again for the same complaint returns the number it already has.
func (s *Store) AllocateNumber(ctx context.Context, complaintID, prefix string, year int) (string, error) {
	var number string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT number FROM complaint_numbers WHERE complaint_id = $1`, complaintID).Scan(&number)
		if err == nil || !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var seq int64
		// The row lock on the counter serialises concurrent intakes of one year.
		if err := tx.QueryRow(ctx, `
			INSERT INTO complaint_number_counters (prefix, year, last) VALUES ($1, $2, 1)
			ON CONFLICT (prefix, year) DO UPDATE SET last = complaint_number_counters.last + 1
			RETURNING last`, prefix, year).Scan(&seq); err != nil {
			return err
		}
		number = fmt.Sprintf("%s-%d-%06d", prefix, year, seq)
		_, err = tx.Exec(ctx, `INSERT INTO complaint_numbers (complaint_id, number) VALUES ($1, $2)`, complaintID, number)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("allocate number for %s: %w", complaintID, err)
	}
	return number, nil
}

// SaveComplaint writes a snapshot of the complaint and its new timeline events
// in one transaction, as confirmed: for writes that no workflow made (imports,
// tests). Workflows write through WriteComplaint.
func (s *Store) SaveComplaint(ctx context.Context, c complaint.Complaint, events []complaint.Event, idempotencyKey, requestHash string) error {
	_, err := s.WriteComplaint(ctx, ComplaintWrite{Complaint: c, Events: events, IdempotencyKey: idempotencyKey, RequestHash: requestHash})
	return err
}

// ComplaintWrite is one write of a complaint to the read model.
type ComplaintWrite struct {
	Complaint complaint.Complaint
	// Events are the timeline events this write adds (all of them for a repair).
	Events         []complaint.Event
	IdempotencyKey string
	RequestHash    string
	Provenance
}

// Provenance is what a workflow's write of a case says of itself, so that the
// read model can tell it from the write of a task that was lost.
type Provenance struct {
	// Cause names what made the write: the Update's ID, or "workflow" for the
	// workflow's own timers. A write with a cause is provisional until
	// confirmed (see ConfirmComplaint); one without is confirmed at once.
	Cause string
	// TimelineLen is the length of the case's timeline after this write;
	// events after it were written by a workflow task that was never committed
	// and are removed. 0 (a write by an older workflow) removes nothing.
	TimelineLen int
	// Repair replaces the row whatever its version, but only if it still holds
	// the write ExpectVersion/ExpectCause describe, and confirms it: the
	// workflow's committed state over an orphaned write.
	Repair        bool
	ExpectVersion int
	ExpectCause   string
}

// WriteComplaint writes a complaint's state and new timeline events in one
// transaction. A snapshot older than the stored one changes nothing; one of
// the same version replaces it (the workflow's committed state over a write
// of a task that was lost, which the stored version cannot outrank). It
// reports whether the row was written.
func (s *Store) WriteComplaint(ctx context.Context, w ComplaintWrite) (bool, error) {
	c := w.Complaint
	c.Timeline = nil
	view, err := json.Marshal(c)
	if err != nil {
		return false, fmt.Errorf("save complaint %s: encode: %w", c.ID, err)
	}
	var key *string
	if w.IdempotencyKey != "" {
		key = &w.IdempotencyKey
	}
	// The current step's warning time and, while paused, its frozen standing
	// serve the SLA-status filter.
	var warnAt *time.Time
	var pausedStatus complaint.SLAStatus
	if n := len(c.Deadlines); n > 0 && c.Deadlines[n-1].CompletedAt == nil {
		d := c.Deadlines[n-1]
		warnAt = d.WarnAt
		if d.Paused {
			pausedStatus = d.SLAStatus
		}
	}
	written := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if w.Repair {
			if ok, err := stillHolds(ctx, tx, "complaints", c.ID, w.ExpectVersion, w.ExpectCause); !ok || err != nil {
				return err // written again since it was judged: judge again
			}
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO complaints (id, number, status, resolution, severity, category, channel,
				complainant_class, branch, department, handler, subject, estimated_loss, received_at,
				created_at, closed_at, due_at, escalation_level, reopen_count, policy_version,
				idempotency_key, request_hash, version, view, calendar, warn_at, paused, paused_sla_status,
				write_cause, confirmed, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30, now())
			ON CONFLICT (id) DO UPDATE SET
				status = EXCLUDED.status, resolution = EXCLUDED.resolution, department = EXCLUDED.department,
				handler = EXCLUDED.handler, closed_at = EXCLUDED.closed_at, due_at = EXCLUDED.due_at,
				escalation_level = EXCLUDED.escalation_level, reopen_count = EXCLUDED.reopen_count,
				version = EXCLUDED.version, view = EXCLUDED.view, calendar = EXCLUDED.calendar,
				warn_at = EXCLUDED.warn_at, paused = EXCLUDED.paused,
				paused_sla_status = EXCLUDED.paused_sla_status, write_cause = EXCLUDED.write_cause,
				-- The same write again (a retried activity) keeps its confirmation.
				confirmed = EXCLUDED.confirmed OR (complaints.confirmed AND complaints.version = EXCLUDED.version
					AND complaints.write_cause = EXCLUDED.write_cause),
				updated_at = now()
			WHERE $31 OR complaints.version <= EXCLUDED.version`,
			c.ID, c.Number, c.Status, c.Resolution, c.Severity, c.Category, c.Channel,
			c.ComplainantClass, c.Branch, c.Department, c.Handler, c.Subject, c.EstimatedLoss, c.ReceivedAt,
			c.CreatedAt, c.ClosedAt, c.DueAt, c.EscalationLevel, c.ReopenCount, c.PolicyVersion,
			key, w.RequestHash, c.Version, view, c.Calendar, warnAt, c.Paused != nil, pausedStatus,
			w.Cause, w.Cause == "" || w.Repair, w.Repair)
		if err != nil {
			return fmt.Errorf("upsert: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil // an older snapshot: its events are older too
		}
		written = true
		batch := &pgx.Batch{}
		for _, e := range w.Events {
			batch.Queue(`
				INSERT INTO complaint_events (complaint_id, seq, at, step, action, actor_id, actor_name,
					actor_role, actor_department, detail)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
				ON CONFLICT (complaint_id, seq) DO UPDATE SET at = EXCLUDED.at, step = EXCLUDED.step,
					action = EXCLUDED.action, actor_id = EXCLUDED.actor_id, actor_name = EXCLUDED.actor_name,
					actor_role = EXCLUDED.actor_role, actor_department = EXCLUDED.actor_department, detail = EXCLUDED.detail`,
				c.ID, e.Seq, e.At, e.Step, e.Action, e.Actor.ID, e.Actor.Name, e.Actor.Role, e.Actor.Department, nullJSON(e.Detail))
		}
		if w.TimelineLen > 0 {
			batch.Queue(`DELETE FROM complaint_events WHERE complaint_id = $1 AND seq > $2`, c.ID, w.TimelineLen)
			batch.Queue(`DELETE FROM complaint_escalations WHERE complaint_id = $1 AND seq > $2`, c.ID, len(c.Escalations))
		}
		for _, e := range c.Escalations {
			batch.Queue(`
				INSERT INTO complaint_escalations (complaint_id, seq, step, level, at, due_at, reason)
				VALUES ($1,$2,$3,$4,$5,$6,$7)
				ON CONFLICT (complaint_id, seq) DO UPDATE SET step = EXCLUDED.step, level = EXCLUDED.level,
					at = EXCLUDED.at, due_at = EXCLUDED.due_at, reason = EXCLUDED.reason`,
				c.ID, e.Seq, e.Step, e.Level, e.At, e.DueAt, e.Reason)
		}
		if batch.Len() == 0 {
			return nil
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("timeline: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("save complaint %s v%d: %w", c.ID, c.Version, err)
	}
	return written, nil
}

// stillHolds locks a case's row and reports whether it still holds the write
// a repair judged (or no row at all); table is one of ours.
func stillHolds(ctx context.Context, tx pgx.Tx, table, id string, version int, cause string) (bool, error) {
	var v int
	var c string
	err := tx.QueryRow(ctx, `SELECT version, write_cause FROM `+table+` WHERE id = $1 FOR UPDATE`, id).Scan(&v, &c)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return v == version && c == cause, nil
}

// Unconfirmed is a provisional read-model row: its version and what wrote it.
type Unconfirmed struct {
	ID      string
	Version int
	Cause   string
}

// ConfirmComplaint marks the complaint's row as the workflow's committed
// state, if it still holds the write of that version and cause. It reports
// whether it did.
func (s *Store) ConfirmComplaint(ctx context.Context, id string, version int, cause string) (bool, error) {
	return s.confirm(ctx, "complaints", id, version, cause)
}

// confirm marks a case's row confirmed if it holds that write; table is one
// of ours.
func (s *Store) confirm(ctx context.Context, table, id string, version int, cause string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE `+table+` SET confirmed = true
		WHERE id = $1 AND version = $2 AND write_cause = $3 AND NOT confirmed`, id, version, cause)
	if err != nil {
		return false, fmt.Errorf("confirm %s %s v%d: %w", table, id, version, err)
	}
	return tag.RowsAffected() == 1, nil
}

// UnconfirmedComplaints lists provisional rows written at least grace ago,
// oldest first.
func (s *Store) UnconfirmedComplaints(ctx context.Context, grace time.Duration, limit int) ([]Unconfirmed, error) {
	return s.unconfirmed(ctx, "complaints", grace, limit)
}

// ComplaintWriteOf is the version and cause of a complaint's stored row.
func (s *Store) ComplaintWriteOf(ctx context.Context, id string) (Unconfirmed, error) {
	return s.writeOf(ctx, "complaints", id)
}

// unconfirmed lists a table's provisional rows written at least grace ago
// (by the database's clock, which wrote updated_at); table is one of ours.
func (s *Store) unconfirmed(ctx context.Context, table string, grace time.Duration, limit int) ([]Unconfirmed, error) {
	rows, err := s.pool.Query(ctx, `SELECT id::text, version, write_cause FROM `+table+`
		WHERE NOT confirmed AND updated_at < now() - make_interval(secs => $1) ORDER BY updated_at LIMIT $2`,
		grace.Seconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("unconfirmed %s: %w", table, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Unconfirmed, error) {
		var u Unconfirmed
		return u, r.Scan(&u.ID, &u.Version, &u.Cause)
	})
	if err != nil {
		return nil, fmt.Errorf("unconfirmed %s: %w", table, err)
	}
	return list, nil
}

func (s *Store) writeOf(ctx context.Context, table, id string) (Unconfirmed, error) {
	u := Unconfirmed{ID: id}
	err := s.pool.QueryRow(ctx, `SELECT version, write_cause FROM `+table+` WHERE id = $1`, id).Scan(&u.Version, &u.Cause)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("read %s %s: %w", table, id, err)
	}
	return u, nil
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// Stored is a complaint as the read model holds it, with what the API needs to
// answer a repeated create.
type Stored struct {
	Complaint   complaint.Complaint
	RequestHash string
	// Confirmed is false while the row may hold a write its workflow never
	// committed (see WriteComplaint).
	Confirmed bool
}

// GetComplaint returns the complaint with its full timeline.
func (s *Store) GetComplaint(ctx context.Context, id string) (Stored, error) {
	var st Stored
	var view []byte
	err := s.pool.QueryRow(ctx, `SELECT view, request_hash, confirmed FROM complaints WHERE id = $1`, id).Scan(&view, &st.RequestHash, &st.Confirmed)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("get complaint %s: %w", id, err)
	}
	if err := json.Unmarshal(view, &st.Complaint); err != nil {
		return st, fmt.Errorf("get complaint %s: decode: %w", id, err)
	}
	events, err := s.timeline(ctx, id)
	if err != nil {
		return st, err
	}
	st.Complaint.Timeline = events
	return st, nil
}

func (s *Store) timeline(ctx context.Context, id string) ([]complaint.Event, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT seq, at, step, action, actor_id, actor_name, actor_role, actor_department, detail
		FROM complaint_events WHERE complaint_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", id, err)
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (complaint.Event, error) {
		var e complaint.Event
		var detail []byte
		err := r.Scan(&e.Seq, &e.At, &e.Step, &e.Action, &e.Actor.ID, &e.Actor.Name, &e.Actor.Role, &e.Actor.Department, &detail)
		e.At = e.At.UTC()
		e.Detail = detail
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", id, err)
	}
	return events, nil
}

// ListFilter selects complaints for a list page.
type ListFilter struct {
	Status     complaint.Step
	Department string
	// Overdue, when set, keeps only open complaints past (or within) their step's due time.
	Overdue *bool
	// SLAStatus keeps open complaints whose current step stands so.
	SLAStatus complaint.SLAStatus
	// Involving keeps complaints assigned to, or raised at, this department or branch.
	Involving string
	// Search keeps complaints whose number starts with, or whose subject or
	// customer name or organisation contains, the text (case-insensitive).
	Search string
	Limit  int
	Cursor string
	Now    time.Time
}

// ErrBadCursor is returned for a cursor this store did not produce.
var ErrBadCursor = errors.New("cursor is not valid")

// ListComplaints returns one page, newest received first, and the cursor of the
// next page ("" on the last). Timelines are left out.
func (s *Store) ListComplaints(ctx context.Context, f ListFilter) ([]complaint.Complaint, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Department != "" {
		where = append(where, "department = "+arg(f.Department))
	}
	if f.Involving != "" {
		v := arg(f.Involving)
		where = append(where, "(department = "+v+" OR branch = "+v+")")
	}
	if f.Search != "" {
		// A filter beside the received_at order: fine for a search box over
		// one organisation's complaints, not an index-backed full-text search.
		esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Search)
		prefix, within := arg(esc+"%"), arg("%"+esc+"%")
		where = append(where, "(number ILIKE "+prefix+" OR subject ILIKE "+within+
			" OR view->'customer'->>'name' ILIKE "+within+" OR view->'customer'->>'organisation' ILIKE "+within+")")
	}
	if f.Overdue != nil {
		// A paused step is overdue only if it was when its clock stopped.
		overdue := "status <> 'closed' AND ((paused AND paused_sla_status = 'breached') OR (NOT paused AND COALESCE(due_at <= " + arg(f.Now) + ", false)))"
		if *f.Overdue {
			where = append(where, overdue)
		} else {
			where = append(where, "NOT ("+overdue+")")
		}
	}
	if f.SLAStatus != "" {
		now := arg(f.Now)
		// A paused step keeps the standing it had when its clock stopped.
		live := map[complaint.SLAStatus]string{
			complaint.SLABreached: "due_at <= " + now,
			complaint.SLAAtRisk:   "due_at > " + now + " AND warn_at <= " + now,
			complaint.SLAOnTrack:  "(due_at IS NULL OR due_at > " + now + ") AND (warn_at IS NULL OR warn_at > " + now + ")",
		}[f.SLAStatus]
		where = append(where, fmt.Sprintf("status <> 'closed' AND ((paused AND paused_sla_status = %s) OR (NOT paused AND %s))",
			arg(f.SLAStatus), live))
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, fmt.Sprintf("(received_at, id) < (%s, %s)", arg(at), arg(id)))
	}
	q := "SELECT view FROM complaints"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY received_at DESC, id DESC"
	return listViews(ctx, s, q, args, f.Limit, func(c complaint.Complaint) (time.Time, string) { return c.ReceivedAt, c.ID })
}

// listViews runs a keyset-paged query that selects one jsonb view column,
// decodes each row into T and returns the cursor of the next page ("" on the
// last): one extra row tells whether another page follows.
func listViews[T any](ctx context.Context, s *Store, q string, args []any, limit int, key func(T) (time.Time, string)) ([]T, string, error) {
	args = append(args, limit+1)
	rows, err := s.pool.Query(ctx, q+" LIMIT $"+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, "", fmt.Errorf("list: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) {
		var v T
		var view []byte
		if err := r.Scan(&view); err != nil {
			return v, err
		}
		return v, json.Unmarshal(view, &v)
	})
	if err != nil {
		return nil, "", fmt.Errorf("list: %w", err)
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		at, id := key(list[len(list)-1])
		next = encodeCursor(at, id)
	}
	return list, next, nil
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	ts, id, ok := strings.Cut(string(b), "|")
	micros, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || len(id) != 36 {
		return time.Time{}, "", ErrBadCursor
	}
	return time.UnixMicro(micros).UTC(), id, nil
}
