package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
)

// TestOrphanedWriteNeverOutranksTheCommittedState plays the window of issue
// #19 on the read model: a workflow task writes version 3 (a callback) and is
// lost; the workflow, at version 2, writes its next real step as version 3
// again. That write replaces the orphan, its timeline included; a stale
// retry of version 2 changes nothing; a repair replaces a row only while it
// holds the write that was judged.
func TestOrphanedWriteNeverOutranksTheCommittedState(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	id := uuid.NewString()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ev := func(seq int, action string) complaint.Event {
		return complaint.Event{Seq: seq, At: at.Add(time.Duration(seq) * time.Minute), Step: complaint.StepExecution, Action: action, Actor: complaint.Actor{ID: "u"}}
	}
	c := complaint.Complaint{
		ID: id, Number: "TS-2026-008888", Status: complaint.StepCallback, Subject: "s",
		Severity: complaint.SeverityNone, Category: complaint.CategoryContract, Channel: complaint.ChannelWeb,
		ComplainantClass: complaint.ClassC, EscalationLevel: complaint.LevelOwner, ReceivedAt: at, CreatedAt: at,
		PolicyVersion: "p", Version: 2,
	}
	write := func(w store.ComplaintWrite) bool {
		t.Helper()
		ok, err := s.WriteComplaint(ctx, w)
		require.NoError(t, err)
		return ok
	}
	actions := func() []string {
		t.Helper()
		st, err := s.GetComplaint(ctx, id)
		require.NoError(t, err)
		var out []string
		for _, e := range st.Complaint.Timeline {
			out = append(out, e.Action)
		}
		return out
	}
	committed := store.ComplaintWrite{Complaint: c, Events: []complaint.Event{ev(1, "recorded"), ev(2, "executed")}, Provenance: store.Provenance{Cause: "upd-exec", TimelineLen: 2}}
	require.True(t, write(committed))
	ok, err := s.ConfirmComplaint(ctx, id, 2, "upd-exec")
	require.NoError(t, err)
	require.True(t, ok)

	// The lost task: the callback, version 3.
	orphan := c
	orphan.Version, orphan.Status = 3, complaint.StepReview
	require.True(t, write(store.ComplaintWrite{Complaint: orphan, Events: []complaint.Event{ev(3, "callback_satisfied")}, Provenance: store.Provenance{Cause: "upd-lost", TimelineLen: 3}}))
	st, err := s.GetComplaint(ctx, id)
	require.NoError(t, err)
	require.False(t, st.Confirmed, "a workflow's write is provisional")
	require.Equal(t, complaint.StepReview, st.Complaint.Status)
	list, err := s.UnconfirmedComplaints(ctx, 0, 10)
	require.NoError(t, err)
	require.Equal(t, []store.Unconfirmed{{ID: id, Version: 3, Cause: "upd-lost"}}, list)
	ok, err = s.ConfirmComplaint(ctx, id, 3, "upd-other")
	require.NoError(t, err)
	require.False(t, ok, "a confirmation names the write it confirms")

	// A stale retry of the committed version 2 changes nothing.
	require.False(t, write(committed))

	// The workflow's next real step is version 3 too, and wins.
	next := c
	next.Version, next.Status = 3, complaint.StepExecution
	require.True(t, write(store.ComplaintWrite{Complaint: next, Events: []complaint.Event{ev(3, "paused")}, Provenance: store.Provenance{Cause: "upd-pause", TimelineLen: 3}}))
	require.Equal(t, []string{"recorded", "executed", "paused"}, actions())

	// A repair judged against the orphan does not touch the newer write.
	repairOf := store.ComplaintWrite{Complaint: c, Events: []complaint.Event{ev(1, "recorded"), ev(2, "executed")}, Provenance: store.Provenance{Cause: "upd-exec",
		TimelineLen: 2, Repair: true, ExpectVersion: 3, ExpectCause: "upd-lost"}}
	require.False(t, write(repairOf))
	require.Equal(t, []string{"recorded", "executed", "paused"}, actions())

	// Judged against the row as it is, it goes back to the workflow's version
	// 2, drops the orphaned event and is confirmed.
	repairOf.ExpectCause = "upd-pause"
	require.True(t, write(repairOf))
	st, err = s.GetComplaint(ctx, id)
	require.NoError(t, err)
	require.True(t, st.Confirmed)
	require.Equal(t, 2, st.Complaint.Version)
	require.Equal(t, complaint.StepCallback, st.Complaint.Status)
	require.Equal(t, []string{"recorded", "executed"}, actions())
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE id = $1 AND NOT confirmed`, id).Scan(&n))
	require.Zero(t, n)

	// A retried activity writing the same version and cause keeps the confirmation.
	require.True(t, write(store.ComplaintWrite{Complaint: c, Events: []complaint.Event{ev(2, "executed")}, Provenance: store.Provenance{Cause: "upd-exec", TimelineLen: 2}}))
	st, err = s.GetComplaint(ctx, id)
	require.NoError(t, err)
	require.True(t, st.Confirmed)
}

func TestStepRequests(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	r := store.StepRequest{Kind: "complaint", CaseID: uuid.NewString(), Update: "review", ActorID: "u1", Key: "k", BodyHash: "h1", UpdateID: "upd-1"}
	got, created, err := s.ClaimStepRequest(ctx, r)
	require.NoError(t, err)
	require.True(t, created)
	require.Nil(t, got.DoneVersion)
	again := r
	again.BodyHash, again.UpdateID = "h2", "upd-2"
	got, created, err = s.ClaimStepRequest(ctx, again)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, "h1", got.BodyHash, "the first request's hash is kept")
	require.Equal(t, "upd-1", got.UpdateID)
	require.NoError(t, s.StepRequestDone(ctx, r, 7))
	got, _, err = s.ClaimStepRequest(ctx, r)
	require.NoError(t, err)
	require.Equal(t, 7, *got.DoneVersion)
	other := r
	other.ActorID = "u2"
	_, created, err = s.ClaimStepRequest(ctx, other)
	require.NoError(t, err)
	require.True(t, created, "keys are scoped per caller")
}
