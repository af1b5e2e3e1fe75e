package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/reports"
)

// SatisfactionReport computes the satisfaction analysis report over the
// survey cycles closed in the period, of one programme unless it is empty,
// with the improvement actions opened from those cycles.
func (s *Store) SatisfactionReport(ctx context.Context, p reports.Period, programme string) (reports.SatisfactionReport, error) {
	cycles, err := s.SatisfactionCycles(ctx, p, programme)
	if err != nil {
		return reports.SatisfactionReport{}, err
	}
	ids := make([]string, len(cycles))
	for i, c := range cycles {
		ids[i] = c.CycleID
	}
	actions, err := s.SurveyActions(ctx, ids)
	if err != nil {
		return reports.SatisfactionReport{}, err
	}
	return reports.BuildSatisfaction(p, programme, cycles, actions), nil
}

// SatisfactionCycles returns the cycles closed in [From, To) with their
// statistics, in the order they closed.
func (s *Store) SatisfactionCycles(ctx context.Context, p reports.Period, programme string) ([]reports.SatisfactionCycle, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, c.programme_id::text, coalesce(p.name, ''), c.closed_at, c.stats
		FROM survey_cycles c LEFT JOIN survey_programmes p ON p.id = c.programme_id
		WHERE c.status = 'closed' AND c.stats IS NOT NULL AND c.closed_at >= $1 AND c.closed_at < $2
		  AND ($3 = '' OR c.programme_id::text = $3)
		ORDER BY c.closed_at, c.id`, p.From, p.To, programme)
	if err != nil {
		return nil, fmt.Errorf("satisfaction cycles: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (reports.SatisfactionCycle, error) {
		var c reports.SatisfactionCycle
		var stats []byte
		if err := r.Scan(&c.CycleID, &c.ProgrammeID, &c.ProgrammeName, &c.ClosedAt, &stats); err != nil {
			return c, err
		}
		return c, json.Unmarshal(stats, &c.Stats)
	})
	if err != nil {
		return nil, fmt.Errorf("satisfaction cycles: %w", err)
	}
	return out, nil
}

// SurveyActions returns the improvement actions opened from the cycles, oldest first.
func (s *Store) SurveyActions(ctx context.Context, cycleIDs []string) ([]reports.SurveyAction, error) {
	if len(cycleIDs) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, source_cycle_id, dimension, department, title, status, resolution
		FROM improvement_actions
		WHERE source_kind = 'survey' AND source_cycle_id = ANY($1)
		ORDER BY created_at, id`, cycleIDs)
	if err != nil {
		return nil, fmt.Errorf("survey actions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (reports.SurveyAction, error) {
		var a reports.SurveyAction
		err := r.Scan(&a.ID, &a.CycleID, &a.Dimension, &a.Department, &a.Title, &a.Status, &a.Resolution)
		a.Effective = a.Resolution == string(improvement.ResolutionEffective)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("survey actions: %w", err)
	}
	return out, nil
}
