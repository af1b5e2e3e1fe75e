package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/workflows"
)

// The survey operations refuse what they can tell without the read model or
// Temporal: who may, malformed IDs, and input checked before any lookup.

var (
	surveyMarketer = complaint.Actor{ID: "m", Name: "王芳", Roles: []org.Role{org.RoleMarketDepartment}}
	surveyQuality  = complaint.Actor{ID: "q", Roles: []org.Role{org.RoleQualityDepartment}}
	surveyMember   = complaint.Actor{ID: "d", Roles: []org.Role{org.RoleDepartmentMember}}
)

func TestSurveyOperationsSayWhoMay(t *testing.T) {
	a := &App{} // no store nor Temporal: a refusal reaches neither
	ctx := context.Background()
	for what, err := range map[string]error{
		"survey data": func() error { _, err := a.Programmes(ctx, surveyMember); return err }(),
		"managing survey programmes": func() error {
			_, err := a.ChangeSchedule(ctx, surveyQuality, "x", SchedulePause, "")
			return err
		}(),
		"entering survey answers": func() error { _, err := a.EnterAnswer(ctx, surveyQuality, "x", StaffAnswer{}); return err }(),
		"recording deliveries": func() error {
			_, err := a.RecordDelivery(ctx, surveyQuality, workflows.Delivery{})
			return err
		}(),
	} {
		if e := refusal(t, err); e.Code != Forbidden || !strings.HasPrefix(e.Message, what+" is for: ") {
			t.Errorf("%s: %+v", what, e)
		}
	}
	// The routes' 403 words, as before the operations: who may, in order.
	if e := refusal(t, Authorize(surveyMember, OpGetCycle)); e.Message != "survey data is for: market_department, quality_department, intake_clerk, general_manager, internal_auditor, administrator" {
		t.Errorf("survey data: %q", e.Message)
	}
	if !May(surveyMarketer, OpStartCycle) || May(surveyQuality, OpStartCycle) || !May(surveyQuality, OpListInvitations) {
		t.Error("the survey rules")
	}
}

func TestSurveyRecordsNotFoundByMalformedID(t *testing.T) {
	a := &App{}
	ctx := context.Background()
	if _, err := a.Programme(ctx, surveyMarketer, "not-a-uuid"); refusal(t, err).Code != NotFound || err.Error() != "programme not found" {
		t.Errorf("programme: %v", err)
	}
	if _, err := a.Cycle(ctx, surveyQuality, "42"); refusal(t, err).Code != NotFound || err.Error() != "cycle not found" {
		t.Errorf("cycle: %v", err)
	}
	if _, err := a.ChangeSchedule(ctx, surveyMarketer, "x", "delete", ""); refusal(t, err).Code != NotFound {
		t.Errorf("unknown schedule action: %v", err)
	}
	if _, err := a.Customers(ctx, surveyQuality, "", customerPageMax+1); refusal(t, err).Field != "limit" {
		t.Errorf("a page of %d: %v", customerPageMax+1, err)
	}
}

func TestDeliveryIsCheckedBeforeAnyLookup(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := &App{Now: func() time.Time { return now }}
	for field, d := range map[string]workflows.Delivery{
		"customer_id":  {DeliveredAt: now},
		"delivered_at": {CustomerID: "BIG1", DeliveredAt: now.Add(48 * time.Hour)},
		"reference":    {CustomerID: "BIG1", DeliveredAt: now, Reference: strings.Repeat("x", maxDeliveryReference+1)},
	} {
		if _, err := a.RecordDelivery(context.Background(), surveyMarketer, d); refusal(t, err).Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}
