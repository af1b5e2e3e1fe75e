package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
)

// 通知发件箱: everything cxflow wants delivered — survey invitations and
// reminders to e-mail, escalation notices, report-ready notices, tasks for
// staff — as GET /api/v1/notifications lists it. With no mail server the
// staff deliver by hand (a call, a letter, a message with the customer's
// link) and report each message sent or failed here.

// mayOutbox reports whether the actor may read the outbox and report
// deliveries: the application's rule for it (app.OpListNotifications).
func mayOutbox(a complaint.Actor) bool { return app.May(a, app.OpListNotifications) }

// outboxPageSize is how many messages a page shows.
const outboxPageSize = 50

func init() {
	addMessages(map[string]string{
		"outbox.nav": "通知", "outbox.title": "通知发件箱", "outbox.pending_count": "待发送 %d 条",
		"outbox.hint":           "系统不直接发送邮件：调查邀请和提醒、升级通知、报告生成通知以及需要人工完成的任务都放在这里。请按内容发送邮件、打电话或寄送，完成后标记“已发送”；无法送达时标记“发送失败”并写明原因。",
		"outbox.who":            "通知发件箱仅供管理员、市场部和客户服务人员使用。",
		"outbox.status.pending": "待发送", "outbox.status.sent": "已发送", "outbox.status.failed": "发送失败", "outbox.status.all": "全部",
		"outbox.kind.all": "全部类型", "outbox.kind.email": "电子邮件", "outbox.kind.task": "人工任务",
		"outbox.col.when": "时间", "outbox.col.kind": "类型", "outbox.col.recipient": "收件人", "outbox.col.subject": "主题",
		"outbox.col.related": "相关：", "outbox.col.status": "状态",
		"outbox.body": "正文", "outbox.link.customer": "客户链接（复制后发给客户）", "outbox.link.other": "链接",
		"outbox.sent_at": "发送于 %s", "outbox.note": "说明：",
		"outbox.mark_sent": "已发送", "outbox.mark_failed": "发送失败", "outbox.retry_sent": "已重新发送",
		"outbox.attempts": "已尝试投递 %d 次", "outbox.resend": "重新投递",
		"outbox.failed_note": "失败原因（必填）", "outbox.note_required": "请写明发送失败的原因。", "outbox.note_bad": "请检查这段说明：",
		"outbox.empty": "没有符合条件的通知。", "outbox.older": "更早的通知", "outbox.newest": "回到最新",
		"outbox.done.sent": "通知 #%d 已标记为已发送。", "outbox.done.failed": "通知 #%d 已标记为发送失败。",
		"outbox.done.resent":      "通知 #%d 已重新排队投递。",
		"outbox.conflict":         "这条通知已经有人标记过了，您的标记没有保存。请看它现在的状态。",
		"outbox.rel.survey-cycle": "满意度调查周期", "outbox.rel.report-version": "报告版本", "outbox.rel.complaint": "投诉",
		"outbox.rel.improvement-action": "改进措施",
		"outbox.to.department":          "%s（全体）", "outbox.to.level": "%s · %s", "outbox.to.role": "%s（按角色）",
		"outbox.field.note": "说明", "outbox.field.status": "状态", "outbox.field.if_status": "原状态",
		"outbox.field.before": "分页位置", "outbox.field.channel": "类型",
	}, map[string]string{
		"outbox.nav": "Outbox", "outbox.title": "Notifications outbox", "outbox.pending_count": "%d pending",
		"outbox.hint":           "cxflow sends no e-mail itself: survey invitations and reminders, escalation notices, report-ready notices and tasks for staff wait here. Send the e-mail, make the call or post the letter as the message says, then mark it sent; if it cannot be delivered, mark it failed and say why.",
		"outbox.who":            "The outbox is for administrators, the market department and customer service.",
		"outbox.status.pending": "Pending", "outbox.status.sent": "Sent", "outbox.status.failed": "Failed", "outbox.status.all": "All",
		"outbox.kind.all": "All kinds", "outbox.kind.email": "E-mail", "outbox.kind.task": "Staff task",
		"outbox.col.when": "When", "outbox.col.kind": "Kind", "outbox.col.recipient": "Recipient", "outbox.col.subject": "Subject",
		"outbox.col.related": "About: ", "outbox.col.status": "Status",
		"outbox.body": "Message", "outbox.link.customer": "The customer's link (copy it to the customer)", "outbox.link.other": "Link",
		"outbox.sent_at": "sent %s", "outbox.note": "Note:",
		"outbox.mark_sent": "Mark sent", "outbox.mark_failed": "Mark failed", "outbox.retry_sent": "Sent after all",
		"outbox.attempts": "%d delivery attempts", "outbox.resend": "Deliver again",
		"outbox.failed_note": "Why it failed (required)", "outbox.note_required": "Say why the message could not be delivered.", "outbox.note_bad": "Check the note:",
		"outbox.empty": "No message matches.", "outbox.older": "Older messages", "outbox.newest": "Back to the newest",
		"outbox.done.sent": "Message #%d is marked sent.", "outbox.done.failed": "Message #%d is marked failed.",
		"outbox.done.resent":      "Message #%d is queued for delivery again.",
		"outbox.conflict":         "Someone has marked this message already; your mark was not saved. See how it stands now.",
		"outbox.rel.survey-cycle": "Survey cycle", "outbox.rel.report-version": "Report version", "outbox.rel.complaint": "Complaint",
		"outbox.rel.improvement-action": "Improvement action",
		"outbox.to.department":          "%s (everyone)", "outbox.to.level": "%s · %s", "outbox.to.role": "%s (by role)",
		"outbox.field.note": "Note", "outbox.field.status": "Status", "outbox.field.if_status": "Status seen",
		"outbox.field.before": "Page position", "outbox.field.channel": "Kind",
	})
	register(area{name: "outbox", nav: "outbox.nav", href: "/notifications", allowed: mayOutbox, order: 50,
		routes: func(cs *Console) []route {
			return []route{
				{method: http.MethodGet, pattern: "/notifications", handle: cs.outboxPage},
				{method: http.MethodPost, pattern: "/notifications/:id/status", handle: cs.outboxMark},
				{method: http.MethodPost, pattern: "/notifications/:id/resend", handle: cs.outboxResend},
			}
		}})
}

