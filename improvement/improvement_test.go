package improvement

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func validOpen() OpenInput {
	return OpenInput{
		Title: "售后响应慢", Description: "三份答卷不满意", Department: "engineering",
		DueAt: ptr(now.Add(30 * 24 * time.Hour)), Source: Source{Kind: SourceManual},
	}
}

func field(t *testing.T, err error) string {
	t.Helper()
	var fe *FieldError
	require.True(t, errors.As(err, &fe), "want a FieldError, got %v", err)
	return fe.Field
}

func TestOpenInputNamesTheField(t *testing.T) {
	require.NoError(t, validOpen().Validate(now))
	for _, tc := range []struct {
		field  string
		change func(*OpenInput)
	}{
		{"title", func(in *OpenInput) { in.Title = " " }},
		{"description", func(in *OpenInput) { in.Description = "" }},
		{"department", func(in *OpenInput) { in.Department = "" }},
		{"department", func(in *OpenInput) { in.Department = "工程部" }},
		{"due_at", func(in *OpenInput) { in.DueAt = nil }},
		{"due_at", func(in *OpenInput) { in.DueAt = ptr(now) }},
		{"refs", func(in *OpenInput) { in.Refs = -1 }},
		{"source.kind", func(in *OpenInput) { in.Source = Source{} }},
		{"source.kind", func(in *OpenInput) { in.Source = Source{Kind: "audit"} }},
		{"source.cycle_id", func(in *OpenInput) { in.Source = Source{Kind: SourceSurvey, Dimension: "service"} }},
		{"source.dimension", func(in *OpenInput) { in.Source = Source{Kind: SourceSurvey, CycleID: "c1"} }},
		{"source.complaint_id", func(in *OpenInput) { in.Source = Source{Kind: SourceComplaint} }},
		{"source.complaint_id", func(in *OpenInput) { in.Source = Source{Kind: SourceComplaint, ComplaintID: "TS-1"} }},
		{"source.complaint_id", func(in *OpenInput) {
			in.Source = Source{Kind: SourceSurvey, CycleID: "c", Dimension: "d", ComplaintID: "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00"}
		}},
		{"source.cycle_id", func(in *OpenInput) { in.Source = Source{Kind: SourceManual, CycleID: "c"} }},
		{"source.dimension", func(in *OpenInput) {
			in.Source = Source{Kind: SourceComplaint, ComplaintID: "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00", Dimension: "d"}
		}},
	} {
		in := validOpen()
		tc.change(&in)
		require.Equal(t, tc.field, field(t, in.Validate(now)), "%+v", in)
	}
	in := validOpen()
	in.Source = Source{Kind: SourceComplaint, ComplaintID: "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00"}
	require.NoError(t, in.Validate(now))
	in.Source = Source{Kind: SourceSurvey, CycleID: "c1", Dimension: "service"}
	require.NoError(t, in.Validate(now))
}

func TestStepInputs(t *testing.T) {
	require.Equal(t, "plan", field(t, PlanInput{}.Validate()))
	require.NoError(t, PlanInput{Plan: "p"}.Validate())
	require.Equal(t, "result", field(t, CompletionInput{Result: "\n"}.Validate()))
	require.Equal(t, "effective", field(t, VerificationInput{}.Validate()))
	require.Equal(t, "comment", field(t, VerificationInput{Effective: ptr(false)}.Validate()), "why it failed is required")
	require.NoError(t, VerificationInput{Effective: ptr(true)}.Validate())

	due := now.Add(10 * 24 * time.Hour)
	require.NoError(t, PlanInput{Plan: "p"}.CheckDue(now, due))
	require.NoError(t, PlanInput{Plan: "p", DueAt: ptr(due)}.CheckDue(now, due))
	require.Equal(t, "due_at", field(t, PlanInput{Plan: "p", DueAt: ptr(now)}.CheckDue(now, due)))
	require.Equal(t, "due_at", field(t, PlanInput{Plan: "p", DueAt: ptr(due.Add(time.Hour))}.CheckDue(now, due)), "not after the action's due date")
	// Once the action's due date has passed, the plan must give its own, any time ahead.
	late := due.Add(time.Hour)
	require.Equal(t, "due_at", field(t, PlanInput{Plan: "p"}.CheckDue(late, due)))
	require.NoError(t, PlanInput{Plan: "p", DueAt: ptr(late.Add(48 * time.Hour))}.CheckDue(late, due))
}

