package integration

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
	"github.com/cxflow/cxflow/workflows"
)

// improvementContinueAt is the test hook's threshold for an action that
// continues as new (workflows.ImprovementInput), in history events: a step
// adds about 7, so the first run continues with its third step (the failed
// verification) and the next run closes the action.
const improvementContinueAt = 24

const improvementsPath = "/api/v1/improvement-actions"

func actionBody(department string, due time.Time) map[string]any {
	return map[string]any{
		"title":       "售后响应慢",
		"description": "本季度满意度调查中三份答卷对售后服务不满意。",
		"department":  department,
		"due_at":      due.Format(time.RFC3339),
		"source":      map[string]any{"kind": "manual"},
	}
}

// openAs opens an action through the API as a demo user.
func openAs(t *testing.T, user string, body any, header ...string) (improvement.Action, response) {
	t.Helper()
	r := call(t, stack.api.URL, http.MethodPost, improvementsPath, body,
		append([]string{"Authorization", "Bearer " + tokenOf(t, user)}, header...)...)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var a improvement.Action
	r.json(t, &a)
	return a, r
}

// actAs sends one step as a demo user and requires it to succeed.
func actAs(t *testing.T, user, id, path string, body any) improvement.Action {
	t.Helper()
	r := as(t, user, http.MethodPost, improvementsPath+"/"+id+"/"+path, body)
	require.Equal(t, http.StatusOK, r.status, "%s as %s: %s", path, user, r.body)
	var a improvement.Action
	r.json(t, &a)
	return a
}

// refusedAs sends one step as a demo user and requires the status; it
// returns the error message.
func refusedAs(t *testing.T, status int, user, id, path string, body any) string {
	t.Helper()
	r := as(t, user, http.MethodPost, improvementsPath+"/"+id+"/"+path, body)
	require.Equal(t, status, r.status, "%s as %s: %s", path, user, r.body)
	msg, _ := r.field(t, "error").(string)
	return msg
}

