package server

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// complaintIDParam is the {id} of the complaint routes.
var complaintIDParam = pathParam("id", "The complaint's ID. A value that is not a UUID names no complaint (404).", fixed(formatted("uuid")))

// createdHeaders are a 201's Location and, for a retried request, Idempotent-Replayed.
func createdHeaders(location string) openapi3.Headers {
	return openapi3.Headers{
		"Location":            headerDoc(location),
		"Idempotent-Replayed": headerOf("true when the response repeats an earlier request's result for the same Idempotency-Key.", enumOf("true")),
	}
}

// complaintEndpoints are recording and reading complaints, their steps, the
// controls on a step's clock, the policy move and the customer's callback link.
func complaintEndpoints() []endpoint {
	complaintOK := answers(http.StatusOK, "The complaint.", typeOf[complaint.Complaint]())
	list := []endpoint{
		{method: http.MethodPost, path: "/api/v1/complaints", id: "createComplaint", handle: method((*Server).createComplaint),
			tag: "complaints", summary: "Record a complaint (记录投诉)",
			description: "Records a new complaint and starts its procedure at validation. With an Idempotency-Key, a retried request answers with the complaint the first one created (Idempotent-Replayed: true).",
			params: []param{header("Idempotency-Key", "Makes the request safe to retry: the same key always names the same complaint. Reusing a key for a different complaint is a 409.",
				fixed(&openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: size(maxIdempotencyKey)}))},
			body: jsonBody(typeOf[complaint.Intake]()),
			responses: []reply{
				answers(http.StatusCreated, "The recorded complaint.", typeOf[complaint.Complaint]()).withHeaders(createdHeaders("The complaint's URL.")),
				badRequest,
				fails(http.StatusConflict, "The Idempotency-Key was already used for a different complaint."),
				tooLarge, internalError, unavailable,
			},
			access: &access{roles: []org.Role{org.RoleIntakeClerk, org.RoleMarketDepartment, org.RoleBranchHead}, action: complaint.ActRecord,
				who: "customer service, the market department, or a branch head for their own branch (branch must then be theirs)"}},
		{method: http.MethodGet, path: "/api/v1/complaints", id: "listComplaints", handle: method((*Server).listComplaints),
			tag: "complaints", summary: "List complaints (投诉列表)", description: "Lists complaints, newest first, one page at a time.",
			params: []param{
				query("status", "Only complaints awaiting this step, or closed.", typeOf[complaint.Step]()),
				query("department", "Only complaints assigned to this responsible department.", fixed(stringSchema())),
				query("overdue", "Only complaints whose current step is (true) or is not (false) past its deadline.", fixed(booleanSchema())),
				query("sla_status", "Only complaints whose current step stands so against its deadline.", typeOf[complaint.SLAStatus]()),
				query("q", "Only complaints whose number starts with, or whose subject, customer name or customer organisation contains, this text (case-insensitive; at most 100 characters).",
					fixed(&openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: size(maxSearch)})),
				query("limit", "Page size.", fixed(pageSize(maxPageSize, defaultPageSize))),
				query("cursor", "The next_cursor of the previous page.", fixed(stringSchema())),
			},
			responses: []reply{answers(http.StatusOK, "One page of complaints.", typeOf[ComplaintList]()), badRequest, internalError},
			access:    &access{who: "every signed-in user; " + describeRoles(readAllRoles()) + " see every complaint, others only those their department or branch is involved in"}},
		{method: http.MethodGet, path: "/api/v1/complaints/{id}", id: "getComplaint", handle: method((*Server).getComplaint),
			tag: "complaints", summary: "Read a complaint (查看投诉)", description: "The complaint with its full timeline.",
			params:    []param{complaintIDParam},
			responses: []reply{complaintOK, notFound, internalError},
			access: &access{who: "every signed-in user for the complaints they see: " + describeRoles(readAllRoles()) +
				" see every complaint, others only those their department or branch is involved in",
				refused: "Refused: the complaint is not one the caller's department or branch is involved in; error says so."}},
	}
	for _, st := range complaintSteps {
		list = append(list, endpoint{method: http.MethodPost, path: "/api/v1/complaints/{id}/" + st.path, id: stepOperationID(st.path), handle: st.handle,
			tag:         "steps",
			summary:     fmt.Sprintf("Submit the %s step (%s)", st.step, st.step.Label()),
			description: fmt.Sprintf("Acts on the complaint's %s step (%s) and answers with the updated complaint. The complaint must be awaiting this step.", st.step, st.step.Label()),
			params:      []param{complaintIDParam, stepKey},
			body:        jsonBody(reflectedAs(reflect.TypeOf(st.input))),
			responses:   updateReplies(conflict),
			access:      &access{roles: st.access.roles, action: complaint.Action(st.step), who: st.access.who}})
	}
	// Controls act on the current step's clock; any open complaint accepts them.
	for _, ct := range complaintControls {
		list = append(list, endpoint{method: http.MethodPost, path: "/api/v1/complaints/{id}/" + ct.path, id: ct.id, handle: ct.handle,
			tag: "sla", summary: ct.summary, description: ct.description + " Answers with the updated complaint.",
			params:    []param{complaintIDParam, stepKey},
			body:      jsonBody(bodyAs(reflect.TypeOf(ct.input))),
			responses: updateReplies(fails(http.StatusConflict, ct.conflict)),
			access:    &ct.access})
	}
	return append(list,
		endpoint{method: http.MethodPost, path: "/api/v1/complaints/{id}/callback-link", id: "createCallbackLink", handle: method((*Server).createCallbackLink),
			tag: "public", summary: "Make a callback link for the customer",
			description: "Signs a link the customer opens to see their complaint and answer the callback (回访) themselves: satisfied or not, with a comment. Nothing is stored; the link works until it expires or the callback is answered. The request has no body.",
			params:      []param{complaintIDParam},
			responses: []reply{answers(http.StatusCreated, "The link to send the customer.", typeOf[CallbackLink]()), notFound,
				fails(http.StatusConflict, "The complaint is not awaiting its callback."), internalError},
			access: &access{roles: []org.Role{org.RoleIntakeClerk}, action: complaint.ActCallbackLink, who: "customer service"}},
		endpoint{method: http.MethodPost, path: "/api/v1/complaints/{id}/policy", op: app.OpMigratePolicy, id: "migrateComplaintPolicy", handle: method((*Server).migratePolicy),
			tag: "sla", summary: "Move a complaint to another policy version",
			description: "A complaint keeps the policy it started under; this moves an open one to another stored version. The current step keeps the time it has used and gets the new policy's target, counted on its clock. A 400 names version when no stored policy has it.",
			params:      []param{complaintIDParam, stepKey},
			body:        jsonBody(bodyOf[PolicyMigration]()),
			responses:   updateReplies(fails(http.StatusConflict, "The complaint is closed, or already runs under that policy version."))},
	)
}

