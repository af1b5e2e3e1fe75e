package complaint

import (
	"slices"
	"time"

	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/validate"
)

// FieldError is a request that names the field it is wrong about.
type FieldError = validate.Error

// Text limits keep records printable on a form and histories small.
const (
	maxShortText = validate.MaxShortText
	maxLongText  = validate.MaxLongText
)

var (
	fieldErr = validate.Errorf
	required = validate.Required
	optional = validate.Optional
	firstErr = validate.First
)

// Actor is the person (or system) behind an action, as recorded in the timeline
// and checked by the workflow's validators.
type Actor struct {
	ID         string     `json:"id"`
	Name       string     `json:"name,omitempty"`
	Role       string     `json:"role,omitempty" doc:"The role acted in: the first the person held, system or customer, or a free-form role in entries older than sign-in."`
	Roles      []org.Role `json:"roles,omitempty" doc:"Every role the person held when acting."`
	Department string     `json:"department,omitempty"`
}

// Has reports whether the actor holds the role.
func (a Actor) Has(r org.Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// RoleSystem is held by cxflow itself: timers and calendar roll-outs.
const RoleSystem org.Role = "system"

// RoleCustomer is held by a customer acting through a signed link.
const RoleCustomer org.Role = "customer"

// SystemActor acts for timers: escalations are nobody's keystroke.
var SystemActor = Actor{ID: "system", Name: "cxflow", Role: string(RoleSystem), Roles: []org.Role{RoleSystem}}

// CustomerActor is the complainant answering through a signed link.
func CustomerActor(complaintID string) Actor {
	return Actor{ID: "customer:" + complaintID, Name: "customer", Role: string(RoleCustomer), Roles: []org.Role{RoleCustomer}}
}

// Customer is the complainant (投诉人).
type Customer struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
	Contact      string `json:"contact"`
	// Email and Mobile, when given, are where cxflow itself tells the
	// customer: the acknowledgement with the status link, the outcome.
	Email  string `json:"email,omitempty" doc:"The customer's e-mail address; when given, cxflow acknowledges the complaint there with its number and a link to follow it, and sends the outcome."`
	Mobile string `json:"mobile,omitempty" doc:"The customer's mobile number (13812345678, or +country code and number); stored without spaces and hyphens."`
}

// Intake is what the clerk records when a complaint arrives (002 第二十一条).
type Intake struct {
	Customer         Customer         `json:"customer"`
	Channel          Channel          `json:"channel"`
	Category         Category         `json:"category"`
	Subject          string           `json:"subject"`
	Description      string           `json:"description"`
	Request          string           `json:"request,omitempty"`
	EstimatedLoss    *float64         `json:"estimated_loss" doc:"Estimated direct loss in RMB (0 when there is none), at most 1e12; grades the severity."`
	Branch           string           `json:"branch,omitempty" doc:"The branch (分公司) the complaint concerns; a branch's cases also go to HQ's market department for approval."`
	ComplainantClass ComplainantClass `json:"complainant_class,omitempty" doc:"Defaults to C."`
	ReceivedAt       *time.Time       `json:"received_at,omitempty" doc:"When the complaint was received; defaults to now, must not be in the future. Time limits count from it."`
}

// maxLoss bounds the loss to what the database column holds.
const maxLoss = 1e12

// Validate checks the intake against now, the time it is recorded.
func (in Intake) Validate(now time.Time) error {
	if err := firstErr(
		required("customer.name", in.Customer.Name, maxShortText),
		optional("customer.organisation", in.Customer.Organisation, maxShortText),
		required("customer.contact", in.Customer.Contact, maxShortText),
		validate.Email("customer.email", in.Customer.Email),
		validate.Mobile("customer.mobile", in.Customer.Mobile),
		required("subject", in.Subject, maxShortText),
		required("description", in.Description, maxLongText),
		optional("request", in.Request, maxLongText),
		optional("branch", in.Branch, maxShortText),
	); err != nil {
		return err
	}
	if !slices.Contains(Channels, in.Channel) {
		return validate.Choice("channel", Channels)
	}
	if !slices.Contains(Categories, in.Category) {
		return validate.Choice("category", Categories)
	}
	if in.EstimatedLoss == nil {
		return validate.Missing("estimated_loss", "is required (RMB; 0 when there is no direct loss)")
	}
	if *in.EstimatedLoss < 0 || *in.EstimatedLoss > maxLoss {
		return fieldErr("estimated_loss", "must be between 0 and %.0f", float64(maxLoss))
	}
	if in.ComplainantClass != "" && !slices.Contains(ComplainantClasses, in.ComplainantClass) {
		return validate.Choice("complainant_class", ComplainantClasses)
	}
	// A few minutes of clock skew between the clerk's device and the server is normal.
	if in.ReceivedAt != nil && in.ReceivedAt.After(now.Add(5*time.Minute)) {
		return fieldErr("received_at", "must not be in the future")
	}
	return nil
}

// ValidationInput judges whether the complaint is founded (判定投诉是否成立).
type ValidationInput struct {
	Founded *bool  `json:"founded"`
	Reason  string `json:"reason"`
	Reply   string `json:"reply"`
}

func (in ValidationInput) Validate() error {
	if in.Founded == nil {
		return validate.Missing("founded", "is required (true or false)")
	}
	if err := firstErr(optional("reason", in.Reason, maxLongText), optional("reply", in.Reply, maxLongText)); err != nil {
		return err
	}
	if !*in.Founded {
		// 001: a complaint the company is not responsible for gets a tactful written reply.
		return firstErr(required("reason", in.Reason, maxLongText), required("reply", in.Reply, maxLongText))
	}
	return nil
}

