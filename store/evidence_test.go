package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
)

func TestAuditEvidenceAndReportVersions(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC)

	id := uuid.NewString()
	c := complaint.Complaint{
		ID: id, Number: "TS-2026-900001", Status: complaint.StepRootCause, Subject: "evidence", Severity: complaint.SeveritySlight,
		Category: complaint.CategoryContract, Channel: complaint.ChannelPhone, ComplainantClass: complaint.ClassC, Branch: "branch-x",
		EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at, PolicyVersion: "p", Version: 1,
	}
	clerk := complaint.Actor{ID: "u1", Name: "王芳", Role: "intake_clerk", Department: "sales"}
	market := complaint.Actor{ID: "u2", Name: "李强", Role: "market_department", Department: "market"}
	events := []complaint.Event{
		{Seq: 1, At: at, Step: complaint.StepValidation, Action: complaint.ActionRecorded, Actor: clerk},
		{Seq: 2, At: at.Add(time.Hour), Step: complaint.StepValidation, Action: complaint.ActionValidated, Actor: market},
		{Seq: 3, At: at.Add(2 * time.Hour), Step: complaint.StepAssignment, Action: complaint.ActionAssigned, Actor: market},
		// Outside the quarter.
		{Seq: 4, At: time.Date(2026, 4, 2, 2, 0, 0, 0, time.UTC), Step: complaint.StepRootCause, Action: complaint.ActionEscalated, Actor: complaint.Actor{ID: "system"}},
	}
	require.NoError(t, s.SaveComplaint(ctx, c, events, "", ""))

	d := survey.Definition{ID: uuid.NewString(), Name: "重点客户季度调查", Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(),
		Schedule: survey.Schedule{Kind: survey.ScheduleManual}}
	d, err := s.SaveDefinition(ctx, d, 0)
	require.NoError(t, err)
	cycle := uuid.NewString()
	require.NoError(t, s.CreateCycle(ctx, cycle, "wf", d))
	require.NoError(t, s.AddCycleEvent(ctx, cycle, 1, at.Add(30*time.Minute), "sampled", map[string]any{"chosen": 3}))
	require.NoError(t, s.AddCycleEvent(ctx, cycle, 2, at.Add(90*time.Minute), "issued", nil))

	e, err := s.AuditEvidence(ctx, reports.Quarter(2026, 1))
	require.NoError(t, err)
	var mine []reports.EvidenceEvent
	for _, ev := range e.Events {
		if ev.SubjectID == id || ev.SubjectID == cycle {
			mine = append(mine, ev)
		}
	}
	require.Len(t, mine, 5)
	require.Equal(t, []string{"recorded", "sampled", "validated", "issued", "assigned"},
		[]string{mine[0].Action, mine[1].Action, mine[2].Action, mine[3].Action, mine[4].Action}, "oldest first")
	require.Equal(t, "TS-2026-900001", mine[0].Reference)
	require.Equal(t, "王芳", mine[0].ActorName)
	require.Equal(t, "intake_clerk", mine[0].ActorRole)
	require.Equal(t, "sales", mine[0].ActorDepartment)
	require.Equal(t, "8.2", mine[0].Clauses[0].Number)
	require.Equal(t, cycle, mine[1].Reference)
	require.Equal(t, "ISO 10004:2018", mine[1].Clauses[0].Standard)
	require.Equal(t, "market", mine[1].ActorDepartment)

	branch := reports.Quarter(2026, 1)
	branch.Branch = "branch-x"
	e, err = s.AuditEvidence(ctx, branch)
	require.NoError(t, err)
	require.Len(t, e.Events, 3, "a branch's complaint events only")

	t.Run("report versions are numbered per kind, period and branch and kept", func(t *testing.T) {
		v := reports.Version{Kind: "complaints", Period: "2026Q1", Format: "xlsx", CreatedBy: "u1"}
		var wg sync.WaitGroup
		got := make([]reports.Version, 4)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				got[i], err = s.SaveReportVersion(ctx, v, "", []byte{byte(i)})
				require.NoError(t, err)
			}()
		}
		wg.Wait()
		seen := map[int]bool{}
		for _, g := range got {
			seen[g.Version] = true
		}
		require.Equal(t, map[int]bool{1: true, 2: true, 3: true, 4: true}, seen)

		again, err := s.SaveReportVersion(ctx, v, "k1", []byte("x"))
		require.NoError(t, err)
		require.Equal(t, 5, again.Version)
		same, err := s.SaveReportVersion(ctx, v, "k1", []byte("y"))
		require.NoError(t, err)
		require.Equal(t, again.ID, same.ID, "a retry with the key stores nothing new")

		other, err := s.SaveReportVersion(ctx, reports.Version{Kind: "complaints", Period: "2026Q1", Branch: "branch-x", Format: "xlsx", CreatedBy: "u1"}, "", []byte("b"))
		require.NoError(t, err)
		require.Equal(t, 1, other.Version)

		list, err := s.ReportVersions(ctx, "complaints", "2026Q1")
		require.NoError(t, err)
		require.Len(t, list, 6)
		require.Equal(t, other.ID, list[0].ID, "newest first")
		none, err := s.ReportVersions(ctx, "complaints", "2025Q4")
		require.NoError(t, err)
		require.Empty(t, none)

		meta, data, err := s.ReportVersionData(ctx, again.ID)
		require.NoError(t, err)
		require.Equal(t, []byte("x"), data)
		require.Equal(t, 1, meta.Size)
		require.Equal(t, "complaints-2026Q1-v5.xlsx", meta.Filename())
		_, _, err = s.ReportVersionData(ctx, 999999)
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}
