package workflows

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/survey"
)

// SurveyCycleWorkflow runs one cycle of a survey programme (domain.md §3).
const (
	SurveyCycleWorkflow = "SurveyCycle"
	QuerySurveyCycle    = "cycle"
)

// CycleStart starts a cycle of a programme. Schedules start it with only the
// programme; an after-delivery follow-up names its customer.
type CycleStart struct {
	ProgrammeID string   `json:"programme_id"`
	CustomerIDs []string `json:"customer_ids,omitempty"`
	Reason      string   `json:"reason,omitempty"`
}

// cycleNamespace derives a cycle's ID from its workflow ID, so a scheduled
// run (whose workflow ID Temporal makes) and its records share one key.
var cycleNamespace = uuid.MustParse("b3b7e0f4-5a52-4b8a-9a0c-2f1a7c0e9d31")

// CycleID is the cycle a workflow ID runs.
func CycleID(workflowID string) string {
	return uuid.NewSHA1(cycleNamespace, []byte(workflowID)).String()
}

// CycleWorkflowID names a cycle started on demand.
func CycleWorkflowID(programmeID string, n uuid.UUID) string {
	return "survey-cycle:" + programmeID + ":" + n.String()
}

// CycleState is what the workflow knows of its cycle: counts only. Who was
// chosen, invited and answered stays in PostgreSQL, so the history is the same
// size for ten customers or ten thousand.
type CycleState struct {
	CycleID    string                  `json:"cycle_id"`
	Status     string                  `json:"status"`
	Population int                     `json:"population"`
	Chosen     int                     `json:"chosen"`
	Issued     int                     `json:"issued"`
	Returned   int                     `json:"returned"`
	OpenedAt   *time.Time              `json:"opened_at,omitempty"`
	ClosesAt   *time.Time              `json:"closes_at,omitempty"`
	Escalation complaint.Level         `json:"escalation,omitempty"`
	Result     *activities.CloseResult `json:"result,omitempty"`
	Actions    int                     `json:"actions"`
}

