package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/workflows"
)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// intakeBody is intake(5_000) of integration/lifecycle_test.go: a "slight"
// complaint, whose plan needs only the department head's approval.
var intakeBody = mustJSON(map[string]any{
	"customer":       map[string]any{"name": "王伟", "organisation": "华东电气", "contact": "138 0000 0000"},
	"channel":        "phone",
	"category":       "service_product",
	"subject":        "变频器返修后仍故障",
	"description":    "第二次返修后一周内再次停机。",
	"request":        "更换新机",
	"estimated_loss": 5_000,
})

// stepDef is one step of the path: sent when the complaint's status names it.
type stepDef struct {
	step   complaint.Step // the status that waits for it, and the Update's name
	path   string         // POST /api/v1/complaints/{id}/<path>
	action string         // the timeline action it records
	body   []byte
}

// steps is the `steps` table of integration/lifecycle_test.go: a founded
// complaint's whole path after intake.
var steps = []stepDef{
	{complaint.StepValidation, "validation", complaint.ActionValidated, mustJSON(map[string]any{"founded": true, "reason": "属实"})},
	{complaint.StepAssignment, "assignment", complaint.ActionAssigned, mustJSON(map[string]any{"department": "engineering", "handler": "李工"})},
	{complaint.StepRootCause, "root-cause", complaint.ActionRootCause, mustJSON(map[string]any{"cause": "批次电容失效", "cause_type": "mechanism", "responsible_person": "张三", "corrective_action": "更换电容批次", "preventive_action": "来料抽检"})},
	{complaint.StepPlan, "plan", complaint.ActionPlanned, mustJSON(map[string]any{"plan": "上门更换整机"})},
	{complaint.StepApproval, "approval", complaint.ActionApproved, mustJSON(map[string]any{"approved": true, "comment": "同意", "level": "department_head"})},
	{complaint.StepExecution, "execution", complaint.ActionExecuted, mustJSON(map[string]any{"result": "已更换", "customer_notified": true})},
	{complaint.StepCallback, "callback", complaint.ActionSatisfied, mustJSON(map[string]any{"satisfied": true, "comment": "满意"})},
	{complaint.StepReview, "review", complaint.ActionReviewed, mustJSON(map[string]any{"summary": "来料问题", "cause_type": "mechanism", "lessons": "加强来料检验"})},
}

// pointsPerCase counts a case's progress: recorded, then each step.
const pointsPerCase = 1 + 8

// point is how far a status is along the path: 1 recorded (waiting for
// validation) … 9 closed; 0 unknown.
func point(s complaint.Step) int {
	if s == complaint.StepClosed {
		return pointsPerCase
	}
	for i, d := range steps {
		if d.step == s {
			return i + 1
		}
	}
	return 0
}

func stepFor(s complaint.Step) (stepDef, bool) {
	for _, d := range steps {
		if d.step == s {
			return d, true
		}
	}
	return stepDef{}, false
}

// Expected once each on a closed complaint: the timeline's actions and the
// workflow's accepted Updates (the intake Update at most once: see verify).
var (
	wantActions = func() []string {
		out := []string{complaint.ActionRecorded}
		for _, d := range steps {
			out = append(out, d.action)
		}
		return append(out, complaint.ActionClosed)
	}()
	wantUpdates = func() []string {
		out := []string{workflows.UpdateIntake}
		for _, d := range steps {
			out = append(out, string(d.step))
		}
		return out
	}()
)

// kase is one complaint the drill drives. Only its client touches it while
// the clients run.
type kase struct {
	n      int
	key    string // the create's Idempotency-Key
	id     string
	number string
	status complaint.Step
	// pending is a step sent without an answer (no connection, 5xx): it is
	// sent again unchanged, under the same Idempotency-Key.
	pending *stepDef
	closed  bool
	reached int
	last409 string // the last refusal, which names the step the workflow waits for
	problem string // the last unexpected answer
}

func (k *kase) name() string {
	if k.number != "" {
		return k.number
	}
	return fmt.Sprintf("#%d (not recorded)", k.n)
}

// view is what the drill reads of a complaint.
type view struct {
	ID       string         `json:"id"`
	Number   string         `json:"number"`
	Status   complaint.Step `json:"status"`
	Version  int            `json:"version"`
	Timeline []struct {
		Action string `json:"action"`
	} `json:"timeline"`
}

// progress counts the run's points (pointsPerCase per complaint) and closed
// complaints, for the killer and the progress lines.
type progress struct {
	points, closed atomic.Int64
}

