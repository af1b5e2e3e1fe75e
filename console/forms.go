package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// Field kinds.
const (
	kText     = "text"
	kTextarea = "textarea"
	kBool     = "bool"
	kSelect   = "select"
	kDateTime = "datetime"
	kHidden   = "hidden"
	kNumber   = "number"
	kDate     = "date"
)

type option struct {
	Value string
	// Label is a translation key, or Text a literal (department names).
	Label string
	Text  string
}

type field struct {
	Name     string
	Kind     string
	Required bool
	Options  []option
	Value    string
	// Error is the API's complaint about the field, shown next to it.
	Error string
	// Label is the label's message key when it is not "field.<Name>".
	Label string
}

// fields are a form's fields; every form keeps what was typed and shows
// the API's complaint next to the field it names the same way.
type fields []field

// fill keeps what the user typed (hidden fields keep their own values).
func (fs fields) fill(v url.Values) {
	for i := range fs {
		if fs[i].Kind != kHidden {
			fs[i].Value = v.Get(fs[i].Name)
		}
	}
}

// set gives the named field a value.
func (fs fields) set(name, value string) {
	for i := range fs {
		if fs[i].Name == name {
			fs[i].Value = value
		}
	}
}

// markError puts the message next to the named field; false when the form
// has no such field.
func (fs fields) markError(name, msg string) bool {
	for i := range fs {
		if fs[i].Name == name {
			fs[i].Error = msg
			return true
		}
	}
	return false
}

// LabelKey is the message key of the field's label.
func (f field) LabelKey() string {
	if f.Label != "" {
		return f.Label
	}
	return "field." + f.Name
}

// stepForm is the form for one step, or for one of the clock controls; its
// body is the step's (or control's) JSON input.
type stepForm struct {
	Step   complaint.Step
	Fields fields
	// Control is the clock control's path (pause, resume, deadline); empty
	// for a step.
	Control string
	// Key is the submission's Idempotency-Key, new for every form shown: a
	// submission sent twice (a double click, a reload after a lost answer)
	// is applied once.
	Key string
}

// Action is where the form posts.
func (f *stepForm) Action(id string) string {
	if f.Control != "" {
		return "/complaints/" + id + "/" + f.Control
	}
	return "/complaints/" + id + "/" + string(f.Step)
}

// Title is the form's heading key.
func (f *stepForm) Title() string {
	if f.Control != "" {
		return "control." + f.Control
	}
	return "step." + string(f.Step)
}

func causeOptions() []option {
	var o []option
	for _, c := range complaint.CauseTypes {
		o = append(o, option{Value: string(c), Label: "cause." + string(c)})
	}
	return o
}

// formFor is the form of the step; nil when the step has none.
func formFor(step complaint.Step, level complaint.Level) *stepForm {
	var fs []field
	switch step {
	case complaint.StepValidation:
		fs = []field{{Name: "founded", Kind: kBool, Required: true}, {Name: "reason", Kind: kTextarea}, {Name: "reply", Kind: kTextarea}}
	case complaint.StepAssignment:
		fs = []field{{Name: "department", Kind: kSelect, Required: true}, {Name: "handler", Kind: kText, Required: true}}
	case complaint.StepRootCause:
		fs = []field{{Name: "cause", Kind: kTextarea, Required: true}, {Name: "cause_type", Kind: kSelect, Options: causeOptions()},
			{Name: "responsible_person", Kind: kText, Required: true}, {Name: "corrective_action", Kind: kTextarea, Required: true},
			{Name: "preventive_action", Kind: kTextarea}}
	case complaint.StepPlan:
		fs = []field{{Name: "plan", Kind: kTextarea, Required: true}, {Name: "due_at", Kind: kDateTime}}
	case complaint.StepApproval:
		fs = []field{{Name: "level", Kind: kHidden, Value: string(level)}, {Name: "approved", Kind: kBool, Required: true}, {Name: "comment", Kind: kTextarea}}
	case complaint.StepExecution:
		fs = []field{{Name: "result", Kind: kTextarea, Required: true}, {Name: "customer_notified", Kind: kBool, Required: true}}
	case complaint.StepCallback:
		fs = []field{{Name: "satisfied", Kind: kBool, Required: true}, {Name: "comment", Kind: kTextarea}}
	case complaint.StepReview:
		fs = []field{{Name: "summary", Kind: kTextarea, Required: true}, {Name: "cause_type", Kind: kSelect, Required: true, Options: causeOptions()},
			{Name: "lessons", Kind: kTextarea}}
	default:
		return nil
	}
	return &stepForm{Step: step, Fields: fs, Key: uuid.NewString()}
}

func (f *stepForm) setDepartments(ds []org.Department) {
	for i := range f.Fields {
		if f.Fields[i].Name == "department" {
			f.Fields[i].Options = nil
			for _, d := range ds {
				f.Fields[i].Options = append(f.Fields[i].Options, option{Value: d.ID, Text: d.Name + " (" + d.ID + ")"})
			}
		}
	}
}

// fill keeps what the user typed when the form comes back with a refusal.
func (f *stepForm) fill(v url.Values) { f.Fields.fill(v) }

// body turns the posted form into the step's JSON input. Empty optional
// fields are left out; the API checks the rest.
func (f *stepForm) body(v url.Values, loc *time.Location) ([]byte, *Refusal) {
	m := map[string]any{}
	for _, fd := range f.Fields {
		raw := strings.TrimSpace(v.Get(fd.Name))
		if raw == "" {
			continue
		}
		switch fd.Kind {
		case kBool:
			switch raw {
			case "true":
				m[fd.Name] = true
			case "false":
				m[fd.Name] = false
			default:
				return nil, &Refusal{Status: http.StatusBadRequest, Field: fd.Name}
			}
		case kDateTime:
			t, err := time.ParseInLocation("2006-01-02T15:04", raw, loc)
			if err != nil {
				return nil, &Refusal{Status: http.StatusBadRequest, Field: fd.Name}
			}
			m[fd.Name] = t.Format(time.RFC3339)
		default:
			m[fd.Name] = v.Get(fd.Name)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, &Refusal{Status: http.StatusBadRequest}
	}
	return b, nil
}

// fieldLabel is a field's name in the language, for refusals ("customer.name" too).
func fieldLabel(lang, name string) string {
	if s, ok := lookup(lang, "field."+name); ok {
		return s
	}
	return name
}
