package server

import (
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/store"
)

// outboxEndpoints are the outbox a mail relay and the staff read.
func outboxEndpoints() []endpoint {
	messageID := &openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int64", Min: num(0)}
	return []endpoint{
		{method: http.MethodGet, path: "/api/v1/notifications", op: app.OpListNotifications, handle: method((*Server).listNotifications),
			tag: "notifications", summary: "Read the outbox",
			description: "The messages cxflow wants delivered, one page at a time: e-mails for a mail relay to send (with an API token), oldest first, tasks for the staff, " +
				"who read it newest first (order=newest). The filters combine. A 400 names the query parameter at fault.",
			params: []param{
				query("status", "Only messages that stand so, e.g. pending for a relay.", enumNamed("OutboxStatus")),
				query("channel", "Only e-mails or only tasks for staff.", enumNamed("OutboxChannel")),
				query("related", "Only messages about this, e.g. survey-cycle:<cycle ID>.", fixed(stringSchema())),
				query("order", "oldest first (a relay's queue; page with after and next_after) or newest first (page with before and next_before).",
					fixed(withDefault(enumOf("oldest", "newest"), "oldest"))),
				query("after", "Only messages after this ID: the previous page's next_after.", fixed(messageID)),
				query("before", "Only messages before this ID: the previous page's next_before.", fixed(messageID)),
				query("limit", "Page size.", fixed(pageSize(1000, 100))),
			},
			responses: []reply{answers(http.StatusOK, "A page of the outbox.", typeOf[NotificationList]()), badRequest, internalError}},
		{method: http.MethodGet, path: "/api/v1/notifications/counts", op: app.OpCountNotifications, handle: method((*Server).countNotifications),
			tag: "notifications", summary: "Count the outbox",
			description: "How many messages are pending, sent and failed, each by channel (email, task): what waits for the staff or the relay, without reading the messages.",
			responses:   []reply{answers(http.StatusOK, "The counts.", typeOf[store.OutboxCounts]()), internalError}},
		{method: http.MethodPost, path: "/api/v1/notifications/{id}/status", op: app.OpMarkNotification, id: "reportNotification", handle: method((*Server).markNotification),
			tag: "notifications", summary: "Report a message delivered or failed",
			description: "Records what became of a message: sent (sent_at is set now) or failed, with an optional note; a later report replaces an earlier one, " +
				"unless if_status asks for the message to stand so still (409 otherwise). A 400 names status, note or if_status.",
			params: []param{pathParam("id", "The message's ID. A value that is not a number names no message (404).", fixed(messageIDPath()))},
			body:   jsonBody(bodyOf[NotificationStatus]()),
			responses: []reply{noContent(http.StatusNoContent, "Recorded."), badRequest, fails(http.StatusNotFound, "No message has this ID."),
				fails(http.StatusConflict, "if_status was given and the message no longer stands so: someone reported it meanwhile; error says how it stands."),
				tooLarge, internalError}},
		{method: http.MethodGet, path: "/api/v1/notifications/{id}/attempts", op: app.OpMessageAttempts, handle: method((*Server).notificationAttempts),
			tag: "notifications", summary: "A message's delivery attempts",
			description: "Every try cxflow made at delivering an e-mail, first first, with the mail server's answer: accepted, temporary (tried again later) or permanent (refused for good). " +
				"Tasks for staff have none.",
			params:    []param{pathParam("id", "The message's ID. A value that is not a number names no message (404).", fixed(messageIDPath()))},
			responses: []reply{answers(http.StatusOK, "The attempts.", typeOf[AttemptList]()), fails(http.StatusNotFound, "No message has this ID."), internalError}},
		{method: http.MethodPost, path: "/api/v1/notifications/{id}/resend", op: app.OpResendNotification, handle: method((*Server).resendNotification),
			tag: "notifications", summary: "Send a failed e-mail again",
			description: "Puts a failed e-mail (or one still waiting) back for delivery at once; the new delivery keeps the message's Message-ID, so a receiver that has it already drops the copy. " +
				"A message already sent is not sent twice, and tasks for staff are not delivered by cxflow (409).",
			params: []param{pathParam("id", "The message's ID. A value that is not a number names no message (404).", fixed(messageIDPath()))},
			responses: []reply{noContent(http.StatusAccepted, "The e-mail is waiting for delivery again."), fails(http.StatusNotFound, "No message has this ID."),
				fails(http.StatusConflict, "The message was sent already, or is a task for staff; error says which."), internalError}},
	}
}

// messageIDPath is a message's ID in a path.
func messageIDPath() *openapi3.Schema {
	return &openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int64", Min: num(1)}
}
