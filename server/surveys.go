package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
	"github.com/cxflow/cxflow/workflows"
)

// LinkPurposeSurvey marks links that open a survey invitation.
const LinkPurposeSurvey = survey.LinkPurpose

// maxCSV bounds a customer import (about 50,000 rows).
const maxCSV = 16 << 20

// ImportResult says what a CSV import did: the good rows are saved, the bad
// ones are listed with their line and field, and none is half-saved.
type ImportResult struct {
	Imported int               `json:"imported"`
	Errors   []survey.RowError `json:"errors"`
}

func (s *Server) importCustomers(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxCSV)
	customers, rowErrs, err := survey.ParseCSV(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		abort(c, http.StatusRequestEntityTooLarge, "the CSV file is larger than 16 MiB; split it", "")
		return
	}
	if err != nil {
		abort(c, http.StatusBadRequest, "the CSV file cannot be read: "+err.Error(), "file")
		return
	}
	if err := s.store.UpsertCustomers(c, customers); err != nil {
		s.internal(c, "save the customers", err)
		return
	}
	if rowErrs == nil {
		rowErrs = []survey.RowError{}
	}
	c.JSON(http.StatusOK, ImportResult{Imported: len(customers), Errors: rowErrs})
}

// CustomerList is a page of customers by ID.
type CustomerList struct {
	Items []survey.Customer `json:"items"`
	// Next is the ID to pass as after= for the next page.
	Next string `json:"next,omitempty"`
}

func (s *Server) listCustomers(c *gin.Context) {
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			abort(c, http.StatusBadRequest, "limit must be a whole number from 1 to 1000", "limit")
			return
		}
		limit = n
	}
	list, err := s.store.Customers(c, c.Query("after"), limit)
	if err != nil {
		s.internal(c, "list customers", err)
		return
	}
	out := CustomerList{Items: list}
	if out.Items == nil {
		out.Items = []survey.Customer{}
	}
	if len(list) == limit {
		out.Next = list[len(list)-1].ID
	}
	c.JSON(http.StatusOK, out)
}

// createProgramme defines a survey programme; fields left out take the
// domain defaults (coverage of 000, targets of 004, the default questionnaire).
func (s *Server) createProgramme(c *gin.Context) {
	d := survey.Definition{Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(), Schedule: survey.Schedule{Kind: survey.ScheduleManual}}
	if !bindJSON(c, &d, "") {
		return
	}
	d.ID, d.Version = uuid.NewString(), 0
	if !valid(c, d.Validate()) || !s.departmentExists(c, d.Run.OwnerDepartment, "run.owner_department") {
		return
	}
	saved, err := s.store.SaveDefinition(c, d, 0)
	if err != nil {
		s.internal(c, "save the programme", err)
		return
	}
	if !s.syncSchedule(c, saved) {
		return
	}
	c.JSON(http.StatusCreated, saved)
}

func (s *Server) loadProgramme(c *gin.Context) (survey.Definition, bool) {
	if uuid.Validate(c.Param("id")) != nil {
		abort(c, http.StatusNotFound, "programme not found", "")
		return survey.Definition{}, false
	}
	d, err := s.store.Definition(c, c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "programme not found", "")
		return d, false
	}
	if err != nil {
		s.internal(c, "read the programme", err)
		return d, false
	}
	return d, true
}

func (s *Server) getProgramme(c *gin.Context) {
	if d, ok := s.loadProgramme(c); ok {
		c.JSON(http.StatusOK, d)
	}
}

// ProgrammeList is every survey programme.
type ProgrammeList struct {
	Items []survey.Definition `json:"items"`
}

func (s *Server) listProgrammes(c *gin.Context) {
	list, err := s.store.Definitions(c)
	if err != nil {
		s.internal(c, "list programmes", err)
		return
	}
	if list == nil {
		list = []survey.Definition{}
	}
	c.JSON(http.StatusOK, ProgrammeList{Items: list})
}

// putProgramme replaces a programme; version must be the one read. Running
// cycles keep the programme they started with.
func (s *Server) putProgramme(c *gin.Context) {
	cur, ok := s.loadProgramme(c)
	if !ok {
		return
	}
	d := cur
	d.Version = 0
	if !bindJSON(c, &d, "") {
		return
	}
	read := d.Version
	if read == 0 {
		abort(c, http.StatusBadRequest, "version is required: the version you read, so a concurrent change is not overwritten", "version")
		return
	}
	d.ID = cur.ID
	if !valid(c, d.Validate()) || !s.departmentExists(c, d.Run.OwnerDepartment, "run.owner_department") {
		return
	}
	saved, err := s.store.SaveDefinition(c, d, read)
	if errors.Is(err, store.ErrVersionConflict) {
		abort(c, http.StatusConflict, "the programme was changed by someone else (you sent version "+strconv.Itoa(read)+"); read it again", "version")
		return
	}
	if err != nil {
		s.internal(c, "save the programme", err)
		return
	}
	if !s.syncSchedule(c, saved) {
		return
	}
	c.JSON(http.StatusOK, saved)
}

