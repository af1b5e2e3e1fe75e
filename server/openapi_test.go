package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
	"github.com/cxflow/cxflow/workflows"
)

var openAPIt0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func openAPIPtr[T any](v T) *T { return &v }

// loadOpenAPI parses the served document and checks it is valid OpenAPI.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDocument())
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	return doc
}

func componentSchema(t *testing.T, doc *openapi3.T, name string) *openapi3.Schema {
	t.Helper()
	ref, ok := doc.Components.Schemas[name]
	if !ok || ref.Value == nil {
		t.Fatalf("no component schema %s", name)
	}
	return ref.Value
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc.OpenAPI != openAPIVersion || doc.Info.Title != "cxflow API" || doc.Info.Version != "v1" {
		t.Errorf("openapi %q, info %q %q", doc.OpenAPI, doc.Info.Title, doc.Info.Version)
	}
}

func TestOpenAPIServed(t *testing.T) {
	h := (&Server{log: slog.New(slog.DiscardHandler)}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.Equal(rec.Body.Bytes(), openAPIDocument()) {
		t.Error("served body differs from the built document")
	}
}

// Every registered route is documented and every documented operation is routed.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	// With a codec configured, so that its routes are registered too.
	engine := (&Server{log: slog.New(slog.DiscardHandler)}).WithSecurity(Security{Codec: http.NotFoundHandler()}).Handler().(*gin.Engine)
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	// The console's pages are routes too, but no part of the API (except at
	// the customers' links, which both answer).
	pages := map[string]bool{}
	for _, p := range console.New(consoleSessions{}, nil, nil).Pages() {
		pages[p.Method+" "+p.Path] = true
		if p.Method == http.MethodGet {
			pages[http.MethodHead+" "+p.Path] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range engine.Routes() {
		k := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		if pages[r.Method+" "+r.Path] && !documented[k] {
			continue
		}
		routed[k] = true
	}
	for k := range routed {
		if !documented[k] {
			t.Errorf("route %s is not in the OpenAPI document", k)
		}
	}
	if len(routed) != len(endpoints()) {
		t.Errorf("%d routes for %d endpoints of the table", len(routed), len(endpoints()))
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("documented operation %s has no route", k)
		}
	}
	// health, complaints, steps, controls, policy, calendars, policies; sign-in and
	// customers' links, the signed-in user, callback links, departments, users,
	// API tokens, audit, codec; customers, programmes, schedules, cycles,
	// answers, survey links, deliveries; improvement actions and their steps;
	// the outbox; the complaint analysis report.
	if len(routed) < 3+3+len(complaintSteps)+len(complaintControls)+1+6+3+5+2+1+2+4+3+1+3+
		2+4+4+5+1+2+1+3+len(improvementSteps)+2+1 {
		t.Errorf("only %d routes found", len(routed))
	}
}

// validRequests holds a fully valid example of every request body type, with
// every field set (the conditional fields too), the conditions' booleans true.
func validRequests() map[reflect.Type]any {
	examples := []any{
		complaint.Intake{
			Customer:         complaint.Customer{Name: "王伟", Organisation: "华东电气", Contact: "138 0000 0000", Email: "wang.wei@example.com", Mobile: "13800000000"},
			Channel:          complaint.ChannelPhone,
			Category:         complaint.CategoryServiceProduct,
			Subject:          "变频器返修后仍故障",
			Description:      "第二次返修后一周内再次停机。",
			Request:          "更换新机",
			EstimatedLoss:    openAPIPtr(12000.0),
			Branch:           "苏州分公司",
			ComplainantClass: complaint.ClassB,
			ReceivedAt:       openAPIPtr(openAPIt0),
		},
		complaint.ValidationInput{Founded: openAPIPtr(true), Reason: "质量问题属实", Reply: "已致电客户说明处理安排"},
		complaint.AssignmentInput{Department: "engineering", Handler: "李娜"},
		complaint.RootCauseInput{Cause: "返修未更换老化电容", CauseType: complaint.CauseMechanism, ResponsiblePerson: "张强", CorrectiveAction: "更换整机", PreventiveAction: "返修检验增加电容检测"},
		complaint.PlanInput{Plan: "上门更换新机并补偿停机损失", DueAt: openAPIPtr(openAPIt0.Add(72 * time.Hour))},
		complaint.ApprovalInput{Approved: openAPIPtr(true), Comment: "同意", Level: complaint.LevelDepartmentHead},
		complaint.ExecutionInput{Result: "已更换新机", CustomerNotified: openAPIPtr(true)},
		complaint.CallbackInput{Satisfied: openAPIPtr(true), Comment: "客户满意"},
		complaint.ReviewInput{Summary: "返修流程缺少关键件检测", CauseType: complaint.CauseMechanism, Lessons: "关键件必检"},
		complaint.PauseInput{Reason: "等待客户提供故障录像", WaitingOn: complaint.WaitingOnCustomer},
		complaint.ResumeInput{Comment: "客户已提供录像"},
		complaint.ExtensionInput{DueAt: openAPIPtr(openAPIt0.Add(48 * time.Hour)), Reason: "备件需从厂家调货，部门经理已批准延期"},

		improvement.PlanInput{Plan: "交货期改为按周滚动排产，每周一通报", DueAt: openAPIPtr(openAPIt0.Add(14 * 24 * time.Hour))},
		improvement.CompletionInput{Result: "已实施周滚动排产，三月交付准时率 96%"},
		improvement.VerificationInput{Effective: openAPIPtr(true), Comment: "回访客户确认交期改善"},
	}
	m := map[reflect.Type]any{}
	for _, e := range examples {
		m[reflect.TypeOf(e)] = e
	}
	return m
}

func validateRequest(v any) error {
	switch in := v.(type) {
	case complaint.Intake:
		return in.Validate(openAPIt0.Add(time.Hour))
	case improvement.OpenInput:
		return in.Validate(openAPIt0.Add(time.Hour))
	}
	return v.(stepInput).Validate()
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// requiredByBehaviour zeroes, one at a time, each field of the struct at index
// path `at` in the valid example and lists the fields whose absence makes
// Validate fail with a FieldError naming that field. It also probes nested
// structs, reporting their required fields in nested.
func requiredByBehaviour(t *testing.T, valid any, at []int, prefix string, nested map[reflect.Type][]string) []string {
	t.Helper()
	root := reflect.ValueOf(valid)
	st := root.FieldByIndex(at)
	var req []string
	for i := 0; i < st.NumField(); i++ {
		f := st.Type().Field(i)
		if !f.IsExported() || f.Tag.Get("json") == "-" {
			continue
		}
		name := prefix + jsonName(f)
		idx := slices.Concat(at, []int{i})
		if st.Field(i).IsZero() {
			t.Errorf("%v example leaves %s zero; set every field", root.Type(), name)
			continue
		}
		c := reflect.New(root.Type()).Elem()
		c.Set(root)
		c.FieldByIndex(idx).SetZero()
		err := validateRequest(c.Interface())
		var fe *complaint.FieldError
		switch {
		case err == nil:
		case errors.As(err, &fe) && (fe.Field == name || strings.HasPrefix(fe.Field, name+".")):
			req = append(req, jsonName(f))
		default:
			t.Errorf("%v without %s: unexpected error %v", root.Type(), name, err)
		}
		if ft := f.Type; ft.Kind() == reflect.Struct && ft != timeType {
			nested[ft] = requiredByBehaviour(t, valid, idx, name+".", nested)
		}
	}
	return req
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// The documented required fields of every request body are exactly those its
// Validate method requires, and the documented conditions hold.
func TestOpenAPIRequestRequiredMatchesValidate(t *testing.T) {
	doc := loadOpenAPI(t)
	checked := map[reflect.Type]bool{}
	check := func(typ reflect.Type, got []string, what string) {
		t.Helper()
		checked[typ] = true
		want := componentSchema(t, doc, componentName(typ)).Required
		if !sameSet(got, want) {
			t.Errorf("%v%s: Validate requires %v, the document says %v", typ, what, got, want)
		}
	}
	for typ, valid := range validRequests() {
		if err := validateRequest(valid); err != nil {
			t.Fatalf("%v example is invalid: %v", typ, err)
		}
		nested := map[reflect.Type][]string{}
		check(typ, requiredByBehaviour(t, valid, nil, "", nested), "")
		for nt, req := range nested {
			check(nt, req, " (in "+typ.Name()+")")
		}

		c, ok := requestConditional[typ]
		if !ok {
			continue
		}
		// With the condition's boolean false, the conditional fields are required too.
		v := reflect.New(typ).Elem()
		v.Set(reflect.ValueOf(valid))
		found := false
		for i := 0; i < typ.NumField(); i++ {
			if jsonName(typ.Field(i)) == c.when {
				v.Field(i).Set(reflect.ValueOf(openAPIPtr(false)))
				found = true
			}
		}
		if !found {
			t.Fatalf("%v has no field %s", typ, c.when)
		}
		got := requiredByBehaviour(t, v.Interface(), nil, "", map[reflect.Type][]string{})
		want := slices.Concat(requestRequired[typ], c.fields)
		if !sameSet(got, want) {
			t.Errorf("%v with %s=false: Validate requires %v, the document says %v", typ, c.when, got, want)
		}
		desc := componentSchema(t, doc, componentName(typ)).Description
		for _, f := range c.fields {
			if !strings.Contains(desc, f) {
				t.Errorf("%v description does not mention conditionally required %s: %q", typ, f, desc)
			}
		}
	}
	// An improvement action's source requires more by its kind; the rest of
	// the opening input requires the same whatever the kind.
	openInput, source := reflect.TypeFor[improvement.OpenInput](), reflect.TypeFor[improvement.Source]()
	sourceDoc := componentSchema(t, doc, componentName(source)).Description
	for _, ex := range openExamples() {
		if err := validateRequest(ex.input); err != nil {
			t.Fatalf("the %s example is invalid: %v", ex.input.Source.Kind, err)
		}
		check(openInput, requiredWhenZero(t, ex.input, nil, ""), " (source kind "+string(ex.input.Source.Kind)+")")
		sf, _ := openInput.FieldByName("Source")
		got := requiredWhenZero(t, ex.input, sf.Index, "source.")
		if want := append([]string{"kind"}, ex.needs...); !sameSet(got, want) {
			t.Errorf("source kind %s: Validate requires %v, the document says %v", ex.input.Source.Kind, got, want)
		}
		if !strings.Contains(sourceDoc, ex.doc) {
			t.Errorf("ImprovementSource description does not say %q: %s", ex.doc, sourceDoc)
		}
		// The fields another kind needs are refused.
		for _, other := range openExamples() {
			for _, f := range other.needs {
				if slices.Contains(ex.needs, f) {
					continue
				}
				in := ex.input
				v := reflect.ValueOf(&in.Source).Elem()
				for i := range v.NumField() {
					if jsonName(v.Type().Field(i)) == f {
						v.Field(i).Set(reflect.ValueOf(other.input.Source).Field(i))
					}
				}
				var fe *complaint.FieldError
				if err := validateRequest(in); !errors.As(err, &fe) || fe.Field != "source."+f {
					t.Errorf("source kind %s with %s: %v, want a 400 naming source.%s", ex.input.Source.Kind, f, err, f)
				}
			}
		}
	}
	checked[source] = true

	for typ := range requestRequired {
		if !checked[typ] {
			t.Errorf("requestRequired lists %v, but no example checks it", typ)
		}
	}
	// A request type shown in responses too must follow the response rule as well.
	g := newSchemaGen()
	for _, root := range responseRoots {
		for _, typ := range reachableStructs(root) {
			if r, ok := requestRequired[typ]; ok && !sameSet(r, g.responseRequired(typ)) {
				t.Errorf("%v is both a request and a response type, but its required fields differ: %v vs %v", typ, r, g.responseRequired(typ))
			}
		}
	}
}

// responseRoots are the types response bodies are made of.
var responseRoots = []reflect.Type{
	reflect.TypeFor[complaint.Complaint](), reflect.TypeFor[ComplaintList](),
	reflect.TypeFor[CalendarList](), reflect.TypeFor[calendar.Calendar](),
	reflect.TypeFor[PolicyList](), reflect.TypeFor[store.StoredPolicy](), reflect.TypeFor[complaint.Policy](),
	reflect.TypeFor[ImprovementList](), reflect.TypeFor[CycleList](), reflect.TypeFor[ProgrammeList](), reflect.TypeFor[PublicSurvey](),
}

func reachableStructs(t reflect.Type) []reflect.Type {
	var out []reflect.Type
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == timeType || slices.Contains(out, t) {
			return
		}
		out = append(out, t)
		for i := 0; i < t.NumField(); i++ {
			walk(t.Field(i).Type)
		}
	}
	walk(t)
	return out
}

// The valid examples validate against their schemas; an unknown field does not.
func TestOpenAPIRequestExamplesMatchSchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	examples := validRequests()
	for _, ex := range openExamples() {
		examples[reflect.TypeOf(ex.input)] = ex.input // one kind is enough here
	}
	for typ, valid := range examples {
		s := componentSchema(t, doc, componentName(typ))
		v := toJSONValue(t, valid)
		if err := s.VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("%v example does not match its schema: %v", typ, err)
		}
		v.(map[string]any)["unknown_field"] = "x"
		if err := s.VisitJSON(v); err == nil {
			t.Errorf("%v schema accepts an unknown field", typ)
		}
	}
}

// captureClient records the Update and input type a handler sends to the
// workflow, and answers as a workflow that accepted it; it also records the
// workflows handlers start, and keeps schedules in memory.
type captureClient struct {
	client.Client
	update string
	input  reflect.Type
	// started is the ID of the workflow a handler started.
	started   string
	schedules *fakeSchedules
}

// CheckHealth answers the readiness check.
func (c *captureClient) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, nil
}

func (c *captureClient) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	c.update = o.UpdateName
	c.input = reflect.TypeOf(o.Args[0]).Field(1).Type // complaint.Submission[T].Input
	return acceptedUpdate{o}, nil
}

// QueryWorkflow answers the read model's check after a step as if the
// workflow had ended long ago: the stored row stands.
func (c *captureClient) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	return nil, serviceerror.NewNotFound("workflow not found")
}

// acceptedUpdate is the handle of an Update the workflow completed. The
// workflow writes the complaint to the read model before it completes, so the
// handler then reads back what the store holds.
type acceptedUpdate struct{ o client.UpdateWorkflowOptions }

func (u acceptedUpdate) WorkflowID() string { return u.o.WorkflowID }
func (u acceptedUpdate) RunID() string      { return "" }
func (u acceptedUpdate) UpdateID() string   { return u.o.UpdateID }

// Get reports success; the handlers under test ignore the receipt's contents.
func (u acceptedUpdate) Get(context.Context, any) error { return nil }

// checkUpdated checks a step or control request was answered, once the
// workflow accepted it, with the stored complaint, as the Complaint schema says.
func checkUpdated(t *testing.T, doc *openapi3.T, what string, rec *httptest.ResponseRecorder, want complaint.Complaint) {
	t.Helper()
	var got complaint.Complaint
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil || got.ID != want.ID || got.Number != want.Number {
		t.Errorf("%s: status %d, want 200 with complaint %s: %s", what, rec.Code, want.Number, rec.Body)
		return
	}
	var v any
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	if err := componentSchema(t, doc, "Complaint").VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
		t.Errorf("%s: the answer does not match the Complaint schema: %v", what, err)
	}
}

// Each step route's documented body is the type its handler decodes: the
// documented example passes the handler's strict decoding and validation, and
// reaches the workflow as that type; the handler then answers with the stored
// complaint. The handler runs signed in with every role; the assignment's
// department is stored.
func TestOpenAPIStepBodiesMatchHandlers(t *testing.T) {
	doc := loadOpenAPI(t)
	examples := validRequests()
	cm := storeComplaint(t, freshComplaint())
	for _, st := range complaintSteps {
		path := "/api/v1/complaints/{id}/" + st.path
		item := doc.Paths.Find(path)
		if item == nil || item.Post == nil {
			t.Errorf("%s is not documented", path)
			continue
		}
		typ := reflect.TypeOf(st.input)
		if ref := item.Post.RequestBody.Value.Content.Get("application/json").Schema.Ref; ref != "#/components/schemas/"+typ.Name() {
			t.Errorf("%s body is %s, want %v", path, ref, typ)
		}
		cc := &captureClient{}
		h := signedIn(allRoles(), http.MethodPost, "/api/v1/complaints/:id/"+st.path, st.handle(testServer(t, cc)))
		rec := serve(h, http.MethodPost, "/api/v1/complaints/"+cm.ID+"/"+st.path, examples[typ])
		if cc.input != typ || cc.update != string(st.step) {
			t.Errorf("POST %s: the handler sent %v (status %d: %s), the document says %v", path, cc.input, rec.Code, rec.Body, typ)
			continue
		}
		checkUpdated(t, doc, "POST "+path, rec, cm)
	}
}

// Each control route documents the body its handler decodes, and the handler
// sends it to the workflow as that type and answers with the stored complaint.
func TestOpenAPIControlBodiesMatchHandlers(t *testing.T) {
	doc := loadOpenAPI(t)
	examples := validRequests()
	cm := storeComplaint(t, freshComplaint())
	for _, ct := range complaintControls {
		path := "/api/v1/complaints/{id}/" + ct.path
		item := doc.Paths.Find(path)
		if item == nil || item.Post == nil {
			t.Errorf("%s is not documented", path)
			continue
		}
		typ := reflect.TypeOf(ct.input)
		if ref := item.Post.RequestBody.Value.Content.Get("application/json").Schema.Ref; ref != "#/components/schemas/"+typ.Name() {
			t.Errorf("%s body is %s, want %v", path, ref, typ)
		}
		if item.Post.Responses.Status(http.StatusConflict) == nil || item.Post.Responses.Status(http.StatusOK) == nil {
			t.Errorf("%s documents no 200 or 409", path)
		}
		cc := &captureClient{}
		h := signedIn(allRoles(), http.MethodPost, "/api/v1/complaints/:id/"+ct.path, ct.handle(testServer(t, cc)))
		rec := serve(h, http.MethodPost, "/api/v1/complaints/"+cm.ID+"/"+ct.path, examples[typ])
		if cc.input != typ || cc.update != ct.update {
			t.Errorf("POST %s: the handler sent %s with %v (status %d: %s), the document says %v", path, cc.update, cc.input, rec.Code, rec.Body, typ)
			continue
		}
		checkUpdated(t, doc, "POST "+path, rec, cm)
	}
}

