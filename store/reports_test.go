package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
)

// sh is a wall-clock time in Asia/Shanghai.
func sh(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, reports.Location)
}

// run is a step run: started at received + startHours, lasting hours.
type run struct {
	step       complaint.Step
	start, dur float64 // hours after receipt; hours taken (< 0: still open)
	status     complaint.SLAStatus
}

type seed struct {
	received   time.Time
	category   complaint.Category
	severity   complaint.Severity
	class      complaint.ComplainantClass
	channel    complaint.Channel
	department string
	branch     string
	founded    *bool
	loss       float64
	runs       []run
	causeType  complaint.CauseType
	rootCause  string
	reopens    int
	escalated  map[complaint.Level]time.Time
}

var seedNumber int

func saveSeed(t *testing.T, s *store.Store, c seed) {
	t.Helper()
	seedNumber++
	at := c.received.UTC()
	h := func(x float64) time.Time { return at.Add(time.Duration(x * float64(time.Hour))) }
	v := complaint.Complaint{
		ID: uuid.NewString(), Number: fmt.Sprintf("TS-R-%06d", seedNumber), Status: complaint.StepClosed,
		Subject: "report seed", Severity: c.severity, Category: c.category, Channel: c.channel,
		ComplainantClass: c.class, Department: c.department, Branch: c.branch, EstimatedLoss: c.loss,
		EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at, PolicyVersion: "p", Version: 1,
		ReopenCount: c.reopens,
	}
	if c.founded != nil {
		v.Validation = &complaint.ValidationRecord{Founded: *c.founded, At: at}
		if !*c.founded {
			v.Resolution = complaint.ResolutionNotFounded
		}
	}
	if c.rootCause != "" {
		v.RootCause = &complaint.RootCauseRecord{Cause: c.rootCause, At: at}
	}
	if c.causeType != "" {
		v.Review = &complaint.ReviewRecord{Summary: "s", CauseType: c.causeType, At: at}
	}
	for _, r := range c.runs {
		d := complaint.Deadline{Step: r.step, StartedAt: h(r.start), DueAt: h(r.start + 8), SLAStatus: r.status}
		if r.dur >= 0 {
			done := h(r.start + r.dur)
			d.CompletedAt = &done
		}
		v.Deadlines = append(v.Deadlines, d)
	}
	seq := 0
	for _, l := range complaint.Levels {
		if when, ok := c.escalated[l]; ok {
			seq++
			v.Escalations = append(v.Escalations, complaint.Escalation{Seq: seq, Step: complaint.StepRootCause, Level: l, At: when, DueAt: when, Reason: complaint.ReasonOverdue})
		}
	}
	require.NoError(t, s.SaveComplaint(context.Background(), v, nil, "", ""))
}

func ptr[T any](v T) *T { return &v }