func readAs(t *testing.T, user, id string) improvement.Action {
	t.Helper()
	r := as(t, user, http.MethodGet, improvementsPath+"/"+id, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var a improvement.Action
	r.json(t, &a)
	return a
}

func TestImprovementActionPDCAThroughHTTP(t *testing.T) {
	due := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
	body := actionBody("engineering", due)

	// Only the market or quality department (or a branch head, for its
	// branch) opens an action.
	for _, user := range []string{"clerk", "engineer", "head", "branch", "gm", "auditor", "admin"} {
		r := as(t, user, http.MethodPost, improvementsPath, body)
		require.Equal(t, http.StatusForbidden, r.status, "%s: %s", user, r.body)
	}
	for field, change := range map[string]func(b map[string]any){
		"title":       func(b map[string]any) { b["title"] = "" },
		"due_at":      func(b map[string]any) { b["due_at"] = time.Now().Add(-time.Hour).Format(time.RFC3339) },
		"department":  func(b map[string]any) { b["department"] = "nowhere" },
		"source.kind": func(b map[string]any) { b["source"] = map[string]any{"kind": "rumour"} },
		"source.complaint_id": func(b map[string]any) {
			b["source"] = map[string]any{"kind": "complaint", "complaint_id": uuid.NewString()}
		},
		"owner": func(b map[string]any) { b["owner"] = "engineering" },
	} {
		b := actionBody("engineering", due)
		change(b)
		r := as(t, "market", http.MethodPost, improvementsPath, b)
		require.Equal(t, http.StatusBadRequest, r.status, "%s: %s", field, r.body)
		require.Equal(t, field, r.field(t, "field"), "%s", r.body)
	}

	a, r := openAs(t, "market", body)
	require.Equal(t, improvementsPath+"/"+a.ID, r.header.Get("Location"))
	require.Equal(t, improvement.StepPlan, a.Status)
	require.Equal(t, 1, a.Round)
	require.Equal(t, "engineering", a.Department)
	require.True(t, due.Equal(a.DueAt))
	require.Equal(t, a.CreatedAt.Add(5*24*time.Hour), *a.StepDueAt, "the plan is due 5 days after opening")
	require.Equal(t, "李强 (市场部)", a.OpenedBy.Name)
	require.Len(t, a.Timeline, 1)

	// Owner department, verifiers and followers read it; others do not.
	for _, user := range []string{"engineer", "head", "market", "quality", "gm", "auditor", "admin"} {
		require.Equal(t, a.ID, readAs(t, user, a.ID).ID, user)
	}
	for _, user := range []string{"clerk", "branch"} {
		r := as(t, user, http.MethodGet, improvementsPath+"/"+a.ID, nil)
		require.Equal(t, http.StatusForbidden, r.status, "%s: %s", user, r.body)
	}

	plan := map[string]any{"plan": "增设售后热线坐席, 48 小时内上门"}
	done := map[string]any{"result": "已增设两名坐席"}
	notEffective := map[string]any{"effective": false, "comment": "客户仍反映响应慢"}
	require.Contains(t, refusedAs(t, http.StatusConflict, "quality", a.ID, "verification", map[string]any{"effective": true}), "waiting for plan")
	require.Contains(t, refusedAs(t, http.StatusConflict, "engineer", a.ID, "completion", done), "waiting for plan")
	require.Contains(t, refusedAs(t, http.StatusForbidden, "market", a.ID, "plan", plan), "owner department (engineering)")
	refusedAs(t, http.StatusForbidden, "quality", a.ID, "plan", plan)
	refusedAs(t, http.StatusForbidden, "clerk", a.ID, "plan", plan)
	require.Equal(t, "plan", as(t, "engineer", http.MethodPost, improvementsPath+"/"+a.ID+"/plan", map[string]any{"plan": " "}).field(t, "field"))
	r = as(t, "engineer", http.MethodPost, improvementsPath+"/"+a.ID+"/plan", map[string]any{"plan": "p", "due_at": due.Add(time.Hour).Format(time.RFC3339)})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	require.Equal(t, "due_at", r.field(t, "field"), "not after the action's due date")

	got := actAs(t, "engineer", a.ID, "plan", plan)
	require.Equal(t, improvement.StepCompletion, got.Status)
	require.True(t, due.Equal(*got.StepDueAt), "completion is due at the action's due date")
	got = actAs(t, "engineer", a.ID, "completion", done)
	require.Equal(t, improvement.StepVerification, got.Status)
	require.Equal(t, got.Rounds[0].Completion.At.Add(7*24*time.Hour), *got.StepDueAt, "verification within 7 days")
	refusedAs(t, http.StatusForbidden, "engineer", a.ID, "verification", notEffective)
	refusedAs(t, http.StatusForbidden, "head", a.ID, "verification", notEffective)
	refusedAs(t, http.StatusForbidden, "auditor", a.ID, "verification", notEffective)
	r = as(t, "quality", http.MethodPost, improvementsPath+"/"+a.ID+"/verification", map[string]any{"effective": false})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	require.Equal(t, "comment", r.field(t, "field"))

	// Not effective: round 2 starts at its plan; round 1 stays on record.
	got = actAs(t, "quality", a.ID, "verification", notEffective)
	require.Equal(t, improvement.StepPlan, got.Status)
	require.Equal(t, 2, got.Round)
	require.Len(t, got.Rounds, 2)
	require.Equal(t, "客户仍反映响应慢", got.Rounds[0].Verification.Comment)
	require.Equal(t, "刘洋 (品质部)", got.Rounds[0].Verification.By.Name)

	actAs(t, "head", a.ID, "plan", map[string]any{"plan": "设立售后响应考核", "due_at": due.Add(-time.Hour).Format(time.RFC3339)})
	actAs(t, "engineer", a.ID, "completion", done)
	got = actAs(t, "quality", a.ID, "verification", map[string]any{"effective": true, "comment": "回访满意"})
	require.Equal(t, improvement.StepClosed, got.Status)
	require.Equal(t, improvement.ResolutionEffective, got.Resolution)
	require.NotNil(t, got.ClosedAt)
	require.Contains(t, refusedAs(t, http.StatusConflict, "engineer", a.ID, "plan", plan), "closed")

	// The auditor follows up: both rounds, every step, in order.
	final := readAs(t, "auditor", a.ID)
	var acts []string
	for _, e := range final.Timeline {
		acts = append(acts, e.Action)
	}
	require.Equal(t, []string{
		improvement.ActionOpened,
		improvement.ActionPlanned, improvement.ActionCompleted, improvement.ActionNotEffective, improvement.ActionNewRound,
		improvement.ActionPlanned, improvement.ActionCompleted, improvement.ActionEffective, improvement.ActionClosed,
	}, acts)

	// The read model holds exactly the action the workflow ended with.
	ctx := context.Background()
	var result improvement.Action
	require.NoError(t, stack.client.GetWorkflow(ctx, improvement.WorkflowID(a.ID), "").Get(ctx, &result))
	final.Timeline = nil
	require.Equal(t, normalised(t, result), normalised(t, final))

	// Refused steps left no trace: one accepted update per step, and the opening.
	require.Equal(t, 1+6, acceptedUpdates(t, improvement.WorkflowID(a.ID)))

	// No such action.
	require.Equal(t, http.StatusNotFound, as(t, "auditor", http.MethodGet, improvementsPath+"/"+uuid.NewString(), nil).status)
	require.Equal(t, http.StatusNotFound, as(t, "auditor", http.MethodGet, improvementsPath+"/IMP-1", nil).status)
	require.Equal(t, http.StatusNotFound, as(t, "engineer", http.MethodPost, improvementsPath+"/"+uuid.NewString()+"/plan", plan).status)
	recordHistory(t, "improvement_pdca", improvement.WorkflowID(a.ID))
}

func acceptedUpdates(t *testing.T, workflowID string) int {
	t.Helper()
	n := 0
	iter := stack.client.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		require.NoError(t, err)
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED {
			n++
		}
	}
	return n
}