// scheduleID names a programme's Temporal Schedule.
func scheduleID(programmeID string) string { return "survey-programme:" + programmeID }

// syncSchedule makes the programme's Temporal Schedule match its definition:
// created or updated for a recurring programme, deleted for a manual one.
func (s *Server) syncSchedule(c *gin.Context, d survey.Definition) bool {
	ctx, cancel := context.WithTimeout(c, 15*time.Second)
	defer cancel()
	h := s.temporal.ScheduleClient().GetHandle(ctx, scheduleID(d.ID))
	cron := d.Schedule.CronExpression()
	if cron == "" {
		err := h.Delete(ctx)
		var nf *serviceerror.NotFound
		if err != nil && !errors.As(err, &nf) {
			s.internal(c, "remove the programme's schedule", err)
			return false
		}
		return true
	}
	spec := client.ScheduleSpec{CronExpressions: []string{cron}, TimeZoneName: "Asia/Shanghai"}
	action := &client.ScheduleWorkflowAction{
		ID: "survey-cycle:" + d.ID, Workflow: workflows.SurveyCycleWorkflow,
		Args: []any{workflows.CycleStart{ProgrammeID: d.ID, Reason: "scheduled"}}, TaskQueue: s.taskQueue,
	}
	err := upsertSchedule(ctx, s.temporal.ScheduleClient(), client.ScheduleOptions{
		ID: scheduleID(d.ID), Spec: spec, Action: action, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note: d.Name,
	})
	if err != nil {
		s.internal(c, "schedule the programme", err)
		return false
	}
	return true
}

// ScheduleState is a programme's schedule as Temporal runs it.
type ScheduleState struct {
	Cron    string      `json:"cron"`
	Paused  bool        `json:"paused"`
	Note    string      `json:"note,omitempty"`
	NextRun []time.Time `json:"next_runs"`
}

func (s *Server) getSchedule(c *gin.Context) {
	if d, ok := s.loadProgramme(c); ok {
		s.answerSchedule(c, d)
	}
}

// answerSchedule answers the programme's schedule as Temporal runs it.
func (s *Server) answerSchedule(c *gin.Context, d survey.Definition) {
	desc, err := s.temporal.ScheduleClient().GetHandle(c, scheduleID(d.ID)).Describe(c)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		abort(c, http.StatusNotFound, "the programme runs only when started by hand (schedule kind manual)", "")
		return
	}
	if err != nil {
		s.internal(c, "read the schedule", err)
		return
	}
	st := ScheduleState{Cron: d.Schedule.CronExpression(), Paused: desc.Schedule.State.Paused, Note: desc.Schedule.State.Note,
		NextRun: desc.Info.NextActionTimes}
	if st.NextRun == nil {
		st.NextRun = []time.Time{}
	}
	c.JSON(http.StatusOK, st)
}

// ScheduleNote explains a pause or resume.
type ScheduleNote struct {
	Note string `json:"note"`
}

func (s *Server) scheduleAction(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		d, ok := s.loadProgramme(c)
		if !ok {
			return
		}
		var in ScheduleNote
		if c.Request.ContentLength > 0 && !bindJSON(c, &in, "") {
			return
		}
		h := s.temporal.ScheduleClient().GetHandle(c, scheduleID(d.ID))
		var err error
		switch action {
		case "pause":
			err = h.Pause(c, client.SchedulePauseOptions{Note: in.Note})
		case "resume":
			err = h.Unpause(c, client.ScheduleUnpauseOptions{Note: in.Note})
		case "trigger":
			err = h.Trigger(c, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL})
		}
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			abort(c, http.StatusConflict, "the programme has no schedule (kind manual); start a cycle with POST …/cycles", "")
			return
		}
		if err != nil {
			s.internal(c, action+" the schedule", err)
			return
		}
		s.answerSchedule(c, d)
	}
}

// CycleRequest starts a cycle now.
type CycleRequest struct {
	// CustomerIDs survey exactly these customers (e.g. after a delivery)
	// instead of drawing by the coverage rules.
	CustomerIDs []string `json:"customer_ids,omitempty"`
	Reason      string   `json:"reason,omitempty"`
}

