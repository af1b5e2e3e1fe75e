package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// idempotencyNamespace derives complaint IDs from Idempotency-Keys: the same key
// always names the same complaint, so a retried create finds its workflow.
var idempotencyNamespace = uuid.MustParse("5b0c7c52-8c1e-4d8e-9a52-6f1f7e3c2a10")

const (
	maxIdempotencyKey = 200
	// DefaultUpdateTimeout bounds how long a request waits for the workflow
	// (CXFLOW_UPDATE_TIMEOUT); the handlers' work is a single database write.
	DefaultUpdateTimeout = 30 * time.Second
)

func (s *Server) createComplaint(c *gin.Context) {
	now := s.now()
	var in complaint.Intake
	if !bindJSON(c, &in, "received_at") {
		return
	}
	if err := in.Validate(now); err != nil {
		fieldError(c, err)
		return
	}
	who := actor(c)
	if in.Branch != "" {
		if _, ok := s.branch(c, in.Branch); !ok {
			return
		}
	}
	draft := complaint.Complaint{Branch: in.Branch}
	if err := complaint.Authorize(who, &draft, complaint.ActRecord, ""); err != nil {
		abort(c, http.StatusForbidden, err.Error(), "")
		return
	}
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	// The hash of the decoded intake, not of the raw bytes: the same complaint
	// sent with other spacing is the same request.
	canonical, _ := json.Marshal(in)
	sum := sha256.Sum256(canonical)
	hash := hex.EncodeToString(sum[:])

	id := uuid.New()
	if key != "" {
		id = uuid.NewSHA1(idempotencyNamespace, []byte(key))
		// A row not yet confirmed may be a write its workflow never
		// committed: then the create below settles it with Temporal.
		if done, err := s.store.GetComplaint(c, id.String()); err == nil && done.Confirmed {
			if done.RequestHash != hash {
				abort(c, http.StatusConflict, "Idempotency-Key was already used for a different complaint ("+done.Complaint.Number+")", "Idempotency-Key")
				return
			}
			if err := complaint.Authorize(who, &done.Complaint, complaint.ActRead, ""); err != nil {
				abort(c, http.StatusForbidden, err.Error(), "")
				return
			}
			s.respond(c, http.StatusCreated, done.Complaint, true)
			return
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.internal(c, "look up the Idempotency-Key", err)
			return
		}
	}

	received := now
	if in.ReceivedAt != nil {
		received = *in.ReceivedAt
	}
	// PostgreSQL keeps microseconds; so does everything else, so values round-trip.
	received = received.UTC().Truncate(time.Microsecond)
	in.ReceivedAt = &received
	start := complaint.Start{
		ID: id.String(), Intake: in, ReceivedAt: received, Actor: who,
		IdempotencyKey: key, RequestHash: hash,
	}

	ctx, cancel := context.WithTimeout(c, s.updateTimeout)
	defer cancel()
	c.Set(auditTargetKey, id.String())
	c.Set(auditWorkflowKey, complaint.WorkflowID(id.String()))
	op := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:        complaint.WorkflowID(start.ID),
		TaskQueue: s.taskQueue,
		// One workflow per complaint, ever: a concurrent duplicate create joins
		// the running one, and a closed complaint's ID is never reused.
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "投诉 complaint: " + in.Subject,
	}, workflows.ComplaintWorkflow, start)
	h, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			// A fixed update ID: Temporal answers a repeated intake from the first one.
			UpdateID:     workflows.UpdateIntake,
			UpdateName:   workflows.UpdateIntake,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var receipt workflows.Receipt
	if err == nil {
		err = h.Get(ctx, &receipt)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		// The complaint exists and is already closed: answer from the read model.
		done, gerr := s.store.GetComplaint(c, id.String())
		if gerr != nil {
			s.internal(c, "record the complaint", gerr)
			return
		}
		s.respond(c, http.StatusCreated, done.Complaint, true)
		return
	}
	if err != nil {
		s.workflowError(c, "record the complaint", err)
		return
	}
	s.app.ConfirmCreated(c, app.KindComplaint, id.String(), receipt.Version)
	s.respondStored(c, http.StatusCreated, id.String())
}

// respondStored answers with the complaint as the read model holds it. The
// workflow writes it before an update completes, so the read sees the change.
func (s *Server) respondStored(c *gin.Context, status int, id string) {
	st, err := s.store.GetComplaint(c, id)
	if err != nil {
		s.internal(c, "read the complaint back", err)
		return
	}
	s.respond(c, status, st.Complaint, false)
}

func (s *Server) respond(c *gin.Context, status int, v complaint.Complaint, replayed bool) {
	v.Refresh(s.now(), s.measureFor(c, v))
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
	if cm, ok := s.readable(c, id); ok {
		s.respond(c, http.StatusOK, cm, false)
	}
}

