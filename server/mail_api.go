package server

import (
	"net/http"

	"github.com/cxflow/cxflow/app"
)

// mailTestEndpoints test the mail server.
func mailTestEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodPost, path: "/api/v1/mail/test", op: app.OpTestMail, handle: method((*Server).testMail),
			tag: "webhooks", summary: "Send a test e-mail",
			description: "Sends one e-mail now through the configured mail server (CXFLOW_SMTP_URL) and reports what it answered: delivered false with its answer when it refused " +
				"or could not be reached. 409 when no mail server is configured; a 400 names to.",
			body: jsonBody(bodyOf[MailTest]()),
			responses: []reply{answers(http.StatusOK, "The test's result.", typeOf[app.ChannelTest]()), badRequest,
				fails(http.StatusConflict, "No mail server is configured: e-mails wait in the outbox for a relay or the staff."), tooLarge, internalError}},
	}
}
