package activities

import (
	"context"
	"fmt"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// New work (issue #12): when a complaint's step passes to other people —
// recorded for the market department to judge, assigned to a department,
// a plan waiting for its approver, the remedy done and the callback due —
// those people are told by e-mail and their department's robots. These are
// messages, not tasks: the work itself is in 我的待办, so nothing is added to
// the staff's outbox list.

// whoActsNext is who acts on a complaint's current step, as an outbox
// recipient ("role:…", "department:…", "department_head:…"); empty when no
// one new.
func whoActsNext(c complaint.Complaint) string {
	switch c.Status {
	case complaint.StepValidation, complaint.StepAssignment, complaint.StepReview:
		if c.Branch != "" {
			return "branch_head:" + c.Branch // the branch's head does the market's part
		}
		return "role:" + string(org.RoleMarketDepartment)
	case complaint.StepRootCause, complaint.StepPlan, complaint.StepExecution:
		if c.Department != "" {
			return "department:" + c.Department
		}
	case complaint.StepApproval:
		if len(c.Approvals) < len(c.ApprovalsRequired) {
			return escalationRecipient(string(c.ApprovalsRequired[len(c.Approvals)]), c.Department)
		}
	case complaint.StepCallback:
		return "role:" + string(org.RoleIntakeClerk)
	}
	return ""
}

// stepMoved reports whether the change's events moved the complaint on to
// a step (a step completed, or the complaint recorded).
func stepMoved(events []complaint.Event) (complaint.Event, bool) {
	for i := len(events) - 1; i >= 0; i-- {
		switch events[i].Action {
		case complaint.ActionRecorded, complaint.ActionValidated, complaint.ActionAssigned, complaint.ActionRootCause,
			complaint.ActionPlanned, complaint.ActionApproved, complaint.ActionExecuted, complaint.ActionSatisfied:
			return events[i], true
		}
	}
	return complaint.Event{}, false
}

// notifyNewWork tells whoever acts next on the complaint, when its change
// moved it on.
func (a *Activities) notifyNewWork(ctx context.Context, s Snapshot) error {
	if a.Mail == nil && a.Robots == nil {
		return nil
	}
	c := s.Complaint
	e, ok := stepMoved(s.Events)
	if !ok || c.Status == complaint.StepClosed {
		return nil
	}
	to := whoActsNext(c)
	if to == "" {
		return nil
	}
	due := ""
	if c.DueAt != nil {
		due = "，截止时间：" + c.DueAt.In(a.location()).Format("2006-01-02 15:04")
	}
	work := store.Notification{
		Key:     fmt.Sprintf("complaint:%s:work:%d", c.ID, e.Seq),
		Subject: fmt.Sprintf("待办：%s %s（%s）", c.Number, c.Subject, c.Status.Label()),
		Body: fmt.Sprintf("投诉 %s「%s」现在等待「%s」%s。请在 cxflow 中办理。",
			c.Number, c.Subject, c.Status.Label(), due),
		Link: a.consoleLink("/complaints/" + c.ID), Related: "complaint:" + c.ID, Recipient: to, CaseVersion: c.Version,
	}
	return a.enqueueFor(ctx, []store.Notification{work}, false)
}
