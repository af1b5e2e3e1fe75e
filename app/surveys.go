package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
	"github.com/cxflow/cxflow/workflows"
)

// Satisfaction surveys (满意度调查): the customers surveyed, the programmes
// (what is asked, of whom, when), their Temporal Schedules, the cycles a
// programme runs (each a workflow, survey-cycle:<programme>:<uuid>), their
// samples and invitations, the answers the staff enter, the customers'
// answers through their signed links, and the follow-up surveys of a
// delivery. Who may is one rule per operation in the permission table.

// Cycle is a survey cycle as the read model keeps it: the programme as it
// was when the cycle started, its counts and, once closed, its statistics.
type Cycle = store.Cycle

// Invitation is one customer's invitation to a cycle.
type Invitation = store.Invitation

// CycleOpen is the status of a cycle taking answers.
const CycleOpen = store.CycleOpen

// Delivery is a delivery to a customer, whose follow-up surveys it starts.
type Delivery = workflows.Delivery

// ErrSurveyClosed refuses an answer to a cycle that has closed. It is a
// conflict the faces tell apart: the API answers it 410 Gone.
var ErrSurveyClosed = &Error{Code: Conflict, Message: "the survey has closed; answers are no longer taken"}

// customerPageMax bounds a page of customers.
const customerPageMax = 1000

// ImportResult says what a CSV import did: the good rows are saved, the bad
// ones are listed with their line and field, and none is half-saved.
type ImportResult struct {
	Imported int               `json:"imported" doc:"How many customers were created or updated (by id)."`
	Errors   []survey.RowError `json:"errors"`
}

// readErrors keeps the reader's own failure, apart from the CSV's.
type readErrors struct {
	r   io.Reader
	err error
}

func (r *readErrors) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	return n, err
}

// ImportCustomers reads a CSV file of customers and saves its good rows. A
// failure to read the file itself (its size bounded by the caller) is
// answered as it is, not as a refusal.
func (a *App) ImportCustomers(ctx context.Context, by complaint.Actor, file io.Reader) (ImportResult, error) {
	if err := Authorize(by, OpImportCustomers); err != nil {
		return ImportResult{}, err
	}
	r := &readErrors{r: file}
	customers, rowErrs, err := survey.ParseCSV(r)
	if err != nil {
		if r.err != nil {
			return ImportResult{}, fmt.Errorf("read the CSV file: %w", r.err)
		}
		return ImportResult{}, Refuse(Invalid, "file", "the CSV file cannot be read: %s", err.Error())
	}
	if err := a.Store.UpsertCustomers(ctx, customers); err != nil {
		return ImportResult{}, err
	}
	if rowErrs == nil {
		rowErrs = []survey.RowError{}
	}
	return ImportResult{Imported: len(customers), Errors: rowErrs}, nil
}

// CustomerPage is a page of customers by ID.
type CustomerPage struct {
	Items []survey.Customer
	// Next is the ID to pass as after for the next page; empty on the last.
	Next string
}

// Customers lists customers by ID after the one named, limit of them (1 to
// 1000; 0 for 100).
func (a *App) Customers(ctx context.Context, by complaint.Actor, after string, limit int) (CustomerPage, error) {
	out := CustomerPage{Items: []survey.Customer{}}
	if err := Authorize(by, OpListCustomers); err != nil {
		return out, err
	}
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > customerPageMax {
		return out, outOfRange("limit", 1, 1000)
	}
	list, err := a.Store.Customers(ctx, after, limit)
	if err != nil {
		return out, err
	}
	if list != nil {
		out.Items = list
	}
	if len(list) == limit {
		out.Next = list[len(list)-1].ID
	}
	return out, nil
}

// Programmes lists every survey programme.
func (a *App) Programmes(ctx context.Context, by complaint.Actor) ([]survey.Definition, error) {
	if err := Authorize(by, OpListProgrammes); err != nil {
		return []survey.Definition{}, err
	}
	list, err := a.Store.Definitions(ctx)
	if list == nil {
		list = []survey.Definition{}
	}
	return list, err
}

