package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// keyField is the hidden field that carries the form's Idempotency-Key.
const keyField = "idempotency_key"

// keyHeader passes the posted form's Idempotency-Key on to the API (none
// without one).
func keyHeader(c *gin.Context) http.Header {
	if k := strings.TrimSpace(c.PostForm(keyField)); k != "" {
		return http.Header{"Idempotency-Key": {k}}
	}
	return nil
}

// maxKey bounds the hidden key the browser sends back (the API allows 200).
const maxKey = 200

// mayRecord reports whether the actor may record complaints: an intake
// clerk, the market department, or a branch head (for their own branch).
func mayRecord(a complaint.Actor) bool {
	if complaint.Authorize(a, &complaint.Complaint{}, complaint.ActRecord, "") == nil {
		return true
	}
	return a.Department != "" &&
		complaint.Authorize(a, &complaint.Complaint{Branch: a.Department}, complaint.ActRecord, "") == nil
}

// intakeForm is the 投诉登记 form; its body is POST /api/v1/complaints's input.
type intakeForm struct {
	Key    string
	Fields fields
}

func enumOptions[T ~string](kind string, vs []T) []option {
	var o []option
	for _, v := range vs {
		o = append(o, option{Value: string(v), Label: kind + "." + string(v)})
	}
	return o
}

func newIntakeForm(branches []org.Department) *intakeForm {
	var bo []option
	for _, d := range branches {
		if d.Kind == org.KindBranch {
			bo = append(bo, option{Value: d.ID, Text: d.Name})
		}
	}
	return &intakeForm{Fields: []field{
		{Name: "customer.name", Kind: kText, Required: true},
		{Name: "customer.organisation", Kind: kText},
		{Name: "customer.contact", Kind: kText, Required: true},
		{Name: "customer.email", Kind: kText},
		{Name: "customer.mobile", Kind: kText},
		{Name: "channel", Kind: kSelect, Required: true, Options: enumOptions("channel", complaint.Channels)},
		{Name: "category", Kind: kSelect, Required: true, Options: enumOptions("category", complaint.Categories)},
		{Name: "complainant_class", Kind: kSelect, Options: enumOptions("class", complaint.ComplainantClasses)},
		{Name: "branch", Kind: kSelect, Options: bo},
		{Name: "subject", Kind: kText, Required: true},
		{Name: "description", Kind: kTextarea, Required: true},
		{Name: "request", Kind: kTextarea},
		{Name: "estimated_loss", Kind: kNumber, Required: true},
		{Name: "received_at", Kind: kDateTime},
	}}
}

// fill keeps what the user typed.
func (f *intakeForm) fill(v url.Values) { f.Fields.fill(v) }

func (f *intakeForm) set(name, value string) { f.Fields.set(name, value) }

// markError puts the message next to the named field; false when the form
// has no such field.
func (f *intakeForm) markError(name, msg string) bool { return f.Fields.markError(name, msg) }

// body turns the posted form into the API's JSON body. Empty optional
// fields are left out; the API checks the rest and names the field at fault.
func (f *intakeForm) body(v url.Values, loc *time.Location) ([]byte, *Refusal) {
	m := map[string]any{}
	customer := map[string]any{}
	for _, fd := range f.Fields {
		raw := strings.TrimSpace(v.Get(fd.Name))
		var val any = raw
		switch fd.Kind {
		case kNumber:
			if raw == "" {
				continue
			}
			n, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return nil, &Refusal{Status: http.StatusBadRequest, Field: fd.Name}
			}
			val = n
		case kDateTime:
			if raw == "" {
				continue
			}
			t, err := time.ParseInLocation("2006-01-02T15:04", raw, loc)
			if err != nil {
				return nil, &Refusal{Status: http.StatusBadRequest, Field: fd.Name}
			}
			val = t.Format(time.RFC3339)
		}
		if name, ok := strings.CutPrefix(fd.Name, "customer."); ok {
			customer[name] = val
			continue
		}
		if raw == "" && !fd.Required {
			continue
		}
		m[fd.Name] = val
	}
	m["customer"] = customer
	b, err := json.Marshal(m)
	if err != nil {
		return nil, &Refusal{Status: http.StatusBadRequest}
	}
	return b, nil
}

func (cs *Console) refuseRecord(c *gin.Context) {
	p := cs.base(c, "error.title")
	p.Error = T(p.Lang, "refusal.403") + " " + T(p.Lang, "intake.who")
	cs.render(c, http.StatusForbidden, "error.html", p)
}

// intakeForm builds the form with the organisation's branches.
func (cs *Console) intakeForm(c *gin.Context) (*intakeForm, bool) {
	depts, err := cs.ops.DepartmentList(c)
	if err != nil {
		cs.fail(c, err)
		return nil, false
	}
	return newIntakeForm(depts), true
}

func (cs *Console) intakePage(c *gin.Context) {
	u := user(c)
	if !mayRecord(u.Actor) {
		cs.refuseRecord(c)
		return
	}
	f, ok := cs.intakeForm(c)
	if !ok {
		return
	}
	f.Key = uuid.NewString()
	// A branch head records for their own branch.
	for _, fd := range f.Fields {
		if fd.Name == "branch" {
			for _, o := range fd.Options {
				if o.Value == u.Actor.Department {
					f.set("branch", o.Value)
				}
			}
		}
	}
	p := cs.base(c, "intake.title")
	p.Intake = f
	cs.render(c, http.StatusOK, "intake.html", p)
}

func (cs *Console) intakePost(c *gin.Context) {
	if !mayRecord(user(c).Actor) {
		cs.refuseRecord(c)
		return
	}
	f, ok := cs.intakeForm(c)
	if !ok {
		return
	}
	key := strings.TrimSpace(c.PostForm(keyField)) // parses the form
	v := c.Request.PostForm
	if len(key) > maxKey {
		key = ""
	}
	body, r := f.body(v, cs.loc)
	id := ""
	if r == nil {
		var in complaint.Intake
		if err := json.Unmarshal(body, &in); err != nil {
			cs.fail(c, err)
			return
		}
		rec, err := cs.ops.RecordComplaint(c, user(c).Actor, in, key)
		audited(c, "/api/v1/complaints", rec.Complaint.ID, "", "", err)
		id, r = rec.Complaint.ID, refusalIn(c, err)
	}
	if r == nil {
		if _, err := uuid.Parse(id); err != nil {
			cs.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/complaints/"+id+"?done="+string(complaint.StepRecord))
		return
	}
	p := cs.base(c, "intake.title")
	if r.Status == http.StatusForbidden {
		p.Error = explain(p.Lang, r)
		cs.render(c, r.Status, "error.html", p)
		return
	}
	f.fill(v)
	f.Key = key
	if f.Key == "" {
		f.Key = uuid.NewString()
	}
	p.Error = explain(p.Lang, r)
	if r.Field != "" {
		msg := T(p.Lang, "intake.check")
		if r.Message != "" {
			msg += " " + r.words(lang(c))
		}
		f.markError(r.Field, msg)
	}
	p.Intake = f
	cs.render(c, r.Status, "intake.html", p)
}
