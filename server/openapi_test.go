package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
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
	engine := (&Server{log: slog.New(slog.DiscardHandler)}).Handler().(*gin.Engine)
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
	if len(routed) < 3+3+len(complaintSteps)+len(complaintControls)+1+6+3 {
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
		complaint.AssignmentInput{Department: "售后服务部", Handler: "李娜"},
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

// captureClient records the Update and input type a handler sends to the workflow.
type captureClient struct {
	client.Client
	update string
	input  reflect.Type
}

func (c *captureClient) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	c.update = o.UpdateName
	c.input = reflect.TypeOf(o.Args[0]).Field(1).Type // complaint.Submission[T].Input
	return nil, errors.New("captured")
}

// Each step route's documented body is the type its handler decodes: the
// documented example passes the handler's strict decoding and validation, and
// reaches the workflow as that type.
func TestOpenAPIStepBodiesMatchHandlers(t *testing.T) {
	doc := loadOpenAPI(t)
	examples := validRequests()
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
		h := (&Server{temporal: cc, log: slog.New(slog.DiscardHandler), now: time.Now}).Handler()
		body, _ := json.Marshal(examples[typ])
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/complaints/0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00/"+st.path, bytes.NewReader(body))
		h.ServeHTTP(rec, req)
		if cc.input != typ {
			t.Errorf("POST %s: the handler sent %v (status %d: %s), the document says %v", path, cc.input, rec.Code, rec.Body, typ)
		}
	}
}

// Each control route documents the body its handler decodes, and the handler
// sends it to the workflow as that type.
func TestOpenAPIControlBodiesMatchHandlers(t *testing.T) {
	doc := loadOpenAPI(t)
	examples := validRequests()
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
		h := (&Server{temporal: cc, log: slog.New(slog.DiscardHandler), now: time.Now}).Handler()
		body, _ := json.Marshal(examples[typ])
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/complaints/0b6f7c1e-8a64-4b8e-9d7e-2f3b5a1c9d00/"+ct.path, bytes.NewReader(body))
		h.ServeHTTP(rec, req)
		if cc.input != typ || cc.update != ct.update {
			t.Errorf("POST %s: the handler sent %s with %v (status %d: %s), the document says %v", path, cc.update, cc.input, rec.Code, rec.Body, typ)
		}
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
	by := complaint.Actor{ID: "u-1", Name: "李娜", Role: "handler", Department: "售后服务部"}
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
		"a bogus sla_status":  {"Complaint", pausedComplaint(), func(m map[string]any) { m["sla_status"] = "late" }},
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
