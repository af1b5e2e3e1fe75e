package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
	"github.com/cxflow/cxflow/workflows"
)

// Customers' links: a signed token is the permission of whoever holds it. The
// operations verify it themselves, so every face (the JSON API for a
// program, the console's page for a browser) treats a link alike: forged,
// expired, for another purpose or naming nothing — one refusal.

// LinkPurposeCallback marks signed links that let a customer answer the
// callback (回访).
const LinkPurposeCallback = "callback"

// LinkPurposeSurvey marks signed links that open a survey invitation.
const LinkPurposeSurvey = survey.LinkPurpose

// errBadLink refuses a link that is not valid or names nothing.
func errBadLink() error {
	return Refuse(Forbidden, "", "this link is not valid or has expired; please contact us")
}

// verifyLink is the record a customer's token names, for purpose.
func (a *App) verifyLink(token, purpose string) (string, error) {
	if a.Links == nil {
		return "", errBadLink()
	}
	id, err := a.Links.Verify(token, purpose, a.now())
	if err != nil {
		return "", errBadLink()
	}
	return id, nil
}

// CallbackLink is a signed link customer service sends to the complainant.
type CallbackLink struct {
	URL       string    `json:"url" doc:"The link to send the customer."`
	Token     string    `json:"token" doc:"The link's signed token, the last segment of url."`
	ExpiresAt time.Time `json:"expires_at" doc:"When the link stops working."`
}

// MakeCallbackLink signs a link for the customer to confirm (or not) that
// they are satisfied; it works only while the complaint awaits its callback.
func (a *App) MakeCallbackLink(ctx context.Context, by complaint.Actor, id string) (CallbackLink, error) {
	cm, err := a.Complaint(ctx, by, id)
	if err != nil {
		return CallbackLink{}, err
	}
	if err := complaint.Authorize(by, &cm, complaint.ActCallbackLink, ""); err != nil {
		return CallbackLink{}, &Error{Code: Forbidden, Message: err.Error()}
	}
	if cm.Status != complaint.StepCallback {
		return CallbackLink{}, Refuse(Conflict, "", "complaint %s is waiting for %s, not the callback", cm.Number, cm.Status)
	}
	if a.Links == nil {
		return CallbackLink{}, errors.New("no link keys configured")
	}
	exp := a.now().Add(a.LinkTTL)
	tok := a.Links.Sign(LinkPurposeCallback, id, exp)
	return CallbackLink{URL: strings.TrimSuffix(a.PublicURL, "/") + "/public/callback/" + tok, Token: tok, ExpiresAt: exp}, nil
}

// PublicComplaint is what the customer sees through their link: no internal notes.
type PublicComplaint struct {
	Number   string         `json:"number"`
	Subject  string         `json:"subject"`
	Status   complaint.Step `json:"status" doc:"The step the complaint awaits."`
	Result   string         `json:"result,omitempty" doc:"What was done about the complaint (the execution's result), once reported."`
	Answered bool           `json:"answered" doc:"Whether the callback is behind the complaint: the customer can answer only while it is not."`
}

// linkComplaint is the complaint a callback link names.
func (a *App) linkComplaint(ctx context.Context, token string) (complaint.Complaint, error) {
	id, err := a.verifyLink(token, LinkPurposeCallback)
	if err != nil {
		return complaint.Complaint{}, err
	}
	st, err := a.Store.GetComplaint(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return complaint.Complaint{}, errBadLink()
	}
	if err != nil {
		return complaint.Complaint{}, fmt.Errorf("read the complaint: %w", err)
	}
	return st.Complaint, nil
}

// PublicCallback is the complaint a customer's callback link opens.
func (a *App) PublicCallback(ctx context.Context, token string) (PublicComplaint, error) {
	cm, err := a.linkComplaint(ctx, token)
	if err != nil {
		return PublicComplaint{}, err
	}
	pc := PublicComplaint{Number: cm.Number, Subject: cm.Subject, Status: cm.Status, Answered: cm.Status != complaint.StepCallback}
	if cm.Execution != nil {
		pc.Result = cm.Execution.Result
	}
	return pc, nil
}

// CallbackAnswered is a customer's callback answer as taken.
type CallbackAnswered struct {
	Complaint PublicComplaint
	// WorkflowID and UpdateID name the step for the audit trail.
	WorkflowID, UpdateID string
	Replayed             bool
}