func TestImprovementOpenedFromAComplaint(t *testing.T) {
	c := create(t, intake(5_000))
	b := actionBody("engineering", time.Now().Add(10*24*time.Hour))
	b["source"] = map[string]any{"kind": "complaint", "complaint_id": c.ID}
	a, _ := openAs(t, "quality", b)
	require.Equal(t, improvement.SourceComplaint, a.Source.Kind)
	require.Equal(t, c.ID, a.Source.ComplaintID)
	var list ImprovementPage
	r := as(t, "auditor", http.MethodGet, improvementsPath+"?complaint_id="+c.ID, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, a.ID, list.Items[0].ID)
}

// ImprovementPage is a page of the list.
type ImprovementPage struct {
	Items      []improvement.Action `json:"items"`
	NextCursor string               `json:"next_cursor"`
}

func listAs(t *testing.T, user, query string) ImprovementPage {
	t.Helper()
	r := as(t, user, http.MethodGet, improvementsPath+query, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var p ImprovementPage
	r.json(t, &p)
	return p
}

func ids(p ImprovementPage) []string {
	var out []string
	for _, a := range p.Items {
		out = append(out, a.ID)
	}
	return out
}

func TestImprovementActionsListIsScopedFilteredAndPaged(t *testing.T) {
	due := time.Now().Add(20 * 24 * time.Hour)
	eng, _ := openAs(t, "market", actionBody("engineering", due))
	qa, _ := openAs(t, "market", actionBody("quality", due))

	mine := listAs(t, "engineer", "?limit=200")
	require.Contains(t, ids(mine), eng.ID)
	require.NotContains(t, ids(mine), qa.ID)
	for _, a := range mine.Items {
		require.Equal(t, "engineering", a.Department)
	}
	require.Empty(t, listAs(t, "engineer", "?department=quality").Items, "another department's are not listed")
	require.Empty(t, listAs(t, "clerk", "").Items, "customer service is not an owner department")
	for _, user := range []string{"auditor", "quality", "market", "gm"} {
		all := listAs(t, user, "?limit=200&status=plan&source=manual")
		require.Contains(t, ids(all), eng.ID, user)
		require.Contains(t, ids(all), qa.ID, user)
	}
	require.NotContains(t, ids(listAs(t, "auditor", "?limit=200&status=closed")), eng.ID)
	require.NotContains(t, ids(listAs(t, "auditor", "?limit=200&source=survey")), eng.ID)
	require.NotContains(t, ids(listAs(t, "auditor", "?limit=200&overdue=true")), eng.ID)
	for param, query := range map[string]string{
		"status": "?status=done", "source": "?source=rumour", "limit": "?limit=0",
		"cursor": "?cursor=bogus", "overdue": "?overdue=maybe", "complaint_id": "?complaint_id=TS-1",
	} {
		r := as(t, "auditor", http.MethodGet, improvementsPath+query, nil)
		require.Equal(t, http.StatusBadRequest, r.status, "%s: %s", param, r.body)
		require.Equal(t, param, r.field(t, "field"))
	}

	// Pages: every action of a department exactly once.
	dept := "imp-" + uuid.NewString()[:8]
	r := api(t, http.MethodPut, "/api/v1/departments/"+dept, map[string]any{"name": "改进测试部", "kind": "hq"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var want []string
	for range 5 {
		a, _ := openAs(t, "quality", actionBody(dept, due))
		want = append(want, a.ID)
	}
	var seen []string
	cursor := ""
	for range 5 {
		q := "?department=" + dept + "&limit=2"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		p := listAs(t, "auditor", q)
		seen = append(seen, ids(p)...)
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	require.ElementsMatch(t, want, seen)
}

func TestImprovementOpenIsIdempotentByBusinessKey(t *testing.T) {
	body := actionBody("engineering", time.Now().Add(15*24*time.Hour).Truncate(time.Second))
	key := "imp-" + uuid.NewString()
	first, _ := openAs(t, "market", body, "Idempotency-Key", key)
	again, r := openAs(t, "market", body, "Idempotency-Key", key)
	require.Equal(t, first.ID, again.ID)
	require.Equal(t, "true", r.header.Get("Idempotent-Replayed"))
	require.Equal(t, improvement.IDFor(key), first.ID)

	other := actionBody("engineering", time.Now().Add(15*24*time.Hour))
	other["title"] = "另一件事"
	r = call(t, stack.api.URL, http.MethodPost, improvementsPath, other, "Authorization", "Bearer "+tokenOf(t, "market"), "Idempotency-Key", key)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	require.Equal(t, "Idempotency-Key", r.field(t, "field"))

	// Concurrent retries of one request open one action.
	key2 := "imp-" + uuid.NewString()
	var wg sync.WaitGroup
	got := make([]string, 6)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := call(t, stack.api.URL, http.MethodPost, improvementsPath, body, "Authorization", "Bearer "+tokenOf(t, "market"), "Idempotency-Key", key2)
			if assert.Equal(t, http.StatusCreated, r.status, "%s", r.body) {
				got[i], _ = r.field(t, "id").(string)
			}
		}()
	}
	wg.Wait()
	for _, id := range got {
		require.Equal(t, got[0], id)
	}
	requireOneAction(t, key2, got[0])
}

// requireOneAction checks the read model holds the key's action once, opened once.
func requireOneAction(t *testing.T, key, id string) {
	t.Helper()
	ctx := context.Background()
	var n int
	require.NoError(t, stack.pool.QueryRow(ctx, `SELECT count(*) FROM improvement_actions WHERE business_key = $1`, key).Scan(&n))
	require.Equal(t, 1, n)
	require.NoError(t, stack.pool.QueryRow(ctx,
		`SELECT count(*) FROM improvement_events WHERE action_id = $1 AND action = 'opened'`, id).Scan(&n))
	require.Equal(t, 1, n, "opened once")
}

// The survey cycle opens actions through the OpenImprovementAction activity:
// run it as an activity, on a worker of its own task queue, and open the same
// cycle's dimension for the same department again and again.
func TestOpenImprovementActionActivityOpensOrJoins(t *testing.T) {
	// The SDK's activity test environment runs activities on this task queue,
	// and an action opens on the queue of the activity that opens it.
	const queue = "default-test-taskqueue"
	acts := &activities.Activities{Store: store.New(stack.pool), Temporal: stack.client, Policy: complaint.DefaultPolicy(), Location: stack.cfg.Location}
	w := worker.New(stack.client, queue, acts)
	require.NoError(t, w.Start())
	defer w.Stop()

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	cycle := "cycle-" + uuid.NewString()[:8]
	key := improvement.SurveyKey(cycle, "after_sales", "engineering")
	due := time.Now().Add(30 * 24 * time.Hour)
	open := improvement.Open{
		OpenInput: improvement.OpenInput{
			Title: "售后服务 不满意 (3)", Description: "三份答卷对售后服务不满意。", Department: "engineering", DueAt: &due,
			Source: improvement.Source{Kind: improvement.SourceSurvey, CycleID: cycle, Dimension: "after_sales"}, Refs: 3,
		},
		BusinessKey: key,
	}
	openByActivity := func() string {
		v, err := env.ExecuteActivity(acts.OpenImprovementAction, open)
		require.NoError(t, err)
		var id string
		require.NoError(t, v.Get(&id))
		return id
	}
	id := openByActivity()
	require.Equal(t, improvement.IDFor(key), id)
	require.Equal(t, id, openByActivity(), "opening again joins the action")

	// Concurrent opens, as retries of the cycle's activity might be, join it too.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := activities.OpenImprovement(context.Background(), stack.client, queue, improvement.StartFor(open))
			if assert.NoError(t, err) {
				assert.Equal(t, id, r.ID)
			}
		}()
	}
	wg.Wait()
	requireOneAction(t, key, id)

	a := readAs(t, "engineer", id)
	require.Equal(t, improvement.SourceSurvey, a.Source.Kind)
	require.Equal(t, cycle, a.Source.CycleID)
	require.Equal(t, 3, a.Refs)
	require.Equal(t, complaint.SystemActor.ID, a.OpenedBy.ID, "opened by cxflow for the cycle")
	require.Contains(t, ids(listAs(t, "auditor", "?source=survey&cycle_id="+cycle)), id)

	// Closed, it is still the action the key names: joined, never reopened.
	actAs(t, "engineer", id, "plan", map[string]any{"plan": "售后回访制度化"})
	actAs(t, "engineer", id, "completion", map[string]any{"result": "已执行"})
	actAs(t, "market", id, "verification", map[string]any{"effective": true})
	require.Equal(t, id, openByActivity())
	require.Equal(t, improvement.StepClosed, readAs(t, "auditor", id).Status)
	requireOneAction(t, key, id)

	// Outside an activity the method says what to call instead.
	_, err := acts.OpenImprovementAction(context.Background(), open)
	require.ErrorContains(t, err, "activities.OpenImprovement")
}

