package console

import (
	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
)

// Context keys of the audit trail's row for a request: the server's audit
// middleware writes one row per state-changing request and reads these.
const (
	AuditErrorKey    = "cxflow.audit.error"
	AuditWorkflowKey = "cxflow.audit.workflow"
	AuditUpdateKey   = "cxflow.audit.update"
	AuditTargetKey   = "cxflow.audit.target"
	// AuditRouteKey names the operation a page ran by its API route, so the
	// trail reads the same whether a person acted in the console or a
	// program through the API.
	AuditRouteKey = "cxflow.audit.route"
)

// audited notes, for the audit trail, the operation a page's action ran:
// its API route, the record acted on, the workflow Update and a refusal.
func audited(c *gin.Context, route, target, workflowID, updateID string, err error) {
	c.Set(AuditRouteKey, route)
	if target != "" {
		c.Set(AuditTargetKey, target)
	}
	if workflowID != "" {
		c.Set(AuditWorkflowKey, workflowID)
	}
	if updateID != "" {
		c.Set(AuditUpdateKey, updateID)
	}
	if e, ok := app.As(err); ok {
		c.Set(AuditErrorKey, e.Message)
	}
}
