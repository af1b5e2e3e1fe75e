package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/improvement"
)

// Improvement actions (改进计划 · 纠正预防措施): the handlers bind the request,
// call the application's operation (app.OpenImprovement, Improvement,
// Improvements, TakeImprovementStep) and answer.

// openImprovement opens an action by hand. An Idempotency-Key is the action's
// business key: the same key opens the same action once, and a survey cycle's
// key (improvement.SurveyKey) joins the action the cycle opened.
func (s *Server) openImprovement(c *gin.Context) {
	var in improvement.OpenInput
	if !bindJSON(c, &in, "due_at") {
		return
	}
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(c, s.updateTimeout)
	defer cancel()
	opened, err := s.app.OpenImprovement(ctx, actor(c), in, key)
	if opened.ID != "" {
		c.Set(auditTargetKey, opened.ID)
		c.Set(auditWorkflowKey, improvement.WorkflowID(opened.ID))
	}
	if err != nil {
		s.fail(c, "open the improvement action", err)
		return
	}
	if opened.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.Header("Location", "/api/v1/improvement-actions/"+opened.Action.ID)
	c.JSON(http.StatusCreated, opened.Action)
}

// improvementID reads the path's ID; anything that is not a UUID names no action.
func improvementID(c *gin.Context) (string, bool) {
	return pathID(c, "improvement action not found: %s is not an improvement action ID")
}

func (s *Server) getImprovement(c *gin.Context) {
	id, ok := improvementID(c)
	if !ok {
		return
	}
	a, err := s.app.Improvement(c, actor(c), id)
	if err != nil {
		s.fail(c, "read the improvement action", err)
		return
	}
	c.JSON(http.StatusOK, a)
}

// ImprovementList is one page of improvement actions.
type ImprovementList struct {
	Items      []improvement.Action `json:"items"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

// listImprovements lists the actions the caller may read: all of them for the
// market and quality departments, auditors, the general manager and
// administrators; their own department's for its members and head.
func (s *Server) listImprovements(c *gin.Context) {
	f := app.ImprovementFilter{
		Status: improvement.Step(c.Query("status")), Source: improvement.SourceKind(c.Query("source")),
		Department: c.Query("department"), CycleID: c.Query("cycle_id"), ComplaintID: c.Query("complaint_id"),
		Limit: defaultPageSize, Cursor: c.Query("cursor"),
	}
	if v := c.Query("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			abort(c, http.StatusBadRequest, "overdue must be true or false", "overdue")
			return
		}
		f.Overdue = &b
	}
	if v := c.Query("limit"); v != "" {
		// Not a whole number: 0, which the operation refuses as out of range.
		f.Limit, _ = strconv.Atoi(v)
	}
	page, err := s.app.Improvements(c, actor(c), f)
	if err != nil {
		s.fail(c, "list improvement actions", err)
		return
	}
	c.JSON(http.StatusOK, ImprovementList{Items: page.Items, NextCursor: page.Next})
}

// improvementSteps are the POSTs of an action's human steps: the body each
// decodes, and who may take it, which improvement.Authorize decides per action.
var improvementSteps = []struct {
	path   string
	input  any
	handle func(s *Server) gin.HandlerFunc

	op               app.Op
	summary, details string
	access           access
}{
	{"plan", improvement.PlanInput{}, improvementStep[improvement.PlanInput](improvement.StepPlan, "due_at"),
		app.OpPlanImprovement, "Plan the improvement (制定改进计划)",
		"The owner department's plan for the current round; the action then awaits its completion.",
		access{roles: ownerDepartmentRoles, act: improvement.ActPlan, who: "members and the head of the action's owner department, or the branch head for a branch's action"}},
	{"completion", improvement.CompletionInput{}, improvementStep[improvement.CompletionInput](improvement.StepCompletion, ""),
		app.OpCompleteImprovement, "Report the improvement carried out (实施完成)",
		"Reports the plan carried out; the action then awaits verification by its verifiers.",
		access{roles: ownerDepartmentRoles, act: improvement.ActComplete, who: "members and the head of the action's owner department, or the branch head for a branch's action"}},
	{"verification", improvement.VerificationInput{}, improvementStep[improvement.VerificationInput](improvement.StepVerification, ""),
		app.OpVerifyImprovement, "Verify the improvement's effect (效果验证)",
		"Judges whether the action was effective: effective closes it; not effective starts a new round at its plan (PDCA).",
		access{roles: improvement.DefaultPolicy().Verifiers, act: improvement.ActVerify,
			who: "holders of one of the action's verifiers roles (" + describeRoles(improvement.DefaultPolicy().Verifiers) + " under the current policy), other than whoever reported the completion"}},
}

// improvementStep binds T, the input of step, and takes the step
// (app.TakeImprovementStep), answering with the action as the step left it.
func improvementStep[T app.ImprovementStepInput](step improvement.Step, timeField string) func(s *Server) gin.HandlerFunc {
	return func(s *Server) gin.HandlerFunc {
		return func(c *gin.Context) {
			id, ok := improvementID(c)
			if !ok {
				return
			}
			var in T
			if !bindJSON(c, &in, timeField) {
				return
			}
			key, ok := idempotencyKey(c)
			if !ok {
				return
			}
			ctx, cancel := context.WithTimeout(c, s.updateTimeout)
			defer cancel()
			c.Set(auditWorkflowKey, improvement.WorkflowID(id))
			done, err := s.app.TakeImprovementStep(ctx, actor(c), id, in, key)
			c.Set(auditUpdateKey, done.UpdateID)
			if err != nil {
				s.fail(c, "submit the "+string(step), err)
				return
			}
			if done.Replayed {
				c.Header("Idempotent-Replayed", "true")
			}
			c.JSON(http.StatusOK, done.Action)
		}
	}
}
