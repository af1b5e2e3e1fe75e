package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/store"
)

// The staff read the outbox newest first, one kind at a time, and page back
// with before; the relay's oldest-first paging is unchanged.
func TestOutboxNewestFirstByChannel(t *testing.T) {
	doc := loadOpenAPI(t)
	s := testServer(t, &captureClient{})
	related := "survey-cycle:" + uuid.NewString()
	var ns []store.Notification
	for i, ch := range []string{"email", "task", "email", "task", "email"} {
		ns = append(ns, store.Notification{Key: fmt.Sprintf("%s:%d", related, i), Channel: ch, Recipient: "department:market",
			Subject: fmt.Sprintf("第 %d 条", i), Body: "正文", Related: related})
	}
	if _, err := needStore(t).Enqueue(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	op := operation(t, doc, http.MethodGet, "/api/v1/notifications")
	h := signedIn(allRoles(), http.MethodGet, "/api/v1/notifications", s.listNotifications)
	list := func(q string) NotificationList {
		t.Helper()
		rec := serve(h, http.MethodGet, "/api/v1/notifications?related="+related+q, nil)
		checkAnswer(t, op, "GET /api/v1/notifications"+q, rec)
		var page NotificationList
		if err := json.Unmarshal(rec.Body.Bytes(), &page); rec.Code != http.StatusOK || err != nil {
			t.Fatalf("GET ?%s: %d %s", q, rec.Code, rec.Body)
		}
		return page
	}
	subjects := func(p NotificationList) []string {
		var out []string
		for _, n := range p.Items {
			out = append(out, n.Subject)
		}
		return out
	}

	first := list("&order=newest&channel=email&limit=2")
	if got := subjects(first); fmt.Sprint(got) != "[第 4 条 第 2 条]" || first.NextBefore != first.Items[1].ID || first.NextAfter != 0 {
		t.Fatalf("the newest e-mails: %v, next_before %d, next_after %d", got, first.NextBefore, first.NextAfter)
	}
	second := list(fmt.Sprintf("&order=newest&channel=email&limit=2&before=%d", first.NextBefore))
	if got := subjects(second); fmt.Sprint(got) != "[第 0 条]" || second.NextBefore != 0 {
		t.Errorf("the next page of e-mails: %v, next_before %d", got, second.NextBefore)
	}
	if got := subjects(list("&channel=task")); fmt.Sprint(got) != "[第 1 条 第 3 条]" {
		t.Errorf("the tasks, oldest first: %v", got)
	}
	oldest := list("&limit=2")
	if got := subjects(oldest); fmt.Sprint(got) != "[第 0 条 第 1 条]" || oldest.NextAfter != oldest.Items[1].ID || oldest.NextBefore != 0 {
		t.Errorf("oldest first: %v, next_after %d, next_before %d", got, oldest.NextAfter, oldest.NextBefore)
	}

	for q, field := range map[string]string{"&channel=sms": "channel", "&order=up": "order", "&before=x": "before", "&before=-1": "before"} {
		rec := serve(h, http.MethodGet, "/api/v1/notifications?related="+related+q, nil)
		checkAnswer(t, op, "GET /api/v1/notifications"+q, rec)
		var e Error
		if _ = json.Unmarshal(rec.Body.Bytes(), &e); rec.Code != http.StatusBadRequest || e.Field != field {
			t.Errorf("GET ?%s: %d %s, want a 400 naming %s", q, rec.Code, rec.Body, field)
		}
	}
}

// The counts follow what is enqueued and reported, by status and channel.
func TestOutboxCounts(t *testing.T) {
	doc := loadOpenAPI(t)
	s := testServer(t, &captureClient{})
	op := operation(t, doc, http.MethodGet, "/api/v1/notifications/counts")
	h := signedIn(allRoles(), http.MethodGet, "/api/v1/notifications/counts", s.countNotifications)
	count := func() store.OutboxCounts {
		t.Helper()
		rec := serve(h, http.MethodGet, "/api/v1/notifications/counts", nil)
		checkAnswer(t, op, "GET /api/v1/notifications/counts", rec)
		var c store.OutboxCounts
		if err := json.Unmarshal(rec.Body.Bytes(), &c); rec.Code != http.StatusOK || err != nil {
			t.Fatalf("counts: %d %s", rec.Code, rec.Body)
		}
		return c
	}
	before := count()
	related := "survey-cycle:" + uuid.NewString()
	st := needStore(t)
	ctx := context.Background()
	if _, err := st.Enqueue(ctx, []store.Notification{
		{Key: related + ":a", Channel: "email", Recipient: "wang@example.com", Subject: "邀请", Body: "请填写", Related: related},
		{Key: related + ":b", Channel: "task", Recipient: "department:market", Subject: "电话调查", Body: "请录入", Related: related},
		{Key: related + ":c", Channel: "task", Recipient: "department:market", Subject: "电话调查", Body: "请录入", Related: related},
	}); err != nil {
		t.Fatal(err)
	}
	mine, err := st.Notifications(ctx, "", related, 0, 10)
	if err != nil || len(mine) != 3 {
		t.Fatalf("the enqueued messages: %v %v", mine, err)
	}
	if err := st.MarkNotification(ctx, mine[1].ID, "sent", "", openAPIt0); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkNotification(ctx, mine[2].ID, "failed", "无人接听", openAPIt0); err != nil {
		t.Fatal(err)
	}
	after := count()
	want := before
	want.Pending.Email++
	want.Pending.Total++
	want.Sent.Task++
	want.Sent.Total++
	want.Failed.Task++
	want.Failed.Total++
	if after != want {
		t.Errorf("counts: %+v, want %+v (before %+v)", after, want, before)
	}
}

// A report made with if_status is refused with a 409 once someone else has
// reported the message, and changes nothing.
func TestOutboxConditionalReport(t *testing.T) {
	doc := loadOpenAPI(t)
	s := testServer(t, &captureClient{})
	related := "survey-cycle:" + uuid.NewString()
	st := needStore(t)
	ctx := context.Background()
	if _, err := st.Enqueue(ctx, []store.Notification{{Key: related + ":1", Channel: "task", Recipient: "department:market",
		Subject: "电话调查", Body: "请录入", Related: related}}); err != nil {
		t.Fatal(err)
	}
	mine, err := st.Notifications(ctx, "", related, 0, 10)
	if err != nil || len(mine) != 1 {
		t.Fatalf("the enqueued message: %v %v", mine, err)
	}
	route := "/api/v1/notifications/:id/status"
	op := operation(t, doc, http.MethodPost, route)
	h := signedIn(allRoles(), http.MethodPost, route, s.markNotification)
	path := fmt.Sprintf("/api/v1/notifications/%d/status", mine[0].ID)
	send := func(body any) int {
		t.Helper()
		rec := serve(h, http.MethodPost, path, body)
		checkAnswer(t, op, "POST "+route, rec)
		return rec.Code
	}
	if code := send(NotificationStatus{Status: "sent", IfStatus: "pending"}); code != http.StatusNoContent {
		t.Fatalf("the first report: %d", code)
	}
	if code := send(NotificationStatus{Status: "failed", Note: "无人接听", IfStatus: "pending"}); code != http.StatusConflict {
		t.Errorf("a second report of a pending message: %d, want 409", code)
	}
	if code := send(NotificationStatus{Status: "sent", IfStatus: "later"}); code != http.StatusBadRequest {
		t.Errorf("if_status later: %d, want 400", code)
	}
	got, _ := st.Notifications(ctx, "", related, 0, 10)
	if got[0].Status != "sent" || got[0].Note != "" || got[0].SentAt == nil {
		t.Errorf("the refused report changed the message: %+v", got[0])
	}
	// Without if_status a later report replaces an earlier one, as a relay expects.
	if code := send(NotificationStatus{Status: "failed", Note: "退信"}); code != http.StatusNoContent {
		t.Errorf("an unconditional report: %d", code)
	}
	if code := serve(h, http.MethodPost, "/api/v1/notifications/999999999/status", NotificationStatus{Status: "sent", IfStatus: "pending"}).Code; code != http.StatusNotFound {
		t.Errorf("a conditional report of no message: %d, want 404", code)
	}
}
