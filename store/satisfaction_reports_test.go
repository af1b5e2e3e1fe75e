package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/survey"
)

func fptr(v float64) *float64 { return &v }

func TestSatisfactionAndChurnReports(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()

	def := survey.Definition{ID: uuid.NewString(), Name: "重点客户", Programme: survey.DefaultProgramme()}
	def, err := s.SaveDefinition(ctx, def, 0)
	require.NoError(t, err)
	other := survey.Definition{ID: uuid.NewString(), Name: "其他", Programme: survey.DefaultProgramme()}
	other, err = s.SaveDefinition(ctx, other, 0)
	require.NoError(t, err)

	// Cycles closing 2026-03-31 23:59 and 2026-06-30 23:59:59 (Shanghai) are
	// in 2026H1; one closing on 2026-07-01 00:00 is not; an open one never is.
	cycle := func(d survey.Definition, closed time.Time, st *survey.Stats) string {
		id := uuid.NewString()
		require.NoError(t, s.CreateCycle(ctx, id, "wf-"+id, d))
		if st != nil {
			require.NoError(t, s.CloseCycle(ctx, id, *st, closed))
		}
		return id
	}
	// Cycle 1: quality 2 answers avg 80 (1 satisfied); cycle 2: quality 2 avg 30 (0 satisfied, 2 dissatisfied).
	// Quality over the half: (80·2 + 30·2) / 4 = 55, rate 1/4. Index (80·2 + 30·2) / 4 = 55.
	st := func(avg float64, sat, dis int) *survey.Stats {
		rate := float64(sat) / 2
		return &survey.Stats{Scale: survey.ScaleQP17, Answers: 2, Ratings: 2, Index: fptr(avg), SatisfactionRate: &rate,
			Dimensions: []survey.DimensionStats{{Code: "product_quality", Name: "产品质量", OwnerDepartment: "quality",
				Count: 2, Average: fptr(avg), SatisfiedCount: sat, DissatisfiedCount: dis}},
			ByTier: []survey.Group{{Key: "A", Answers: 2, Ratings: 2, Index: fptr(avg), SatisfactionRate: &rate}}}
	}
	c1 := cycle(def, time.Date(2026, 3, 31, 23, 59, 0, 0, reports.Location), st(80, 1, 0))
	c2 := cycle(def, time.Date(2026, 6, 30, 23, 59, 59, 0, reports.Location), st(30, 0, 2))
	cycle(def, time.Date(2026, 7, 1, 0, 0, 0, 0, reports.Location), st(100, 2, 0))
	cycle(def, time.Time{}, nil)
	cycle(other, time.Date(2026, 5, 1, 0, 0, 0, 0, reports.Location), st(100, 2, 0))

	at := time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC)
	action := func(cycleID, dim string, status improvement.Step, res improvement.Resolution) string {
		a := improvement.Action{ID: uuid.NewString(), Source: improvement.Source{Kind: improvement.SourceSurvey, CycleID: cycleID, Dimension: dim},
			Department: "quality", Title: "改进 " + dim, Status: status, Resolution: res, Round: 1, DueAt: at.Add(720 * time.Hour),
			EscalationLevel: complaint.LevelOwner, OpenedBy: improvement.Actor{ID: "system"}, PolicyVersion: "p", Version: 1, CreatedAt: at}
		require.NoError(t, s.SaveImprovement(ctx, a, nil, ""))
		return a.ID
	}
	done := action(c2, "product_quality", improvement.StepClosed, improvement.ResolutionEffective)
	open := action(c2, "product_quality", improvement.StepPlan, "")

	h1 := reports.Period{From: reports.Date(2026, 1, 1), To: reports.Date(2026, 7, 1)}
	r, err := s.SatisfactionReport(ctx, h1, def.ID)
	require.NoError(t, err)
	require.Equal(t, 2, r.Cycles)
	require.Equal(t, c1, r.Trend[0].CycleID)
	require.Equal(t, c2, r.Trend[1].CycleID)
	require.Equal(t, "重点客户", r.Trend[0].ProgrammeName)
	require.InDelta(t, 55, *r.Index, 1e-9)
	require.InDelta(t, 55, *r.Dimensions[0].Average, 1e-9)
	require.InDelta(t, 0.25, *r.Dimensions[0].SatisfactionRate, 1e-9)
	require.Equal(t, 4, r.ByTier[0].Answers)
	require.Len(t, r.Factors, 1)
	require.Equal(t, 2, r.Factors[0].Dissatisfied)
	require.Len(t, r.Factors[0].Actions, 2)
	require.Equal(t, 1, r.Factors[0].Effective)
	got := map[string]bool{}
	for _, a := range r.Factors[0].Actions {
		got[a.ID] = a.Effective
	}
	require.Equal(t, map[string]bool{done: true, open: false}, got)

	all, err := s.SatisfactionReport(ctx, h1, "")
	require.NoError(t, err)
	require.Equal(t, 3, all.Cycles, "without programme every programme's cycles count")

	// Churn: 2025H2 → 2026H1.
	require.NoError(t, s.UpsertCustomers(ctx, []survey.Customer{
		{ID: "K1", Name: "华东 电气"}, {ID: "K2", Name: "中原重工"}, {ID: "K3", Name: "洛阳机械"}, {ID: "K4", Name: "新客户"}, {ID: "K5", Name: "稳定"},
	}))
	require.NoError(t, s.UpsertVolumes(ctx, []reports.Volume{
		{CustomerID: "K1", Period: "2025H2", Volume: 1_000_000}, {CustomerID: "K1", Period: "2026H1", Volume: 900_000},
		{CustomerID: "K2", Period: "2025H2", Volume: 500_000},                                               // lost: nothing in 2026H1
		{CustomerID: "K3", Period: "2025H2", Volume: 100}, {CustomerID: "K3", Period: "2026H1", Volume: 80}, // exactly 20 %
		{CustomerID: "K4", Period: "2026H1", Volume: 10},
		{CustomerID: "K5", Period: "2025H2", Volume: 100}, {CustomerID: "K5", Period: "2026H1", Volume: 100},
	}))
	// The upsert replaces: K1 drops 1,000,000 → 700,000 (30 %).
	require.NoError(t, s.UpsertVolumes(ctx, []reports.Volume{{CustomerID: "K1", Period: "2026H1", Volume: 700_000}}))

	comp := func(received time.Time, org, name string) string {
		id := uuid.NewString()
		c := complaint.Complaint{ID: id, Number: "CH-" + id[:8], Status: complaint.StepValidation, Subject: "s",
			Customer: complaint.Customer{Name: name, Organisation: org}, Severity: complaint.SeverityNone,
			Category: complaint.CategoryContract, Channel: complaint.ChannelWeb, ComplainantClass: complaint.ClassC,
			EscalationLevel: complaint.LevelOwner, ReceivedAt: received, CreatedAt: received, PolicyVersion: "p", Version: 1}
		require.NoError(t, s.SaveComplaint(ctx, c, nil, "", ""))
		return id
	}
	inPrev := comp(time.Date(2025, 8, 1, 0, 0, 0, 0, reports.Location), "华东电气", "王伟")
	inCur := comp(time.Date(2026, 2, 1, 0, 0, 0, 0, reports.Location), "", "华东  电气")
	comp(time.Date(2025, 6, 30, 0, 0, 0, 0, reports.Location), "华东电气", "")  // before 2025H2
	comp(time.Date(2026, 2, 1, 0, 0, 0, 0, reports.Location), "华东电气集团", "") // another name

	_, err = pool.Exec(ctx, `INSERT INTO survey_answers (answer_key, cycle_id, customer_id, answer, channel, answered_at) VALUES
		('a1', $1, 'K2', '{"ratings":{"product_quality":"very_satisfied","service":"satisfied"}}', 'link', '2026-03-01T00:00:00Z'),
		('a2', $2, 'K2', '{"ratings":{"product_quality":"dissatisfied"}}', 'link', '2026-06-01T00:00:00Z')`, c1, c2)
	require.NoError(t, err)

	ch, err := s.ChurnReport(ctx, reports.Half{Year: 2026, H: 1}, reports.DefaultDeclineShare)
	require.NoError(t, err)
	require.Equal(t, "2025H2", ch.PreviousHalf)
	require.Equal(t, 5, ch.Customers)
	require.Equal(t, 2, ch.Declined)
	require.Equal(t, 1, ch.Lost)
	require.Equal(t, 1, ch.New)
	require.Len(t, ch.Flagged, 3)
	k2, k1, k3 := ch.Flagged[0], ch.Flagged[1], ch.Flagged[2]
	require.Equal(t, "K2", k2.CustomerID, "the largest drop first: 500,000")
	require.Equal(t, reports.ChurnLost, k2.Status)
	require.Nil(t, k2.Volume)
	require.Equal(t, "K1", k1.CustomerID)
	require.InDelta(t, 300_000, k1.Drop, 1e-6)
	require.InDelta(t, 0.3, k1.DropShare, 1e-9)
	require.Equal(t, "K3", k3.CustomerID)
	require.Equal(t, reports.ChurnDeclined, k3.Status)

	ids := []string{}
	for _, c := range k1.Complaints {
		ids = append(ids, c.ID)
	}
	require.Equal(t, []string{inPrev, inCur}, ids, "matched on organisation or name, ignoring case and spaces")
	require.Nil(t, k1.LatestSurvey)
	require.NotNil(t, k2.LatestSurvey)
	require.Equal(t, c2, k2.LatestSurvey.CycleID, "the latest answer")
	require.InDelta(t, 30, *k2.LatestSurvey.Score, 1e-9, "不满意 scores 30 on the QP17 scale")
}
