package integration

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
)

// countActions counts a complaint's timeline events with the action.
func countActions(c complaint.Complaint, action string) int {
	n := 0
	for _, e := range c.Timeline {
		if e.Action == action {
			n++
		}
	}
	return n
}

// TestStepRetriedWithTheSameKey: a step sent again with its Idempotency-Key is
// answered from the first (200, Idempotent-Replayed), never applied twice, and
// never a 409 — even once the complaint has moved on or closed; the same key
// with another body is a 409 naming the header.
func TestStepRetriedWithTheSameKey(t *testing.T) {
	c := create(t, intake(5_000))
	key := "val-" + uuid.NewString()
	first := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body, "Idempotency-Key", key)
	require.Equal(t, http.StatusOK, first.status, "%s", first.body)
	require.Empty(t, first.header.Get("Idempotent-Replayed"))
	again := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body, "Idempotency-Key", key)
	require.Equal(t, http.StatusOK, again.status, "%s", again.body)
	require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	var got complaint.Complaint
	again.json(t, &got)
	require.Equal(t, complaint.StepAssignment, got.Status)
	require.Equal(t, 1, countActions(got, complaint.ActionValidated), "validated once")

	other := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", map[string]any{"founded": false, "reason": "x", "reply": "y"}, "Idempotency-Key", key)
	require.Equal(t, http.StatusConflict, other.status, "%s", other.body)
	require.Equal(t, "Idempotency-Key", other.field(t, "field"))

	// A new key for a step the complaint no longer waits for is the usual 409.
	late := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body, "Idempotency-Key", "val-"+uuid.NewString())
	require.Equal(t, http.StatusConflict, late.status)
	require.Contains(t, late.field(t, "error"), "waiting for assignment")

	// The last step, retried after it closed the complaint (its workflow has ended).
	for _, s := range steps[1 : len(steps)-1] {
		step(t, c.ID, s.path, s.body)
	}
	reviewKey := "rev-" + uuid.NewString()
	last := steps[len(steps)-1]
	r := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/review", last.body, "Idempotency-Key", reviewKey)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/review", last.body, "Idempotency-Key", reviewKey)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, "true", r.header.Get("Idempotent-Replayed"))
	r.json(t, &got)
	require.Equal(t, complaint.StepClosed, got.Status)
	require.Equal(t, 1, countActions(got, complaint.ActionReviewed))

	// Keys are the caller's: another user's same key is another request.
	require.Equal(t, http.StatusConflict, call(t, stack.api.URL, http.MethodPost, "/api/v1/complaints/"+c.ID+"/review", last.body,
		"Authorization", "Bearer "+tokenOf(t, "quality"), "Idempotency-Key", reviewKey).status)
}

// orphan writes what a lost workflow task would have left: the complaint one
// version further, at step, with an event the workflow never recorded, not
// confirmed — as the local activity writes before the task is committed.
func orphan(t *testing.T, id string, at complaint.Step) {
	t.Helper()
	ctx := context.Background()
	_, err := stack.pool.Exec(ctx, `
		UPDATE complaints SET version = version + 1, status = $2,
			view = jsonb_set(jsonb_set(view, '{status}', to_jsonb($2::text)), '{version}', to_jsonb(version + 1)),
			write_cause = 'lost-task', confirmed = false, updated_at = now()
		WHERE id = $1`, id, string(at))
	require.NoError(t, err)
	_, err = stack.pool.Exec(ctx, `
		INSERT INTO complaint_events (complaint_id, seq, at, step, action, actor_id, actor_name, actor_role, actor_department)
		SELECT $1, COALESCE(max(seq), 0) + 1, now(), 'assignment', 'assigned', 'ghost', 'ghost', 'department_head', 'engineering'
		FROM complaint_events WHERE complaint_id = $1`, id)
	require.NoError(t, err)
}

// TestRefusedStepRepairsTheReadModel: the read model shows a step its
// workflow never recorded; the step it shows is refused with the step the
// workflow waits for, and the case is repaired before the answer.
func TestRefusedStepRepairsTheReadModel(t *testing.T) {
	c := create(t, intake(5_000))
	step(t, c.ID, "validation", steps[0].body)
	orphan(t, c.ID, complaint.StepRootCause)
	shown := get(t, c.ID)
	require.Equal(t, complaint.StepRootCause, shown.Status, "the orphaned write is shown")

	r := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/root-cause", steps[2].body, "Idempotency-Key", uuid.NewString())
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	require.Contains(t, r.field(t, "error"), "waiting for assignment, not root_cause")
	got := get(t, c.ID)
	require.Equal(t, complaint.StepAssignment, got.Status, "repaired before the answer")
	require.Zero(t, countActions(got, complaint.ActionAssigned), "the event the workflow never recorded is gone")
	var confirmed bool
	require.NoError(t, stack.pool.QueryRow(context.Background(), `SELECT confirmed FROM complaints WHERE id = $1`, c.ID).Scan(&confirmed))
	require.True(t, confirmed)

	// The case carries on.
	got = step(t, c.ID, "assignment", steps[1].body)
	require.Equal(t, complaint.StepRootCause, got.Status)
	require.Equal(t, 1, countActions(got, complaint.ActionAssigned))
}