func TestComplaintAnalysis(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, d := range []org.Department{
		{ID: "engineering", Name: "工程部", Kind: org.KindHQ},
		{ID: "logistics", Name: "物流部", Kind: org.KindHQ},
		{ID: "branch-zz", Name: "郑州分公司", Kind: org.KindBranch},
	} {
		require.NoError(t, s.SaveDepartment(ctx, d))
	}
	yes, no := ptr(true), ptr(false)
	const (
		val    = complaint.StepValidation
		assign = complaint.StepAssignment
		cause  = complaint.StepRootCause
		ok     = complaint.SLAOnTrack
		risk   = complaint.SLAAtRisk
		late   = complaint.SLABreached
	)
	// 2026Q1 = [2026-01-01 00:00, 2026-04-01 00:00) Asia/Shanghai.
	// C1: HQ, engineering, founded, 20000; validation 2h, assignment 1h, root cause 10h (breached).
	saveSeed(t, s, seed{
		received: sh(2026, 1, 5, 10, 0, 0), category: complaint.CategoryServiceQuality, severity: complaint.SeverityGeneral,
		class: complaint.ClassA, channel: complaint.ChannelPhone, department: "engineering", founded: yes, loss: 20000,
		runs:      []run{{val, 0, 2, ok}, {assign, 2, 1, ok}, {cause, 3, 10, late}},
		causeType: complaint.CauseMechanism, rootCause: "施工质量",
		escalated: map[complaint.Level]time.Time{complaint.LevelDepartmentHead: sh(2026, 1, 6, 9, 0, 0)},
	})
	// C2: branch-zz, engineering, founded, 5000, reopened twice; validation 4h,
	// assignment 2h (at risk, still in time), root cause 6h; two escalations.
	saveSeed(t, s, seed{
		received: sh(2026, 2, 10, 9, 0, 0), category: complaint.CategoryServiceQuality, severity: complaint.SeveritySlight,
		class: complaint.ClassB, channel: complaint.ChannelWeb, department: "engineering", branch: "branch-zz", founded: yes, loss: 5000,
		runs:      []run{{val, 0, 4, ok}, {assign, 4, 2, risk}, {cause, 6, 6, ok}},
		causeType: complaint.CauseMechanism, rootCause: " 施工质量 ", reopens: 2,
		escalated: map[complaint.Level]time.Time{
			complaint.LevelMarketDepartment: sh(2026, 2, 20, 9, 0, 0),
			complaint.LevelGeneralManager:   sh(2026, 3, 1, 9, 0, 0),
		},
	})
	// C3: HQ, never assigned, not founded; validation 8h, breached.
	saveSeed(t, s, seed{
		received: sh(2026, 3, 1, 8, 0, 0), category: complaint.CategoryContract, severity: complaint.SeverityNone,
		class: complaint.ClassC, channel: complaint.ChannelLetter, founded: no,
		runs: []run{{val, 0, 8, late}},
	})
	// C4: received at the quarter's last second; branch-zz, logistics, founded,
	// 1234.56; validation 1h, assignment still open (not counted).
	saveSeed(t, s, seed{
		received: sh(2026, 3, 31, 23, 59, 59), category: complaint.CategoryContract, severity: complaint.SeverityMinor,
		class: complaint.ClassC, channel: complaint.ChannelEmail, department: "logistics", branch: "branch-zz", founded: yes, loss: 1234.56,
		runs:      []run{{val, 0, 1, ok}, {assign, 1, -1, ok}},
		causeType: complaint.CauseCooperation, rootCause: "沟通不畅",
	})
	// C5: received at the next quarter's first instant: 2026Q2, not Q1; its
	// escalation on 2 April is outside Q1 too.
	saveSeed(t, s, seed{
		received: sh(2026, 4, 1, 0, 0, 0), category: complaint.CategoryServiceProduct, severity: complaint.SeverityMajor,
		class: complaint.ClassA, channel: complaint.ChannelOral, department: "engineering", founded: yes, loss: 600000,
		runs:      []run{{val, 0, 3, ok}},
		escalated: map[complaint.Level]time.Time{complaint.LevelGeneralManager: sh(2026, 4, 2, 9, 0, 0)},
	})
	// 2025Q4 (the previous quarter): P1 at its last second, with an escalation on
	// 31 December 23:00 (not in Q1), and P2.
	saveSeed(t, s, seed{
		received: sh(2025, 12, 31, 23, 59, 59), category: complaint.CategoryServiceProduct, severity: complaint.SeverityNone,
		class: complaint.ClassC, channel: complaint.ChannelPhone, founded: yes,
		escalated: map[complaint.Level]time.Time{complaint.LevelDepartmentHead: sh(2025, 12, 31, 23, 0, 0)},
	})
	saveSeed(t, s, seed{
		received: sh(2025, 11, 1, 12, 0, 0), category: complaint.CategoryContract, severity: complaint.SeverityNone,
		class: complaint.ClassC, channel: complaint.ChannelPhone,
	})
	// 2025Q1 (the same quarter last year): L1.
	saveSeed(t, s, seed{
		received: sh(2025, 2, 1, 12, 0, 0), category: complaint.CategoryServiceQuality, severity: complaint.SeverityNone,
		class: complaint.ClassC, channel: complaint.ChannelPhone,
	})

	t.Run("the quarter's figures", func(t *testing.T) {
		a, err := s.ComplaintAnalysis(ctx, reports.Quarter(2026, 1))
		require.NoError(t, err)
		require.Equal(t, "2026-01-01", a.FromDate)
		require.Equal(t, "2026-03-31", a.ToDate)
		// C1–C4; C5 (00:00:00 on 1 April) is next quarter's, C4 (23:59:59 on 31 March) this one's.
		require.Equal(t, 4, a.Total)
		require.Equal(t, 3, a.Founded)             // C1, C2, C4
		require.Equal(t, 1, a.NotFounded)          // C3
		require.Equal(t, 0.25, *a.NotFoundedShare) // 1/4
		require.Equal(t, 1, a.Reopened)            // C2 only, though twice
		require.Equal(t, 2, a.Reopenings)
		require.Equal(t, 0.3333, *a.ReopenRate)  // 1 reopened / 3 founded
		require.Equal(t, 26234.56, a.DirectLoss) // 20000 + 5000 + 0 + 1234.56
		require.Equal(t, []reports.Count{        // 0, 2 (C1, C2), 2 (C3, C4) of 4
			{Key: "service_product", Label: "服务产品投诉", Count: 0, Share: ptr(0.0)},
			{Key: "service_quality", Label: "服务质量投诉", Count: 2, Share: ptr(0.5)},
			{Key: "contract", Label: "合同投诉", Count: 2, Share: ptr(0.5)},
		}, a.ByCategory)
		require.Equal(t, map[string]int{ // C3, C2, C4, C1
			"none": 1, "slight": 1, "minor": 1, "general": 1, "serious": 0, "major": 0, "extraordinary": 0,
		}, countsOf(a.BySeverity))
		require.Equal(t, "一般", a.BySeverity[3].Label)
		require.Equal(t, map[string]int{"A": 1, "B": 1, "C": 2}, countsOf(a.ByClass))
		require.Equal(t, map[string]int{"letter": 1, "oral": 0, "phone": 1, "email": 1, "web": 1}, countsOf(a.ByChannel))
		// By count, then by key: engineering 2 (C1, C2), unassigned 1 (C3), logistics 1 (C4).
		require.Equal(t, []string{"engineering", "", "logistics"}, keysOf(a.ByDepartment))
		require.Equal(t, []int{2, 1, 1}, countsIn(a.ByDepartment))
		require.Equal(t, []string{"工程部", reports.Unassigned, "物流部"}, labelsOf(a.ByDepartment))
		// HQ 2 (C1, C3), branch-zz 2 (C2, C4).
		require.Equal(t, []string{"", "branch-zz"}, keysOf(a.ByBranch))
		require.Equal(t, []int{2, 2}, countsIn(a.ByBranch))
		require.Equal(t, "郑州分公司", a.ByBranch[1].Label)

		require.Len(t, a.Steps, len(complaint.ActionSteps))
		steps := map[complaint.Step]reports.StepFigures{}
		for _, st := range a.Steps {
			steps[st.Step] = st
		}
		// Validation: 1 (C4), 2 (C1), 4 (C2), 8 (C3, breached) hours. Median
		// interpolates 2 and 4: 3; p90 at rank 0.9×3 = 2.7: 4 + 0.7×(8−4) = 6.8.
		require.Equal(t, reports.StepFigures{Step: val, Label: "判定投诉", Completed: 4,
			MedianHours: ptr(3.0), P90Hours: ptr(6.8), WithinSLA: 3, Compliance: ptr(0.75)}, steps[val])
		// Assignment: 1 (C1), 2 (C2, at risk but in time); C4's is open. p90: 1 + 0.9×1.
		require.Equal(t, reports.StepFigures{Step: assign, Label: "确定责任部门", Completed: 2,
			MedianHours: ptr(1.5), P90Hours: ptr(1.9), WithinSLA: 2, Compliance: ptr(1.0)}, steps[assign])
		// Root cause: 6 (C2), 10 (C1, breached). Median 8; p90 6 + 0.9×4 = 9.6.
		require.Equal(t, reports.StepFigures{Step: cause, Label: "分析原因", Completed: 2,
			MedianHours: ptr(8.0), P90Hours: ptr(9.6), WithinSLA: 1, Compliance: ptr(0.5)}, steps[cause])
		require.Equal(t, reports.StepFigures{Step: complaint.StepReview, Label: "总结评价"}, steps[complaint.StepReview])

		// engineering: C1's 3 runs (1 breached) + C2's 3 = 6, 5 in time (0.8333);
		// unassigned: C3's 1, breached; logistics: C4's validation, in time.
		require.Equal(t, []reports.DepartmentSLA{
			{Department: "engineering", Label: "工程部", Completed: 6, WithinSLA: 5, Compliance: ptr(0.8333)},
			{Department: "", Label: reports.Unassigned, Completed: 1, WithinSLA: 0, Compliance: ptr(0.0)},
			{Department: "logistics", Label: "物流部", Completed: 1, WithinSLA: 1, Compliance: ptr(1.0)},
		}, a.Departments)

		// C1's department head, C2's market department and general manager; P1's
		// (31 Dec) and C5's (2 Apr) are outside.
		require.Equal(t, map[string]int{"department_head": 1, "market_department": 1, "general_manager": 1}, countsOf(a.Escalations))

		// Reviews: C1, C2 mechanism, C4 cooperation; C3 none.
		require.Equal(t, []reports.Count{
			{Key: "chance", Label: "偶然因素", Count: 0, Share: ptr(0.0)},
			{Key: "mechanism", Label: "管理机制", Count: 2, Share: ptr(0.6667)},
			{Key: "cooperation", Label: "合作模式", Count: 1, Share: ptr(0.3333)},
		}, a.CauseTypes)
		// C2's cause, trimmed, is C1's.
		require.Equal(t, []reports.Count{{Key: "施工质量", Label: "施工质量", Count: 2}, {Key: "沟通不畅", Label: "沟通不畅", Count: 1}}, a.RootCauses)

		// 2025Q4: P1 (service product, at its last second), P2 (contract): 2.
		prev := a.PreviousPeriod
		require.Equal(t, "2025-10-01", prev.FromDate)
		require.Equal(t, "2025-12-31", prev.ToDate)
		require.Equal(t, 2, prev.Total)
		require.Equal(t, 2, prev.Delta)         // 4 − 2
		require.Equal(t, 1.0, *prev.DeltaShare) // 2 / 2
		require.Equal(t, []reports.CategoryDelta{
			{Category: "service_product", Label: "服务产品投诉", Current: 0, Other: 1, Delta: -1, DeltaShare: ptr(-1.0)},
			{Category: "service_quality", Label: "服务质量投诉", Current: 2, Other: 0, Delta: 2},
			{Category: "contract", Label: "合同投诉", Current: 2, Other: 1, Delta: 1, DeltaShare: ptr(1.0)},
		}, prev.Categories)
		// 2025Q1: L1 (service quality): 1.
		last := a.LastYear
		require.Equal(t, "2025-01-01", last.FromDate)
		require.Equal(t, "2025-03-31", last.ToDate)
		require.Equal(t, 1, last.Total)
		require.Equal(t, 3, last.Delta)
		require.Equal(t, 3.0, *last.DeltaShare)
		require.Equal(t, map[string]int{"service_product": 0, "service_quality": 1, "contract": 0}, otherOf(last.Categories))
	})

	t.Run("the next quarter starts at midnight in Shanghai", func(t *testing.T) {
		a, err := s.ComplaintAnalysis(ctx, reports.Quarter(2026, 2))
		require.NoError(t, err)
		require.Equal(t, 1, a.Total) // C5 alone
		require.Equal(t, 600000.0, a.DirectLoss)
		require.Equal(t, map[string]int{"department_head": 0, "market_department": 0, "general_manager": 1}, countsOf(a.Escalations))
		require.Equal(t, 4, a.PreviousPeriod.Total) // Q1
		// One day: 31 March holds C4 (23:59:59); 1 April C5; 30 March nothing.
		for day, want := range map[int]int{30: 0, 31: 1} {
			a, err := s.ComplaintAnalysis(ctx, reports.Dates(sh(2026, 3, day, 0, 0, 0), sh(2026, 3, day, 0, 0, 0)))
			require.NoError(t, err)
			require.Equal(t, want, a.Total, "31 March")
		}
		a, err = s.ComplaintAnalysis(ctx, reports.Dates(sh(2026, 4, 1, 0, 0, 0), sh(2026, 4, 1, 0, 0, 0)))
		require.NoError(t, err)
		require.Equal(t, 1, a.Total)
		require.Equal(t, 1, a.PreviousPeriod.Total, "the day before: C4")
		require.Equal(t, "2026-03-31", a.PreviousPeriod.FromDate)
	})

	t.Run("one branch", func(t *testing.T) {
		p := reports.Quarter(2026, 1)
		p.Branch = "branch-zz"
		a, err := s.ComplaintAnalysis(ctx, p)
		require.NoError(t, err)
		require.Equal(t, 2, a.Total)            // C2, C4
		require.Equal(t, 6234.56, a.DirectLoss) // 5000 + 1234.56
		require.Equal(t, 0, a.NotFounded)
		require.Equal(t, 0.5, *a.ReopenRate) // C2 of 2 founded
		require.Equal(t, []string{"branch-zz"}, keysOf(a.ByBranch))
		require.Equal(t, map[string]int{"department_head": 0, "market_department": 1, "general_manager": 1}, countsOf(a.Escalations))
		require.Equal(t, 0, a.PreviousPeriod.Total)
		require.Nil(t, a.PreviousPeriod.DeltaShare)
	})

	t.Run("an empty period", func(t *testing.T) {
		a, err := s.ComplaintAnalysis(ctx, reports.Quarter(2024, 1))
		require.NoError(t, err)
		require.Equal(t, 0, a.Total)
		require.Nil(t, a.NotFoundedShare)
		require.Nil(t, a.ReopenRate)
		require.Zero(t, a.DirectLoss)
		require.Equal(t, map[string]int{"service_product": 0, "service_quality": 0, "contract": 0}, countsOf(a.ByCategory))
		require.Nil(t, a.ByCategory[0].Share)
		require.Empty(t, a.ByDepartment)
		require.Empty(t, a.Departments)
		require.Empty(t, a.RootCauses)
		require.Len(t, a.Steps, len(complaint.ActionSteps))
		for _, st := range a.Steps {
			require.Zero(t, st.Completed)
			require.Nil(t, st.MedianHours)
			require.Nil(t, st.Compliance)
		}
		require.Equal(t, 0, a.LastYear.Total)
		require.Equal(t, "2023-10-01", a.PreviousPeriod.FromDate)
		// The tables and exports still come out whole.
		require.Len(t, a.Tables(reports.Chinese), 13)
	})
}

func countsOf(cs []reports.Count) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		m[c.Key] = c.Count
	}
	return m
}

func keysOf(cs []reports.Count) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	return out
}

func labelsOf(cs []reports.Count) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Label)
	}
	return out
}

func countsIn(cs []reports.Count) []int {
	var out []int
	for _, c := range cs {
		out = append(out, c.Count)
	}
	return out
}

func otherOf(ds []reports.CategoryDelta) map[string]int {
	m := map[string]int{}
	for _, d := range ds {
		m[string(d.Category)] = d.Other
	}
	return m
}
