package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
)

// reportLoad measures the reports against a large read model: n complaints
// over one quarter and a survey cycle with a answers, loaded with COPY (the
// loading is not measured), then the quarterly complaint analysis and a
// cycle's statistics are timed, with the memory they allocate.
type reportLoad struct {
	complaints, answers, open int
	seed                      time.Duration
	analysis                  measure
	statistics                measure
	dashboard                 measure
	work                      measure
	result                    reports.ComplaintAnalysis
	stats                     survey.Stats
	board                     store.Dashboard
}

type measure struct {
	took   time.Duration
	alloc  uint64 // bytes allocated by this process during the call
	rowsIn int
}

func measured(f func() error) (measure, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	err := f()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	return measure{took: took, alloc: after.TotalAlloc - before.TotalAlloc}, err
}

// benchDashboardNow is when the dashboard is read: six weeks into the
// quarter after the loaded one, so that quarter is its "last quarter" and all
// its complaints are in the twelve months of trend.
var benchDashboardNow = time.Date(2025, 5, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// quarter is the period the loaded complaints were received in.
var benchQuarter = reports.Period{
	From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)),
	To:   time.Date(2025, 4, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)),
}

func runReportLoad(ctx context.Context, pool *pgxpool.Pool, n, a int) (*reportLoad, error) {
	r := &reportLoad{complaints: n, answers: a, open: n / 20}
	began := time.Now()
	if err := loadComplaints(ctx, pool, n); err != nil {
		return nil, err
	}
	if err := loadOpenComplaints(ctx, pool, r.open); err != nil {
		return nil, err
	}
	cycleID, q, err := loadAnswers(ctx, pool, a)
	if err != nil {
		return nil, err
	}
	r.seed = time.Since(began)
	st := store.New(pool)

	r.analysis, err = measured(func() error {
		var err error
		r.result, err = st.ComplaintAnalysis(ctx, benchQuarter)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("complaint analysis: %w", err)
	}
	read := 0
	r.statistics, err = measured(func() error {
		answers, err := st.Answers(ctx, cycleID)
		if err != nil {
			return err
		}
		read = len(answers)
		r.stats, err = survey.ComputeStats(survey.StatsInput{
			Questionnaire: q, Targets: survey.DefaultTargets(), Population: a, Issued: a, Answers: answers,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cycle statistics: %w", err)
	}
	r.statistics.rowsIn = read

	r.dashboard, err = measured(func() error {
		var err error
		r.board, err = st.Dashboard(ctx, store.DashboardQuery{Now: benchDashboardNow, Location: reports.Location, Urgent: 20})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}

	// 我的待办 of the market department: what the console's backend reads —
	// every complaint waiting at the four steps it takes, 200 a page, each
	// refreshed for now — before keeping those it may act on.
	waiting := 0
	r.work, err = measured(func() error {
		for _, step := range []complaint.Step{complaint.StepValidation, complaint.StepAssignment, complaint.StepApproval, complaint.StepReview} {
			f := store.ListFilter{Status: step, Limit: 200, Now: benchDashboardNow}
			for {
				items, next, err := st.ListComplaints(ctx, f)
				if err != nil {
					return err
				}
				for i := range items {
					items[i].Refresh(benchDashboardNow, nil)
				}
				waiting += len(items)
				if next == "" {
					break
				}
				f.Cursor = next
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("my work: %w", err)
	}
	r.work.rowsIn = waiting
	return r, nil
}

// loadOpenComplaints writes n open complaints received in the six weeks
// before the dashboard is read, at every step, their current steps' due
// times spread from two days before that moment to two days after it, and
// those more than eight hours late escalated.
func loadOpenComplaints(ctx context.Context, pool *pgxpool.Pool, n int) error {
	rng := rand.New(rand.NewPCG(5, 6))
	rows := make([][]any, 0, n)
	for i := range n {
		received := benchDashboardNow.Add(-time.Duration(rng.Int64N(int64(42 * 24 * time.Hour)))).UTC().Truncate(time.Microsecond)
		step := complaint.ActionSteps[rng.IntN(len(complaint.ActionSteps))]
		dept := ""
		if step != complaint.StepValidation && step != complaint.StepAssignment {
			dept = benchDepartments[rng.IntN(len(benchDepartments))]
		}
		due := benchDashboardNow.Add(time.Duration(rng.Int64N(int64(96*time.Hour))) - 48*time.Hour).UTC().Truncate(time.Microsecond)
		warn := due.Add(-2 * time.Hour)
		level := complaint.LevelOwner
		if benchDashboardNow.Sub(due) > 8*time.Hour {
			level = complaint.LevelGeneralManager
		}
		c := complaint.Complaint{
			ID: uuid.NewString(), Number: fmt.Sprintf("TS-2025-%06d", 900_000+i), Status: step,
			Customer: complaint.Customer{Name: "客户", Contact: "-"}, Channel: complaint.ChannelPhone,
			Category: complaint.Categories[rng.IntN(len(complaint.Categories))], Subject: "投诉",
			Severity: complaint.SeveritySlight, ComplainantClass: complaint.ClassC, ReceivedAt: received, CreatedAt: received,
			Department: dept, EscalationLevel: level, PolicyVersion: "bench", Version: 3, DueAt: &due, Calendar: "default",
			Deadlines: []complaint.Deadline{{Step: step, StartedAt: received, DueAt: due, WarnAt: &warn, Clock: complaint.ClockWorking}},
		}
		if step != complaint.StepValidation {
			c.Validation = &complaint.ValidationRecord{Founded: true, At: received}
		}
		view, err := json.Marshal(c)
		if err != nil {
			return err
		}
		rows = append(rows, []any{c.ID, c.Number, c.Status, "", c.Severity, c.Category, c.Channel,
			c.ComplainantClass, "", c.Department, "", c.Subject, 0.0, c.ReceivedAt, c.CreatedAt,
			due, warn, c.EscalationLevel, 0, c.PolicyVersion, c.Version, view, c.Calendar})
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"complaints"}, []string{"id", "number", "status", "resolution", "severity",
		"category", "channel", "complainant_class", "branch", "department", "handler", "subject", "estimated_loss",
		"received_at", "created_at", "due_at", "warn_at", "escalation_level", "reopen_count", "policy_version",
		"version", "view", "calendar"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("load %d open complaints: %w", n, err)
	}
	_, err = pool.Exec(ctx, "ANALYZE complaints")
	return err
}

var (
	benchSeverities = []complaint.Severity{complaint.SeverityNone, complaint.SeveritySlight, complaint.SeverityMinor,
		complaint.SeverityGeneral, complaint.SeveritySerious, complaint.SeverityMajor}
	benchDepartments = []string{"engineering", "quality", "sales", "after-sales"}
	benchCauses      = []complaint.CauseType{complaint.CauseChance, complaint.CauseMechanism, complaint.CauseCooperation}
)

// loadComplaints writes n closed complaints received across the quarter, each
// with the deadlines, escalations and review the analysis reads.
func loadComplaints(ctx context.Context, pool *pgxpool.Pool, n int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	span := benchQuarter.To.Sub(benchQuarter.From)
	rows := make([][]any, 0, n)
	for i := range n {
		received := benchQuarter.From.Add(time.Duration(rng.Int64N(int64(span)))).UTC().Truncate(time.Microsecond)
		sev := benchSeverities[rng.IntN(len(benchSeverities))]
		dept := benchDepartments[rng.IntN(len(benchDepartments))]
		founded := rng.IntN(10) > 0
		c := complaint.Complaint{
			ID: uuid.NewString(), Number: fmt.Sprintf("TS-2025-%06d", i+1), Status: complaint.StepClosed,
			Customer: complaint.Customer{Name: "客户", Contact: "-"}, Channel: complaint.ChannelPhone,
			Category: complaint.Categories[rng.IntN(len(complaint.Categories))], Subject: "投诉",
			EstimatedLoss: float64(rng.IntN(200_000)), Severity: sev, ComplainantClass: complaint.ClassC,
			ReceivedAt: received, CreatedAt: received, Department: dept, EscalationLevel: complaint.LevelOwner,
			PolicyVersion: "bench", Version: 10, ReopenCount: rng.IntN(20) / 19,
			Validation: &complaint.ValidationRecord{Founded: founded, At: received},
		}
		at := received
		for _, step := range complaint.ActionSteps {
			took := time.Duration(1+rng.IntN(30)) * time.Hour
			done := at.Add(took)
			status := complaint.SLAOnTrack
			if took > 24*time.Hour {
				status = complaint.SLABreached
			}
			c.Deadlines = append(c.Deadlines, complaint.Deadline{Step: step, StartedAt: at, DueAt: at.Add(24 * time.Hour), CompletedAt: &done, SLAStatus: status})
			at = done
			if !founded {
				break
			}
		}
		if founded {
			c.RootCause = &complaint.RootCauseRecord{Cause: fmt.Sprintf("原因 %d", rng.IntN(40)), ResponsiblePerson: "-", CorrectiveAction: "-"}
			c.Review = &complaint.ReviewRecord{Summary: "-", CauseType: benchCauses[rng.IntN(len(benchCauses))]}
			c.Resolution = complaint.ResolutionResolved
		} else {
			c.Resolution = complaint.ResolutionNotFounded
		}
		c.ClosedAt = &at
		view, err := json.Marshal(c)
		if err != nil {
			return err
		}
		rows = append(rows, []any{c.ID, c.Number, c.Status, c.Resolution, c.Severity, c.Category, c.Channel,
			c.ComplainantClass, c.Branch, c.Department, "", c.Subject, c.EstimatedLoss, c.ReceivedAt, c.CreatedAt,
			c.ClosedAt, nil, c.EscalationLevel, c.ReopenCount, c.PolicyVersion, c.Version, view})
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"complaints"}, []string{"id", "number", "status", "resolution", "severity",
		"category", "channel", "complainant_class", "branch", "department", "handler", "subject", "estimated_loss",
		"received_at", "created_at", "closed_at", "due_at", "escalation_level", "reopen_count", "policy_version",
		"version", "view"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("load %d complaints: %w", n, err)
	}
	_, err = pool.Exec(ctx, "ANALYZE complaints")
	return err
}

// loadAnswers creates a programme and a closed-enough cycle holding a answers
// on the default questionnaire; it returns the cycle and its questionnaire.
func loadAnswers(ctx context.Context, pool *pgxpool.Pool, a int) (string, survey.Questionnaire, error) {
	st := store.New(pool)
	d := survey.Definition{ID: uuid.NewString(), Name: "bench", Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(),
		Schedule: survey.Schedule{Kind: survey.ScheduleManual}}
	if _, err := st.SaveDefinition(ctx, d, 0); err != nil {
		return "", d.Programme.Questionnaire, err
	}
	cycleID := uuid.NewString()
	if err := st.CreateCycle(ctx, cycleID, "bench", d); err != nil {
		return "", d.Programme.Questionnaire, err
	}
	q := d.Programme.Questionnaire
	rng := rand.New(rand.NewPCG(3, 4))
	rows := make([][]any, 0, a)
	now := time.Now().UTC()
	for i := range a {
		ratings := map[string]string{}
		for _, dim := range q.Dimensions {
			ratings[dim.Code] = q.Scale.Levels[rng.IntN(len(q.Scale.Levels))].Code
		}
		rec := rng.IntN(11)
		ans := survey.Answer{CustomerID: fmt.Sprintf("B%06d", i), Ratings: ratings, Recommend: &rec}
		data, err := json.Marshal(ans)
		if err != nil {
			return "", q, err
		}
		rows = append(rows, []any{fmt.Sprintf("bench:%d", i), cycleID, ans.CustomerID, data, "link", now})
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"survey_answers"},
		[]string{"answer_key", "cycle_id", "customer_id", "answer", "channel", "answered_at"}, pgx.CopyFromRows(rows)); err != nil {
		return "", q, fmt.Errorf("load %d answers: %w", a, err)
	}
	return cycleID, q, nil
}

func (r *reportLoad) write(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	p("")
	p("reports over a large read model (%d closed complaints in one quarter, %d open ones in the next, %d answers in one cycle; loaded with COPY in %s, not measured)",
		r.complaints, r.open, r.answers, r.seed.Round(time.Millisecond))
	p("  %-44s %10s %14s", "", "time", "allocated by Go")
	p("  %-44s %8.0f ms %10.1f MiB", "quarterly complaint analysis (SQL)", ms(r.analysis.took), mib(r.analysis.alloc))
	p("  %-44s %8.0f ms %10.1f MiB", fmt.Sprintf("cycle statistics (read %d answers + compute)", r.statistics.rowsIn), ms(r.statistics.took), mib(r.statistics.alloc))
	p("  %-44s %8.0f ms %10.1f MiB", "management dashboard (SQL, 12 months)", ms(r.dashboard.took), mib(r.dashboard.alloc))
	p("  %-44s %8.0f ms %10.1f MiB", fmt.Sprintf("my work (我的待办), market dept (%d waiting)", r.work.rowsIn), ms(r.work.took), mib(r.work.alloc))
	p("  check: the analysis counted %d complaints; the statistics %d answers", r.result.Total, r.stats.Answers)
	p("  check: the dashboard counted %d open (%d overdue) and %d received last quarter (%s)", r.board.Open.Total, r.board.Open.Breached,
		r.board.Quarters.Previous.Received, r.board.Quarters.Previous.Quarter)
}
