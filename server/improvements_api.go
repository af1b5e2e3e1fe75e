package server

import (
	"net/http"
	"reflect"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/org"
)

// improvementEndpoints are improvement actions: listing, reading, opening and
// the steps.
func improvementEndpoints() []endpoint {
	actionOK := func(desc string) reply { return answers(http.StatusOK, desc, typeOf[improvement.Action]()) }
	notFound := fails(http.StatusNotFound, "No improvement action has this ID.")
	id := pathParam("id", "The improvement action's ID. A value that is not a UUID names no action (404).", fixed(formatted("uuid")))
	list := []endpoint{
		{method: http.MethodGet, path: "/api/v1/improvement-actions", op: app.OpListImprovements, handle: method((*Server).listImprovements),
			tag: "improvements", summary: "List improvement actions (改进计划)",
			description: "The improvement actions the caller may read, newest first, one page at a time, without their timelines; the filters combine. A 400 names the query parameter at fault.",
			params: []param{
				query("status", "Only actions awaiting this step, or closed.", typeOf[improvement.Step]()),
				query("source", "Only actions opened so.", typeOf[improvement.SourceKind]()),
				query("department", "Only actions of this owner department.", fixed(stringSchema())),
				query("cycle_id", "Only actions a survey cycle opened.", fixed(stringSchema())),
				query("complaint_id", "Only actions that answer this complaint.", fixed(formatted("uuid"))),
				query("overdue", "Only open actions whose current step is (true) or is not (false) past its deadline.", fixed(booleanSchema())),
				query("limit", "Page size.", fixed(pageSize(maxPageSize, defaultPageSize))),
				query("cursor", "The next_cursor of the previous page.", fixed(stringSchema())),
			},
			responses: []reply{answers(http.StatusOK, "One page of improvement actions.", typeOf[ImprovementList]()), badRequest, internalError},
			access: &access{who: "every signed-in user; " + describeRoles(improvementReadAllRoles()) +
				" see every improvement action, members and heads of a department and branch heads their own department's, and others none (an empty list)"}},
		{method: http.MethodPost, path: "/api/v1/improvement-actions", op: app.OpOpenImprovement, handle: method((*Server).openImprovement),
			tag: "improvements", summary: "Open an improvement action",
			description: "Opens an improvement action by hand; it starts at its plan, due within the policy's time (5 days by default). A 400 names the field at fault: " +
				"also department when no department has the ID, and source.complaint_id when no complaint has it. " +
				"With an Idempotency-Key, a retried request answers with the action the first one opened (Idempotent-Replayed: true).",
			params: []param{header("Idempotency-Key",
				"The action's business key: the same key always names the same action, whose ID it determines, so retrying is safe, and a closed action's key still names it. "+
					"Reusing a key with other content is a 409 naming Idempotency-Key. Survey cycles open their actions under keys of their own (survey:<cycle ID>:<dimension>:<department>).",
				fixed(&openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: size(improvement.MaxBusinessKey)}))},
			body: jsonBody(typeOf[improvement.OpenInput]()),
			responses: []reply{
				answers(http.StatusCreated, "The action opened.", typeOf[improvement.Action]()).withHeaders(createdHeaders("The action's URL.")),
				badRequest,
				fails(http.StatusConflict, "The Idempotency-Key already opened an action with other content (field Idempotency-Key)."),
				tooLarge, internalError,
				fails(http.StatusServiceUnavailable, "The workflow did not answer in time; the action may still be opened, so retry with the same Idempotency-Key."),
			},
			access: &access{roles: []org.Role{org.RoleMarketDepartment, org.RoleQualityDepartment, org.RoleBranchHead}, act: improvement.ActOpen,
				who: "the market or quality department, or a branch head for their own branch (department must then be theirs)"}},
		{method: http.MethodGet, path: "/api/v1/improvement-actions/{id}", op: app.OpGetImprovement, handle: method((*Server).getImprovement),
			tag: "improvements", summary: "Read an improvement action",
			description: "The action with its rounds, deadlines, escalations and full timeline.",
			params:      []param{id},
			responses:   []reply{actionOK("The improvement action."), notFound, internalError},
			access: &access{roles: improvementReaders, act: improvement.ActRead,
				who: describeRoles(improvementReadAllRoles()) + " for every action; members and heads of the owner department, or its branch head, for their own department's"}},
	}
	for _, st := range improvementSteps {
		list = append(list, endpoint{method: http.MethodPost, path: "/api/v1/improvement-actions/{id}/" + st.path, op: st.op, handle: st.handle,
			tag: "improvements", summary: st.summary, description: st.details + " The action must be awaiting this step. Answers with the updated action.",
			params: []param{id, stepKey},
			body:   jsonBody(reflectedAs(reflect.TypeOf(st.input))),
			responses: []reply{
				actionOK("The updated improvement action.").withHeaders(replayedHeader()),
				badRequest, notFound,
				fails(http.StatusConflict, "The action is not awaiting this step: the message says what it waits for (e.g. waiting for verification (round 1), not plan), or that it is closed or still being opened."),
				tooLarge, internalError, unavailableReply("step"),
			},
			access: &st.access})
	}
	return list
}