// outboxMessage is a message of the outbox.
type outboxMessage = app.Notification

// outboxTally and outboxCounts are the outbox's counts, by status and channel.
type (
	outboxTally  = app.OutboxTally
	outboxCounts app.OutboxCounts
)

func (c outboxCounts) of(status string) outboxTally {
	switch status {
	case "pending":
		return c.Pending
	case "sent":
		return c.Sent
	case "failed":
		return c.Failed
	}
	return outboxTally{Email: c.Pending.Email + c.Sent.Email + c.Failed.Email, Task: c.Pending.Task + c.Sent.Task + c.Failed.Task,
		Total: c.Pending.Total + c.Sent.Total + c.Failed.Total}
}

// outboxFilter is what the page shows: a status (pending unless asked;
// "all" for every status), a kind (email, task; empty for both) and the
// paging position (the API's before cursor, newest first).
type outboxFilter struct {
	Status, Kind, Before string
}

func outboxFilterOf(c *gin.Context) outboxFilter {
	f := outboxFilter{Status: c.Query("status"), Kind: c.Query("kind"), Before: c.Query("before")}
	if f.Status == "" {
		f.Status = "pending"
	}
	return f
}

// outboxQuery is the page's query for a filter, before as given.
func outboxQuery(status, kind, before string) url.Values {
	q := url.Values{}
	if status != "pending" {
		q.Set("status", status)
	}
	if kind != "" {
		q.Set("kind", kind)
	}
	if before != "" {
		q.Set("before", before)
	}
	return q
}

// outboxHref is the page for a filter.
func outboxHref(status, kind, before string) string {
	if q := outboxQuery(status, kind, before).Encode(); q != "" {
		return "/notifications?" + q
	}
	return "/notifications"
}

