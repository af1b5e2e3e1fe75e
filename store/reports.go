package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
)

// periodComplaints selects the complaints received in [$1, $2), of branch $3
// unless it is empty. The received_at index serves it.
const periodComplaints = `
	period AS (
		SELECT * FROM complaints
		WHERE received_at >= $1 AND received_at < $2 AND ($3 = '' OR branch = $3)
	)`

// periodDeadlines are the completed step runs of the period's complaints,
// each with its handling time in hours and whether it met its deadline.
const periodDeadlines = periodComplaints + `,
	runs AS (
		SELECT p.department, d.step,
			extract(epoch FROM d.completed_at - d.started_at) / 3600 AS hours,
			coalesce(d.sla_status, '') <> 'breached' AS within
		FROM period p,
			jsonb_to_recordset(CASE WHEN jsonb_typeof(p.view->'deadlines') = 'array' THEN p.view->'deadlines' ELSE '[]' END)
				AS d(step text, started_at timestamptz, completed_at timestamptz, sla_status text)
		WHERE d.completed_at IS NOT NULL
	)`

// ComplaintAnalysis computes the complaint analysis report of the complaints
// received in the period (escalations: those made in it), with the previous
// period of the same length and the same period last year for comparison.
func (s *Store) ComplaintAnalysis(ctx context.Context, p reports.Period) (reports.ComplaintAnalysis, error) {
	a := reports.ComplaintAnalysis{Period: p}
	fail := func(what string, err error) (reports.ComplaintAnalysis, error) {
		return a, fmt.Errorf("complaint analysis %s–%s: %s: %w", p.From.Format(time.RFC3339), p.To.Format(time.RFC3339), what, err)
	}
	args := []any{p.From, p.To, p.Branch}

	if err := s.pool.QueryRow(ctx, `WITH `+periodComplaints+`
		SELECT count(*),
			count(*) FILTER (WHERE (view->'validation'->>'founded')::boolean),
			count(*) FILTER (WHERE NOT (view->'validation'->>'founded')::boolean),
			count(*) FILTER (WHERE reopen_count > 0),
			coalesce(sum(reopen_count), 0),
			coalesce(sum(estimated_loss), 0)::float8
		FROM period`, args...).Scan(&a.Total, &a.Founded, &a.NotFounded, &a.Reopened, &a.Reopenings, &a.DirectLoss); err != nil {
		return fail("totals", err)
	}

	names, err := s.departmentNames(ctx)
	if err != nil {
		return fail("departments", err)
	}
	deptLabel := func(id string) string {
		if id == "" {
			return reports.Unassigned
		}
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	branchLabel := func(id string) string {
		if id == "" {
			return "总部"
		}
		return deptLabel(id)
	}

	dims, err := s.groupCounts(ctx, `WITH `+periodComplaints+`
		SELECT 'category', category, count(*) FROM period GROUP BY category
		UNION ALL SELECT 'severity', severity, count(*) FROM period GROUP BY severity
		UNION ALL SELECT 'class', complainant_class, count(*) FROM period GROUP BY complainant_class
		UNION ALL SELECT 'channel', channel, count(*) FROM period GROUP BY channel
		UNION ALL SELECT 'department', department, count(*) FROM period GROUP BY department
		UNION ALL SELECT 'branch', branch, count(*) FROM period GROUP BY branch
		UNION ALL SELECT 'cause_type', view->'review'->>'cause_type', count(*) FROM period
			WHERE coalesce(view->'review'->>'cause_type', '') <> '' GROUP BY 2`, args...)
	if err != nil {
		return fail("counts", err)
	}
	a.ByCategory = reports.Ordered(complaint.Categories, dims["category"], reports.CategoryLabel, a.Total)
	a.BySeverity = reports.Ordered(complaint.Severities, dims["severity"], reports.SeverityLabel, a.Total)
	a.ByClass = reports.Ordered(complaint.ComplainantClasses, dims["class"], reports.ClassLabel, a.Total)
	a.ByChannel = reports.Ordered(complaint.Channels, dims["channel"], reports.ChannelLabel, a.Total)
	a.ByDepartment = reports.ByCount(dims["department"], deptLabel, a.Total)
	a.ByBranch = reports.ByCount(dims["branch"], branchLabel, a.Total)
	reviewed := 0
	for _, n := range dims["cause_type"] {
		reviewed += n
	}
	a.CauseTypes = reports.Ordered(complaint.CauseTypes, dims["cause_type"], reports.CauseTypeLabel, reviewed)

	// Handling times and SLA compliance by step.
	byStep := map[complaint.Step]reports.StepFigures{}
	rows, err := s.pool.Query(ctx, `WITH `+periodDeadlines+`
		SELECT step, count(*),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
			percentile_cont(0.9) WITHIN GROUP (ORDER BY hours),
			count(*) FILTER (WHERE within)
		FROM runs GROUP BY step`, args...)
	if err != nil {
		return fail("step times", err)
	}
	var (
		step           complaint.Step
		completed, ok  int
		median, p90    float64
		department     string
		deptCompleted  int
		deptWithinSLAs int
	)
	if _, err := pgx.ForEachRow(rows, []any{&step, &completed, &median, &p90, &ok}, func() error {
		byStep[step] = reports.StepFigures{
			Step: step, Completed: completed, MedianHours: reports.Hours(median), P90Hours: reports.Hours(p90),
			WithinSLA: ok, Compliance: reports.Ratio(ok, completed),
		}
		return nil
	}); err != nil {
		return fail("step times", err)
	}
	for _, st := range reports.StepOrder {
		f, found := byStep[st]
		if !found {
			f = reports.StepFigures{Step: st}
		}
		f.Label = st.Label()
		a.Steps = append(a.Steps, f)
		delete(byStep, st)
	}
	for st, f := range byStep { // a step no longer in the procedure
		f.Label = st.Label()
		a.Steps = append(a.Steps, f)
	}

	rows, err = s.pool.Query(ctx, `WITH `+periodDeadlines+`
		SELECT department, count(*), count(*) FILTER (WHERE within)
		FROM runs GROUP BY department ORDER BY count(*) DESC, department`, args...)
	if err != nil {
		return fail("department SLA", err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&department, &deptCompleted, &deptWithinSLAs}, func() error {
		a.Departments = append(a.Departments, reports.DepartmentSLA{
			Department: department, Label: deptLabel(department), Completed: deptCompleted,
			WithinSLA: deptWithinSLAs, Compliance: reports.Ratio(deptWithinSLAs, deptCompleted),
		})
		return nil
	}); err != nil {
		return fail("department SLA", err)
	}
	if a.Departments == nil {
		a.Departments = []reports.DepartmentSLA{}
	}

	levels, err := s.groupCounts(ctx, `
		SELECT 'level', e.level, count(*)
		FROM complaint_escalations e JOIN complaints c ON c.id = e.complaint_id
		WHERE e.at >= $1 AND e.at < $2 AND ($3 = '' OR c.branch = $3)
		GROUP BY e.level`, args...)
	if err != nil {
		return fail("escalations", err)
	}
	escalationLevels := complaint.Levels[1:] // nobody escalates to the owner
	a.Escalations = reports.Ordered(escalationLevels, levels["level"], reports.LevelLabel, 0)

	causes, err := s.groupCounts(ctx, `WITH `+periodComplaints+`,
		causes AS (SELECT btrim(view->'root_cause'->>'cause') AS cause FROM period)
		SELECT 'cause', cause, count(*) FROM causes WHERE coalesce(cause, '') <> ''
		GROUP BY cause ORDER BY count(*) DESC, cause LIMIT 10`, args...)
	if err != nil {
		return fail("root causes", err)
	}
	a.RootCauses = reports.ByCount(causes["cause"], func(k string) string { return k }, 0)

	for _, cmp := range []struct {
		period reports.Period
		into   *reports.Comparison
	}{{p.Previous(), &a.PreviousPeriod}, {p.LastYear(), &a.LastYear}} {
		cats, err := s.groupCounts(ctx, `WITH `+periodComplaints+`
			SELECT 'category', category, count(*) FROM period GROUP BY category`,
			cmp.period.From, cmp.period.To, cmp.period.Branch)
		if err != nil {
			return fail("comparison", err)
		}
		total := 0
		for _, n := range cats["category"] {
			total += n
		}
		*cmp.into = reports.Compare(&a, cmp.period, total, cats["category"])
	}
	a.Finish()
	return a, nil
}

// groupCounts runs a query of (group, key, count) rows.
func (s *Store) groupCounts(ctx context.Context, sql string, args ...any) (map[string]map[string]int, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]int{}
	var group, key string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&group, &key, &n}, func() error {
		if out[group] == nil {
			out[group] = map[string]int{}
		}
		out[group][key] = n
		return nil
	})
	return out, err
}

func (s *Store) departmentNames(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name FROM departments`)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var id, name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		out[id] = name
		return nil
	})
	return out, err
}
