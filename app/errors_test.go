package app

import (
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/validate"
	"github.com/cxflow/cxflow/workflows"
)

// A domain check's rule reaches the faces whichever way the refusal comes:
// from the operation's own check, or from a workflow's Update validator.
func TestRefusalsKeepTheRuleTheyFailed(t *testing.T) {
	err := fieldRefusal(complaint.PauseInput{WaitingOn: "customer"}.Validate())
	e, ok := As(err)
	if !ok || e.Code != Invalid || e.Field != "reason" || e.Rule != validate.RuleRequired || e.Message != "reason: is required" {
		t.Fatalf("operation's check: %#v", err)
	}

	wf := temporal.NewApplicationError("invalid", workflows.ErrInvalidArgument, *validate.Future("due_at"))
	e, ok = As(WorkflowRefusal(wf))
	if !ok || e.Field != "due_at" || e.Rule != validate.RuleFuture || e.Message != "due_at: must be in the future" {
		t.Fatalf("workflow's validator: %#v", e)
	}

	e, _ = As(outOfRange("limit", 1, 200))
	if e.Rule != validate.RuleRange || e.Min != 1 || e.Max != 200 || e.Message != "limit must be a whole number from 1 to 200" {
		t.Fatalf("range: %#v", e)
	}
	if _, ok := As(errors.New("plain")); ok {
		t.Fatal("a plain error is no refusal")
	}
}
