package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cxflow/cxflow/calendar"
)

// ErrVersionConflict is returned when a calendar changed since the caller read it.
var ErrVersionConflict = errors.New("changed by someone else since it was read")

// Calendar returns a stored calendar. The default calendar exists before anyone
// stores it: the shipped one.
func (s *Store) Calendar(ctx context.Context, name string) (calendar.Calendar, error) {
	var c calendar.Calendar
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM calendars WHERE name = $1`, name).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		if name == calendar.DefaultName {
			return calendar.Default(), nil
		}
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("read calendar %s: %w", name, err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("decode calendar %s: %w", name, err)
	}
	return c, nil
}

// Calendars lists the stored calendars (and the default one) by name.
func (s *Store) Calendars(ctx context.Context) ([]calendar.Calendar, error) {
	rows, err := s.pool.Query(ctx, `SELECT data FROM calendars ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list calendars: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (calendar.Calendar, error) {
		var c calendar.Calendar
		var data []byte
		if err := r.Scan(&data); err != nil {
			return c, err
		}
		return c, json.Unmarshal(data, &c)
	})
	if err != nil {
		return nil, fmt.Errorf("list calendars: %w", err)
	}
	for _, c := range list {
		if c.Name == calendar.DefaultName {
			return list, nil
		}
	}
	return append([]calendar.Calendar{calendar.Default()}, list...), nil
}

// SaveCalendar stores a new version of a calendar. ifVersion is the version
// the caller read (0 for a new calendar); a concurrent change makes the save
// fail with ErrVersionConflict instead of losing either edit.
func (s *Store) SaveCalendar(ctx context.Context, c calendar.Calendar, ifVersion int, by string) (calendar.Calendar, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var current int
		err := tx.QueryRow(ctx, `SELECT version FROM calendars WHERE name = $1 FOR UPDATE`, c.Name).Scan(&current)
		if errors.Is(err, pgx.ErrNoRows) {
			// The shipped default counts as version 1 before it is first stored.
			if c.Name == calendar.DefaultName {
				current = calendar.Default().Version
			}
		} else if err != nil {
			return err
		}
		if ifVersion != current {
			return ErrVersionConflict
		}
		c.Version = current + 1
		data, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO calendars (name, version, data, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data,
				updated_at = now(), updated_by = EXCLUDED.updated_by`, c.Name, c.Version, data, by); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO calendar_versions (name, version, data, created_by) VALUES ($1, $2, $3, $4)`,
			c.Name, c.Version, data, by)
		return err
	})
	if errors.Is(err, ErrVersionConflict) {
		return c, err
	}
	if err != nil {
		return c, fmt.Errorf("save calendar %s: %w", c.Name, err)
	}
	return c, nil
}

// OpenComplaintsOn lists open complaints counting time on a calendar, after the
// given ID (keyset paging for roll-outs).
func (s *Store) OpenComplaintsOn(ctx context.Context, calendarName, afterID string, limit int) ([]string, error) {
	if afterID == "" {
		afterID = "00000000-0000-0000-0000-000000000000"
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id::text FROM complaints
		WHERE status <> 'closed' AND calendar = $1 AND id > $2
		ORDER BY id LIMIT $3`, calendarName, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("open complaints on %s: %w", calendarName, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