func (p *progress) reach(k *kase, s complaint.Step) {
	k.status = s
	if pt := point(s); pt > k.reached {
		p.points.Add(int64(pt - k.reached))
		k.reached = pt
	}
	if s == complaint.StepClosed && !k.closed {
		k.closed = true
		p.closed.Add(1)
	}
}

// drive runs the clients: each takes every clients-th complaint and moves
// its complaints forward in turn, one request each, until all are closed or
// ctx ends. All complaints are in flight together, so a cut finds them at
// every step.
func drive(ctx context.Context, a *api, cases []*kase, clients int, p *progress) {
	var wg sync.WaitGroup
	for c := range clients {
		var mine []*kase
		for i := c; i < len(cases); i += clients {
			mine = append(mine, cases[i])
		}
		wg.Go(func() { runClient(ctx, a, mine, p) })
	}
	wg.Wait()
}

func runClient(ctx context.Context, a *api, cases []*kase, p *progress) {
	idle := 0
	for ctx.Err() == nil {
		open, moved := 0, false
		for _, k := range cases {
			if k.closed {
				continue
			}
			open++
			if advance(ctx, a, k, p) {
				moved = true
			}
			if ctx.Err() != nil {
				return
			}
		}
		if open == 0 {
			return
		}
		if moved {
			idle = 0
			continue
		}
		// Nothing moved (the stack is down, or only refusals): wait a little.
		_ = sleep(ctx, backoff(idle)+time.Duration(rand.IntN(100))*time.Millisecond)
		idle++
	}
}

// advance makes one move on a case: record it, or read it and send the step
// its status names, or send again a step that got no answer. It reports
// whether the case moved.
func advance(ctx context.Context, a *api, k *kase, p *progress) bool {
	if k.id == "" {
		r, err := a.do(ctx, http.MethodPost, "/api/v1/complaints", intakeBody, k.key)
		if err != nil || r.transient() {
			return false
		}
		var v view
		if r.status != http.StatusCreated || json.Unmarshal(r.body, &v) != nil || v.ID == "" {
			k.problem = fmt.Sprintf("record: %d %s", r.status, r.message())
			a.stats.sample("complaint #%d: %s", k.n, k.problem)
			return false
		}
		k.id, k.number = v.ID, v.Number
		p.reach(k, v.Status)
		return true
	}
	if k.pending == nil {
		r, err := a.do(ctx, http.MethodGet, "/api/v1/complaints/"+k.id, nil, "")
		if err != nil || r.transient() {
			return false
		}
		var v view
		if r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil {
			k.problem = fmt.Sprintf("read: %d %s", r.status, r.message())
			a.stats.sample("%s: %s", k.name(), k.problem)
			return false
		}
		p.reach(k, v.Status)
		if k.closed {
			return true
		}
		d, ok := stepFor(v.Status)
		if !ok {
			k.problem = fmt.Sprintf("read: status %q is no step of the path", v.Status)
			a.stats.sample("%s: %s", k.name(), k.problem)
			return false
		}
		k.pending = &d
	}
	d := k.pending
	// Stable per complaint and step: a retry never applies the step twice.
	key := k.id + ":" + string(d.step)
	r, err := a.do(ctx, http.MethodPost, "/api/v1/complaints/"+k.id+"/"+d.path, d.body, key)
	if err != nil || r.transient() {
		return false
	}
	k.pending = nil
	switch r.status {
	case http.StatusOK:
		var v view
		if err := json.Unmarshal(r.body, &v); err != nil {
			k.problem = fmt.Sprintf("%s: unreadable answer %s", d.path, snippet(r.body))
			return false
		}
		p.reach(k, v.Status)
		return true
	case http.StatusConflict:
		// Not the step the workflow waits for; the API repaired the read
		// model before answering: read it again and carry on from there.
		k.last409 = r.message()
		return false
	default:
		k.problem = fmt.Sprintf("%s: %d %s", d.path, r.status, r.message())
		a.stats.sample("%s: %s", k.name(), k.problem)
		return false
	}
}

// cutPoints picks when the cuts come: cut j when the clients have done a
// random share of the j-th of cuts equal parts of 85 % of the work, so every
// cut finds the clients mid-flight and the stack back and progressing.
func cutPoints(rng *rand.Rand, cuts, total int) []int64 {
	out := make([]int64, cuts)
	for j := range out {
		f := (float64(j) + 0.2 + 0.6*rng.Float64()) / float64(cuts) * 0.85
		out[j] = max(1, int64(f*float64(total)))
	}
	return out
}
