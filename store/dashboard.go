package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
)

// The dashboard's types are the reports package's; these names keep the
// store's queries and their callers reading as before.
type (
	Dashboard            = reports.Dashboard
	DashboardScope       = reports.DashboardScope
	DashboardOpen        = reports.DashboardOpen
	DashboardGroup       = reports.DashboardGroup
	DashboardLevelOpen   = reports.DashboardLevelOpen
	DashboardUrgentList  = reports.DashboardUrgentList
	DashboardUrgentEntry = reports.DashboardUrgentEntry
	DashboardComparison  = reports.DashboardComparison
	DashboardQuarter     = reports.DashboardQuarter
	DashboardMonth       = reports.DashboardMonth
	DashboardPeriod      = reports.DashboardPeriod
)

// Scope kinds.
const (
	ScopeCompany    = reports.ScopeCompany
	ScopeBranch     = reports.ScopeBranch
	ScopeDepartment = reports.ScopeDepartment
)

// DashboardQuery asks for a dashboard.
type DashboardQuery struct {
	// Branch keeps one branch's complaints ("" = all).
	Branch string
	// Involving keeps the complaints a department or branch is involved in:
	// assigned to it, or raised at it (the read rule of those who do not read
	// every complaint).
	Involving string
	Now       time.Time
	// Location is the organisation's time zone.
	Location *time.Location
	// Urgent is how many overdue and escalated complaints to list.
	Urgent int
	// Late measures how long a step has been past due, on its clock and
	// calendar; nil counts every hour. It answers the clock it counted on.
	Late func(calendar string, clock complaint.ClockKind, from, to time.Time) (time.Duration, complaint.ClockKind)
}

// dashboardMonths is how many months the trend covers, the current one included.
const dashboardMonths = 12

// slaNow is the SQL for the current step's standing at $1, the rule of
// complaint.Deadline.StatusAt; a paused step keeps the standing it had when
// its clock stopped.
const slaNow = `CASE
	WHEN paused THEN coalesce(nullif(paused_sla_status, ''), 'on_track')
	WHEN due_at <= $1 THEN 'breached'
	WHEN warn_at <= $1 THEN 'at_risk'
	ELSE 'on_track' END`

// Dashboard computes the dashboard for the complaints q selects.
func (s *Store) Dashboard(ctx context.Context, q DashboardQuery) (Dashboard, error) {
	loc := q.Location
	if loc == nil {
		loc = reports.Location
	}
	now := q.Now.In(loc)
	d := Dashboard{AsOf: q.Now, TimeZone: loc.String()}
	fail := func(what string, err error) (Dashboard, error) {
		return d, fmt.Errorf("dashboard: %s: %w", what, err)
	}
	names, err := s.departmentNames(ctx)
	if err != nil {
		return fail("departments", err)
	}
	deptName := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	sc := dashboardScope{branch: q.Branch, involving: q.Involving}

	// Months: bounds[i] is the first instant of the i-th month, the current
	// month last; quarters: the previous one's start, this one's and the next's.
	first := time.Date(now.Year(), now.Month()-dashboardMonths+1, 1, 0, 0, 0, 0, loc)
	months := make([]time.Time, dashboardMonths+1)
	for i := range months {
		months[i] = time.Date(first.Year(), first.Month()+time.Month(i), 1, 0, 0, 0, 0, loc)
	}
	qStart := time.Date(now.Year(), now.Month()-(now.Month()-1)%3, 1, 0, 0, 0, 0, loc)
	quarters := []time.Time{qStart.AddDate(0, -3, 0), qStart, qStart.AddDate(0, 3, 0)}
	d.Trend = make([]DashboardMonth, dashboardMonths)
	for i := range d.Trend {
		d.Trend[i] = DashboardMonth{Month: months[i].Format("2006-01"), DashboardPeriod: DashboardPeriod{From: months[i], To: months[i+1]}}
	}
	qs := []*DashboardQuarter{&d.Quarters.Previous, &d.Quarters.Current}
	for i, dq := range qs {
		*dq = DashboardQuarter{Quarter: quarterName(quarters[i]), DashboardPeriod: DashboardPeriod{From: quarters[i], To: quarters[i+1]}}
	}
	// One snapshot for every figure, so the lists agree with the counts.
	var overdueRows, escalatedRows []urgentRow
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := dashboardOpen(ctx, tx, &d, sc, q.Now, deptName); err != nil {
			return fmt.Errorf("open complaints: %w", err)
		}
		overdue := `((paused AND paused_sla_status = 'breached') OR (NOT paused AND due_at <= $1))`
		if overdueRows, err = dashboardUrgent(ctx, tx, sc, q, overdue, "due_at, number", deptName); err != nil {
			return fmt.Errorf("overdue complaints: %w", err)
		}
		// The highest level first, then the longest overdue.
		rank := "CASE escalation_level"
		for i, l := range complaint.Levels {
			rank += fmt.Sprintf(" WHEN '%s' THEN %d", l, i)
		}
		rank += " ELSE 0 END"
		escalated := "escalation_level NOT IN ('', '" + string(complaint.LevelOwner) + "')"
		if escalatedRows, err = dashboardUrgent(ctx, tx, sc, q, escalated, rank+" DESC, due_at NULLS LAST, number", deptName); err != nil {
			return fmt.Errorf("escalated complaints: %w", err)
		}
		if err := dashboardReceived(ctx, tx, &d, sc, months); err != nil {
			return fmt.Errorf("received complaints: %w", err)
		}
		if err := dashboardClosed(ctx, tx, &d, sc, months, quarters); err != nil {
			return fmt.Errorf("closed complaints: %w", err)
		}
		if err := dashboardEscalations(ctx, tx, &d, sc, months); err != nil {
			return fmt.Errorf("escalations: %w", err)
		}
		return nil
	})
	if err != nil {
		return fail("figures", err)
	}
	d.Overdue = DashboardUrgentList{Total: d.Open.Breached, Items: urgentEntries(overdueRows, q.Late)}
	d.Escalated = DashboardUrgentList{Total: d.Open.Escalated, Items: urgentEntries(escalatedRows, q.Late)}
	// The additive figures of a quarter are those of its months, all of
	// which lie in the trend's twelve.
	for _, dq := range qs {
		for _, m := range d.Trend {
			if m.From.Before(dq.From) || !m.From.Before(dq.To) {
				continue
			}
			dq.Received += m.Received
			dq.Founded += m.Founded
			dq.NotFounded += m.NotFounded
			dq.CompletedSteps += m.CompletedSteps
			dq.WithinSLA += m.WithinSLA
			dq.Escalations += m.Escalations
		}
		dq.SLACompliance = reports.Ratio(dq.WithinSLA, dq.CompletedSteps)
	}
	for i := range d.Trend {
		m := &d.Trend[i]
		m.SLACompliance = reports.Ratio(m.WithinSLA, m.CompletedSteps)
	}
	return d, nil
}

