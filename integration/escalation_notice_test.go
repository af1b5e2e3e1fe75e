package integration

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
)

// An overdue complaint's escalations reach the outbox: one task per
// escalation and recipient, linked to the complaint, written once however
// often the read model is saved.
func TestEscalationsReachTheOutbox(t *testing.T) {
	body := intake(5_000)
	body["subject"] = "升级通知测试"
	body["received_at"] = time.Now().Add(-20 * 24 * time.Hour).Format(time.RFC3339)
	r := as(t, "clerk", http.MethodPost, "/api/v1/complaints", body)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	require.Eventually(t, func() bool {
		return get(t, c.ID).EscalationLevel == complaint.LevelGeneralManager
	}, 20*time.Second, 100*time.Millisecond)
	c = get(t, c.ID)

	var notices struct {
		Items []struct {
			Recipient string `json:"recipient"`
			Subject   string `json:"subject"`
			Body      string `json:"body"`
			Link      string `json:"link"`
			Channel   string `json:"channel"`
		} `json:"items"`
	}
	want := 0
	for _, e := range c.Escalations {
		want += len(e.Notify)
	}
	require.Positive(t, want)
	require.Eventually(t, func() bool {
		r := as(t, "market", http.MethodGet, "/api/v1/notifications?limit=200&related="+url.QueryEscape("complaint:"+c.ID), nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r.json(t, &notices)
		return len(notices.Items) >= want
	}, 10*time.Second, 100*time.Millisecond)
	require.Len(t, notices.Items, want, "one task per escalation and recipient, no repeats")
	var recipients []string
	for _, n := range notices.Items {
		require.Equal(t, "task", n.Channel)
		require.Contains(t, n.Subject, c.Number)
		require.Contains(t, n.Body, "判定投诉")
		require.True(t, strings.HasSuffix(n.Link, "/complaints/"+c.ID), n.Link)
		recipients = append(recipients, n.Recipient)
	}
	require.Contains(t, recipients, "role:general_manager")

	// The console's outbox names the recipients in words.
	_, outbox := page(t, browser(t, "market"), http.MethodGet, "/notifications?status=all", nil)
	require.Contains(t, outbox, "升级通知测试")
	require.Contains(t, outbox, "总经理（按角色）")
}
