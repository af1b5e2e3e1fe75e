package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/org"
)

// The API publishes its contract at GET /openapi.json, generated from the
// endpoint table that also registers the routes (endpoints()): each operation's
// parameters, bodies and responses are declared on its endpoint, and their
// schemas are reflected from the Go types the handlers decode and encode
// (openapi_schema.go). The tests check the document against behaviour.

const openAPIVersion = "3.0.3"

var (
	openAPIOnce sync.Once
	openAPIJSON []byte
)

func serveOpenAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openAPIDocument())
}

// openAPIDocument is the document as JSON, built on first use.
func openAPIDocument() []byte {
	openAPIOnce.Do(func() {
		b, err := json.Marshal(buildOpenAPI())
		if err != nil {
			panic("openapi: " + err.Error())
		}
		openAPIJSON = b
	})
	return openAPIJSON
}

// buildOpenAPI documents every endpoint.
func buildOpenAPI() *openapi3.T {
	g := newSchemaGen()
	paths := openapi3.NewPaths()
	for _, e := range endpoints() {
		item := paths.Value(e.path)
		if item == nil {
			item = &openapi3.PathItem{}
			paths.Set(e.path, item)
		}
		if item.GetOperation(e.method) != nil {
			panic("openapi: " + e.method + " " + e.path + " is in the endpoint table twice")
		}
		item.SetOperation(e.method, e.operation(g, item))
	}
	errResp := func(desc string) *openapi3.ResponseRef { return fails(0, desc).build(g) }
	return &openapi3.T{
		OpenAPI: openAPIVersion,
		Info: &openapi3.Info{
			Title:   "cxflow API",
			Version: "v1",
			Description: "Customer complaint handling (客户投诉处理): a complaint is recorded, then moves through validation (判定投诉是否成立), " +
				"assignment (确定责任部门), root cause (分析原因), plan (提出处理方案), approval (主管领导批示), execution (实施处理方案), " +
				"callback (回访) and review (总结评价) to closed. Each step has a time limit (SLA) set by the complaint's policy version, counted in " +
				"working time on a working calendar (working hours, statutory holidays and make-up days, 调休) or in calendar time; a step can be " +
				"paused while it waits on the customer or a third party, and its deadline extended. Steps past their warning point are at risk; " +
				"overdue steps escalate.\n\n" +
				"Satisfaction surveys (顾客满意度测量): customers are imported from the CRM; a survey programme says who is surveyed (coverage rules by annual volume), " +
				"what they are asked (a questionnaire of dimensions on a rating scale) and what counts as success (issue and return targets), and starts cycles by hand, on a schedule or after a delivery. " +
				"A cycle draws its sample, invites the customers (signed links, or call, visit and letter lists for staff), reminds them, closes, computes its statistics and " +
				"opens an improvement action for each dimension and owner department with dissatisfied answers.\n\n" +
				"Improvement actions (改进计划 · 纠正预防措施) go round plan → completion → verification (PDCA) until verified effective; overdue steps escalate.\n\n" +
				"Errors: every error response has an Error body; a 400 names the field at fault in field. Request bodies are strict JSON: " +
				"unknown fields are rejected.\n\n" + rolesDoc(),
		},
		Security: openapi3.SecurityRequirements{{"bearerAuth": []string{}}, {"cookieAuth": []string{}}},
		Tags: openapi3.Tags{
			{Name: "complaints", Description: "Recording and reading complaints."},
			{Name: "steps", Description: "The human steps of the procedure, one operation each."},
			{Name: "sla", Description: "Acting on the current step's clock: pause, resume, extend its deadline, or move the complaint to another policy version."},
			{Name: "calendars", Description: "Working calendars (工作日历) and working-time arithmetic on them."},
			{Name: "policies", Description: "SLA policy versions (时限政策): time limits, escalation, grading and approval rules."},
			{Name: "auth", Description: "Signing in and out, and API tokens for machine clients."},
			{Name: "organisation", Description: "Departments, branches and users with their roles."},
			{Name: "audit", Description: "The audit trail of every state-changing request."},
			{Name: "customers", Description: "The survey population: customers imported from the CRM."},
			{Name: "surveys", Description: "Survey programmes (调查方案), their schedules and cycles, the sample, invitations, staff-entered answers and after-delivery surveys."},
			{Name: "improvements", Description: "Improvement actions (改进计划 · 纠正预防措施): opening, planning, completing and verifying them."},
			{Name: "notifications", Description: "The outbox: survey invitations and reminders to e-mail and tasks for staff, for a mail relay (with an API token) or the staff to pick up and report delivered."},
			{Name: "reports", Description: "Management reports (管理报表) computed from the complaints: the complaint analysis (季度客户投诉分析报告), as JSON, CSV or an Excel workbook."},
			{Name: "public", Description: "Customers' signed links, without signing in: the callback link (making one, what the customer sees and answers through it) and the survey invitation link."},
			{Name: "codec", Description: "Temporal's remote codec, to read encrypted workflow payloads in the Temporal Web UI and CLI."},
			{Name: "operations", Description: "Health checks and this document."},
		},
		// The API is served where this document is: the default, said
		// explicitly for the tools that want a server.
		Servers: openapi3.Servers{{URL: "/", Description: "The host that serves this document."}},
		Paths:   paths,
		Components: &openapi3.Components{
			Schemas: g.components,
			SecuritySchemes: openapi3.SecuritySchemes{
				"bearerAuth": {Value: &openapi3.SecurityScheme{Type: "http", Scheme: "bearer",
					Description: "A session token (cxs_…) from POST /api/v1/auth/login, or an API token (cxa_…) from POST /api/v1/api-tokens."}},
				"cookieAuth": {Value: &openapi3.SecurityScheme{Type: "apiKey", In: "cookie", Name: SessionCookie,
					Description: "The session cookie POST /api/v1/auth/login sets, for browsers. An Authorization header, when sent, is used instead."}},
			},
			Responses: openapi3.ResponseBodies{
				"BadRequest": errResp("The request is invalid: a malformed body, an unknown field, a missing or invalid value. field names the field at fault when there is one."),
				"Unauthorized": reply{description: "Not signed in: no token, or one that is unknown, expired or revoked, or whose user is disabled. Sign in again (POST /api/v1/auth/login).",
					content: []media{{"application/json", errorBodySchema}},
					headers: openapi3.Headers{"WWW-Authenticate": headerDoc(`Bearer realm="cxflow", with error="invalid_token" when a token was sent.`)},
				}.build(g),
				"Forbidden": errResp("Refused: the signed-in caller may not do this; error says why and who may. Operations every signed-in user may call do not refuse today, " +
					"but a client should expect a 403 from any operation that needs a sign-in."),
				"TooManyRequests": reply{description: "Too many requests from this client address; wait a minute.",
					content: []media{{"application/json", errorBodySchema}},
					headers: openapi3.Headers{"Retry-After": headerOf("Seconds to wait.", integerSchema())},
				}.build(g),
				"NotFound":        errResp("No complaint has this ID."),
				"Conflict":        errResp("The complaint is not awaiting this step: the message names the step it waits for (e.g. waiting for callback, not review), or that it is closed; the complaint as read afterwards shows that step. Also: the Idempotency-Key was used with another body (field Idempotency-Key)."),
				"PayloadTooLarge": errResp(fmt.Sprintf("The body is larger than %d bytes.", maxBody)),
				"InternalError":   errResp("The server failed; the message says which operation."),
				"Unavailable":     errResp("The workflow did not answer in time; the action may still complete, so read the complaint before retrying."),
			},
		},
	}
}

