package activities

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
)

// CycleRequest names a cycle and the programme it runs.
type CycleRequest struct {
	CycleID     string `json:"cycle_id"`
	WorkflowID  string `json:"workflow_id"`
	ProgrammeID string `json:"programme_id"`
}

// StartCycle records the cycle with a snapshot of its programme: a cycle
// keeps the programme it started with.
func (a *Activities) StartCycle(ctx context.Context, req CycleRequest) (survey.Definition, error) {
	if c, err := a.Store.GetCycle(ctx, req.CycleID); err == nil {
		return c.Definition, nil
	}
	d, err := a.Store.Definition(ctx, req.ProgrammeID)
	if err != nil {
		return d, fmt.Errorf("start cycle of programme %s: %w", req.ProgrammeID, err)
	}
	return d, a.Store.CreateCycle(ctx, req.CycleID, req.WorkflowID, d)
}

// SampleRequest draws a cycle's sample: by the coverage rules, or exactly the
// listed customers (an after-delivery follow-up).
type SampleRequest struct {
	CycleID     string   `json:"cycle_id"`
	CustomerIDs []string `json:"customer_ids,omitempty"`
}

// SampleResult counts the draw; the rows stay in PostgreSQL.
type SampleResult struct {
	Population int `json:"population"`
	Chosen     int `json:"chosen"`
}

// DrawSample applies the coverage rules to every customer, seeded by the
// cycle, and records who was chosen and why.
func (a *Activities) DrawSample(ctx context.Context, req SampleRequest) (SampleResult, error) {
	c, err := a.Store.GetCycle(ctx, req.CycleID)
	if err != nil {
		return SampleResult{}, err
	}
	var sel []survey.Selection
	if len(req.CustomerIDs) > 0 {
		for _, id := range req.CustomerIDs {
			if _, err := a.Store.Customer(ctx, id); err != nil {
				return SampleResult{}, fmt.Errorf("follow-up customer %s: %w", id, err)
			}
			sel = append(sel, survey.Selection{CustomerID: id, Rule: "follow-up", Reason: "交付后回访: 指定客户", Chosen: true})
		}
	} else {
		customers, err := a.Store.Customers(ctx, "", 0)
		if err != nil {
			return SampleResult{}, err
		}
		// Customers outside the programme's population are not part of its cycles at all.
		customers = c.Definition.Programme.Population.Filter(customers)
		sel = survey.Sample(customers, c.Definition.Programme.Coverage, req.CycleID)
	}
	chosen, err := a.Store.SaveSelections(ctx, req.CycleID, sel)
	if err != nil {
		return SampleResult{}, err
	}
	return SampleResult{Population: len(sel), Chosen: chosen}, nil
}

// OpenRequest opens a cycle for answers.
type OpenRequest struct {
	CycleID  string         `json:"cycle_id"`
	Channel  survey.Channel `json:"channel"`
	OpenedAt time.Time      `json:"opened_at"`
	ClosesAt time.Time      `json:"closes_at"`
}

// OpenCycle issues the invitations (signed links are made from them when read)
// and returns how many went out.
func (a *Activities) OpenCycle(ctx context.Context, req OpenRequest) (int, error) {
	return a.Store.OpenCycle(ctx, req.CycleID, req.Channel, req.OpenedAt, req.ClosesAt)
}

// Returns counts a cycle's invitations and answers.
type Returns struct {
	Issued   int `json:"issued"`
	Returned int `json:"returned"`
	Reminded int `json:"reminded"`
}

// RemindRequest sends the n-th reminder.
type RemindRequest struct {
	CycleID string    `json:"cycle_id"`
	N       int       `json:"n"`
	At      time.Time `json:"at"`
}

// RemindUnanswered reminds those who have not answered and reports the returns.
func (a *Activities) RemindUnanswered(ctx context.Context, req RemindRequest) (Returns, error) {
	n, err := a.Store.Remind(ctx, req.CycleID, req.N, req.At)
	if err != nil {
		return Returns{}, err
	}
	issued, returned, err := a.Store.Returns(ctx, req.CycleID)
	return Returns{Issued: issued, Returned: returned, Reminded: n}, err
}

// CycleEvent is one line of a cycle's record.
type CycleEvent struct {
	CycleID    string         `json:"cycle_id"`
	Seq        int            `json:"seq"`
	At         time.Time      `json:"at"`
	Action     string         `json:"action"`
	Detail     map[string]any `json:"detail,omitempty"`
	Escalation string         `json:"escalation,omitempty"`
}

// RecordCycleEvent writes a line of the cycle's record; an escalation also
// sets the cycle's level and tells the owner department (or its head).
func (a *Activities) RecordCycleEvent(ctx context.Context, e CycleEvent) error {
	if e.Escalation != "" {
		if err := a.Store.SetCycleEscalation(ctx, e.CycleID, e.Escalation); err != nil {
			return err
		}
		dept, _ := e.Detail["department"].(string)
		recipient := escalationRecipient(e.Escalation, dept)
		if _, err := a.Store.Enqueue(ctx, []store.Notification{{
			Key: fmt.Sprintf("%s:escalation:%d", e.CycleID, e.Seq), Channel: "task", Recipient: recipient,
			Subject: "满意度调查回收率预计不达标", Related: "survey-cycle:" + e.CycleID,
			Body: fmt.Sprintf("按目前进度, 回收率预计为 %.0f%%, 目标为 %.0f%%。请督促回访。",
				100*toFloat(e.Detail["projected_return_rate"]), 100*toFloat(e.Detail["target"])),
		}}); err != nil {
			return err
		}
	}
	return a.Store.AddCycleEvent(ctx, e.CycleID, e.Seq, e.At, e.Action, e.Detail)
}

