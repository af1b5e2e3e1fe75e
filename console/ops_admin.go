package console

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// adminOps are the operations of the administration pages (users,
// departments, SLA policies, the audit trail they read a record's changes
// from) and of the outbox. The departments' list is DepartmentList: the
// Backend's Departments, which other pages still use, has the shorter name.
type adminOps interface {
	DepartmentList(ctx context.Context) ([]org.Department, error)
	PutDepartment(ctx context.Context, by complaint.Actor, id string, d org.Department) (org.Department, error)
	Users(ctx context.Context, by complaint.Actor) ([]org.User, error)
	CreateUser(ctx context.Context, by complaint.Actor, in app.NewUser) (org.User, error)
	UpdateUser(ctx context.Context, by complaint.Actor, u org.User) (org.User, error)
	SetPassword(ctx context.Context, by complaint.Actor, id string, in app.PasswordChange) error

	Policies(ctx context.Context) ([]app.StoredPolicy, error)
	ActivePolicy(ctx context.Context) (complaint.Policy, error)
	AddPolicyJSON(ctx context.Context, by complaint.Actor, body []byte) (app.StoredPolicy, error)

	Audit(ctx context.Context, by complaint.Actor, f app.AuditFilter) (app.AuditPage, error)

	Notifications(ctx context.Context, by complaint.Actor, f app.OutboxFilter) (app.NotificationPage, error)
	CountNotifications(ctx context.Context, by complaint.Actor) (app.OutboxCounts, error)
	MarkNotification(ctx context.Context, by complaint.Actor, id int64, in app.NotificationReport) error
	ResendNotification(ctx context.Context, by complaint.Actor, id int64) error
}

// refusalIn is refusalOf with its detail in the page's language (words),
// for pages that show the message as it is.
func refusalIn(c *gin.Context, err error) *Refusal {
	r := refusalOf(err)
	if r != nil {
		r.Message = r.words(lang(c))
		r.Rule = ""
	}
	return r
}