// Programme reads one survey programme.
func (a *App) Programme(ctx context.Context, by complaint.Actor, id string) (survey.Definition, error) {
	if err := Authorize(by, OpGetProgramme); err != nil {
		return survey.Definition{}, err
	}
	return a.programme(ctx, id)
}

func (a *App) programme(ctx context.Context, id string) (survey.Definition, error) {
	if uuid.Validate(id) != nil {
		return survey.Definition{}, Refuse(NotFound, "", "programme not found")
	}
	d, err := a.Store.Definition(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, Refuse(NotFound, "", "programme not found")
	}
	return d, err
}

// NewProgramme is the definition a new programme starts from: fields left
// out take the domain defaults (coverage of 000, targets of 004, the default
// questionnaire), run by hand.
func NewProgramme() survey.Definition {
	return survey.Definition{Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(), Schedule: survey.Schedule{Kind: survey.ScheduleManual}}
}

// CreateProgramme defines a survey programme and its Temporal Schedule.
func (a *App) CreateProgramme(ctx context.Context, by complaint.Actor, d survey.Definition) (survey.Definition, error) {
	if err := Authorize(by, OpCreateProgramme); err != nil {
		return survey.Definition{}, err
	}
	d.ID, d.Version = uuid.NewString(), 0
	return a.saveProgramme(ctx, d, 0)
}

// PutProgramme replaces a programme; d.Version must be the version read.
// Running cycles keep the programme they started with.
func (a *App) PutProgramme(ctx context.Context, by complaint.Actor, id string, d survey.Definition) (survey.Definition, error) {
	if err := Authorize(by, OpPutProgramme); err != nil {
		return survey.Definition{}, err
	}
	if _, err := a.programme(ctx, id); err != nil {
		return survey.Definition{}, err
	}
	read := d.Version
	if read == 0 {
		return survey.Definition{}, Refuse(Invalid, "version", "version is required: the version you read, so a concurrent change is not overwritten")
	}
	d.ID = id
	return a.saveProgramme(ctx, d, read)
}

func (a *App) saveProgramme(ctx context.Context, d survey.Definition, read int) (survey.Definition, error) {
	if err := d.Validate(); err != nil {
		return survey.Definition{}, fieldRefusal(err)
	}
	if err := a.CheckDepartment(ctx, d.Run.OwnerDepartment, "run.owner_department"); err != nil {
		return survey.Definition{}, err
	}
	saved, err := a.Store.SaveDefinition(ctx, d, read)
	if errors.Is(err, store.ErrVersionConflict) {
		return saved, Refuse(Conflict, "version", "the programme was changed by someone else (you sent version %d); read it again", read)
	}
	if err != nil {
		return saved, fmt.Errorf("save the programme: %w", err)
	}
	return saved, a.syncSchedule(ctx, saved)
}

// SurveyScheduleID names a programme's Temporal Schedule.
func SurveyScheduleID(programmeID string) string { return "survey-programme:" + programmeID }

// syncSchedule makes the programme's Temporal Schedule match its definition:
// created or updated for a recurring programme, deleted for a manual one.
func (a *App) syncSchedule(ctx context.Context, d survey.Definition) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	sc := a.Temporal.ScheduleClient()
	cron := d.Schedule.CronExpression()
	if cron == "" {
		err := sc.GetHandle(ctx, SurveyScheduleID(d.ID)).Delete(ctx)
		var nf *serviceerror.NotFound
		if err != nil && !errors.As(err, &nf) {
			return fmt.Errorf("remove the programme's schedule: %w", err)
		}
		return nil
	}
	opts := client.ScheduleOptions{
		ID:   SurveyScheduleID(d.ID),
		Spec: client.ScheduleSpec{CronExpressions: []string{cron}, TimeZoneName: "Asia/Shanghai"},
		Action: &client.ScheduleWorkflowAction{
			ID: "survey-cycle:" + d.ID, Workflow: workflows.SurveyCycleWorkflow,
			Args: []any{workflows.CycleStart{ProgrammeID: d.ID, Reason: "scheduled"}}, TaskQueue: a.TaskQueue,
		},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note:    d.Name,
	}
	if err := upsertSchedule(ctx, sc, opts); err != nil {
		return fmt.Errorf("schedule the programme: %w", err)
	}
	return nil
}

