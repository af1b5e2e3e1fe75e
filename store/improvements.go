package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cxflow/cxflow/improvement"
)

// SaveImprovement writes a snapshot of the improvement action and its new
// timeline events, as confirmed: for writes that no workflow made (tests).
// Workflows write through WriteImprovement.
func (s *Store) SaveImprovement(ctx context.Context, a improvement.Action, events []improvement.Event, requestHash string) error {
	_, err := s.WriteImprovement(ctx, ImprovementWrite{Action: a, Events: events, RequestHash: requestHash})
	return err
}

// ImprovementWrite is one write of an improvement action to the read model;
// its fields mean what ComplaintWrite's do.
type ImprovementWrite struct {
	Action      improvement.Action
	Events      []improvement.Event
	RequestHash string
	Provenance
}

// WriteImprovement writes an action's state and new timeline events in one
// transaction, as WriteComplaint does a complaint's.
func (s *Store) WriteImprovement(ctx context.Context, w ImprovementWrite) (bool, error) {
	a := w.Action
	a.Timeline = nil
	view, err := json.Marshal(a)
	if err != nil {
		return false, fmt.Errorf("save improvement action %s: encode: %w", a.ID, err)
	}
	var key, complaintID *string
	if a.BusinessKey != "" {
		key = &a.BusinessKey
	}
	if a.Source.ComplaintID != "" {
		complaintID = &a.Source.ComplaintID
	}
	written := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if w.Repair {
			if ok, err := stillHolds(ctx, tx, "improvement_actions", a.ID, w.ExpectVersion, w.ExpectCause); !ok || err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO improvement_actions (id, source_kind, source_cycle_id, source_complaint_id, dimension,
				business_key, department, title, status, resolution, round, refs, due_at, step_due_at,
				escalation_level, opened_by, policy_version, request_hash, version, view, created_at, closed_at,
				write_cause, confirmed, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24, now())
			ON CONFLICT (id) DO UPDATE SET
				status = EXCLUDED.status, resolution = EXCLUDED.resolution, round = EXCLUDED.round,
				step_due_at = EXCLUDED.step_due_at, escalation_level = EXCLUDED.escalation_level,
				version = EXCLUDED.version, view = EXCLUDED.view, closed_at = EXCLUDED.closed_at,
				write_cause = EXCLUDED.write_cause,
				confirmed = EXCLUDED.confirmed OR (improvement_actions.confirmed AND improvement_actions.version = EXCLUDED.version
					AND improvement_actions.write_cause = EXCLUDED.write_cause),
				updated_at = now()
			WHERE $25 OR improvement_actions.version <= EXCLUDED.version`,
			a.ID, a.Source.Kind, a.Source.CycleID, complaintID, a.Source.Dimension,
			key, a.Department, a.Title, a.Status, a.Resolution, a.Round, a.Refs, a.DueAt, a.StepDueAt,
			a.EscalationLevel, a.OpenedBy.ID, a.PolicyVersion, w.RequestHash, a.Version, view, a.CreatedAt, a.ClosedAt,
			w.Cause, w.Cause == "" || w.Repair, w.Repair)
		if err != nil {
			return fmt.Errorf("upsert: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		written = true
		batch := &pgx.Batch{}
		for _, e := range w.Events {
			batch.Queue(`
				INSERT INTO improvement_events (action_id, seq, at, step, round, action, actor_id, actor_name,
					actor_role, actor_department, detail)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
				ON CONFLICT (action_id, seq) DO UPDATE SET at = EXCLUDED.at, step = EXCLUDED.step, round = EXCLUDED.round,
					action = EXCLUDED.action, actor_id = EXCLUDED.actor_id, actor_name = EXCLUDED.actor_name,
					actor_role = EXCLUDED.actor_role, actor_department = EXCLUDED.actor_department, detail = EXCLUDED.detail`,
				a.ID, e.Seq, e.At, e.Step, e.Round, e.Action, e.Actor.ID, e.Actor.Name, e.Actor.Role, e.Actor.Department, nullJSON(e.Detail))
		}
		if w.TimelineLen > 0 {
			batch.Queue(`DELETE FROM improvement_events WHERE action_id = $1 AND seq > $2`, a.ID, w.TimelineLen)
			batch.Queue(`DELETE FROM improvement_escalations WHERE action_id = $1 AND seq > $2`, a.ID, len(a.Escalations))
		}
		for _, e := range a.Escalations {
			batch.Queue(`
				INSERT INTO improvement_escalations (action_id, seq, step, round, level, at, due_at, reason, notify)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
				ON CONFLICT (action_id, seq) DO UPDATE SET step = EXCLUDED.step, round = EXCLUDED.round,
					level = EXCLUDED.level, at = EXCLUDED.at, due_at = EXCLUDED.due_at, reason = EXCLUDED.reason,
					notify = EXCLUDED.notify`,
				a.ID, e.Seq, e.Step, e.Round, e.Level, e.At, e.DueAt, e.Reason, nonNil(e.Notify))
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
		return false, fmt.Errorf("save improvement action %s v%d: %w", a.ID, a.Version, err)
	}
	return written, nil
}

// ConfirmImprovement marks the action's row as its workflow's committed state
// if it still holds that write (see ConfirmComplaint).
func (s *Store) ConfirmImprovement(ctx context.Context, id string, version int, cause string) (bool, error) {
	return s.confirm(ctx, "improvement_actions", id, version, cause)
}

// UnconfirmedImprovements lists provisional action rows written at least
// grace ago, oldest first.
func (s *Store) UnconfirmedImprovements(ctx context.Context, grace time.Duration, limit int) ([]Unconfirmed, error) {
	return s.unconfirmed(ctx, "improvement_actions", grace, limit)
}

// ImprovementWriteOf is the version and cause of an action's stored row.
func (s *Store) ImprovementWriteOf(ctx context.Context, id string) (Unconfirmed, error) {
	return s.writeOf(ctx, "improvement_actions", id)
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// StoredImprovement is an action as the read model holds it, with what the
// API needs to answer a repeated open.
type StoredImprovement struct {
	Action      improvement.Action
	RequestHash string
	// Confirmed: see Stored.
	Confirmed bool
}

// GetImprovement returns the action with its full timeline.
func (s *Store) GetImprovement(ctx context.Context, id string) (StoredImprovement, error) {
	var st StoredImprovement
	var view []byte
	err := s.pool.QueryRow(ctx, `SELECT view, request_hash, confirmed FROM improvement_actions WHERE id = $1`, id).Scan(&view, &st.RequestHash, &st.Confirmed)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("get improvement action %s: %w", id, err)
	}
	if err := json.Unmarshal(view, &st.Action); err != nil {
		return st, fmt.Errorf("get improvement action %s: decode: %w", id, err)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT seq, at, step, round, action, actor_id, actor_name, actor_role, actor_department, detail
		FROM improvement_events WHERE action_id = $1 ORDER BY seq`, id)
	if err != nil {
		return st, fmt.Errorf("timeline of improvement action %s: %w", id, err)
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (improvement.Event, error) {
		var e improvement.Event
		var detail []byte
		err := r.Scan(&e.Seq, &e.At, &e.Step, &e.Round, &e.Action, &e.Actor.ID, &e.Actor.Name, &e.Actor.Role, &e.Actor.Department, &detail)
		e.At = e.At.UTC()
		e.Detail = detail
		return e, err
	})
	if err != nil {
		return st, fmt.Errorf("timeline of improvement action %s: %w", id, err)
	}
	st.Action.Timeline = events
	return st, nil
}