// AnswerPublicCallback takes the customer's callback answer through their
// link, as the customer; key makes a retry safe (Idempotency-Key).
func (a *App) AnswerPublicCallback(ctx context.Context, token string, in complaint.CallbackInput, key string) (CallbackAnswered, error) {
	cm, err := a.linkComplaint(ctx, token)
	if err != nil {
		return CallbackAnswered{}, err
	}
	if err := in.Validate(); err != nil {
		return CallbackAnswered{}, fieldRefusal(err)
	}
	customer := complaint.CustomerActor(cm.ID)
	out := CallbackAnswered{WorkflowID: complaint.WorkflowID(cm.ID)}
	done, err := a.TakeComplaintStep(ctx, customer, cm.ID, workflows.UpdateCallback,
		complaint.Submission[complaint.CallbackInput]{Actor: customer, Input: in}, key)
	out.UpdateID, out.Replayed = done.UpdateID, done.Replayed
	if err != nil {
		return out, err
	}
	got := done.Complaint
	out.Complaint = PublicComplaint{Number: got.Number, Subject: got.Subject, Status: got.Status, Answered: true}
	return out, nil
}

// PublicStatus is a complaint as its customer follows it through their
// status link: the stage in plain words, when the next answer is due, and
// once closed the outcome or the written reply. Nothing internal: no staff,
// no root cause, no notes.
type PublicStatus struct {
	Number     string    `json:"number" doc:"The complaint's number."`
	Subject    string    `json:"subject" doc:"What the complaint is about, as recorded."`
	ReceivedAt time.Time `json:"received_at" doc:"When the complaint was received."`
	// Stage is where the complaint stands, in the customer's terms.
	Stage PublicStage `json:"stage" doc:"Where the complaint stands, in the customer's terms: checking (核实), assigning (安排责任部门), analysing (分析原因、制定方案), fixing (整改), confirming (回访确认), concluding (总结), closed (办结)."`
	// NextAnswerBy is when the current stage is due (absent once closed).
	NextAnswerBy *time.Time `json:"next_answer_by,omitempty" doc:"When the current stage is due; absent once closed or while it waits for the customer."`
	Closed       bool       `json:"closed" doc:"Whether the complaint is closed."`
	ClosedAt     *time.Time `json:"closed_at,omitempty" doc:"When it was closed."`
	Founded      *bool      `json:"founded,omitempty" doc:"Whether the complaint was found justified, once judged."`
	// Outcome is the remedy done (the execution's result); Reply the written
	// answer to a complaint not founded.
	Outcome string `json:"outcome,omitempty" doc:"What was done about the complaint, once done."`
	Reply   string `json:"reply,omitempty" doc:"The written reply to a complaint judged not founded."`
}

// PublicStage is a complaint's stage as its customer is told it.
type PublicStage string

// The stages, in order.
const (
	StageChecking   PublicStage = "checking"
	StageAssigning  PublicStage = "assigning"
	StageAnalysing  PublicStage = "analysing"
	StageFixing     PublicStage = "fixing"
	StageConfirming PublicStage = "confirming"
	StageConcluding PublicStage = "concluding"
	StageClosed     PublicStage = "closed"
)

// PublicStages lists the stages in order.
var PublicStages = []PublicStage{StageChecking, StageAssigning, StageAnalysing, StageFixing, StageConfirming, StageConcluding, StageClosed}

// stageOf is the customer's stage of a step.
func stageOf(s complaint.Step) PublicStage {
	switch s {
	case complaint.StepValidation:
		return StageChecking
	case complaint.StepAssignment:
		return StageAssigning
	case complaint.StepRootCause, complaint.StepPlan, complaint.StepApproval:
		return StageAnalysing
	case complaint.StepExecution:
		return StageFixing
	case complaint.StepCallback:
		return StageConfirming
	case complaint.StepReview:
		return StageConcluding
	}
	return StageClosed
}

// PublicStatus is the complaint a customer's status link names. The link
// stops working StatusAfterClose after the complaint closed; forged, expired
// or for another purpose, it is refused like every customer link.
func (a *App) PublicStatus(ctx context.Context, token string) (PublicStatus, error) {
	id, err := a.verifyLink(token, complaint.LinkPurposeStatus)
	if err != nil {
		return PublicStatus{}, err
	}
	st, err := a.Store.GetComplaint(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return PublicStatus{}, errBadLink()
	}
	if err != nil {
		return PublicStatus{}, fmt.Errorf("read the complaint: %w", err)
	}
	c := st.Complaint
	if c.ClosedAt != nil && a.now().After(c.ClosedAt.Add(complaint.StatusAfterClose)) {
		return PublicStatus{}, errBadLink()
	}
	ps := PublicStatus{Number: c.Number, Subject: c.Subject, ReceivedAt: c.ReceivedAt, Stage: stageOf(c.Status),
		Closed: c.Status == complaint.StepClosed, ClosedAt: c.ClosedAt}
	if !ps.Closed && c.Paused == nil {
		ps.NextAnswerBy = c.DueAt
	}
	if c.Validation != nil {
		founded := c.Validation.Founded
		ps.Founded = &founded
		if !founded {
			ps.Reply = c.Validation.Reply
		}
	}
	if c.Execution != nil {
		ps.Outcome = c.Execution.Result
	}
	return ps, nil
}