// ScheduleState is a programme's schedule as Temporal runs it.
type ScheduleState struct {
	Cron    string      `json:"cron" doc:"The schedule as a cron expression, in Asia/Shanghai time."`
	Paused  bool        `json:"paused" doc:"Whether the schedule is paused: no cycles start until it is resumed."`
	Note    string      `json:"note,omitempty" doc:"The note of the last pause or resume."`
	NextRun []time.Time `json:"next_runs" doc:"When the next cycles are due to start."`
}

// Schedule reads a recurring programme's schedule; a manual one has none.
func (a *App) Schedule(ctx context.Context, by complaint.Actor, programmeID string) (ScheduleState, error) {
	if err := Authorize(by, OpGetSchedule); err != nil {
		return ScheduleState{}, err
	}
	d, err := a.programme(ctx, programmeID)
	if err != nil {
		return ScheduleState{}, err
	}
	return a.schedule(ctx, d)
}

func (a *App) schedule(ctx context.Context, d survey.Definition) (ScheduleState, error) {
	desc, err := a.Temporal.ScheduleClient().GetHandle(ctx, SurveyScheduleID(d.ID)).Describe(ctx)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return ScheduleState{}, Refuse(NotFound, "", "the programme runs only when started by hand (schedule kind manual)")
	}
	if err != nil {
		return ScheduleState{}, fmt.Errorf("read the schedule: %w", err)
	}
	st := ScheduleState{Cron: d.Schedule.CronExpression(), Paused: desc.Schedule.State.Paused, Note: desc.Schedule.State.Note,
		NextRun: desc.Info.NextActionTimes}
	if st.NextRun == nil {
		st.NextRun = []time.Time{}
	}
	return st, nil
}

// ScheduleAction is what can be done to a programme's schedule.
type ScheduleAction string

// The schedule's actions.
const (
	SchedulePause   ScheduleAction = "pause"
	ScheduleResume  ScheduleAction = "resume"
	ScheduleTrigger ScheduleAction = "trigger"
)

// scheduleOps are the operations of the schedule's actions.
var scheduleOps = map[ScheduleAction]Op{SchedulePause: OpPauseSchedule, ScheduleResume: OpResumeSchedule, ScheduleTrigger: OpTriggerSchedule}

// ChangeSchedule pauses, resumes or triggers a programme's schedule (the
// note says why; a trigger ignores it) and answers with the schedule.
func (a *App) ChangeSchedule(ctx context.Context, by complaint.Actor, programmeID string, action ScheduleAction, note string) (ScheduleState, error) {
	op, ok := scheduleOps[action]
	if !ok {
		return ScheduleState{}, Refuse(NotFound, "", "no schedule action %q", string(action))
	}
	if err := Authorize(by, op); err != nil {
		return ScheduleState{}, err
	}
	d, err := a.programme(ctx, programmeID)
	if err != nil {
		return ScheduleState{}, err
	}
	h := a.Temporal.ScheduleClient().GetHandle(ctx, SurveyScheduleID(d.ID))
	switch action {
	case SchedulePause:
		err = h.Pause(ctx, client.SchedulePauseOptions{Note: note})
	case ScheduleResume:
		err = h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: note})
	case ScheduleTrigger:
		err = h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL})
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return ScheduleState{}, Refuse(Conflict, "", "the programme has no schedule (kind manual); start a cycle with POST …/cycles")
	}
	if err != nil {
		return ScheduleState{}, fmt.Errorf("%s the schedule: %w", action, err)
	}
	return a.schedule(ctx, d)
}

