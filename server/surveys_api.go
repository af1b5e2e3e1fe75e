package server

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
	"github.com/cxflow/cxflow/workflows"
)

const answerSavedDoc = " The answer is checked against the cycle's questionnaire: a 400 names the field at fault, e.g. ratings.delivery_time for a level the scale does not have."

// answered is the 201 of an answer saved, staff's or the customer's.
func answered() reply {
	receipt := func(g *schemaGen) *openapi3.SchemaRef {
		status := enumOf("answered")
		status.Description = "answered."
		cycle := formatted("uuid")
		cycle.Description = "The cycle answered."
		return g.define("AnswerReceipt", &openapi3.Schema{
			Type: &openapi3.Types{"object"}, Description: "An answer saved.", Required: []string{"status", "cycle_id"},
			Properties: openapi3.Schemas{"status": inline(status), "cycle_id": inline(cycle)},
		})
	}
	return answers(http.StatusCreated, "The answer is saved.", receipt)
}

// surveyEndpoints are customers, survey programmes and their schedules,
// cycles, staff's answers and deliveries.
func surveyEndpoints() []endpoint {
	programme, cycle := uuidParam("programme"), uuidParam("cycle")
	programmeNotFound := fails(http.StatusNotFound, "No survey programme has this ID.")
	cycleNotFound := fails(http.StatusNotFound, "No survey cycle has this ID (a cycle just started shows within a second).")
	definitionOK := func(status int, desc string) reply { return answers(status, desc, typeOf[survey.Definition]()) }
	scheduleOK := answers(http.StatusOK, "The schedule as it now stands.", typeOf[ScheduleState]())
	noSchedule := fails(http.StatusConflict, "The programme has no schedule (its schedule kind is manual): start a cycle with POST /api/v1/survey-programmes/{id}/cycles.")
	const scheduleSync = " A recurring programme's Temporal Schedule is created or updated to match (a manual one's is removed)."
	list := []endpoint{
		{method: http.MethodPost, path: "/api/v1/customers/import", op: app.OpImportCustomers, handle: method((*Server).importCustomers),
			tag: "customers", summary: "Import customers from a CSV file (客户导入)",
			description: "Creates or updates customers by id from a CRM export or spreadsheet. The file is read whole first: one that cannot be read (not UTF-8, no header, an unknown, repeated or missing required column) is refused with a 400 naming file and saves nothing; " +
				"otherwise every good row is saved and every bad row reported in errors.",
			body: &body{mediaType: "text/csv", schema: fixed(stringSchema()), description: csvImportDoc(),
				example: "客户编号,客户名称,等级,年采购额,合作年限,有潜力,代表性项目,类别,联系人,电话\nC001,华东电气,A,120万,3,否,否,device,王伟,138 0000 0000\n"},
			responses: []reply{
				answers(http.StatusOK, "What the import did.", typeOf[ImportResult]()),
				fails(http.StatusBadRequest, "The file cannot be read (field file); the message says why, e.g. which column is unknown or missing."),
				fails(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than %d MiB; split it.", maxCSV>>20)),
				internalError,
			}},
		{method: http.MethodGet, path: "/api/v1/customers", op: app.OpListCustomers, handle: method((*Server).listCustomers),
			tag: "customers", summary: "List customers",
			description: "The imported customers by ID, one page at a time. A 400 names the query parameter at fault.",
			params: []param{
				query("after", "Only customers whose ID sorts after this one: the previous page's next.", fixed(stringSchema())),
				query("limit", "Page size.", fixed(pageSize(1000, 100))),
			},
			responses: []reply{answers(http.StatusOK, "A page of customers.", typeOf[CustomerList]()), badRequest, internalError}},

		{method: http.MethodGet, path: "/api/v1/survey-programmes", op: app.OpListProgrammes, handle: method((*Server).listProgrammes),
			tag: "surveys", summary: "List survey programmes (调查方案)", description: "Every survey programme, by name.",
			responses: []reply{answers(http.StatusOK, "The programmes.", typeOf[ProgrammeList]()), internalError}},
		{method: http.MethodPost, path: "/api/v1/survey-programmes", op: app.OpCreateProgramme, handle: method((*Server).createProgramme),
			tag: "surveys", summary: "Define a survey programme",
			description: "Defines a programme; fields left out take the defaults (coverage of 000, targets of 004, the default questionnaire, a manual schedule). " +
				"A 400 names the field at fault, e.g. programme.coverage[0].share; a run.owner_department that is no department's ID is a 400 naming department." + scheduleSync,
			body:      jsonBody(bodyOf[survey.Definition]()),
			responses: []reply{definitionOK(http.StatusCreated, "The programme as saved, at version 1."), badRequest, tooLarge, internalError}},
		{method: http.MethodGet, path: "/api/v1/survey-programmes/{id}", op: app.OpGetProgramme, handle: method((*Server).getProgramme),
			tag: "surveys", summary: "Read a survey programme",
			params:    []param{programme},
			responses: []reply{definitionOK(http.StatusOK, "The programme."), programmeNotFound, internalError}},
		{method: http.MethodPut, path: "/api/v1/survey-programmes/{id}", op: app.OpPutProgramme, handle: method((*Server).putProgramme),
			tag: "surveys", summary: "Change a survey programme",
			description: "Replaces the version read: fields left out keep their stored values, and a programme changed since the version sent was read is not overwritten (409). " +
				"Running cycles keep the programme they started with. A 400 names the field at fault, as for creating." + scheduleSync,
			params: []param{programme},
			body: jsonBody(func(g *schemaGen) *openapi3.SchemaRef {
				return g.variant(reflect.TypeFor[survey.Definition](), definitionPatch)
			}),
			responses: []reply{definitionOK(http.StatusOK, "The programme as saved, its version one more than before."), badRequest, programmeNotFound,
				fails(http.StatusConflict, "The programme changed since the version sent was read (field version): read it again and reapply the change."),
				tooLarge, internalError}},
		{method: http.MethodGet, path: "/api/v1/survey-programmes/{id}/schedule", op: app.OpGetSchedule, handle: method((*Server).getSchedule),
			tag: "surveys", summary: "Read a programme's schedule",
			description: "The Temporal Schedule that starts a recurring programme's cycles: its cron expression, whether it is paused, and its next runs.",
			params:      []param{programme},
			responses: []reply{answers(http.StatusOK, "The schedule.", typeOf[ScheduleState]()),
				fails(http.StatusNotFound, "No survey programme has this ID, or it runs only when started by hand (schedule kind manual)."), internalError}},
	}
	for _, sa := range []struct {
		action               string
		op                   app.Op
		summary, description string
	}{
		{"pause", app.OpPauseSchedule, "Pause a programme's schedule", "Stops the schedule starting cycles until it is resumed; cycles running go on. The note, when sent, says why."},
		{"resume", app.OpResumeSchedule, "Resume a programme's schedule", "Lets a paused schedule start cycles again. The note, when sent, says why."},
		{"trigger", app.OpTriggerSchedule, "Start a scheduled cycle now", "Starts a cycle now, as the schedule would, even while another cycle runs; the schedule goes on as before. A body sent is ignored."},
	} {
		action := sa.action
		list = append(list, endpoint{method: http.MethodPost, path: "/api/v1/survey-programmes/{id}/schedule/" + action, op: sa.op,
			handle: func(s *Server) gin.HandlerFunc { return s.scheduleAction(action) },
			tag:    "surveys", summary: sa.summary, description: sa.description + " Answers with the schedule. The body may be left out.",
			params:    []param{programme},
			body:      optionalBody(bodyOf[ScheduleNote]()),
			responses: []reply{scheduleOK, badRequest, programmeNotFound, noSchedule, tooLarge, internalError}})
	}
	return append(list,
		endpoint{method: http.MethodGet, path: "/api/v1/survey-programmes/{id}/cycles", op: app.OpListCycles, handle: method((*Server).listCycles),
			tag: "surveys", summary: "List a programme's cycles",
			description: "The programme's cycles, newest first, each with its counts and, once closed, its statistics.",
			params:      []param{programme},
			responses:   []reply{answers(http.StatusOK, "The cycles.", typeOf[CycleList]()), programmeNotFound, internalError}},
		endpoint{method: http.MethodPost, path: "/api/v1/survey-programmes/{id}/cycles", op: app.OpStartCycle, handle: method((*Server).startCycle),
			tag: "surveys", summary: "Start a survey cycle (调查周期) now",
			description: "Starts a cycle of the programme as it now stands: it draws the sample (or takes customer_ids), issues the invitations, reminds, escalates a return rate on course to miss its target, " +
				"closes when the window ends, computes the statistics and opens an improvement action for each dimension and owner department with dissatisfied answers. " +
				fmt.Sprintf("The body may be left out. A 400 names customer_ids when it lists more than %d customers or one that is not imported.", maxCycleCustomers),
			params:    []param{programme},
			body:      optionalBody(bodyOf[CycleRequest]()),
			responses: []reply{answers(http.StatusCreated, "The cycle started.", typeOf[StartedCycle]()), badRequest, programmeNotFound, tooLarge, internalError}},
		endpoint{method: http.MethodGet, path: "/api/v1/survey-cycles/{id}", op: app.OpGetCycle, handle: method((*Server).getCycle),
			tag: "surveys", summary: "Read a survey cycle",
			description: "The cycle with the programme it runs, its counts so far and, once closed, its statistics.",
			params:      []param{cycle},
			responses:   []reply{answers(http.StatusOK, "The cycle.", typeOf[store.Cycle]()), cycleNotFound, internalError}},
		endpoint{method: http.MethodGet, path: "/api/v1/survey-cycles/{id}/selections", op: app.OpListSelections, handle: method((*Server).listSelections),
			tag: "surveys", summary: "Who the cycle considered, and why",
			description: "Every customer of the population, chosen or not, with the coverage rule it fell in and the reason: who was left out shows as plainly as who was asked.",
			params:      []param{cycle},
			responses:   []reply{answers(http.StatusOK, "The sample.", typeOf[SelectionList]()), cycleNotFound, internalError}},
		endpoint{method: http.MethodGet, path: "/api/v1/survey-cycles/{id}/invitations", op: app.OpListInvitations, handle: method((*Server).listInvitations),
			tag: "surveys", summary: "A cycle's invitations",
			description: "The invitations, unanswered first: for a link cycle the signed links to send (while it is open), for the staff channels the call, visit or letter list.",
			params:      []param{cycle},
			responses:   []reply{answers(http.StatusOK, "The invitations.", typeOf[InvitationList]()), cycleNotFound, internalError}},
		endpoint{method: http.MethodPost, path: "/api/v1/survey-cycles/{id}/answers", op: app.OpEnterAnswer, handle: method((*Server).enterAnswer),
			tag: "surveys", summary: "Enter an answer taken by phone, on a visit or from a letter",
			description: "Records an invited customer's answer that staff took, with who answered and who surveyed (000)." + answerSavedDoc +
				" A customer_id not invited to the cycle is a 400 naming customer_id. An answer the customer gave themselves through their link is theirs: staff cannot replace it (409 naming customer_id).",
			params: []param{cycle},
			body:   jsonBody(bodyOf[StaffAnswer]()),
			responses: []reply{answered(), badRequest, cycleNotFound,
				fails(http.StatusConflict, "The customer answered this survey themselves through their link; staff cannot replace the answer (field customer_id)."),
				fails(http.StatusGone, "The survey has closed; answers are no longer taken."),
				tooLarge, internalError}},
		endpoint{method: http.MethodPost, path: "/api/v1/deliveries", op: app.OpRecordDelivery, handle: method((*Server).postDelivery),
			tag: "surveys", summary: "Record a delivery for its follow-up surveys",
			description: "Schedules the after-delivery surveys of one customer: a one-customer cycle of the programme " + followUpDoc() + " after the delivery. " +
				"Posting the same delivery again (the same customer and reference, or without a reference the same delivered_at) changes nothing and answers alike. A 400 names the field at fault.",
			body:      jsonBody(bodyOf[workflows.Delivery]()),
			responses: []reply{answers(http.StatusAccepted, "The follow-ups are scheduled.", typeOf[DeliveryStarted]()), badRequest, tooLarge, internalError}},
	)
}

// publicSurveyEndpoints are the customer's survey invitation link.
func publicSurveyEndpoints() []endpoint {
	token := pathParam("token", "The invitation link's signed token, as GET /api/v1/survey-cycles/{id}/invitations gave it in url. The link works until a day after the survey closes.",
		fixed(stringSchema()))
	linkRefused := fails(http.StatusForbidden, "The link is forged, damaged or expired. The answer does not say which, and nothing is recorded.")
	return []endpoint{
		{method: http.MethodGet, path: "/public/survey/{token}", id: "getPublicSurvey", handle: method((*Server).publicSurvey),
			auth: open, limit: publicLimit, page: true,
			tag: "public", summary: "The customer's questionnaire",
			description: "What the customer sees through their invitation link, no sign-in needed: the questionnaire, whether they have answered and whether the survey is open. " +
				"Requests are limited per client address (429 past the limit).",
			params:    []param{token},
			responses: []reply{answers(http.StatusOK, "The questionnaire.", typeOf[PublicSurvey]()), linkRefused, tooMany, internalError}},
		{method: http.MethodPost, path: "/public/survey/{token}", id: "answerPublicSurvey", handle: method((*Server).publicSurveyAnswer),
			auth: open, limit: publicLimit, page: true,
			tag: "public", summary: "The customer answers the questionnaire",
			description: "Saves the customer's answer; answering again, while the survey is open, replaces it. No sign-in needed; requests are limited per client address (429 past the limit)." + answerSavedDoc,
			params:      []param{token},
			body:        jsonBody(bodyOf[PublicAnswer]()),
			responses:   []reply{answered(), badRequest, linkRefused, fails(http.StatusGone, "The survey has closed; answers are no longer taken."), tooLarge, tooMany, internalError}},
	}
}
