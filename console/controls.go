package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/complaint"
)

// Clock controls: pausing the current step's clock while waiting on the
// customer or a third party, resuming it, and extending its deadline. They
// are shown beside the step form to those the complaint package allows.

// controls are the control paths, the action each needs and its form.
var controls = []struct {
	path   string
	action complaint.Action
	form   func() []field
}{
	{"pause", complaint.ActPause, func() []field {
		return []field{{Name: "waiting_on", Kind: kSelect, Required: true, Options: []option{
			{Value: complaint.WaitingOnCustomer, Label: "waiting_on.customer"}, {Value: complaint.WaitingOnThirdParty, Label: "waiting_on.third_party"}},
			Label: "control.waiting_on"},
			{Name: "reason", Kind: kTextarea, Required: true}}
	}},
	{"resume", complaint.ActResume, func() []field { return []field{{Name: "comment", Kind: kTextarea}} }},
	{"deadline", complaint.ActExtend, func() []field {
		return []field{{Name: "due_at", Kind: kDateTime, Required: true, Label: "control.new_due"}, {Name: "reason", Kind: kTextarea, Required: true}}
	}},
}

// controlForm is the form of a control path; nil for an unknown path.
func controlForm(path string) (*stepForm, complaint.Action) {
	for _, ct := range controls {
		if ct.path == path {
			return &stepForm{Control: path, Fields: ct.form(), Key: uuid.NewString()}, ct.action
		}
	}
	return nil, ""
}

// controlsFor lists the control forms the user may use on the complaint now:
// pause or resume (whichever applies) and the extension.
func controlsFor(a complaint.Actor, c *complaint.Complaint) []*stepForm {
	if c.Status == complaint.StepClosed || !c.Status.Valid() || c.Status == complaint.StepRecord {
		return nil
	}
	var out []*stepForm
	for _, ct := range controls {
		if (ct.path == "pause" && c.Paused != nil) || (ct.path == "resume" && c.Paused == nil) {
			continue
		}
		if complaint.Authorize(a, c, ct.action, "") == nil {
			f, _ := controlForm(ct.path)
			out = append(out, f)
		}
	}
	return out
}

func init() {
	addMessages(map[string]string{
		"control.title": "计时与回访", "control.pause": "暂停计时", "control.resume": "恢复计时", "control.deadline": "延长时限",
		"control.waiting_on": "等待对象", "control.new_due": "新的截止时间",
		"waiting_on.customer": "等待客户", "waiting_on.third_party": "等待第三方",
		"callback.make_link": "生成客户回访链接", "callback.make_hint": "客户通过链接自行确认是否满意。",
		"callback.link_made": "已生成回访链接，请发送给客户。", "callback.link": "回访链接：", "callback.expires": "有效期至",
	}, map[string]string{
		"control.title": "Clock and callback", "control.pause": "Pause the clock", "control.resume": "Resume the clock", "control.deadline": "Extend the deadline",
		"control.waiting_on": "Waiting on", "control.new_due": "New deadline",
		"waiting_on.customer": "The customer", "waiting_on.third_party": "A third party",
		"callback.make_link": "Make a callback link for the customer", "callback.make_hint": "The customer confirms through the link whether they are satisfied.",
		"callback.link_made": "Callback link made; send it to the customer.", "callback.link": "Callback link:", "callback.expires": "valid until",
	})
	register(area{name: "controls", routes: func(cs *Console) []route {
		var rs []route
		for _, ct := range controls {
			rs = append(rs, route{method: http.MethodPost, pattern: "/complaints/:id/" + ct.path, handle: cs.control(ct.path)})
		}
		return append(rs, route{method: http.MethodPost, pattern: "/complaints/:id/callback-link", handle: cs.callbackLink})
	}})
}

// control posts a control form to POST /api/v1/complaints/{id}/{path}.
func (cs *Console) control(path string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := uuid.Parse(c.Param("id"))
		if err != nil {
			cs.refuse(c, &Refusal{Status: http.StatusNotFound})
			return
		}
		f, _ := controlForm(path)
		if err := c.Request.ParseForm(); err != nil {
			cs.refuse(c, &Refusal{Status: http.StatusBadRequest, Message: err.Error()})
			return
		}
		body, r := f.body(c.Request.PostForm, cs.loc)
		if r == nil {
			done, err := cs.ops.TakeComplaintControlJSON(c, user(c).Actor, id.String(), path, body, strings.TrimSpace(c.PostForm(keyField)))
			audited(c, "/api/v1/complaints/:id/"+path, id.String(), complaint.WorkflowID(id.String()), done.UpdateID, err)
			r = refusalIn(c, err)
		}
		if r != nil {
			c.Set(failedControlKey, path)
			cs.showDetail(c, r.Status, "", r)
			return
		}
		c.Redirect(http.StatusSeeOther, "/complaints/"+id.String()+"?done="+path)
	}
}

// failedControlKey names the control whose refusal the detail page shows,
// so its form keeps what was typed.
const failedControlKey = "cxflow.console.control"

// linkView is a customer's callback link, shown once to the clerk who made it.
type linkView struct {
	URL     string
	Expires string
}

// callbackLink asks the API for a signed link the customer answers the
// callback through, and shows it on the complaint's page.
func (cs *Console) callbackLink(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		cs.refuse(c, &Refusal{Status: http.StatusNotFound})
		return
	}
	link, err := cs.ops.MakeCallbackLink(c, user(c).Actor, id.String())
	audited(c, "/api/v1/complaints/:id/callback-link", id.String(), "", "", err)
	if r := refusalIn(c, err); r != nil {
		cs.showDetail(c, r.Status, "", r)
		return
	}
	c.Set(linkKey, &linkView{URL: link.URL, Expires: cs.fmtTime(&link.ExpiresAt)})
	cs.showDetail(c, http.StatusCreated, T(lang(c), "callback.link_made"), nil)
}

const linkKey = "cxflow.console.link"

// HasValues reports whether the form carries typed values (it came back
// with a refusal), so it opens unfolded.
func (f *stepForm) HasValues() bool {
	for _, fd := range f.Fields {
		if fd.Kind != kHidden && fd.Value != "" {
			return true
		}
	}
	return false
}