// CycleRequest starts a cycle now.
type CycleRequest struct {
	// CustomerIDs survey exactly these customers (e.g. after a delivery)
	// instead of drawing by the coverage rules.
	CustomerIDs []string `json:"customer_ids,omitempty" doc:"Survey exactly these customers, e.g. after a delivery, instead of drawing by the coverage rules; each must be an imported customer (400 naming customer_ids otherwise)."`
	Reason      string   `json:"reason,omitempty" doc:"Why the cycle is started, for its record."`
}

// maxCycleCustomers bounds a cycle's customer_ids.
const maxCycleCustomers = 1000

// StartedCycle names a cycle just started.
type StartedCycle struct {
	CycleID    string `json:"cycle_id" doc:"The cycle's ID."`
	WorkflowID string `json:"workflow_id" doc:"The cycle's workflow, in Temporal."`
}

// StartCycle starts a cycle of the programme now. Its record appears within
// a second, once the workflow has recorded it.
func (a *App) StartCycle(ctx context.Context, by complaint.Actor, programmeID string, in CycleRequest) (StartedCycle, error) {
	if err := Authorize(by, OpStartCycle); err != nil {
		return StartedCycle{}, err
	}
	d, err := a.programme(ctx, programmeID)
	if err != nil {
		return StartedCycle{}, err
	}
	if len(in.CustomerIDs) > maxCycleCustomers {
		return StartedCycle{}, Refuse(Invalid, "customer_ids", "at most 1000 customer_ids; leave it out to draw by the coverage rules")
	}
	for _, id := range in.CustomerIDs {
		if _, err := a.Store.Customer(ctx, id); errors.Is(err, store.ErrNotFound) {
			return StartedCycle{}, Refuse(Invalid, "customer_ids", "no customer has ID %s", id)
		} else if err != nil {
			return StartedCycle{}, fmt.Errorf("read the customer: %w", err)
		}
	}
	wid := workflows.CycleWorkflowID(d.ID, uuid.New())
	if _, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: a.TaskQueue, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StaticSummary: "满意度调查 survey cycle: " + d.Name,
	}, workflows.SurveyCycleWorkflow, workflows.CycleStart{ProgrammeID: d.ID, CustomerIDs: in.CustomerIDs, Reason: in.Reason}); err != nil {
		return StartedCycle{}, fmt.Errorf("start the cycle: %w", err)
	}
	return StartedCycle{CycleID: workflows.CycleID(wid), WorkflowID: wid}, nil
}

// Cycles lists a programme's cycles, newest first.
func (a *App) Cycles(ctx context.Context, by complaint.Actor, programmeID string) ([]Cycle, error) {
	if err := Authorize(by, OpListCycles); err != nil {
		return []Cycle{}, err
	}
	d, err := a.programme(ctx, programmeID)
	if err != nil {
		return []Cycle{}, err
	}
	list, err := a.Store.Cycles(ctx, d.ID)
	if list == nil {
		list = []Cycle{}
	}
	return list, err
}

// Cycle reads one survey cycle.
func (a *App) Cycle(ctx context.Context, by complaint.Actor, id string) (Cycle, error) {
	if err := Authorize(by, OpGetCycle); err != nil {
		return Cycle{}, err
	}
	return a.cycle(ctx, id)
}

func (a *App) cycle(ctx context.Context, id string) (Cycle, error) {
	if uuid.Validate(id) != nil {
		return Cycle{}, Refuse(NotFound, "", "cycle not found")
	}
	cy, err := a.Store.GetCycle(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return cy, Refuse(NotFound, "", "cycle not found (a cycle just started appears within a second)")
	}
	return cy, err
}

// Selections lists who a cycle considered and why: chosen first.
func (a *App) Selections(ctx context.Context, by complaint.Actor, cycleID string) ([]survey.Selection, error) {
	if err := Authorize(by, OpListSelections); err != nil {
		return []survey.Selection{}, err
	}
	cy, err := a.cycle(ctx, cycleID)
	if err != nil {
		return []survey.Selection{}, err
	}
	list, err := a.Store.Selections(ctx, cy.ID)
	if list == nil {
		list = []survey.Selection{}
	}
	return list, err
}