// SurveyCycle draws the sample, issues invitations, reminds those who have not
// answered on the programme's plan, escalates when the return rate will miss
// its target, closes the window, computes the statistics and opens improvement
// actions for dissatisfied answers.
func SurveyCycle(ctx workflow.Context, in CycleStart) (CycleState, error) {
	info := workflow.GetInfo(ctx)
	st := CycleState{CycleID: CycleID(info.WorkflowExecution.ID), Status: "drawing"}
	if err := workflow.SetQueryHandler(ctx, QuerySurveyCycle, func() (CycleState, error) { return st, nil }); err != nil {
		return st, err
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	seq := 0
	record := func(action string, detail map[string]any, escalation complaint.Level) error {
		seq++
		return workflow.ExecuteActivity(actx, acts.RecordCycleEvent, activities.CycleEvent{
			CycleID: st.CycleID, Seq: seq, At: now(ctx), Action: action, Detail: detail, Escalation: string(escalation),
		}).Get(ctx, nil)
	}

	var def survey.Definition
	if err := workflow.ExecuteActivity(actx, acts.StartCycle, activities.CycleRequest{
		CycleID: st.CycleID, WorkflowID: info.WorkflowExecution.ID, ProgrammeID: in.ProgrammeID,
	}).Get(ctx, &def); err != nil {
		return st, fmt.Errorf("start cycle: %w", err)
	}
	var sample activities.SampleResult
	if err := workflow.ExecuteActivity(actx, acts.DrawSample, activities.SampleRequest{
		CycleID: st.CycleID, CustomerIDs: in.CustomerIDs,
	}).Get(ctx, &sample); err != nil {
		return st, fmt.Errorf("draw sample: %w", err)
	}
	st.Population, st.Chosen = sample.Population, sample.Chosen
	if err := record("sampled", map[string]any{"population": sample.Population, "chosen": sample.Chosen, "reason": in.Reason}, ""); err != nil {
		return st, err
	}

	opened := now(ctx)
	closes := opened.Add(def.Run.Window.Std())
	st.OpenedAt, st.ClosesAt = &opened, &closes
	if err := workflow.ExecuteActivity(actx, acts.OpenCycle, activities.OpenRequest{
		CycleID: st.CycleID, Channel: def.Run.Channel, OpenedAt: opened, ClosesAt: closes,
	}).Get(ctx, &st.Issued); err != nil {
		return st, fmt.Errorf("issue invitations: %w", err)
	}
	st.Status = "open"
	var sent int
	if err := workflow.ExecuteActivity(actx, acts.NotifyInvitees, activities.NotifyRequest{CycleID: st.CycleID, ClosesAt: closes}).Get(ctx, &sent); err != nil {
		return st, fmt.Errorf("send invitations: %w", err)
	}
	if err := record("issued", map[string]any{"issued": st.Issued, "messages": sent, "closes_at": closes}, ""); err != nil {
		return st, err
	}

	// Reminders; at each, project the return rate to the close and escalate
	// once per reminder while it falls short: the owner department, then its head.
	ladder := []complaint.Level{complaint.LevelOwner, complaint.LevelDepartmentHead}
	for i, at := range def.Run.Reminders {
		if err := workflow.Sleep(ctx, opened.Add(at.Std()).Sub(workflow.Now(ctx))); err != nil {
			return st, err
		}
		var ret activities.Returns
		if err := workflow.ExecuteActivity(actx, acts.RemindUnanswered, activities.RemindRequest{
			CycleID: st.CycleID, N: i + 1, At: now(ctx),
		}).Get(ctx, &ret); err != nil {
			return st, fmt.Errorf("remind: %w", err)
		}
		st.Returned = ret.Returned
		if err := workflow.ExecuteActivity(actx, acts.NotifyInvitees, activities.NotifyRequest{CycleID: st.CycleID, N: i + 1, ClosesAt: closes}).Get(ctx, &sent); err != nil {
			return st, fmt.Errorf("send reminders: %w", err)
		}
		if err := record("reminded", map[string]any{"n": i + 1, "reminded": ret.Reminded, "messages": sent, "returned": ret.Returned}, ""); err != nil {
			return st, err
		}
		projected := projectReturn(ret, at.Std(), def.Run.Window.Std())
		if ret.Issued > 0 && projected < def.Programme.Targets.ReturnRate {
			level := ladder[min(i, len(ladder)-1)]
			if level.Rank() > st.Escalation.Rank() || st.Escalation == "" {
				st.Escalation = level
				if err := record("escalated", map[string]any{
					"level": level, "department": def.Run.OwnerDepartment, "projected_return_rate": projected,
					"target": def.Programme.Targets.ReturnRate,
				}, level); err != nil {
					return st, err
				}
			}
		}
	}

	if err := workflow.Sleep(ctx, closes.Sub(workflow.Now(ctx))); err != nil {
		return st, err
	}
	var res activities.CloseResult
	if err := workflow.ExecuteActivity(actx, acts.CloseSurveyCycle, activities.CloseCycleRequest{CycleID: st.CycleID, At: now(ctx)}).Get(ctx, &res); err != nil {
		return st, fmt.Errorf("close cycle: %w", err)
	}
	st.Status, st.Result, st.Returned = "closed", &res, res.Answers
	if err := workflow.ExecuteActivity(actx, acts.OpenCycleActions, st.CycleID).Get(ctx, &st.Actions); err != nil {
		return st, fmt.Errorf("open improvement actions: %w", err)
	}
	if err := record("closed", map[string]any{"answers": res.Answers, "dissatisfied": res.Dissatisfied, "actions": st.Actions}, ""); err != nil {
		return st, err
	}
	return st, nil
}

// projectReturn extrapolates the share answered so far to the close of the
// window, assuming answers keep coming at the same pace.
func projectReturn(r activities.Returns, elapsed, window time.Duration) float64 {
	if r.Issued == 0 || elapsed <= 0 {
		return 0
	}
	rate := float64(r.Returned) / float64(r.Issued)
	p := rate * float64(window) / float64(elapsed)
	if p > 1 {
		p = 1
	}
	return p
}