func TestOverdueImprovementStepEscalates(t *testing.T) {
	// The plan promises completion in a few seconds: completion is due then
	// and rises to the department head at once.
	a, _ := openAs(t, "market", actionBody("engineering", time.Now().Add(24*time.Hour)))
	due := time.Now().Add(3 * time.Second).UTC().Truncate(time.Microsecond)
	actAs(t, "engineer", a.ID, "plan", map[string]any{"plan": "马上整改", "due_at": due.Format(time.RFC3339Nano)})
	require.Eventually(t, func() bool {
		return readAs(t, "auditor", a.ID).EscalationLevel == complaint.LevelDepartmentHead
	}, 20*time.Second, 100*time.Millisecond)
	got := readAs(t, "head", a.ID)
	require.True(t, got.Overdue)
	require.Len(t, got.Escalations, 1)
	e := got.Escalations[0]
	require.Equal(t, improvement.StepCompletion, e.Step)
	require.Equal(t, improvement.ReasonOverdue, e.Reason)
	require.Equal(t, []string{"department_head"}, e.Notify)
	require.True(t, due.Equal(e.DueAt), "due %s, escalated for %s", due, e.DueAt)
	require.Contains(t, ids(listAs(t, "auditor", "?overdue=true&limit=200")), a.ID)

	var notify []string
	require.NoError(t, stack.pool.QueryRow(context.Background(),
		`SELECT notify FROM improvement_escalations WHERE action_id = $1 AND seq = 1`, a.ID).Scan(&notify))
	require.Equal(t, []string{"department_head"}, notify)

	// The engineering department's head is told through the outbox.
	var recipient, link string
	require.Eventually(t, func() bool {
		return stack.pool.QueryRow(context.Background(), `SELECT recipient, link FROM notifications WHERE related = $1`,
			"improvement-action:"+a.ID).Scan(&recipient, &link) == nil
	}, 10*time.Second, 100*time.Millisecond)
	require.Equal(t, "department_head:engineering", recipient)
	require.True(t, strings.HasSuffix(link, "/improvements/"+a.ID), link)

	// Done now: the new step starts at its owner; the escalation stays on record.
	got = actAs(t, "engineer", a.ID, "completion", map[string]any{"result": "已整改"})
	require.Equal(t, complaint.LevelOwner, got.EscalationLevel)
	require.False(t, got.Overdue)
	require.Len(t, got.Escalations, 1)
	got = actAs(t, "quality", a.ID, "verification", map[string]any{"effective": true})
	require.Equal(t, improvement.StepClosed, got.Status)
	recordHistory(t, "improvement_escalated", improvement.WorkflowID(a.ID))
}