// strictDecode decodes a request body as bindJSON does.
func strictDecode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// defaultedBodies are the request bodies whose handlers fill in what they
// leave out; accept does what the handler does before storing the body: decode
// it over its defaults, fill in the path's values and validate.
var defaultedBodies = []struct {
	schema  string
	example any
	accept  func(body []byte) error
}{
	{"CalendarInput", calendar.Default(), func(body []byte) error {
		var in calendar.Calendar
		if err := strictDecode(body, &in); err != nil {
			return err
		}
		if in.Name == "" {
			in.Name = calendar.DefaultName // the path's
		}
		return in.Validate()
	}},
	{"YearInput", calendar.Default().Years[0], func(body []byte) error {
		var in calendar.Year
		if err := strictDecode(body, &in); err != nil {
			return err
		}
		if in.Year == 0 {
			in.Year = calendar.Default().Years[0].Year // the path's
		}
		return in.Validate()
	}},
	{"PolicyInput", func() complaint.Policy { p := complaint.DefaultPolicy(); p.Version = "2026-q2"; return p }(), func(body []byte) error {
		p := complaint.DefaultPolicy()
		p.Version = ""
		if err := strictDecode(body, &p); err != nil {
			return err
		}
		if p.Version == "" {
			return errors.New("version is required")
		}
		return p.Validate()
	}},
	{"PolicyMigration", PolicyMigration{Version: "default-2"}, func(body []byte) error {
		var in PolicyMigration
		if err := strictDecode(body, &in); err != nil {
			return err
		}
		if in.Version == "" {
			return errors.New("version is required")
		}
		return nil
	}},
}

// The documented required fields of a body with defaults are exactly those
// whose absence the handler rejects; the full example matches its schema.
func TestOpenAPIDefaultedBodies(t *testing.T) {
	doc := loadOpenAPI(t)
	for _, b := range defaultedBodies {
		s := componentSchema(t, doc, b.schema)
		full := toJSONValue(t, b.example).(map[string]any)
		if err := s.VisitJSON(full, openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("%s example does not match its schema: %v", b.schema, err)
		}
		body, _ := json.Marshal(full)
		if err := b.accept(body); err != nil {
			t.Fatalf("%s example is rejected: %v", b.schema, err)
		}
		var got []string
		for name := range full {
			without := maps.Clone(full)
			delete(without, name)
			body, _ := json.Marshal(without)
			if b.accept(body) != nil {
				got = append(got, name)
			}
		}
		if !sameSet(got, s.Required) {
			t.Errorf("%s: the handler requires %v, the document says %v", b.schema, got, s.Required)
		}
		full["unknown_field"] = "x"
		if err := s.VisitJSON(full); err == nil {
			t.Errorf("%s schema accepts an unknown field", b.schema)
		}
	}
	// Nested fields merge into the defaults: a policy may change one step limit
	// or one approval setting alone.
	partial := map[string]any{"version": "v", "step_limits": map[string]any{"plan": "12h"}, "approval": map[string]any{"general_manager_from": "serious"}}
	if err := componentSchema(t, doc, "PolicyInput").VisitJSON(partial); err != nil {
		t.Errorf("PolicyInput rejects a partial policy: %v", err)
	}
	body, _ := json.Marshal(partial)
	if err := defaultedBodies[2].accept(body); err != nil {
		t.Errorf("a partial policy is rejected: %v", err)
	}
}

func toJSONValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func sampleComplaint() complaint.Complaint {
	at := openAPIt0
	by := complaint.Actor{ID: "u-1", Name: "李娜", Role: "department_member", Roles: []org.Role{org.RoleDepartmentMember, org.RoleDepartmentHead}, Department: "售后服务部"}
	due := at.Add(8 * time.Hour)
	closed := at.Add(200 * time.Hour)
	return complaint.Complaint{
		ID: "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00", Number: "TS-2026-000001",
		Status: complaint.StepClosed, StatusLabel: complaint.StepClosed.Label(), Resolution: complaint.ResolutionResolved,
		Customer: complaint.Customer{Name: "王伟", Organisation: "华东电气", Contact: "138 0000 0000"},
		Channel:  complaint.ChannelPhone, Category: complaint.CategoryServiceProduct,
		Subject: "变频器返修后仍故障", Description: "第二次返修后一周内再次停机。", Request: "更换新机",
		EstimatedLoss: 120000, Severity: complaint.SeveritySerious, SeverityLabel: complaint.SeveritySerious.Label(),
		Branch: "苏州分公司", ComplainantClass: complaint.ClassA,
		ReceivedAt: at, CreatedAt: at.Add(time.Minute), ClosedAt: &closed,
		Department: "售后服务部", Handler: "李娜",
		Validation:        &complaint.ValidationRecord{Founded: true, Reason: "属实", Reply: "已答复", By: by, At: at},
		Assignment:        &complaint.AssignmentRecord{Department: "售后服务部", Handler: "李娜", By: by, At: at},
		RootCause:         &complaint.RootCauseRecord{Cause: "电容老化", CauseType: complaint.CauseChance, ResponsiblePerson: "张强", CorrectiveAction: "换机", PreventiveAction: "检测", By: by, At: at},
		Plan:              &complaint.PlanRecord{Plan: "换机", DueAt: &due, Round: 2, By: by, At: at},
		Execution:         &complaint.ExecutionRecord{Result: "已换机", CustomerNotified: true, By: by, At: at},
		Callback:          &complaint.CallbackRecord{Satisfied: true, Comment: "满意", By: by, At: at},
		Review:            &complaint.ReviewRecord{Summary: "总结", CauseType: complaint.CauseMechanism, Lessons: "教训", By: by, At: at},
		ApprovalsRequired: []complaint.Level{complaint.LevelDepartmentHead, complaint.LevelMarketDepartment},
		Approvals: []complaint.ApprovalRecord{
			{Level: complaint.LevelDepartmentHead, Approved: false, Comment: "补偿不足", Round: 1, By: by, At: at},
			{Level: complaint.LevelDepartmentHead, Approved: true, Round: 2, By: by, At: at},
		},
		ReopenCount: 1, DueAt: &due, Overdue: true, EscalationLevel: complaint.LevelMarketDepartment,
		Deadlines: []complaint.Deadline{
			{Step: complaint.StepValidation, StartedAt: at, DueAt: due, CompletedAt: &due},
			{Step: complaint.StepReview, StartedAt: at, DueAt: due},
		},
		Escalations: []complaint.Escalation{{Seq: 1, Step: complaint.StepValidation, Level: complaint.LevelDepartmentHead, At: due, DueAt: due, Reason: complaint.ReasonOverdue}},
		Timeline: []complaint.Event{
			{Seq: 1, At: at, Step: complaint.StepRecord, Action: complaint.ActionRecorded, Actor: complaint.SystemActor, Detail: json.RawMessage(`{"subject":"变频器返修后仍故障"}`)},
			{Seq: 2, At: closed, Step: complaint.StepClosed, Action: complaint.ActionClosed, Actor: by},
		},
		PolicyVersion: "default-1", Version: 12,
	}
}

// A new complaint as the workflow first writes it: no records, optional fields absent.
func freshComplaint() complaint.Complaint {
	due := openAPIt0.Add(8 * time.Hour)
	return complaint.Complaint{
		ID: "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00", Number: "TS-2026-000002",
		Status: complaint.StepValidation, StatusLabel: complaint.StepValidation.Label(),
		Customer: complaint.Customer{Name: "王伟", Contact: "138 0000 0000"},
		Channel:  complaint.ChannelWeb, Category: complaint.CategoryContract,
		Subject: "s", Description: "d", Severity: complaint.SeverityNone, SeverityLabel: complaint.SeverityNone.Label(),
		ComplainantClass: complaint.ClassC, ReceivedAt: openAPIt0, CreatedAt: openAPIt0,
		ApprovalsRequired: []complaint.Level{complaint.LevelDepartmentHead},
		Approvals:         []complaint.ApprovalRecord{}, DueAt: &due, EscalationLevel: complaint.LevelOwner,
		Deadlines:   []complaint.Deadline{{Step: complaint.StepValidation, StartedAt: openAPIt0, DueAt: due}},
		Escalations: []complaint.Escalation{}, PolicyVersion: "default-1", Version: 1,
	}
}

// A complaint whose current step is paused while waiting on the customer.
func pausedComplaint() complaint.Complaint {
	c := freshComplaint()
	started := openAPIt0.Add(-2 * time.Hour)
	due := openAPIt0.Add(6 * time.Hour)
	warn := openAPIt0.Add(4 * time.Hour)
	done := openAPIt0.Add(-2 * time.Hour)
	by := complaint.Actor{ID: "u-1", Name: "李娜", Role: "handler", Department: "售后服务部"}
	c.Status, c.StatusLabel = complaint.StepRootCause, complaint.StepRootCause.Label()
	c.Department, c.Handler = "售后服务部", "李娜"
	c.DueAt, c.SLAStatus, c.Calendar = &due, complaint.SLAAtRisk, calendar.DefaultName
	c.Paused = &complaint.Pause{Reason: "等待客户提供故障录像", WaitingOn: complaint.WaitingOnCustomer, Since: openAPIt0, By: by}
	c.Deadlines = []complaint.Deadline{
		{Step: complaint.StepValidation, StartedAt: openAPIt0.Add(-10 * time.Hour), DueAt: openAPIt0.Add(-3 * time.Hour), CompletedAt: &done,
			Clock: complaint.ClockWorking, TargetSeconds: 8 * 3600, UsedSeconds: 5 * 3600},
		{Step: complaint.StepRootCause, StartedAt: started, DueAt: due, Clock: complaint.ClockWorking, TargetSeconds: 15 * 3600,
			WarnAt: &warn, UsedSeconds: 12 * 3600, PausedSeconds: 1800, Paused: true, SLAStatus: complaint.SLAAtRisk, Extended: true},
	}
	c.Escalations = []complaint.Escalation{{Seq: 1, Step: complaint.StepValidation, Level: complaint.LevelDepartmentHead, At: done, DueAt: done,
		Reason: complaint.ReasonOverdue, Notify: []string{"售后服务部经理", "质量部"}}}
	c.Version = 7
	return c
}

// A running step whose clock counts.
func countingComplaint() complaint.Complaint {
	c := freshComplaint()
	since := openAPIt0
	c.Deadlines[0].Clock, c.Deadlines[0].TargetSeconds, c.Deadlines[0].CountingSince = complaint.ClockWorking, 8*3600, &since
	c.Refresh(openAPIt0.Add(time.Hour), func(complaint.ClockKind, time.Time, time.Time) time.Duration { return time.Hour })
	return c
}

func storedPolicy() store.StoredPolicy {
	return store.StoredPolicy{Policy: complaint.DefaultPolicy(), Active: true, CreatedAt: openAPIt0, CreatedBy: "anonymous"}
}

func auditEntry() store.AuditEntry {
	return store.AuditEntry{
		ID: 42, At: openAPIt0, UserID: testUser.ID, Username: testUser.Username, Roles: []string{"department_member"}, Department: "after-sales",
		Method: "POST", Route: "/api/v1/complaints/:id/plan", Path: "/api/v1/complaints/0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00/plan",
		Target: "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00", RemoteAddr: "192.0.2.1", Status: 200, Outcome: "allowed",
		WorkflowID: "complaint-0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00", UpdateID: "9a0e5b8c-1f2d-4e3a-8b7c-6d5e4f3a2b10",
	}
}

func apiToken() store.Token {
	return store.Token{ID: "7d3c2f0e-5b1a-4c6d-8e9f-0a1b2c3d4e5f", UserID: testUser.ID, Kind: "api", Name: "erp",
		CreatedAt: openAPIt0, ExpiresAt: openAPIt0.Add(2160 * time.Hour)}
}

// Responses marshalled from the Go types validate against their schemas.
func TestOpenAPIResponsesRoundTrip(t *testing.T) {
	doc := loadOpenAPI(t)
	cases := []struct {
		schema string
		value  any
	}{
		{"Complaint", sampleComplaint()},
		{"Complaint", freshComplaint()},
		{"ComplaintList", ComplaintList{Items: []complaint.Complaint{sampleComplaint(), freshComplaint()}, NextCursor: "abc"}},
		{"ComplaintList", ComplaintList{Items: []complaint.Complaint{}}},
		{"Error", Error{Error: "subject: is required", Field: "subject"}},
		{"Error", Error{Error: "complaint not found"}},
		{"Readiness", Readiness{Status: "ready"}},
		{"Readiness", Readiness{Status: "not ready"}},
		{"Complaint", pausedComplaint()},
		{"Complaint", countingComplaint()},
		{"Calendar", calendar.Default()},
		{"Calendar", calendar.Calendar{Name: "night-shift", TimeZone: "UTC", WorkdayHours: []calendar.Period{{Start: 22 * 60, End: 24 * 60}}, Version: 3}},
		{"Calendar", calendar.Calendar{Name: "sparse", TimeZone: "UTC", Week: calendar.Week{"monday": nil}, Years: []calendar.Year{{Year: 2027}}, Version: 1}},
		{"CalendarList", CalendarList{Items: []calendar.Calendar{calendar.Default()}}},
		{"DueAnswer", DueAnswer{Due: openAPIt0}},
		{"ElapsedAnswer", ElapsedAnswer{WorkingSeconds: 27000}},
		{"Policy", complaint.DefaultPolicy()},
		{"Policy", func() complaint.Policy {
			p := complaint.DefaultPolicy()
			p.Calendars = map[string]string{"苏州分公司": "suzhou"}
			p.SLARules[0].Classes = []complaint.ComplainantClass{complaint.ClassA}
			p.SLARules[0].Severities = []complaint.Severity{complaint.SeverityMajor}
			p.SLARules[0].Escalation = []complaint.EscalationRule{{Level: complaint.LevelGeneralManager, After: 0, Notify: []string{"总经理办公室"}}}
			p.SeverityThresholds, p.Escalation = nil, nil
			return p
		}()},
		{"StoredPolicy", storedPolicy()},
		{"PolicyList", PolicyList{Items: []store.StoredPolicy{storedPolicy()}}},
		{"PolicyList", PolicyList{Items: []store.StoredPolicy{}}},

		{"Session", Session{Token: "cxs_0123456789abcdef", ExpiresAt: openAPIt0.Add(12 * time.Hour), User: testUser}},
		{"Me", Me{User: allRoles(), Department: org.Department{ID: "after-sales", Name: "售后服务部", Kind: org.KindHQ}, ReadsAll: true}},
		{"Me", Me{User: testUser, Department: org.Department{ID: "suzhou", Name: "苏州分公司", Kind: org.KindBranch}}},
		{"User", withRoles(org.RoleAdministrator)},
		{"UserList", UserList{Items: []org.User{testUser, func() org.User { u := allRoles(); u.Disabled = true; return u }()}}},
		{"UserList", UserList{Items: []org.User{}}},
		{"DepartmentList", DepartmentList{Items: []org.Department{{ID: "market", Name: "市场部", Kind: org.KindHQ}, {ID: "suzhou", Name: "苏州分公司", Kind: org.KindBranch}}}},
		{"DepartmentList", DepartmentList{Items: []org.Department{}}},
		{"AuditList", AuditList{Items: []store.AuditEntry{auditEntry(), {ID: 41, At: openAPIt0, Roles: []string{}, Method: "POST", Route: "/api/v1/auth/login",
			Path: "/api/v1/auth/login", RemoteAddr: "192.0.2.1", Status: 401, Outcome: "refused", Message: "username or password is wrong", Username: "li.na"}}, NextBefore: 41}},
		{"AuditList", AuditList{Items: []store.AuditEntry{}}},
		{"TokenList", TokenList{Items: []store.Token{apiToken(), func() store.Token { tk := apiToken(); tk.RevokedAt = openAPIPtr(openAPIt0.Add(time.Hour)); return tk }()}}},
		{"TokenList", TokenList{Items: []store.Token{}}},
		{"APIToken", APIToken{Token: apiToken(), Secret: "cxa_0123456789abcdef"}},
		{"CallbackLink", CallbackLink{URL: "https://cxflow.example.com/public/callback/abc.def", Token: "abc.def", ExpiresAt: openAPIt0.Add(7 * 24 * time.Hour)}},
		{"PublicComplaint", PublicComplaint{Number: "TS-2026-000001", Subject: "变频器返修后仍故障", Status: complaint.StepCallback, Result: "已更换新机"}},
		{"PublicComplaint", PublicComplaint{Number: "TS-2026-000001", Subject: "变频器返修后仍故障", Status: complaint.StepClosed, Answered: true}},
	}
	for _, c := range cases {
		s := componentSchema(t, doc, c.schema)
		if err := s.VisitJSON(toJSONValue(t, c.value), openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("%s %+v does not match its schema: %v", c.schema, c.value, err)
		}
	}

	// The schema does reject what the types cannot produce.
	s := componentSchema(t, doc, "Complaint")
	for name, mutate := range map[string]func(map[string]any){
		"unknown status": func(m map[string]any) { m["status"] = "bogus" },
		"missing id":     func(m map[string]any) { delete(m, "id") },
		"bad time":       func(m map[string]any) { m["received_at"] = "yesterday" },
		"record status":  func(m map[string]any) { m["status"] = "record" },
	} {
		v := toJSONValue(t, sampleComplaint()).(map[string]any)
		mutate(v)
		if err := s.VisitJSON(v, openapi3.EnableFormatValidation()); err == nil {
			t.Errorf("Complaint schema accepts a complaint with %s", name)
		}
	}
	for name, c := range map[string]struct {
		schema string
		value  any
		mutate func(map[string]any)
	}{
		"a period in words":  {"Calendar", calendar.Default(), func(m map[string]any) { m["week"].(map[string]any)["monday"] = []any{"8:30 to noon"} }},
		"an unknown weekday": {"Calendar", calendar.Default(), func(m map[string]any) { m["week"].(map[string]any)["funday"] = []any{"08:30-12:00"} }},
		"a date in words": {"Calendar", calendar.Default(), func(m map[string]any) {
			m["years"].([]any)[0].(map[string]any)["holidays"].([]any)[0].(map[string]any)["from"] = "14/02/2026"
		}},
		"a duration in words": {"Policy", complaint.DefaultPolicy(), func(m map[string]any) { m["sla"].([]any)[0].(map[string]any)["target"] = "eight hours" }},
		"a closed step limit": {"Policy", complaint.DefaultPolicy(), func(m map[string]any) { m["step_limits"].(map[string]any)["closed"] = "1h" }},
		"a missing step":      {"Policy", complaint.DefaultPolicy(), func(m map[string]any) { delete(m["step_limits"].(map[string]any), "plan") }},
		"null step limits":    {"Policy", complaint.DefaultPolicy(), func(m map[string]any) { m["step_limits"] = nil }},
		"an owner escalation": {"Policy", complaint.DefaultPolicy(), func(m map[string]any) { m["escalation"].([]any)[0].(map[string]any)["level"] = "owner" }},
		"waiting on nobody":   {"Complaint", pausedComplaint(), func(m map[string]any) { m["paused"].(map[string]any)["waiting_on"] = "nobody" }},
		"an unknown actor role": {"Complaint", sampleComplaint(), func(m map[string]any) {
			m["timeline"].([]any)[1].(map[string]any)["actor"].(map[string]any)["roles"] = []any{"janitor"}
		}},
		"an unknown user role":    {"User", testUser, func(m map[string]any) { m["roles"] = []any{"janitor"} }},
		"a user without roles":    {"User", testUser, func(m map[string]any) { m["roles"] = nil }},
		"a user without username": {"Session", Session{User: testUser}, func(m map[string]any) { delete(m["user"].(map[string]any), "username") }},
		"a bogus department kind": {"DepartmentList", DepartmentList{Items: []org.Department{{ID: "x", Name: "x", Kind: org.KindHQ}}}, func(m map[string]any) {
			m["items"].([]any)[0].(map[string]any)["kind"] = "division"
		}},
		"a bogus audit outcome": {"AuditList", AuditList{Items: []store.AuditEntry{auditEntry()}}, func(m map[string]any) {
			m["items"].([]any)[0].(map[string]any)["outcome"] = "maybe"
		}},
		"a bogus token kind":     {"APIToken", APIToken{Token: apiToken()}, func(m map[string]any) { m["kind"] = "forever" }},
		"a token without secret": {"APIToken", APIToken{Token: apiToken()}, func(m map[string]any) { delete(m, "token") }},
		"a public complaint without status": {"PublicComplaint", PublicComplaint{Number: "n", Subject: "s", Status: complaint.StepCallback}, func(m map[string]any) {
			delete(m, "status")
		}},
		"a bogus sla_status": {"Complaint", pausedComplaint(), func(m map[string]any) { m["sla_status"] = "late" }},
	} {
		v := toJSONValue(t, c.value).(map[string]any)
		c.mutate(v)
		if err := componentSchema(t, doc, c.schema).VisitJSON(v, openapi3.EnableFormatValidation()); err == nil {
			t.Errorf("%s schema accepts %s", c.schema, name)
		}
	}
}

