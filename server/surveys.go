package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/survey"
)

// Satisfaction surveys: the handlers bind the request, call the
// application's operation (app/surveys.go) and answer. The customers' links
// are verified here, where the link signer is; the operations take the
// invitation the link names.

// LinkPurposeSurvey marks links that open a survey invitation.
const LinkPurposeSurvey = app.LinkPurposeSurvey

// maxCSV bounds a customer import (about 50,000 rows).
const maxCSV = 16 << 20

// The bodies, as the operations take and answer them.
type (
	// ImportResult says what a CSV import did.
	ImportResult = app.ImportResult
	// ScheduleState is a programme's schedule as Temporal runs it.
	ScheduleState = app.ScheduleState
	// CycleRequest starts a cycle now.
	CycleRequest = app.CycleRequest
	// StartedCycle names a cycle just started.
	StartedCycle = app.StartedCycle
	// StaffAnswer is an answer taken by phone, on a visit or from a letter.
	StaffAnswer = app.StaffAnswer
	// PublicSurvey is what a customer sees through their invitation link.
	PublicSurvey = app.PublicSurvey
	// EarlierAnswer is an answer as the customer gave it, shown back to them.
	EarlierAnswer = app.EarlierAnswer
	// PublicAnswer is a customer's answer through their link.
	PublicAnswer = app.PublicAnswer
	// DeliveryStarted names the follow-up workflow of a delivery.
	DeliveryStarted = app.DeliveryStarted
)

func (s *Server) importCustomers(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxCSV)
	out, err := s.app.ImportCustomers(c, actor(c), c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		abort(c, http.StatusRequestEntityTooLarge, "the CSV file is larger than 16 MiB; split it", "")
		return
	}
	if err != nil {
		s.fail(c, "save the customers", err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// CustomerList is a page of customers by ID.
type CustomerList struct {
	Items []survey.Customer `json:"items"`
	// Next is the ID to pass as after= for the next page.
	Next string `json:"next,omitempty" doc:"Present when the page is full: pass it as after for the next page."`
}

func (s *Server) listCustomers(c *gin.Context) {
	limit := 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			abort(c, http.StatusBadRequest, "limit must be a whole number from 1 to 1000", "limit")
			return
		}
		limit = n
	}
	page, err := s.app.Customers(c, actor(c), c.Query("after"), limit)
	if err != nil {
		s.fail(c, "list customers", err)
		return
	}
	c.JSON(http.StatusOK, CustomerList{Items: page.Items, Next: page.Next})
}

// createProgramme defines a survey programme; fields left out take the
// domain defaults (coverage of 000, targets of 004, the default questionnaire).
func (s *Server) createProgramme(c *gin.Context) {
	d := app.NewProgramme()
	if !bindJSON(c, &d, "") {
		return
	}
	saved, err := s.app.CreateProgramme(c, actor(c), d)
	if err != nil {
		s.fail(c, "save the programme", err)
		return
	}
	c.JSON(http.StatusCreated, saved)
}

func (s *Server) getProgramme(c *gin.Context) {
	d, err := s.app.Programme(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "read the programme", err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// ProgrammeList is every survey programme.
type ProgrammeList struct {
	Items []survey.Definition `json:"items"`
}

func (s *Server) listProgrammes(c *gin.Context) {
	list, err := s.app.Programmes(c, actor(c))
	if err != nil {
		s.fail(c, "list programmes", err)
		return
	}
	c.JSON(http.StatusOK, ProgrammeList{Items: list})
}

// putProgramme replaces a programme; version must be the one read. The body
// overlays the programme as it is. Running cycles keep the programme they
// started with.
func (s *Server) putProgramme(c *gin.Context) {
	d, err := s.app.Programme(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "read the programme", err)
		return
	}
	d.Version = 0
	if !bindJSON(c, &d, "") {
		return
	}
	saved, err := s.app.PutProgramme(c, actor(c), c.Param("id"), d)
	if err != nil {
		s.fail(c, "save the programme", err)
		return
	}
	c.JSON(http.StatusOK, saved)
}

func (s *Server) getSchedule(c *gin.Context) {
	st, err := s.app.Schedule(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "read the schedule", err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// ScheduleNote explains a pause or resume.
type ScheduleNote struct {
	Note string `json:"note"`
}

func (s *Server) scheduleAction(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in ScheduleNote
		if c.Request.ContentLength > 0 && !bindJSON(c, &in, "") {
			return
		}
		st, err := s.app.ChangeSchedule(c, actor(c), c.Param("id"), app.ScheduleAction(action), in.Note)
		if err != nil {
			s.fail(c, action+" the schedule", err)
			return
		}
		c.JSON(http.StatusOK, st)
	}
}

func (s *Server) startCycle(c *gin.Context) {
	var in CycleRequest
	if c.Request.ContentLength > 0 && !bindJSON(c, &in, "") {
		return
	}
	started, err := s.app.StartCycle(c, actor(c), c.Param("id"), in)
	if err != nil {
		s.fail(c, "start the cycle", err)
		return
	}
	c.Set(auditWorkflowKey, started.WorkflowID)
	c.JSON(http.StatusCreated, started)
}

// CycleList is a programme's cycles, newest first.
type CycleList struct {
	Items []app.Cycle `json:"items"`
}

func (s *Server) listCycles(c *gin.Context) {
	list, err := s.app.Cycles(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "list cycles", err)
		return
	}
	c.JSON(http.StatusOK, CycleList{Items: list})
}

func (s *Server) getCycle(c *gin.Context) {
	cy, err := s.app.Cycle(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "read the cycle", err)
		return
	}
	c.JSON(http.StatusOK, cy)
}