// operation documents the endpoint; its path parameters go on item, the path.
func (e endpoint) operation(g *schemaGen, item *openapi3.PathItem) *openapi3.Operation {
	op := &openapi3.Operation{OperationID: e.operationID(), Tags: []string{e.tag}, Summary: e.summary, Description: e.description}
	var pathParams openapi3.Parameters
	for _, p := range e.params {
		pr := &openapi3.ParameterRef{Value: &openapi3.Parameter{Name: p.name, In: p.in, Description: p.description, Required: p.required, Schema: p.schema(g)}}
		if p.in == openapi3.ParameterInPath {
			pathParams = append(pathParams, pr)
		} else {
			op.Parameters = append(op.Parameters, pr)
		}
	}
	if item.Parameters == nil {
		item.Parameters = pathParams
	} else if len(item.Parameters) != len(pathParams) {
		panic("openapi: the operations on " + e.path + " document different path parameters")
	}
	if b := e.body; b != nil {
		mt := b.mediaType
		if mt == "" {
			mt = "application/json"
		}
		op.RequestBody = &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Required: !b.optional, Description: b.description,
			Content: openapi3.Content{mt: {Schema: b.schema(g), Example: b.example}}}}
	}
	op.Responses = openapi3.NewResponses()
	for _, r := range e.responses {
		op.Responses.Set(strconv.Itoa(r.status), r.build(g))
	}
	e.secure(op)
	return op
}

