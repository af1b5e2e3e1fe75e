package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
)

func TestAssessmentInputs(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `INSERT INTO departments (id, name, kind) VALUES ('engineering', '工程部', 'hq') ON CONFLICT (id) DO NOTHING`)
	require.NoError(t, err)

	march := reports.Date(2026, 3, 1)
	april := reports.Date(2026, 4, 1)
	save := func(number string, at time.Time, sev complaint.Severity, founded bool, dept string) string {
		id := uuid.NewString()
		c := complaint.Complaint{
			ID: id, Number: number, Status: complaint.StepClosed, Subject: "s", Severity: sev,
			Category: complaint.CategoryContract, Channel: complaint.ChannelWeb, ComplainantClass: complaint.ClassC,
			Department: dept, EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at, PolicyVersion: "p", Version: 1,
			Validation: &complaint.ValidationRecord{Founded: founded, At: at},
		}
		require.NoError(t, s.SaveComplaint(ctx, c, nil, "", ""))
		return id
	}
	founded := save("TS-2026-100001", march.Add(time.Hour), complaint.SeverityGeneral, true, "engineering")
	major := save("TS-2026-100002", april.Add(-time.Second), complaint.SeverityMajor, true, "engineering")
	save("TS-2026-100003", march.Add(2*time.Hour), complaint.SeverityMajor, false, "engineering")
	save("TS-2026-100004", april, complaint.SeverityMajor, true, "engineering") // April: not in March
	save("TS-2026-100005", march.Add(time.Hour), complaint.SeveritySlight, true, "sales")

	check, created, err := s.AddAuditCheck(ctx, assessment.AuditCheck{Department: "engineering", Month: "2026-03", Item: "服务规范", Earned: 45, Possible: 50, Auditor: "u1", AuditorName: "孙丽"})
	require.NoError(t, err)
	require.True(t, created)
	// The same ID again (a retried request) stores nothing and answers the stored check.
	again, created, err := s.AddAuditCheck(ctx, assessment.AuditCheck{ID: check.ID, Department: "sales", Month: "2026-03", Item: "x", Earned: 1, Possible: 2, Auditor: "u9"})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, check, again)
	_, _, err = s.AddAuditCheck(ctx, assessment.AuditCheck{Department: "engineering", Month: "2026-02", Item: "other month", Earned: 1, Possible: 50, Auditor: "u1"})
	require.NoError(t, err)

	prog := uuid.NewString()
	_, err = pool.Exec(ctx, `INSERT INTO survey_programmes (id, name, data, version) VALUES ($1, 'p', '{}', 1)`, prog)
	require.NoError(t, err)
	cycle := uuid.NewString()
	_, err = pool.Exec(ctx, `INSERT INTO survey_cycles (id, programme_id, workflow_id, status, definition, stats, closed_at)
		VALUES ($1, $2, 'w', 'closed', '{}', $3, $4)`, cycle, prog,
		`{"dimensions":[{"code":"service","owner_department":"engineering","count":10,"satisfied_count":9},{"code":"price","owner_department":"market","count":0,"satisfied_count":0}]}`,
		march.Add(48*time.Hour))
	require.NoError(t, err)

	in, err := s.AssessmentMonth(ctx, "2026-03", march, april)
	require.NoError(t, err)
	var eng, sales *assessment.MonthInput
	for i := range in {
		switch in[i].Department {
		case "engineering":
			eng = &in[i]
		case "sales":
			sales = &in[i]
		case "market":
			t.Error("a dimension nobody rated makes no department's rating")
		}
	}
	require.NotNil(t, eng)
	require.NotNil(t, sales, "a department the data names is listed")
	require.Equal(t, "工程部", eng.Name)
	require.Equal(t, []assessment.AuditCheck{check}, eng.Checks)
	require.Equal(t, []assessment.DimensionRating{{CycleID: cycle, Dimension: "service", Count: 10, Satisfied: 9}}, eng.Ratings)
	require.Len(t, eng.Complaints, 3)
	require.Equal(t, founded, eng.Complaints[0].ID)
	require.Equal(t, major, eng.Complaints[2].ID)

	// 45/50 × 50 = 45; 90 % → 16; 30 − 6 − 12 = 12: 73.
	score := assessment.DefaultRules().Monthly(*eng)
	require.Equal(t, 73.0, score.Score)
	require.Equal(t, -2.0, score.HeadPenalty.Points)

	credit, _, err := s.AddAssessmentCredit(ctx, assessment.AssessmentCredit{Department: "engineering", Year: 2026, Kind: assessment.CreditCustomerAward, Points: 0.5, Reason: "客户锦旗", EnteredBy: "u2"})
	require.NoError(t, err)
	again2, created, err := s.AddAssessmentCredit(ctx, credit)
	require.NoError(t, err)
	require.False(t, created, "stored once")
	require.Equal(t, credit, again2)
	years, err := s.AssessmentYear(ctx, 2026, reports.Date(2026, 1, 1), reports.Date(2027, 1, 1))
	require.NoError(t, err)
	for _, y := range years {
		if y.Department == "engineering" {
			require.Equal(t, []assessment.AssessmentCredit{credit}, y.Credits)
			require.Len(t, y.Complaints, 4)
			// 0.5 award − 2 major founded × 0.5 = −0.5
			require.Equal(t, -0.5, assessment.DefaultRules().Yearly(y).Total)
		}
	}
}
