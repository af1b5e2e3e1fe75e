package server

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/org"
)

// An endpoint is one operation of the API: the route Handler registers and
// the operation the OpenAPI document describes, from the same entry, so the
// two cannot disagree. Each area lists its endpoints next to its handlers.
type endpoint struct {
	method string // http.MethodGet, …
	// path is the OpenAPI form, /api/v1/complaints/{id}; the route takes :id.
	path string
	// op names the operation in the permission table: when the table has a
	// rule for it, the rule guards the route (s.may) and its roles are the
	// operation's x-roles. It is also the operationId unless id is set.
	op     app.Op
	id     string
	handle func(*Server) gin.HandlerFunc
	auth   authKind
	limit  limitKind
	// page: a customer's link, answered by the console's page for browsers
	// (consoleFirst) before the API answers it.
	page bool

	tag, summary, description string
	params                    []param // path parameters are documented on the path
	body                      *body
	responses                 []reply
	// access says who may call it where the permission table has no rule, or
	// says more than the rule's roles (who, refused).
	access *access
}

// authKind is what a request needs before the endpoint's own checks.
type authKind int

const (
	signInNeeded authKind = iota // the /api/v1 group: a session or API token
	open                         // anyone: health, this document, sign-in, customers' links
	codecAuth                    // the codec: signed in with a decoding role, CORS for the Web UI
	preflight                    // the codec's CORS preflight: no sign-in
)

// limitKind is the rate limit an open endpoint takes per client address.
type limitKind int

const (
	noLimit limitKind = iota
	loginLimit
	publicLimit
)

// decodingRoles may decode workflow payloads through the codec.
var decodingRoles = []org.Role{org.RoleAdministrator, org.RoleInternalAuditor, org.RoleMarketDepartment, org.RoleQualityDepartment, org.RoleGeneralManager}

// endpoints is every operation of the API, area by area.
func endpoints() []endpoint {
	var all []endpoint
	for _, area := range [][]endpoint{
		healthEndpoints(),
		identityEndpoints(),
		publicCallbackEndpoints(),
		complaintEndpoints(),
		improvementEndpoints(),
		calendarEndpoints(),
		policyEndpoints(),
		organisationEndpoints(),
		surveyEndpoints(),
		publicSurveyEndpoints(),
		outboxEndpoints(),
		webhookEndpoints(),
		robotEndpoints(),
		mailTestEndpoints(),
		auditEndpoints(),
		reportEndpoints(),
		assessmentEndpoints(),
		satisfactionEndpoints(),
		evidenceEndpoints(),
		codecEndpoints(),
	} {
		all = append(all, area...)
	}
	return all
}

// operationID is the endpoint's operationId.
func (e endpoint) operationID() string {
	if e.id != "" {
		return e.id
	}
	return string(e.op)
}

// ruled reports whether the permission table has a rule for the endpoint.
func (e endpoint) ruled() bool { return e.op != "" && app.Who(e.op) != nil }

// route is the endpoint's path as gin takes it: {id} becomes :id.
func (e endpoint) route() string {
	return strings.NewReplacer("{", ":", "}", "").Replace(e.path)
}

// method adapts a handler method to the endpoint table.
func method(h func(*Server, *gin.Context)) func(*Server) gin.HandlerFunc {
	return func(s *Server) gin.HandlerFunc { return func(c *gin.Context) { h(s, c) } }
}

// register adds the endpoints' routes, each with the middleware its kind needs.
func (s *Server) register(r *gin.Engine, cs *console.Console) {
	api := r.Group("/api/v1", s.authenticate())
	var codec *gin.RouterGroup
	if s.security.Codec != nil {
		codec = r.Group("/api/v1/codec", s.codecCORS(), s.authenticate(),
			requireRole("decoding workflow payloads", decodingRoles...))
	}
	for _, e := range endpoints() {
		var chain []gin.HandlerFunc
		switch e.limit {
		case loginLimit:
			chain = append(chain, s.loginLimit.middleware())
		case publicLimit:
			chain = append(chain, s.publicLimit.middleware())
		}
		if e.page {
			chain = append(chain, s.consoleFirst(cs))
		}
		if e.ruled() {
			chain = append(chain, s.may(e.op))
		}
		if e.handle != nil {
			chain = append(chain, e.handle(s))
		}
		switch e.auth {
		case open:
			r.Handle(e.method, e.route(), chain...)
		case signInNeeded:
			api.Handle(e.method, strings.TrimPrefix(e.route(), "/api/v1"), chain...)
		case codecAuth:
			if codec != nil {
				codec.Handle(e.method, strings.TrimPrefix(e.route(), "/api/v1/codec"), chain...)
			}
		case preflight:
			if codec != nil {
				r.Handle(e.method, e.route(), append([]gin.HandlerFunc{s.codecCORS()}, chain...)...)
			}
		}
	}
}

