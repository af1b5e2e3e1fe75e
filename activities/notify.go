package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
)

// NotifyRequest asks for invitations (N = 0) or the N-th reminder to go out.
type NotifyRequest struct {
	CycleID  string    `json:"cycle_id"`
	N        int       `json:"n"`
	ClosesAt time.Time `json:"closes_at"`
}

// NotifyInvitees puts a message in the outbox for every unanswered
// invitation: an e-mail with the customer's signed link, or — for phone,
// visit and letter programmes, or a customer without e-mail — a task for the
// owner department. Keys make a retry enqueue each message once.
func (a *Activities) NotifyInvitees(ctx context.Context, req NotifyRequest) (int, error) {
	c, err := a.Store.GetCycle(ctx, req.CycleID)
	if err != nil {
		return 0, err
	}
	contacts, err := a.Store.UnansweredContacts(ctx, req.CycleID)
	if err != nil {
		return 0, err
	}
	kind, subject := "invitation", "满意度调查邀请: "+c.Definition.Name
	if req.N > 0 {
		kind, subject = fmt.Sprintf("reminder-%d", req.N), "提醒: "+c.Definition.Name
	}
	owner := "department:" + c.Definition.Run.OwnerDepartment
	closes := req.ClosesAt.In(a.location()).Format("2006-01-02 15:04")
	ns := make([]store.Notification, 0, len(contacts))
	for _, ic := range contacts {
		n := store.Notification{Key: req.CycleID + ":" + kind + ":" + ic.InvitationID, Related: "survey-cycle:" + req.CycleID}
		switch {
		case survey.Channel(ic.Channel) == survey.ChannelLink && ic.Email != "" && a.Links != nil:
			n.Channel, n.Recipient, n.Subject = "email", ic.Email, subject
			n.Link = survey.Link(a.Links, a.PublicURL, ic.InvitationID, req.ClosesAt)
			n.Body = fmt.Sprintf("%s 您好:\n\n感谢贵司(%s)一直以来的支持。请于 %s 前填写满意度调查表,您的意见将帮助我们改进产品与服务。\n\n%s",
				nonEmpty(ic.ContactName, "客户"), ic.CustomerName, closes, n.Link)
		case survey.Channel(ic.Channel) == survey.ChannelLink && a.Links != nil:
			// No e-mail address: staff send the customer's link another way
			// (SMS, WeChat) — or take the answer by phone and enter it.
			n.Channel, n.Recipient = "task", owner
			n.Link = survey.Link(a.Links, a.PublicURL, ic.InvitationID, req.ClosesAt)
			n.Subject = fmt.Sprintf("%s: 请%s客户 %s (%s)", subject, channelVerb(ic.Channel), ic.CustomerName, ic.CustomerID)
			n.Body = fmt.Sprintf("该客户没有电子邮箱。请于 %s 前把下面的调查链接发给客户(短信、微信等), 或电话调查后录入答卷。\n\n%s", closes, n.Link)
		default:
			n.Channel, n.Recipient = "task", owner
			n.Subject = fmt.Sprintf("%s: 请%s客户 %s (%s)", subject, channelVerb(ic.Channel), ic.CustomerName, ic.CustomerID)
			n.Body = fmt.Sprintf("请于 %s 前完成调查并录入答卷, 记录接受调查人员与调查时间 (000)。", closes)
		}
		ns = append(ns, n)
	}
	return a.Store.Enqueue(ctx, ns)
}

func channelVerb(ch string) string {
	switch survey.Channel(ch) {
	case survey.ChannelPhone:
		return "电话调查"
	case survey.ChannelVisit:
		return "走访"
	case survey.ChannelLetter:
		return "寄送调查表给"
	}
	return "联系 (无电子邮箱)"
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func (a *Activities) location() *time.Location {
	if a.Location == nil {
		return time.UTC
	}
	return a.Location
}
