package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

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
		return writeCalendarVersion(ctx, tx, c, data, by)
	})
	if errors.Is(err, ErrVersionConflict) {
		return c, err
	}
	if err != nil {
		return c, fmt.Errorf("save calendar %s: %w", c.Name, err)
	}
	return c, nil
}

// writeCalendarVersion stores c (encoded as data) as the calendar's current
// version and keeps it in the calendar's history, as made by by.
func writeCalendarVersion(ctx context.Context, tx pgx.Tx, c calendar.Calendar, data []byte, by string) error {
	if _, err := tx.Exec(ctx, `
		INSERT INTO calendars (name, version, data, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data,
			updated_at = now(), updated_by = EXCLUDED.updated_by`, c.Name, c.Version, data, by); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO calendar_versions (name, version, data, created_by) VALUES ($1, $2, $3, $4)`,
		c.Name, c.Version, data, by)
	return err
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

// ShippedYears is what AddShippedYears did to a calendar.
type ShippedYears struct {
	// Calendar is the calendar as stored afterwards.
	Calendar calendar.Calendar
	// Added are the years this call added (empty when it stored nothing).
	Added []int
	// UpdatedBy is who made the calendar's current version.
	UpdatedBy string
}

// AddShippedYears brings a release's holiday years into a stored calendar. A
// year is offered once per calendar: added when the calendar lacks it and it
// is not in the past (fromYear), never when the calendar already has it (an
// administrator entered or corrected it) or when it was offered before (the
// administrator may have removed it since). A calendar never stored is stored
// whole from base, as the version after the shipped one (the running
// complaints hold the shipped version 1, which may predate these years), so
// the roll-out reaches them. The new version is recorded as made by `by`.
func (s *Store) AddShippedYears(ctx context.Context, base calendar.Calendar, years []calendar.Year, fromYear int, release, by string) (ShippedYears, error) {
	var out ShippedYears
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Serialises concurrent start-ups even before the calendar's row exists.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('calendar:' || $1))`, base.Name); err != nil {
			return err
		}
		var data []byte
		err := tx.QueryRow(ctx, `SELECT data, updated_by FROM calendars WHERE name = $1`, base.Name).Scan(&data, &out.UpdatedBy)
		stored := err == nil
		cal := base
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if base.Name != calendar.DefaultName {
				return ErrNotFound
			}
			cal.Years = nil
		case err != nil:
			return err
		default:
			cal = calendar.Calendar{}
			if err := json.Unmarshal(data, &cal); err != nil {
				return fmt.Errorf("decode: %w", err)
			}
		}
		rows, err := tx.Query(ctx, `SELECT year FROM calendar_shipped_years WHERE name = $1`, base.Name)
		if err != nil {
			return err
		}
		offered, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return err
		}
		for _, y := range years {
			has := slices.ContainsFunc(cal.Years, func(c calendar.Year) bool { return c.Year == y.Year })
			switch {
			case has:
			case !stored:
				// The shipped calendar as a whole, past years included.
				cal.Years = append(cal.Years, y)
				out.Added = append(out.Added, y.Year)
			case slices.Contains(offered, int32(y.Year)) || y.Year < fromYear:
				continue
			default:
				cal.Years = append(cal.Years, y)
				out.Added = append(out.Added, y.Year)
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO calendar_shipped_years (name, year, release) VALUES ($1, $2, $3)
				ON CONFLICT (name, year) DO NOTHING`, base.Name, y.Year, release); err != nil {
				return err
			}
		}
		if len(out.Added) == 0 {
			out.Calendar = cal
			return nil
		}
		slices.SortFunc(cal.Years, func(a, b calendar.Year) int { return a.Year - b.Year })
		cal.Version++
		if data, err = json.Marshal(cal); err != nil {
			return err
		}
		if err := writeCalendarVersion(ctx, tx, cal, data, by); err != nil {
			return err
		}
		out.Calendar, out.UpdatedBy = cal, by
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("add shipped years to calendar %s: %w", base.Name, err)
	}
	return out, err
}

// CalendarHistory lists a calendar's saved versions, newest first.
func (s *Store) CalendarHistory(ctx context.Context, name string) ([]calendar.Version, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT version, created_at, created_by,
			COALESCE((SELECT array_agg((y->>'year')::int ORDER BY (y->>'year')::int)
			          FROM jsonb_array_elements(COALESCE(data->'years', '[]'::jsonb)) y), '{}')
		FROM calendar_versions WHERE name = $1 ORDER BY version DESC`, name)
	if err != nil {
		return nil, fmt.Errorf("calendar %s history: %w", name, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (calendar.Version, error) {
		var v calendar.Version
		var years []int32
		err := r.Scan(&v.Version, &v.CreatedAt, &v.CreatedBy, &years)
		for _, y := range years {
			v.Years = append(v.Years, int(y))
		}
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("calendar %s history: %w", name, err)
	}
	return list, nil
}
