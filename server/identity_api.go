package server

import (
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/org"
)

// uuidParam is an {id} that is a UUID naming a what.
func uuidParam(what string) param {
	return pathParam("id", fmt.Sprintf("The %s's ID. A value that is not a UUID names no %s (404).", what, what), fixed(formatted("uuid")))
}

// sessionCookieHeader is the Set-Cookie of a sign-in.
func sessionCookieHeader() openapi3.Headers {
	return openapi3.Headers{"Set-Cookie": headerDoc(SessionCookie + "=<token>; Path=/; HttpOnly; SameSite=Lax (and Secure over HTTPS), expiring with the session.")}
}

// retryAfterHeader documents how long a throttled client waits.
func retryAfterHeader() openapi3.Headers {
	return openapi3.Headers{"Retry-After": headerDoc("Seconds to wait before trying again.")}
}

// identityEndpoints are signing in and out, and API tokens.
func identityEndpoints() []endpoint {
	notConfigured := fails(http.StatusNotFound, "Sign-in through an identity provider is not configured.")
	return []endpoint{
		{method: http.MethodPost, path: "/api/v1/auth/login", id: "login", handle: method((*Server).login), auth: open,
			tag: "auth", summary: "Sign in",
			description: fmt.Sprintf("Checks a username and password and starts a session: the token to send as Authorization: Bearer <token>, also set as the %s cookie for browsers. "+
				"A wrong password, an unknown username and a disabled account are the same 401. Failed attempts are counted per account and per client address, successes not: "+
				"after %d failures an account is refused for 30 seconds, doubling with each further failure up to 15 minutes; an address with %d failures in 15 minutes is refused for 15 minutes "+
				"(429 with Retry-After, before the password is checked). A success clears the account's count.", SessionCookie, DefaultSignInThrottle.AccountFreeFailures, DefaultSignInThrottle.AddressFailures),
			body: jsonBody(bodyOf[LoginRequest]()),
			responses: []reply{
				answers(http.StatusOK, "Signed in.", typeOf[Session]()).withHeaders(sessionCookieHeader()),
				badRequest,
				fails(http.StatusUnauthorized, "The username or password is wrong, or the account is disabled."),
				tooLarge, fails(http.StatusTooManyRequests, "Too many failed sign-ins for this account or from this address: the message and Retry-After say how many seconds to wait.").
					withHeaders(retryAfterHeader()), internalError,
			}},
		{method: http.MethodGet, path: "/api/v1/auth/oidc/login", id: "oidcLogin", handle: method((*Server).oidcStart), auth: open, limit: loginLimit,
			tag: "auth", summary: "Sign in through the identity provider (OpenID Connect)",
			description: "For browsers: redirects to the company's identity provider, which sends the browser back to GET /api/v1/auth/oidc/callback. " +
				"The provider proves who someone is; their username claim must name an active cxflow user, whose roles and department stay cxflow's. " +
				"Attempts are limited per client address (429 past the limit).",
			responses: []reply{
				noContent(http.StatusFound, "To the identity provider.").withHeaders(openapi3.Headers{
					"Location":   headerDoc("The identity provider's authorisation URL."),
					"Set-Cookie": headerDoc("A short-lived cookie tying the sign-in to this browser."),
				}),
				notConfigured, tooMany, internalError,
			}},
		{method: http.MethodGet, path: "/api/v1/auth/oidc/callback", id: "oidcCallback", handle: method((*Server).oidcCallback), auth: open, limit: loginLimit,
			tag: "auth", summary: "Finish signing in through the identity provider",
			description: "Where the identity provider sends the browser back: the code is exchanged and the ID token verified, and the cxflow user its username claim names is signed in, as by POST /api/v1/auth/login. " +
				"Only a sign-in this browser started finishes. Attempts are limited per client address (429 past the limit).",
			params: []param{
				query("code", "The authorisation code, from the identity provider.", fixed(stringSchema())),
				query("state", "The state the sign-in started with, from the identity provider.", fixed(stringSchema())),
				query("error", "Set by the identity provider when it refused the sign-in.", fixed(stringSchema())),
			},
			responses: []reply{
				answers(http.StatusOK, "Signed in.", typeOf[Session]()).withHeaders(sessionCookieHeader()),
				fails(http.StatusUnauthorized, "The identity provider refused the sign-in, the sign-in expired or was not started in this browser, or the code or ID token is not valid."),
				fails(http.StatusForbidden, "No active cxflow user has the username the identity provider gave; an administrator must create or enable one."),
				notConfigured, tooMany, internalError,
			}},
		{method: http.MethodPost, path: "/api/v1/auth/logout", id: "logout", handle: method((*Server).logout),
			tag: "auth", summary: "Sign out",
			description: "Ends the session (or revokes the API token) the request was made with, and clears the session cookie.",
			responses: []reply{
				noContent(http.StatusNoContent, "Signed out.").withHeaders(openapi3.Headers{"Set-Cookie": headerDoc("Clears the " + SessionCookie + " cookie.")}),
				internalError,
			}},
		{method: http.MethodGet, path: "/api/v1/auth/me", id: "me", handle: method((*Server).me),
			tag: "auth", summary: "Who is signed in",
			description: "The signed-in user (or the API token's user), their department, and whether they see every complaint.",
			responses:   []reply{answers(http.StatusOK, "The signed-in user.", typeOf[Me]()), internalError}},

		{method: http.MethodGet, path: "/api/v1/api-tokens", op: app.OpListAPITokens, handle: method((*Server).listAPITokens),
			tag: "auth", summary: "List API tokens",
			description: "Every API token's record, newest first, revoked and expired ones included; never the tokens themselves.",
			responses:   []reply{answers(http.StatusOK, "The API tokens.", typeOf[TokenList]()), internalError}},
		{method: http.MethodPost, path: "/api/v1/api-tokens", op: app.OpCreateAPIToken, handle: method((*Server).createAPIToken),
			tag: "auth", summary: "Issue an API token",
			description: "Issues a token for a machine client acting as a (service) user, with that user's roles. The token is in this response only. A 400 names the field at fault: a blank name, a user_id that names no user, an expires_in that is no positive duration up to 17520h.",
			body:        jsonBody(bodyOf[APITokenRequest]()),
			responses:   []reply{answers(http.StatusCreated, "The token, shown this once.", typeOf[APIToken]()), badRequest, tooLarge, internalError}},
		{method: http.MethodDelete, path: "/api/v1/api-tokens/{id}", op: app.OpRevokeAPIToken, handle: method((*Server).revokeAPIToken),
			tag: "auth", summary: "Revoke a token",
			description: "Revokes the token now; it stops working at once. Revoking a revoked token changes nothing.",
			params:      []param{uuidParam("token")},
			responses:   []reply{noContent(http.StatusNoContent, "Revoked."), fails(http.StatusNotFound, "No token has this ID."), internalError}},
	}
}