// build resolves the reply's schemas.
func (r reply) build(g *schemaGen) *openapi3.ResponseRef {
	if r.shared != "" {
		return &openapi3.ResponseRef{Ref: "#/components/responses/" + r.shared}
	}
	resp := openapi3.NewResponse().WithDescription(r.description)
	resp.Headers = r.headers
	if len(r.content) > 0 {
		resp.Content = openapi3.Content{}
		for _, m := range r.content {
			resp.Content[m.mediaType] = &openapi3.MediaType{Schema: m.schema(g)}
		}
	}
	return &openapi3.ResponseRef{Value: resp}
}

// accessDoc is who may call the endpoint beyond being signed in: the
// permission table's roles, with the endpoint's own words where it has them.
func (e endpoint) accessDoc() (access, bool) {
	var a access
	ok := e.access != nil
	if ok {
		a = *e.access
	}
	if e.ruled() {
		if a.roles != nil {
			panic("openapi: " + e.method + " " + e.path + " lists roles of its own beside the permission table's rule")
		}
		a.roles, ok = app.Who(e.op), true
	}
	return a, ok
}

// secure marks an open operation, or documents on another that it needs a
// sign-in (401), may be refused (403) and who may call it.
func (e endpoint) secure(o *openapi3.Operation) {
	if e.auth == open || e.auth == preflight {
		o.Security = &openapi3.SecurityRequirements{}
		return
	}
	forbidden := func(desc string) *openapi3.ResponseRef {
		return &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(desc).
			WithContent(openapi3.Content{"application/json": {Schema: ref("Error")}})}
	}
	o.Responses.Set("401", &openapi3.ResponseRef{Ref: "#/components/responses/Unauthorized"})
	o.Responses.Set("403", &openapi3.ResponseRef{Ref: "#/components/responses/Forbidden"})
	desc := o.Description
	a, ok := e.accessDoc()
	switch {
	case !ok:
		desc += " Who may call it: every signed-in user."
	case a.roles == nil:
		desc += " Who may call it: " + a.who + "."
		if a.refused != "" {
			o.Responses.Set("403", forbidden(a.refused))
		}
	case a.action != "":
		o.Extensions = map[string]any{"x-roles": names(a.roles...)}
		desc += fmt.Sprintf(" Who may call it: %s. Roles that can be allowed: %s; the complaint decides, and a caller not allowed to act on it is refused (403).", a.who, describeRoles(a.roles))
		o.Responses.Set("403", forbidden("Refused: the caller may not act on this complaint; error says why and who may. Allowed: "+a.who+"."))
	case a.act != "":
		o.Extensions = map[string]any{"x-roles": names(a.roles...)}
		desc += fmt.Sprintf(" Who may call it: %s. Roles that can be allowed: %s; the improvement action decides (its owner department; for verification its verifiers and who reported the completion), and a caller not allowed to act on it is refused (403).", a.who, describeRoles(a.roles))
		o.Responses.Set("403", forbidden("Refused: the caller may not act on this improvement action; error says why. Allowed: "+a.who+"."))
	default:
		o.Extensions = map[string]any{"x-roles": names(a.roles...)}
		who := a.who
		if who == "" {
			who = "holders of " + describeRoles(a.roles)
		}
		desc += " Who may call it: " + who + "."
		refused := a.refused
		if refused == "" {
			refused = "Refused: the caller holds none of the roles " + strings.Join(names(a.roles...), ", ") + "; error says who may."
		}
		o.Responses.Set("403", forbidden(refused))
	}
	o.Description = strings.TrimSpace(desc)
}

