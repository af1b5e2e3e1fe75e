package integration

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/store"
)

// customerIntake is a complaint whose customer gave an e-mail address and a
// mobile number.
func customerIntake(mail string) map[string]any {
	in := intake(1000)
	in["customer"] = map[string]any{"name": "王伟", "organisation": "华东电气", "contact": "138 0000 0000",
		"email": mail, "mobile": "+86 138-0000-0000"}
	return in
}

// statusLinkOf waits for the complaint's acknowledgement in the outbox and
// answers it with the status link it carries.
func statusLinkOf(t *testing.T, st *store.Store, complaintID string) (store.Notification, string) {
	t.Helper()
	var ack store.Notification
	require.Eventually(t, func() bool {
		list, err := st.Outbox(context.Background(), store.OutboxFilter{Related: "complaint:" + complaintID, Channel: "email", Limit: 10})
		require.NoError(t, err)
		for _, n := range list {
			if strings.Contains(n.Subject, "您的投诉已受理") {
				ack = n
				return true
			}
		}
		return false
	}, 15*time.Second, 100*time.Millisecond, "no acknowledgement in the outbox")
	require.True(t, strings.HasPrefix(ack.Link, "http://cxflow.test/public/status/"), ack.Link)
	return ack, strings.TrimPrefix(ack.Link, "http://cxflow.test")
}

// A customer who gives an e-mail address is acknowledged with the complaint's
// number and a status link (issue #12); the link shows where the complaint
// stands in the customer's words — to a program as JSON, to a browser as a
// page — and nothing internal; a forged link is refused. A bad address or
// number is a 400 naming the field.
func TestCustomerAcknowledgedWithAStatusLink(t *testing.T) {
	mail := "wang-" + uuid.NewString()[:8] + "@example.com"
	r := as(t, "clerk", http.MethodPost, "/api/v1/complaints", customerIntake(mail))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	id := r.field(t, "id").(string)
	number := r.field(t, "number").(string)
	customer := r.field(t, "customer").(map[string]any)
	require.Equal(t, mail, customer["email"])
	require.Equal(t, "+8613800000000", customer["mobile"], "stored without spaces and hyphens")

	ack, path := statusLinkOf(t, store.New(stack.pool), id)
	require.Equal(t, mail, ack.Recipient)
	require.Contains(t, ack.Subject, number)
	require.Contains(t, ack.Body, number)
	require.Contains(t, ack.Body, ack.Link)

	got := anonymous(t, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, got.status, "%s", got.body)
	require.Equal(t, number, got.field(t, "number"))
	require.Equal(t, "checking", got.field(t, "stage"))
	require.NotNil(t, got.field(t, "next_answer_by"))
	for _, internal := range []string{"王伟", "138", "handler", "root_cause", "clerk"} {
		require.NotContains(t, string(got.body), internal, "the customer's view holds nothing internal")
	}
	// A browser gets the page (around call: the contract is the JSON API's).
	req, err := http.NewRequest(http.MethodGet, stack.api.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	html, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(html), "我们正在核实您反映的情况。")
	require.Contains(t, string(html), number)

	// The stage follows the complaint.
	require.Equal(t, http.StatusOK, as(t, "market", http.MethodPost, "/api/v1/complaints/"+id+"/validation",
		map[string]any{"founded": true, "reason": "属实"}).status)
	require.Equal(t, "assigning", anonymous(t, http.MethodGet, path, nil).field(t, "stage"))

	forged := anonymous(t, http.MethodGet, path+"x", nil)
	require.Equal(t, http.StatusForbidden, forged.status)
	require.Equal(t, http.StatusForbidden, anonymous(t, http.MethodGet, "/public/status/not-a-token", nil).status)

	for field, bad := range map[string]map[string]any{
		"customer.email":  {"name": "王伟", "contact": "138", "email": "王伟 <wang@example.com>"},
		"customer.mobile": {"name": "王伟", "contact": "138", "mobile": "0371-6000000"},
	} {
		in := intake(1000)
		in["customer"] = bad
		r := as(t, "clerk", http.MethodPost, "/api/v1/complaints", in)
		require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
		require.Equal(t, field, r.field(t, "field"))
	}
}
