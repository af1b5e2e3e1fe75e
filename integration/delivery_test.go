package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/email"
	"github.com/cxflow/cxflow/robot"
	"github.com/cxflow/cxflow/robot/robottest"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/webhook"
	"github.com/cxflow/cxflow/worker"
	"github.com/cxflow/cxflow/workflows"
)

// mailInstallation is a second installation of cxflow that delivers its
// e-mail through the test Mailpit: its own database (so no other test's
// outbox is delivered under it), task queue, worker, dispatcher and API.
type mailInstallation struct {
	store *store.Store
	api   string
	token string // market's session
	clerk string // customer service's session
	admin string // the administrator's session
}

func newMailInstallation(t *testing.T) mailInstallation {
	t.Helper()
	ctx := context.Background()
	cfg, _, st := secondInstallation(t, "cxflow_mail", "cxflow-mail")

	sender, err := email.NewSender(stack.smtp, cfg.MailFrom)
	require.NoError(t, err)
	policy, err := cfg.Policy()
	require.NoError(t, err)
	// Its webhooks may post to this machine: the tests' receivers listen here.
	acts := &activities.Activities{Store: st, Temporal: stack.client, Policy: policy, Location: cfg.Location, PublicURL: cfg.PublicURL,
		Links: cfg.Secrets.Links, Mail: sender,
		Keyring: cfg.Secrets.Keyring, Webhooks: webhook.NewSender(true, 5*time.Second), Robots: robot.NewSender(webhook.Client(true, 5*time.Second))}
	w := worker.New(stack.client, cfg.TaskQueue, acts)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	// Quick retries, so that a test sees a few within seconds.
	ops := &app.App{Temporal: stack.client, Store: st, TaskQueue: cfg.TaskQueue, Log: stack.log, DeliveryChannels: []string{"email", "webhook", "robot"},
		MessageRetry: workflows.MessageRetry{FirstWait: 300 * time.Millisecond, MaxWait: time.Second, Attempts: 30}}
	dctx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go ops.RunDispatcher(dctx, 100*time.Millisecond)
	// The reconciler confirms what the workflows' own timers wrote (an
	// escalation): their messages wait for it, as in worker.Run.
	go ops.RunReconciler(dctx, 200*time.Millisecond, time.Second)

	sec := server.SecurityFrom(cfg)
	sec.WebhookAllowPrivate = true
	sec.Mail = sender
	srv := httptest.NewServer(server.New(stack.client, st, cfg.TaskQueue, stack.log).WithSecurity(sec).Handler())
	t.Cleanup(srv.Close)
	tok, err := login(srv.URL, "market", demo.Password)
	require.NoError(t, err)
	clerk, err := login(srv.URL, "clerk", demo.Password)
	require.NoError(t, err)
	admin, err := login(srv.URL, "admin", demo.Password)
	require.NoError(t, err)
	return mailInstallation{store: st, api: srv.URL, token: tok, clerk: clerk, admin: admin}
}

// enqueue puts one e-mail in the outbox, as an activity deciding it would,
// and answers its ID.
func (m mailInstallation) enqueue(t *testing.T, to, subject string) int64 {
	t.Helper()
	ctx := context.Background()
	link := "http://cxflow.test/public/survey/" + uuid.NewString()
	n := store.Notification{Key: "it-mail:" + uuid.NewString(), Channel: "email", Recipient: to, Subject: subject,
		Body: "王经理 您好:\n\n请于本月底前填写满意度调查表。\n\n" + link, Link: link, Related: "survey-cycle:" + uuid.NewString()}
	added, err := m.store.Enqueue(ctx, []store.Notification{n})
	require.NoError(t, err)
	require.Equal(t, 1, added)
	list, err := m.store.Outbox(ctx, store.OutboxFilter{Related: n.Related, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1)
	return list[0].ID
}

// waitStatus waits until the message stands so, and answers it.
func (m mailInstallation) waitStatus(t *testing.T, id int64, status string) store.Notification {
	t.Helper()
	var n store.Notification
	require.Eventually(t, func() bool {
		var err error
		n, err = m.store.GetNotification(context.Background(), id)
		require.NoError(t, err)
		return n.Status == status
	}, 30*time.Second, 100*time.Millisecond, "message %d never became %s", id, status)
	return n
}

func (m mailInstallation) attempts(t *testing.T, id int64) []store.Attempt {
	t.Helper()
	r := call(t, m.api, http.MethodGet, fmt.Sprintf("/api/v1/notifications/%d/attempts", id), nil, "Authorization", "Bearer "+m.token)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var list server.AttemptList
	r.json(t, &list)
	return list.Items
}

func (m mailInstallation) inbox(t *testing.T, to string) []devstack.MailSummary {
	t.Helper()
	found, err := stack.mailpit.Search(context.Background(), "to:"+to)
	require.NoError(t, err)
	return found
}

func outcomes(as []store.Attempt) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Outcome
	}
	return out
}