// maxInvitations bounds a cycle's list of invitations.
const maxInvitations = 10000

// CycleInvitations is a cycle with its invitations, unanswered first: the
// links to send, and the staff's call and visit list.
type CycleInvitations struct {
	Cycle Cycle
	Items []Invitation
}

// Invitations lists a cycle's invitations.
func (a *App) Invitations(ctx context.Context, by complaint.Actor, cycleID string) (CycleInvitations, error) {
	out := CycleInvitations{Items: []Invitation{}}
	if err := Authorize(by, OpListInvitations); err != nil {
		return out, err
	}
	cy, err := a.cycle(ctx, cycleID)
	if err != nil {
		return out, err
	}
	out.Cycle = cy
	list, err := a.Store.Invitations(ctx, cy.ID, maxInvitations)
	if list != nil {
		out.Items = list
	}
	return out, err
}

// StaffAnswer is an answer taken by phone, on a visit or from a letter: who
// answered, when and who surveyed are recorded (000).
type StaffAnswer struct {
	CustomerID string            `json:"customer_id" doc:"The customer who answered; must be invited to the cycle."`
	Channel    survey.Channel    `json:"channel"`
	Respondent string            `json:"respondent" doc:"Who at the customer answered (000); not blank."`
	AnsweredAt *time.Time        `json:"answered_at,omitempty" doc:"When the customer answered; now when absent, not in the future."`
	Ratings    map[string]string `json:"ratings"`
	Recommend  *int              `json:"recommend,omitempty"`
	Competitor map[string]string `json:"competitor,omitempty"`
	Comment    string            `json:"comment,omitempty"`
}

// AnswerSaved names the cycle an answer was saved to.
type AnswerSaved struct {
	CycleID string
}

// EnterAnswer saves an answer the staff took for an invited customer; the
// actor is recorded as who surveyed.
func (a *App) EnterAnswer(ctx context.Context, by complaint.Actor, cycleID string, in StaffAnswer) (AnswerSaved, error) {
	if err := Authorize(by, OpEnterAnswer); err != nil {
		return AnswerSaved{}, err
	}
	cy, err := a.cycle(ctx, cycleID)
	if err != nil {
		return AnswerSaved{}, err
	}
	if in.Channel != survey.ChannelPhone && in.Channel != survey.ChannelVisit && in.Channel != survey.ChannelLetter {
		return AnswerSaved{}, Refuse(Invalid, "channel", "channel must be phone, visit or letter (online answers come through the customer's link)")
	}
	if strings.TrimSpace(in.Respondent) == "" {
		return AnswerSaved{}, Refuse(Invalid, "respondent", "respondent is required: who answered (000)")
	}
	inv, err := a.Store.InvitationFor(ctx, cy.ID, in.CustomerID)
	if errors.Is(err, store.ErrNotFound) {
		return AnswerSaved{}, Refuse(Invalid, "customer_id", "customer %s was not invited to this cycle", in.CustomerID)
	}
	if err != nil {
		return AnswerSaved{}, fmt.Errorf("find the invitation: %w", err)
	}
	at := a.now()
	if in.AnsweredAt != nil {
		if in.AnsweredAt.After(at.Add(5 * time.Minute)) {
			return AnswerSaved{}, Refuse(Invalid, "answered_at", "answered_at must not be in the future")
		}
		at = *in.AnsweredAt
	}
	ans := survey.Answer{Ratings: in.Ratings, Recommend: in.Recommend, Competitor: in.Competitor, Comment: in.Comment}
	return a.saveAnswer(ctx, cy, inv, ans, store.AnswerRecord{Channel: in.Channel, SurveyedBy: by.Name, Respondent: in.Respondent, AnsweredAt: at})
}