// runsOf lists the runs of a workflow that continued as new, first to latest.
func runsOf(t *testing.T, workflowID string) []string {
	t.Helper()
	ctx := context.Background()
	d, err := stack.client.DescribeWorkflowExecution(ctx, workflowID, "")
	require.NoError(t, err)
	runs := []string{d.GetWorkflowExecutionInfo().GetExecution().GetRunId()}
	for {
		iter := stack.client.GetWorkflowHistory(ctx, workflowID, runs[0], false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		require.True(t, iter.HasNext())
		first, err := iter.Next()
		require.NoError(t, err)
		prev := first.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		if prev == "" {
			return runs
		}
		runs = append([]string{prev}, runs...)
	}
}

// lastEvent is the type of the last event of one run of a workflow.
func lastEvent(t *testing.T, workflowID, runID string) enumspb.EventType {
	t.Helper()
	h, err := collectHistory(stack.client.GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT))
	require.NoError(t, err)
	require.NotEmpty(t, h.Events)
	return h.Events[len(h.Events)-1].GetEventType()
}

// An action whose history grows long continues as new between its steps: it
// is opened as the survey cycle opens one (update-with-start), with the test
// hook's threshold low, and driven through the API, which addresses it by
// workflow ID: steps and reads reach whichever run is current.
func TestImprovementActionContinuesAsNewThroughItsRounds(t *testing.T) {
	ctx := context.Background()
	due := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Microsecond)
	key := "it-continue-" + uuid.NewString()
	in := workflows.ImprovementInput{
		Start: improvement.StartFor(improvement.Open{
			OpenInput: improvement.OpenInput{
				Title: "售后响应慢", Description: "回访中多次反映售后响应慢。", Department: "engineering",
				DueAt: &due, Source: improvement.Source{Kind: improvement.SourceManual},
			},
			BusinessKey: key,
		}),
		ContinueAsNewAt: improvementContinueAt,
	}
	wid := improvement.WorkflowID(in.ID)
	op := stack.client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: wid, TaskQueue: taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.ImprovementWorkflow, in)
	uh, err := stack.client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: improvement.UpdateOpened, UpdateName: improvement.UpdateOpened, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	require.NoError(t, err)
	var opened improvement.Receipt
	require.NoError(t, uh.Get(ctx, &opened))
	require.Equal(t, in.ID, opened.ID)
	first, err := op.Get(ctx)
	require.NoError(t, err)

	steps := []struct {
		user, path string
		body       map[string]any
		status     improvement.Step
		round      int
		events     int
	}{
		{"engineer", "plan", map[string]any{"plan": "增设售后热线坐席"}, improvement.StepCompletion, 1, 2},
		{"engineer", "completion", map[string]any{"result": "已增设两名坐席"}, improvement.StepVerification, 1, 3},
		{"quality", "verification", map[string]any{"effective": false, "comment": "客户仍反映响应慢"}, improvement.StepPlan, 2, 5},
		{"head", "plan", map[string]any{"plan": "设立售后响应考核"}, improvement.StepCompletion, 2, 6},
		{"engineer", "completion", map[string]any{"result": "考核已执行"}, improvement.StepVerification, 2, 7},
		{"quality", "verification", map[string]any{"effective": true, "comment": "回访满意"}, improvement.StepClosed, 2, 9},
	}
	for i, s := range steps {
		got := actAs(t, s.user, in.ID, s.path, s.body)
		require.Equal(t, s.status, got.Status, "step %d (%s)", i+1, s.path)
		require.Equal(t, s.round, got.Round, "step %d (%s)", i+1, s.path)
		require.Equal(t, i+2, got.Version, "versions rise across runs: step %d (%s)", i+1, s.path)
		require.Len(t, got.Timeline, s.events, "step %d (%s)", i+1, s.path)
		t.Logf("after %s (round %d): %d events in run %d", s.path, s.round, historyEvents(t, wid), len(runsOf(t, wid)))
	}

	runs := runsOf(t, wid)
	require.Greater(t, len(runs), 1, "the action continued as new")
	require.Equal(t, first.GetRunID(), runs[0])
	for _, r := range runs[:len(runs)-1] {
		require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, lastEvent(t, wid, r))
	}

	// The auditor follows up: both rounds, every step, in order, once.
	final := readAs(t, "auditor", in.ID)
	var acts []string
	for i, e := range final.Timeline {
		require.Equal(t, i+1, e.Seq)
		acts = append(acts, e.Action)
	}
	require.Equal(t, []string{
		improvement.ActionOpened,
		improvement.ActionPlanned, improvement.ActionCompleted, improvement.ActionNotEffective, improvement.ActionNewRound,
		improvement.ActionPlanned, improvement.ActionCompleted, improvement.ActionEffective, improvement.ActionClosed,
	}, acts)
	require.Equal(t, 7, final.Version)

	// The last run answers the query with the whole timeline (the read model
	// keeps an actor's name and role, not the roles), and ends with the
	// action the read model holds.
	v, err := stack.client.QueryWorkflow(ctx, wid, "", workflows.QueryImprovement)
	require.NoError(t, err)
	var queried improvement.Action
	require.NoError(t, v.Get(&queried))
	require.Len(t, queried.Timeline, len(final.Timeline))
	for i, e := range queried.Timeline {
		stored := final.Timeline[i]
		require.Equal(t, []any{stored.Seq, stored.Action, stored.Round, stored.Actor.ID, normalised(t, stored.Detail)},
			[]any{e.Seq, e.Action, e.Round, e.Actor.ID, normalised(t, e.Detail)}, "event %d", i+1)
		require.True(t, stored.At.Equal(e.At), "event %d", i+1)
	}
	var result improvement.Action
	require.NoError(t, stack.client.GetWorkflow(ctx, wid, "").Get(ctx, &result))
	final.Timeline = nil
	require.Equal(t, normalised(t, result), normalised(t, final))

	recordRunHistory(t, "v1_improvement_continue_as_new", wid, runs[0])
	recordHistory(t, "v1_improvement_resumed", wid)
}