// ops is the operation's filter: newest first, one page. A position that is
// no notification ID is refused as the API refuses it.
func (f outboxFilter) ops() (app.OutboxFilter, error) {
	q := app.OutboxFilter{Newest: true, Limit: outboxPageSize, Channel: f.Kind}
	if f.Status != "all" {
		q.Status = f.Status
	}
	if f.Before != "" {
		n, err := strconv.ParseInt(f.Before, 10, 64)
		if err != nil || n < 0 {
			return q, app.Refuse(app.Invalid, "before", "before must be a notification ID")
		}
		q.Before = n
	}
	return q, nil
}

// outboxView is the page's data.
type outboxView struct {
	Pending  int
	Statuses []outboxTab
	Kinds    []outboxTab
	Rows     []outboxRow
	// Older pages back; Newest returns to the first page.
	Older, Newest string
}

// outboxTab is a filter choice with its count (-1: not counted).
type outboxTab struct {
	Key, Href string
	Count     int
	Active    bool
}

// outboxRow is one message.
type outboxRow struct {
	ID                  int64
	When, Kind          string
	Recipient, Subject  string
	Body, Link, LinkKey string
	Related             outboxRef
	Status, SentAt      string
	Note                string
	// Attempts is how often cxflow tried to deliver an e-mail; Resend is
	// where a failed one is sent again.
	Attempts int
	Resend   string
	// Action is where the forms post (the page's filter kept); MaySend and
	// MayFail offer the two reports: a pending message either, a failed one
	// "sent after all".
	Action           string
	MaySend, MayFail bool
	// FailNote and FailError are the failed form's note and complaint after
	// a refusal, which also opens the row's body.
	FailNote, FailError string
}

// outboxRef is what a message is about, linked to its page where the user
// may open one.
type outboxRef struct {
	Label, Text, Href string
}

// outboxRefused is a report the API or the console refused, shown on the
// page with the form as it was sent.
type outboxRefused struct {
	ID         int64
	Note       string
	FieldError string
}

func (cs *Console) outboxForbidden(c *gin.Context) {
	p := cs.base(c, "error.title")
	p.Error = T(p.Lang, "refusal.403") + " " + T(p.Lang, "outbox.who")
	cs.render(c, http.StatusForbidden, "error.html", p)
}

func (cs *Console) outboxPage(c *gin.Context) {
	if !mayOutbox(user(c).Actor) {
		cs.outboxForbidden(c)
		return
	}
	p := cs.base(c, "outbox.title")
	if d, id := c.Query("done"), c.Query("n"); d == "sent" || d == "failed" || d == "resent" {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			p.Notice = fmt.Sprintf(T(p.Lang, "outbox.done."+d), n)
		}
	}
	cs.showOutbox(c, p, http.StatusOK, nil)
}

