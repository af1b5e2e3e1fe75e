package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/cxflow/cxflow/complaint"
)

func intake(loss float64) map[string]any {
	return map[string]any{
		"customer":       map[string]any{"name": "王伟", "organisation": "华东电气", "contact": "138 0000 0000"},
		"channel":        "phone",
		"category":       "service_product",
		"subject":        "变频器返修后仍故障",
		"description":    "第二次返修后一周内再次停机。",
		"request":        "更换新机",
		"estimated_loss": loss,
	}
}

// steps is a founded complaint's whole path after intake, for a severity that
// needs only the department head's approval.
var steps = []struct {
	path string
	body map[string]any
	next complaint.Step
}{
	{"validation", map[string]any{"founded": true, "reason": "属实"}, complaint.StepAssignment},
	{"assignment", map[string]any{"department": "engineering", "handler": "李工"}, complaint.StepRootCause},
	{"root-cause", map[string]any{"cause": "批次电容失效", "cause_type": "mechanism", "responsible_person": "张三", "corrective_action": "更换电容批次", "preventive_action": "来料抽检"}, complaint.StepPlan},
	{"plan", map[string]any{"plan": "上门更换整机"}, complaint.StepApproval},
	{"approval", map[string]any{"approved": true, "comment": "同意", "level": "department_head"}, complaint.StepExecution},
	{"execution", map[string]any{"result": "已更换", "customer_notified": true}, complaint.StepCallback},
	{"callback", map[string]any{"satisfied": true, "comment": "满意"}, complaint.StepReview},
	{"review", map[string]any{"summary": "来料问题", "cause_type": "mechanism", "lessons": "加强来料检验"}, complaint.StepClosed},
}

func create(t *testing.T, body map[string]any, header ...string) complaint.Complaint {
	t.Helper()
	r := api(t, http.MethodPost, "/api/v1/complaints", body, header...)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	return c
}

func step(t *testing.T, id, path string, body any) complaint.Complaint {
	t.Helper()
	r := api(t, http.MethodPost, "/api/v1/complaints/"+id+"/"+path, body)
	require.Equal(t, http.StatusOK, r.status, "%s: %s", path, r.body)
	var c complaint.Complaint
	r.json(t, &c)
	return c
}

