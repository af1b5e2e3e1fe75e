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
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
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
	routed := map[string]bool{}
	for _, r := range engine.Routes() {
		routed[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for k := range routed {
		if !documented[k] {
			t.Errorf("route %s is not in the OpenAPI document", k)
		}
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("documented operation %s has no route", k)
		}
	}
	// health, complaints, steps, controls, policy, calendars, policies; sign-in and
	// customers' links, the signed-in user, callback links, departments, users,
	// API tokens, audit, codec.
	if len(routed) < 3+3+len(complaintSteps)+len(complaintControls)+1+6+3+5+2+1+2+4+3+1+3 {
		t.Errorf("only %d routes found", len(routed))
	}
}

// validRequests holds a fully valid example of every request body type, with
// every field set (the conditional fields too), the conditions' booleans true.
func validRequests() map[reflect.Type]any {
	examples := []any{
		complaint.Intake{
			Customer:         complaint.Customer{Name: "王伟", Organisation: "华东电气", Contact: "138 0000 0000"},
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
	}
	m := map[reflect.Type]any{}
	for _, e := range examples {
		m[reflect.TypeOf(e)] = e
	}
	return m
}

func validateRequest(v any) error {
	if in, ok := v.(complaint.Intake); ok {
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
		want := componentSchema(t, doc, typ.Name()).Required
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
		desc := componentSchema(t, doc, typ.Name()).Description
		for _, f := range c.fields {
			if !strings.Contains(desc, f) {
				t.Errorf("%v description does not mention conditionally required %s: %q", typ, f, desc)
			}
		}
	}
	for typ := range requestRequired {
		if !checked[typ] {
			t.Errorf("requestRequired lists %v, but no example checks it", typ)
		}
	}
	// A request type shown in responses too must follow the response rule as well.
	for _, root := range responseRoots {
		for _, typ := range reachableStructs(root) {
			if r, ok := requestRequired[typ]; ok && !sameSet(r, responseRequired(typ)) {
				t.Errorf("%v is both a request and a response type, but its required fields differ: %v vs %v", typ, r, responseRequired(typ))
			}
		}
	}
}

// responseRoots are the types response bodies are made of.
var responseRoots = []reflect.Type{
	reflect.TypeFor[complaint.Complaint](), reflect.TypeFor[ComplaintList](),
	reflect.TypeFor[CalendarList](), reflect.TypeFor[calendar.Calendar](),
	reflect.TypeFor[PolicyList](), reflect.TypeFor[store.StoredPolicy](), reflect.TypeFor[complaint.Policy](),
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
	for typ, valid := range validRequests() {
		s := componentSchema(t, doc, typ.Name())
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
// workflow, and answers as a workflow that accepted it.
type captureClient struct {
	client.Client
	update string
	input  reflect.Type
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
		typ := reflect.TypeOf(stepInputs[st.step])
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
		{"Readiness", Readiness{Status: "ready", Temporal: "ok", Postgres: "ok"}},
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
		{"PublicComplaint", PublicComplaint{Number: "TS-2026-000001", Subject: "变频器返修后仍故障", Status: complaint.StepCallback, Result: "已更换新机", ExpiresAt: openAPIt0}},
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
			if a.roles == nil || a.action != "" {
				continue // every signed-in user, or the complaint decides
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
			if !ok || a.action == "" {
				continue
			}
			checked++
			if got := rolesAuthorized(a.action); !sameSet(names(got...), names(a.roles...)) {
				t.Errorf("%s %s: complaint.Authorize(%s) allows %v, the document says %v", method, path, a.action, got, a.roles)
			}
		}
	}
	if checked < len(complaintSteps)+len(complaintControls)+2 {
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