// TestReconcilerConvergesOrphanedRows: rows left by lost tasks are repaired by
// the worker's reconciler without anyone acting on them, and the time it
// takes is logged (make bench measures 1,000).
func TestReconcilerConvergesOrphanedRows(t *testing.T) {
	const n = 20
	ids := make([]string, n)
	for i := range ids {
		c := create(t, intake(5_000))
		step(t, c.ID, "validation", steps[0].body)
		ids[i] = c.ID
	}
	start := time.Now()
	for _, id := range ids {
		orphan(t, id, complaint.StepRootCause)
	}
	require.Eventually(t, func() bool {
		var left int
		require.NoError(t, stack.pool.QueryRow(context.Background(),
			`SELECT count(*) FROM complaints WHERE id = ANY($1::uuid[]) AND (status <> 'assignment' OR NOT confirmed)`, ids).Scan(&left))
		return left == 0
	}, 30*time.Second, 200*time.Millisecond, "every orphaned row repaired")
	t.Logf("%d orphaned rows converged in %s", n, time.Since(start).Round(time.Millisecond))
	for _, id := range ids[:3] {
		require.Zero(t, countActions(get(t, id), complaint.ActionAssigned))
	}
}

// TestTemporalTooSlowIs503: a step whose workflow does not answer in time (its
// worker is down: the update waits) is a 503 with Retry-After saying it may
// have taken effect, not a 500; retried with the same key once the worker is
// back, it is applied exactly once. A Temporal that cannot be reached is a
// 503 too.
func TestTemporalTooSlowIs503(t *testing.T) {
	const queue = "cxflow-it-503"
	st := store.New(stack.pool)
	policy, err := stack.cfg.Policy()
	require.NoError(t, err)
	acts := &activities.Activities{Store: st, Temporal: stack.client, Policy: policy, Location: stack.cfg.Location,
		PublicURL: stack.cfg.PublicURL, Links: stack.cfg.Secrets.Links}
	w := worker.New(stack.client, queue, acts)
	require.NoError(t, w.Start())
	sec := server.SecurityFrom(stack.cfg)
	sec.LoginPerMinute, sec.PublicPerMinute = 10_000, 10_000
	srv := httptest.NewServer(server.New(stack.client, st, queue, stack.log).WithSecurity(sec).WithUpdateTimeout(2 * time.Second).Handler())
	t.Cleanup(srv.Close)
	auth := []string{"Authorization", "Bearer " + stack.token}

	r := call(t, srv.URL, http.MethodPost, "/api/v1/complaints", intake(5_000), auth...)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	w.Stop()

	key := uuid.NewString()
	header := append([]string{"Idempotency-Key", key}, auth...)
	r = call(t, srv.URL, http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body, header...)
	require.Equal(t, http.StatusServiceUnavailable, r.status, "%s", r.body)
	require.Equal(t, "5", r.header.Get("Retry-After"))
	require.Contains(t, r.field(t, "error"), "may or may not have taken effect")
	require.Contains(t, r.field(t, "error"), "Idempotency-Key")

	w = worker.New(stack.client, queue, acts)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	require.Eventually(t, func() bool {
		r = call(t, srv.URL, http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body, header...)
		return r.status == http.StatusOK
	}, 30*time.Second, 500*time.Millisecond, "the retry succeeds once the worker is back: %d %s", r.status, r.body)
	var got complaint.Complaint
	r.json(t, &got)
	require.Equal(t, complaint.StepAssignment, got.Status)
	require.Equal(t, 1, countActions(got, complaint.ActionValidated), "applied once")

	// Nobody answers at all.
	dead, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1", Namespace: "default"})
	require.NoError(t, err)
	t.Cleanup(dead.Close)
	down := httptest.NewServer(server.New(dead, st, queue, stack.log).WithSecurity(sec).WithUpdateTimeout(2 * time.Second).Handler())
	t.Cleanup(down.Close)
	for _, path := range []string{"/api/v1/complaints/" + c.ID + "/assignment", "/api/v1/complaints"} {
		body := any(steps[1].body)
		if path == "/api/v1/complaints" {
			body = intake(1)
		}
		r = call(t, down.URL, http.MethodPost, path, body, auth...)
		require.Equal(t, http.StatusServiceUnavailable, r.status, "%s: %s", path, r.body)
		require.NotEmpty(t, r.header.Get("Retry-After"), path)
		require.False(t, strings.Contains(string(r.body), "internal error"), path)
	}
}