// The shipped durations, periods and dates are written as their patterns say,
// and what the patterns accept the server parses.
func TestOpenAPIStringTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	for typ := range stringTypes {
		if !encodesItself(typ) {
			t.Errorf("%v is in stringTypes but has no JSON encoding of its own", typ)
		}
	}
	accepts := func(schema string, v string) bool {
		return componentSchema(t, doc, schema).VisitJSON(v, openapi3.EnableFormatValidation()) == nil
	}
	for _, v := range []string{"8h", "90m", "7h30m0s", "0s", "0", "1.5h", "300ms", "2µs", "24h0m0s"} {
		var d complaint.Duration
		if !accepts("Duration", v) || json.Unmarshal([]byte(`"`+v+`"`), &d) != nil {
			t.Errorf("Duration %q: the schema or the server rejects it", v)
		}
	}
	for _, v := range []string{"", "8", "8 hours", "h", "1d"} {
		if accepts("Duration", v) {
			t.Errorf("Duration schema accepts %q", v)
		}
	}
	for _, v := range []string{"08:30-12:00", "00:00-24:00", "13:30-17:30"} {
		var p calendar.Period
		if !accepts("Period", v) || json.Unmarshal([]byte(`"`+v+`"`), &p) != nil {
			t.Errorf("Period %q: the schema or the server rejects it", v)
		}
	}
	for _, v := range []string{"08:30", "8:30-12:00", "08:30–12:00", "24:00-24:30", "08:60-09:00"} {
		if accepts("Period", v) {
			t.Errorf("Period schema accepts %q", v)
		}
	}
	for _, v := range []string{"2026-02-14", "2024-12-31"} {
		var d calendar.Date
		if !accepts("Date", v) || json.Unmarshal([]byte(`"`+v+`"`), &d) != nil {
			t.Errorf("Date %q: the schema or the server rejects it", v)
		}
	}
	for _, v := range []string{"2026-2-14", "14/02/2026", "2026-02-14T00:00:00Z"} {
		if accepts("Date", v) {
			t.Errorf("Date schema accepts %q", v)
		}
	}
}

// The calendar operations describe the built-in default calendar as shipped.
func TestOpenAPIDefaultCalendar(t *testing.T) {
	doc := loadOpenAPI(t)
	d := calendar.Default()
	desc := doc.Paths.Find("/api/v1/calendars/{name}").Get.Description
	for _, want := range []string{d.Name, d.TimeZone, "monday–friday", "08:30-12:00 and 13:30-17:30", "调休", "2026"} {
		if !strings.Contains(desc, want) {
			t.Errorf("default calendar description does not say %q: %s", want, desc)
		}
	}
	if got := describeWeek(calendar.Week{"monday": d.Week["monday"], "wednesday": d.Week["monday"], "saturday": d.Week["monday"][:1]}); got != "monday 08:30-12:00 and 13:30-17:30; wednesday 08:30-12:00 and 13:30-17:30; saturday 08:30-12:00" {
		t.Errorf("describeWeek: %s", got)
	}
}

// Enum descriptions name every value, and the local severity list follows the
// package's order.
func TestOpenAPIEnums(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, ref := range doc.Components.Schemas {
		for _, v := range ref.Value.Enum {
			if !strings.Contains(ref.Value.Description, v.(string)) {
				t.Errorf("%s description does not mention %q", name, v)
			}
		}
	}
	for i, s := range complaint.Severities {
		if s.Rank() != i || s.Label() == "" {
			t.Errorf("Severities[%d] = %s has rank %d, label %q", i, s, s.Rank(), s.Label())
		}
	}
}

// testServer is a server over the package's PostgreSQL (see TestMain) and a
// stub Temporal client, with customer links and a codec (that finds nothing)
// configured.
func testServer(t *testing.T, tc client.Client) *Server {
	t.Helper()
	st := needStore(t)
	links, err := auth.NewLinks("test", bytes.Repeat([]byte("k"), 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(tc, st, "cxflow-test", slog.New(slog.DiscardHandler)).
		WithSecurity(Security{Links: links, Codec: http.NotFoundHandler()})
}

// testUser is the signed-in caller of the handler tests.
var testUser = org.User{
	ID: "5f0c7a51-3c3e-4c8e-9a43-0d1b2f6e7a10", Username: "li.na", Name: "李娜", Department: "after-sales",
	Roles: []org.Role{org.RoleDepartmentMember}, CreatedAt: openAPIt0,
}

func withRoles(roles ...org.Role) org.User {
	u := testUser
	u.Roles = roles
	return u
}

func allRoles() org.User { return withRoles(org.Roles...) }

// signedIn serves h at route with u signed in, as authenticate leaves the
// request for the handlers, without a token or the store.
func signedIn(u org.User, method, route string, h gin.HandlerFunc) http.Handler {
	return routed(method, route, func(c *gin.Context) { c.Set(principalKey, principal{user: u}) }, h)
}

func routed(method, route string, hs ...gin.HandlerFunc) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Handle(method, route, hs...)
	return r
}

func serve(h http.Handler, method, path string, body any, header ...string) *httptest.ResponseRecorder {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The document declares both ways to send a token and requires one globally;
// the open operations say they need none, and every other one documents its
// 401 and 403. The server agrees: without a token, exactly the secured
// operations answer 401.
func TestOpenAPISecurity(t *testing.T) {
	doc := loadOpenAPI(t)
	bearer, cookie := doc.Components.SecuritySchemes["bearerAuth"], doc.Components.SecuritySchemes["cookieAuth"]
	if bearer == nil || bearer.Value.Type != "http" || bearer.Value.Scheme != "bearer" {
		t.Errorf("bearerAuth scheme: %+v", bearer)
	}
	if cookie == nil || cookie.Value.Type != "apiKey" || cookie.Value.In != "cookie" || cookie.Value.Name != SessionCookie {
		t.Errorf("cookieAuth scheme: %+v", cookie)
	}
	var global []string
	for _, req := range doc.Security {
		for name := range req {
			global = append(global, name)
		}
	}
	if !sameSet(global, []string{"bearerAuth", "cookieAuth"}) {
		t.Errorf("global security %v, want bearerAuth or cookieAuth", global)
	}

	h := testServer(t, &captureClient{}).Handler()
	ops := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops++
			key := method + " " + path
			open := op.Security != nil && len(*op.Security) == 0
			if open != openOperations[key] {
				t.Errorf("%s: security %v, but openOperations says open=%v", key, op.Security, openOperations[key])
			}
			if op.Security != nil && !open {
				t.Errorf("%s overrides the global security: %v", key, *op.Security)
			}
			if !open {
				for _, code := range []int{http.StatusUnauthorized, http.StatusForbidden} {
					r := op.Responses.Status(code)
					if r == nil || r.Value == nil || r.Value.Content.Get("application/json") == nil ||
						r.Value.Content.Get("application/json").Schema.Value != componentSchema(t, doc, "Error") {
						t.Errorf("%s documents no %d with an Error body", key, code)
					}
				}
			}
			rec := serve(h, method, fillPath(path), []byte("{}"))
			if (rec.Code == http.StatusUnauthorized) == open {
				t.Errorf("%s without a token: status %d (%s), but the document says open=%v", key, rec.Code, rec.Body, open)
			}
		}
	}
	if ops < len(openOperations)+len(operationAccess) {
		t.Errorf("only %d operations", ops)
	}
}

// fillPath puts example values in a path's parameters.
func fillPath(path string) string {
	return strings.NewReplacer("{id}", "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d01", "{name}", calendar.DefaultName,
		"{year}", "2027", "{token}", "not-a-link", "{op}", "decode").Replace(path)
}

// The roles an operation documents are exactly those the server lets through:
// for each role alone, the role-gated routes refuse (403) unless the document
// lists it, and the operation says so in x-roles.
func TestOpenAPIRolesMatchRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	h := testServer(t, &captureClient{}).Handler()
	for _, r := range org.Roles {
		u := newUser(t, r)
		bearer := "Bearer " + newSession(t, u)
		for key, a := range operationAccess {
			if a.roles == nil || a.action != "" || a.act != "" {
				continue // every signed-in user, or the complaint or improvement action decides
			}
			method, path, _ := strings.Cut(key, " ")
			rec := serve(h, method, fillPath(path), []byte("{}"), "Authorization", bearer)
			if rec.Code == http.StatusUnauthorized {
				t.Errorf("%s as %s: the stored session was refused: %s", key, r, rec.Body)
			}
			if allowed := slices.Contains(a.roles, r); (rec.Code == http.StatusForbidden) == allowed {
				t.Errorf("%s as %s: status %d (%s), but the document says allowed=%v", key, r, rec.Code, rec.Body, allowed)
			}
		}
		// Everyone sets their own password.
		rec := serve(h, http.MethodPut, "/api/v1/users/"+u.ID+"/password", []byte("{}"), "Authorization", bearer)
		if rec.Code == http.StatusForbidden {
			t.Errorf("%s may not set their own password: %s", r, rec.Body)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			a, ok := accessFor(method + " " + path)
			got, _ := op.Extensions["x-roles"].([]any)
			var want []any
			if ok {
				for _, r := range a.roles {
					want = append(want, string(r))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: x-roles %v, want %v", method, path, got, want)
			}
			if len(want) > 0 {
				for _, r := range a.roles {
					if !strings.Contains(op.Description, string(r)) && !strings.Contains(op.Description, a.who) {
						t.Errorf("%s %s: the description does not say who may call it: %s", method, path, op.Description)
					}
				}
			}
		}
	}
}

// The roles documented for an operation on a complaint are exactly those
// complaint.Authorize ever allows it, for some complaint.
func TestOpenAPIRolesMatchPermissions(t *testing.T) {
	checked := 0
	for path, item := range loadOpenAPI(t).Paths.Map() {
		for method := range item.Operations() {
			a, ok := accessFor(method + " " + path)
			switch {
			case !ok:
			case a.action != "":
				checked++
				if got := rolesAuthorized(a.action); !sameSet(names(got...), names(a.roles...)) {
					t.Errorf("%s %s: complaint.Authorize(%s) allows %v, the document says %v", method, path, a.action, got, a.roles)
				}
			case a.act != "":
				checked++
				if got := rolesAuthorizedImprovement(a.act); !sameSet(names(got...), names(a.roles...)) {
					t.Errorf("%s %s: improvement.Authorize(%s) allows %v, the document says %v", method, path, a.act, got, a.roles)
				}
			}
		}
	}
	if checked < len(complaintSteps)+len(complaintControls)+2+2+len(improvementSteps) {
		t.Errorf("only %d operations checked", checked)
	}
}

// rolesAuthorized lists the roles that, held alone, may take the action on
// some open complaint: in any department, at any step and approval round.
func rolesAuthorized(act complaint.Action) []org.Role {
	var complaints []complaint.Complaint
	for _, dept := range []string{"", "d"} {
		for _, branch := range []string{"", "b"} {
			for _, status := range complaint.ActionSteps {
				for n := range len(complaint.ApprovalLevels) + 1 {
					c := complaint.Complaint{ID: "c", Department: dept, Branch: branch, Status: status, ApprovalsRequired: complaint.ApprovalLevels}
					for _, l := range complaint.ApprovalLevels[:n] {
						c.Approvals = append(c.Approvals, complaint.ApprovalRecord{Level: l, Approved: true})
					}
					complaints = append(complaints, c)
				}
			}
		}
	}
	var out []org.Role
	for _, r := range org.Roles {
		allowed := false
		for _, c := range complaints {
			for _, dept := range []string{"d", "b", "x"} {
				for _, level := range complaint.Levels {
					a := complaint.Actor{ID: "u", Roles: []org.Role{r}, Department: dept}
					allowed = allowed || complaint.Authorize(a, &c, act, level) == nil
				}
			}
		}
		if allowed {
			out = append(out, r)
		}
	}
	return out
}

// The introduction names every role with its label and duties, and says
// which roles see every complaint.
func TestOpenAPIRolesDescribed(t *testing.T) {
	doc := loadOpenAPI(t)
	for _, r := range org.Roles {
		if line := fmt.Sprintf("- %s (%s): %s.", r, r.Label(), roleDuties[r]); r.Label() == "" || !strings.Contains(doc.Info.Description, line) {
			t.Errorf("the introduction does not describe %s as %q", r, line)
		}
	}
	if len(roleDuties) != len(org.Roles) {
		t.Errorf("roleDuties has %d roles, org.Roles %d", len(roleDuties), len(org.Roles))
	}
	if !strings.Contains(doc.Info.Description, describeRoles(readAllRoles())+" see every complaint") || len(readAllRoles()) == 0 {
		t.Error("the introduction does not say who sees every complaint")
	}
}

// identityBody is a sign-in or organisation request body with the handler
// that takes it and an example with every field set. unique names a field the
// store keeps unique: each request the handler accepts gets its own value.
type identityBody struct {
	schema, method, route, path string
	handle                      gin.HandlerFunc
	example                     any
	unique                      string
}

// identityBodies are the sign-in and organisation request bodies: member signs
// in with testPassword, and the user operations act on other.
func identityBodies(s *Server, member, other org.User) []identityBody {
	return []identityBody{
		{"LoginRequest", http.MethodPost, "/api/v1/auth/login", "/api/v1/auth/login", s.login, LoginRequest{Username: member.Username, Password: testPassword}, ""},
		{"NewUser", http.MethodPost, "/api/v1/users", "/api/v1/users", s.createUser, NewUser{User: org.User{
			ID: "ignored", Username: "zhang.qiang", Name: "张强", Department: "after-sales", Roles: []org.Role{org.RoleDepartmentHead},
			Disabled: true, CreatedAt: openAPIt0,
		}, Password: testPassword}, "username"},
		{"UserPatch", http.MethodPatch, "/api/v1/users/:id", "/api/v1/users/" + other.ID, s.updateUser, org.User{
			ID: other.ID, Username: other.Username, Name: "李娜", Department: "quality", Roles: []org.Role{org.RoleQualityDepartment},
			Disabled: true, CreatedAt: openAPIt0,
		}, ""},
		{"PasswordChange", http.MethodPut, "/api/v1/users/:id/password", "/api/v1/users/" + other.ID + "/password", s.setPassword, PasswordChange{Password: testPassword}, ""},
		{"APITokenRequest", http.MethodPost, "/api/v1/api-tokens", "/api/v1/api-tokens", s.createAPIToken, APITokenRequest{Name: "erp", UserID: other.ID, ExpiresIn: "2160h"}, ""},
		{"DepartmentInput", http.MethodPut, "/api/v1/departments/:id", "/api/v1/departments/quality", s.putDepartment, org.Department{ID: "quality", Name: "品质部", Kind: org.KindHQ}, ""},
	}
}

// The required fields of the sign-in and organisation bodies are exactly
// those whose absence their handlers reject with a 400 naming the field; the
// examples match the schemas, and unknown fields are rejected by both. The
// handlers work on the stored users and departments: a body they accept is
// done (2xx).
func TestOpenAPIIdentityBodiesMatchHandlers(t *testing.T) {
	doc := loadOpenAPI(t)
	s := testServer(t, &captureClient{})
	accepted := func(rec *httptest.ResponseRecorder) bool { return rec.Code >= 200 && rec.Code < 300 }
	for _, b := range identityBodies(s, newUser(t, org.RoleDepartmentMember), newUser(t, org.RoleDepartmentMember)) {
		h := signedIn(allRoles(), b.method, b.route, b.handle)
		send := func(body map[string]any) *httptest.ResponseRecorder {
			if v, ok := body[b.unique].(string); ok {
				body = maps.Clone(body)
				body[b.unique] = fmt.Sprintf("%s-%d", v, userSeq.Add(1))
			}
			return serve(h, b.method, b.path, body)
		}
		sch := componentSchema(t, doc, b.schema)
		if op := doc.Paths.Find(strings.ReplaceAll(b.route, ":id", "{id}")).GetOperation(b.method); op == nil ||
			op.RequestBody.Value.Content.Get("application/json").Schema.Ref != "#/components/schemas/"+b.schema {
			t.Errorf("%s %s does not take %s", b.method, b.route, b.schema)
		}
		full := toJSONValue(t, b.example).(map[string]any)
		if err := sch.VisitJSON(full, openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("%s example does not match its schema: %v", b.schema, err)
		}
		if rec := send(full); !accepted(rec) {
			t.Fatalf("%s: the handler rejects the full example: %d %s", b.schema, rec.Code, rec.Body)
		}
		var required []string
		for name := range full {
			without := maps.Clone(full)
			delete(without, name)
			rec := send(without)
			var e Error
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
			switch {
			case rec.Code == http.StatusBadRequest && e.Field == name:
				required = append(required, name)
			case !accepted(rec):
				t.Errorf("%s without %s: %d %s", b.schema, name, rec.Code, rec.Body)
			}
		}
		if !sameSet(required, sch.Required) {
			t.Errorf("%s: the handler requires %v, the document says %v", b.schema, required, sch.Required)
		}
		full["unknown_field"] = "x"
		if rec := send(full); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "unknown_field") {
			t.Errorf("%s: the handler accepts an unknown field: %d %s", b.schema, rec.Code, rec.Body)
		}
		if err := sch.VisitJSON(full); err == nil {
			t.Errorf("%s schema accepts an unknown field", b.schema)
		}
	}
}