// StartedCycle names a cycle just started.
type StartedCycle struct {
	CycleID    string `json:"cycle_id"`
	WorkflowID string `json:"workflow_id"`
}

func (s *Server) startCycle(c *gin.Context) {
	d, ok := s.loadProgramme(c)
	if !ok {
		return
	}
	var in CycleRequest
	if c.Request.ContentLength > 0 && !bindJSON(c, &in, "") {
		return
	}
	if len(in.CustomerIDs) > 1000 {
		abort(c, http.StatusBadRequest, "at most 1000 customer_ids; leave it out to draw by the coverage rules", "customer_ids")
		return
	}
	for _, id := range in.CustomerIDs {
		if _, err := s.store.Customer(c, id); errors.Is(err, store.ErrNotFound) {
			abort(c, http.StatusBadRequest, "no customer has ID "+id, "customer_ids")
			return
		} else if err != nil {
			s.internal(c, "read the customer", err)
			return
		}
	}
	wid := workflows.CycleWorkflowID(d.ID, uuid.New())
	if _, err := s.temporal.ExecuteWorkflow(c, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.taskQueue, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StaticSummary: "满意度调查 survey cycle: " + d.Name,
	}, workflows.SurveyCycleWorkflow, workflows.CycleStart{ProgrammeID: d.ID, CustomerIDs: in.CustomerIDs, Reason: in.Reason}); err != nil {
		s.internal(c, "start the cycle", err)
		return
	}
	c.Set(auditWorkflowKey, wid)
	c.JSON(http.StatusCreated, StartedCycle{CycleID: workflows.CycleID(wid), WorkflowID: wid})
}

// CycleList is a programme's cycles, newest first.
type CycleList struct {
	Items []store.Cycle `json:"items"`
}

func (s *Server) listCycles(c *gin.Context) {
	d, ok := s.loadProgramme(c)
	if !ok {
		return
	}
	list, err := s.store.Cycles(c, d.ID)
	if err != nil {
		s.internal(c, "list cycles", err)
		return
	}
	if list == nil {
		list = []store.Cycle{}
	}
	c.JSON(http.StatusOK, CycleList{Items: list})
}

func (s *Server) loadCycle(c *gin.Context) (store.Cycle, bool) {
	if uuid.Validate(c.Param("id")) != nil {
		abort(c, http.StatusNotFound, "cycle not found", "")
		return store.Cycle{}, false
	}
	cy, err := s.store.GetCycle(c, c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "cycle not found (a cycle just started appears within a second)", "")
		return cy, false
	}
	if err != nil {
		s.internal(c, "read the cycle", err)
		return cy, false
	}
	return cy, true
}

func (s *Server) getCycle(c *gin.Context) {
	if cy, ok := s.loadCycle(c); ok {
		c.JSON(http.StatusOK, cy)
	}
}

// SelectionList shows who was considered for a cycle and why.
type SelectionList struct {
	Items []survey.Selection `json:"items"`
}

func (s *Server) listSelections(c *gin.Context) {
	cy, ok := s.loadCycle(c)
	if !ok {
		return
	}
	list, err := s.store.Selections(c, cy.ID)
	if err != nil {
		s.internal(c, "list the sample", err)
		return
	}
	if list == nil {
		list = []survey.Selection{}
	}
	c.JSON(http.StatusOK, SelectionList{Items: list})
}

// InvitationView is an invitation with the signed link to send (online
// channel) while the cycle is open.
type InvitationView struct {
	store.Invitation
	URL string `json:"url,omitempty"`
}

// InvitationList is a cycle's invitations: the links to send, and the staff's
// call and visit list.
type InvitationList struct {
	Items []InvitationView `json:"items"`
}

func (s *Server) listInvitations(c *gin.Context) {
	cy, ok := s.loadCycle(c)
	if !ok {
		return
	}
	list, err := s.store.Invitations(c, cy.ID, 10000)
	if err != nil {
		s.internal(c, "list invitations", err)
		return
	}
	out := InvitationList{Items: make([]InvitationView, 0, len(list))}
	for _, iv := range list {
		v := InvitationView{Invitation: iv}
		if cy.Status == store.CycleOpen && cy.ClosesAt != nil && iv.AnsweredAt == nil && iv.Channel == survey.ChannelLink {
			v.URL = survey.Link(s.security.Links, s.security.PublicURL, iv.ID, *cy.ClosesAt)
		}
		out.Items = append(out.Items, v)
	}
	c.JSON(http.StatusOK, out)
}

