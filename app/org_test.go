package app

import (
	"context"
	"strings"
	"testing"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// The administration's operations refuse what they can tell without the
// read model: who may, and input checks, each with its code, field and the
// API's words.

var (
	adminActor   = complaint.Actor{ID: "11111111-1111-4111-8111-111111111111", Roles: []org.Role{org.RoleAdministrator}}
	auditorActor = complaint.Actor{ID: "22222222-2222-4222-8222-222222222222", Roles: []org.Role{org.RoleInternalAuditor}}
	clerkActor   = complaint.Actor{ID: "33333333-3333-4333-8333-333333333333", Roles: []org.Role{org.RoleIntakeClerk}}
)

func TestAdministrationRefusesOthersSayingWhoMay(t *testing.T) {
	a := &App{} // no store: none of these reaches it
	ctx := context.Background()
	_, putDept := a.PutDepartment(ctx, auditorActor, "q", org.Department{})
	_, users := a.Users(ctx, clerkActor)
	_, create := a.CreateUser(ctx, auditorActor, NewUser{})
	_, policy := a.AddPolicy(ctx, clerkActor, complaint.DefaultPolicy())
	_, outbox := a.Notifications(ctx, auditorActor, OutboxFilter{})
	_, audit := a.Audit(ctx, clerkActor, AuditFilter{})
	for _, c := range []struct {
		err  error
		what string
	}{
		{putDept, "administration is for: administrator"},
		{users, "the user list is for: administrator, internal_auditor"},
		{create, "administration is for: administrator"},
		{policy, "administration is for: administrator"},
		{outbox, "the outbox is for: administrator, market_department, intake_clerk"},
		{audit, "the audit trail is for: internal_auditor, administrator"},
		{a.SetPassword(ctx, clerkActor, adminActor.ID, PasswordChange{}), "only administrators set other users' passwords"},
	} {
		if e := refusal(t, c.err); e.Code != Forbidden || e.Message != c.what {
			t.Errorf("%s: %+v", c.what, e)
		}
	}
	if !May(auditorActor, OpListUsers) || May(auditorActor, OpCreateUser) || !May(clerkActor, OpMarkNotification) {
		t.Error("the table is not as the API's routes were")
	}
}

func TestAdministrationRefusesBadInput(t *testing.T) {
	a := &App{}
	ctx := context.Background()
	check := func(name string, err error, code Code, field, msg string) {
		t.Helper()
		if e := refusal(t, err); e.Code != code || e.Field != field || !strings.Contains(e.Message, msg) {
			t.Errorf("%s: %+v", name, e)
		}
	}
	_, err := a.PutDepartment(ctx, adminActor, "quality", org.Department{ID: "other"})
	check("department id", err, Invalid, "id", "id must match the path")
	check("short password", CheckPassword("short"), Invalid, "password", "at least")
	check("long password", CheckPassword(strings.Repeat("x", MaxPasswordBytes+1)), Invalid, "password", "at most 256 bytes")
	check("common password", CheckPassword("Password2024!"), Invalid, "password", "commonly used")
	check("own password without the current one", a.SetPassword(ctx, clerkActor, clerkActor.ID, PasswordChange{Password: "long-enough-2"}),
		Invalid, "current_password", "current_password is required")
	_, err = a.CreateAPIToken(ctx, adminActor, APITokenRequest{})
	check("token name", err, Invalid, "name", "name is required")
	_, err = a.CreateAPIToken(ctx, adminActor, APITokenRequest{Name: "relay", ExpiresIn: "20000h"})
	check("token life", err, Invalid, "expires_in", "17520h")
	_, err = a.CreateAPIToken(ctx, adminActor, APITokenRequest{Name: "relay", UserID: "nobody"})
	check("token user", err, Invalid, "user_id", "user_id must be the ID")
	check("token ID", a.RevokeAPIToken(ctx, adminActor, "nope"), NotFound, "", "token not found")
	_, err = a.User(ctx, adminActor, "not-a-uuid")
	check("user ID", err, NotFound, "", "user not found")

	p := complaint.DefaultPolicy()
	p.Version = ""
	_, err = a.AddPolicy(ctx, adminActor, p)
	check("policy version", err, Invalid, "version", "version is required")
	_, err = a.AddPolicyJSON(ctx, adminActor, []byte(`{"version":"v9","colour":"red"}`))
	check("policy unknown field", err, Invalid, "colour", `unknown field "colour"`)
	_, err = a.MigratePolicy(ctx, adminActor, "c", "", "")
	check("migration version", err, Invalid, "version", "version is required")

	for field, f := range map[string]OutboxFilter{
		"status": {Status: "lost"}, "channel": {Channel: "pigeon"}, "limit": {Limit: 1001}, "before": {Before: -1},
	} {
		_, err := a.Notifications(ctx, clerkActor, f)
		check("outbox "+field, err, Invalid, field, field+" must be")
	}
	check("report status", a.MarkNotification(ctx, clerkActor, 1, NotificationReport{Status: "lost"}), Invalid, "status", "status must be sent or failed")
	check("report note", a.MarkNotification(ctx, clerkActor, 1, NotificationReport{Status: "failed", Note: strings.Repeat("x", MaxNotificationNote+1)}),
		Invalid, "note", "at most 2000 characters")
	check("report if_status", a.MarkNotification(ctx, clerkActor, 1, NotificationReport{Status: "sent", IfStatus: "lost"}),
		Invalid, "if_status", "if_status must be")
	for field, f := range map[string]AuditFilter{"outcome": {Outcome: "maybe"}, "limit": {Limit: 501}} {
		_, err := a.Audit(ctx, auditorActor, f)
		check("audit "+field, err, Invalid, field, field+" must be")
	}
}