// The patterns and lengths documented for usernames, department IDs, names
// and passwords accept exactly what the server does.
func TestOpenAPIIdentityConstraints(t *testing.T) {
	doc := loadOpenAPI(t)
	prop := func(schema, name string) *openapi3.Schema {
		return componentSchema(t, doc, schema).Properties[name].Value
	}
	user, dept := prop("User", "username"), prop("Department", "id")
	for _, v := range []string{"li.na", "ab", "a", "Li.na", "-x", ".x", "x_y-z.1", "9", "99", strings.Repeat("a", 64), strings.Repeat("a", 65), "李娜", "a b", ""} {
		u := testUser
		u.Username = v
		if got, want := user.VisitJSON(v) == nil, u.Validate() == nil; got != want {
			t.Errorf("username %q: the schema accepts it: %v, Validate: %v", v, got, want)
		}
		d := org.Department{ID: v, Name: "n", Kind: org.KindHQ}
		if got, want := dept.VisitJSON(v) == nil, d.Validate() == nil; got != want {
			t.Errorf("department id %q: the schema accepts it: %v, Validate: %v", v, got, want)
		}
	}
	for _, v := range []string{"品质部", strings.Repeat("品", 100), strings.Repeat("品", 101), ""} {
		u := testUser
		u.Name = v
		if got, want := prop("User", "name").VisitJSON(v) == nil, u.Validate() == nil; got != want {
			t.Errorf("user name of %d characters: the schema accepts it: %v, Validate: %v", len([]rune(v)), got, want)
		}
		d := org.Department{ID: "quality", Name: v, Kind: org.KindHQ}
		if got, want := prop("Department", "name").VisitJSON(v) == nil, d.Validate() == nil; got != want {
			t.Errorf("department name of %d characters: the schema accepts it: %v, Validate: %v", len([]rune(v)), got, want)
		}
	}
	h := signedIn(allRoles(), http.MethodPut, "/api/v1/users/:id/password", testServer(t, &captureClient{}).setPassword)
	u := newUser(t, org.RoleDepartmentMember)
	for _, schema := range []string{"NewUser", "PasswordChange"} {
		for _, v := range []string{"密码密码密码密码密", "密码密码密码密码密码"} {
			rec := serve(h, http.MethodPut, "/api/v1/users/"+u.ID+"/password", PasswordChange{Password: v})
			if rec.Code != http.StatusBadRequest && rec.Code != http.StatusNoContent {
				t.Errorf("%s password of %d characters: status %d (%s)", schema, len([]rune(v)), rec.Code, rec.Body)
			}
			if got, want := prop(schema, "password").VisitJSON(v) == nil, rec.Code == http.StatusNoContent; got != want {
				t.Errorf("%s password of %d characters: the schema accepts it: %v, the server: %v (%s)", schema, len([]rune(v)), got, want, rec.Body)
			}
		}
	}
}

// The customer's answer through their link reaches the workflow as the
// documented body, the callback step's input, acting as the customer; once
// the workflow accepts it, the customer sees the stored complaint answered.
func TestOpenAPIPublicCallbackBodyMatchesHandler(t *testing.T) {
	doc := loadOpenAPI(t)
	item := doc.Paths.Find("/public/callback/{token}")
	typ := reflect.TypeFor[complaint.CallbackInput]()
	if ref := item.Post.RequestBody.Value.Content.Get("application/json").Schema.Ref; ref != "#/components/schemas/"+typ.Name() {
		t.Errorf("POST /public/callback/{token} body is %s, want %v", ref, typ)
	}
	cm := storeComplaint(t, awaitingCallback())
	cc := &captureClient{}
	s := testServer(t, cc)
	h := routed(http.MethodPost, "/public/callback/:token", s.publicCallbackAnswer)
	link := s.security.Links.Sign(LinkPurposeCallback, cm.ID, time.Now().Add(time.Hour))
	rec := serve(h, http.MethodPost, "/public/callback/"+link, validRequests()[typ])
	if cc.input != typ || cc.update != string(complaint.StepCallback) {
		t.Errorf("POST /public/callback/{token}: the handler sent %s with %v (status %d: %s), the document says %v", cc.update, cc.input, rec.Code, rec.Body, typ)
	}
	var answer PublicComplaint
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &answer) != nil || answer.Number != cm.Number || !answer.Answered {
		t.Errorf("POST /public/callback/{token}: status %d, want 200 with %s answered: %s", rec.Code, cm.Number, rec.Body)
	} else if err := componentSchema(t, doc, "PublicComplaint").VisitJSON(toJSONValue(t, answer), openapi3.EnableFormatValidation()); err != nil {
		t.Errorf("POST /public/callback/{token}: the answer does not match PublicComplaint: %v", err)
	}
	rec = serve(h, http.MethodPost, "/public/callback/"+link+"x", validRequests()[typ])
	if rec.Code != http.StatusForbidden || item.Post.Responses.Status(http.StatusForbidden) == nil {
		t.Errorf("a forged link: %d %s", rec.Code, rec.Body)
	}
	// A well signed link to a complaint the store does not hold is refused alike.
	rec = serve(h, http.MethodPost, "/public/callback/"+s.security.Links.Sign(LinkPurposeCallback, uuid.NewString(), time.Now().Add(time.Hour)), validRequests()[typ])
	if rec.Code != http.StatusForbidden {
		t.Errorf("a link to no complaint: %d %s", rec.Code, rec.Body)
	}
}

// A complaint that awaits its callback, executed.
func awaitingCallback() complaint.Complaint {
	c := freshComplaint()
	c.Status, c.StatusLabel = complaint.StepCallback, complaint.StepCallback.Label()
	c.Department, c.Handler = "after-sales", "李娜"
	c.Execution = &complaint.ExecutionRecord{Result: "已更换新机", CustomerNotified: true, At: openAPIt0}
	return c
}

// What the handlers answer matches the documented schemas: a callback link,
// what the customer sees through it, and the signed-in user.
func TestOpenAPIHandlerAnswersMatchSchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	cm := storeComplaint(t, awaitingCallback())
	s := testServer(t, &captureClient{})
	check := func(schema string, rec *httptest.ResponseRecorder, status int) {
		t.Helper()
		var v any
		if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &v) != nil {
			t.Fatalf("%s: status %d: %s", schema, rec.Code, rec.Body)
		}
		if err := componentSchema(t, doc, schema).VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("%s answered does not match its schema: %v\n%s", schema, err, rec.Body)
		}
	}

	rec := serve(signedIn(withRoles(org.RoleIntakeClerk), http.MethodPost, "/api/v1/complaints/:id/callback-link", s.createCallbackLink),
		http.MethodPost, "/api/v1/complaints/"+cm.ID+"/callback-link", nil)
	check("CallbackLink", rec, http.StatusCreated)
	var link CallbackLink
	_ = json.Unmarshal(rec.Body.Bytes(), &link)
	if !strings.HasSuffix(link.URL, "/public/callback/"+link.Token) {
		t.Errorf("link %s does not end in its token %s", link.URL, link.Token)
	}
	rec = serve(signedIn(withRoles(org.RoleMarketDepartment), http.MethodPost, "/api/v1/complaints/:id/callback-link", s.createCallbackLink),
		http.MethodPost, "/api/v1/complaints/"+cm.ID+"/callback-link", nil)
	if rec.Code != http.StatusForbidden {
		t.Errorf("the market department made a callback link: %d %s", rec.Code, rec.Body)
	}

	check("PublicComplaint", serve(routed(http.MethodGet, "/public/callback/:token", s.publicCallback), http.MethodGet, "/public/callback/"+link.Token, nil), http.StatusOK)
	rec = serve(signedIn(testUser, http.MethodGet, "/api/v1/auth/me", s.me), http.MethodGet, "/api/v1/auth/me", nil)
	check("Me", rec, http.StatusOK)
	var me Me
	if _ = json.Unmarshal(rec.Body.Bytes(), &me); me.Department.ID != testUser.Department || me.Department.Name != "售后服务部" {
		t.Errorf("Me: the stored department is not shown: %+v", me.Department)
	}
}

// The codec schema describes what Temporal's codec handler takes and answers.
func TestOpenAPICodecPayloads(t *testing.T) {
	doc := loadOpenAPI(t)
	sch := componentSchema(t, doc, "CodecPayloads")
	h := converter.NewPayloadCodecHTTPHandler(converter.NewZlibCodec(converter.ZlibCodecOptions{AlwaysEncode: true}))
	body := []byte(`{"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"eyJjb250YWN0IjoiMTM4IDAwMDAgMDAwMCJ9"}]}`)
	var v any
	_ = json.Unmarshal(body, &v)
	if err := sch.VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
		t.Errorf("the example does not match CodecPayloads: %v", err)
	}
	for _, op := range []string{"encode", "decode"} {
		rec := serve(h, http.MethodPost, "/api/v1/codec/"+op, body)
		var out any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
			t.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
		}
		if err := sch.VisitJSON(out, openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("the %s answer does not match CodecPayloads: %v\n%s", op, err, rec.Body)
		}
		if op == "encode" {
			body = rec.Body.Bytes() // decode what was encoded
		}
	}
	if rec := serve(h, http.MethodPost, "/api/v1/codec/decode", []byte(`{"payloads":"x"}`)); rec.Code != http.StatusBadRequest ||
		doc.Paths.Find("/api/v1/codec/decode").Post.Responses.Status(http.StatusBadRequest).Value.Content.Get("text/plain") == nil {
		t.Errorf("a bad body: %d %s", rec.Code, rec.Body)
	}
}

// requiredWhenZero zeroes, one at a time, each field of the struct at index
// path at in valid that is set, and lists those whose absence makes Validate
// fail with a FieldError naming the field (or a field inside it).
func requiredWhenZero(t *testing.T, valid any, at []int, prefix string) []string {
	t.Helper()
	root := reflect.ValueOf(valid)
	st := root.FieldByIndex(at)
	var req []string
	for i := 0; i < st.NumField(); i++ {
		f := st.Type().Field(i)
		if !f.IsExported() || f.Tag.Get("json") == "-" || st.Field(i).IsZero() {
			continue
		}
		name := prefix + jsonName(f)
		c := reflect.New(root.Type()).Elem()
		c.Set(root)
		c.FieldByIndex(slices.Concat(at, []int{i})).SetZero()
		err := validateRequest(c.Interface())
		var fe *complaint.FieldError
		switch {
		case err == nil:
		case errors.As(err, &fe) && (fe.Field == name || strings.HasPrefix(fe.Field, name+".")):
			req = append(req, jsonName(f))
		default:
			t.Errorf("%v without %s: unexpected error %v", root.Type(), name, err)
		}
	}
	return req
}

// openExample is a valid improvement.OpenInput of one source kind, with
// every field the kind takes set.
type openExample struct {
	input improvement.OpenInput
	// needs are the source fields the kind requires besides kind; doc is
	// what ImprovementSource's description says of them.
	needs []string
	doc   string
}

func openExamples() []openExample {
	base := improvement.OpenInput{
		Title: "交货期不满意整改", Description: "第三季度调查中交货期得分下降，两家重点客户不满意。", Department: "engineering",
		DueAt: openAPIPtr(openAPIt0.Add(30 * 24 * time.Hour)), Refs: 2,
	}
	bySurvey, byComplaint, manual := base, base, base
	bySurvey.Source = improvement.Source{Kind: improvement.SourceSurvey, CycleID: "4c1d2b7e-0a9f-4e55-9c3b-7d2e1f0a6b55", Dimension: "delivery_time"}
	byComplaint.Source = improvement.Source{Kind: improvement.SourceComplaint, ComplaintID: "0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00"}
	manual.Source = improvement.Source{Kind: improvement.SourceManual}
	return []openExample{
		{bySurvey, []string{"cycle_id", "dimension"}, "kind survey needs cycle_id and dimension"},
		{byComplaint, []string{"complaint_id"}, "kind complaint needs complaint_id"},
		{manual, nil, "kind manual takes neither"},
	}
}

// rolesAuthorizedImprovement lists the roles that, held alone, may take the
// act on some improvement action: of any department, completed by anyone.
func rolesAuthorizedImprovement(act improvement.Act) []org.Role {
	var actions []improvement.Action
	for _, dept := range []string{"", "d"} {
		for _, completedBy := range []string{"", "u", "v"} {
			a := improvement.Action{ID: "a", Department: dept, Verifiers: improvement.DefaultPolicy().Verifiers, Rounds: []improvement.Round{{Number: 1}}}
			if completedBy != "" {
				a.Rounds[0].Completion = &improvement.CompletionRecord{By: improvement.Actor{ID: completedBy}}
			}
			actions = append(actions, a)
		}
	}
	var out []org.Role
	for _, r := range org.Roles {
		allowed := false
		for _, x := range actions {
			for _, dept := range []string{"d", "x", ""} {
				a := improvement.Actor{ID: "u", Roles: []org.Role{r}, Department: dept}
				allowed = allowed || improvement.Authorize(a, &x, act) == nil
			}
		}
		if allowed {
			out = append(out, r)
		}
	}
	return out
}

// ExecuteWorkflow records the workflow a handler starts and its input, and
// answers as Temporal does when it starts one.
func (c *captureClient) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	c.started = o.ID
	if len(args) > 0 {
		c.input = reflect.TypeOf(args[0])
	}
	return nil, nil
}

// ScheduleClient is an in-memory stand-in for Temporal's schedules.
func (c *captureClient) ScheduleClient() client.ScheduleClient {
	if c.schedules == nil {
		c.schedules = &fakeSchedules{byID: map[string]*client.ScheduleState{}}
	}
	return c.schedules
}

// fakeSchedules keeps each schedule's state by ID, answering as Temporal
// does: NotFound for a schedule that does not exist, AlreadyExists for one
// created twice.
type fakeSchedules struct {
	client.ScheduleClient
	byID map[string]*client.ScheduleState
}

func (f *fakeSchedules) Create(ctx context.Context, o client.ScheduleOptions) (client.ScheduleHandle, error) {
	if _, ok := f.byID[o.ID]; ok {
		return nil, serviceerror.NewAlreadyExists("schedule " + o.ID + " already exists")
	}
	f.byID[o.ID] = &client.ScheduleState{}
	return f.GetHandle(ctx, o.ID), nil
}

func (f *fakeSchedules) GetHandle(_ context.Context, id string) client.ScheduleHandle {
	return fakeSchedule{f: f, id: id}
}

type fakeSchedule struct {
	client.ScheduleHandle
	f  *fakeSchedules
	id string
}

func (h fakeSchedule) state() (*client.ScheduleState, error) {
	st, ok := h.f.byID[h.id]
	if !ok {
		return nil, serviceerror.NewNotFound("schedule " + h.id + " not found")
	}
	return st, nil
}

func (h fakeSchedule) GetID() string { return h.id }

func (h fakeSchedule) Delete(context.Context) error {
	_, err := h.state()
	delete(h.f.byID, h.id)
	return err
}

func (h fakeSchedule) Update(context.Context, client.ScheduleUpdateOptions) error {
	_, err := h.state()
	return err
}

func (h fakeSchedule) Describe(context.Context) (*client.ScheduleDescription, error) {
	st, err := h.state()
	if err != nil {
		return nil, err
	}
	d := &client.ScheduleDescription{Schedule: client.Schedule{State: st}}
	if !st.Paused {
		d.Info.NextActionTimes = []time.Time{openAPIt0.AddDate(0, 3, 0), openAPIt0.AddDate(0, 6, 0)}
	}
	return d, nil
}

func (h fakeSchedule) Pause(_ context.Context, o client.SchedulePauseOptions) error {
	st, err := h.state()
	if err == nil {
		st.Paused, st.Note = true, o.Note
	}
	return err
}

func (h fakeSchedule) Unpause(_ context.Context, o client.ScheduleUnpauseOptions) error {
	st, err := h.state()
	if err == nil {
		st.Paused, st.Note = false, o.Note
	}
	return err
}

func (h fakeSchedule) Trigger(context.Context, client.ScheduleTriggerOptions) error {
	_, err := h.state()
	return err
}

