package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// Improvement actions (改进计划 · 纠正预防措施): opened by hand here, or by a
// survey cycle through activities.OpenImprovementAction; each is a workflow
// (improvement:<id>) whose steps arrive as Updates, like a complaint's.

// openImprovement opens an action by hand. An Idempotency-Key is the action's
// business key: the same key opens the same action once, and a survey cycle's
// key (improvement.SurveyKey) joins the action the cycle opened.
func (s *Server) openImprovement(c *gin.Context) {
	var in improvement.OpenInput
	if !bindJSON(c, &in, "due_at") {
		return
	}
	if err := in.Validate(s.now()); err != nil {
		fieldError(c, err)
		return
	}
	who := actor(c)
	if err := improvement.Authorize(who, &improvement.Action{Department: in.Department}, improvement.ActOpen); err != nil {
		abort(c, http.StatusForbidden, err.Error(), "")
		return
	}
	if !s.departmentExists(c, in.Department, "department") {
		return
	}
	if in.Source.Kind == improvement.SourceComplaint {
		_, err := s.store.GetComplaint(c, in.Source.ComplaintID)
		if errors.Is(err, store.ErrNotFound) {
			abort(c, http.StatusBadRequest, "source.complaint_id: no complaint has this ID", "source.complaint_id")
			return
		}
		if err != nil {
			s.internal(c, "read the complaint", err)
			return
		}
	}
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	// PostgreSQL keeps microseconds; so does everything else, so values round-trip.
	due := in.DueAt.UTC().Truncate(time.Microsecond)
	in.DueAt = &due
	start := improvement.StartFor(improvement.Open{OpenInput: in, BusinessKey: key, OpenedBy: who})
	if key != "" {
		done, err := s.store.GetImprovement(c, start.ID)
		switch {
		case err == nil && !done.Confirmed:
			// Perhaps a write its workflow never committed: the open below
			// settles it with Temporal.
		case err == nil:
			if done.RequestHash != start.RequestHash {
				abort(c, http.StatusConflict, "Idempotency-Key already opened improvement action "+done.Action.ID+
					" ("+done.Action.Title+") with other content", "Idempotency-Key")
				return
			}
			if err := improvement.Authorize(who, &done.Action, improvement.ActRead); err != nil {
				abort(c, http.StatusForbidden, err.Error(), "")
				return
			}
			c.Header("Idempotent-Replayed", "true")
			s.respondImprovementAction(c, http.StatusCreated, done.Action)
			return
		case !errors.Is(err, store.ErrNotFound):
			s.internal(c, "look up the Idempotency-Key", err)
			return
		}
	}

	ctx, cancel := context.WithTimeout(c, s.updateTimeout)
	defer cancel()
	c.Set(auditTargetKey, start.ID)
	c.Set(auditWorkflowKey, improvement.WorkflowID(start.ID))
	receipt, err := activities.OpenImprovement(ctx, s.temporal, s.taskQueue, start)
	if err != nil {
		s.workflowError(c, "open the improvement action", err)
		return
	}
	s.app.ConfirmCreated(c, app.KindImprovement, start.ID, receipt.Version)
	s.respondImprovement(c, http.StatusCreated, start.ID)
}

// respondImprovement answers with the action as the read model holds it; the
// workflow writes it before an update completes, so the read sees the change.
func (s *Server) respondImprovement(c *gin.Context, status int, id string) {
	st, err := s.store.GetImprovement(c, id)
	if err != nil {
		s.internal(c, "read the improvement action back", err)
		return
	}
	s.respondImprovementAction(c, status, st.Action)
}