// organisationEndpoints are the departments and users.
func organisationEndpoints() []endpoint {
	userNotFound := fails(http.StatusNotFound, "No user has this ID.")
	userOK := func(status int, desc string) reply { return answers(status, desc, typeOf[org.User]()) }
	return []endpoint{
		{method: http.MethodGet, path: "/api/v1/departments", op: app.OpListDepartments, handle: method((*Server).listDepartments),
			tag: "organisation", summary: "List departments and branches",
			description: "Every department of headquarters and every branch (分公司). Users, assignments (department) and complaints (branch) refer to them by ID.",
			responses:   []reply{answers(http.StatusOK, "The departments.", typeOf[DepartmentList]()), internalError}},
		{method: http.MethodPut, path: "/api/v1/departments/{id}", op: app.OpPutDepartment, handle: method((*Server).putDepartment),
			tag: "organisation", summary: "Create or rename a department",
			description: "Creates the department, or changes its name and kind. A 400 names the field at fault.",
			params: []param{pathParam("id", "The department's ID, e.g. quality.",
				fixed(&openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: departmentIDPattern}))},
			body:      jsonBody(bodyOf[org.Department]()),
			responses: []reply{answers(http.StatusOK, "The department as saved.", typeOf[org.Department]()), badRequest, tooLarge, internalError}},
		{method: http.MethodGet, path: "/api/v1/users", op: app.OpListUsers, handle: method((*Server).listUsers),
			tag: "organisation", summary: "List users", description: "Every user, by username, without passwords.",
			responses: []reply{answers(http.StatusOK, "The users.", typeOf[UserList]()), internalError},
			access: &access{who: "administrators, and internal auditors, who review who holds which role (read-only, as the audit trail); " +
				"nobody else needs the user list (roles, disabled flags, who changed what), so it is not shown to them"}},
		{method: http.MethodPost, path: "/api/v1/users", op: app.OpCreateUser, handle: method((*Server).createUser),
			tag: "organisation", summary: "Create a user",
			description: "Creates a user with a first password. A 400 names the field at fault: a missing or invalid field, a password shorter than 10 characters, or a department that does not exist.",
			body:        jsonBody(bodyOf[NewUser]()),
			responses: []reply{userOK(http.StatusCreated, "The user created."), badRequest,
				fails(http.StatusConflict, "The username is taken (field username)."), tooLarge, internalError}},
		{method: http.MethodPatch, path: "/api/v1/users/{id}", op: app.OpUpdateUser, handle: method((*Server).updateUser),
			tag: "organisation", summary: "Change a user",
			description: "Changes a user's name, department, roles or disabled flag; fields left out keep their values. Disabling a user stops their sessions and API tokens working at once. A 400 names the field at fault, department when no department has the ID given; a 409 refuses administrators disabling themselves or removing their own administrator role (another administrator has to).",
			params:      []param{uuidParam("user")},
			body:        jsonBody(bodyOf[org.User]()),
			responses:   []reply{userOK(http.StatusOK, "The user as changed."), badRequest, userNotFound, conflict, tooLarge, internalError}},
		{method: http.MethodPut, path: "/api/v1/users/{id}/password", op: app.OpSetPassword, handle: method((*Server).setPassword),
			tag: "organisation", summary: "Set a user's password",
			description: "Replaces the user's password and ends all their sessions (the one making the request too, when it is theirs); their API tokens keep working. A 400 names password when it is too short or too long.",
			params:      []param{uuidParam("user")},
			body:        jsonBody(bodyOf[PasswordChange]()),
			responses:   []reply{noContent(http.StatusNoContent, "The password is set."), badRequest, userNotFound, tooLarge, internalError},
			// Who may is app.AuthorizeSetPassword's rule, per user, not the table's.
			access: &access{roles: admins,
				who:     "administrators for another user's password (no current password needed); every user, administrators included, for their own password, with current_password",
				refused: "Refused: the user is not the caller and the caller is not an administrator, or current_password is not the caller's password (field current_password)."}},
	}
}