// StaffAnswer is an answer taken by phone, on a visit or from a letter: who
// answered, when and who surveyed are recorded (000).
type StaffAnswer struct {
	CustomerID string            `json:"customer_id"`
	Channel    survey.Channel    `json:"channel"`
	Respondent string            `json:"respondent"`
	AnsweredAt *time.Time        `json:"answered_at,omitempty"`
	Ratings    map[string]string `json:"ratings"`
	Recommend  *int              `json:"recommend,omitempty"`
	Competitor map[string]string `json:"competitor,omitempty"`
	Comment    string            `json:"comment,omitempty"`
}

func (s *Server) enterAnswer(c *gin.Context) {
	cy, ok := s.loadCycle(c)
	if !ok {
		return
	}
	var in StaffAnswer
	if !bindJSON(c, &in, "answered_at") {
		return
	}
	if in.Channel != survey.ChannelPhone && in.Channel != survey.ChannelVisit && in.Channel != survey.ChannelLetter {
		abort(c, http.StatusBadRequest, "channel must be phone, visit or letter (online answers come through the customer's link)", "channel")
		return
	}
	if strings.TrimSpace(in.Respondent) == "" {
		abort(c, http.StatusBadRequest, "respondent is required: who answered (000)", "respondent")
		return
	}
	inv, err := s.store.InvitationFor(c, cy.ID, in.CustomerID)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusBadRequest, "customer "+in.CustomerID+" was not invited to this cycle", "customer_id")
		return
	}
	if err != nil {
		s.internal(c, "find the invitation", err)
		return
	}
	at := s.now()
	if in.AnsweredAt != nil {
		if in.AnsweredAt.After(at.Add(5 * time.Minute)) {
			abort(c, http.StatusBadRequest, "answered_at must not be in the future", "answered_at")
			return
		}
		at = *in.AnsweredAt
	}
	a := survey.Answer{Ratings: in.Ratings, Recommend: in.Recommend, Competitor: in.Competitor, Comment: in.Comment}
	s.saveAnswer(c, cy, inv, a, store.AnswerRecord{Channel: in.Channel, SurveyedBy: actor(c).Name, Respondent: in.Respondent, AnsweredAt: at})
}

// saveAnswer validates an answer against the cycle's questionnaire and stores it.
func (s *Server) saveAnswer(c *gin.Context, cy store.Cycle, invitationID string, a survey.Answer, rec store.AnswerRecord) {
	q := cy.Definition.Programme.Questionnaire
	if !q.Anonymous {
		a.CustomerID = "from-invitation" // replaced by the store with the invited customer
	}
	if !valid(c, q.ValidateAnswer(a)) {
		return
	}
	rec.Answer = a
	err := s.store.SaveAnswer(c, invitationID, q.Anonymous, rec)
	if errors.Is(err, store.ErrCycleClosed) {
		abort(c, http.StatusGone, "the survey has closed; answers are no longer taken", "")
		return
	}
	if err != nil {
		s.internal(c, "save the answer", err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"status": "answered", "cycle_id": cy.ID})
}

// PublicSurvey is what a customer sees through their invitation link.
type PublicSurvey struct {
	Programme     string               `json:"programme"`
	Questionnaire survey.Questionnaire `json:"questionnaire"`
	ClosesAt      *time.Time           `json:"closes_at,omitempty"`
	Answered      bool                 `json:"answered"`
	Open          bool                 `json:"open"`
	// Previous is the answer given through this link while the survey is
	// open, for the customer to change.
	Previous *EarlierAnswer `json:"previous,omitempty"`
}

// EarlierAnswer is an answer as the customer gave it, shown back to them.
type EarlierAnswer PublicAnswer

// PublicAnswer is a customer's answer through their link.
type PublicAnswer struct {
	Ratings    map[string]string `json:"ratings"`
	Recommend  *int              `json:"recommend,omitempty"`
	Competitor map[string]string `json:"competitor,omitempty"`
	Comment    string            `json:"comment,omitempty"`
	// Segment and Tier may be given in an anonymous survey for the breakdowns.
	Segment string `json:"segment,omitempty"`
}

func (s *Server) linkInvitation(c *gin.Context) (store.Invitation, store.Cycle, bool) {
	id, err := s.security.Links.Verify(c.Param("token"), LinkPurposeSurvey, s.now())
	if err != nil {
		abort(c, http.StatusForbidden, "this link is not valid or has expired; please contact us", "")
		return store.Invitation{}, store.Cycle{}, false
	}
	iv, err := s.store.GetInvitation(c, id)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusForbidden, "this link is not valid or has expired; please contact us", "")
		return iv, store.Cycle{}, false
	}
	if err != nil {
		s.internal(c, "read the invitation", err)
		return iv, store.Cycle{}, false
	}
	cy, err := s.store.GetCycle(c, iv.CycleID)
	if err != nil {
		s.internal(c, "read the survey", err)
		return iv, cy, false
	}
	return iv, cy, true
}