// showOutbox renders the outbox for the request's filter; refused, when
// set, is a report to show again with its complaint.
func (cs *Console) showOutbox(c *gin.Context, p page, status int, refused *outboxRefused) {
	f := outboxFilterOf(c)
	all, err := cs.ops.CountNotifications(c, user(c).Actor)
	if r := refusalIn(c, err); r != nil {
		cs.refuse(c, r)
		return
	}
	counts := outboxCounts(all)
	q, err := f.ops()
	var list app.NotificationPage
	if err == nil {
		list, err = cs.ops.Notifications(c, user(c).Actor, q)
	}
	if r := refusalIn(c, err); r != nil {
		// A filter the API refuses is said on the page, the tabs kept.
		if p.Error == "" {
			p.Error = outboxExplain(p.Lang, r)
		}
		if status == http.StatusOK {
			status = r.Status
		}
	}
	p.Depts = cs.departmentNames(c)
	a := user(c).Actor
	v := &outboxView{Pending: counts.Pending.Total}
	for _, s := range []string{"pending", "sent", "failed", "all"} {
		v.Statuses = append(v.Statuses, outboxTab{Key: "outbox.status." + s, Href: outboxHref(s, f.Kind, ""),
			Count: counts.of(s).Total, Active: s == f.Status})
	}
	tally := counts.of(f.Status)
	for _, k := range []struct {
		kind  string
		count int
	}{{"", tally.Total}, {"email", tally.Email}, {"task", tally.Task}} {
		key := "outbox.kind." + k.kind
		if k.kind == "" {
			key = "outbox.kind.all"
		}
		v.Kinds = append(v.Kinds, outboxTab{Key: key, Href: outboxHref(f.Status, k.kind, ""), Count: k.count, Active: k.kind == f.Kind})
	}
	action := ""
	if q := outboxQuery(f.Status, f.Kind, f.Before).Encode(); q != "" {
		action = "?" + q
	}
	for _, m := range list.Items {
		row := outboxRow{ID: m.ID, When: p.Time(m.CreatedAt), Kind: m.Channel, Recipient: outboxRecipient(p, m),
			Subject: m.Subject, Body: m.Body, Link: m.Link, Related: outboxRelated(a, m.Related), Status: m.Status, Note: m.Note,
			Action:  "/notifications/" + strconv.FormatInt(m.ID, 10) + "/status" + action,
			MaySend: m.Status == "pending" || m.Status == "failed", MayFail: m.Status == "pending", Attempts: m.Attempts}
		if m.Channel != "task" && m.Status == "failed" {
			row.Resend = "/notifications/" + strconv.FormatInt(m.ID, 10) + "/resend" + action
		}
		if m.SentAt != nil && m.Status == "sent" {
			row.SentAt = fmt.Sprintf(T(p.Lang, "outbox.sent_at"), p.Time(m.SentAt))
		}
		row.LinkKey = "outbox.link.other"
		if strings.HasPrefix(m.Related, "survey-cycle:") {
			row.LinkKey = "outbox.link.customer"
		}
		if refused != nil && refused.ID == m.ID {
			row.FailNote, row.FailError = refused.Note, refused.FieldError
		}
		v.Rows = append(v.Rows, row)
	}
	if list.NextBefore > 0 {
		v.Older = outboxHref(f.Status, f.Kind, strconv.FormatInt(list.NextBefore, 10))
	}
	if f.Before != "" {
		v.Newest = outboxHref(f.Status, f.Kind, "")
	}
	p.Data = v
	cs.render(c, status, "outbox.html", p)
}

// outboxMessage is the message an outbox action names, for a user who may
// act on the outbox; otherwise the page has answered.
func (cs *Console) outboxMessage(c *gin.Context) (int64, bool) {
	if !mayOutbox(user(c).Actor) {
		cs.outboxForbidden(c)
		return 0, false
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		cs.refuse(c, &Refusal{Status: http.StatusNotFound})
		return 0, false
	}
	return id, true
}

// outboxBack returns to the outbox as it was filtered, saying what was done.
func (cs *Console) outboxBack(c *gin.Context, done string, id int64) {
	f := outboxFilterOf(c)
	q := outboxQuery(f.Status, f.Kind, f.Before)
	q.Set("done", done)
	q.Set("n", strconv.FormatInt(id, 10))
	c.Redirect(http.StatusSeeOther, "/notifications?"+q.Encode())
}

// outboxResend sends a failed e-mail again (app.ResendNotification).
func (cs *Console) outboxResend(c *gin.Context) {
	id, ok := cs.outboxMessage(c)
	if !ok {
		return
	}
	err := cs.ops.ResendNotification(c, user(c).Actor, id)
	audited(c, "/api/v1/notifications/:id/resend", strconv.FormatInt(id, 10), "", "", err)
	if r := refusalIn(c, err); r != nil {
		p := cs.base(c, "outbox.title")
		p.Error = outboxExplain(p.Lang, r)
		cs.showOutbox(c, p, r.Status, nil)
		return
	}
	cs.outboxBack(c, "resent", id)
}

