package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/complaint"
)

// AddAuditCheck stores an internal auditor's standards check, giving it an ID
// when it has none.
// A check with an ID already stored is not stored again: the stored one is
// answered, and created is false (a retried request with the same
// Idempotency-Key).
func (s *Store) AddAuditCheck(ctx context.Context, c assessment.AuditCheck) (saved assessment.AuditCheck, created bool, err error) {
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO assessment_checks (id, department, month, item, earned, possible, note, auditor, auditor_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
		c.ID, c.Department, c.Month, c.Item, c.Earned, c.Possible, c.Note, c.Auditor, c.AuditorName)
	if err != nil {
		return c, false, fmt.Errorf("add audit check: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return c, true, nil
	}
	err = s.pool.QueryRow(ctx, `SELECT id, department, month, item, earned::float8, possible::float8, note, auditor, auditor_name
		FROM assessment_checks WHERE id = $1`, c.ID).Scan(&saved.ID, &saved.Department, &saved.Month, &saved.Item,
		&saved.Earned, &saved.Possible, &saved.Note, &saved.Auditor, &saved.AuditorName)
	if err != nil {
		return c, false, fmt.Errorf("read audit check %s: %w", c.ID, err)
	}
	return saved, false, nil
}

// AddAssessmentCredit stores a yearly credit, giving it an ID when it has none.
// Like AddAuditCheck, a credit whose ID is stored already is answered as
// stored, with created false.
func (s *Store) AddAssessmentCredit(ctx context.Context, c assessment.AssessmentCredit) (saved assessment.AssessmentCredit, created bool, err error) {
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO assessment_credits (id, department, year, kind, points, reason, entered_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`, c.ID, c.Department, c.Year, c.Kind, c.Points, c.Reason, c.EnteredBy)
	if err != nil {
		return c, false, fmt.Errorf("add assessment credit: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return c, true, nil
	}
	err = s.pool.QueryRow(ctx, `SELECT id, department, year, kind, points::float8, reason, entered_by
		FROM assessment_credits WHERE id = $1`, c.ID).Scan(&saved.ID, &saved.Department, &saved.Year, &saved.Kind,
		&saved.Points, &saved.Reason, &saved.EnteredBy)
	if err != nil {
		return c, false, fmt.Errorf("read assessment credit %s: %w", c.ID, err)
	}
	return saved, false, nil
}

// assessedDepartments lists every department by ID with its name, plus those
// the data names that the organisation no longer holds.
type assessedDepartments struct {
	names map[string]string
}

func (d *assessedDepartments) add(id string) {
	if _, ok := d.names[id]; !ok {
		d.names[id] = id
	}
}

func (d *assessedDepartments) sorted() []string {
	ids := make([]string, 0, len(d.names))
	for id := range d.names {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// departmentComplaints lists the complaints received in [from, to) that are
// assigned to a department, by department.
func (s *Store) departmentComplaints(ctx context.Context, from, to time.Time) (map[string][]assessment.ComplaintFact, error) {
	rows, err := s.pool.Query(ctx, `SELECT id::text, number, severity, department,
			coalesce((view->'validation'->>'founded')::boolean, false)
		FROM complaints WHERE received_at >= $1 AND received_at < $2 AND department <> ''
		ORDER BY received_at, number`, from, to)
	if err != nil {
		return nil, err
	}
	out := map[string][]assessment.ComplaintFact{}
	var f assessment.ComplaintFact
	var sev, dept string
	_, err = pgx.ForEachRow(rows, []any{&f.ID, &f.Number, &sev, &dept, &f.Founded}, func() error {
		f.Severity = complaint.Severity(sev)
		out[dept] = append(out[dept], f)
		return nil
	})
	return out, err
}

// AssessmentMonth gathers every department's month (YYYY-MM, the period
// [from, to)): the audit checks entered for the month, the ratings of the
// department's survey dimensions in cycles closed in the period, and the
// complaints received in it and assigned to the department.
func (s *Store) AssessmentMonth(ctx context.Context, month string, from, to time.Time) ([]assessment.MonthInput, error) {
	fail := func(what string, err error) ([]assessment.MonthInput, error) {
		return nil, fmt.Errorf("assessment of %s: %s: %w", month, what, err)
	}
	names, err := s.departmentNames(ctx)
	if err != nil {
		return fail("departments", err)
	}
	deps := &assessedDepartments{names: names}

	checks := map[string][]assessment.AuditCheck{}
	rows, err := s.pool.Query(ctx, `SELECT id::text, department, month, item, earned::float8, possible::float8, note, auditor, auditor_name
		FROM assessment_checks WHERE month = $1 ORDER BY created_at, id`, month)
	if err != nil {
		return fail("audit checks", err)
	}
	var c assessment.AuditCheck
	if _, err := pgx.ForEachRow(rows, []any{&c.ID, &c.Department, &c.Month, &c.Item, &c.Earned, &c.Possible, &c.Note, &c.Auditor, &c.AuditorName}, func() error {
		checks[c.Department] = append(checks[c.Department], c)
		deps.add(c.Department)
		return nil
	}); err != nil {
		return fail("audit checks", err)
	}

	ratings := map[string][]assessment.DimensionRating{}
	rows, err = s.pool.Query(ctx, `SELECT c.id::text, coalesce(d->>'code', ''), coalesce(d->>'owner_department', ''),
			coalesce((d->>'count')::int, 0), coalesce((d->>'satisfied_count')::int, 0)
		FROM survey_cycles c, jsonb_array_elements(CASE WHEN jsonb_typeof(c.stats->'dimensions') = 'array' THEN c.stats->'dimensions' ELSE '[]' END) d
		WHERE c.status = $3 AND c.closed_at >= $1 AND c.closed_at < $2
		ORDER BY c.closed_at, c.id`, from, to, CycleClosed)
	if err != nil {
		return fail("survey cycles", err)
	}
	var r assessment.DimensionRating
	var owner string
	if _, err := pgx.ForEachRow(rows, []any{&r.CycleID, &r.Dimension, &owner, &r.Count, &r.Satisfied}, func() error {
		if owner != "" && r.Count > 0 {
			ratings[owner] = append(ratings[owner], r)
			deps.add(owner)
		}
		return nil
	}); err != nil {
		return fail("survey cycles", err)
	}

	complaints, err := s.departmentComplaints(ctx, from, to)
	if err != nil {
		return fail("complaints", err)
	}
	for d := range complaints {
		deps.add(d)
	}
	var out []assessment.MonthInput
	for _, id := range deps.sorted() {
		out = append(out, assessment.MonthInput{Department: id, Name: deps.names[id], Month: month,
			Checks: checks[id], Ratings: ratings[id], Complaints: complaints[id]})
	}
	return out, nil
}

// AssessmentYear gathers every department's year: the credits entered for
// it and the complaints received in [from, to) and assigned to it.
func (s *Store) AssessmentYear(ctx context.Context, year int, from, to time.Time) ([]assessment.YearInput, error) {
	fail := func(what string, err error) ([]assessment.YearInput, error) {
		return nil, fmt.Errorf("assessment of %d: %s: %w", year, what, err)
	}
	names, err := s.departmentNames(ctx)
	if err != nil {
		return fail("departments", err)
	}
	deps := &assessedDepartments{names: names}
	credits := map[string][]assessment.AssessmentCredit{}
	rows, err := s.pool.Query(ctx, `SELECT id::text, department, year, kind, points::float8, reason, entered_by
		FROM assessment_credits WHERE year = $1 ORDER BY created_at, id`, year)
	if err != nil {
		return fail("credits", err)
	}
	var c assessment.AssessmentCredit
	if _, err := pgx.ForEachRow(rows, []any{&c.ID, &c.Department, &c.Year, &c.Kind, &c.Points, &c.Reason, &c.EnteredBy}, func() error {
		credits[c.Department] = append(credits[c.Department], c)
		deps.add(c.Department)
		return nil
	}); err != nil {
		return fail("credits", err)
	}
	complaints, err := s.departmentComplaints(ctx, from, to)
	if err != nil {
		return fail("complaints", err)
	}
	for d := range complaints {
		deps.add(d)
	}
	var out []assessment.YearInput
	for _, id := range deps.sorted() {
		out = append(out, assessment.YearInput{Department: id, Name: deps.names[id], Year: year, Credits: credits[id], Complaints: complaints[id]})
	}
	return out, nil
}