func (s *Server) publicSurvey(c *gin.Context) {
	iv, cy, ok := s.linkInvitation(c)
	if !ok {
		return
	}
	ps := PublicSurvey{
		Programme: cy.Definition.Name, Questionnaire: cy.Definition.Programme.Questionnaire,
		ClosesAt: cy.ClosesAt, Answered: iv.AnsweredAt != nil, Open: cy.Status == store.CycleOpen,
	}
	if ps.Answered && ps.Open {
		anonymous := cy.Definition.Programme.Questionnaire.Anonymous
		prev, err := s.store.PreviousAnswer(c, iv.ID, anonymous)
		if err != nil {
			s.internal(c, "read the earlier answer", err)
			return
		}
		if prev != nil {
			ps.Previous = &EarlierAnswer{Ratings: prev.Ratings, Recommend: prev.Recommend, Competitor: prev.Competitor, Comment: prev.Comment}
			if anonymous {
				ps.Previous.Segment = prev.Segment
			}
		}
	}
	c.JSON(http.StatusOK, ps)
}

func (s *Server) publicSurveyAnswer(c *gin.Context) {
	iv, cy, ok := s.linkInvitation(c)
	if !ok {
		return
	}
	var in PublicAnswer
	if !bindJSON(c, &in, "") {
		return
	}
	a := survey.Answer{Ratings: in.Ratings, Recommend: in.Recommend, Competitor: in.Competitor, Comment: in.Comment}
	if cy.Definition.Programme.Questionnaire.Anonymous {
		a.Segment = in.Segment
	}
	s.saveAnswer(c, cy, iv.ID, a, store.AnswerRecord{Channel: survey.ChannelLink, Respondent: "customer", AnsweredAt: s.now()})
}

// DeliveryStarted names the follow-up workflow of a delivery.
type DeliveryStarted struct {
	WorkflowID string      `json:"workflow_id"`
	FollowUps  []time.Time `json:"follow_ups"`
}

// postDelivery schedules the after-delivery surveys of one customer: 1, 3 and
// 12 months after the delivery. Posting the same delivery again changes nothing.
func (s *Server) postDelivery(c *gin.Context) {
	var in workflows.Delivery
	if !bindJSON(c, &in, "delivered_at") {
		return
	}
	switch {
	case in.CustomerID == "":
		abort(c, http.StatusBadRequest, "customer_id is required", "customer_id")
		return
	case in.DeliveredAt.IsZero():
		abort(c, http.StatusBadRequest, "delivered_at is required (RFC 3339)", "delivered_at")
		return
	case in.DeliveredAt.After(s.now().Add(24 * time.Hour)):
		abort(c, http.StatusBadRequest, "delivered_at must not be in the future", "delivered_at")
		return
	case len(in.Reference) > 200:
		abort(c, http.StatusBadRequest, "reference must be at most 200 characters", "reference")
		return
	}
	if _, err := s.store.Customer(c, in.CustomerID); errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusBadRequest, "no customer has ID "+in.CustomerID, "customer_id")
		return
	} else if err != nil {
		s.internal(c, "read the customer", err)
		return
	}
	if uuid.Validate(in.ProgrammeID) != nil {
		abort(c, http.StatusBadRequest, "programme_id must be a survey programme's ID", "programme_id")
		return
	}
	if _, err := s.store.Definition(c, in.ProgrammeID); errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusBadRequest, "no survey programme has ID "+in.ProgrammeID, "programme_id")
		return
	} else if err != nil {
		s.internal(c, "read the programme", err)
		return
	}
	key := in.Reference
	if key == "" {
		key = in.DeliveredAt.UTC().Format(time.RFC3339)
	}
	wid := "delivery:" + in.CustomerID + ":" + key
	_, err := s.temporal.ExecuteWorkflow(c, client.StartWorkflowOptions{
		ID: wid, TaskQueue: s.taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.DeliveryFollowUpWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		s.internal(c, "schedule the follow-ups", err)
		return
	}
	c.Set(auditWorkflowKey, wid)
	out := DeliveryStarted{WorkflowID: wid}
	for _, m := range workflows.FollowUpMonths {
		out.FollowUps = append(out.FollowUps, in.DeliveredAt.AddDate(0, m, 0))
	}
	c.JSON(http.StatusAccepted, out)
}