// checkAnswer checks that the operation documents the status the handler
// answered, and that the body matches the schema documented for it.
func checkAnswer(t *testing.T, op *openapi3.Operation, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	r := op.Responses.Status(rec.Code)
	if r == nil || r.Value == nil {
		t.Errorf("%s: status %d is not documented (%s)", what, rec.Code, rec.Body)
		return
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil {
		if rec.Body.Len() > 0 {
			t.Errorf("%s: status %d documents no body, but the handler sent %s", what, rec.Code, rec.Body)
		}
		return
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Errorf("%s: status %d: the body is not JSON: %s", what, rec.Code, rec.Body)
		return
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableFormatValidation()); err != nil {
		t.Errorf("%s: status %d: the body does not match the documented schema: %v\n%s", what, rec.Code, err, rec.Body)
	}
}

var routeParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// operation is the documented operation of a gin route.
func operation(t *testing.T, doc *openapi3.T, method, route string) *openapi3.Operation {
	t.Helper()
	path := routeParam.ReplaceAllString(route, "{$1}")
	item := doc.Paths.Find(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s is not documented", method, path)
	}
	return item.GetOperation(method)
}

// surveyFixture is a survey programme with customers and an open cycle that
// invited all of them through links.
type surveyFixture struct {
	customers   []survey.Customer
	programme   survey.Definition
	cycle       store.Cycle
	invitations []store.Invitation
}

// surveyQuestionnaire asks everything a questionnaire can ask, by name.
func surveyQuestionnaire() survey.Questionnaire {
	q := survey.DefaultQuestionnaire()
	q.AskCompetitor = true
	return q
}

// seedSurvey stores three customers of RMB 2 million a year (the default
// coverage surveys them all), a manual programme asking q, and a cycle of it
// opened now that invited them all.
func seedSurvey(t *testing.T, q survey.Questionnaire) surveyFixture {
	t.Helper()
	st, ctx := needStore(t), context.Background()
	var fx surveyFixture
	n := userSeq.Add(1)
	for i := range 3 {
		fx.customers = append(fx.customers, survey.Customer{
			ID: fmt.Sprintf("C%d-%d", n, i), Name: fmt.Sprintf("客户%d", i), Tier: survey.Tiers[i], AnnualVolume: 2_000_000, YearsAsCustomer: i,
			Segment: "device", Contacts: []survey.Contact{{Name: "王伟", Phone: "138 0000 0000", Email: "wang@example.com"}},
		})
	}
	if err := st.UpsertCustomers(ctx, fx.customers); err != nil {
		t.Fatal(err)
	}
	d := survey.Definition{ID: uuid.NewString(), Name: "重点客户季度满意度调查", Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(),
		Schedule: survey.Schedule{Kind: survey.ScheduleManual}}
	d.Programme.Questionnaire = q
	var err error
	if fx.programme, err = st.SaveDefinition(ctx, d, 0); err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	if err := st.CreateCycle(ctx, id, "survey-cycle:"+d.ID+":"+id, fx.programme); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveSelections(ctx, id, survey.Sample(fx.customers, d.Programme.Coverage, id)); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if _, err := st.OpenCycle(ctx, id, survey.ChannelLink, now, now.Add(d.Run.Window.Std())); err != nil {
		t.Fatal(err)
	}
	if fx.cycle, err = st.GetCycle(ctx, id); err != nil {
		t.Fatal(err)
	}
	if fx.invitations, err = st.Invitations(ctx, id, 100); err != nil || len(fx.invitations) != len(fx.customers) {
		t.Fatalf("invitations %v: %v", fx.invitations, err)
	}
	return fx
}

// scheduled stores a quarterly programme with its schedule.
func scheduled(t *testing.T, cc *captureClient) survey.Definition {
	t.Helper()
	d := survey.Definition{ID: uuid.NewString(), Name: "季度调查", Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(),
		Schedule: survey.Schedule{Kind: survey.ScheduleQuarterly, Month: 3}}
	saved, err := needStore(t).SaveDefinition(context.Background(), d, 0)
	if err != nil {
		t.Fatal(err)
	}
	cc.ScheduleClient()
	cc.schedules.byID[app.SurveyScheduleID(d.ID)] = &client.ScheduleState{}
	return saved
}

// definitionExample is a survey programme with every field set, from the
// survey package's defaults.
func definitionExample() survey.Definition {
	d := survey.Definition{ID: "ignored", Name: "重点客户季度满意度调查", Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(),
		Schedule: survey.Schedule{Kind: survey.ScheduleQuarterly, Month: 3}, Version: 9}
	d.Programme.Questionnaire = surveyQuestionnaire()
	return d
}

// surveyBody is a survey request body with the route and handler that take
// it, and an example with every field set.
type surveyBody struct {
	schema, method, route, path string
	handle                      gin.HandlerFunc
	public                      bool // served without a sign-in
	example                     any
	status                      int // what the handler answers a body it accepts
	optional                    bool
	// prepare, when set, adapts a body before it is sent.
	prepare func(map[string]any) map[string]any
}

// The required fields of the survey request bodies are exactly those whose
// absence their handlers reject with a 400 naming the field; the examples
// match the schemas, the handlers answer as documented, and unknown fields
// are rejected by both. Optional bodies may be left out.
func TestOpenAPISurveyBodiesMatchHandlers(t *testing.T) {
	doc := loadOpenAPI(t)
	cc := &captureClient{}
	s := testServer(t, cc)
	fx := seedSurvey(t, surveyQuestionnaire())
	sched := scheduled(t, cc)
	answeredAt := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	link := s.security.Links.Sign(LinkPurposeSurvey, fx.invitations[1].ID, time.Now().Add(time.Hour))
	stored := fx.programme
	stored.Name = "重点客户季度满意度调查（修订）"
	bodies := []surveyBody{
		{schema: "SurveyDefinitionInput", method: http.MethodPost, route: "/api/v1/survey-programmes", handle: s.createProgramme,
			example: definitionExample(), status: http.StatusCreated},
		{schema: "SurveyDefinitionPatch", method: http.MethodPut, route: "/api/v1/survey-programmes/:id", path: "/api/v1/survey-programmes/" + fx.programme.ID,
			handle: s.putProgramme, example: stored, status: http.StatusOK,
			prepare: func(m map[string]any) map[string]any {
				if _, ok := m["version"]; ok {
					cur, err := needStore(t).Definition(context.Background(), fx.programme.ID)
					if err != nil {
						t.Fatal(err)
					}
					m["version"] = cur.Version
				}
				return m
			}},
		{schema: "ScheduleNote", method: http.MethodPost, route: "/api/v1/survey-programmes/:id/schedule/pause", path: "/api/v1/survey-programmes/" + sched.ID + "/schedule/pause",
			handle: s.scheduleAction("pause"), example: ScheduleNote{Note: "春节期间暂停"}, status: http.StatusOK, optional: true},
		{schema: "CycleRequest", method: http.MethodPost, route: "/api/v1/survey-programmes/:id/cycles", path: "/api/v1/survey-programmes/" + fx.programme.ID + "/cycles",
			handle: s.startCycle, example: CycleRequest{CustomerIDs: []string{fx.customers[0].ID}, Reason: "交付后回访"}, status: http.StatusCreated, optional: true},
		{schema: "StaffAnswer", method: http.MethodPost, route: "/api/v1/survey-cycles/:id/answers", path: "/api/v1/survey-cycles/" + fx.cycle.ID + "/answers",
			handle: s.enterAnswer, example: StaffAnswer{
				CustomerID: fx.invitations[0].CustomerID, Channel: survey.ChannelPhone, Respondent: "采购部张经理", AnsweredAt: &answeredAt,
				Ratings: map[string]string{"product_quality": survey.LevelSatisfied, "delivery_time": survey.LevelDissatisfied}, Recommend: openAPIPtr(8),
				Competitor: map[string]string{"delivery_time": survey.LevelNeutral}, Comment: "交货期比上季度差",
			}, status: http.StatusCreated},
		{schema: "PublicAnswer", method: http.MethodPost, route: "/public/survey/:token", path: "/public/survey/" + link, handle: s.publicSurveyAnswer, public: true,
			example: PublicAnswer{Ratings: map[string]string{"service": survey.LevelVerySatisfied}, Recommend: openAPIPtr(10),
				Competitor: map[string]string{"service": survey.LevelSatisfied}, Comment: "服务很好", Segment: "device"}, status: http.StatusCreated},
		{schema: "Delivery", method: http.MethodPost, route: "/api/v1/deliveries", handle: s.postDelivery, example: workflows.Delivery{
			CustomerID: fx.customers[2].ID, ProgrammeID: fx.programme.ID, DeliveredAt: answeredAt, Reference: "DN-2026-0001",
		}, status: http.StatusAccepted},
	}
	for _, b := range bodies {
		if b.path == "" {
			b.path = b.route
		}
		h := signedIn(allRoles(), b.method, b.route, b.handle)
		if b.public {
			h = routed(b.method, b.route, b.handle)
		}
		op := operation(t, doc, b.method, b.route)
		what := b.method + " " + b.route
		if rb := op.RequestBody; rb == nil || rb.Value.Content.Get("application/json").Schema.Ref != "#/components/schemas/"+b.schema || rb.Value.Required == b.optional {
			t.Errorf("%s does not take %s (optional %v) as documented", what, b.schema, b.optional)
		}
		send := func(body any) *httptest.ResponseRecorder {
			if m, ok := body.(map[string]any); ok && b.prepare != nil {
				body = b.prepare(maps.Clone(m))
			}
			rec := serve(h, b.method, b.path, body)
			checkAnswer(t, op, what, rec)
			return rec
		}
		sch := componentSchema(t, doc, b.schema)
		full := toJSONValue(t, b.example).(map[string]any)
		if err := sch.VisitJSON(full, openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("%s example does not match its schema: %v", b.schema, err)
		}
		if rec := send(full); rec.Code != b.status {
			t.Fatalf("%s: the handler answers the full example %d, want %d: %s", b.schema, rec.Code, b.status, rec.Body)
		}
		var required []string
		for name := range full {
			without := maps.Clone(full)
			delete(without, name)
			rec := send(without)
			var e Error
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
			switch {
			case rec.Code == http.StatusBadRequest && e.Field == name:
				required = append(required, name)
			case rec.Code != b.status:
				t.Errorf("%s without %s: %d %s", b.schema, name, rec.Code, rec.Body)
			}
		}
		if !sameSet(required, sch.Required) {
			t.Errorf("%s: the handler requires %v, the document says %v", b.schema, required, sch.Required)
		}
		if b.optional {
			if rec := send(nil); rec.Code != b.status {
				t.Errorf("%s: the handler refuses no body: %d %s", what, rec.Code, rec.Body)
			}
		}
		full["unknown_field"] = "x"
		if rec := send(full); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "unknown_field") {
			t.Errorf("%s: the handler accepts an unknown field: %d %s", b.schema, rec.Code, rec.Body)
		}
		if err := sch.VisitJSON(full); err == nil {
			t.Errorf("%s schema accepts an unknown field", b.schema)
		}
	}
	// The started workflows take what the handlers were given.
	if cc.input != reflect.TypeFor[workflows.Delivery]() || !strings.HasPrefix(cc.started, "delivery:") {
		t.Errorf("the delivery started %s with %v", cc.started, cc.input)
	}

	// Nested objects merge into the defaults: a programme may change one
	// setting alone.
	partial := map[string]any{"name": "部分设置", "run": map[string]any{"window": "720h"}, "programme": map[string]any{"targets": map[string]any{"return_rate": 0.5}}}
	if err := componentSchema(t, doc, "SurveyDefinitionInput").VisitJSON(partial); err != nil {
		t.Errorf("SurveyDefinitionInput rejects a partial programme: %v", err)
	}
	rec := serve(signedIn(allRoles(), http.MethodPost, "/api/v1/survey-programmes", s.createProgramme), http.MethodPost, "/api/v1/survey-programmes", partial)
	var got survey.Definition
	if _ = json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != http.StatusCreated || got.Run.Window.Std() != 720*time.Hour ||
		got.Programme.Targets.ReturnRate != 0.5 || got.Programme.Targets.IssueRate != survey.DefaultTargets().IssueRate ||
		!slices.Equal(got.Run.Reminders, survey.DefaultRun().Reminders) || got.Schedule.Kind != survey.ScheduleManual {
		t.Errorf("a partial programme: %d %s", rec.Code, rec.Body)
	}
}