// The outbox's e-mail is delivered by cxflow (issue #12): each message by a
// workflow of its own, every attempt recorded with the server's answer, under
// one Message-ID however often it is tried. A server that refuses for good
// fails the message with its reason, and staff deliver it again once the
// cause is fixed; a server that is busy is retried until it takes the
// message, which arrives once.
func TestEmailDeliveredFromTheOutbox(t *testing.T) {
	m := newMailInstallation(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t.Cleanup(func() { _, _ = stack.mailpit.SetChaos(context.Background(), devstack.ChaosTriggers{}) })
	tag := uuid.NewString()[:8]

	// The administrator's test e-mail: sent now, the server's answer given.
	r := call(t, m.api, http.MethodPost, "/api/v1/mail/test", map[string]any{"to": "test-" + tag + "@example.com"}, "Authorization", "Bearer "+m.admin)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, true, r.field(t, "delivered"), "%s", r.body)
	_, werr := stack.mailpit.WaitForMessage(ctx, "to:test-"+tag+"@example.com")
	require.NoError(t, werr)
	r = call(t, m.api, http.MethodPost, "/api/v1/mail/test", map[string]any{"to": "not an address"}, "Authorization", "Bearer "+m.admin)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "to", r.field(t, "field"))
	// The shared stack has no mail server: nothing to test, said so.
	require.Equal(t, http.StatusConflict, as(t, "admin", http.MethodPost, "/api/v1/mail/test", map[string]any{"to": "x@example.com"}).status)

	// Delivered: in the inbox with its Message-ID, both bodies and the link.
	to := "first-" + tag + "@example.com"
	id := m.enqueue(t, to, "满意度调查邀请: 重点客户 "+tag)
	sent := m.waitStatus(t, id, "sent")
	require.NotNil(t, sent.SentAt)
	require.Equal(t, 1, sent.Attempts)
	got, err := stack.mailpit.WaitForMessage(ctx, "to:"+to)
	require.NoError(t, err)
	require.Equal(t, "满意度调查邀请: 重点客户 "+tag, got.Subject)
	require.True(t, strings.HasPrefix(got.MessageID, "cxflow.") && strings.HasSuffix(got.MessageID, "@example.com"), got.MessageID)
	require.Contains(t, sent.Note, "<"+got.MessageID+">", "the outbox names the Message-ID it went under")
	require.Contains(t, got.Text, "http://cxflow.test/public/survey/")
	require.Contains(t, got.HTML, `<a href="http://cxflow.test/public/survey/`)
	as := m.attempts(t, id)
	require.Equal(t, []string{store.AttemptAccepted}, outcomes(as))
	require.Contains(t, as[0].Answer, "accepted by smtp://")
	recordHistory(t, "message_sent", workflows.MessageWorkflowID(id))

	// Refused for good (550): failed with the server's reason after one try;
	// delivered again by staff once the server takes it, under the same
	// Message-ID, and only once.
	_, err = stack.mailpit.SetChaos(ctx, devstack.ChaosTriggers{Recipient: devstack.ChaosTrigger{ErrorCode: 550, Probability: 100}})
	require.NoError(t, err)
	to = "refused-" + tag + "@example.com"
	id = m.enqueue(t, to, "满意度调查提醒 "+tag)
	failed := m.waitStatus(t, id, "failed")
	require.Contains(t, failed.Note, "550")
	require.Equal(t, []string{store.AttemptPermanent}, outcomes(m.attempts(t, id)))
	require.Empty(t, m.inbox(t, to))
	_, err = stack.mailpit.SetChaos(ctx, devstack.ChaosTriggers{})
	require.NoError(t, err)
	r = call(t, m.api, http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/resend", id), nil, "Authorization", "Bearer "+m.token)
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	m.waitStatus(t, id, "sent")
	require.Equal(t, []string{store.AttemptPermanent, store.AttemptAccepted}, outcomes(m.attempts(t, id)))
	require.Len(t, m.inbox(t, to), 1)
	// Sent is sent: not again.
	r = call(t, m.api, http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/resend", id), nil, "Authorization", "Bearer "+m.token)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)

	// Busy (451) for a while: retried with backoff, delivered when the
	// server is back, once.
	_, err = stack.mailpit.SetChaos(ctx, devstack.ChaosTriggers{Recipient: devstack.ChaosTrigger{ErrorCode: 451, Probability: 100}})
	require.NoError(t, err)
	to = "busy-" + tag + "@example.com"
	id = m.enqueue(t, to, "投诉升级 "+tag)
	require.Eventually(t, func() bool { return len(m.attempts(t, id)) >= 3 }, 30*time.Second, 100*time.Millisecond, "no retries seen")
	n, err := m.store.GetNotification(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "pending", n.Status, "a busy server does not fail the message")
	_, err = stack.mailpit.SetChaos(ctx, devstack.ChaosTriggers{})
	require.NoError(t, err)
	m.waitStatus(t, id, "sent")
	as = m.attempts(t, id)
	require.Equal(t, store.AttemptAccepted, as[len(as)-1].Outcome)
	for _, a := range as[:len(as)-1] {
		require.Equal(t, store.AttemptTemporary, a.Outcome)
		require.Contains(t, a.Answer, "451")
	}
	require.Len(t, m.inbox(t, to), 1)
	recordHistory(t, "message_retried", workflows.MessageWorkflowID(id))

	// A complaint recorded with the customer's e-mail: the acknowledgement
	// reaches the customer once the record is confirmed, with a status link
	// that works. A message reporting a change the read model does not hold
	// confirmed (here: a version the complaint never reached) waits.
	to = "customer-" + tag + "@example.com"
	r = call(t, m.api, http.MethodPost, "/api/v1/complaints", customerIntake(to), "Authorization", "Bearer "+m.clerk)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	complaintID, number := r.field(t, "id").(string), r.field(t, "number").(string)
	_, err = m.store.Enqueue(ctx, []store.Notification{{Key: "it-mail:unconfirmed:" + tag, Channel: "email", Recipient: "held-" + tag + "@example.com",
		Subject: "held", Body: "held", Related: "complaint:" + complaintID, CaseVersion: 1000}})
	require.NoError(t, err)
	got, err = stack.mailpit.WaitForMessage(ctx, "to:"+to)
	require.NoError(t, err)
	require.Contains(t, got.Subject, number)
	link := regexp.MustCompile(`http://cxflow\.test(/public/status/[A-Za-z0-9._-]+)`).FindStringSubmatch(got.Text)
	require.NotNil(t, link, "no status link in %q", got.Text)
	status := call(t, m.api, http.MethodGet, link[1], nil, "Authorization", "")
	require.Equal(t, http.StatusOK, status.status, "%s", status.body)
	require.Equal(t, number, status.field(t, "number"))
	// A message written after the held one is delivered: the dispatcher has
	// looked past the held one (it takes them in order) and left it.
	after := m.enqueue(t, "after-"+tag+"@example.com", "after "+tag)
	m.waitStatus(t, after, "sent")
	require.Empty(t, m.inbox(t, "held-"+tag+"@example.com"), "a message of an unconfirmed change is not sent")
	held, err := m.store.Outbox(ctx, store.OutboxFilter{Related: "complaint:" + complaintID, Status: "pending", Limit: 10})
	require.NoError(t, err)
	require.Len(t, held, 1)
	require.Equal(t, "held-"+tag+"@example.com", held[0].Recipient)
	require.Zero(t, held[0].Attempts)

	// An overdue complaint: each escalation reaches the people it names, by
	// e-mail at their address (demo users have <username>@example.com),
	// linked to the complaint's page in the console.
	late := intake(5_000)
	late["subject"] = "升级邮件测试 " + tag
	late["received_at"] = time.Now().Add(-20 * 24 * time.Hour).Format(time.RFC3339)
	r = call(t, m.api, http.MethodPost, "/api/v1/complaints", late, "Authorization", "Bearer "+m.clerk)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	lateID, lateNumber := r.field(t, "id").(string), r.field(t, "number").(string)
	for _, person := range []string{"market", "gm"} {
		got, err := stack.mailpit.WaitForMessage(ctx, fmt.Sprintf("to:%s@example.com subject:%q", person, lateNumber))
		require.NoError(t, err, person)
		require.Contains(t, got.Subject, "投诉升级")
		require.Contains(t, got.Text, "http://cxflow.test/complaints/"+lateID)
	}
}

// received is one delivery a test receiver took.
type received struct {
	event   webhook.Event
	kind    string
	goodSig bool
}

// Outgoing webhooks (issue #12): an administrator subscribes a URL; each
// event reaches it signed with the secret, the complaint as the API shows it
// as its data; the deliveries and their attempts can be read back, the
// secret never. Targets on this machine are refused by default (SSRF).
func TestWebhooksPostSignedEvents(t *testing.T) {
	// The shared stack refuses what a registration must not be.
	for field, body := range map[string]map[string]any{
		"url":    {"url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef", "events": []string{"complaint.recorded"}},
		"secret": {"url": "https://203.0.113.5/hook", "secret": "short", "events": []string{"complaint.recorded"}},
		"events": {"url": "https://203.0.113.5/hook", "secret": "0123456789abcdef", "events": []string{"complaint.deleted"}},
	} {
		r := as(t, "admin", http.MethodPost, "/api/v1/webhooks", body)
		require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
		require.Equal(t, field, r.field(t, "field"))
	}
	require.Equal(t, http.StatusForbidden, as(t, "market", http.MethodPost, "/api/v1/webhooks",
		map[string]any{"url": "https://203.0.113.5/hook", "secret": "0123456789abcdef", "events": []string{"complaint.recorded"}}).status)

	m := newMailInstallation(t)
	const secret = "the receiver's shared secret"
	got := make(chan received, 32)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev webhook.Event
		_ = json.Unmarshal(body, &ev)
		got <- received{event: ev, kind: r.Header.Get(webhook.HeaderEvent), goodSig: webhook.Verify([]byte(secret), body, r.Header.Get(webhook.HeaderSignature))}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	r := call(t, m.api, http.MethodPost, "/api/v1/webhooks", map[string]any{"url": receiver.URL + "/cxflow", "secret": secret,
		"events": []string{"complaint.recorded", "complaint.step_completed"}}, "Authorization", "Bearer "+m.admin)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	hookID := r.field(t, "id").(string)
	require.NotContains(t, string(r.body), secret)
	test := call(t, m.api, http.MethodPost, "/api/v1/webhooks/"+hookID+"/test", nil, "Authorization", "Bearer "+m.admin)
	require.Equal(t, http.StatusOK, test.status, "%s", test.body)
	require.Equal(t, true, test.field(t, "delivered"), "%s", test.body)
	select {
	case d := <-got:
		require.Equal(t, webhook.Ping, d.event.Type)
		require.True(t, d.goodSig, "the ping is signed too")
	case <-time.After(10 * time.Second):
		t.Fatal("no ping")
	}

	r = call(t, m.api, http.MethodPost, "/api/v1/complaints", intake(1000), "Authorization", "Bearer "+m.clerk)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	id, number := r.field(t, "id").(string), r.field(t, "number").(string)
	next := func(kind string) received {
		t.Helper()
		for {
			select {
			case d := <-got:
				var c struct {
					ID, Number string
				}
				require.NoError(t, json.Unmarshal(d.event.Data, &c))
				if c.ID != id || d.event.Type != kind {
					continue // another complaint's, or an earlier event
				}
				return d
			case <-time.After(20 * time.Second):
				t.Fatalf("no %s event for complaint %s", kind, number)
			}
		}
	}
	d := next(webhook.ComplaintRecorded)
	require.True(t, d.goodSig, "signed with the secret")
	require.Equal(t, webhook.ComplaintRecorded, d.kind)
	require.Equal(t, "complaint:"+id+":recorded:1", d.event.ID)
	require.Contains(t, string(d.event.Data), number)

	require.Equal(t, http.StatusOK, call(t, m.api, http.MethodPost, "/api/v1/complaints/"+id+"/validation",
		map[string]any{"founded": true, "reason": "属实"}, "Authorization", "Bearer "+m.token).status)
	d = next(webhook.ComplaintStepCompleted)
	require.True(t, d.goodSig)
	require.Contains(t, string(d.event.Data), `"status":"assignment"`)

	list := call(t, m.api, http.MethodGet, "/api/v1/webhooks", nil, "Authorization", "Bearer "+m.admin)
	require.Equal(t, http.StatusOK, list.status)
	require.Contains(t, string(list.body), hookID)
	require.NotContains(t, string(list.body), secret)
	var deliveries server.WebhookDeliveryList
	require.Eventually(t, func() bool {
		r := call(t, m.api, http.MethodGet, "/api/v1/webhooks/"+hookID+"/deliveries", nil, "Authorization", "Bearer "+m.admin)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r.json(t, &deliveries)
		sent := 0
		for _, d := range deliveries.Items {
			if d.Status == "sent" && len(d.Tries) > 0 && d.Tries[len(d.Tries)-1].Outcome == store.AttemptAccepted {
				sent++
			}
		}
		return sent >= 2
	}, 10*time.Second, 100*time.Millisecond, "the deliveries are listed with their attempts")

	require.Equal(t, http.StatusNoContent, call(t, m.api, http.MethodDelete, "/api/v1/webhooks/"+hookID, nil, "Authorization", "Bearer "+m.admin).status)
	require.Equal(t, http.StatusNotFound, call(t, m.api, http.MethodGet, "/api/v1/webhooks/"+hookID+"/deliveries", nil, "Authorization", "Bearer "+m.admin).status)
}

// A department's group-chat robots (issue #12): an escalation addressed to
// the department's heads is posted to each of its robots, signed as the
// platform specifies — checked by local receivers that implement DingTalk's
// and WeCom's documented requests; the URL's token and the secret are never
// returned.
func TestRobotsPostEscalations(t *testing.T) {
	m := newMailInstallation(t)
	ding := robottest.Start(robot.DingTalk, "SEC-ding-the-secret")
	defer ding.Close()
	wecom := robottest.Start(robot.WeCom, "wecom-key-"+uuid.NewString()[:8])
	defer wecom.Close()
	admin := func(method, path string, body any) response {
		return call(t, m.api, method, path, body, "Authorization", "Bearer "+m.admin)
	}
	for field, body := range map[string]map[string]any{
		"vendor":     {"department": "branch-zhengzhou", "vendor": "wechat", "url": ding.URL(), "secret": ding.Secret},
		"department": {"department": "nowhere", "vendor": "dingtalk", "url": ding.URL(), "secret": ding.Secret},
		"secret":     {"department": "branch-zhengzhou", "vendor": "dingtalk", "url": ding.URL()},
		"url":        {"department": "branch-zhengzhou", "vendor": "dingtalk", "url": ding.Server.URL + "/robot/send", "secret": ding.Secret},
	} {
		r := admin(http.MethodPost, "/api/v1/robots", body)
		require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
		require.Equal(t, field, r.field(t, "field"))
	}
	r := admin(http.MethodPost, "/api/v1/robots", map[string]any{"department": "branch-zhengzhou", "vendor": "dingtalk", "url": ding.URL(), "secret": ding.Secret})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.NotContains(t, string(r.body), "access_token")
	require.NotContains(t, string(r.body), ding.Secret)
	dingID := r.field(t, "id").(string)
	r = admin(http.MethodPost, "/api/v1/robots", map[string]any{"department": "branch-zhengzhou", "vendor": "wecom", "url": wecom.URL()})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)

	// The administrator's test button: one message now, the platform's answer.
	test := admin(http.MethodPost, "/api/v1/robots/"+dingID+"/test", nil)
	require.Equal(t, http.StatusOK, test.status, "%s", test.body)
	require.Equal(t, true, test.field(t, "delivered"), "%s", test.body)
	require.Equal(t, "cxflow 测试消息", ding.Messages()[len(ding.Messages())-1].Title)
	// A robot registered with a wrong secret: the test says what DingTalk says.
	r = admin(http.MethodPost, "/api/v1/robots", map[string]any{"department": "quality", "vendor": "dingtalk", "url": ding.URL(), "secret": "SEC-a-wrong-one"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	test = admin(http.MethodPost, "/api/v1/robots/"+r.field(t, "id").(string)+"/test", nil)
	require.Equal(t, http.StatusOK, test.status)
	require.Equal(t, false, test.field(t, "delivered"))
	require.Contains(t, test.field(t, "answer"), "310000")
	require.Equal(t, http.StatusNoContent, admin(http.MethodDelete, "/api/v1/robots/"+r.field(t, "id").(string), nil).status)
	refusedBefore := ding.Refusals()
	list := admin(http.MethodGet, "/api/v1/robots?department=branch-zhengzhou", nil)
	require.Equal(t, http.StatusOK, list.status)
	require.NotContains(t, string(list.body), wecom.Key)

	late := intake(5_000)
	late["branch"] = "branch-zhengzhou"
	late["subject"] = "机器人升级测试 " + uuid.NewString()[:6]
	late["received_at"] = time.Now().Add(-20 * 24 * time.Hour).Format(time.RFC3339)
	r = call(t, m.api, http.MethodPost, "/api/v1/complaints", late, "Authorization", "Bearer "+m.clerk)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	id, number := r.field(t, "id").(string), r.field(t, "number").(string)
	for _, rcv := range []*robottest.Receiver{ding, wecom} {
		require.Eventually(t, func() bool {
			for _, got := range rcv.Messages() {
				if strings.Contains(got.Title+got.Text, number) {
					require.Contains(t, got.Text, "http://cxflow.test/complaints/"+id, "the link to act")
					return true
				}
			}
			return false
		}, 20*time.Second, 100*time.Millisecond, "%s: no escalation for %s", rcv.Vendor, number)
		want := 0
		if rcv == ding {
			want = refusedBefore // the wrong-secret test only
		}
		require.Equal(t, want, rcv.Refusals(), "%s refused a request: signature or key", rcv.Vendor)
	}
}

// New work reaches the people who must act (issue #12): a recorded
// complaint tells the market department by e-mail, an assigned one the
// responsible department's people, each linked to the complaint's page.
func TestNewWorkIsMailedToWhoActsNext(t *testing.T) {
	m := newMailInstallation(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := call(t, m.api, http.MethodPost, "/api/v1/complaints", intake(1000), "Authorization", "Bearer "+m.clerk)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	id, number := r.field(t, "id").(string), r.field(t, "number").(string)
	got, err := stack.mailpit.WaitForMessage(ctx, fmt.Sprintf("to:market@example.com subject:%q", "待办："+number))
	require.NoError(t, err)
	require.Contains(t, got.Subject, "判定投诉")
	require.Contains(t, got.Text, "http://cxflow.test/complaints/"+id)

	for _, step := range []struct {
		path string
		body map[string]any
	}{
		{"validation", map[string]any{"founded": true, "reason": "属实"}},
		{"assignment", map[string]any{"department": "engineering", "handler": "李工"}},
	} {
		r := call(t, m.api, http.MethodPost, "/api/v1/complaints/"+id+"/"+step.path, step.body, "Authorization", "Bearer "+m.token)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", step.path, r.body)
	}
	for _, person := range []string{"engineer", "head"} {
		got, err := stack.mailpit.WaitForMessage(ctx, fmt.Sprintf("to:%s@example.com subject:%q", person, "待办："+number))
		require.NoError(t, err, person)
		require.Contains(t, got.Subject, "分析原因")
	}
}