// publicCallbackEndpoints are the customer's callback link.
func publicCallbackEndpoints() []endpoint {
	token := pathParam("token", "The link's signed token, as POST /api/v1/complaints/{id}/callback-link gave it.", fixed(stringSchema()))
	linkRefused := fails(http.StatusForbidden, "The link is forged, damaged or expired. The answer does not say which, and nothing is recorded.")
	publicOK := answers(http.StatusOK, "The complaint as the customer sees it.", typeOf[PublicComplaint]())
	return []endpoint{
		{method: http.MethodGet, path: "/public/callback/{token}", id: "getPublicCallback", handle: method((*Server).publicCallback),
			auth: open, limit: publicLimit, page: true,
			tag: "public", summary: "The customer's view of their complaint",
			description: "What the customer sees through their callback link, no sign-in needed; answered says whether they can still answer. Requests are limited per client address (429 past the limit).",
			params:      []param{token},
			responses:   []reply{publicOK, linkRefused, tooMany, internalError}},
		{method: http.MethodPost, path: "/public/callback/{token}", id: "answerPublicCallback", handle: method((*Server).publicCallbackAnswer),
			auth: open, limit: publicLimit, page: true,
			tag: "public", summary: "The customer answers the callback (回访)",
			description: "The customer says whether they are satisfied, as the callback step records it; an unsatisfied customer reopens the case at the plan step. No sign-in needed; requests are limited per client address (429 past the limit).",
			params:      []param{token},
			body:        jsonBody(typeOf[complaint.CallbackInput]()),
			responses: []reply{publicOK, badRequest, linkRefused,
				fails(http.StatusConflict, "The callback is already answered, or the complaint is no longer awaiting it."),
				tooLarge, tooMany, internalError, unavailable}},
		{method: http.MethodGet, path: "/public/status/{token}", id: "getPublicStatus", handle: method((*Server).publicStatus),
			auth: open, limit: publicLimit, page: true,
			tag: "public", summary: "The customer follows their complaint (投诉进度)",
			description: "Where the complaint stands, for the customer holding the status link cxflow sent with its acknowledgement: the stage in the customer's terms, " +
				"when the next answer is due, and once closed the outcome or the written reply. Nothing internal (no staff, no root cause). The link stops working " +
				"90 days after the complaint closed. No sign-in needed; requests are limited per client address (429 past the limit).",
			params: []param{pathParam("token", "The status link's signed token, from the acknowledgement e-mail.", fixed(stringSchema()))},
			responses: []reply{answers(http.StatusOK, "The complaint as its customer follows it.", typeOf[PublicStatus]()),
				fails(http.StatusForbidden, "The link is forged, damaged, expired, or the complaint closed more than 90 days ago. The answer does not say which, and nothing is recorded."),
				tooMany, internalError}},
	}
}

// pageSize is a page-size query parameter's schema.
func pageSize(maximum, def int) *openapi3.Schema {
	return &openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: num(1), Max: num(float64(maximum)), Default: def}
}
