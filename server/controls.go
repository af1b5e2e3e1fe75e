package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/workflows"
)

// controlRoute is an action on the current step's clock rather than a step;
// conflict says when it answers 409.
type controlRoute struct {
	path   string
	update string
	input  any
	handle func(s *Server) gin.HandlerFunc

	id, summary, description, conflict string
	access                             access
}

// clockRoles are whoever acts on the current step, or the market department.
var clockRoles = []org.Role{org.RoleIntakeClerk, org.RoleMarketDepartment, org.RoleBranchHead, org.RoleDepartmentMember, org.RoleDepartmentHead, org.RoleGeneralManager}

var complaintControls = []controlRoute{
	{"pause", workflows.UpdatePause, complaint.PauseInput{}, updateHandler[complaint.PauseInput](workflows.UpdatePause, ""),
		"pauseComplaint", "Pause the current step's clock (挂起)",
		"Stops the current step's SLA clock while it waits on the customer or a third party: the time paused does not count, and the complaint shows paused. The step keeps the SLA standing it had. Resume restarts the clock.",
		"The complaint is closed, still being recorded, or already paused.",
		access{roles: clockRoles, action: complaint.ActPause, who: "the market department, or whoever may act on the current step (as for that step's operation)"}},
	{"resume", workflows.UpdateResume, complaint.ResumeInput{}, updateHandler[complaint.ResumeInput](workflows.UpdateResume, ""),
		"resumeComplaint", "Resume the current step's clock",
		"Restarts a paused step's clock. The deadline and the warning point move on by the clock time that remained when the step was paused; a step breached before it was paused stays breached.",
		"The complaint is closed, still being recorded, or not paused.",
		access{roles: clockRoles, action: complaint.ActResume, who: "the market department, or whoever may act on the current step (as for that step's operation)"}},
	{"deadline", workflows.UpdateExtend, complaint.ExtensionInput{}, updateHandler[complaint.ExtensionInput](workflows.UpdateExtend, "due_at"),
		"extendDeadline", "Move the current step's deadline (延期)",
		"Sets the current step's due time, an extension approved by a department head; the deadline is marked extended. A due_at that is not in the future is a 400 naming due_at.",
		"The complaint is closed, still being recorded, or paused (resume it before moving its deadline).",
		access{roles: []org.Role{org.RoleDepartmentHead, org.RoleGeneralManager}, action: complaint.ActExtend, who: "the head of the responsible department, or the general manager"}},
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

// migratePolicy moves a running complaint to another stored policy version
// (app.MigratePolicy): by default a complaint keeps the policy it started under.
func (s *Server) migratePolicy(c *gin.Context) {
	id, ok := complaintID(c)
	if !ok {
		return
	}
	var in PolicyMigration
	if !bindJSON(c, &in, "") {
		return
	}
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(c, s.updateTimeout)
	defer cancel()
	c.Set(auditWorkflowKey, complaint.WorkflowID(id))
	done, err := s.app.MigratePolicy(ctx, actor(c), id, in.Version, key)
	c.Set(auditUpdateKey, done.UpdateID)
	if err != nil {
		s.fail(c, "submit "+workflows.UpdatePolicy, err)
		return
	}
	if done.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	s.respond(c, http.StatusOK, done.Complaint, false)
}

// PolicyList is every stored policy version, newest first.
type PolicyList struct {
	Items []app.StoredPolicy `json:"items"`
}

func (s *Server) listPolicies(c *gin.Context) {
	list, err := s.app.Policies(c)
	if err != nil {
		s.fail(c, "list policies", err)
		return
	}
	c.JSON(http.StatusOK, PolicyList{Items: list})
}

// activePolicy is the policy new complaints start under.
func (s *Server) activePolicy(c *gin.Context) {
	p, err := s.app.ActivePolicy(c)
	if err != nil {
		s.fail(c, "read the policy", err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// addPolicy stores a new policy version and activates it (app.AddPolicy).
// The body is a whole policy; fields it leaves out take the built-in defaults.
func (s *Server) addPolicy(c *gin.Context) {
	p := complaint.DefaultPolicy()
	p.Version = ""
	if !bindJSON(c, &p, "") {
		return
	}
	sp, err := s.app.AddPolicy(c, actor(c), p)
	if err != nil {
		s.fail(c, "store the policy", err)
		return
	}
	c.JSON(http.StatusCreated, sp)
}
