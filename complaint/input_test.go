package complaint

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func validIntake() Intake {
	return Intake{
		Customer:      Customer{Name: "王伟", Contact: "138"},
		Channel:       ChannelPhone,
		Category:      CategoryContract,
		Subject:       "交货延迟",
		Description:   "合同约定交期已过两周。",
		EstimatedLoss: ptr(0.0),
	}
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *FieldError
	require.True(t, errors.As(err, &fe), "want a FieldError for %s, got %v", field, err)
	require.Equal(t, field, fe.Field)
}

func TestIntakeValidation(t *testing.T) {
	require.NoError(t, validIntake().Validate(now))
	for field, mutate := range map[string]func(*Intake){
		"customer.name":     func(in *Intake) { in.Customer.Name = "  " },
		"customer.contact":  func(in *Intake) { in.Customer.Contact = "" },
		"subject":           func(in *Intake) { in.Subject = "" },
		"description":       func(in *Intake) { in.Description = strings.Repeat("长", maxLongText+1) },
		"channel":           func(in *Intake) { in.Channel = "fax" },
		"category":          func(in *Intake) { in.Category = "" },
		"estimated_loss":    func(in *Intake) { in.EstimatedLoss = nil },
		"complainant_class": func(in *Intake) { in.ComplainantClass = "Z" },
		"received_at":       func(in *Intake) { in.ReceivedAt = ptr(now.Add(time.Hour)) },
	} {
		in := validIntake()
		mutate(&in)
		requireField(t, in.Validate(now), field)
	}
	in := validIntake()
	in.ReceivedAt = ptr(now.Add(2 * time.Minute)) // clock skew is tolerated
	require.NoError(t, in.Validate(now))
}

func TestStepInputValidation(t *testing.T) {
	require.NoError(t, ValidationInput{Founded: ptr(true)}.Validate())
	requireField(t, ValidationInput{}.Validate(), "founded")
	requireField(t, ValidationInput{Founded: ptr(false), Reply: "r"}.Validate(), "reason")
	requireField(t, ValidationInput{Founded: ptr(false), Reason: "r"}.Validate(), "reply")

	requireField(t, AssignmentInput{Handler: "h"}.Validate(), "department")
	requireField(t, RootCauseInput{Cause: "c", ResponsiblePerson: "p"}.Validate(), "corrective_action")
	requireField(t, RootCauseInput{Cause: "c", ResponsiblePerson: "p", CorrectiveAction: "a", CauseType: "luck"}.Validate(), "cause_type")

	require.NoError(t, PlanInput{Plan: "p"}.Validate())
	requireField(t, PlanInput{}.Validate(), "plan")
	requireField(t, PlanInput{Plan: "p", DueAt: ptr(now)}.CheckDue(now), "due_at")
	require.NoError(t, PlanInput{Plan: "p", DueAt: ptr(now.Add(time.Hour))}.CheckDue(now))

	require.NoError(t, ApprovalInput{Approved: ptr(true), Level: LevelGeneralManager}.Validate())
	requireField(t, ApprovalInput{Approved: ptr(false), Level: LevelDepartmentHead}.Validate(), "comment")
	requireField(t, ApprovalInput{Approved: ptr(true), Level: LevelOwner}.Validate(), "level")

	requireField(t, ExecutionInput{Result: "r"}.Validate(), "customer_notified")
	requireField(t, CallbackInput{Satisfied: ptr(false)}.Validate(), "comment")
	require.NoError(t, CallbackInput{Satisfied: ptr(true)}.Validate())
	requireField(t, ReviewInput{Summary: "s"}.Validate(), "cause_type")
	require.NoError(t, ReviewInput{Summary: "s", CauseType: CauseCooperation}.Validate())
}

// A nil *FieldError must never become a non-nil error: every Validate returns
// a plain nil on success.
func TestValidReturnsUntypedNil(t *testing.T) {
	for _, v := range []interface{ Validate() error }{
		ValidationInput{Founded: ptr(true)}, AssignmentInput{Department: "d", Handler: "h"},
		RootCauseInput{Cause: "c", ResponsiblePerson: "p", CorrectiveAction: "a"}, PlanInput{Plan: "p"},
		ApprovalInput{Approved: ptr(true), Level: LevelDepartmentHead}, ExecutionInput{Result: "r", CustomerNotified: ptr(false)},
		CallbackInput{Satisfied: ptr(true)}, ReviewInput{Summary: "s", CauseType: CauseChance},
	} {
		require.True(t, v.Validate() == nil, "%T", v)
	}
}
