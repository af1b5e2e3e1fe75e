package console

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
)

// 我的待办: every step waiting for the user or their department — complaint
// steps and improvement-action steps alike — earliest deadline first.

// workItem is one line of 我的待办: a complaint's step or an improvement
// action's.
type workItem struct {
	C     complaint.Complaint
	A     *improvement.Action
	Level complaint.Level
	Due   string
	due   *time.Time
	// SLA is on_track, at_risk or breached.
	SLA complaint.SLAStatus
}

// workPageSize is how many steps one page of 我的待办 lists.
const workPageSize = 50

// workPage is 我的待办's summary and paging.
type workPage struct {
	Total, Breached, AtRisk int
	Page, Pages             int
}

// Prev and Next are the neighbouring page numbers, 0 when there is none.
func (w workPage) Prev() int {
	if w.Page > 1 {
		return w.Page - 1
	}
	return 0
}

func (w workPage) Next() int {
	if w.Page < w.Pages {
		return w.Page + 1
	}
	return 0
}

func (cs *Console) work(c *gin.Context) {
	u := user(c)
	list, err := cs.ops.Waiting(c, u.Actor, actionableSteps(u.Actor))
	if err != nil {
		cs.fail(c, err)
		return
	}
	p := cs.base(c, "work.title")
	for i := range list {
		if mayAct(u.Actor, &list[i]) {
			p.Items = append(p.Items, workItem{C: list[i], Level: nextLevel(&list[i]), Due: cs.fmtTime(list[i].DueAt),
				due: list[i].DueAt, SLA: list[i].SLAStatus})
		}
	}
	actions, r := cs.openActions(c)
	if r != nil {
		cs.refuse(c, r)
		return
	}
	for i := range actions {
		if mayActOn(u.Actor, &actions[i]) {
			x := &actions[i]
			sla := complaint.SLAOnTrack
			if x.Overdue {
				sla = complaint.SLABreached
			}
			p.Items = append(p.Items, workItem{A: x, Level: x.EscalationLevel, Due: cs.fmtTime(x.StepDueAt), due: x.StepDueAt, SLA: sla})
		}
	}
	slices.SortStableFunc(p.Items, func(a, b workItem) int {
		switch {
		case a.due == nil && b.due == nil:
			return 0
		case a.due == nil:
			return 1
		case b.due == nil:
			return -1
		}
		return a.due.Compare(*b.due)
	})
	w := workPage{Total: len(p.Items)}
	for _, it := range p.Items {
		switch it.SLA {
		case complaint.SLABreached:
			w.Breached++
		case complaint.SLAAtRisk:
			w.AtRisk++
		}
	}
	w.Pages = max(1, (w.Total+workPageSize-1)/workPageSize)
	w.Page, _ = strconv.Atoi(c.Query("page"))
	w.Page = min(max(w.Page, 1), w.Pages)
	p.Items = p.Items[(w.Page-1)*workPageSize : min(w.Page*workPageSize, w.Total)]
	p.Data = w
	cs.render(c, http.StatusOK, "work.html", p)
}

// actionableSteps are the steps the actor could take on some complaint, so
// 我的待办 reads only the complaints waiting at them (a department member's
// three steps, not every open complaint); mayAct then decides per complaint.
// The probe is a complaint of the actor's own department and branch, which
// every department- or branch-bound permission needs.
func actionableSteps(a complaint.Actor) []complaint.Step {
	probe := complaint.Complaint{Department: a.Department, Branch: a.Department}
	var out []complaint.Step
	for _, s := range complaint.ActionSteps {
		probe.Status = s
		levels := []complaint.Level{""}
		if s == complaint.StepApproval {
			levels = complaint.ApprovalLevels
		}
		for _, l := range levels {
			if complaint.Authorize(a, &probe, complaint.Action(s), l) == nil {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// openActions is every open improvement action the user may read, through
// GET /api/v1/improvement-actions (which keeps others' departments out).
func (cs *Console) openActions(c *gin.Context) ([]improvement.Action, *Refusal) {
	if !mayReadImprovements(user(c).Actor) {
		return nil, nil
	}
	var out []improvement.Action
	for _, st := range []improvement.Step{improvement.StepPlan, improvement.StepCompletion, improvement.StepVerification} {
		f := app.ImprovementFilter{Status: st, Limit: 200}
		for range 10 {
			page, err := cs.ops.Improvements(c, user(c).Actor, f)
			if r := refusalOf(err); r != nil {
				return nil, r
			}
			out = append(out, page.Items...)
			if page.Next == "" {
				break
			}
			f.Cursor = page.Next
		}
	}
	return out, nil
}