func quarterName(t time.Time) string {
	return strconv.Itoa(t.Year()) + "Q" + strconv.Itoa((int(t.Month())+2)/3)
}

// dashboardScope narrows a query to the complaints a dashboard counts.
type dashboardScope struct{ branch, involving string }

// where is the SQL condition on complaints (aliased c); it appends its
// arguments to args, numbered after those already there.
func (sc dashboardScope) where(args *[]any) string {
	var conds []string
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	if sc.branch != "" {
		conds = append(conds, "c.branch = "+arg(sc.branch))
	}
	if sc.involving != "" {
		v := arg(sc.involving)
		conds = append(conds, "(c.department = "+v+" OR c.branch = "+v+")")
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

func dashboardOpen(ctx context.Context, tx pgx.Tx, d *Dashboard, sc dashboardScope, now time.Time, deptName func(string) string) error {
	args := []any{now}
	where := sc.where(&args)
	rows, err := tx.Query(ctx, `
		SELECT c.status, c.department, `+slaNow+`, c.escalation_level, c.paused, count(*)
		FROM complaints c
		WHERE c.status <> 'closed' AND `+where+`
		GROUP BY 1, 2, 3, 4, 5`, args...)
	if err != nil {
		return err
	}
	steps := map[string]*DashboardGroup{}
	depts := map[string]*DashboardGroup{}
	levels := map[complaint.Level]int{}
	var (
		total             DashboardGroup
		status, dept, sla string
		level             complaint.Level
		paused            bool
		n                 int
	)
	group := func(m map[string]*DashboardGroup, key string) *DashboardGroup {
		g, ok := m[key]
		if !ok {
			g = &DashboardGroup{Key: key}
			m[key] = g
		}
		return g
	}
	if _, err := pgx.ForEachRow(rows, []any{&status, &dept, &sla, &level, &paused, &n}, func() error {
		for _, g := range []*DashboardGroup{group(steps, status), group(depts, dept), &total} {
			addStanding(g, complaint.SLAStatus(sla), n)
		}
		if level != "" && level != complaint.LevelOwner {
			d.Open.Escalated += n
			levels[level] += n
		}
		if paused {
			d.Open.Paused += n
		}
		return nil
	}); err != nil {
		return err
	}
	d.Open.Total, d.Open.OnTrack, d.Open.AtRisk, d.Open.Breached = total.Total, total.OnTrack, total.AtRisk, total.Breached
	for _, st := range complaint.ActionSteps {
		g := group(steps, string(st))
		g.Label = st.Label()
		d.Open.ByStep = append(d.Open.ByStep, *g)
		delete(steps, string(st))
	}
	for _, k := range slices.Sorted(maps.Keys(steps)) { // a status no longer in the procedure
		g := steps[k]
		g.Label = complaint.Step(k).Label()
		d.Open.ByStep = append(d.Open.ByStep, *g)
	}
	d.Open.ByDepartment = []DashboardGroup{}
	for k, g := range depts {
		g.Label = reports.Unassigned
		if k != "" {
			g.Label = deptName(k)
		}
		d.Open.ByDepartment = append(d.Open.ByDepartment, *g)
	}
	slices.SortFunc(d.Open.ByDepartment, func(a, b DashboardGroup) int {
		if c := cmp.Compare(b.Total, a.Total); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	d.Open.ByLevel = []DashboardLevelOpen{}
	for _, l := range complaint.Levels[1:] { // nobody is escalated to the owner
		d.Open.ByLevel = append(d.Open.ByLevel, DashboardLevelOpen{Level: l, Count: levels[l]})
	}
	return nil
}

// addStanding counts n complaints standing so in g.
func addStanding(g *DashboardGroup, sla complaint.SLAStatus, n int) {
	g.Total += n
	switch sla {
	case complaint.SLABreached:
		g.Breached += n
	case complaint.SLAAtRisk:
		g.AtRisk += n
	default:
		g.OnTrack += n
	}
}

// urgentRow is a listed complaint with what measuring its lateness needs.
type urgentRow struct {
	DashboardUrgentEntry
	calendar string
	clock    complaint.ClockKind
	// end is when its clock last counted: now, or when it was paused.
	end time.Time
}

// dashboardUrgent lists up to q.Urgent open complaints meeting cond (SQL over
// complaints c, $1 being now) in the order given.
func dashboardUrgent(ctx context.Context, tx pgx.Tx, sc dashboardScope, q DashboardQuery, cond, order string, deptName func(string) string) ([]urgentRow, error) {
	args := []any{q.Now, q.Urgent}
	where := sc.where(&args)
	rows, err := tx.Query(ctx, `
		SELECT c.id, c.number, c.subject, c.status, c.department, c.branch, c.due_at, `+slaNow+`,
			c.paused, c.escalation_level, c.calendar,
			coalesce(c.view->'deadlines'->-1->>'clock', ''), (c.view->'paused'->>'since')::timestamptz
		FROM complaints c
		WHERE c.status <> 'closed' AND `+cond+` AND `+where+`
		ORDER BY `+order+`
		LIMIT $2`, args...)
	if err != nil {
		return nil, err
	}
	var (
		out         []urgentRow
		r           urgentRow
		pausedSince *time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Number, &r.Subject, &r.Status, &r.Department, &r.Branch, &r.DueAt,
		&r.SLAStatus, &r.Paused, &r.EscalationLevel, &r.calendar, &r.clock, &pausedSince}, func() error {
		x := r
		if x.Department != "" {
			x.DepartmentName = deptName(x.Department)
		}
		if x.DueAt != nil {
			due := x.DueAt.UTC()
			x.DueAt = &due
		}
		x.end = q.Now
		if x.Paused && pausedSince != nil {
			x.end = *pausedSince
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// urgentEntries measures how late the listed complaints are. It runs after
// the snapshot's transaction: the measure may read calendars, which must not
// wait for a connection while the transaction holds one.
func urgentEntries(rows []urgentRow, late func(string, complaint.ClockKind, time.Time, time.Time) (time.Duration, complaint.ClockKind)) []DashboardUrgentEntry {
	out := make([]DashboardUrgentEntry, 0, len(rows))
	for _, r := range rows {
		e := r.DashboardUrgentEntry
		if e.SLAStatus == complaint.SLABreached && e.DueAt != nil && !r.end.Before(*e.DueAt) {
			d, counted := r.end.Sub(*e.DueAt), complaint.ClockCalendar
			if late != nil {
				d, counted = late(r.calendar, r.clock, *e.DueAt, r.end)
			}
			secs := int64(d / time.Second)
			e.LateSeconds, e.LateClock = &secs, counted
		}
		out = append(out, e)
	}
	return out
}

// dashboardReceived counts, per month, the complaints received and the
// completed step runs of those complaints, as the complaint analysis report
// does for its period: founded from the validation, within SLA unless the
// run's standing was breached. One pass over the rows, each view read once.
func dashboardReceived(ctx context.Context, tx pgx.Tx, d *Dashboard, sc dashboardScope, months []time.Time) error {
	args := []any{months, months[0], months[len(months)-1]}
	where := sc.where(&args)
	// jsonb_to_record reads the view once for both of its fields: each -> on
	// the column would decompress it again, which is most of the cost.
	rows, err := tx.Query(ctx, `
		SELECT r.i, count(*),
			count(*) FILTER (WHERE r.founded),
			count(*) FILTER (WHERE NOT r.founded),
			coalesce(sum(r.completed), 0), coalesce(sum(r.within), 0)
		FROM complaints c
		CROSS JOIN LATERAL jsonb_to_record(c.view) AS v(deadlines jsonb, validation jsonb)
		CROSS JOIN LATERAL (
			SELECT width_bucket(c.received_at, $1::timestamptz[]) AS i,
				(v.validation->>'founded')::boolean AS founded,
				count(*) AS completed,
				count(*) FILTER (WHERE x.sla_status IS DISTINCT FROM 'breached') AS within
			FROM jsonb_to_recordset(CASE WHEN jsonb_typeof(v.deadlines) = 'array' THEN v.deadlines ELSE '[]' END)
				AS x(completed_at text, sla_status text)
			WHERE x.completed_at IS NOT NULL
		) r
		WHERE c.received_at >= $2 AND c.received_at < $3 AND `+where+`
		GROUP BY 1`, args...)
	if err != nil {
		return err
	}
	var i, received, founded, notFounded, completed, within int
	_, err = pgx.ForEachRow(rows, []any{&i, &received, &founded, &notFounded, &completed, &within}, func() error {
		if m := trendMonth(d, i); m != nil {
			m.Received, m.Founded, m.NotFounded, m.CompletedSteps, m.WithinSLA = received, founded, notFounded, completed, within
		}
		return nil
	})
	return err
}

// trendMonth is the trend's month of a width_bucket over its bounds (1 = the first).
func trendMonth(d *Dashboard, bucket int) *DashboardMonth {
	if bucket < 1 || bucket > len(d.Trend) {
		return nil
	}
	return &d.Trend[bucket-1]
}

// dashboardClosed counts the complaints closed per month and per quarter with
// the median and 90th percentile of their hours from receipt to closing.
// Percentiles do not add up, so the quarters are grouped on their own.
func dashboardClosed(ctx context.Context, tx pgx.Tx, d *Dashboard, sc dashboardScope, months, quarters []time.Time) error {
	args := []any{months, quarters, months[0], months[len(months)-1], quarters[0]}
	where := sc.where(&args)
	rows, err := tx.Query(ctx, `
		WITH closed AS MATERIALIZED (
			SELECT c.closed_at, extract(epoch FROM c.closed_at - c.received_at) / 3600 AS hours
			FROM complaints c
			WHERE c.status = 'closed' AND c.closed_at >= $3 AND c.closed_at < $4 AND `+where+`
		)
		SELECT 'month', width_bucket(closed_at, $1::timestamptz[]), count(*),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY hours), percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)
		FROM closed GROUP BY 2
		UNION ALL
		SELECT 'quarter', width_bucket(closed_at, $2::timestamptz[]), count(*),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY hours), percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)
		FROM closed WHERE closed_at >= $5 GROUP BY 2`, args...)
	if err != nil {
		return err
	}
	var (
		kind        string
		i, n        int
		median, p90 float64
	)
	qs := []*DashboardQuarter{&d.Quarters.Previous, &d.Quarters.Current}
	_, err = pgx.ForEachRow(rows, []any{&kind, &i, &n, &median, &p90}, func() error {
		var p *DashboardPeriod
		if kind == "month" {
			if m := trendMonth(d, i); m != nil {
				p = &m.DashboardPeriod
			}
		} else if i >= 1 && i <= len(qs) {
			p = &qs[i-1].DashboardPeriod
		}
		if p != nil {
			p.Closed, p.MedianHours, p.P90Hours = n, reports.Hours(median), reports.Hours(p90)
		}
		return nil
	})
	return err
}

// dashboardEscalations counts the escalations made per month.
func dashboardEscalations(ctx context.Context, tx pgx.Tx, d *Dashboard, sc dashboardScope, months []time.Time) error {
	args := []any{months, months[0], months[len(months)-1]}
	where := sc.where(&args)
	rows, err := tx.Query(ctx, `
		SELECT width_bucket(e.at, $1::timestamptz[]), count(*)
		FROM complaint_escalations e JOIN complaints c ON c.id = e.complaint_id
		WHERE e.at >= $2 AND e.at < $3 AND `+where+`
		GROUP BY 1`, args...)
	if err != nil {
		return err
	}
	var i, n int
	_, err = pgx.ForEachRow(rows, []any{&i, &n}, func() error {
		if m := trendMonth(d, i); m != nil {
			m.Escalations = n
		}
		return nil
	})
	return err
}