// auditEndpoints are the audit trail.
func auditEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodGet, path: "/api/v1/audit", op: app.OpListAudit, handle: method((*Server).listAudit),
			tag: "audit", summary: "Read the audit trail",
			description: "The state-changing requests, newest first, one page at a time; the filters combine. A 400 names the query parameter at fault.",
			params: []param{
				query("user_id", "Only requests by this user.", fixed(stringSchema())),
				query("target", "Only requests that acted on this complaint, improvement action, survey programme or cycle, user, department or token ID, or calendar name.", fixed(stringSchema())),
				query("outcome", "Only requests that ended so.", enumNamed("AuditOutcome")),
				query("from", "Only requests at or after this time, RFC 3339.", fixed(formatted("date-time"))),
				query("to", "Only requests before this time, RFC 3339.", fixed(formatted("date-time"))),
				query("before", "Only entries older than this entry ID: the previous page's next_before.",
					fixed(&openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int64", Min: num(1)})),
				query("limit", "Page size.", fixed(pageSize(500, 100))),
			},
			responses: []reply{answers(http.StatusOK, "A page of the audit trail.", typeOf[AuditList]()), badRequest, internalError}},
	}
}

// codecEndpoints are Temporal's remote codec, registered only when payload
// encryption keys are configured but documented always.
func codecEndpoints() []endpoint {
	payloads := func(g *schemaGen) *openapi3.SchemaRef {
		g.define("CodecPayload", &openapi3.Schema{
			Type:        &openapi3.Types{"object"},
			Description: "One Temporal payload (temporal.api.common.v1.Payload): metadata and data, bytes in base64. Fields left empty may be left out.",
			Properties: openapi3.Schemas{
				"metadata": inline(&openapi3.Schema{Type: &openapi3.Types{"object"}, Description: "Metadata by key, e.g. encoding; each value base64.",
					AdditionalProperties: openapi3.AdditionalProperties{Schema: inline(formatted("byte"))}}),
				"data": inline(&openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "byte", Description: "The payload's bytes, base64."}),
			},
		})
		arr := typed(openapi3.TypeArray)
		arr.Items = ref("CodecPayload")
		return g.define("CodecPayloads", &openapi3.Schema{
			Type: &openapi3.Types{"object"},
			Description: "Temporal payloads as Temporal's remote codec protocol sends them: the JSON form of temporal.api.common.v1.Payloads. " +
				"An empty list may be left out.",
			Properties: openapi3.Schemas{"payloads": inline(arr)},
		})
	}
	codec := func(path, id, summary, desc string) endpoint {
		return endpoint{method: http.MethodPost, path: path, id: id, auth: codecAuth,
			handle: func(s *Server) gin.HandlerFunc { return gin.WrapH(s.security.Codec) },
			tag:    "codec", summary: summary,
			description: desc + " This is Temporal's remote codec protocol, for the Temporal Web UI and CLI (--codec-endpoint pointed at /api/v1/codec). " +
				"It exists only when payload encryption keys are configured (404 otherwise). The Temporal Web UI's configured origin may call it from the browser with the session cookie (CORS).",
			params: []param{header("X-Namespace", "The Temporal namespace, as the Web UI sends it; not used.", fixed(stringSchema()))},
			body:   jsonBody(payloads),
			responses: []reply{
				answers(http.StatusOK, "The payloads, in the same order.", payloads),
				{status: http.StatusBadRequest, description: "The body is not a Payloads message, is larger than the limit, or a payload could not be processed; the message is plain text.",
					content: []media{{"text/plain", fixed(stringSchema())}}},
				fails(http.StatusNotFound, "No codec is configured: payloads are not encrypted."),
			},
			access: &access{roles: decodingRoles}}
	}
	encode := codec("/api/v1/codec/encode", "codecEncode", "Encode payloads (remote codec)", "Encrypts payloads as the workers do, for the Temporal CLI to send encrypted input.")
	decode := codec("/api/v1/codec/decode", "codecDecode", "Decode payloads (remote codec)",
		"Decrypts the payloads of workflow histories so the Temporal Web UI and CLI show them readable; payloads that are not encrypted pass unchanged.")
	return []endpoint{encode, decode,
		{method: http.MethodOptions, path: "/api/v1/codec/{op}", id: "codecPreflight", auth: preflight,
			tag: "codec", summary: "CORS preflight for the codec",
			description: "Answers the browser's preflight before the Temporal Web UI calls the codec; it exists only when a codec is configured. The Access-Control-Allow headers are sent only to the Temporal Web UI's configured origin.",
			params:      []param{pathParam("op", "encode or decode.", fixed(stringSchema()))},
			responses: []reply{noContent(http.StatusNoContent, "Preflight answered.").withHeaders(openapi3.Headers{
				"Access-Control-Allow-Origin":      headerDoc("The Temporal Web UI's origin, when it is the Origin sent."),
				"Access-Control-Allow-Credentials": headerDoc("true, with the origin."),
				"Access-Control-Allow-Headers":     headerDoc("Content-Type, Authorization, X-Namespace, with the origin."),
				"Access-Control-Allow-Methods":     headerDoc("POST, OPTIONS, with the origin."),
			})}},
	}
}