// CloseResult summarises a closed cycle.
type CloseResult struct {
	Answers      int      `json:"answers"`
	Dissatisfied int      `json:"dissatisfied"`
	ReturnRate   *float64 `json:"return_rate"`
	Index        *float64 `json:"index"`
}

// CloseCycleRequest closes a cycle.
type CloseCycleRequest struct {
	CycleID string    `json:"cycle_id"`
	At      time.Time `json:"at"`
}

// CloseSurveyCycle stops answers and computes and stores the statistics,
// against the previous cycle of the same programme.
func (a *Activities) CloseSurveyCycle(ctx context.Context, req CloseCycleRequest) (CloseResult, error) {
	c, err := a.Store.GetCycle(ctx, req.CycleID)
	if err != nil {
		return CloseResult{}, err
	}
	answers, err := a.Store.Answers(ctx, req.CycleID)
	if err != nil {
		return CloseResult{}, err
	}
	prev, err := a.Store.PreviousStats(ctx, c.ProgrammeID, c.ID)
	if err != nil {
		return CloseResult{}, err
	}
	st, err := survey.ComputeStats(survey.StatsInput{
		Questionnaire: c.Definition.Programme.Questionnaire, Targets: c.Definition.Programme.Targets,
		Population: c.Population, Issued: c.Issued, Answers: answers, Previous: prev,
	})
	if err != nil {
		return CloseResult{}, fmt.Errorf("statistics of cycle %s: %w", c.ID, err)
	}
	if err := a.Store.CloseCycle(ctx, c.ID, st, req.At); err != nil {
		return CloseResult{}, err
	}
	return CloseResult{Answers: st.Answers, Dissatisfied: len(st.Dissatisfied), ReturnRate: st.ReturnRate.Rate, Index: st.Index}, nil
}

// ActionGroup is the dissatisfied answers on one dimension, for its owner
// department: one improvement action answers them all (002 制度).
type ActionGroup struct {
	Department string
	Dimension  string
	Name       string
	Count      int
}

// GroupDissatisfied groups a cycle's dissatisfied ratings by owner department
// and dimension, in a stable order.
func GroupDissatisfied(st survey.Stats) []ActionGroup {
	idx := map[[2]string]int{}
	var out []ActionGroup
	for _, d := range st.Dissatisfied {
		k := [2]string{d.OwnerDepartment, d.Dimension}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ActionGroup{Department: d.OwnerDepartment, Dimension: d.Dimension, Name: d.DimensionName})
		}
		out[i].Count++
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Department != out[j].Department {
			return out[i].Department < out[j].Department
		}
		return out[i].Dimension < out[j].Dimension
	})
	return out
}

// OpenCycleActions opens (or joins) one improvement action per owner
// department and dimension with dissatisfied answers, due after the
// programme's action time. The business key makes a retry join the same
// actions rather than open new ones.
func (a *Activities) OpenCycleActions(ctx context.Context, cycleID string) (int, error) {
	c, err := a.Store.GetCycle(ctx, cycleID)
	if err != nil {
		return 0, err
	}
	if c.Stats == nil {
		return 0, nil
	}
	groups := GroupDissatisfied(*c.Stats)
	closed := time.Now()
	if c.ClosedAt != nil {
		closed = *c.ClosedAt
	}
	due := closed.Add(c.Definition.Run.ActionDue.Std())
	for _, g := range groups {
		_, err := a.OpenImprovementAction(ctx, improvement.Open{
			OpenInput: improvement.OpenInput{
				Title:       fmt.Sprintf("%s: %s 不满意 (%d)", c.Definition.Name, g.Name, g.Count),
				Description: fmt.Sprintf("满意度调查周期 %s 中, %d 份答卷对“%s”表示不满意或很不满意。请分析原因并制定改进计划。", cycleID, g.Count, g.Name),
				Department:  g.Department,
				DueAt:       &due,
				Source:      improvement.Source{Kind: improvement.SourceSurvey, CycleID: cycleID, Dimension: g.Dimension},
				Refs:        g.Count,
			},
			BusinessKey: improvement.SurveyKey(cycleID, g.Dimension, g.Department),
			OpenedBy:    complaint.SystemActor,
		})
		if err != nil {
			return 0, fmt.Errorf("open improvement action for %s/%s: %w", g.Department, g.Dimension, err)
		}
	}
	if err := a.Store.SetCycleActions(ctx, cycleID, len(groups)); err != nil {
		return 0, err
	}
	return len(groups), nil
}

func toFloat(v any) float64 {
	f, _ := v.(float64)
	return f
}