// The survey operations answer as documented: the statuses they give, with
// the bodies the schemas describe.
func TestOpenAPISurveyAnswersMatchSchemas(t *testing.T) {
	doc := loadOpenAPI(t)
	cc := &captureClient{}
	s := testServer(t, cc)
	fx := seedSurvey(t, surveyQuestionnaire())
	sched := scheduled(t, cc)
	call := func(method, route, path string, h gin.HandlerFunc, body any) *httptest.ResponseRecorder {
		t.Helper()
		rec := serve(signedIn(allRoles(), method, route, h), method, path, body)
		checkAnswer(t, operation(t, doc, method, route), method+" "+path, rec)
		return rec
	}
	want := func(rec *httptest.ResponseRecorder, status int, field string) {
		t.Helper()
		var e Error
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != status || (field != "" && e.Field != field) {
			t.Errorf("status %d (%s), want %d naming %q", rec.Code, rec.Body, status, field)
		}
	}
	prog, cyc := "/api/v1/survey-programmes/"+fx.programme.ID, "/api/v1/survey-cycles/"+fx.cycle.ID
	missing := "/api/v1/survey-programmes/" + uuid.NewString()

	want(call(http.MethodGet, "/api/v1/customers", "/api/v1/customers?limit=2", s.listCustomers, nil), http.StatusOK, "")
	want(call(http.MethodGet, "/api/v1/customers", "/api/v1/customers?limit=0", s.listCustomers, nil), http.StatusBadRequest, "limit")
	want(call(http.MethodGet, "/api/v1/survey-programmes", "/api/v1/survey-programmes", s.listProgrammes, nil), http.StatusOK, "")
	want(call(http.MethodGet, "/api/v1/survey-programmes/:id", prog, s.getProgramme, nil), http.StatusOK, "")
	want(call(http.MethodGet, "/api/v1/survey-programmes/:id", missing, s.getProgramme, nil), http.StatusNotFound, "")
	want(call(http.MethodGet, "/api/v1/survey-programmes/:id", "/api/v1/survey-programmes/nope", s.getProgramme, nil), http.StatusNotFound, "")
	want(call(http.MethodPost, "/api/v1/survey-programmes", "/api/v1/survey-programmes", s.createProgramme, map[string]any{"name": "x", "programme": map[string]any{"coverage": []any{}}}),
		http.StatusBadRequest, "programme.coverage")
	stale := toJSONValue(t, fx.programme).(map[string]any)
	stale["version"] = fx.programme.Version + 5
	want(call(http.MethodPut, "/api/v1/survey-programmes/:id", prog, s.putProgramme, stale), http.StatusConflict, "version")

	// Schedules: a manual programme has none.
	want(call(http.MethodGet, "/api/v1/survey-programmes/:id/schedule", prog+"/schedule", s.getSchedule, nil), http.StatusNotFound, "")
	for _, action := range []string{"pause", "resume", "trigger"} {
		route := "/api/v1/survey-programmes/:id/schedule/" + action
		want(call(http.MethodPost, route, prog+"/schedule/"+action, s.scheduleAction(action), nil), http.StatusConflict, "")
		want(call(http.MethodPost, route, missing+"/schedule/"+action, s.scheduleAction(action), nil), http.StatusNotFound, "")
		rec := call(http.MethodPost, route, "/api/v1/survey-programmes/"+sched.ID+"/schedule/"+action, s.scheduleAction(action), ScheduleNote{Note: action})
		var st ScheduleState
		if _ = json.Unmarshal(rec.Body.Bytes(), &st); rec.Code != http.StatusOK || st.Paused != (action == "pause") || st.Cron != sched.Schedule.CronExpression() {
			t.Errorf("%s: %d %s", action, rec.Code, rec.Body)
		}
	}
	want(call(http.MethodGet, "/api/v1/survey-programmes/:id/schedule", "/api/v1/survey-programmes/"+sched.ID+"/schedule", s.getSchedule, nil), http.StatusOK, "")

	// Cycles.
	want(call(http.MethodPost, "/api/v1/survey-programmes/:id/cycles", prog+"/cycles", s.startCycle, nil), http.StatusCreated, "")
	want(call(http.MethodPost, "/api/v1/survey-programmes/:id/cycles", prog+"/cycles", s.startCycle, CycleRequest{CustomerIDs: []string{"nobody"}}),
		http.StatusBadRequest, "customer_ids")
	tooMany := make([]string, maxCycleCustomers+1)
	for i := range tooMany {
		tooMany[i] = fx.customers[0].ID
	}
	if err := componentSchema(t, doc, "CycleRequest").VisitJSON(toJSONValue(t, CycleRequest{CustomerIDs: tooMany})); err == nil {
		t.Errorf("CycleRequest schema accepts %d customers", len(tooMany))
	}
	want(call(http.MethodPost, "/api/v1/survey-programmes/:id/cycles", prog+"/cycles", s.startCycle, CycleRequest{CustomerIDs: tooMany}),
		http.StatusBadRequest, "customer_ids")
	want(call(http.MethodPost, "/api/v1/survey-programmes/:id/cycles", prog+"/cycles", s.startCycle, CycleRequest{CustomerIDs: tooMany[1:]}),
		http.StatusCreated, "")
	want(call(http.MethodGet, "/api/v1/survey-programmes/:id/cycles", prog+"/cycles", s.listCycles, nil), http.StatusOK, "")
	want(call(http.MethodGet, "/api/v1/survey-cycles/:id", cyc, s.getCycle, nil), http.StatusOK, "")
	want(call(http.MethodGet, "/api/v1/survey-cycles/:id", "/api/v1/survey-cycles/"+uuid.NewString(), s.getCycle, nil), http.StatusNotFound, "")
	want(call(http.MethodGet, "/api/v1/survey-cycles/:id/selections", cyc+"/selections", s.listSelections, nil), http.StatusOK, "")
	rec := call(http.MethodGet, "/api/v1/survey-cycles/:id/invitations", cyc+"/invitations", s.listInvitations, nil)
	var invs InvitationList
	if _ = json.Unmarshal(rec.Body.Bytes(), &invs); rec.Code != http.StatusOK || len(invs.Items) != len(fx.customers) || invs.Items[0].URL == "" {
		t.Errorf("invitations: %d %s", rec.Code, rec.Body)
	}

	// Answers: staff for invited customers only, the customer through a valid link.
	answer := StaffAnswer{CustomerID: "nobody", Channel: survey.ChannelVisit, Respondent: "张经理", Ratings: map[string]string{"service": survey.LevelSatisfied}}
	want(call(http.MethodPost, "/api/v1/survey-cycles/:id/answers", cyc+"/answers", s.enterAnswer, answer), http.StatusBadRequest, "customer_id")
	answer.CustomerID, answer.Channel = fx.customers[0].ID, survey.ChannelLink
	want(call(http.MethodPost, "/api/v1/survey-cycles/:id/answers", cyc+"/answers", s.enterAnswer, answer), http.StatusBadRequest, "channel")
	answer.Channel, answer.Ratings = survey.ChannelLetter, map[string]string{"service": "great"}
	want(call(http.MethodPost, "/api/v1/survey-cycles/:id/answers", cyc+"/answers", s.enterAnswer, answer), http.StatusBadRequest, "ratings.service")
	answer.Ratings = map[string]string{"service": survey.LevelSatisfied}
	want(call(http.MethodPost, "/api/v1/survey-cycles/:id/answers", cyc+"/answers", s.enterAnswer, answer), http.StatusCreated, "")

	publicOp := doc.Paths.Find("/public/survey/{token}")
	link := s.security.Links.Sign(LinkPurposeSurvey, fx.invitations[0].ID, time.Now().Add(time.Hour))
	get := routed(http.MethodGet, "/public/survey/:token", s.publicSurvey)
	post := routed(http.MethodPost, "/public/survey/:token", s.publicSurveyAnswer)
	rec = serve(get, http.MethodGet, "/public/survey/"+link, nil)
	checkAnswer(t, publicOp.Get, "GET /public/survey/{token}", rec)
	var ps PublicSurvey
	if _ = json.Unmarshal(rec.Body.Bytes(), &ps); rec.Code != http.StatusOK || !ps.Open || !ps.Answered || len(ps.Questionnaire.Dimensions) == 0 {
		t.Errorf("the customer's questionnaire: %d %s", rec.Code, rec.Body)
	}
	for _, tok := range []string{link + "x", s.security.Links.Sign(LinkPurposeCallback, fx.invitations[0].ID, time.Now().Add(time.Hour)),
		s.security.Links.Sign(LinkPurposeSurvey, uuid.NewString(), time.Now().Add(time.Hour))} {
		rec = serve(get, http.MethodGet, "/public/survey/"+tok, nil)
		checkAnswer(t, publicOp.Get, "GET /public/survey/{token}", rec)
		want(rec, http.StatusForbidden, "")
		rec = serve(post, http.MethodPost, "/public/survey/"+tok, PublicAnswer{})
		checkAnswer(t, publicOp.Post, "POST /public/survey/{token}", rec)
		want(rec, http.StatusForbidden, "")
	}
	rec = serve(post, http.MethodPost, "/public/survey/"+link, PublicAnswer{Recommend: openAPIPtr(11)})
	checkAnswer(t, publicOp.Post, "POST /public/survey/{token}", rec)
	want(rec, http.StatusBadRequest, "recommend")

	// A closed survey takes no answers, from staff or customers.
	if err := needStore(t).CloseCycle(context.Background(), fx.cycle.ID, survey.Stats{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	want(call(http.MethodPost, "/api/v1/survey-cycles/:id/answers", cyc+"/answers", s.enterAnswer, answer), http.StatusGone, "")
	rec = serve(post, http.MethodPost, "/public/survey/"+link, PublicAnswer{})
	checkAnswer(t, publicOp.Post, "POST /public/survey/{token}", rec)
	want(rec, http.StatusGone, "")

	// Deliveries.
	d := workflows.Delivery{CustomerID: fx.customers[0].ID, ProgrammeID: "not-a-programme", DeliveredAt: time.Now().UTC()}
	want(call(http.MethodPost, "/api/v1/deliveries", "/api/v1/deliveries", s.postDelivery, d), http.StatusBadRequest, "programme_id")
	d.ProgrammeID, d.CustomerID = fx.programme.ID, "nobody"
	want(call(http.MethodPost, "/api/v1/deliveries", "/api/v1/deliveries", s.postDelivery, d), http.StatusBadRequest, "customer_id")
	d.CustomerID, d.DeliveredAt = fx.customers[0].ID, time.Now().Add(48*time.Hour)
	want(call(http.MethodPost, "/api/v1/deliveries", "/api/v1/deliveries", s.postDelivery, d), http.StatusBadRequest, "delivered_at")
	d.DeliveredAt = time.Now().UTC()
	rec = call(http.MethodPost, "/api/v1/deliveries", "/api/v1/deliveries", s.postDelivery, d)
	var ds DeliveryStarted
	if _ = json.Unmarshal(rec.Body.Bytes(), &ds); rec.Code != http.StatusAccepted || len(ds.FollowUps) != len(workflows.FollowUpMonths) {
		t.Errorf("a delivery: %d %s", rec.Code, rec.Body)
	}
}

// The CSV import answers as documented; its 400 names file.
func TestOpenAPICustomerImport(t *testing.T) {
	doc := loadOpenAPI(t)
	s := testServer(t, &captureClient{})
	op := operation(t, doc, http.MethodPost, "/api/v1/customers/import")
	if op.RequestBody == nil || op.RequestBody.Value.Content.Get("text/csv") == nil {
		t.Fatal("the import does not document a text/csv body")
	}
	h := signedIn(allRoles(), http.MethodPost, "/api/v1/customers/import", s.importCustomers)
	n := userSeq.Add(1)
	file := fmt.Sprintf("\uFEFF客户编号,客户名称,等级,年采购额,合作年限,有潜力,代表性项目,类别,联系人,电话,邮箱\n"+
		"I%d-1,华东电气,a,120万元,3年,否,是,device,王伟,138 0000 0000,wang@example.com\n"+
		"I%d-2,,D,很多,2,也许,否,,,,\n"+
		"I%d-3,苏南机械,B,\"1,200,000\",1,Y,N,engineering,李强,,li@example.com\n", n, n, n)
	rec := serve(h, http.MethodPost, "/api/v1/customers/import", []byte(file), "Content-Type", "text/csv")
	checkAnswer(t, op, "an import", rec)
	var res ImportResult
	if _ = json.Unmarshal(rec.Body.Bytes(), &res); rec.Code != http.StatusOK || res.Imported != 2 || len(res.Errors) == 0 || res.Errors[0].Line != 3 {
		t.Errorf("an import: %d %s", rec.Code, rec.Body)
	}
	for _, bad := range []string{"", "客户编号,客户名称\nX,Y\n", "id,name,annual_volume,bogus\n", "\xff\xfeid,name\n"} {
		rec := serve(h, http.MethodPost, "/api/v1/customers/import", []byte(bad), "Content-Type", "text/csv")
		checkAnswer(t, op, "a bad file", rec)
		var e Error
		if _ = json.Unmarshal(rec.Body.Bytes(), &e); rec.Code != http.StatusBadRequest || e.Field != "file" {
			t.Errorf("file %q: %d %s", bad, rec.Code, rec.Body)
		}
	}
	big := bytes.NewBufferString("id,name,annual_volume\n")
	for big.Len() <= maxCSV {
		big.WriteString("X,名称名称名称名称名称名称名称名称名称名称,1\n")
	}
	rec = serve(h, http.MethodPost, "/api/v1/customers/import", big.Bytes(), "Content-Type", "text/csv")
	checkAnswer(t, op, "a file too large", rec)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a file of %d bytes: %d %s", big.Len(), rec.Code, rec.Body)
	}
}

// The columns the import documents are those survey.ParseCSV reads, with
// the same headers and the same required ones.
func TestOpenAPICSVColumns(t *testing.T) {
	doc := loadOpenAPI(t)
	desc := doc.Paths.Find("/api/v1/customers/import").Post.RequestBody.Value.Description
	var known []string
	for _, c := range csvColumns {
		known = append(known, strings.Join(c.headers, "/"))
		for _, h := range c.headers {
			if !strings.Contains(desc, h) {
				t.Errorf("the import does not document header %s", h)
			}
		}
	}
	_, _, err := survey.ParseCSV(strings.NewReader("bogus\n"))
	if err == nil || !strings.HasSuffix(err.Error(), "the columns are "+strings.Join(known, ", ")) {
		t.Errorf("ParseCSV knows other columns than the document: %v", err)
	}
	// Each column may be left out unless the document says it is required;
	// headers match in any case, with spaces around.
	values := map[string]string{"id": "X1", "name": "名称", "annual_volume": "1"}
	for _, c := range csvColumns {
		var header, row []string
		for _, o := range csvColumns {
			if o.field != c.field {
				header, row = append(header, " "+strings.ToUpper(o.headers[len(o.headers)-1])+" "), append(row, values[o.field])
			}
		}
		customers, _, err := survey.ParseCSV(strings.NewReader(strings.Join(header, ",") + "\n" + strings.Join(row, ",") + "\n"))
		missing := err != nil && strings.Contains(err.Error(), "column "+c.field+" is required")
		switch {
		case missing != c.required:
			t.Errorf("a file without %s: %v, but the document says required=%v", c.field, err, c.required)
		case !c.required && (err != nil || len(customers) != 1):
			t.Errorf("a file without %s: %v %v", c.field, customers, err)
		}
	}
}

// storeImprovement saves a under a new ID (and business key, when it has
// one), as the workflow would, and returns it as stored.
func storeImprovement(t *testing.T, a improvement.Action, requestHash string) improvement.Action {
	t.Helper()
	st, ctx := needStore(t), context.Background()
	if a.BusinessKey != "" {
		a.BusinessKey += ":" + uuid.NewString()
		a.ID = improvement.IDFor(a.BusinessKey)
	} else {
		a.ID = uuid.NewString()
	}
	events := a.Timeline
	a.Timeline = nil
	if err := st.SaveImprovement(ctx, a, events, requestHash); err != nil {
		t.Fatal(err)
	}
	stored, err := st.GetImprovement(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return stored.Action
}

// sampleImprovement is an action in its second round, after a plan that
// was not effective, with every field set.
func sampleImprovement() improvement.Action {
	at := openAPIt0
	by := complaint.Actor{ID: "u-1", Name: "李娜", Role: "department_member", Roles: []org.Role{org.RoleDepartmentMember}, Department: "engineering"}
	verifier := complaint.Actor{ID: "u-2", Name: "王芳", Role: "quality_department", Roles: []org.Role{org.RoleQualityDepartment}, Department: "quality"}
	day := 24 * time.Hour
	planDue, due, stepDue := at.Add(8*day), at.Add(30*day), at.Add(17*day)
	planned, completed, verified := at.Add(2*day), at.Add(6*day), at.Add(12*day)
	cycle := "4c1d2b7e-0a9f-4e55-9c3b-7d2e1f0a6b55"
	return improvement.Action{
		ID:         "3f1c9a2e-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
		Source:     improvement.Source{Kind: improvement.SourceSurvey, CycleID: cycle, Dimension: "delivery_time"},
		Department: "engineering", Title: "交货期不满意整改", Description: "两家重点客户对交货期不满意。", Refs: 2,
		BusinessKey: improvement.SurveyKey(cycle, "delivery_time", "engineering"),
		Status:      improvement.StepPlan, StatusLabel: improvement.StepPlan.Label(), Round: 2,
		DueAt: due, StepDueAt: &stepDue, Overdue: true, EscalationLevel: complaint.LevelDepartmentHead,
		Verifiers: improvement.DefaultPolicy().Verifiers, OpenedBy: complaint.SystemActor, CreatedAt: at,
		Rounds: []improvement.Round{
			{Number: 1, StartedAt: at,
				Plan:         &improvement.PlanRecord{Plan: "增加备货", DueAt: &planDue, By: by, At: planned},
				Completion:   &improvement.CompletionRecord{Result: "已增加备货", By: by, At: completed},
				Verification: &improvement.VerificationRecord{Effective: false, Comment: "交期未改善", By: verifier, At: verified}},
			{Number: 2, StartedAt: verified},
		},
		Deadlines: []improvement.Deadline{
			{Step: improvement.StepPlan, Round: 1, StartedAt: at, DueAt: at.Add(5 * day), CompletedAt: &planned},
			{Step: improvement.StepCompletion, Round: 1, StartedAt: planned, DueAt: planDue, CompletedAt: &completed},
			{Step: improvement.StepVerification, Round: 1, StartedAt: completed, DueAt: completed.Add(7 * day), CompletedAt: &verified},
			{Step: improvement.StepPlan, Round: 2, StartedAt: verified, DueAt: stepDue},
		},
		Escalations: []improvement.Escalation{{Seq: 1, Step: improvement.StepPlan, Round: 2, Level: complaint.LevelDepartmentHead, At: stepDue, DueAt: stepDue,
			Reason: improvement.ReasonOverdue, Notify: []string{"工程部经理"}}},
		Timeline: []improvement.Event{
			{Seq: 1, At: at, Step: improvement.StepOpen, Round: 1, Action: improvement.ActionOpened, Actor: complaint.SystemActor, Detail: json.RawMessage(`{"title":"交货期不满意整改"}`)},
			{Seq: 2, At: planned, Step: improvement.StepPlan, Round: 1, Action: improvement.ActionPlanned, Actor: by, Detail: json.RawMessage(`{"plan":"增加备货"}`)},
			{Seq: 3, At: verified, Step: improvement.StepVerification, Round: 1, Action: improvement.ActionNotEffective, Actor: verifier},
			{Seq: 4, At: verified, Step: improvement.StepPlan, Round: 2, Action: improvement.ActionNewRound, Actor: verifier},
		},
		PolicyVersion: improvement.DefaultPolicy().Version, Version: 7,
	}
}

// closedImprovement is an action verified effective.
func closedImprovement() improvement.Action {
	a := sampleImprovement()
	closed := a.Rounds[1].StartedAt.Add(72 * time.Hour)
	a.Status, a.StatusLabel, a.Resolution, a.StepDueAt, a.ClosedAt, a.Overdue = improvement.StepClosed, improvement.StepClosed.Label(), improvement.ResolutionEffective, nil, &closed, false
	a.Timeline = append(a.Timeline, improvement.Event{Seq: 5, At: closed, Step: improvement.StepClosed, Round: 2, Action: improvement.ActionClosed, Actor: a.Timeline[2].Actor})
	return a
}

// Each improvement step route documents the body its handler decodes: the
// example passes the handler and reaches the action's workflow as that type,
// as the Update the step names; the handler then answers with the stored action.
func TestOpenAPIImprovementStepBodiesMatchHandlers(t *testing.T) {
	doc := loadOpenAPI(t)
	examples := validRequests()
	a := storeImprovement(t, sampleImprovement(), "")
	for _, st := range improvementSteps {
		route := "/api/v1/improvement-actions/:id/" + st.path
		op := operation(t, doc, http.MethodPost, route)
		typ := reflect.TypeOf(st.input)
		if ref := op.RequestBody.Value.Content.Get("application/json").Schema.Ref; ref != "#/components/schemas/"+componentName(typ) {
			t.Errorf("%s body is %s, want %v", route, ref, typ)
		}
		cc := &captureClient{}
		h := signedIn(allRoles(), http.MethodPost, route, st.handle(testServer(t, cc)))
		rec := serve(h, http.MethodPost, "/api/v1/improvement-actions/"+a.ID+"/"+st.path, examples[typ])
		if cc.input != typ || cc.update != st.path {
			t.Errorf("POST %s: the handler sent %s with %v (status %d: %s), the document says %v", route, cc.update, cc.input, rec.Code, rec.Body, typ)
			continue
		}
		checkAnswer(t, op, "POST "+route, rec)
		var got improvement.Action
		if _ = json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != http.StatusOK || got.ID != a.ID {
			t.Errorf("POST %s: %d %s", route, rec.Code, rec.Body)
		}
		rec = serve(h, http.MethodPost, "/api/v1/improvement-actions/nope/"+st.path, examples[typ])
		checkAnswer(t, op, "POST "+route, rec)
		if rec.Code != http.StatusNotFound {
			t.Errorf("POST %s to no action: %d %s", route, rec.Code, rec.Body)
		}
	}
}

// Opening, reading and listing improvement actions answer as documented:
// the required fields are those the handler rejects without, a repeated
// Idempotency-Key replays the action it opened, and one reused for other
// content is a 409.
func TestOpenAPIImprovementOpenAndRead(t *testing.T) {
	doc := loadOpenAPI(t)
	s := testServer(t, &captureClient{})
	openOp := operation(t, doc, http.MethodPost, "/api/v1/improvement-actions")
	for _, ex := range openExamples() {
		if err := componentSchema(t, doc, "ImprovementOpenInput").VisitJSON(toJSONValue(t, ex.input), openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("the %s example does not match ImprovementOpenInput: %v", ex.input.Source.Kind, err)
		}
	}

	// An action already opened under a key, as the workflow stores it.
	in := openExamples()[2].input
	due := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Microsecond)
	in.DueAt = &due
	a := sampleImprovement()
	a.Source, a.Department, a.Title, a.Description, a.Refs, a.DueAt, a.BusinessKey = in.Source, in.Department, in.Title, in.Description, in.Refs, due, "test"
	a = storeImprovement(t, a, in.Hash())
	h := signedIn(allRoles(), http.MethodPost, "/api/v1/improvement-actions", s.openImprovement)
	send := func(body any, key string, u ...org.User) *httptest.ResponseRecorder {
		t.Helper()
		hh := h
		if len(u) > 0 {
			hh = signedIn(u[0], http.MethodPost, "/api/v1/improvement-actions", s.openImprovement)
		}
		rec := serve(hh, http.MethodPost, "/api/v1/improvement-actions", body, "Idempotency-Key", key)
		checkAnswer(t, openOp, "POST /api/v1/improvement-actions", rec)
		return rec
	}
	rec := send(in, a.BusinessKey)
	var got improvement.Action
	if _ = json.Unmarshal(rec.Body.Bytes(), &got); rec.Code != http.StatusCreated || got.ID != a.ID ||
		rec.Header().Get("Idempotent-Replayed") != "true" || rec.Header().Get("Location") != "/api/v1/improvement-actions/"+a.ID {
		t.Errorf("a replayed open: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	full := toJSONValue(t, in).(map[string]any)
	var required []string
	for name := range full {
		without := maps.Clone(full)
		delete(without, name)
		rec := send(without, a.BusinessKey)
		var e Error
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		switch {
		case rec.Code == http.StatusBadRequest && (e.Field == name || strings.HasPrefix(e.Field, name+".")):
			required = append(required, name)
		case rec.Code != http.StatusConflict: // other content under the same key
			t.Errorf("an open without %s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if want := componentSchema(t, doc, "ImprovementOpenInput").Required; !sameSet(required, want) {
		t.Errorf("ImprovementOpenInput: the handler requires %v, the document says %v", required, want)
	}
	for _, c := range []struct {
		what   string
		mutate func(*improvement.OpenInput)
		status int
		field  string
	}{
		{"other content", func(in *improvement.OpenInput) { in.Title = "另一个标题" }, http.StatusConflict, "Idempotency-Key"},
		{"no such department", func(in *improvement.OpenInput) { in.Department = "nowhere" }, http.StatusBadRequest, "department"},
		{"no such complaint", func(in *improvement.OpenInput) {
			in.Source = improvement.Source{Kind: improvement.SourceComplaint, ComplaintID: uuid.NewString()}
		}, http.StatusBadRequest, "source.complaint_id"},
		{"a past due date", func(in *improvement.OpenInput) { in.DueAt = openAPIPtr(time.Now().Add(-time.Hour)) }, http.StatusBadRequest, "due_at"},
	} {
		body := in
		c.mutate(&body)
		rec := send(body, a.BusinessKey)
		var e Error
		if _ = json.Unmarshal(rec.Body.Bytes(), &e); rec.Code != c.status || e.Field != c.field {
			t.Errorf("an open with %s: %d %s, want %d naming %s", c.what, rec.Code, rec.Body, c.status, c.field)
		}
	}
	if rec := send(in, strings.Repeat("k", improvement.MaxBusinessKey+1)); rec.Code != http.StatusBadRequest {
		t.Errorf("a long Idempotency-Key: %d %s", rec.Code, rec.Body)
	}
	if rec := send(in, a.BusinessKey, withRoles(org.RoleIntakeClerk)); rec.Code != http.StatusForbidden {
		t.Errorf("customer service opened an action: %d %s", rec.Code, rec.Body)
	}
	branch := withRoles(org.RoleBranchHead)
	branch.Department = "suzhou"
	if rec := send(in, a.BusinessKey, branch); rec.Code != http.StatusForbidden {
		t.Errorf("a branch head opened another department's action: %d %s", rec.Code, rec.Body)
	}

	// Reading and listing.
	getOp := operation(t, doc, http.MethodGet, "/api/v1/improvement-actions/:id")
	listOp := operation(t, doc, http.MethodGet, "/api/v1/improvement-actions")
	for _, c := range []struct {
		u      org.User
		path   string
		status int
	}{
		{allRoles(), "/api/v1/improvement-actions/" + a.ID, http.StatusOK},
		{withRoles(org.RoleIntakeClerk), "/api/v1/improvement-actions/" + a.ID, http.StatusForbidden},
		{withRoles(org.RoleDepartmentMember), "/api/v1/improvement-actions/" + a.ID, http.StatusForbidden}, // after-sales, not engineering
		{allRoles(), "/api/v1/improvement-actions/" + uuid.NewString(), http.StatusNotFound},
		{allRoles(), "/api/v1/improvement-actions/nope", http.StatusNotFound},
	} {
		rec := serve(signedIn(c.u, http.MethodGet, "/api/v1/improvement-actions/:id", s.getImprovement), http.MethodGet, c.path, nil)
		checkAnswer(t, getOp, "GET "+c.path, rec)
		if rec.Code != c.status {
			t.Errorf("GET %s as %v: %d %s, want %d", c.path, c.u.Roles, rec.Code, rec.Body, c.status)
		}
	}
	for _, c := range []struct {
		u      org.User
		query  string
		status int
	}{
		{allRoles(), "?status=plan&source=manual&department=engineering&overdue=false&limit=5", http.StatusOK},
		{allRoles(), "?complaint_id=" + uuid.NewString(), http.StatusOK},
		{withRoles(org.RoleIntakeClerk), "", http.StatusOK},
		{withRoles(org.RoleDepartmentMember), "?department=engineering", http.StatusOK},
		{allRoles(), "?status=open", http.StatusBadRequest},
		{allRoles(), "?source=audit", http.StatusBadRequest},
		{allRoles(), "?complaint_id=x", http.StatusBadRequest},
		{allRoles(), "?overdue=maybe", http.StatusBadRequest},
		{allRoles(), "?limit=0", http.StatusBadRequest},
		{allRoles(), "?cursor=zzz", http.StatusBadRequest},
	} {
		rec := serve(signedIn(c.u, http.MethodGet, "/api/v1/improvement-actions", s.listImprovements), http.MethodGet, "/api/v1/improvement-actions"+c.query, nil)
		checkAnswer(t, listOp, "GET /api/v1/improvement-actions"+c.query, rec)
		if rec.Code != c.status {
			t.Errorf("GET /api/v1/improvement-actions%s as %v: %d %s, want %d", c.query, c.u.Roles, rec.Code, rec.Body, c.status)
		}
	}
	// The documented query parameters are those the handler reads.
	var params []string
	for _, p := range listOp.Parameters {
		params = append(params, p.Value.Name)
	}
	if want := []string{"status", "source", "department", "cycle_id", "complaint_id", "overdue", "limit", "cursor"}; !sameSet(params, want) {
		t.Errorf("GET /api/v1/improvement-actions documents %v, the handler reads %v", params, want)
	}
}

// The constraints documented for survey and improvement fields accept
// exactly what the server does.
func TestOpenAPISurveyConstraints(t *testing.T) {
	doc := loadOpenAPI(t)
	prop := func(schema, name string) *openapi3.Schema {
		t.Helper()
		p := componentSchema(t, doc, schema).Properties[name]
		if p == nil {
			t.Fatalf("%s has no property %s", schema, name)
		}
		return p.Value
	}
	for _, v := range []string{"on_time", "a", "a1_b", "Delivery", "1a", "_a", "a-b", strings.Repeat("a", 40), strings.Repeat("a", 41), ""} {
		q := survey.DefaultQuestionnaire()
		q.Dimensions[0].Code = v
		if got, want := prop("SurveyDimension", "code").VisitJSON(v) == nil, q.Validate() == nil; got != want {
			t.Errorf("dimension code %q: the schema accepts it: %v, Validate: %v", v, got, want)
		}
		sc := survey.DefaultScale()
		sc.Levels[0].Code = v
		if got, want := prop("ScaleLevel", "code").VisitJSON(v) == nil, sc.Validate() == nil; got != want {
			t.Errorf("level code %q: the schema accepts it: %v, Validate: %v", v, got, want)
		}
	}
	for _, v := range []float64{-0.1, 0, 0.5, 1, 1.1} {
		if got, want := prop("CoverageRule", "share").VisitJSON(v) == nil, survey.ValidateCoverage([]survey.CoverageRule{{Name: "r", Share: v}}) == nil; got != want {
			t.Errorf("share %g: the schema accepts it: %v, Validate: %v", v, got, want)
		}
		if got, want := prop("SurveyTargets", "return_rate").VisitJSON(v) == nil, (survey.Targets{ReturnRate: v}).Validate() == nil; got != want {
			t.Errorf("return_rate %g: the schema accepts it: %v, Validate: %v", v, got, want)
		}
	}
	q := surveyQuestionnaire()
	for _, v := range []int{-1, 0, 10, 11} {
		a := survey.Answer{CustomerID: "c", Recommend: &v}
		for _, schema := range []string{"StaffAnswer", "PublicAnswer"} {
			if got, want := prop(schema, "recommend").VisitJSON(float64(v)) == nil, q.ValidateAnswer(a) == nil; got != want {
				t.Errorf("%s recommend %d: the schema accepts it: %v, ValidateAnswer: %v", schema, v, got, want)
			}
		}
	}
	for _, n := range []int{200, 201} {
		in := openExamples()[2].input
		in.Title = strings.Repeat("改", n)
		if got, want := prop("ImprovementOpenInput", "title").VisitJSON(in.Title) == nil, in.Validate(openAPIt0) == nil; got != want {
			t.Errorf("a title of %d characters: the schema accepts it: %v, Validate: %v", n, got, want)
		}
	}
	for _, n := range []int{10000, 10001} {
		in := improvement.PlanInput{Plan: strings.Repeat("计", n)}
		if got, want := prop("ImprovementPlanInput", "plan").VisitJSON(in.Plan) == nil, in.Validate() == nil; got != want {
			t.Errorf("a plan of %d characters: the schema accepts it: %v, Validate: %v", n, got, want)
		}
	}
	for _, v := range []string{"quality", "Quality", "质量部"} {
		in := openExamples()[2].input
		in.Department = v
		if got, want := prop("ImprovementOpenInput", "department").VisitJSON(v) == nil, in.Validate(openAPIt0) == nil; got != want {
			t.Errorf("department %q: the schema accepts it: %v, Validate: %v", v, got, want)
		}
	}
	// Every schedule kind documented is one Validate accepts, and no other.
	for _, k := range append(slices.Clone(scheduleKinds), "weekly") {
		sc := survey.Schedule{Kind: k, Cron: "0 9 1 * *"}
		if got, want := componentSchema(t, doc, "ScheduleKind").VisitJSON(string(k)) == nil, sc.Validate() == nil; got != want {
			t.Errorf("schedule kind %s: the schema accepts it: %v, Validate: %v", k, got, want)
		}
	}
}

// sampleStats are a cycle's statistics as survey.ComputeStats computes them
// from a few answers, with a previous cycle for the trends.
func sampleStats(t *testing.T) (first, second survey.Stats) {
	t.Helper()
	q := surveyQuestionnaire()
	answers := []survey.Answer{
		{CustomerID: "C1", Segment: "device", Tier: survey.TierA, Recommend: openAPIPtr(9),
			Ratings:    map[string]string{"product_quality": survey.LevelVerySatisfied, "delivery_time": survey.LevelDissatisfied},
			Competitor: map[string]string{"delivery_time": survey.LevelSatisfied}, Comment: "交期太长"},
		{CustomerID: "C2", Tier: survey.TierB, Recommend: openAPIPtr(5), Ratings: map[string]string{"product_quality": survey.LevelSatisfied, "service": survey.LevelVeryDissatisfied}},
		{CustomerID: "C3", Segment: "engineering", Ratings: map[string]string{"product_quality": survey.LevelNeutral}},
	}
	first, err := survey.ComputeStats(survey.StatsInput{Questionnaire: q, Targets: survey.DefaultTargets(), Population: 5, Issued: 4, Answers: answers[:2]})
	if err != nil {
		t.Fatal(err)
	}
	second, err = survey.ComputeStats(survey.StatsInput{Questionnaire: q, Targets: survey.DefaultTargets(), Population: 5, Issued: 4, Answers: answers, Previous: &first})
	if err != nil {
		t.Fatal(err)
	}
	return first, second
}

// Survey and improvement responses marshalled from the Go types validate
// against their schemas, and the schemas reject what the types cannot produce.
func TestOpenAPISurveyAndImprovementRoundTrip(t *testing.T) {
	doc := loadOpenAPI(t)
	first, second := sampleStats(t)
	empty, err := survey.ComputeStats(survey.StatsInput{Questionnaire: survey.DefaultQuestionnaire(), Targets: survey.DefaultTargets()})
	if err != nil {
		t.Fatal(err)
	}
	def := survey.Definition{ID: "7e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", Name: "重点客户季度满意度调查", Programme: survey.DefaultProgramme(), Run: survey.DefaultRun(),
		Schedule: survey.Schedule{Kind: survey.ScheduleManual}, Version: 1}
	opened, closes, closed := openAPIt0, openAPIt0.Add(21*24*time.Hour), openAPIt0.Add(21*24*time.Hour+time.Minute)
	cycle := store.Cycle{ID: "4c1d2b7e-0a9f-4e55-9c3b-7d2e1f0a6b55", ProgrammeID: def.ID, WorkflowID: "survey-cycle:" + def.ID + ":1", Status: store.CycleClosed,
		Definition: def, Population: 5, Chosen: 4, Issued: 4, Returned: 3, OpenedAt: &opened, ClosesAt: &closes, ClosedAt: &closed,
		EscalationLevel: string(complaint.LevelDepartmentHead), Actions: 2, Stats: &second, CreatedAt: openAPIt0}
	drawing := store.Cycle{ID: cycle.ID, ProgrammeID: def.ID, WorkflowID: cycle.WorkflowID, Status: store.CycleDrawing, Definition: definitionExample(), CreatedAt: openAPIt0}
	drawing.Definition.ID, drawing.Definition.Run.Reminders = def.ID, nil
	customers := []survey.Customer{
		{ID: "C1", Name: "华东电气", Tier: survey.TierA, AnnualVolume: 1_200_000, YearsAsCustomer: 3, Potential: true, Representative: true, Segment: "device",
			Contacts: []survey.Contact{{Name: "王伟", Phone: "138 0000 0000", Email: "wang@example.com"}}},
		{ID: "C2", Name: "苏南机械", AnnualVolume: 0},
	}
	_, rowErrs, err := survey.ParseCSV(strings.NewReader("客户编号,客户名称,年采购额\nC1,,很多\n,x,1\nC3,y\n"))
	if err != nil || len(rowErrs) < 3 {
		t.Fatalf("ParseCSV: %v %v", rowErrs, err)
	}
	answeredAt := openAPIt0.Add(time.Hour)
	invitation := store.Invitation{ID: "9a0e5b8c-1f2d-4e3a-8b7c-6d5e4f3a2b10", CycleID: cycle.ID, CustomerID: "C1", Channel: survey.ChannelLink, IssuedAt: openAPIt0}
	answeredInv := invitation
	answeredInv.Channel, answeredInv.Reminders, answeredInv.AnsweredAt = survey.ChannelPhone, 2, &answeredAt

	cases := []struct {
		schema string
		value  any
	}{
		{"SurveyStats", first},
		{"SurveyStats", second},
		{"SurveyStats", empty},
		{"SurveyCycle", cycle},
		{"SurveyCycle", drawing},
		{"CycleList", CycleList{Items: []store.Cycle{cycle, drawing}}},
		{"CycleList", CycleList{Items: []store.Cycle{}}},
		{"SurveyDefinition", def},
		{"SurveyDefinition", definitionExample()},
		{"ProgrammeList", ProgrammeList{Items: []survey.Definition{def}}},
		{"ProgrammeList", ProgrammeList{Items: []survey.Definition{}}},
		{"CustomerList", CustomerList{Items: customers, Next: "C2"}},
		{"CustomerList", CustomerList{Items: []survey.Customer{}}},
		{"ImportResult", ImportResult{Imported: 12, Errors: rowErrs}},
		{"ImportResult", ImportResult{Errors: []survey.RowError{}}},
		{"SelectionList", SelectionList{Items: survey.Sample(append(customers, survey.Customer{ID: "C9", Name: "n", AnnualVolume: 600_000}), survey.DefaultCoverage(), cycle.ID)}},
		{"InvitationList", InvitationList{Items: []InvitationView{{Invitation: invitation, URL: "https://cxflow.example.com/public/survey/abc.def"}, {Invitation: answeredInv}}}},
		{"ScheduleState", ScheduleState{Cron: "0 9 1 3,6,9,12 *", Paused: true, Note: "春节期间暂停", NextRun: []time.Time{}}},
		{"ScheduleState", ScheduleState{Cron: "0 9 1 3,6,9,12 *", NextRun: []time.Time{openAPIt0}}},
		{"StartedCycle", StartedCycle{CycleID: cycle.ID, WorkflowID: cycle.WorkflowID}},
		{"DeliveryStarted", DeliveryStarted{WorkflowID: "delivery:C1:DN-1", FollowUps: []time.Time{openAPIt0, openAPIt0.AddDate(0, 3, 0)}}},
		{"PublicSurvey", PublicSurvey{Programme: def.Name, Questionnaire: surveyQuestionnaire(), ClosesAt: &closes, Open: true}},
		{"PublicSurvey", PublicSurvey{Programme: def.Name, Questionnaire: survey.DefaultQuestionnaire(), Answered: true}},
		{"AnswerReceipt", map[string]any{"status": "answered", "cycle_id": cycle.ID}},

		{"ImprovementAction", sampleImprovement()},
		{"ImprovementAction", closedImprovement()},
		{"ImprovementList", ImprovementList{Items: []improvement.Action{sampleImprovement(), closedImprovement()}, NextCursor: "abc"}},
		{"ImprovementList", ImprovementList{Items: []improvement.Action{}}},
	}
	for _, c := range cases {
		if err := componentSchema(t, doc, c.schema).VisitJSON(toJSONValue(t, c.value), openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("%s %+v does not match its schema: %v", c.schema, c.value, err)
		}
	}

	for name, c := range map[string]struct {
		schema string
		value  any
		mutate func(map[string]any)
	}{
		"a bogus cycle status":     {"SurveyCycle", cycle, func(m map[string]any) { m["status"] = "paused" }},
		"a bogus escalation":       {"SurveyCycle", cycle, func(m map[string]any) { m["escalation_level"] = "general_manager" }},
		"a bogus schedule kind":    {"SurveyDefinition", def, func(m map[string]any) { m["schedule"].(map[string]any)["kind"] = "weekly" }},
		"a bogus run channel":      {"SurveyDefinition", def, func(m map[string]any) { m["run"].(map[string]any)["channel"] = "fax" }},
		"a window in words":        {"SurveyDefinition", def, func(m map[string]any) { m["run"].(map[string]any)["window"] = "three weeks" }},
		"no coverage":              {"SurveyDefinition", def, func(m map[string]any) { m["programme"].(map[string]any)["coverage"] = nil }},
		"a stats without index":    {"SurveyCycle", cycle, func(m map[string]any) { delete(m["stats"].(map[string]any), "index") }},
		"a bogus tier":             {"CustomerList", CustomerList{Items: customers}, func(m map[string]any) { m["items"].([]any)[0].(map[string]any)["tier"] = "D" }},
		"a bogus invitation":       {"InvitationList", InvitationList{Items: []InvitationView{{Invitation: invitation}}}, func(m map[string]any) { m["items"].([]any)[0].(map[string]any)["channel"] = "fax" }},
		"an open action status":    {"ImprovementAction", sampleImprovement(), func(m map[string]any) { m["status"] = "open" }},
		"a bogus source":           {"ImprovementAction", sampleImprovement(), func(m map[string]any) { m["source"].(map[string]any)["kind"] = "audit" }},
		"a bogus resolution":       {"ImprovementAction", closedImprovement(), func(m map[string]any) { m["resolution"] = "resolved" }},
		"a bogus verifier":         {"ImprovementAction", sampleImprovement(), func(m map[string]any) { m["verifiers"] = []any{"janitor"} }},
		"a closed deadline":        {"ImprovementAction", sampleImprovement(), func(m map[string]any) { m["deadlines"].([]any)[0].(map[string]any)["step"] = "closed" }},
		"an owner escalation":      {"ImprovementAction", sampleImprovement(), func(m map[string]any) { m["escalations"].([]any)[0].(map[string]any)["level"] = "owner" }},
		"a bogus timeline step":    {"ImprovementAction", sampleImprovement(), func(m map[string]any) { m["timeline"].([]any)[0].(map[string]any)["step"] = "record" }},
		"an action without rounds": {"ImprovementAction", sampleImprovement(), func(m map[string]any) { delete(m, "rounds") }},
	} {
		v := toJSONValue(t, c.value).(map[string]any)
		c.mutate(v)
		if err := componentSchema(t, doc, c.schema).VisitJSON(v, openapi3.EnableFormatValidation()); err == nil {
			t.Errorf("%s schema accepts %s", c.schema, name)
		}
	}
}

// The survey programme bodies describe the defaults and the merging as the
// survey package has them.
func TestOpenAPISurveyDefaultsDescribed(t *testing.T) {
	doc := loadOpenAPI(t)
	desc := componentSchema(t, doc, "SurveyDefinitionInput").Description
	for _, r := range survey.DefaultCoverage() {
		if !strings.Contains(desc, r.Name) || !strings.Contains(desc, r.Label) {
			t.Errorf("SurveyDefinitionInput does not describe the default coverage rule %s: %s", r.Name, desc)
		}
	}
	for _, d := range survey.DefaultDimensions() {
		if !strings.Contains(desc, d.Code) {
			t.Errorf("SurveyDefinitionInput does not describe the default dimension %s", d.Code)
		}
	}
	for _, sc := range []survey.Scale{survey.DefaultScale(), survey.AssessmentScale(), survey.EmployeeScale()} {
		if !strings.Contains(componentSchema(t, doc, "RatingScale").Description, describeScale(sc)) {
			t.Errorf("RatingScale does not describe the preset %s", sc.Name)
		}
	}
	delivery := componentSchema(t, doc, "Delivery").Description
	for _, m := range workflows.FollowUpMonths {
		if !strings.Contains(followUpDoc(), fmt.Sprint(m)) || !strings.Contains(delivery, followUpDoc()) {
			t.Errorf("Delivery does not say the follow-up %d months after: %s", m, delivery)
		}
	}
}

// The outbox answers as documented, and its report body requires what the
// handler does.
func TestOpenAPINotifications(t *testing.T) {
	doc := loadOpenAPI(t)
	s := testServer(t, &captureClient{})
	ctx := context.Background()
	related := "survey-cycle:" + uuid.NewString()
	if _, err := needStore(t).Enqueue(ctx, []store.Notification{
		{Key: related + ":1", Channel: "email", Recipient: "wang@example.com", Subject: "满意度调查邀请", Body: "请填写", Link: "https://cxflow.example.com/public/survey/abc.def", Related: related},
		{Key: related + ":2", Channel: "task", Recipient: "department:market", Subject: "请电话调查客户", Body: "请录入答卷", Related: related},
	}); err != nil {
		t.Fatal(err)
	}
	listOp := operation(t, doc, http.MethodGet, "/api/v1/notifications")
	list := signedIn(allRoles(), http.MethodGet, "/api/v1/notifications", s.listNotifications)
	rec := serve(list, http.MethodGet, "/api/v1/notifications?status=pending&limit=1&related="+related, nil)
	checkAnswer(t, listOp, "GET /api/v1/notifications", rec)
	var page NotificationList
	if _ = json.Unmarshal(rec.Body.Bytes(), &page); rec.Code != http.StatusOK || len(page.Items) != 1 || page.NextAfter != page.Items[0].ID {
		t.Fatalf("the outbox: %d %s", rec.Code, rec.Body)
	}
	for _, q := range []string{"?status=lost", "?after=-1", "?limit=1001"} {
		rec := serve(list, http.MethodGet, "/api/v1/notifications"+q, nil)
		checkAnswer(t, listOp, "GET /api/v1/notifications"+q, rec)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("GET /api/v1/notifications%s: %d %s", q, rec.Code, rec.Body)
		}
	}

	route := "/api/v1/notifications/:id/status"
	op := operation(t, doc, http.MethodPost, route)
	h := signedIn(allRoles(), http.MethodPost, route, s.markNotification)
	path := fmt.Sprintf("/api/v1/notifications/%d/status", page.Items[0].ID)
	send := func(path string, body any) *httptest.ResponseRecorder {
		rec := serve(h, http.MethodPost, path, body)
		checkAnswer(t, op, "POST "+route, rec)
		return rec
	}
	sch := componentSchema(t, doc, "NotificationStatus")
	full := toJSONValue(t, NotificationStatus{Status: "failed", Note: "邮箱不存在"}).(map[string]any)
	if err := sch.VisitJSON(full); err != nil {
		t.Errorf("the example does not match NotificationStatus: %v", err)
	}
	if rec := send(path, full); rec.Code != http.StatusNoContent {
		t.Fatalf("a report: %d %s", rec.Code, rec.Body)
	}
	var required []string
	for name := range full {
		without := maps.Clone(full)
		delete(without, name)
		rec := send(path, without)
		var e Error
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		switch {
		case rec.Code == http.StatusBadRequest && e.Field == name:
			required = append(required, name)
		case rec.Code != http.StatusNoContent:
			t.Errorf("a report without %s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if !sameSet(required, sch.Required) {
		t.Errorf("NotificationStatus: the handler requires %v, the document says %v", required, sch.Required)
	}
	for _, c := range []struct {
		path   string
		body   any
		status int
	}{
		{path, NotificationStatus{Status: "pending"}, http.StatusBadRequest},
		{path, NotificationStatus{Status: "sent", Note: strings.Repeat("x", maxNotificationNote+1)}, http.StatusBadRequest},
		{path, map[string]any{"status": "sent", "unknown_field": 1}, http.StatusBadRequest},
		{"/api/v1/notifications/999999999/status", NotificationStatus{Status: "sent"}, http.StatusNotFound},
		{"/api/v1/notifications/x/status", NotificationStatus{Status: "sent"}, http.StatusNotFound},
	} {
		if rec := send(c.path, c.body); rec.Code != c.status {
			t.Errorf("POST %s %v: %d %s, want %d", c.path, c.body, rec.Code, rec.Body, c.status)
		}
	}
	if err := componentSchema(t, doc, "NotificationStatus").VisitJSON(map[string]any{"status": "pending"}); err == nil {
		t.Error("NotificationStatus schema accepts status pending")
	}
	rec = serve(list, http.MethodGet, "/api/v1/notifications?related="+related, nil)
	checkAnswer(t, listOp, "GET /api/v1/notifications", rec)
	if _ = json.Unmarshal(rec.Body.Bytes(), &page); len(page.Items) != 2 || page.Items[0].Status != "failed" || page.Items[1].Status != "pending" {
		t.Errorf("the outbox after a report: %s", rec.Body)
	}
}

// reportComplaints stores complaints received in the second quarter of 2011,
// which no other test uses: a founded, reopened and escalated one of the
// suzhou branch with completed steps, one not founded, and one whose category
// and a step are values the procedure no longer has.
func reportComplaints(t *testing.T) {
	t.Helper()
	at := time.Date(2011, 4, 11, 9, 0, 0, 0, reports.Location)
	done := func(h int) *time.Time { d := at.Add(time.Duration(h) * time.Hour); return &d }
	c := sampleComplaint()
	c.ReceivedAt, c.CreatedAt, c.ClosedAt = at, at, done(300)
	c.Branch, c.Department = "suzhou", "engineering"
	c.Deadlines = []complaint.Deadline{
		{Step: complaint.StepValidation, StartedAt: at, DueAt: *done(8), CompletedAt: done(3)},
		{Step: complaint.StepAssignment, StartedAt: *done(3), DueAt: *done(11), CompletedAt: done(20), SLAStatus: complaint.SLABreached},
		{Step: complaint.StepReview, StartedAt: *done(200), DueAt: *done(208)},
	}
	c.Escalations = []complaint.Escalation{{Seq: 1, Step: complaint.StepAssignment, Level: complaint.LevelDepartmentHead, At: *done(11), DueAt: *done(11), Reason: complaint.ReasonOverdue}}
	c.Timeline = nil
	storeComplaint(t, c)

	n := freshComplaint()
	n.ReceivedAt, n.CreatedAt = at.Add(24*time.Hour), at.Add(24*time.Hour)
	n.Validation = &complaint.ValidationRecord{Founded: false, Reason: "不属实", Reply: "已答复", At: n.ReceivedAt}
	n.Status, n.Resolution, n.DueAt, n.Deadlines = complaint.StepClosed, complaint.ResolutionNotFounded, nil, nil
	storeComplaint(t, n)

	old := freshComplaint()
	old.ReceivedAt, old.CreatedAt = at.Add(48*time.Hour), at.Add(48*time.Hour)
	old.Category = "after_sales"
	old.Deadlines = []complaint.Deadline{{Step: "acceptance", StartedAt: old.ReceivedAt, DueAt: old.ReceivedAt.Add(time.Hour), CompletedAt: done(49)}}
	storeComplaint(t, old)
}

// The complaint analysis report as documented: who may read it (the real
// middleware and the branch heads' scoping), its answers in each format, and
// the 400s naming the documented parameter at fault.
func TestOpenAPIComplaintAnalysis(t *testing.T) {
	doc := loadOpenAPI(t)
	const route = "/api/v1/reports/complaints"
	op := operation(t, doc, http.MethodGet, route)
	reportComplaints(t)
	st, ctx := needStore(t), context.Background()

	// Samples from the store validate against the schema: the quarter with
	// its complaints, one branch's, and a period without any (null ratios).
	sch := componentSchema(t, doc, "ComplaintAnalysis")
	if got := op.Responses.Status(http.StatusOK).Value.Content.Get("application/json").Schema.Value; got != sch {
		t.Errorf("the 200's JSON is not a ComplaintAnalysis")
	}
	q := reports.Quarter(2011, 2)
	suzhou := q
	suzhou.Branch = "suzhou"
	for _, p := range []reports.Period{q, suzhou, reports.Quarter(1901, 1), reports.Dates(reports.Date(2011, 4, 11), reports.Date(2011, 4, 11))} {
		a, err := st.ComplaintAnalysis(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.VisitJSON(toJSONValue(t, a), openapi3.EnableFormatValidation()); err != nil {
			t.Errorf("the analysis of %s–%s %q does not match its schema: %v", a.FromDate, a.ToDate, p.Branch, err)
		}
		if p == q && (a.Total != 3 || a.Founded != 1 || a.NotFounded != 1 || a.Reopened != 1 || a.ReopenRate == nil ||
			!slices.ContainsFunc(a.PreviousPeriod.Categories, func(c reports.CategoryDelta) bool { return c.Category == "after_sales" }) ||
			!slices.ContainsFunc(a.Steps, func(s reports.StepFigures) bool { return s.Step == "acceptance" })) {
			t.Errorf("the sample does not hold what was stored: %+v", a)
		}
	}
	for name, mutate := range map[string]func(map[string]any){
		"a missing total":      func(m map[string]any) { delete(m, "total") },
		"a date in words":      func(m map[string]any) { m["from_date"] = "April 1st" },
		"a count as string":    func(m map[string]any) { m["by_category"].([]any)[0].(map[string]any)["count"] = "3" },
		"a missing comparison": func(m map[string]any) { delete(m, "same_period_last_year") },
	} {
		a, _ := st.ComplaintAnalysis(ctx, q)
		v := toJSONValue(t, a).(map[string]any)
		mutate(v)
		if sch.VisitJSON(v, openapi3.EnableFormatValidation()) == nil {
			t.Errorf("ComplaintAnalysis schema accepts %s", name)
		}
	}

	// The documented roles are those the route lets through.
	var xroles []string
	for _, r := range op.Extensions["x-roles"].([]any) {
		xroles = append(xroles, r.(string))
	}
	h := testServer(t, &captureClient{}).Handler()
	get := func(u org.User, query string) *httptest.ResponseRecorder {
		t.Helper()
		rec := serve(h, http.MethodGet, route+query, nil, "Authorization", "Bearer "+newSession(t, u))
		if rec.Header().Get("Content-Type") == "application/json; charset=utf-8" {
			checkAnswer(t, op, "GET "+route+query, rec)
		}
		return rec
	}
	for _, r := range org.Roles {
		rec := get(newUser(t, r), "?quarter=2011Q2")
		if allowed := slices.Contains(xroles, string(r)); (rec.Code == http.StatusForbidden) == allowed {
			t.Errorf("as %s: status %d (%s), but x-roles %v", r, rec.Code, rec.Body, xroles)
		}
	}
	if !sameSet(xroles, names(requireReportReaderRoles(t)...)) {
		t.Errorf("x-roles %v, the middleware allows %v", xroles, requireReportReaderRoles(t))
	}

	// A branch head reads their own branch's report, by default too, and no other.
	head, err := st.CreateUser(ctx, org.User{ID: uuid.NewString(), Username: fmt.Sprintf("head-%d", userSeq.Add(1)), Name: "分公司经理",
		Department: "suzhou", Roles: []org.Role{org.RoleBranchHead}}, testPasswordHash)
	if err != nil {
		t.Fatal(err)
	}
	market := newUser(t, org.RoleMarketDepartment)
	for _, c := range []struct {
		who    org.User
		query  string
		status int
		branch string
	}{
		{head, "?quarter=2011Q2", http.StatusOK, "suzhou"},
		{head, "?quarter=2011Q2&branch=suzhou", http.StatusOK, "suzhou"},
		{head, "?quarter=2011Q2&branch=quality", http.StatusForbidden, ""},
		{market, "?quarter=2011Q2", http.StatusOK, ""},
		{market, "?quarter=2011Q2&branch=suzhou", http.StatusOK, "suzhou"},
	} {
		rec := get(c.who, c.query)
		var a reports.ComplaintAnalysis
		_ = json.Unmarshal(rec.Body.Bytes(), &a)
		if rec.Code != c.status || (c.status == http.StatusOK && a.Branch != c.branch) {
			t.Errorf("GET %s as %v: %d %s, want %d for branch %q", c.query, c.who.Roles, rec.Code, rec.Body, c.status, c.branch)
		}
		if c.status == http.StatusOK && c.branch == "" && a.Total < 3 {
			t.Errorf("GET %s as %v: the whole company's report has %d complaints", c.query, c.who.Roles, a.Total)
		}
	}

	// Every documented way of giving the period works, with its example.
	for _, query := range []string{"?quarter=2026Q1", "?quarter=2026q1", "?half=2026H1", "?year=2026", "?month=2026-03", "?from=2026-01-01&to=2026-03-31"} {
		if rec := get(market, query); rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d %s", query, rec.Code, rec.Body)
		}
	}
	for _, name := range []string{"quarter", "half", "year", "month", "from", "to", "branch"} {
		p := op.Parameters.GetByInAndName("query", name)
		if p == nil || p.Schema.Value.VisitJSON(p.Schema.Value.Example) != nil {
			t.Errorf("parameter %s: not documented, or its example does not match its schema", name)
		}
	}

	// Bad parameters answer 400 naming the documented parameter at fault, and
	// the documented schema rejects a bad value of one parameter as well.
	for _, c := range []struct {
		query, field string
		value        any // the bad value, when the parameter's schema can tell
	}{
		{"", "quarter", nil},
		{"?format=csv", "quarter", nil},
		{"?quarter=2026Q5", "quarter", "2026Q5"},
		{"?quarter=26Q1", "quarter", "26Q1"},
		{"?quarter=2026Q1&year=2026", "year", nil},
		{"?month=2026-03&from=2026-03-01&to=2026-03-31", "from", nil},
		{"?half=2026H3", "half", "2026H3"},
		{"?year=26", "year", 26},
		{"?year=1899", "year", 1899},
		{"?month=2026-13", "month", "2026-13"},
		{"?month=2026-3", "month", "2026-3"},
		{"?from=2026-01-01", "to", nil},
		{"?to=2026-01-31", "from", nil},
		{"?from=2026-02-01&to=2026-01-31", "to", nil},
		{"?from=2026/01/01&to=2026-01-31", "from", "2026/01/01"},
		{"?from=2026-01-01&to=2026-02-30", "to", nil}, // the date format checks the shape only
		{"?quarter=2026Q1&format=pdf", "format", "pdf"},
		{"?quarter=2026Q1&lang=fr", "lang", "fr"},
		{"?quarter=2026Q1&branch=nowhere", "branch", nil},
		{"?quarter=2026Q1&branch=quality", "branch", nil},
	} {
		rec := get(market, c.query)
		var e Error
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != http.StatusBadRequest || e.Field != c.field {
			t.Errorf("GET %s: %d %s, want a 400 naming %s", c.query, rec.Code, rec.Body, c.field)
		}
		p := op.Parameters.GetByInAndName("query", e.Field)
		if p == nil {
			t.Errorf("GET %s: the 400 names %q, which is not a documented parameter", c.query, e.Field)
			continue
		}
		if c.value != nil && p.Schema.Value.VisitJSON(c.value, openapi3.EnableFormatValidation()) == nil {
			t.Errorf("parameter %s: the schema accepts %v, which the server rejects", c.field, c.value)
		}
	}

	// CSV and the workbook: the documented content types, downloads named by
	// the period (and the branch).
	ok := op.Responses.Status(http.StatusOK).Value
	if ok.Headers["Content-Disposition"] == nil {
		t.Error("the 200 documents no Content-Disposition")
	}
	for _, c := range []struct {
		query, contentType, file string
		magic                    []byte
	}{
		{"?quarter=2011Q2&format=csv", "text/csv", "complaint-analysis-2011-04-01-2011-06-30.csv", []byte{0xEF, 0xBB, 0xBF}},
		{"?quarter=2011Q2&format=csv&lang=en&branch=suzhou", "text/csv", "complaint-analysis-2011-04-01-2011-06-30-suzhou.csv", []byte("\xEF\xBB\xBFSummary\n")},
		{"?month=2011-04&format=xlsx&lang=en", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "complaint-analysis-2011-04-01-2011-04-30.xlsx", []byte("PK\x03\x04")},
		{"?quarter=2011Q2&format=json", "application/json", "", []byte("{")},
	} {
		rec := get(market, c.query)
		mediaType, _, _ := strings.Cut(rec.Header().Get("Content-Type"), ";")
		if rec.Code != http.StatusOK || mediaType != c.contentType || ok.Content.Get(c.contentType) == nil || !bytes.HasPrefix(rec.Body.Bytes(), c.magic) {
			t.Errorf("GET %s: %d %s (documented: %v), body starts %q", c.query, rec.Code, rec.Header().Get("Content-Type"),
				ok.Content.Get(c.contentType) != nil, rec.Body.Bytes()[:min(rec.Body.Len(), 8)])
		}
		want := ""
		if c.file != "" {
			want = fmt.Sprintf("attachment; filename=%q", c.file)
		}
		if got := rec.Header().Get("Content-Disposition"); got != want {
			t.Errorf("GET %s: Content-Disposition %q, want %q", c.query, got, want)
		}
	}
	if len(ok.Content) != 3 {
		t.Errorf("the 200 documents %d content types, want JSON, CSV and xlsx", len(ok.Content))
	}
}

// requireReportReaderRoles lists the roles that the route's middleware
// (Server.may of app.OpComplaintAnalysis) lets through when held alone.
func requireReportReaderRoles(t *testing.T) []org.Role {
	t.Helper()
	var out []org.Role
	for _, r := range org.Roles {
		h := signedIn(withRoles(r), http.MethodGet, "/r", func(c *gin.Context) {
			(&Server{}).may(app.OpComplaintAnalysis)(c)
			if !c.IsAborted() {
				c.Status(http.StatusNoContent)
			}
		})
		if rec := serve(h, http.MethodGet, "/r", nil); rec.Code == http.StatusNoContent {
			out = append(out, r)
		} else if rec.Code != http.StatusForbidden {
			t.Errorf("the report readers' gate as %s: %d %s", r, rec.Code, rec.Body)
		}
	}
	return out
}

// openOperations and operationAccess are the endpoint table's open operations
// and the access documented on the others, by "METHOD path".
var openOperations, operationAccess = tableAccess()

func tableAccess() (map[string]bool, map[string]access) {
	opens, documented := map[string]bool{}, map[string]access{}
	for _, e := range endpoints() {
		key := e.method + " " + e.path
		if e.auth == open || e.auth == preflight {
			opens[key] = true
		} else if a, ok := e.accessDoc(); ok {
			documented[key] = a
		}
	}
	return opens, documented
}

// accessFor returns who may call the operation at key.
func accessFor(key string) (access, bool) {
	a, ok := operationAccess[key]
	return a, ok
}
