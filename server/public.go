package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// LinkPurposeCallback marks links that let a customer answer the callback.
const LinkPurposeCallback = app.LinkPurposeCallback

// CallbackLink is a signed link customer service sends to the complainant.
type CallbackLink = app.CallbackLink

// createCallbackLink signs a link for the customer to answer the callback
// (app.MakeCallbackLink).
func (s *Server) createCallbackLink(c *gin.Context) {
	id, ok := complaintID(c)
	if !ok {
		return
	}
	link, err := s.app.MakeCallbackLink(c, actor(c), id)
	if err != nil {
		s.fail(c, "make the callback link", err)
		return
	}
	c.JSON(http.StatusCreated, link)
}

// PublicComplaint is what the customer sees through their link: no internal notes.
type PublicComplaint struct {
	Number    string         `json:"number"`
	Subject   string         `json:"subject"`
	Status    complaint.Step `json:"status" doc:"The step the complaint awaits."`
	Result    string         `json:"result,omitempty" doc:"What was done about the complaint (the execution's result), once reported."`
	Answered  bool           `json:"answered" doc:"Whether the callback is behind the complaint: the customer can answer only while it is not."`
	ExpiresAt time.Time      `json:"-"`
}

// linkComplaint resolves a customer link. Any fault — forged, expired, another
// purpose — is one 403, and nothing is recorded.
func (s *Server) linkComplaint(c *gin.Context) (complaint.Complaint, bool) {
	id, err := s.security.Links.Verify(c.Param("token"), LinkPurposeCallback, s.now())
	if err != nil {
		abort(c, http.StatusForbidden, "this link is not valid or has expired; please contact us", "")
		return complaint.Complaint{}, false
	}
	st, err := s.store.GetComplaint(c, id)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusForbidden, "this link is not valid or has expired; please contact us", "")
		return complaint.Complaint{}, false
	}
	if err != nil {
		s.internal(c, "read the complaint", err)
		return complaint.Complaint{}, false
	}
	return st.Complaint, true
}

func (s *Server) publicCallback(c *gin.Context) {
	cm, ok := s.linkComplaint(c)
	if !ok {
		return
	}
	pc := PublicComplaint{Number: cm.Number, Subject: cm.Subject, Status: cm.Status, Answered: cm.Status != complaint.StepCallback}
	if cm.Execution != nil {
		pc.Result = cm.Execution.Result
	}
	c.JSON(http.StatusOK, pc)
}

func (s *Server) publicCallbackAnswer(c *gin.Context) {
	cm, ok := s.linkComplaint(c)
	if !ok {
		return
	}
	var in complaint.CallbackInput
	if !bindJSON(c, &in, "") {
		return
	}
	if err := in.Validate(); err != nil {
		fieldError(c, err)
		return
	}
	s.sendUpdateAs(c, cm.ID, workflows.UpdateCallback,
		complaint.Submission[complaint.CallbackInput]{Actor: complaint.CustomerActor(cm.ID), Input: in},
		func(c *gin.Context, got complaint.Complaint) {
			c.JSON(http.StatusOK, PublicComplaint{Number: got.Number, Subject: got.Subject, Status: got.Status, Answered: true})
		})
}
