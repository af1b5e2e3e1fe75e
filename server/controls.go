package server

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// controlRoute is an action on the current step's clock rather than a step.
type controlRoute struct {
	path   string
	update string
	input  any
	handle func(s *Server) gin.HandlerFunc
}

var complaintControls = []controlRoute{
	{"pause", workflows.UpdatePause, complaint.PauseInput{}, updateHandler[complaint.PauseInput](workflows.UpdatePause, "")},
	{"resume", workflows.UpdateResume, complaint.ResumeInput{}, updateHandler[complaint.ResumeInput](workflows.UpdateResume, "")},
	{"deadline", workflows.UpdateExtend, complaint.ExtensionInput{}, updateHandler[complaint.ExtensionInput](workflows.UpdateExtend, "due_at")},
}

// sendUpdate delivers an Update to the complaint's workflow and answers with
// the complaint as the step left it.
func (s *Server) sendUpdate(c *gin.Context, id, update string, arg any) {
	s.sendUpdateAs(c, id, update, arg, func(c *gin.Context, cm complaint.Complaint) { s.respond(c, http.StatusOK, cm, false) })
}

// sendUpdateAs delivers an Update as a step (app.TakeComplaintStep: with an
// Idempotency-Key a retry never applies it twice) and lets answer write the
// response. The update ID is recorded in the audit trail, where it finds the
// update in the workflow's history.
func (s *Server) sendUpdateAs(c *gin.Context, id, update string, arg any, answer func(c *gin.Context, cm complaint.Complaint)) {
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(c, s.updateTimeout)
	defer cancel()
	c.Set(auditWorkflowKey, complaint.WorkflowID(id))
	done, err := s.app.TakeComplaintStep(ctx, actor(c), id, update, arg, key)
	c.Set(auditUpdateKey, done.UpdateID)
	if err != nil {
		s.fail(c, "submit "+update, err)
		return
	}
	if done.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	answer(c, done.Complaint)
}

// PolicyMigration names the policy version a running complaint moves to.
type PolicyMigration struct {
	Version string `json:"version"`
}

// migratePolicy moves a running complaint to another stored policy version:
// by default a complaint keeps the policy it started under.
func (s *Server) migratePolicy(c *gin.Context) {
	id, ok := complaintID(c)
	if !ok {
		return
	}
	var in PolicyMigration
	if !bindJSON(c, &in, "") {
		return
	}
	if in.Version == "" {
		abort(c, http.StatusBadRequest, "version is required", "version")
		return
	}
	p, err := s.store.Policy(c, in.Version)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusBadRequest, "no stored policy has version "+in.Version, "version")
		return
	}
	if err != nil {
		s.internal(c, "read the policy", err)
		return
	}
	s.sendUpdate(c, id, workflows.UpdatePolicy, complaint.Submission[complaint.Policy]{Actor: actor(c), Input: p})
}

// PolicyList is every stored policy version, newest first.
type PolicyList struct {
	Items []store.StoredPolicy `json:"items"`
}

func (s *Server) listPolicies(c *gin.Context) {
	list, err := s.store.Policies(c)
	if err != nil {
		s.internal(c, "list policies", err)
		return
	}
	if list == nil {
		list = []store.StoredPolicy{}
	}
	c.JSON(http.StatusOK, PolicyList{Items: list})
}

// activePolicy is the policy new complaints start under.
func (s *Server) activePolicy(c *gin.Context) {
	p, err := s.store.ActivePolicy(c)
	if errors.Is(err, store.ErrNotFound) {
		c.JSON(http.StatusOK, s.policy)
		return
	}
	if err != nil {
		s.internal(c, "read the policy", err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// addPolicy stores a new policy version and activates it. The body is a whole
// policy; fields it leaves out take the built-in defaults.
func (s *Server) addPolicy(c *gin.Context) {
	p := complaint.DefaultPolicy()
	p.Version = ""
	if !bindJSON(c, &p, "") {
		return
	}
	if p.Version == "" {
		abort(c, http.StatusBadRequest, "version is required: name this policy version", "version")
		return
	}
	if err := p.Validate(); err != nil {
		abort(c, http.StatusBadRequest, err.Error(), policyErrorField(err.Error()))
		return
	}
	sp, err := s.store.AddPolicy(c, p, actor(c).ID)
	if errors.Is(err, store.ErrExists) {
		abort(c, http.StatusConflict, "policy version "+p.Version+" already exists; versions are immutable, give the new one another name", "version")
		return
	}
	if err != nil {
		s.internal(c, "store the policy", err)
		return
	}
	c.JSON(http.StatusCreated, sp)
}

// policyPath is a field path as the policy's validation errors begin:
// "sla[1]", "step_limits", "escalation[0]".
var policyPath = regexp.MustCompile(`^[a-z_]+(\[[0-9]+\])?(\.[a-z_]+(\[[0-9]+\])?)*$`)

// policyErrorField is the field a policy validation error names: the path
// before its first ": " (without a parenthesised note), or the subject of
// "x is required".
func policyErrorField(msg string) string {
	head, _, found := strings.Cut(msg, ": ")
	if !found {
		head, _, found = strings.Cut(msg, " is required")
		if !found {
			return ""
		}
	}
	head, _, _ = strings.Cut(head, " (")
	if policyPath.MatchString(head) {
		return head
	}
	return ""
}
