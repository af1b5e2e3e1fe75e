package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
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
type PublicComplaint = app.PublicComplaint

// publicCallback shows the customer the complaint their link names (app.PublicCallback).
func (s *Server) publicCallback(c *gin.Context) {
	pc, err := s.app.PublicCallback(c, c.Param("token"))
	if err != nil {
		s.fail(c, "read the complaint", err)
		return
	}
	c.JSON(http.StatusOK, pc)
}

// publicCallbackAnswer takes the customer's answer (app.AnswerPublicCallback).
func (s *Server) publicCallbackAnswer(c *gin.Context) {
	var in complaint.CallbackInput
	if !bindJSON(c, &in, "") {
		return
	}
	key, ok := idempotencyKey(c)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(c, s.updateTimeout)
	defer cancel()
	done, err := s.app.AnswerPublicCallback(ctx, c.Param("token"), in, key)
	c.Set(auditWorkflowKey, done.WorkflowID)
	c.Set(auditUpdateKey, done.UpdateID)
	if err != nil {
		s.fail(c, "submit "+workflows.UpdateCallback, err)
		return
	}
	if done.Replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.JSON(http.StatusOK, done.Complaint)
}

// PublicStatus is a complaint as its customer follows it (app.PublicStatus).
type PublicStatus = app.PublicStatus

// publicStatus shows the customer where their complaint stands.
func (s *Server) publicStatus(c *gin.Context) {
	ps, err := s.app.PublicStatus(c, c.Param("token"))
	if err != nil {
		s.fail(c, "read the complaint", err)
		return
	}
	c.JSON(http.StatusOK, ps)
}
