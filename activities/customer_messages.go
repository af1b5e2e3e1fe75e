package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
)

// What cxflow tells a complainant who gave an e-mail address (issue #12;
// 000: answer within 8 hours; 002 第二十一条(七): the customer is told the
// outcome; ISO 10002 7.2: a complaint is acknowledged promptly and the
// complainant can learn its status). The messages are written with the
// change they report and wait for its confirmation (CaseVersion), like the
// escalation notices.

// notifyCustomer enqueues the customer's messages for the snapshot's new
// events: the acknowledgement when the complaint is recorded, the written
// reply when it is judged not founded, the outcome when the remedy is done.
func (a *Activities) notifyCustomer(ctx context.Context, s Snapshot) error {
	c := s.Complaint
	to := strings.TrimSpace(c.Customer.Email)
	if to == "" || a.Links == nil {
		return nil
	}
	status := "" // signed once, when a message needs it
	greeting := strings.TrimSpace(c.Customer.Name)
	if greeting == "" {
		greeting = "客户"
	}
	var ns []store.Notification
	add := func(what, subject, body string, seq int) {
		if status == "" {
			status = complaint.StatusLink(a.Links, a.PublicURL, c.ID, time.Now())
		}
		ns = append(ns, store.Notification{
			Key:     fmt.Sprintf("complaint:%s:customer:%s:%d", c.ID, what, seq),
			Channel: "email", Recipient: to, Subject: subject,
			Body: greeting + " 您好：\n\n" + body + "\n\n您可以随时通过下面的链接查看处理进度：\n" + status + "\n\n此邮件由系统发出，请勿直接回复。",
			Link: status, Related: "complaint:" + c.ID, CaseVersion: c.Version,
		})
	}
	for _, e := range s.Events {
		switch e.Action {
		case complaint.ActionRecorded:
			body := fmt.Sprintf("我们已于 %s 收到您的投诉「%s」，投诉编号 %s。我们将尽快核实并与您联系。",
				c.ReceivedAt.In(a.location()).Format("2006-01-02 15:04"), c.Subject, c.Number)
			add("acknowledgement", fmt.Sprintf("您的投诉已受理（编号 %s）", c.Number), body, e.Seq)
		case complaint.ActionNotFounded:
			reply := ""
			if c.Validation != nil {
				reply = strings.TrimSpace(c.Validation.Reply)
			}
			body := fmt.Sprintf("经核实，您的投诉「%s」（编号 %s）不成立。", c.Subject, c.Number)
			if reply != "" {
				body += "我们的书面答复如下：\n\n" + reply
			}
			add("reply", fmt.Sprintf("关于您的投诉的答复（编号 %s）", c.Number), body, e.Seq)
		case complaint.ActionExecuted:
			result := ""
			if c.Execution != nil {
				result = strings.TrimSpace(c.Execution.Result)
			}
			body := fmt.Sprintf("您的投诉「%s」（编号 %s）已处理完毕。", c.Subject, c.Number)
			if result != "" {
				body += "处理结果：\n\n" + result
			}
			body += "\n\n我们将回访您，确认您是否满意。"
			add("outcome", fmt.Sprintf("您的投诉已处理完毕（编号 %s）", c.Number), body, e.Seq)
		}
	}
	if len(ns) == 0 {
		return nil
	}
	_, err := a.Store.Enqueue(ctx, ns)
	return err
}