// stepOperationID names a step's operation: root-cause → submitRootCause.
func stepOperationID(path string) string {
	var b strings.Builder
	b.WriteString("submit")
	upper := true
	for _, r := range path {
		if r == '-' || r == '_' {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stepKey is the Idempotency-Key every step, control and action step takes.
var stepKey = header("Idempotency-Key",
	"Makes the step safe to retry after a lost answer: a retry with the same key (by the same user, on the same case and step) "+
		"never applies the step twice and answers 200 with the record as it is now (Idempotent-Replayed: true), even after the case moved on or closed. "+
		"The same key with another body is a 409 naming Idempotency-Key. Send a new key for each new submission.",
	fixed(&openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: size(maxIdempotencyKey)}))

// replayedHeader marks an answer repeated for the same Idempotency-Key.
func replayedHeader() openapi3.Headers {
	return openapi3.Headers{"Idempotent-Replayed": headerOf("true when the response answers a retry with the same Idempotency-Key from the first request.", enumOf("true"))}
}

// unavailableReply is a 503: Temporal did not answer in time.
func unavailableReply(what string) reply {
	return fails(http.StatusServiceUnavailable, "The workflow engine did not answer in time (busy or unreachable): the "+what+" may or may not have taken effect. "+
		"Retry after Retry-After seconds with the same Idempotency-Key (never applied twice), or read the record before retrying without one.").
		withHeaders(openapi3.Headers{"Retry-After": headerOf("Seconds to wait before retrying.", integerSchema())})
}

// updateReplies are the answers of a route that sends an Update to the
// complaint's workflow; conflict is its 409.
func updateReplies(conflict reply) []reply {
	return []reply{
		answers(http.StatusOK, "The updated complaint.", typeOf[complaint.Complaint]()).withHeaders(replayedHeader()),
		badRequest,
		sharedReply(http.StatusForbidden, "Forbidden"),
		notFound,
		conflict,
		tooLarge,
		internalError,
		unavailableReply("step"),
	}
}

// defaultCalendarDoc describes the built-in calendar from calendar.Default().
func defaultCalendarDoc() string {
	d := calendar.Default()
	years := make([]string, 0, len(d.Years))
	for _, y := range d.YearNumbers() {
		years = append(years, fmt.Sprint(y))
	}
	return fmt.Sprintf("The calendar named %s always exists, at version %d until it is first stored: time zone %s, working hours %s, "+
		"with China's statutory holidays and make-up working days (调休) as the State Council published them for %s. "+
		"A release that ships a later year adds it at start-up as a new version, recorded as the release's, unless the calendar has that year already or was offered it before; "+
		"other years are added with PUT /api/v1/calendars/{name}/years/{year}.",
		d.Name, d.Version, d.TimeZone, describeWeek(d.Week), strings.Join(years, ", "))
}

// describeWeek writes a week's hours, runs of days with the same hours together:
// "monday–friday 08:30-12:00 and 13:30-17:30".
func describeWeek(w calendar.Week) string {
	days := weekdayNames()
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && slices.Equal(w[days[j+1]], w[days[i]]) {
			j++
		}
		if ps := w[days[i]]; len(ps) > 0 {
			run := days[i]
			if j > i {
				run += "–" + days[j]
			}
			hours := make([]string, len(ps))
			for k, p := range ps {
				hours[k] = p.String()
			}
			parts = append(parts, run+" "+strings.Join(hours, " and "))
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// roleDuties says what each role does, for the document's introduction.
var roleDuties = map[org.Role]string{
	org.RoleIntakeClerk: "customer service (业务部 · 客服 · 专人专线), who records complaints, makes the callback (回访) and sends customers their callback links; " +
		"enters survey answers taken by phone, on visits or from letters, and records deliveries",
	org.RoleMarketDepartment: "validates and assigns complaints and writes the closing review; approves plans of serious cases and branches' cases; may pause and resume any step; " +
		"runs the satisfaction surveys (customers, programmes, schedules, cycles) and opens and verifies improvement actions; reads the complaint reports",
	org.RoleBranchHead: "does the market department's part (recording, validation, assignment, review) for the complaints of their own branch, opens, plans and completes their branch's improvement actions, and reads their branch's complaint reports",
	org.RoleDepartmentMember: "a member of the responsible department (责任部门), who analyses the root cause, proposes the plan and carries it out, for the complaints assigned to their department; " +
		"plans and completes their department's improvement actions",
	org.RoleDepartmentHead:    "head of a department (主管领导 · 部门经理), who does what its members do, approves its plans and extends its deadlines",
	org.RoleQualityDepartment: "tracks corrective and preventive actions: opens and verifies improvement actions, and reads the survey results and the complaint reports",
	org.RoleGeneralManager:    "approves plans of severe cases, may extend any deadline and reads the complaint reports",
	org.RoleInternalAuditor:   "reads everything, the audit trail and the complaint reports included",
	org.RoleAdministrator:     "manages departments, users, API tokens, working calendars, SLA policies and survey programmes, moves complaints between policy versions and reads the complaint reports",
}

// describeRoles names roles with their labels: "administrator (系统管理员), …".
func describeRoles(roles []org.Role) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = fmt.Sprintf("%s (%s)", r, r.Label())
	}
	return strings.Join(parts, ", ")
}

// readAllRoles are the roles that see every complaint.
func readAllRoles() []org.Role {
	var out []org.Role
	for _, r := range org.Roles {
		if complaint.CanReadAll(complaint.Actor{Roles: []org.Role{r}}) {
			out = append(out, r)
		}
	}
	return out
}

// rolesDoc is the introduction's part on signing in and roles.
func rolesDoc() string {
	var b strings.Builder
	b.WriteString("Signing in: every operation but the health checks, this document, signing in (with a password, or through the company's " +
		"identity provider when one is configured) and the customers' callback and survey links " +
		"needs a token, sent as Authorization: Bearer <token>: a session token from POST /api/v1/auth/login (browsers may rely on the " +
		"cxflow_session cookie it also sets) or an API token for a machine client (POST /api/v1/api-tokens). Without a live token the " +
		"answer is 401. A signed-in user acts with the roles they hold; an operation their roles do not allow is refused with a 403 " +
		"whose error says who may. Each operation says who may call it; x-roles lists the roles that can be allowed where not every " +
		"signed-in user is. Every state-changing request, allowed or not, is recorded " +
		"in the audit trail (GET /api/v1/audit).\n\nRoles (角色):\n")
	for _, r := range org.Roles {
		duty, ok := roleDuties[r]
		if !ok {
			panic(fmt.Sprintf("openapi: role %s has no entry in roleDuties", r))
		}
		fmt.Fprintf(&b, "- %s (%s): %s.\n", r, r.Label(), duty)
	}
	fmt.Fprintf(&b, "\n%s see every complaint; others see only the complaints their department or branch is involved in (assigned to it, or concerning it). "+
		"Customers answer the callback (/public/callback/{token}) and surveys (/public/survey/{token}) through signed links without signing in. "+
		"%s see every improvement action; others see their own department's.", describeRoles(readAllRoles()), describeRoles(improvementReadAllRoles()))
	return b.String()
}

// access says who may call an operation beyond being signed in.
type access struct {
	// roles may call it; nil when every signed-in user may.
	roles []org.Role
	// action, when set, is the complaint.Authorize action the roles are for:
	// the complaint decides (its department, branch, status), the roles only
	// say who can ever be allowed. Otherwise holders of the roles may call the
	// operation whatever it acts on.
	action complaint.Action
	// act, when set, is the improvement.Authorize act the roles are for: the
	// improvement action decides, as the complaint does for action.
	act improvement.Act
	// who says it in words, when more than the roles' names.
	who string
	// refused says when the 403 comes, when more than lacking the roles.
	refused string
}

var (
	admins = []org.Role{org.RoleAdministrator}
)

var (
	marketAccess = access{roles: []org.Role{org.RoleMarketDepartment, org.RoleBranchHead},
		who: "the market department, or the head of the branch the complaint concerns"}
	departmentAccess = access{roles: []org.Role{org.RoleDepartmentMember, org.RoleDepartmentHead},
		who: "members and heads of the complaint's responsible department"}
)

// reportAccess: the report readers read the whole company's reports and any
// branch's; a branch head only their own branch's. The roles are the
// permission table's (app.OpComplaintAnalysis).
var reportAccess = access{
	who: describeRoles(reportReaders) + " for the whole company or any branch; " + describeRoles([]org.Role{org.RoleBranchHead}) +
		" for their own branch only (the report of their department, also when branch is left out)",
	refused: "Refused: the caller holds none of the roles " + strings.Join(names(app.Who(app.OpComplaintAnalysis)...), ", ") +
		", or is a branch head (without one of the other roles) asking for another branch's report; error says who may."}

var (
	// improvementReaders are the roles that may read some improvement action:
	// those that read every one, and the owner department's people.
	improvementReaders = []org.Role{org.RoleMarketDepartment, org.RoleBranchHead, org.RoleDepartmentMember, org.RoleDepartmentHead,
		org.RoleQualityDepartment, org.RoleGeneralManager, org.RoleInternalAuditor, org.RoleAdministrator}
	// ownerDepartmentRoles act on the plan and completion of their own department's actions.
	ownerDepartmentRoles = []org.Role{org.RoleBranchHead, org.RoleDepartmentMember, org.RoleDepartmentHead}
)

// improvementReadAllRoles are the roles that see every improvement action.
func improvementReadAllRoles() []org.Role {
	var out []org.Role
	for _, r := range org.Roles {
		if improvement.CanReadAll(complaint.Actor{Roles: []org.Role{r}}) {
			out = append(out, r)
		}
	}
	return out
}

// csvColumns are the columns POST /api/v1/customers/import reads, with the
// headers accepted for each, as survey.ParseCSV reads them; the tests check
// they agree.
var csvColumns = []struct {
	field    string
	headers  []string
	required bool
	doc      string
}{
	{"id", []string{"id", "customer_id", "客户编号"}, true, "the customer's number in the CRM, at most 64 characters, unique in the file"},
	{"name", []string{"name", "customer_name", "客户名称"}, true, "the customer's name"},
	{"tier", []string{"tier", "等级", "客户等级"}, false, "A, B or C (either case), or empty while not graded"},
	{"annual_volume", []string{"annual_volume", "年采购额"}, true, "last year's purchases in RMB, written 1200000, 1,200,000, ¥1200000, 120万 or 120万元 (0 for none)"},
	{"years", []string{"years", "years_as_customer", "合作年限"}, false, "consecutive years of business, a whole number, optionally followed by 年"},
	{"potential", []string{"potential", "有潜力"}, false, "yes or no"},
	{"representative", []string{"representative", "代表性项目"}, false, "yes or no"},
	{"segment", []string{"segment", "类别"}, false, "the line of business"},
	{"contact_name", []string{"contact_name", "联系人"}, false, "the contact's name"},
	{"contact_phone", []string{"contact_phone", "电话", "联系电话"}, false, "the contact's phone, at least 5 digits"},
	{"contact_email", []string{"contact_email", "邮箱", "email"}, false, "the contact's email"},
}

// csvImportDoc describes the file POST /api/v1/customers/import takes.
func csvImportDoc() string {
	var b strings.Builder
	b.WriteString("A CSV file in UTF-8 (with or without a byte-order mark, as Excel's \"CSV UTF-8\" saves it; GBK is not supported): a header row, then one customer per row with at most one contact. " +
		"Headers are matched ignoring case and surrounding spaces; an unknown or repeated column refuses the whole file (400). The columns, by English name, with the headers accepted:\n")
	for _, c := range csvColumns {
		req := ""
		if c.required {
			req = ", required"
		}
		fmt.Fprintf(&b, "- %s (%s%s): %s.\n", c.field, strings.Join(c.headers, ", "), req, c.doc)
	}
	b.WriteString("Yes-or-no cells take true/false, 1/0, 是/否, Y/N or yes/no, empty meaning no. A contact, when given, needs a phone or an email. " +
		"Rows of empty cells are skipped. Every bad row is reported with its line and field and left out whole, and an id given on two rows is left out on both; the good rows are saved.")
	return b.String()
}

// definitionPatch is the survey programme PUT /api/v1/survey-programmes/{id}
// takes: decoded over the stored one; only the version read is required.
var definitionPatch = requestBody{name: "SurveyDefinitionPatch", required: []string{"version"},
	doc: "A survey programme's changes, as PUT /api/v1/survey-programmes/{id} takes them. Fields left out keep their stored values; nested objects merge field by field. " + listMergeDoc + " " +
		"version is required: the version you read, so a programme changed since is not overwritten (409). id is the path's: a value sent is ignored."}