// readable loads a complaint the caller may read: 404 when there is none, 403
// when it is not theirs to see.
func (s *Server) readable(c *gin.Context, id string) (complaint.Complaint, bool) {
	st, err := s.store.GetComplaint(c, id)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "complaint not found", "")
		return complaint.Complaint{}, false
	}
	if err != nil {
		s.internal(c, "read the complaint", err)
		return complaint.Complaint{}, false
	}
	if err := complaint.Authorize(actor(c), &st.Complaint, complaint.ActRead, ""); err != nil {
		abort(c, http.StatusForbidden, err.Error(), "")
		return complaint.Complaint{}, false
	}
	return st.Complaint, true
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
	now := s.now()
	f := store.ListFilter{Limit: defaultPageSize, Now: now, Department: c.Query("department"), Cursor: c.Query("cursor")}
	if v := c.Query("status"); v != "" {
		f.Status = complaint.Step(v)
		if !f.Status.Valid() {
			abort(c, http.StatusBadRequest, "status must be one of validation, assignment, root_cause, plan, approval, execution, callback, review, closed", "status")
			return
		}
	}
	if v := c.Query("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			abort(c, http.StatusBadRequest, "overdue must be true or false", "overdue")
			return
		}
		f.Overdue = &b
	}
	if v := c.Query("sla_status"); v != "" {
		f.SLAStatus = complaint.SLAStatus(v)
		if f.SLAStatus != complaint.SLAOnTrack && f.SLAStatus != complaint.SLAAtRisk && f.SLAStatus != complaint.SLABreached {
			abort(c, http.StatusBadRequest, "sla_status must be on_track, at_risk or breached", "sla_status")
			return
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			abort(c, http.StatusBadRequest, "limit must be a whole number from 1 to 200", "limit")
			return
		}
		f.Limit = n
	}
	f.Search = strings.TrimSpace(c.Query("q"))
	if utf8.RuneCountInString(f.Search) > maxSearch {
		abort(c, http.StatusBadRequest, "q must be at most 100 characters", "q")
		return
	}
	if a := actor(c); !complaint.CanReadAll(a) {
		// Others see what their department or branch is involved in.
		f.Involving = a.Department
	}
	items, next, err := s.store.ListComplaints(c, f)
	if errors.Is(err, store.ErrBadCursor) {
		abort(c, http.StatusBadRequest, "cursor is not one this API returned", "cursor")
		return
	}
	if err != nil {
		s.internal(c, "list complaints", err)
		return
	}
	for i := range items {
		items[i].Refresh(now, s.measureFor(c, items[i]))
	}
	if items == nil {
		items = []complaint.Complaint{}
	}
	c.JSON(http.StatusOK, ComplaintList{Items: items, NextCursor: next})
}

// stepRoute is one POST per human step.
type stepRoute struct {
	path   string
	step   complaint.Step
	handle func(s *Server) gin.HandlerFunc
}

var complaintSteps = []stepRoute{
	{"validation", complaint.StepValidation, stepHandler[complaint.ValidationInput](complaint.StepValidation, "")},
	{"assignment", complaint.StepAssignment, stepHandler[complaint.AssignmentInput](complaint.StepAssignment, "")},
	{"root-cause", complaint.StepRootCause, stepHandler[complaint.RootCauseInput](complaint.StepRootCause, "")},
	{"plan", complaint.StepPlan, stepHandler[complaint.PlanInput](complaint.StepPlan, "due_at")},
	{"approval", complaint.StepApproval, stepHandler[complaint.ApprovalInput](complaint.StepApproval, "")},
	{"execution", complaint.StepExecution, stepHandler[complaint.ExecutionInput](complaint.StepExecution, "")},
	{"callback", complaint.StepCallback, stepHandler[complaint.CallbackInput](complaint.StepCallback, "")},
	{"review", complaint.StepReview, stepHandler[complaint.ReviewInput](complaint.StepReview, "")},
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
			if a, ok := any(in).(complaint.AssignmentInput); ok && !s.departmentExists(c, a.Department, "department") {
				return
			}
			s.sendUpdate(c, id, update, complaint.Submission[T]{Actor: actor(c), Input: in})
		}
	}
}

// stepError explains a failed step. A workflow that no longer runs is either a
// closed complaint (409) or no complaint at all (404).
func (s *Server) stepError(c *gin.Context, id string, step string, err error) {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		st, gerr := s.store.GetComplaint(c, id)
		if gerr == nil && st.Complaint.Status == complaint.StepClosed {
			abort(c, http.StatusConflict, "complaint "+st.Complaint.Number+" is closed ("+string(st.Complaint.Resolution)+"); no "+string(step)+" is possible", "")
			return
		}
		if gerr != nil && !errors.Is(gerr, store.ErrNotFound) {
			s.internal(c, "read the complaint", gerr)
			return
		}
	}
	s.workflowError(c, "submit "+string(step), err)
}

func (s *Server) departmentExists(c *gin.Context, id, field string) bool {
	_, err := s.store.Department(c, id)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusBadRequest, field+" must be the ID of a department (see GET /api/v1/departments)", field)
		return false
	}
	if err != nil {
		s.internal(c, "read the department", err)
		return false
	}
	return true
}