func (s *Server) respondImprovementAction(c *gin.Context, status int, a improvement.Action) {
	a.Refresh(s.now())
	if status == http.StatusCreated {
		c.Header("Location", "/api/v1/improvement-actions/"+a.ID)
	}
	c.JSON(status, a)
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
	st, err := s.store.GetImprovement(c, id)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "improvement action not found", "")
		return
	}
	if err != nil {
		s.internal(c, "read the improvement action", err)
		return
	}
	if err := improvement.Authorize(actor(c), &st.Action, improvement.ActRead); err != nil {
		abort(c, http.StatusForbidden, err.Error(), "")
		return
	}
	s.respondImprovementAction(c, http.StatusOK, st.Action)
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
	now := s.now()
	f := store.ImprovementFilter{
		Limit: defaultPageSize, Now: now, Department: c.Query("department"),
		CycleID: c.Query("cycle_id"), Cursor: c.Query("cursor"),
	}
	if v := c.Query("status"); v != "" {
		f.Status = improvement.Step(v)
		if !f.Status.Valid() {
			abort(c, http.StatusBadRequest, "status must be one of plan, completion, verification, closed", "status")
			return
		}
	}
	if v := c.Query("source"); v != "" {
		f.Source = improvement.SourceKind(v)
		if f.Source != improvement.SourceSurvey && f.Source != improvement.SourceComplaint && f.Source != improvement.SourceManual {
			abort(c, http.StatusBadRequest, "source must be one of survey, complaint, manual", "source")
			return
		}
	}
	if v := c.Query("complaint_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			abort(c, http.StatusBadRequest, "complaint_id must be a complaint ID", "complaint_id")
			return
		}
		f.ComplaintID = id.String()
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
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			abort(c, http.StatusBadRequest, "limit must be a whole number from 1 to 200", "limit")
			return
		}
		f.Limit = n
	}
	if a := actor(c); !improvement.CanReadAll(a) {
		// Others see their own department's actions, and only those.
		if !improvement.ReadsOwnDepartment(a) || (f.Department != "" && f.Department != a.Department) {
			c.JSON(http.StatusOK, ImprovementList{Items: []improvement.Action{}})
			return
		}
		f.Department = a.Department
	}
	items, next, err := s.store.ListImprovements(c, f)
	if errors.Is(err, store.ErrBadCursor) {
		abort(c, http.StatusBadRequest, "cursor is not one this API returned", "cursor")
		return
	}
	if err != nil {
		s.internal(c, "list improvement actions", err)
		return
	}
	for i := range items {
		items[i].Refresh(now)
	}
	if items == nil {
		items = []improvement.Action{}
	}
	c.JSON(http.StatusOK, ImprovementList{Items: items, NextCursor: next})
}

// improvementSteps are the POSTs of an action's human steps.
var improvementSteps = []struct {
	path   string
	handle func(s *Server) gin.HandlerFunc
}{
	{"plan", improvementStep[improvement.PlanInput](workflows.UpdateImprovementPlan, "due_at")},
	{"completion", improvementStep[improvement.CompletionInput](workflows.UpdateImprovementCompletion, "")},
	{"verification", improvementStep[improvement.VerificationInput](workflows.UpdateImprovementVerification, "")},
}

// improvementStep binds T, checks it for a quick 400 (the workflow's validator
// checks it again with the state and the caller's permission) and sends it to
// the action's workflow as the named Update.
func improvementStep[T stepInput](update, timeField string) func(s *Server) gin.HandlerFunc {
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
			if err := in.Validate(); err != nil {
				fieldError(c, err)
				return
			}
			s.sendImprovementUpdate(c, id, update, improvement.Submission[T]{Actor: actor(c), Input: in})
		}
	}
}

// sendImprovementUpdate delivers an Update to the action's workflow as a step
// (see submitStep) and answers with the action read back from the read model.
func (s *Server) sendImprovementUpdate(c *gin.Context, id, update string, arg any) {
	s.submitStep(c, app.KindImprovement, id, update, arg, func(c *gin.Context) { s.respondImprovement(c, http.StatusOK, id) })
}

// improvementError explains a failed step. A workflow that no longer runs is
// either a closed action (409) or no action at all (404).
func (s *Server) improvementError(c *gin.Context, id, step string, err error) {
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		s.workflowError(c, "submit the "+step, err)
		return
	}
	st, gerr := s.store.GetImprovement(c, id)
	switch {
	case gerr == nil && st.Action.Status == improvement.StepClosed:
		abort(c, http.StatusConflict, "improvement action "+id+" is closed ("+string(st.Action.Resolution)+"); no "+step+" is possible", "")
	case gerr == nil:
		s.internal(c, "reach the improvement action's workflow", err)
	case errors.Is(gerr, store.ErrNotFound):
		abort(c, http.StatusNotFound, "improvement action not found", "")
	default:
		s.internal(c, "read the improvement action", gerr)
	}
}
