package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
)

// Opening an improvement action (开立改进措施) by hand, or from a complaint
// whose causes call for one (the review of 投诉处理 asks for corrective and
// preventive action). The operation (app.OpenImprovement) decides; the page
// only offers the form to those it would let in.

func init() {
	addMessages(map[string]string{
		"open.title": "开立改进措施", "open.hint": "为需要纠正或预防的问题开立改进措施，责任部门将制定计划、实施并由市场部或品质部验证效果。",
		"open.from": "来源投诉", "open.submit": "开立", "open.who": "改进措施由市场部、品质部开立，分公司负责人可为本分公司开立。",
		"field.title": "标题", "field.due_date": "完成期限",
		"detail.actions": "改进措施", "detail.no_actions": "尚未因此投诉开立改进措施。", "detail.open_action": "为此投诉开立改进措施",
		"survey.done.open": "改进措施已开立。",
	}, map[string]string{
		"open.title": "Open an improvement action", "open.hint": "Open an action for a problem that needs correcting or preventing; the department plans and carries it out, and the market or quality department verifies it worked.",
		"open.from": "From complaint", "open.submit": "Open", "open.who": "Improvement actions are opened by the market and quality departments, and by branch heads for their branch.",
		"field.title": "Title", "field.due_date": "Complete by",
		"detail.actions": "Improvement actions", "detail.no_actions": "No improvement action has been opened for this complaint.", "detail.open_action": "Open an improvement action for this complaint",
		"survey.done.open": "The improvement action is open.",
	})
	register(area{name: "improvement-open", routes: func(cs *Console) []route {
		return []route{
			{method: http.MethodGet, pattern: "/improvements/new", handle: cs.openActionPage},
			{method: http.MethodPost, pattern: "/improvements/new", handle: cs.openActionPost},
		}
	}})
}

// mayOpenAction reports whether the actor may open an action at all (for
// their own branch, for a branch head).
func mayOpenAction(a complaint.Actor) bool {
	return improvement.Authorize(a, &improvement.Action{}, improvement.ActOpen) == nil ||
		(a.Department != "" && improvement.Authorize(a, &improvement.Action{Department: a.Department}, improvement.ActOpen) == nil)
}

// openView is the form's data.
type openView struct {
	Fields fields
	Key    string
	// From is the complaint the action answers, if any.
	From *complaint.Complaint
}

func (cs *Console) openForm(c *gin.Context, from *complaint.Complaint) (*openView, bool) {
	depts, err := cs.ops.DepartmentList(c)
	if err != nil {
		cs.fail(c, err)
		return nil, false
	}
	var opts []option
	for _, d := range depts {
		opts = append(opts, option{Value: d.ID, Text: d.Name})
	}
	v := &openView{Key: uuid.NewString(), From: from, Fields: fields{
		{Name: "title", Kind: kText, Required: true},
		{Name: "description", Kind: kTextarea, Required: true},
		{Name: "department", Kind: kSelect, Required: true, Options: opts},
		{Name: "due_at", Kind: kDate, Required: true, Label: "field.due_date"},
	}}
	if from != nil {
		v.Fields.set("title", from.Number+" "+from.Subject)
		v.Fields.set("department", from.Department)
		desc := from.Description
		if from.RootCause != nil {
			desc = from.RootCause.Cause + "\n" + from.RootCause.PreventiveAction
		}
		v.Fields.set("description", strings.TrimSpace(desc))
	}
	v.Fields.set("due_at", cs.now().In(cs.loc).AddDate(0, 0, 30).Format("2006-01-02"))
	return v, true
}

// fromComplaint is the complaint named by ?complaint= (or the form's
// complaint field), read as the user; nil without one.
func (cs *Console) fromComplaint(c *gin.Context, id string) (*complaint.Complaint, *Refusal) {
	if id == "" {
		return nil, nil
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, &Refusal{Status: http.StatusNotFound}
	}
	cm, err := cs.ops.Complaint(c, user(c).Actor, id)
	if r := refusalOf(err); r != nil {
		return nil, r
	}
	return &cm, nil
}

func (cs *Console) openActionPage(c *gin.Context) {
	if !mayOpenAction(user(c).Actor) {
		cs.refuse(c, &Refusal{Status: http.StatusForbidden, Message: T(lang(c), "open.who")})
		return
	}
	from, r := cs.fromComplaint(c, c.Query("complaint"))
	if r != nil {
		cs.refuse(c, r)
		return
	}
	v, ok := cs.openForm(c, from)
	if !ok {
		return
	}
	p := cs.base(c, "open.title")
	p.Data = v
	cs.render(c, http.StatusOK, "improvement_open.html", p)
}

func (cs *Console) openActionPost(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		cs.refuse(c, &Refusal{Status: http.StatusBadRequest, Message: err.Error()})
		return
	}
	form := c.Request.PostForm
	from, r := cs.fromComplaint(c, form.Get("complaint"))
	if r != nil {
		cs.refuse(c, r)
		return
	}
	v, ok := cs.openForm(c, from)
	if !ok {
		return
	}
	v.Fields.fill(form)
	if k := form.Get("idempotency_key"); k != "" {
		v.Key = k
	}
	in := improvement.OpenInput{Title: strings.TrimSpace(form.Get("title")), Description: strings.TrimSpace(form.Get("description")),
		Department: form.Get("department"), Source: improvement.Source{Kind: improvement.SourceManual}}
	if from != nil {
		in.Source = improvement.Source{Kind: improvement.SourceComplaint, ComplaintID: from.ID}
	}
	if d := strings.TrimSpace(form.Get("due_at")); d != "" {
		// The end of the chosen day in the organisation's time zone.
		day, err := time.ParseInLocation("2006-01-02", d, cs.loc)
		if err != nil {
			r = &Refusal{Status: http.StatusBadRequest, Field: "due_at"}
		} else {
			due := day.Add(18 * time.Hour)
			in.DueAt = &due
		}
	}
	if r == nil {
		opened, err := cs.ops.OpenImprovement(c, user(c).Actor, in, "console:"+v.Key)
		audited(c, "/api/v1/improvement-actions", opened.ID, "", "", err)
		if r = refusalOf(err); r == nil {
			c.Redirect(http.StatusSeeOther, "/improvements/"+url.PathEscape(opened.Action.ID)+"?done=open")
			return
		}
	}
	p := cs.base(c, "open.title")
	if r.Field == "" || !v.Fields.markError(r.Field, T(p.Lang, "intake.check")+" "+r.words(p.Lang)) {
		p.Error = explain(p.Lang, r)
	}
	p.Data = v
	cs.render(c, r.Status, "improvement_open.html", p)
}