// outboxMark reports a message sent or failed through
// POST /api/v1/notifications/{id}/status, on condition that it still
// stands as the page showed it: a colleague's report made meanwhile is a
// 409, said in words, not overwritten.
func (cs *Console) outboxMark(c *gin.Context) {
	id, ok := cs.outboxMessage(c)
	if !ok {
		return
	}
	status, from, note := c.PostForm("status"), c.PostForm("if_status"), strings.TrimSpace(c.PostForm("note"))
	p := cs.base(c, "outbox.title")
	if (status != "sent" && status != "failed") || (from != "pending" && from != "failed") {
		cs.refuse(c, &Refusal{Status: http.StatusBadRequest, Message: "status must be sent or failed, if_status pending or failed"})
		return
	}
	refused := &outboxRefused{ID: id, Note: note}
	if status == "failed" && note == "" {
		refused.FieldError = T(p.Lang, "outbox.note_required")
		p.Error = refused.FieldError
		cs.showOutbox(c, p, http.StatusBadRequest, refused)
		return
	}
	err := cs.ops.MarkNotification(c, user(c).Actor, id, app.NotificationReport{Status: status, Note: note, IfStatus: from})
	audited(c, "/api/v1/notifications/:id/status", strconv.FormatInt(id, 10), "", "", err)
	r := refusalIn(c, err)
	if r == nil {
		cs.outboxBack(c, status, id)
		return
	}
	if r.Status == http.StatusForbidden {
		cs.refuse(c, r)
		return
	}
	p.Error = outboxExplain(p.Lang, r)
	if r.Field == "note" && status == "failed" {
		refused.FieldError = strings.TrimSpace(T(p.Lang, "outbox.note_bad") + " " + r.Message)
	}
	cs.showOutbox(c, p, r.Status, refused)
}

// outboxExplain words a refusal, naming the outbox's own fields.
func outboxExplain(lang string, r *Refusal) string {
	if r.Status == http.StatusConflict {
		s := T(lang, "outbox.conflict")
		if r.Message != "" {
			s += " " + T(lang, "refusal.detail") + " " + r.Message
		}
		return s
	}
	label, ok := lookup(lang, "outbox.field."+r.Field)
	if r.Field == "" || !ok {
		return explain(lang, r)
	}
	s := explain(lang, &Refusal{Status: r.Status}) + " " + T(lang, "refusal.field") + " " + label + "."
	if r.Message != "" {
		s += " " + T(lang, "refusal.detail") + " " + r.Message
	}
	return s
}

// outboxRecipient names whom a message is for: an e-mail address as it is,
// a department by name ("department:market"), an escalation level of a
// department by both ("department_head:market"), a role's holders
// ("role:general_manager").
func outboxRecipient(p page, m outboxMessage) string {
	who, dept, ok := strings.Cut(m.Recipient, ":")
	if m.Channel == "email" || !ok || dept == "" {
		return m.Recipient
	}
	if who == "department" {
		return fmt.Sprintf(T(p.Lang, "outbox.to.department"), p.Dept(dept))
	}
	// Escalation notices reach a role's holders ("role:general_manager").
	if role, ok := lookup(p.Lang, "admin.role."+dept); ok && who == "role" {
		return fmt.Sprintf(T(p.Lang, "outbox.to.role"), role)
	}
	if level, ok := lookup(p.Lang, "level."+who); ok {
		return fmt.Sprintf(T(p.Lang, "outbox.to.level"), p.Dept(dept), level)
	}
	return m.Recipient
}

// outboxRelated reads a message's related ("survey-cycle:<ID>") and links
// it to its console page where the user may open that page; kinds the
// console does not know stay as text.
func outboxRelated(a complaint.Actor, related string) outboxRef {
	kind, id, ok := strings.Cut(related, ":")
	if !ok || id == "" {
		return outboxRef{Text: related}
	}
	// The label says what it is; a short ID tells two apart.
	ref := outboxRef{Label: "outbox.rel." + kind, Text: "#" + id}
	if len(id) > 8 {
		ref.Text = "#" + id[:8]
	}
	uid, isUUID := pathUUIDOf(id)
	switch kind {
	case "survey-cycle":
		if isUUID && maySurveyRead(a) {
			ref.Href = "/surveys/cycles/" + uid
		}
	case "report-version":
		// The kept versions are listed on the reports' index.
		if _, err := strconv.ParseInt(id, 10, 64); err == nil && repCompanyWide(a) {
			ref.Href = "/reports"
		}
	case "complaint":
		if isUUID {
			ref.Href = "/complaints/" + uid
		}
	case "improvement-action":
		if isUUID && improvement.CanReadAll(a) {
			ref.Href = "/improvements/" + uid
		}
	default:
		return outboxRef{Text: related}
	}
	return ref
}
