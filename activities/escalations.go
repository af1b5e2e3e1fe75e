package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/store"
)

// Escalation notices: when a save records an escalation, whoever it escalates
// to gets a task in the outbox (通知) with a link to the case, so an overdue
// step is noticed by someone who did not happen to open 我的待办. They are
// written where the read model is written, once per escalation and
// recipient (the key), however often the save is retried.

// levelNames are the escalation levels as the notices name them.
var levelNames = map[complaint.Level]string{
	complaint.LevelOwner:            "责任人",
	complaint.LevelDepartmentHead:   "部门经理",
	complaint.LevelMarketDepartment: "总部市场部",
	complaint.LevelGeneralManager:   "总经理",
}

// escalationRecipient is the outbox recipient of one name in an escalation's
// notify list: a level becomes its department's head or the role's holders
// ("department_head:engineering", "role:general_manager"); a name the policy
// gave in words stays as written.
func escalationRecipient(name, department string) string {
	switch complaint.Level(name) {
	case complaint.LevelOwner:
		if department != "" {
			return "department:" + department
		}
	case complaint.LevelDepartmentHead:
		if department != "" {
			return "department_head:" + department
		}
		return "role:" + string(complaint.LevelDepartmentHead)
	case complaint.LevelMarketDepartment, complaint.LevelGeneralManager:
		return "role:" + name
	}
	return name
}

// escalationsIn decodes the escalations among a save's n new events; event
// answers the i-th one's action and detail.
func escalationsIn[E any](n int, event func(i int) (string, json.RawMessage)) []E {
	var out []E
	for i := range n {
		action, detail := event(i)
		if action != complaint.ActionEscalated || len(detail) == 0 {
			continue
		}
		var e E
		if json.Unmarshal(detail, &e) == nil {
			out = append(out, e)
		}
	}
	return out
}

// consoleLink is the case's page in the console.
func (a *Activities) consoleLink(path string) string {
	if a.PublicURL == "" {
		return ""
	}
	return strings.TrimSuffix(a.PublicURL, "/") + path
}

// notifyComplaintEscalations enqueues the notices of the escalations among
// the snapshot's new events.
func (a *Activities) notifyComplaintEscalations(ctx context.Context, s Snapshot) error {
	c := s.Complaint
	dept := c.Department
	if dept == "" {
		dept = c.Branch
	}
	var ns []store.Notification
	events := escalationsIn[complaint.Escalation](len(s.Events), func(i int) (string, json.RawMessage) {
		return s.Events[i].Action, s.Events[i].Detail
	})
	for _, e := range events {
		reason := "已超期"
		if e.Reason == complaint.ReasonReopened {
			reason = "客户回访不满意，重新处理"
		}
		for i, name := range e.Notify {
			ns = append(ns, store.Notification{
				Key:       fmt.Sprintf("complaint:%s:escalation:%d:%d", c.ID, e.Seq, i),
				Channel:   "task",
				Recipient: escalationRecipient(name, dept),
				Subject:   fmt.Sprintf("投诉升级：%s %s", c.Number, c.Subject),
				Body: fmt.Sprintf("投诉 %s「%s」的「%s」环节%s，已升级至%s。截止时间：%s。请督促办理。",
					c.Number, c.Subject, e.Step.Label(), reason, levelNames[e.Level], e.DueAt.In(a.location()).Format("2006-01-02 15:04")),
				Link:    a.consoleLink("/complaints/" + c.ID),
				Related: "complaint:" + c.ID, CaseVersion: c.Version,
			})
		}
	}
	return a.enqueueForStaff(ctx, ns)
}

// notifyActionEscalations does the same for an improvement action.
func (a *Activities) notifyActionEscalations(ctx context.Context, s ImprovementSnapshot) error {
	x := s.Action
	var ns []store.Notification
	events := escalationsIn[improvement.Escalation](len(s.Events), func(i int) (string, json.RawMessage) {
		return s.Events[i].Action, s.Events[i].Detail
	})
	for _, e := range events {
		for i, name := range e.Notify {
			ns = append(ns, store.Notification{
				Key:       fmt.Sprintf("improvement-action:%s:escalation:%d:%d", x.ID, e.Seq, i),
				Channel:   "task",
				Recipient: escalationRecipient(name, x.Department),
				Subject:   "改进措施升级：" + x.Title,
				Body: fmt.Sprintf("改进措施「%s」的「%s」环节已超期，已升级至%s。截止时间：%s。请督促办理。",
					x.Title, e.Step.Label(), levelNames[e.Level], e.DueAt.In(a.location()).Format("2006-01-02 15:04")),
				Link:    a.consoleLink("/improvements/" + x.ID),
				Related: "improvement-action:" + x.ID, CaseVersion: x.Version,
			})
		}
	}
	return a.enqueueForStaff(ctx, ns)
}

// enqueueForStaff puts tasks for staff in the outbox and, when cxflow
// delivers e-mail, an e-mail of each to every person the task names who has
// an address (the department's people, its heads, a role's holders); a task
// for a department or its heads goes to the department's group-chat robots
// too.
func (a *Activities) enqueueForStaff(ctx context.Context, tasks []store.Notification) error {
	return a.enqueueFor(ctx, tasks, true)
}

// enqueueFor puts each message for staff in the outbox as a task (when
// asTask) and as e-mails and robot messages to the people and departments
// it names (Recipient).
func (a *Activities) enqueueFor(ctx context.Context, tasks []store.Notification, asTask bool) error {
	if len(tasks) == 0 {
		return nil
	}
	var all []store.Notification
	if asTask {
		all = append(all, tasks...)
	}
	if a.Robots != nil {
		for _, n := range tasks {
			kind, dept, _ := strings.Cut(n.Recipient, ":")
			if (kind != "department" && kind != "department_head" && kind != "branch_head") || dept == "" {
				continue
			}
			robots, err := a.Store.Robots(ctx, dept)
			if err != nil {
				return err
			}
			for _, r := range robots {
				m := n
				m.Key, m.Channel, m.Recipient = n.Key+":robot:"+r.ID, "robot", "robot:"+r.ID
				all = append(all, m)
			}
		}
	}
	if a.Mail != nil {
		for _, n := range tasks {
			addrs, err := a.Store.StaffAddresses(ctx, n.Recipient)
			if err != nil {
				return err
			}
			for _, addr := range addrs {
				m := n
				m.Key, m.Channel, m.Recipient = n.Key+":mail:"+addr, "email", addr
				all = append(all, m)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	_, err := a.Store.Enqueue(ctx, all)
	return err
}
