package store

import (
	"context"
	"fmt"

	"github.com/cxflow/cxflow/reports"
)

// AuditEvidence lists every complaint timeline event and survey cycle event
// recorded in the period, oldest first, with the clauses each evidences. A
// branch period keeps the complaint events of that branch's complaints only
// (survey cycles belong to no branch and are left out).
func (s *Store) AuditEvidence(ctx context.Context, p reports.Period) (reports.AuditEvidence, error) {
	e := reports.AuditEvidence{Period: p}
	rows, err := s.pool.Query(ctx, `
		SELECT ev.at, 'complaint', c.number, c.id::text, ev.seq, ev.step, ev.action,
			ev.actor_id, ev.actor_name, ev.actor_role, ev.actor_department
		FROM complaint_events ev JOIN complaints c ON c.id = ev.complaint_id
		WHERE ev.at >= $1 AND ev.at < $2 AND ($3 = '' OR c.branch = $3)
		UNION ALL
		SELECT ev.at, 'survey_cycle', sc.id::text, sc.id::text, ev.seq, '', ev.action,
			'system', coalesce(sc.definition->>'name', ''), 'system', coalesce(sc.definition->'run'->>'owner_department', '')
		FROM survey_cycle_events ev JOIN survey_cycles sc ON sc.id = ev.cycle_id
		WHERE ev.at >= $1 AND ev.at < $2 AND $3 = ''
		ORDER BY 1, 2, 3, 5`, p.From, p.To, p.Branch)
	if err != nil {
		return e, fmt.Errorf("audit evidence: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev reports.EvidenceEvent
		if err := rows.Scan(&ev.At, &ev.Source, &ev.Reference, &ev.SubjectID, &ev.Seq, &ev.Step, &ev.Action,
			&ev.ActorID, &ev.ActorName, &ev.ActorRole, &ev.ActorDepartment); err != nil {
			return e, fmt.Errorf("audit evidence: %w", err)
		}
		e.Events = append(e.Events, ev)
	}
	if err := rows.Err(); err != nil {
		return e, fmt.Errorf("audit evidence: %w", err)
	}
	e.Finish()
	return e, nil
}