// saveAnswer validates an answer against the cycle's questionnaire and stores it.
func (a *App) saveAnswer(ctx context.Context, cy Cycle, invitationID string, ans survey.Answer, rec store.AnswerRecord) (AnswerSaved, error) {
	q := cy.Definition.Programme.Questionnaire
	if !q.Anonymous {
		ans.CustomerID = "from-invitation" // replaced by the store with the invited customer
	}
	if err := q.ValidateAnswer(ans); err != nil {
		return AnswerSaved{}, fieldRefusal(err)
	}
	rec.Answer = ans
	err := a.Store.SaveAnswer(ctx, invitationID, q.Anonymous, rec)
	if errors.Is(err, store.ErrCycleClosed) {
		return AnswerSaved{}, ErrSurveyClosed
	}
	if errors.Is(err, store.ErrAnsweredByCustomer) {
		return AnswerSaved{}, Refuse(Conflict, "customer_id",
			"the customer answered this survey themselves through their link; staff cannot replace their answer")
	}
	if err != nil {
		return AnswerSaved{}, fmt.Errorf("save the answer: %w", err)
	}
	return AnswerSaved{CycleID: cy.ID}, nil
}

// PublicSurvey is what a customer sees through their invitation link.
type PublicSurvey struct {
	Programme     string               `json:"programme" doc:"The programme's name."`
	Questionnaire survey.Questionnaire `json:"questionnaire"`
	ClosesAt      *time.Time           `json:"closes_at,omitempty" doc:"When the survey stops taking answers."`
	Answered      bool                 `json:"answered" doc:"Whether the customer has answered; answering again replaces the answer while the survey is open."`
	Open          bool                 `json:"open" doc:"Whether the survey takes answers now."`
	// Previous is the answer given through this link while the survey is
	// open, for the customer to change.
	Previous *EarlierAnswer `json:"previous,omitempty" doc:"The answer given through this link, while the survey is open, so the customer can change it; absent before the first answer and after the survey closes."`
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
	Segment string `json:"segment,omitempty" doc:"The respondent's line of business, for the breakdowns; kept only in an anonymous survey (otherwise the customer's own is used)."`
}

// linkInvitation is the invitation a customer's survey link opens, and its cycle.
func (a *App) linkInvitation(ctx context.Context, token string) (Invitation, Cycle, error) {
	invitationID, err := a.verifyLink(token, LinkPurposeSurvey)
	if err != nil {
		return Invitation{}, Cycle{}, err
	}
	iv, err := a.Store.GetInvitation(ctx, invitationID)
	if errors.Is(err, store.ErrNotFound) {
		return iv, Cycle{}, errBadLink()
	}
	if err != nil {
		return iv, Cycle{}, fmt.Errorf("read the invitation: %w", err)
	}
	cy, err := a.Store.GetCycle(ctx, iv.CycleID)
	if err != nil {
		return iv, cy, fmt.Errorf("read the survey: %w", err)
	}
	return iv, cy, nil
}

// PublicSurvey is the survey of the invitation a customer's link (token)
// opens, with their earlier answer while they may change it.
func (a *App) PublicSurvey(ctx context.Context, token string) (PublicSurvey, error) {
	iv, cy, err := a.linkInvitation(ctx, token)
	if err != nil {
		return PublicSurvey{}, err
	}
	ps := PublicSurvey{
		Programme: cy.Definition.Name, Questionnaire: cy.Definition.Programme.Questionnaire,
		ClosesAt: cy.ClosesAt, Answered: iv.AnsweredAt != nil, Open: cy.Status == store.CycleOpen,
	}
	if ps.Answered && ps.Open {
		anonymous := cy.Definition.Programme.Questionnaire.Anonymous
		prev, err := a.Store.PreviousAnswer(ctx, iv.ID, anonymous)
		if err != nil {
			return PublicSurvey{}, fmt.Errorf("read the earlier answer: %w", err)
		}
		if prev != nil {
			ps.Previous = &EarlierAnswer{Ratings: prev.Ratings, Recommend: prev.Recommend, Competitor: prev.Competitor, Comment: prev.Comment}
			if anonymous {
				ps.Previous.Segment = prev.Segment
			}
		}
	}
	return ps, nil
}