func get(t *testing.T, id string) complaint.Complaint {
	t.Helper()
	r := api(t, http.MethodGet, "/api/v1/complaints/"+id, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	return c
}

// normalised re-encodes a value through JSON, so values compare independently of
// key order (PostgreSQL's jsonb reorders keys).
func normalised(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestComplaintFromIntakeToClosed(t *testing.T) {
	c := create(t, intake(5_000))
	require.Regexp(t, `^TS-\d{4}-\d{6}$`, c.Number)
	require.Equal(t, complaint.StepValidation, c.Status)
	require.Equal(t, complaint.SeveritySlight, c.Severity)
	require.NotNil(t, c.DueAt)
	// 8 working hours from receipt to validate and answer, on the default calendar.
	require.Equal(t, "default", c.Calendar)
	require.Equal(t, dueOn(t, "default", c.ReceivedAt, "8h"), *c.DueAt)
	require.Equal(t, complaint.ClockWorking, c.Deadlines[0].Clock)
	require.Equal(t, []complaint.Level{complaint.LevelDepartmentHead}, c.ApprovalsRequired)

	var last complaint.Complaint
	for _, s := range steps {
		last = step(t, c.ID, s.path, s.body)
		require.Equal(t, s.next, last.Status, "after %s", s.path)
	}
	require.Equal(t, complaint.ResolutionResolved, last.Resolution)
	require.Equal(t, c.Number, last.Number)
	require.Len(t, last.Timeline, 10)

	// The read model holds exactly the complaint the workflow ended with.
	ctx := context.Background()
	var final complaint.Complaint
	require.NoError(t, stack.client.GetWorkflow(ctx, complaint.WorkflowID(c.ID), "").Get(ctx, &final))
	require.Equal(t, complaint.StepClosed, final.Status)
	got := get(t, c.ID)
	require.Len(t, got.Timeline, 10)
	got.Timeline, last.Timeline = nil, nil
	require.Equal(t, normalised(t, final), normalised(t, got))
	require.Equal(t, normalised(t, final), normalised(t, last))
	recordHistory(t, "lifecycle_resolved", complaint.WorkflowID(c.ID))
}

func TestNotFoundedClosesWithReply(t *testing.T) {
	c := create(t, intake(0))
	got := step(t, c.ID, "validation", map[string]any{"founded": false, "reason": "非我司产品", "reply": "经核实该设备非我司供货,特此书面答复。"})
	require.Equal(t, complaint.StepClosed, got.Status)
	require.Equal(t, complaint.ResolutionNotFounded, got.Resolution)
	require.Equal(t, "经核实该设备非我司供货,特此书面答复。", got.Validation.Reply)
	r := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/assignment", steps[1].body)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	require.Contains(t, r.field(t, "error"), "closed")
	recordHistory(t, "lifecycle_not_founded", complaint.WorkflowID(c.ID))
}

func TestRefusalAndUnsatisfiedCallbackGoBackToPlan(t *testing.T) {
	body := intake(600_000) // 重大: department head, market department, general manager
	body["branch"] = "branch-zhengzhou"
	c := create(t, body)
	require.Equal(t, complaint.SeverityMajor, c.Severity)
	require.Equal(t, []complaint.Level{complaint.LevelDepartmentHead, complaint.LevelMarketDepartment, complaint.LevelGeneralManager}, c.ApprovalsRequired)
	for _, s := range steps[:4] {
		step(t, c.ID, s.path, s.body)
	}
	approve := func(level string) map[string]any {
		return map[string]any{"approved": true, "comment": "同意", "level": level}
	}
	// Out of order: the general manager cannot approve before the department head.
	r := api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/approval", approve("general_manager"))
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	step(t, c.ID, "approval", approve("department_head"))
	r = api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/approval", approve("department_head"))
	require.Equal(t, http.StatusConflict, r.status, "already given: %s", r.body)
	got := step(t, c.ID, "approval", map[string]any{"approved": false, "comment": "赔偿不足", "level": "market_department"})
	require.Equal(t, complaint.StepPlan, got.Status)
	require.Empty(t, got.Approvals)

	step(t, c.ID, "plan", map[string]any{"plan": "更换整机并补偿", "due_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339)})
	for _, l := range []string{"department_head", "market_department", "general_manager"} {
		got = step(t, c.ID, "approval", approve(l))
	}
	require.Equal(t, complaint.StepExecution, got.Status)
	require.Len(t, got.Approvals, 3)
	step(t, c.ID, "execution", steps[5].body)
	got = step(t, c.ID, "callback", map[string]any{"satisfied": false, "comment": "仍有异响"})
	require.Equal(t, complaint.StepPlan, got.Status)
	require.Equal(t, 1, got.ReopenCount)
	require.Equal(t, complaint.LevelDepartmentHead, got.EscalationLevel)

	var esc int
	require.NoError(t, stack.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM complaint_escalations WHERE complaint_id = $1 AND reason = 'reopened'`, c.ID).Scan(&esc))
	require.Equal(t, 1, esc)
	recordHistory(t, "lifecycle_reopened", complaint.WorkflowID(c.ID))
}

func TestIdempotentCreate(t *testing.T) {
	key := "idem-" + uuid.NewString()
	a := create(t, intake(1_000), "Idempotency-Key", key)
	b := api(t, http.MethodPost, "/api/v1/complaints", intake(1_000), "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, b.status)
	require.Equal(t, "true", b.header.Get("Idempotent-Replayed"))
	require.Equal(t, a.ID, b.field(t, "id"))
	require.Equal(t, a.Number, b.field(t, "number"))

	// The same key with another complaint is a client mistake, not a second complaint.
	r := api(t, http.MethodPost, "/api/v1/complaints", intake(2_000), "Idempotency-Key", key)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	require.Equal(t, "Idempotency-Key", r.field(t, "field"))

	// Concurrent retries of one request create one complaint.
	key2 := "idem-" + uuid.NewString()
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := api(t, http.MethodPost, "/api/v1/complaints", intake(3_000), "Idempotency-Key", key2)
			if assert.Equal(t, http.StatusCreated, r.status, "%s", r.body) {
				ids[i], _ = r.field(t, "id").(string)
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		require.Equal(t, ids[0], id)
	}
	var n int
	require.NoError(t, stack.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM complaints WHERE idempotency_key = $1`, key2).Scan(&n))
	require.Equal(t, 1, n)
	require.NoError(t, stack.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM complaint_numbers WHERE complaint_id = $1`, ids[0]).Scan(&n))
	require.Equal(t, 1, n, "one number per complaint")
}

func TestConcurrentApprovalsExactlyOneWins(t *testing.T) {
	c := create(t, intake(5_000))
	for _, s := range steps[:4] {
		step(t, c.ID, s.path, s.body)
	}
	const n = 6
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = api(t, http.MethodPost, "/api/v1/complaints/"+c.ID+"/approval", steps[4].body).status
		}()
	}
	close(start)
	wg.Wait()
	var ok, conflict int
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflict++
		}
	}
	require.Equal(t, 1, ok, "statuses: %v", statuses)
	require.Equal(t, n-1, conflict, "statuses: %v", statuses)
	got := get(t, c.ID)
	require.Len(t, got.Approvals, 1)
	require.Equal(t, complaint.StepExecution, got.Status)

	// The losers left nothing in the history: one accepted update per successful step.
	accepted := 0
	iter := stack.client.GetWorkflowHistory(context.Background(), complaint.WorkflowID(c.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		require.NoError(t, err)
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED {
			accepted++
		}
	}
	require.Equal(t, 1+5, accepted, "intake + validation, assignment, root cause, plan, one approval")
}

func TestOverdueComplaintEscalatesAndIsListed(t *testing.T) {
	body := intake(5_000)
	// Received 9 hours ago at a branch working around the clock: validation
	// was due an hour ago.
	body["branch"] = alwaysOpenBranch(t)
	body["received_at"] = time.Now().Add(-9 * time.Hour).Format(time.RFC3339)
	c := create(t, body)
	require.Eventually(t, func() bool {
		return get(t, c.ID).EscalationLevel == complaint.LevelDepartmentHead
	}, 15*time.Second, 100*time.Millisecond)
	got := get(t, c.ID)
	require.True(t, got.Overdue)
	require.Len(t, got.Escalations, 1)
	require.Equal(t, complaint.ReasonOverdue, got.Escalations[0].Reason)
	require.Equal(t, complaint.StepValidation, got.Escalations[0].Step)

	var list struct {
		Items []complaint.Complaint `json:"items"`
	}
	r := api(t, http.MethodGet, "/api/v1/complaints?overdue=true&status=validation&limit=200", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &list)
	found := false
	for _, it := range list.Items {
		require.True(t, it.Overdue)
		found = found || it.ID == c.ID
	}
	require.True(t, found, "the overdue complaint is listed")
	r = api(t, http.MethodGet, "/api/v1/complaints?sla_status=breached&limit=200", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &list)
	require.True(t, slices.ContainsFunc(list.Items, func(it complaint.Complaint) bool { return it.ID == c.ID }))
	r = api(t, http.MethodGet, "/api/v1/complaints?sla_status=on_track&limit=200", nil)
	r.json(t, &list)
	require.False(t, slices.ContainsFunc(list.Items, func(it complaint.Complaint) bool { return it.ID == c.ID }))

	// Done now: the escalation stays on record, the new step starts at its owner.
	got = step(t, c.ID, "validation", steps[0].body)
	require.Equal(t, complaint.LevelOwner, got.EscalationLevel)
	require.False(t, got.Overdue)
	recordHistory(t, "lifecycle_escalated", complaint.WorkflowID(c.ID))
}

func TestListFiltersAndPages(t *testing.T) {
	dept := "qa-" + uuid.NewString()[:8]
	r := api(t, http.MethodPut, "/api/v1/departments/"+dept, map[string]any{"name": "品质分部", "kind": "hq"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var ids []string
	for range 5 {
		c := create(t, intake(5_000))
		step(t, c.ID, "validation", steps[0].body)
		step(t, c.ID, "assignment", map[string]any{"department": dept, "handler": "赵"})
		ids = append(ids, c.ID)
	}
	var seen []string
	cursor := ""
	for page := 0; page < 5; page++ {
		path := fmt.Sprintf("/api/v1/complaints?department=%s&limit=2", dept)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := api(t, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var list struct {
			Items      []complaint.Complaint `json:"items"`
			NextCursor string                `json:"next_cursor"`
		}
		r.json(t, &list)
		for _, it := range list.Items {
			require.Equal(t, dept, it.Department)
			require.Equal(t, complaint.StepRootCause, it.Status)
			seen = append(seen, it.ID)
		}
		cursor = list.NextCursor
		if cursor == "" {
			break
		}
	}
	require.ElementsMatch(t, ids, seen, "every complaint exactly once across pages")
}
