package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/cxflow/cxflow/reports"
	"github.com/jackc/pgx/v5"
)

const reportVersionColumns = `id, kind, period, branch, version, format, octet_length(bytes), created_at, created_by`

func scanReportVersion(r pgx.Row) (reports.Version, error) {
	var v reports.Version
	err := r.Scan(&v.ID, &v.Kind, &v.Period, &v.Branch, &v.Version, &v.Format, &v.Size, &v.CreatedAt, &v.CreatedBy)
	return v, err
}

// SaveReportVersion stores a generated report as the next version of its
// kind, period and branch. A non-empty key stores it once: saving again
// with the key returns the version stored the first time.
func (s *Store) SaveReportVersion(ctx context.Context, v reports.Version, key string, data []byte) (reports.Version, error) {
	var out reports.Version
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One numbering at a time per kind, period and branch.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "report_versions/"+v.Kind+"/"+v.Period+"/"+v.Branch); err != nil {
			return err
		}
		if key != "" {
			got, err := scanReportVersion(tx.QueryRow(ctx, `SELECT `+reportVersionColumns+` FROM report_versions WHERE key = $1`, key))
			if err == nil {
				out = got
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var k any
		if key != "" {
			k = key
		}
		var err error
		out, err = scanReportVersion(tx.QueryRow(ctx, `INSERT INTO report_versions (kind, period, branch, version, format, bytes, created_by, key)
			SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5, $6, $7
			FROM report_versions WHERE kind = $1 AND period = $2 AND branch = $3
			RETURNING `+reportVersionColumns, v.Kind, v.Period, v.Branch, v.Format, data, v.CreatedBy, k))
		return err
	})
	if err != nil {
		return out, fmt.Errorf("save report version %s %s: %w", v.Kind, v.Period, err)
	}
	return out, nil
}

// ReportVersions lists the kept versions, newest first, of a kind and period
// when given.
func (s *Store) ReportVersions(ctx context.Context, kind, period string) ([]reports.Version, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+reportVersionColumns+` FROM report_versions
		WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR period = $2)
		ORDER BY created_at DESC, id DESC LIMIT 1000`, kind, period)
	if err != nil {
		return nil, fmt.Errorf("list report versions: %w", err)
	}
	defer rows.Close()
	out := []reports.Version{}
	for rows.Next() {
		v, err := scanReportVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("list report versions: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ReportVersionData is a kept version with its bytes; ErrNotFound when there is none.
func (s *Store) ReportVersionData(ctx context.Context, id int64) (reports.Version, []byte, error) {
	var v reports.Version
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT `+reportVersionColumns+`, bytes FROM report_versions WHERE id = $1`, id).
		Scan(&v.ID, &v.Kind, &v.Period, &v.Branch, &v.Version, &v.Format, &v.Size, &v.CreatedAt, &v.CreatedBy, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, nil, ErrNotFound
	}
	if err != nil {
		return v, nil, fmt.Errorf("read report version %d: %w", id, err)
	}
	return v, data, nil
}
