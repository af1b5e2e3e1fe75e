package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

const (
	maxIdempotencyKey = 200
	// DefaultUpdateTimeout bounds how long a request waits for the workflow
	// (CXFLOW_UPDATE_TIMEOUT); the handlers' work is a single database write.
	DefaultUpdateTimeout = 30 * time.Second
)

func (s *Server) createComplaint(c *gin.Context) {
	var in complaint.Intake
	if !bindJSON(c, &in, "received_at") {
		return
	}
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(c, s.updateTimeout)
	defer cancel()
	rec, err := s.app.RecordComplaint(ctx, actor(c), in, key)
	if err != nil {
		s.fail(c, "record the complaint", err)
		return
	}
	c.Set(auditTargetKey, rec.Complaint.ID)
	c.Set(auditWorkflowKey, complaint.WorkflowID(rec.Complaint.ID))
	s.respond(c, http.StatusCreated, rec.Complaint, rec.Replayed)
}

// respond answers with a complaint an operation returned (its figures as
// of now).
func (s *Server) respond(c *gin.Context, status int, v complaint.Complaint, replayed bool) {
	if replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	if status == http.StatusCreated {
		c.Header("Location", "/api/v1/complaints/"+v.ID)
	}
	c.JSON(status, v)
}

// pathID reads the path's ID; anything that is not a UUID names no record:
// 404 with notFound (a format with the value for %s).
func pathID(c *gin.Context, notFound string) (string, bool) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		abort(c, http.StatusNotFound, fmt.Sprintf(notFound, c.Param("id")), "")
		return "", false
	}
	return id.String(), true
}

func complaintID(c *gin.Context) (string, bool) {
	return pathID(c, "complaint not found: %s is not a complaint ID")
}

func (s *Server) getComplaint(c *gin.Context) {
	id, ok := complaintID(c)
	if !ok {
		return
	}
	cm, err := s.app.Complaint(c, actor(c), id)
	if err != nil {
		s.fail(c, "read the complaint", err)
		return
	}
	s.respond(c, http.StatusOK, cm, false)
}

// ComplaintList is one page of complaints.
type ComplaintList struct {
	Items      []complaint.Complaint `json:"items"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

const (
	defaultPageSize = 50
	maxPageSize     = 200
	// maxSearch bounds the list's search text.
	maxSearch = 100
)

func (s *Server) listComplaints(c *gin.Context) {
	f := app.ComplaintFilter{Department: c.Query("department"), Cursor: c.Query("cursor"),
		Status: complaint.Step(c.Query("status")), SLAStatus: complaint.SLAStatus(c.Query("sla_status")),
		Search: strings.TrimSpace(c.Query("q"))}
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
		if err != nil || n < 1 {
			abort(c, http.StatusBadRequest, "limit must be a whole number from 1 to 200", "limit")
			return
		}
		f.Limit = n
	}
	page, err := s.app.Complaints(c, actor(c), f)
	if err != nil {
		s.fail(c, "list complaints", err)
		return
	}
	c.JSON(http.StatusOK, ComplaintList{Items: page.Items, NextCursor: page.Next})
}

// stepRoute is one POST per human step: its body's type and who may submit
// it, which complaint.Authorize decides per case (the roles say who can ever
// be allowed; the permission table has no rule for steps).
type stepRoute struct {
	path   string
	step   complaint.Step
	input  any
	handle func(s *Server) gin.HandlerFunc
	access access
}

var complaintSteps = []stepRoute{
	{"validation", complaint.StepValidation, complaint.ValidationInput{}, stepHandler[complaint.ValidationInput](complaint.StepValidation, ""), marketAccess},
	{"assignment", complaint.StepAssignment, complaint.AssignmentInput{}, stepHandler[complaint.AssignmentInput](complaint.StepAssignment, ""), marketAccess},
	{"root-cause", complaint.StepRootCause, complaint.RootCauseInput{}, stepHandler[complaint.RootCauseInput](complaint.StepRootCause, ""), departmentAccess},
	{"plan", complaint.StepPlan, complaint.PlanInput{}, stepHandler[complaint.PlanInput](complaint.StepPlan, "due_at"), departmentAccess},
	{"approval", complaint.StepApproval, complaint.ApprovalInput{}, stepHandler[complaint.ApprovalInput](complaint.StepApproval, ""),
		access{roles: []org.Role{org.RoleMarketDepartment, org.RoleDepartmentHead, org.RoleGeneralManager},
			who: "each level by its own: department_head by the head of the responsible department, market_department by the market department, general_manager by the general manager"}},
	{"execution", complaint.StepExecution, complaint.ExecutionInput{}, stepHandler[complaint.ExecutionInput](complaint.StepExecution, ""), departmentAccess},
	{"callback", complaint.StepCallback, complaint.CallbackInput{}, stepHandler[complaint.CallbackInput](complaint.StepCallback, ""),
		access{roles: []org.Role{org.RoleIntakeClerk},
			who: "customer service; the customer answers through their link instead (POST /public/callback/{token})"}},
	{"review", complaint.StepReview, complaint.ReviewInput{}, stepHandler[complaint.ReviewInput](complaint.StepReview, ""), marketAccess},
}

type stepInput interface{ Validate() error }

// stepHandler sends one step to the complaint's workflow as an Update and
// answers with the updated complaint.
func stepHandler[T stepInput](step complaint.Step, timeField string) func(s *Server) gin.HandlerFunc {
	return updateHandler[T](string(step), timeField)
}

// updateHandler binds T, checks it for a quick 400 (the workflow's validator
// checks it again together with the state and the caller's permission) and
// sends it as the named Update.
func updateHandler[T stepInput](update, timeField string) func(s *Server) gin.HandlerFunc {
	return func(s *Server) gin.HandlerFunc {
		return func(c *gin.Context) {
			id, ok := complaintID(c)
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
			s.sendUpdate(c, id, update, complaint.Submission[T]{Actor: actor(c), Input: in})
		}
	}
}
