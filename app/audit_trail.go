package app

import (
	"context"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
)

// AuditEntry is one row of the audit trail: a state-changing request,
// allowed, refused or failed.
type AuditEntry = store.AuditEntry

// AuditFilter selects audit entries: by user, target, outcome (allowed,
// refused, rejected, failed), time, and the position (IDs before); Limit is
// 1–500 (100 when 0).
type AuditFilter = store.AuditFilter

// AuditPage is a page of the audit trail, newest first; NextBefore pages on.
type AuditPage struct {
	Items      []AuditEntry
	NextBefore int64
}

// Audit reads the audit trail, newest first.
func (a *App) Audit(ctx context.Context, by complaint.Actor, f AuditFilter) (AuditPage, error) {
	if err := Authorize(by, OpListAudit); err != nil {
		return AuditPage{}, err
	}
	if v := f.Outcome; v != "" && v != "allowed" && v != "refused" && v != "rejected" && v != "failed" {
		return AuditPage{}, notOneOf("outcome", "outcome must be allowed, refused, rejected or failed")
	}
	if f.Before < 0 {
		return AuditPage{}, Refuse(Invalid, "before", "before must be an entry ID from next_before")
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > 500 {
		return AuditPage{}, outOfRange("limit", 1, 500)
	}
	items, err := a.Store.Audit(ctx, f)
	if err != nil {
		return AuditPage{}, err
	}
	out := AuditPage{Items: items}
	if out.Items == nil {
		out.Items = []AuditEntry{}
	}
	if len(items) == f.Limit {
		out.NextBefore = items[len(items)-1].ID
	}
	return out, nil
}