func TestBusinessKeysNameOneAction(t *testing.T) {
	k := SurveyKey("cycle-1", "service", "market")
	require.Equal(t, IDFor(k), IDFor(k))
	require.NotEqual(t, IDFor(k), IDFor(SurveyKey("cycle-1", "service", "sales")))
	o := Open{OpenInput: validOpen(), BusinessKey: k}
	require.Equal(t, IDFor(k), o.ID())
	require.Equal(t, o.ID(), StartFor(o).ID)
	require.NotEqual(t, Open{OpenInput: validOpen()}.ID(), Open{OpenInput: validOpen()}.ID(), "no key: a fresh action")
	require.Equal(t, "improvement:"+o.ID(), WorkflowID(o.ID()))

	// The hash ignores the time zone and sub-microsecond digits of due_at.
	a, b := validOpen(), validOpen()
	b.DueAt = ptr(a.DueAt.In(time.FixedZone("CST", 8*3600)).Add(time.Nanosecond))
	require.Equal(t, a.Hash(), b.Hash())
	b.Title = "other"
	require.NotEqual(t, a.Hash(), b.Hash())
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	require.NoError(t, p.Validate())
	require.Equal(t, 5*24*time.Hour, p.PlanWithin.Std())
	require.Equal(t, 7*24*time.Hour, p.VerifyWithin.Std())
	require.Equal(t, complaint.DefaultPolicy().Escalation, p.Escalation, "escalation as for complaints")
	// Policy is data: it round-trips through JSON.
	b, err := json.Marshal(p)
	require.NoError(t, err)
	var back Policy
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, p, back)

	for _, change := range []func(*Policy){
		func(p *Policy) { p.Version = "" },
		func(p *Policy) { p.PlanWithin = 0 },
		func(p *Policy) { p.VerifyWithin = -1 },
		func(p *Policy) { p.Escalation[1].Level = complaint.LevelOwner },
		func(p *Policy) { p.Escalation[2].After = p.Escalation[1].After },
		func(p *Policy) { p.Escalation[0], p.Escalation[1] = p.Escalation[1], p.Escalation[0] },
		func(p *Policy) { p.Verifiers = nil },
		func(p *Policy) { p.Verifiers = []org.Role{"sales"} },
	} {
		p := DefaultPolicy()
		change(&p)
		require.Error(t, p.Validate(), "%+v", p)
	}
}

func TestWhoMayDoWhat(t *testing.T) {
	person := func(id, dept string, roles ...org.Role) Actor {
		return Actor{ID: id, Department: dept, Roles: roles}
	}
	var (
		market     = person("market", "market", org.RoleMarketDepartment)
		quality    = person("quality", "quality", org.RoleQualityDepartment)
		branch     = person("branch", "branch-zhengzhou", org.RoleBranchHead)
		engineer   = person("engineer", "engineering", org.RoleDepartmentMember)
		head       = person("head", "engineering", org.RoleDepartmentHead)
		clerk      = person("clerk", "sales", org.RoleIntakeClerk)
		salesMan   = person("sales", "sales", org.RoleDepartmentMember)
		gm         = person("gm", "gm-office", org.RoleGeneralManager)
		auditor    = person("auditor", "audit", org.RoleInternalAuditor)
		admin      = person("admin", "it", org.RoleAdministrator)
		everything = []Actor{market, quality, branch, engineer, head, clerk, salesMan, gm, auditor, admin}
	)
	x := &Action{ID: "a1", Department: "engineering", Verifiers: DefaultPolicy().Verifiers, Rounds: []Round{{Number: 1}}}
	allowed := func(act Act, x *Action) []string {
		var ids []string
		for _, a := range everything {
			if Authorize(a, x, act) == nil {
				ids = append(ids, a.ID)
			}
		}
		return ids
	}
	require.Equal(t, []string{"market", "quality"}, allowed(ActOpen, x))
	require.Equal(t, []string{"market", "quality", "branch"}, allowed(ActOpen, &Action{Department: "branch-zhengzhou"}), "a branch head for their own branch")
	require.Equal(t, []string{"market", "quality", "engineer", "head", "gm", "auditor", "admin"}, allowed(ActRead, x))
	require.Equal(t, []string{"engineer", "head"}, allowed(ActPlan, x))
	require.Equal(t, []string{"engineer", "head"}, allowed(ActComplete, x))
	require.Equal(t, []string{"market", "quality"}, allowed(ActVerify, x))

	err := Authorize(engineer, x, ActVerify)
	var pe *PermissionError
	require.True(t, errors.As(err, &pe))
	require.Contains(t, pe.Reason, "market department (市场部) or the quality department (品质部)")
	require.Contains(t, Authorize(market, x, ActPlan).Error(), "owner department (engineering)")

	// Whoever reported the completion does not verify it.
	x.Rounds[0].Completion = &CompletionRecord{By: quality}
	require.Equal(t, []string{"market"}, allowed(ActVerify, x))

	require.True(t, ReadsOwnDepartment(engineer))
	require.False(t, ReadsOwnDepartment(clerk))
	require.True(t, CanReadAll(auditor))
	require.False(t, CanReadAll(clerk))
}
