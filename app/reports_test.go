package app

import (
	"context"
	"testing"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
)

// The reports' operations refuse what they can tell without the read model:
// who may (with the words the API has always answered), a branch head's other
// branch, and input that is wrong.

func TestReportPermissionsSayWhoMay(t *testing.T) {
	member := complaint.Actor{ID: "e", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	for op, want := range map[Op]string{
		OpDashboard:            "the management dashboard is for: market_department, quality_department, general_manager, internal_auditor, administrator, branch_head, department_head",
		OpComplaintAnalysis:    "reports is for: market_department, quality_department, general_manager, internal_auditor, administrator, branch_head",
		OpSatisfactionReport:   "the satisfaction reports is for: market_department, quality_department, general_manager, internal_auditor, administrator",
		OpChurnReport:          "the satisfaction reports is for: market_department, quality_department, general_manager, internal_auditor, administrator",
		OpImportVolumes:        "purchase volumes is for: market_department, administrator",
		OpDepartmentAssessment: "the department assessment is for: market_department, quality_department, general_manager, internal_auditor, administrator",
		OpEnterAuditCheck:      "entering audit checks is for: internal_auditor",
		OpEnterCredit:          "entering assessment credits is for: market_department, administrator",
		OpAuditEvidence:        "the audit evidence is for: internal_auditor, administrator",
		OpRegenerateReport:     "kept report versions is for: market_department, quality_department, general_manager, internal_auditor, administrator",
		OpListReportVersions:   "kept report versions is for: market_department, quality_department, general_manager, internal_auditor, administrator",
		OpGetReportVersion:     "kept report versions is for: market_department, quality_department, general_manager, internal_auditor, administrator",
	} {
		e := refusal(t, Authorize(member, op))
		if e.Code != Forbidden || e.Message != want {
			t.Errorf("%s: %+v, want %q", op, e, want)
		}
	}
}

func TestReportsRefuseWithoutReadingTheStore(t *testing.T) {
	a := &App{} // no store: none of these reaches it
	ctx := context.Background()
	branchHead := complaint.Actor{ID: "b", Roles: []org.Role{org.RoleBranchHead}, Department: "branch-sh"}
	deptHead := complaint.Actor{ID: "d", Roles: []org.Role{org.RoleDepartmentHead}, Department: "engineering"}
	market := complaint.Actor{ID: "m", Roles: []org.Role{org.RoleMarketDepartment}, Department: "market"}
	auditor := complaint.Actor{ID: "a", Roles: []org.Role{org.RoleInternalAuditor}, Department: "audit"}
	q := reports.Quarter(2026, 1)

	other := q
	other.Branch = "branch-bj"
	_, err := a.ComplaintAnalysis(ctx, branchHead, other)
	if e := refusal(t, err); e.Code != Forbidden || e.Message != "a branch head reads the reports of their own branch (branch-sh) only" {
		t.Errorf("another branch's analysis: %+v", e)
	}
	_, err = a.Dashboard(ctx, branchHead, DashboardInput{Branch: "branch-bj"})
	if e := refusal(t, err); e.Code != Forbidden || e.Field != "branch" {
		t.Errorf("another branch's dashboard: %+v", e)
	}
	_, err = a.Dashboard(ctx, deptHead, DashboardInput{Branch: "branch-sh"})
	if e := refusal(t, err); e.Code != Forbidden || e.Field != "branch" {
		t.Errorf("a department head's branch filter: %+v", e)
	}
	_, err = a.SatisfactionReport(ctx, market, q, "not-a-uuid")
	if e := refusal(t, err); e.Code != Invalid || e.Field != "programme" {
		t.Errorf("programme: %+v", e)
	}
	h, _ := reports.ParseHalf("2026H1")
	for _, share := range []float64{0, 1, -0.2} {
		_, err = a.ChurnReport(ctx, market, h, share)
		if e := refusal(t, err); e.Code != Invalid || e.Field != "decline" {
			t.Errorf("decline %v: %+v", share, e)
		}
	}
	for field, in := range map[string]RegenerateRequest{
		"kind":   {Kind: "surveys", Period: "2026Q1"},
		"period": {Kind: reports.KindComplaints, Period: "spring"},
	} {
		_, err = a.RegenerateReport(ctx, market, in)
		if e := refusal(t, err); e.Code != Invalid || e.Field != field {
			t.Errorf("regenerate %s: %+v", field, e)
		}
	}
	if _, _, err = a.ReportVersion(ctx, market, ReportVersionID("x")); refusal(t, err).Code != NotFound {
		t.Errorf("version x: %v", err)
	}

	fifty := 50.0
	for field, in := range map[string]AuditCheckInput{
		"earned":   {Department: "engineering", Month: "2026-03", Item: "i", Possible: &fifty},
		"possible": {Department: "engineering", Month: "2026-03", Item: "i", Earned: &fifty},
		"month":    {Department: "engineering", Month: "2026-13", Item: "i", Earned: &fifty, Possible: &fifty},
	} {
		_, err = a.EnterAuditCheck(ctx, auditor, in, "")
		if e := refusal(t, err); e.Code != Invalid || e.Field != field {
			t.Errorf("check %s: %+v", field, e)
		}
	}
	if _, err = a.EnterAuditCheck(ctx, market, AuditCheckInput{}, ""); refusal(t, err).Code != Forbidden {
		t.Errorf("the market department enters no checks: %v", err)
	}
	year := 2026
	for field, in := range map[string]CreditInput{
		"year": {Department: "engineering", Kind: "customer_award", Reason: "r"},
		"kind": {Department: "engineering", Year: &year, Kind: "gift", Reason: "r"},
	} {
		_, err = a.EnterCredit(ctx, market, in, "")
		if e := refusal(t, err); e.Code != Invalid || e.Field != field {
			t.Errorf("credit %s: %+v", field, e)
		}
	}
}

func TestEntryIDsFollowTheKey(t *testing.T) {
	if entryID("audit-check", "u", "") != "" {
		t.Error("no key, no ID")
	}
	if entryID("audit-check", "u", "k") != entryID("audit-check", "u", "k") || entryID("audit-check", "u", "k") == entryID("audit-check", "v", "k") {
		t.Error("the same key from the same user names the same entry, and only then")
	}
}
