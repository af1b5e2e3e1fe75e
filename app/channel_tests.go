package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/email"
	"github.com/cxflow/cxflow/robot"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/validate"
	"github.com/cxflow/cxflow/webhook"
)

// An administrator checks a channel before relying on it (issue #12): one
// message sent now, and the provider's answer reported as it came — a
// refusal is the test's result, not the request's failure.

// ChannelTest is a channel test's result.
type ChannelTest struct {
	Delivered bool   `json:"delivered" doc:"Whether the provider took the message."`
	Answer    string `json:"answer" doc:"What the provider answered, or why it could not be reached."`
}

// channelTimeout bounds a test's wait for the provider.
const channelTimeout = 15 * time.Second

func channelResult(answer string, err error) ChannelTest {
	if err != nil && answer == "" {
		answer = err.Error()
	}
	return ChannelTest{Delivered: err == nil, Answer: answer}
}

// TestRobot posts a test message to a robot.
func (a *App) TestRobot(ctx context.Context, by complaint.Actor, id string) (ChannelTest, error) {
	if err := Authorize(by, OpTestRobot); err != nil {
		return ChannelTest{}, err
	}
	r, err := a.Store.GetRobot(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return ChannelTest{}, Refuse(NotFound, "", "robot not found")
	}
	if err != nil {
		return ChannelTest{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, channelTimeout)
	defer cancel()
	sender := robot.NewSender(webhook.Client(a.WebhookAllowPrivate, channelTimeout))
	answer, _, err := activities.PostRobot(ctx, a.Keyring, sender, r, robot.Message{
		Title: "cxflow 测试消息", Text: fmt.Sprintf("这是一条测试消息：%s 的群机器人已接入 cxflow。", r.Department), Link: a.PublicURL})
	return channelResult(answer, err), nil
}

// TestWebhook posts a ping event to a webhook, signed like every delivery.
func (a *App) TestWebhook(ctx context.Context, by complaint.Actor, id string) (ChannelTest, error) {
	if err := Authorize(by, OpTestWebhook); err != nil {
		return ChannelTest{}, err
	}
	w, err := a.Store.GetWebhook(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return ChannelTest{}, Refuse(NotFound, "", "webhook not found")
	}
	if err != nil {
		return ChannelTest{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, channelTimeout)
	defer cancel()
	data, _ := json.Marshal(map[string]string{"webhook_id": w.ID})
	ev := webhook.Event{ID: "ping:" + uuid.NewString(), Type: webhook.Ping, At: a.now(), Data: data}
	answer, _, err := activities.PostWebhook(ctx, a.Keyring, webhook.NewSender(a.WebhookAllowPrivate, channelTimeout), w, ev)
	return channelResult(answer, err), nil
}

// MailTest is where an administrator sends a test e-mail.
type MailTest struct {
	To string `json:"to" doc:"The address to send the test e-mail to."`
}

// TestMail sends a test e-mail through the configured mail server now.
func (a *App) TestMail(ctx context.Context, by complaint.Actor, in MailTest) (ChannelTest, error) {
	if err := Authorize(by, OpTestMail); err != nil {
		return ChannelTest{}, err
	}
	if in.To == "" {
		return ChannelTest{}, Refuse(Invalid, "to", "to is required: the address to send the test e-mail to")
	}
	if fe := validate.Email("to", in.To); fe != nil {
		return ChannelTest{}, invalidInput(fe, "to "+fe.Message)
	}
	if a.Mail == nil {
		return ChannelTest{}, Refuse(Conflict, "", "no mail server is configured (CXFLOW_SMTP_URL): e-mails wait in the outbox for a relay or the staff")
	}
	ctx, cancel := context.WithTimeout(ctx, channelTimeout)
	defer cancel()
	err := a.Mail.Send(ctx, email.Message{ID: "cxflow.test." + uuid.NewString() + "@" + a.Mail.Domain(), To: in.To,
		Subject: "cxflow 测试邮件", Text: "这是一封测试邮件：cxflow 可以通过 " + a.Mail.Server().String() + " 发送邮件。"})
	if err != nil {
		return ChannelTest{Answer: err.Error()}, nil
	}
	return ChannelTest{Delivered: true, Answer: "accepted by " + a.Mail.Server().String()}, nil
}
