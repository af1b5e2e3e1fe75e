package app

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/org"
)

// The improvement operations refuse what they can tell without the read
// model or the workflow: each refusal with its code and the field at fault.

func refusal(t *testing.T, err error) *Error {
	t.Helper()
	e, ok := As(err)
	if !ok {
		t.Fatalf("want a refusal, got %v", err)
	}
	return e
}

func TestImprovementsRefusesABadFilterAndScopesOthersToNothing(t *testing.T) {
	a := &App{} // no store: none of these reaches it
	auditor := complaint.Actor{ID: "a", Roles: []org.Role{org.RoleInternalAuditor}}
	ok := ImprovementFilter{Limit: 50}
	for field, f := range map[string]ImprovementFilter{
		"status":       {Status: "done", Limit: 50},
		"source":       {Source: "rumour", Limit: 50},
		"complaint_id": {ComplaintID: "TS-1", Limit: 50},
		"limit":        {},
	} {
		page, err := a.Improvements(context.Background(), auditor, f)
		if e := refusal(t, err); e.Code != Invalid || e.Field != field {
			t.Errorf("%s: %+v", field, e)
		}
		if page.Items == nil {
			t.Errorf("%s: a refused list is still a list", field)
		}
	}
	if _, err := a.Improvements(context.Background(), auditor, ImprovementFilter{Limit: improvementPageMax + 1}); refusal(t, err).Field != "limit" {
		t.Errorf("a page of %d: %v", improvementPageMax+1, err)
	}
	// Customer service owns no actions; a member asking for another
	// department's gets none of them.
	clerk := complaint.Actor{ID: "c", Roles: []org.Role{org.RoleIntakeClerk}, Department: "after-sales"}
	member := complaint.Actor{ID: "m", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	other := ok
	other.Department = "quality"
	for _, c := range []struct {
		by complaint.Actor
		f  ImprovementFilter
	}{{clerk, ok}, {member, other}} {
		page, err := a.Improvements(context.Background(), c.by, c.f)
		if err != nil || page.Items == nil || len(page.Items) != 0 || page.Next != "" {
			t.Errorf("%v asking for %q: %+v %v", c.by.Roles, c.f.Department, page, err)
		}
	}
}

func TestImprovementIDsAreUUIDs(t *testing.T) {
	a := &App{}
	quality := complaint.Actor{ID: "q", Roles: []org.Role{org.RoleQualityDepartment}}
	if _, err := a.Improvement(context.Background(), quality, "IMP-1"); refusal(t, err).Code != NotFound {
		t.Errorf("read IMP-1: %v", err)
	}
	if _, err := a.TakeImprovementStep(context.Background(), quality, "IMP-1", improvement.CompletionInput{Result: "done"}, ""); refusal(t, err).Code != NotFound {
		t.Errorf("step on IMP-1: %v", err)
	}
	if id, err := improvementID(" " + "0B8F1C7E-5D0A-4E0B-9D7C-1A2B3C4D5E6F"); err == nil {
		t.Errorf("a padded ID was taken as %s", id)
	}
	if id, err := improvementID("0B8F1C7E-5D0A-4E0B-9D7C-1A2B3C4D5E6F"); err != nil || id != "0b8f1c7e-5d0a-4e0b-9d7c-1a2b3c4d5e6f" {
		t.Errorf("canonical ID: %q %v", id, err)
	}
}

type notAStep struct{}

func (notAStep) Validate() error { return nil }

func TestImprovementStepInputsNameTheirStepAndCarryTheActor(t *testing.T) {
	by := complaint.Actor{ID: "e", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	yes := true
	for _, c := range []struct {
		in   ImprovementStepInput
		step improvement.Step
		op   Op
	}{
		{improvement.PlanInput{Plan: "p"}, improvement.StepPlan, OpPlanImprovement},
		{improvement.CompletionInput{Result: "r"}, improvement.StepCompletion, OpCompleteImprovement},
		{improvement.VerificationInput{Effective: &yes}, improvement.StepVerification, OpVerifyImprovement},
	} {
		step, op, sub, err := improvementSubmission(by, c.in)
		if err != nil || step != c.step || op != c.op {
			t.Errorf("%T: %s %s %v", c.in, step, op, err)
		}
		// The workflow's Update handler decodes improvement.Submission[T].
		v := reflect.ValueOf(sub)
		if !reflect.DeepEqual(v.Field(0).Interface(), by) || !reflect.DeepEqual(v.Field(1).Interface(), c.in) {
			t.Errorf("%T: submitted %#v", c.in, sub)
		}
	}
	if _, _, _, err := improvementSubmission(by, notAStep{}); err == nil {
		t.Error("another input was taken as a step's")
	}

	// A step's input is checked before it is sent, naming the field.
	id := uuid.NewString()
	for field, in := range map[string]ImprovementStepInput{
		"plan":      improvement.PlanInput{Plan: " "},
		"result":    improvement.CompletionInput{},
		"effective": improvement.VerificationInput{},
	} {
		if _, err := (&App{}).TakeImprovementStep(context.Background(), by, id, in, ""); refusal(t, err).Field != field {
			t.Errorf("%T: %v", in, err)
		}
	}
}

func TestOpenImprovementChecksTheInputThenWhoOpens(t *testing.T) {
	a := &App{}
	due := time.Now().Add(24 * time.Hour)
	in := improvement.OpenInput{Title: "t", Description: "d", Department: "engineering", DueAt: &due,
		Source: improvement.Source{Kind: improvement.SourceManual}}
	market := complaint.Actor{ID: "m", Roles: []org.Role{org.RoleMarketDepartment}}
	noTitle := in
	noTitle.Title = ""
	if _, err := a.OpenImprovement(context.Background(), market, noTitle, ""); refusal(t, err).Field != "title" {
		t.Errorf("no title: %v", err)
	}
	branch := complaint.Actor{ID: "b", Roles: []org.Role{org.RoleBranchHead}, Department: "suzhou"}
	clerk := complaint.Actor{ID: "c", Roles: []org.Role{org.RoleIntakeClerk}}
	for _, by := range []complaint.Actor{branch, clerk} {
		if _, err := a.OpenImprovement(context.Background(), by, in, ""); refusal(t, err).Code != Forbidden {
			t.Errorf("%v opened engineering's action: %v", by.Roles, err)
		}
	}
}