// AnswerPublicSurvey saves (or changes) a customer's answer through their
// link (token).
func (a *App) AnswerPublicSurvey(ctx context.Context, token string, in PublicAnswer) (AnswerSaved, error) {
	iv, cy, err := a.linkInvitation(ctx, token)
	if err != nil {
		return AnswerSaved{}, err
	}
	ans := survey.Answer{Ratings: in.Ratings, Recommend: in.Recommend, Competitor: in.Competitor, Comment: in.Comment}
	if cy.Definition.Programme.Questionnaire.Anonymous {
		ans.Segment = in.Segment
	}
	return a.saveAnswer(ctx, cy, iv.ID, ans, store.AnswerRecord{Channel: survey.ChannelLink, Respondent: "customer", AnsweredAt: a.now()})
}

// DeliveryStarted names the follow-up workflow of a delivery.
type DeliveryStarted struct {
	WorkflowID string      `json:"workflow_id" doc:"The follow-up workflow, in Temporal."`
	FollowUps  []time.Time `json:"follow_ups"`
}

// maxDeliveryReference bounds a delivery's reference.
const maxDeliveryReference = 200

// RecordDelivery schedules the after-delivery surveys of one customer: 1, 3
// and 12 months after the delivery. Recording the same delivery again
// changes nothing.
func (a *App) RecordDelivery(ctx context.Context, by complaint.Actor, in Delivery) (DeliveryStarted, error) {
	if err := Authorize(by, OpRecordDelivery); err != nil {
		return DeliveryStarted{}, err
	}
	switch {
	case in.CustomerID == "":
		return DeliveryStarted{}, Refuse(Invalid, "customer_id", "customer_id is required")
	case in.DeliveredAt.IsZero():
		return DeliveryStarted{}, Refuse(Invalid, "delivered_at", "delivered_at is required (RFC 3339)")
	case in.DeliveredAt.After(a.now().Add(24 * time.Hour)):
		return DeliveryStarted{}, Refuse(Invalid, "delivered_at", "delivered_at must not be in the future")
	case len(in.Reference) > maxDeliveryReference:
		return DeliveryStarted{}, tooLong("reference", maxDeliveryReference)
	}
	if _, err := a.Store.Customer(ctx, in.CustomerID); errors.Is(err, store.ErrNotFound) {
		return DeliveryStarted{}, Refuse(Invalid, "customer_id", "no customer has ID %s", in.CustomerID)
	} else if err != nil {
		return DeliveryStarted{}, fmt.Errorf("read the customer: %w", err)
	}
	if uuid.Validate(in.ProgrammeID) != nil {
		return DeliveryStarted{}, Refuse(Invalid, "programme_id", "programme_id must be a survey programme's ID")
	}
	if _, err := a.Store.Definition(ctx, in.ProgrammeID); errors.Is(err, store.ErrNotFound) {
		return DeliveryStarted{}, Refuse(Invalid, "programme_id", "no survey programme has ID %s", in.ProgrammeID)
	} else if err != nil {
		return DeliveryStarted{}, fmt.Errorf("read the programme: %w", err)
	}
	key := in.Reference
	if key == "" {
		key = in.DeliveredAt.UTC().Format(time.RFC3339)
	}
	wid := "delivery:" + in.CustomerID + ":" + key
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: wid, TaskQueue: a.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.DeliveryFollowUpWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return DeliveryStarted{}, fmt.Errorf("schedule the follow-ups: %w", err)
	}
	out := DeliveryStarted{WorkflowID: wid}
	for _, m := range workflows.FollowUpMonths {
		out.FollowUps = append(out.FollowUps, in.DeliveredAt.AddDate(0, m, 0))
	}
	return out, nil
}
