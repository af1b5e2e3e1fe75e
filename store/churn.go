package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/survey"
)

// UpsertVolumes saves purchase volumes, replacing those already stored for
// the same customer and half year.
func (s *Store) UpsertVolumes(ctx context.Context, vs []reports.Volume) error {
	if len(vs) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, v := range vs {
		batch.Queue(`
			INSERT INTO customer_volumes (customer_id, period, volume) VALUES ($1, $2, $3)
			ON CONFLICT (customer_id, period) DO UPDATE SET volume = EXCLUDED.volume, updated_at = now()`,
			v.CustomerID, v.Period, v.Volume)
	}
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("save %d volumes: %w", len(vs), err)
	}
	return nil
}

// ChurnReport compares every customer's volume in the half year with the
// previous one and explains the declined and lost ones with their complaints
// in the two half years and their latest survey answer.
func (s *Store) ChurnReport(ctx context.Context, h reports.Half, share float64) (reports.ChurnReport, error) {
	prev := h.Previous()
	r := reports.ChurnReport{Half: h.String(), PreviousHalf: prev.String(), DeclineShare: share, Flagged: []reports.ChurnCustomer{}}
	fail := func(what string, err error) (reports.ChurnReport, error) {
		return r, fmt.Errorf("churn report %s: %s: %w", h, what, err)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT v.customer_id, coalesce(c.name, ''),
			max(v.volume) FILTER (WHERE v.period = $2)::float8,
			max(v.volume) FILTER (WHERE v.period = $1)::float8
		FROM customer_volumes v LEFT JOIN customers c ON c.id = v.customer_id
		WHERE v.period IN ($1, $2)
		GROUP BY v.customer_id, c.name
		ORDER BY v.customer_id`, h.String(), prev.String())
	if err != nil {
		return fail("volumes", err)
	}
	type row struct {
		id, name  string
		prev, cur *float64
	}
	vols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.name, &x.prev, &x.cur)
	})
	if err != nil {
		return fail("volumes", err)
	}
	for _, v := range vols {
		r.Customers++
		if (v.prev == nil || *v.prev <= 0) && v.cur != nil && *v.cur > 0 {
			r.New++
		}
		status, drop, dropShare := reports.ClassifyChurn(v.prev, v.cur, share)
		if status == "" {
			continue
		}
		if status == reports.ChurnLost {
			r.Lost++
		} else {
			r.Declined++
		}
		r.Flagged = append(r.Flagged, reports.ChurnCustomer{CustomerID: v.id, Name: v.name, Status: status,
			PreviousVolume: *v.prev, Volume: v.cur, Drop: drop, DropShare: dropShare, Complaints: []reports.ChurnComplaint{}})
	}
	sort.SliceStable(r.Flagged, func(i, j int) bool { return r.Flagged[i].Drop > r.Flagged[j].Drop })
	if len(r.Flagged) == 0 {
		return r, nil
	}

	byName := map[string][]int{}
	var names, ids []string
	for i, c := range r.Flagged {
		ids = append(ids, c.CustomerID)
		if n := reports.NormaliseName(c.Name); n != "" {
			if _, ok := byName[n]; !ok {
				names = append(names, n)
			}
			byName[n] = append(byName[n], i)
		}
	}
	if len(names) > 0 {
		span := reports.Period{From: prev.Period().From, To: h.Period().To}
		// Complaints carry no customer ID: they match on the organisation or
		// the complainant's name, folded like NormaliseName (case, spaces).
		const norm = `lower(regexp_replace(coalesce(%s, ''), '[[:space:]\u00a0\u3000]+', '', 'g'))`
		rows, err := s.pool.Query(ctx, `
			SELECT id::text, number, subject, category, status, received_at,
				`+fmt.Sprintf(norm, "view->'customer'->>'organisation'")+`,
				`+fmt.Sprintf(norm, "view->'customer'->>'name'")+`
			FROM complaints
			WHERE received_at >= $1 AND received_at < $2
			  AND (`+fmt.Sprintf(norm, "view->'customer'->>'organisation'")+` = ANY($3)
			    OR `+fmt.Sprintf(norm, "view->'customer'->>'name'")+` = ANY($3))
			ORDER BY received_at, id`, span.From, span.To, names)
		if err != nil {
			return fail("complaints", err)
		}
		for rows.Next() {
			var c reports.ChurnComplaint
			var org, name string
			if err := rows.Scan(&c.ID, &c.Number, &c.Subject, &c.Category, &c.Status, &c.ReceivedAt, &org, &name); err != nil {
				rows.Close()
				return fail("complaints", err)
			}
			seen := map[int]bool{}
			for _, k := range []string{org, name} {
				for _, i := range byName[k] {
					if !seen[i] {
						seen[i] = true
						r.Flagged[i].Complaints = append(r.Flagged[i].Complaints, c)
					}
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail("complaints", err)
		}
	}

	index := map[string]int{}
	for i, c := range r.Flagged {
		index[c.CustomerID] = i
	}
	rows, err = s.pool.Query(ctx, `
		SELECT DISTINCT ON (a.customer_id) a.customer_id, a.cycle_id::text, a.answered_at, a.answer, c.definition
		FROM survey_answers a JOIN survey_cycles c ON c.id = a.cycle_id
		WHERE a.customer_id = ANY($1)
		ORDER BY a.customer_id, a.answered_at DESC, a.answer_key`, ids)
	if err != nil {
		return fail("survey answers", err)
	}
	for rows.Next() {
		var id, cycle string
		var at time.Time
		var answer, definition []byte
		if err := rows.Scan(&id, &cycle, &at, &answer, &definition); err != nil {
			rows.Close()
			return fail("survey answers", err)
		}
		var a survey.Answer
		var d survey.Definition
		if err := errors.Join(json.Unmarshal(answer, &a), json.Unmarshal(definition, &d)); err != nil {
			rows.Close()
			return fail("survey answers", err)
		}
		scale := d.Programme.Questionnaire.Scale
		r.Flagged[index[id]].LatestSurvey = &reports.ChurnSurvey{CycleID: cycle, AnsweredAt: at, Scale: scale.Name,
			Score: reports.AnswerScore(scale, a.Ratings)}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail("survey answers", err)
	}
	return r, nil
}