// SelectionList shows who was considered for a cycle and why.
type SelectionList struct {
	Items []survey.Selection `json:"items"`
}

func (s *Server) listSelections(c *gin.Context) {
	list, err := s.app.Selections(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "list the sample", err)
		return
	}
	c.JSON(http.StatusOK, SelectionList{Items: list})
}

// InvitationView is an invitation with the signed link to send (online
// channel) while the cycle is open.
type InvitationView struct {
	app.Invitation
	URL string `json:"url,omitempty" doc:"The signed link to send the customer: present for an unanswered link invitation while the cycle is open. It works until a day after the cycle closes."`
}

// InvitationList is a cycle's invitations: the links to send, and the staff's
// call and visit list.
type InvitationList struct {
	Items []InvitationView `json:"items"`
}

func (s *Server) listInvitations(c *gin.Context) {
	list, err := s.app.Invitations(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "list invitations", err)
		return
	}
	cy := list.Cycle
	out := InvitationList{Items: make([]InvitationView, 0, len(list.Items))}
	for _, iv := range list.Items {
		v := InvitationView{Invitation: iv}
		if cy.Status == app.CycleOpen && cy.ClosesAt != nil && iv.AnsweredAt == nil && iv.Channel == survey.ChannelLink {
			v.URL = survey.Link(s.security.Links, s.security.PublicURL, iv.ID, *cy.ClosesAt)
		}
		out.Items = append(out.Items, v)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) enterAnswer(c *gin.Context) {
	var in StaffAnswer
	if !bindJSON(c, &in, "answered_at") {
		return
	}
	saved, err := s.app.EnterAnswer(c, actor(c), c.Param("id"), in)
	s.answered(c, saved, err)
}

// answered answers a saved answer, or why it was not saved: a survey that
// has closed is gone (410).
func (s *Server) answered(c *gin.Context, saved app.AnswerSaved, err error) {
	if errors.Is(err, app.ErrSurveyClosed) {
		abort(c, http.StatusGone, app.ErrSurveyClosed.Message, "")
		return
	}
	if err != nil {
		s.fail(c, "save the answer", err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"status": "answered", "cycle_id": saved.CycleID})
}

func (s *Server) publicSurvey(c *gin.Context) {
	ps, err := s.app.PublicSurvey(c, c.Param("token"))
	if err != nil {
		s.fail(c, "read the survey", err)
		return
	}
	c.JSON(http.StatusOK, ps)
}

func (s *Server) publicSurveyAnswer(c *gin.Context) {
	var in PublicAnswer
	if !bindJSON(c, &in, "") {
		return
	}
	saved, err := s.app.AnswerPublicSurvey(c, c.Param("token"), in)
	s.answered(c, saved, err)
}

// postDelivery schedules the after-delivery surveys of one customer: 1, 3 and
// 12 months after the delivery. Posting the same delivery again changes nothing.
func (s *Server) postDelivery(c *gin.Context) {
	var in app.Delivery
	if !bindJSON(c, &in, "delivered_at") {
		return
	}
	out, err := s.app.RecordDelivery(c, actor(c), in)
	if err != nil {
		s.fail(c, "schedule the follow-ups", err)
		return
	}
	c.Set(auditWorkflowKey, out.WorkflowID)
	c.JSON(http.StatusAccepted, out)
}