// AssignmentInput names the responsible unit and handler (确定责任部门).
type AssignmentInput struct {
	Department string `json:"department"`
	Handler    string `json:"handler"`
}

func (in AssignmentInput) Validate() error {
	return firstErr(required("department", in.Department, maxShortText), required("handler", in.Handler, maxShortText))
}

// RootCauseInput is the responsible department's analysis with its CAPA (分析原因).
type RootCauseInput struct {
	Cause             string    `json:"cause"`
	CauseType         CauseType `json:"cause_type,omitempty"`
	ResponsiblePerson string    `json:"responsible_person"`
	CorrectiveAction  string    `json:"corrective_action"`
	PreventiveAction  string    `json:"preventive_action,omitempty"`
}

func (in RootCauseInput) Validate() error {
	if err := firstErr(
		required("cause", in.Cause, maxLongText),
		required("responsible_person", in.ResponsiblePerson, maxShortText),
		required("corrective_action", in.CorrectiveAction, maxLongText),
		optional("preventive_action", in.PreventiveAction, maxLongText),
	); err != nil {
		return err
	}
	if in.CauseType != "" && !slices.Contains(CauseTypes, in.CauseType) {
		return validate.Choice("cause_type", CauseTypes)
	}
	return nil
}

// PlanInput is the resolution plan (提出处理方案).
type PlanInput struct {
	Plan  string     `json:"plan"`
	DueAt *time.Time `json:"due_at,omitempty" doc:"The promised completion time; must be in the future. The execution step's deadline when given."`
}

func (in PlanInput) Validate() error { return firstErr(required("plan", in.Plan, maxLongText)) }

// CheckDue rejects a promised due date that is not ahead of now.
func (in PlanInput) CheckDue(now time.Time) error {
	if in.DueAt != nil && !in.DueAt.After(now) {
		return validate.Future("due_at")
	}
	return nil
}

// ApprovalInput is one level's decision on the plan (主管领导批示).
type ApprovalInput struct {
	Approved *bool  `json:"approved"`
	Comment  string `json:"comment"`
	Level    Level  `json:"level"`
}

func (in ApprovalInput) Validate() error {
	if in.Approved == nil {
		return validate.Missing("approved", "is required (true or false)")
	}
	if !slices.Contains(ApprovalLevels, in.Level) {
		return validate.Choice("level", ApprovalLevels)
	}
	if !*in.Approved {
		return firstErr(required("comment", in.Comment, maxLongText))
	}
	return firstErr(optional("comment", in.Comment, maxLongText))
}

// ExecutionInput reports the plan carried out (实施处理方案).
type ExecutionInput struct {
	Result           string `json:"result"`
	CustomerNotified *bool  `json:"customer_notified"`
}

func (in ExecutionInput) Validate() error {
	if err := required("result", in.Result, maxLongText); err != nil {
		return err
	}
	if in.CustomerNotified == nil {
		return validate.Missing("customer_notified", "is required (true or false)")
	}
	return nil
}

// CallbackInput is the customer's answer at the callback (回访).
type CallbackInput struct {
	Satisfied *bool  `json:"satisfied"`
	Comment   string `json:"comment"`
}

func (in CallbackInput) Validate() error {
	if in.Satisfied == nil {
		return validate.Missing("satisfied", "is required (true or false)")
	}
	if !*in.Satisfied {
		// The reason for dissatisfaction is what the new plan must answer.
		return firstErr(required("comment", in.Comment, maxLongText))
	}
	return firstErr(optional("comment", in.Comment, maxLongText))
}

// ReviewInput closes the case with a summary (总结评价, 002 第二十六条).
type ReviewInput struct {
	Summary   string    `json:"summary"`
	CauseType CauseType `json:"cause_type"`
	Lessons   string    `json:"lessons,omitempty"`
}

func (in ReviewInput) Validate() error {
	if err := firstErr(required("summary", in.Summary, maxLongText), optional("lessons", in.Lessons, maxLongText)); err != nil {
		return err
	}
	if !slices.Contains(CauseTypes, in.CauseType) {
		return validate.Choice("cause_type", CauseTypes)
	}
	return nil
}

// Submission is one person's input to a step, as the workflow receives it. The
// server sets Actor from the caller's identity, never from the request body.
type Submission[T any] struct {
	Actor Actor `json:"actor"`
	Input T     `json:"input"`
}

// Waiting parties a paused step can wait on.
const (
	WaitingOnCustomer   = "customer"
	WaitingOnThirdParty = "third_party"
)

// PauseInput stops the current step's clock while it waits on the customer or a
// third party.
type PauseInput struct {
	Reason    string `json:"reason"`
	WaitingOn string `json:"waiting_on"`
}

func (in PauseInput) Validate() error {
	if err := firstErr(required("reason", in.Reason, maxLongText)); err != nil {
		return err
	}
	if in.WaitingOn != WaitingOnCustomer && in.WaitingOn != WaitingOnThirdParty {
		return fieldErr("waiting_on", "must be customer or third_party")
	}
	return nil
}

// ResumeInput restarts a paused step's clock.
type ResumeInput struct {
	Comment string `json:"comment,omitempty"`
}

func (in ResumeInput) Validate() error { return firstErr(optional("comment", in.Comment, maxLongText)) }

// ExtensionInput moves the current step's deadline (an extension approved by a
// department head).
type ExtensionInput struct {
	DueAt  *time.Time `json:"due_at"`
	Reason string     `json:"reason"`
}

func (in ExtensionInput) Validate() error {
	if in.DueAt == nil {
		return validate.Missing("due_at", "is required")
	}
	return firstErr(required("reason", in.Reason, maxLongText))
}