// A param is an operation's parameter; its schema is resolved when the
// document is built, since it may be a component.
type param struct {
	in, name, description string
	required              bool
	schema                schemaSpec
}

func pathParam(name, description string, s schemaSpec) param {
	return param{in: openapi3.ParameterInPath, name: name, description: description, required: true, schema: s}
}

func query(name, description string, s schemaSpec) param {
	return param{in: openapi3.ParameterInQuery, name: name, description: description, schema: s}
}

func requiredQuery(name, description string, s schemaSpec) param {
	p := query(name, description, s)
	p.required = true
	return p
}

func header(name, description string, s schemaSpec) param {
	return param{in: openapi3.ParameterInHeader, name: name, description: description, schema: s}
}

// A schemaSpec gives a schema when the document is built: a Go type's, a
// component's, or one written by hand.
type schemaSpec func(g *schemaGen) *openapi3.SchemaRef

// typeOf is the schema of T in a response (or a parameter).
func typeOf[T any]() schemaSpec { return reflectedAs(reflect.TypeFor[T]()) }

func reflectedAs(t reflect.Type) schemaSpec {
	return func(g *schemaGen) *openapi3.SchemaRef { return g.schema(t) }
}

// bodyOf is the schema of T as a request body (its request variant, if any).
func bodyOf[T any]() schemaSpec { return bodyAs(reflect.TypeFor[T]()) }

func bodyAs(t reflect.Type) schemaSpec {
	return func(g *schemaGen) *openapi3.SchemaRef { return g.body(t) }
}

// fixed is a schema written by hand.
func fixed(s *openapi3.Schema) schemaSpec {
	return func(*schemaGen) *openapi3.SchemaRef { return inline(s) }
}

// enumNamed is one of extraEnums' components.
func enumNamed(name string) schemaSpec {
	return func(g *schemaGen) *openapi3.SchemaRef { return g.extraEnum(name) }
}

// A body is an operation's request body.
type body struct {
	schema      schemaSpec
	optional    bool
	mediaType   string // application/json unless set
	description string
	example     any
}

func jsonBody(s schemaSpec) *body     { return &body{schema: s} }
func optionalBody(s schemaSpec) *body { return &body{schema: s, optional: true} }

// A reply is one documented response: a shared one (BadRequest, …) or its own.
type reply struct {
	status      int
	shared      string
	description string
	content     []media
	headers     openapi3.Headers
}

// A media is one content type of a reply.
type media struct {
	mediaType string
	schema    schemaSpec
}

// sharedReply is one of the components' responses.
func sharedReply(status int, name string) reply { return reply{status: status, shared: name} }

// Shared responses, by status.
var (
	badRequest      = sharedReply(http.StatusBadRequest, "BadRequest")
	notFound        = sharedReply(http.StatusNotFound, "NotFound")
	conflict        = sharedReply(http.StatusConflict, "Conflict")
	tooLarge        = sharedReply(http.StatusRequestEntityTooLarge, "PayloadTooLarge")
	tooMany         = sharedReply(http.StatusTooManyRequests, "TooManyRequests")
	internalError   = sharedReply(http.StatusInternalServerError, "InternalError")
	unavailable     = sharedReply(http.StatusServiceUnavailable, "Unavailable")
	errorBodySchema = typeOf[Error]()
)

// answers is a JSON response of the schema.
func answers(status int, description string, s schemaSpec) reply {
	return reply{status: status, description: description, content: []media{{"application/json", s}}}
}

// fails is an error response with its own description.
func fails(status int, description string) reply {
	return answers(status, description, errorBodySchema)
}

// noContent is a response without a body.
func noContent(status int, description string) reply {
	return reply{status: status, description: description}
}

// withHeaders returns the reply with headers.
func (r reply) withHeaders(h openapi3.Headers) reply {
	r.headers = h
	return r
}

// headerDoc documents a response header of a string.
func headerDoc(description string) *openapi3.HeaderRef { return headerOf(description, stringSchema()) }

func headerOf(description string, s *openapi3.Schema) *openapi3.HeaderRef {
	return &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{Description: description, Schema: inline(s)}}}
}