// ImprovementFilter selects improvement actions for a list page.
type ImprovementFilter struct {
	Department string
	Status     improvement.Step
	Source     improvement.SourceKind
	// CycleID and ComplaintID keep the actions a survey cycle or a complaint opened.
	CycleID     string
	ComplaintID string
	// Overdue, when set, keeps only open actions whose step is past (or within) its due time.
	Overdue *bool
	Limit   int
	Cursor  string
	Now     time.Time
}

// ListImprovements returns one page, newest first, and the cursor of the next
// page ("" on the last). Timelines are left out.
func (s *Store) ListImprovements(ctx context.Context, f ImprovementFilter) ([]improvement.Action, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Department != "" {
		where = append(where, "department = "+arg(f.Department))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if f.Source != "" {
		where = append(where, "source_kind = "+arg(f.Source))
	}
	if f.CycleID != "" {
		where = append(where, "source_cycle_id = "+arg(f.CycleID))
	}
	if f.ComplaintID != "" {
		where = append(where, "source_complaint_id = "+arg(f.ComplaintID))
	}
	if f.Overdue != nil {
		overdue := "status <> 'closed' AND COALESCE(step_due_at <= " + arg(f.Now) + ", false)"
		if *f.Overdue {
			where = append(where, overdue)
		} else {
			where = append(where, "NOT ("+overdue+")")
		}
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, fmt.Sprintf("(created_at, id) < (%s, %s)", arg(at), arg(id)))
	}
	q := "SELECT view FROM improvement_actions"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC"
	list, next, err := listViews(ctx, s, q, args, f.Limit, func(a improvement.Action) (time.Time, string) { return a.CreatedAt, a.ID })
	if err != nil {
		return nil, "", fmt.Errorf("list improvement actions: %w", err)
	}
	return list, next, nil
}
