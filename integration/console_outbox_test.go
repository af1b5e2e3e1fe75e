package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/store"
)

// outboxCycle starts a survey cycle for two new customers, one with an
// e-mail address and one without, and returns the cycle and what it put in
// the outbox: an e-mail with the customer's link, and a task for the market
// department to contact the other.
func outboxCycle(t *testing.T) (cycleID string, email, task store.Notification) {
	t.Helper()
	tag := uuid.NewString()[:6]
	withMail, without := "OB1-"+tag, "OB2-"+tag
	r := postCSV(t, "客户编号,客户名称,等级,年采购额,合作年限,有潜力,代表性项目,类别,联系人,电话,邮箱\n"+
		withMail+",洛阳轴承,A,1500000,4,否,否,device,周经理,,"+strings.ToLower(withMail)+"@example.cn\n"+
		without+",郑州起重,A,1300000,6,否,否,device,吴工,0371-6000000,\n")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	// A long window: the cycle stays open, with no reminders, while the test runs.
	programme := shortProgramme(t, "发件箱客户满意度调查 "+tag, "1h", nil)
	r = as(t, "market", http.MethodPost, "/api/v1/survey-programmes/"+programme+"/cycles", map[string]any{"customer_ids": []string{withMail, without}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	cycleID = r.field(t, "cycle_id").(string)
	waitCycle(t, cycleID, "open", 15*time.Second)
	require.Eventually(t, func() bool {
		email, task = store.Notification{}, store.Notification{}
		for _, n := range outboxOf(t, cycleID) {
			switch {
			case n.Channel == "email" && n.Recipient == strings.ToLower(withMail)+"@example.cn":
				email = n
			case n.Channel == "task" && strings.Contains(n.Subject, without):
				task = n
			}
		}
		return email.ID != 0 && task.ID != 0
	}, 10*time.Second, 200*time.Millisecond, "the cycle's invitations never reached the outbox")
	return cycleID, email, task
}

// outboxOf is the cycle's messages as the API lists them.
func outboxOf(t *testing.T, cycleID string) []store.Notification {
	t.Helper()
	var list struct {
		Items []store.Notification `json:"items"`
	}
	r := as(t, "clerk", http.MethodGet, "/api/v1/notifications?limit=1000&related=survey-cycle:"+cycleID, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &list)
	return list.Items
}

func outboxMessage(t *testing.T, cycleID string, id int64) store.Notification {
	t.Helper()
	for _, n := range outboxOf(t, cycleID) {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("message %d is not in the outbox of cycle %s", id, cycleID)
	return store.Notification{}
}

// rowOf is the page's table row of a message.
func rowOf(t *testing.T, body string, id int64) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr id="n-` + strconv.FormatInt(id, 10) + `".*?</tr>`).FindString(body)
	require.NotEmpty(t, m, "no row for message %d", id)
	return m
}

// Customer service works through the outbox: the invitation e-mail is
// reported sent, the phone task failed (a note is required), a stale form
// learns someone was first; a department member may not look.
func TestConsoleOutbox(t *testing.T) {
	cycleID, email, task := outboxCycle(t)
	clerk := browser(t, "clerk")

	code, body := page(t, clerk, http.MethodGet, "/notifications", nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, `<a href="/notifications" aria-current="page">通知</a>`)
	pending := regexp.MustCompile(`待发送 (\d+) 条`).FindStringSubmatch(body)
	require.NotNil(t, pending, "no pending count in the heading")
	n, _ := strconv.Atoi(pending[1])
	require.GreaterOrEqual(t, n, 2, "at least the cycle's two messages are pending")
	// Newest first: the cycle's task (enqueued after the e-mail) comes first.
	require.Less(t, strings.Index(body, fmt.Sprintf(`id="n-%d"`, task.ID)), strings.Index(body, fmt.Sprintf(`id="n-%d"`, email.ID)))
	row := rowOf(t, body, email.ID)
	require.Contains(t, row, `<input type="text" readonly value="`+email.Link+`">`, "the customer's link, to copy")
	require.Contains(t, row, `<a href="/surveys/cycles/`+cycleID+`">满意度调查周期</a>`)
	require.Contains(t, row, "电子邮件")
	require.Contains(t, rowOf(t, body, task.ID), "（全体）", "the task names the market department")

	// The e-mail went out by hand: reported sent through the form.
	sent := fmt.Sprintf("/notifications/%d/status", email.ID)
	code, body = page(t, clerk, http.MethodPost, sent, url.Values{"status": {"sent"}, "if_status": {"pending"}})
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, fmt.Sprintf("通知 #%d 已标记为已发送。", email.ID))
	require.NotContains(t, body, fmt.Sprintf(`id="n-%d"`, email.ID), "no longer pending")
	got := outboxMessage(t, cycleID, email.ID)
	require.Equal(t, "sent", got.Status)
	require.NotNil(t, got.SentAt)
	// The same form again, from a page that still showed it pending.
	code, body = page(t, clerk, http.MethodPost, sent, url.Values{"status": {"failed"}, "if_status": {"pending"}, "note": {"退信"}})
	require.Equal(t, http.StatusConflict, code, body)
	require.Contains(t, body, "这条通知已经有人标记过了，您的标记没有保存。")
	require.Equal(t, "sent", outboxMessage(t, cycleID, email.ID).Status, "the earlier report stands")

	// The customer could not be reached: failed needs a note.
	failed := fmt.Sprintf("/notifications/%d/status?kind=task", task.ID)
	code, body = page(t, clerk, http.MethodPost, failed, url.Values{"status": {"failed"}, "if_status": {"pending"}, "note": {" "}})
	require.Equal(t, http.StatusBadRequest, code, body)
	require.Regexp(t, `<label class="invalid">失败原因（必填）<input type="text" name="note" value="" required><span class="field-error" data-field="note" role="alert">请写明发送失败的原因。</span>`,
		rowOf(t, body, task.ID))
	require.Equal(t, "pending", outboxMessage(t, cycleID, task.ID).Status)
	code, body = page(t, clerk, http.MethodPost, failed, url.Values{"status": {"failed"}, "if_status": {"pending"}, "note": {"电话停机，改寄信函"}})
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, fmt.Sprintf("通知 #%d 已标记为发送失败。", task.ID))
	got = outboxMessage(t, cycleID, task.ID)
	require.Equal(t, "failed", got.Status)
	require.Equal(t, "电话停机，改寄信函", got.Note)

	// The failed tasks show the note, and may still be reported sent.
	code, body = page(t, clerk, http.MethodGet, "/notifications?status=failed&kind=task&lang=en", nil)
	require.Equal(t, http.StatusOK, code, body)
	row = rowOf(t, body, task.ID)
	require.Contains(t, row, "Note: 电话停机，改寄信函")
	require.Contains(t, row, "Sent after all")
	require.NotContains(t, row, `name="note"`)

	// A department member has no outbox.
	engineer := browser(t, "engineer")
	code, body = page(t, engineer, http.MethodGet, "/notifications?lang=zh", nil)
	require.Equal(t, http.StatusForbidden, code, body)
	require.Contains(t, body, "通知发件箱仅供管理员、市场部和客户服务人员使用。")
	_, home := page(t, engineer, http.MethodGet, "/", nil)
	require.NotContains(t, home, `href="/notifications"`)
	code, _ = page(t, engineer, http.MethodPost, fmt.Sprintf("/notifications/%d/status", task.ID), url.Values{"status": {"sent"}, "if_status": {"failed"}})
	require.Equal(t, http.StatusForbidden, code)
	require.Equal(t, "failed", outboxMessage(t, cycleID, task.ID).Status)
}

// The market department opens the outbox from the menu, reads an
// invitation with its link, and reports it sent.
func TestConsoleOutboxInABrowser(t *testing.T) {
	ctx, dir := chromeTab(t, 1280, 1000)
	_, email, task := outboxCycle(t)
	signIn(t, ctx, "market")
	emailRow := fmt.Sprintf(`#n-%d`, email.ID)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(`header nav a[href="/notifications"]`),
		chromedp.WaitVisible(`table.outbox-list`),
		chromedp.WaitVisible(fmt.Sprintf(`#n-%d`, task.ID)),
		chromedp.Click(emailRow+` details.outbox-body summary`),
		chromedp.WaitVisible(emailRow+` label.outbox-link input`),
	))
	heading, err := chromedp.Run(ctx, chromedp.Text(`main h1`))
	require.NoError(t, err)
	link, err := chromedp.Run(ctx, chromedp.Value(emailRow+` label.outbox-link input`))
	require.NoError(t, err)
	require.Contains(t, heading, "通知发件箱")
	require.Regexp(t, `待发送 \d+ 条`, heading)
	require.Equal(t, email.Link, link)
	// The view as it opens, not the whole (long) list.
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "console-outbox.png"), png, 0o644))

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(emailRow+` form.outbox-mark:not(.outbox-fail) button`),
		chromedp.WaitVisible(`p.notice`),
	))
	notice, err := chromedp.Run(ctx, chromedp.Text(`p.notice`))
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("通知 #%d 已标记为已发送。", email.ID), notice)
}
