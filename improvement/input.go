package improvement

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/validate"
)

// Text limits, as for complaints: printable on a form, small in histories.
const (
	maxShortText = 200
	maxLongText  = 10_000
	// MaxRefs bounds the count of answers an action refers to.
	MaxRefs = 1_000_000
	// MaxBusinessKey bounds a business key (an Idempotency-Key through the API).
	MaxBusinessKey = 200
)

var (
	fieldErr = validate.Errorf
	required = validate.Required
	optional = validate.Optional
	firstErr = validate.First
)

// SourceKind says what opened an action.
type SourceKind string

const (
	// SourceSurvey: dissatisfied answers on one dimension of a survey cycle (002 制度).
	SourceSurvey SourceKind = "survey"
	// SourceComplaint: a complaint's review or CAPA (001).
	SourceComplaint SourceKind = "complaint"
	// SourceManual: opened by hand, e.g. after an internal audit.
	SourceManual SourceKind = "manual"
)

// SourceKinds lists the valid kinds.
var SourceKinds = []SourceKind{SourceSurvey, SourceComplaint, SourceManual}

// Source is what the action answers.
type Source struct {
	Kind SourceKind `json:"kind"`
	// CycleID and Dimension name the survey cycle and the dimension code (survey).
	CycleID   string `json:"cycle_id,omitempty" doc:"The survey cycle whose answers the action answers (kind survey)."`
	Dimension string `json:"dimension,omitempty" doc:"The code of the dimension rated poorly (kind survey)."`
	// ComplaintID names the complaint (complaint).
	ComplaintID string `json:"complaint_id,omitempty" doc:"The complaint the action answers (kind complaint)."`
}

// Validate checks the source; fields are named under "source.".
func (s Source) Validate() error {
	switch s.Kind {
	case SourceSurvey:
		if err := firstErr(
			required("source.cycle_id", s.CycleID, maxShortText),
			required("source.dimension", s.Dimension, maxShortText),
		); err != nil {
			return err
		}
		if s.ComplaintID != "" {
			return fieldErr("source.complaint_id", "is only for source kind complaint")
		}
	case SourceComplaint:
		if s.ComplaintID == "" {
			return validate.Missing("source.complaint_id", "is required for source kind complaint")
		}
		if _, err := uuid.Parse(s.ComplaintID); err != nil {
			return fieldErr("source.complaint_id", "must be a complaint ID")
		}
		return s.surveyFieldsUnset()
	case SourceManual:
		if err := s.surveyFieldsUnset(); err != nil {
			return err
		}
		if s.ComplaintID != "" {
			return fieldErr("source.complaint_id", "is only for source kind complaint")
		}
	default:
		return fieldErr("source.kind", "must be one of survey, complaint, manual")
	}
	return nil
}

func (s Source) surveyFieldsUnset() error {
	switch {
	case s.CycleID != "":
		return fieldErr("source.cycle_id", "is only for source kind survey")
	case s.Dimension != "":
		return fieldErr("source.dimension", "is only for source kind survey")
	}
	return nil
}

var departmentPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// OpenInput is what an opener says about a new action: the request body of
// POST /api/v1/improvement-actions.
type OpenInput struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	// Department is the owner department's ID.
	Department string `json:"department" doc:"The ID of the owner department, which plans and carries out the action; a branch head opens actions only for their own branch."`
	// DueAt is the deadline to complete the action.
	DueAt  *time.Time `json:"due_at" doc:"The deadline to complete the action; must be in the future."`
	Source Source     `json:"source"`
	// Refs counts what the action answers (e.g. dissatisfied answers).
	Refs int `json:"refs,omitempty" doc:"How many things the action answers, e.g. dissatisfied survey answers; 0 when absent."`
}

// Validate checks the input against now, the time it is opened.
func (in OpenInput) Validate(now time.Time) error {
	if err := firstErr(
		required("title", in.Title, maxShortText),
		required("description", in.Description, maxLongText),
		required("department", in.Department, maxShortText),
	); err != nil {
		return err
	}
	if !departmentPattern.MatchString(in.Department) {
		return fieldErr("department", "must be a department ID, e.g. engineering")
	}
	if in.DueAt == nil {
		return validate.Missing("due_at", "is required: the deadline to complete the action")
	}
	if !in.DueAt.After(now) {
		return validate.Future("due_at")
	}
	if in.Refs < 0 || in.Refs > MaxRefs {
		return fieldErr("refs", "must be between 0 and %d", MaxRefs)
	}
	return in.Source.Validate()
}

// Hash identifies the input's content (times at microsecond precision, in UTC),
// so a repeated open can tell the same request from another one.
func (in OpenInput) Hash() string {
	if in.DueAt != nil {
		d := in.DueAt.UTC().Truncate(time.Microsecond)
		in.DueAt = &d
	}
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Open starts an action: the input, who opens it, and optionally the business
// key that makes opening idempotent (see SurveyKey, ComplaintKey).
type Open struct {
	OpenInput
	BusinessKey string `json:"business_key,omitempty"`
	OpenedBy    Actor  `json:"opened_by"`
}

// Validate checks the open request against now.
func (o Open) Validate(now time.Time) error {
	if err := o.OpenInput.Validate(now); err != nil {
		return err
	}
	return firstErr(optional("business_key", o.BusinessKey, MaxBusinessKey))
}

// ID is the action ID the open names: derived from the business key, or
// fresh when there is none.
func (o Open) ID() string {
	if o.BusinessKey != "" {
		return IDFor(o.BusinessKey)
	}
	return uuid.NewString()
}

// PlanInput is the owner department's plan (制定改进计划).
type PlanInput struct {
	Plan string `json:"plan"`
	// DueAt is when the plan will be complete; without it, the action's due_at.
	DueAt *time.Time `json:"due_at,omitempty" doc:"When the plan will be complete."`
}

func (in PlanInput) Validate() error { return firstErr(required("plan", in.Plan, maxLongText)) }

// CheckDue checks the plan's date against now and the action's deadline: in
// the future, and not later than the action's due_at while that is still
// ahead; once it has passed (a late plan, a new round) the plan must give its own.
func (in PlanInput) CheckDue(now, actionDue time.Time) error {
	if in.DueAt == nil {
		if !actionDue.After(now) {
			return validate.Missing("due_at", "is required: the action's due date (%s) has passed; give the date this plan will be complete by",
				actionDue.UTC().Format(time.RFC3339))
		}
		return nil
	}
	if !in.DueAt.After(now) {
		return validate.Future("due_at")
	}
	if actionDue.After(now) && in.DueAt.After(actionDue) {
		return fieldErr("due_at", "must not be after the action's due date (%s)", actionDue.UTC().Format(time.RFC3339))
	}
	return nil
}

// CompletionInput reports the plan carried out (实施完成).
type CompletionInput struct {
	Result string `json:"result"`
}

func (in CompletionInput) Validate() error {
	return firstErr(required("result", in.Result, maxLongText))
}

// VerificationInput judges whether the action was effective (效果验证).
type VerificationInput struct {
	Effective *bool  `json:"effective"`
	Comment   string `json:"comment"`
}

func (in VerificationInput) Validate() error {
	if in.Effective == nil {
		return validate.Missing("effective", "is required (true or false)")
	}
	if !*in.Effective {
		// Why it was not effective is what the next round's plan must answer.
		return firstErr(required("comment", in.Comment, maxLongText))
	}
	return firstErr(optional("comment", in.Comment, maxLongText))
}
