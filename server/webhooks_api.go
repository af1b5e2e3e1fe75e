package server

import (
	"net/http"

	"github.com/cxflow/cxflow/app"
)

// webhookEndpoints are the outgoing webhooks an administrator manages.
func webhookEndpoints() []endpoint {
	id := pathParam("id", "The webhook's ID.", fixed(formatted("uuid")))
	notFound := fails(http.StatusNotFound, "No webhook has this ID.")
	return []endpoint{
		{method: http.MethodPost, path: "/api/v1/webhooks", op: app.OpCreateWebhook, handle: method((*Server).createWebhook),
			tag: "webhooks", summary: "Register a webhook",
			description: "Subscribes a URL to event types. Each event is posted as JSON {\"id\", \"type\", \"at\", \"data\"} with the headers X-Cxflow-Event (the type), " +
				"X-Cxflow-Delivery (the event's ID, the same on a resend) and X-Cxflow-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>. data is the complaint " +
				"as GET /api/v1/complaints/{id} shows it for complaint events, the action for improvement.opened, the answer's receipt for survey.answered. " +
				"Deliveries are retried with backoff on 5xx, 408, 429 and network errors; another 4xx fails the delivery. A 400 names url (not http(s), or a private or loopback " +
				"address, refused unless CXFLOW_WEBHOOK_ALLOW_PRIVATE=true), secret or events.",
			body:      jsonBody(bodyOf[WebhookRequest]()),
			responses: []reply{answers(http.StatusCreated, "The webhook, without its secret.", typeOf[app.Webhook]()), badRequest, tooLarge, internalError}},
		{method: http.MethodGet, path: "/api/v1/webhooks", op: app.OpListWebhooks, handle: method((*Server).listWebhooks),
			tag: "webhooks", summary: "List the webhooks",
			description: "Every registered webhook, oldest first; secrets are never returned.",
			responses:   []reply{answers(http.StatusOK, "The webhooks.", typeOf[WebhookList]()), internalError}},
		{method: http.MethodDelete, path: "/api/v1/webhooks/{id}", op: app.OpDeleteWebhook, handle: method((*Server).deleteWebhook),
			tag: "webhooks", summary: "Delete a webhook",
			description: "Ends the subscription; its deliveries still waiting fail, saying so.",
			params:      []param{id},
			responses:   []reply{noContent(http.StatusNoContent, "Deleted."), notFound, internalError}},
		{method: http.MethodGet, path: "/api/v1/webhooks/{id}/deliveries", op: app.OpWebhookDeliveries, handle: method((*Server).webhookDeliveries),
			tag: "webhooks", summary: "A webhook's deliveries",
			description: "The webhook's latest 100 deliveries, newest first, each with its status and attempts (the receiver's answers). A failed one is delivered again with POST /api/v1/notifications/{id}/resend.",
			params:      []param{id},
			responses:   []reply{answers(http.StatusOK, "The deliveries.", typeOf[WebhookDeliveryList]()), notFound, internalError}},
		{method: http.MethodPost, path: "/api/v1/webhooks/{id}/test", op: app.OpTestWebhook, handle: method((*Server).testWebhook),
			tag: "webhooks", summary: "Test a webhook",
			description: "Posts one ping event (type ping), signed like every delivery, and reports what the receiver answered: delivered false with the answer when it refused or could not be reached.",
			params:      []param{id},
			responses:   []reply{answers(http.StatusOK, "The test's result.", typeOf[app.ChannelTest]()), notFound, internalError}},
	}
}
