package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/improvement"
)

// Improvement actions (改进措施): the list and one action with its PDCA rounds
// and the form of its next step, shown to those the action lets act. The
// pages call the application's operations (app.Improvements, Improvement,
// TakeImprovementStep), which decide who may see and do what.

// improvementFilter is the list's query, as the page's links carry it.
type improvementFilter struct {
	Status, Source, Department, Overdue string
}

// ops is the filter as the operation takes it, a page of 50 from cursor; a
// refusal when overdue is neither true nor false.
func (f improvementFilter) ops(cursor string) (app.ImprovementFilter, *Refusal) {
	q := app.ImprovementFilter{Status: improvement.Step(f.Status), Source: improvement.SourceKind(f.Source),
		Department: f.Department, Limit: 50, Cursor: cursor}
	if f.Overdue != "" {
		b, err := strconv.ParseBool(f.Overdue)
		if err != nil {
			return q, &Refusal{Status: http.StatusBadRequest, Field: "overdue"}
		}
		q.Overdue = &b
	}
	return q, nil
}

func (f improvementFilter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "source": f.Source, "department": f.Department, "overdue": f.Overdue} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

type improvementListView struct {
	F        improvementFilter
	Table    actionTable
	Statuses []improvement.Step
	Sources  []improvement.SourceKind
	Depts    []option
	// Next is the next page's address, "" on the last.
	Next string
	// First is the first page's address when this is not the first.
	First string
	// MayOpen offers the form to open an action by hand.
	MayOpen bool
}

func (cs *Console) improvementList(c *gin.Context) {
	f := improvementFilter{Status: c.Query("status"), Source: c.Query("source"), Department: c.Query("department"), Overdue: c.Query("overdue")}
	var list app.ImprovementPage
	q, r := f.ops(c.Query("cursor"))
	if r == nil {
		var err error
		list, err = cs.ops.Improvements(c, user(c).Actor, q)
		r = refusalOf(err)
	}
	p := cs.base(c, "survey.imp.title")
	p.Depts = cs.departmentNames(c)
	v := improvementListView{F: f, Statuses: improvement.Statuses, Sources: improvement.SourceKinds, MayOpen: mayOpenAction(user(c).Actor)}
	if depts, err := cs.ops.DepartmentList(c); err == nil {
		for _, d := range depts {
			v.Depts = append(v.Depts, option{Value: d.ID, Text: d.Name})
		}
	}
	status := http.StatusOK
	if r != nil {
		// A filter the operation refuses shows the refusal above the filters.
		p.Error = explain(p.Lang, r)
		status = r.Status
	}
	v.Table.Lang = p.Lang
	for _, a := range list.Items {
		v.Table.Rows = append(v.Table.Rows, actionRowOf(p, a))
	}
	if list.Next != "" {
		nq := f.query()
		nq.Set("cursor", list.Next)
		v.Next = "/improvements?" + nq.Encode()
	}
	if c.Query("cursor") != "" {
		v.First = "/improvements?" + f.query().Encode()
	}
	p.Data = v
	cs.render(c, status, "survey_improvements.html", p)
}

// improvementForm is the form of an action's next step; its body is the
// step's JSON input (improvement.PlanInput, CompletionInput, VerificationInput).
type improvementForm struct {
	Step   improvement.Step
	Fields fields
	// Key: see stepForm.
	Key string
}

// improvementFormFor is the form of the step; nil when the step has none.
func improvementFormFor(step improvement.Step) *improvementForm {
	var fs []field
	switch step {
	case improvement.StepPlan:
		fs = []field{{Name: "plan", Kind: kTextarea, Required: true}, {Name: "due_at", Kind: kDateTime}}
	case improvement.StepCompletion:
		fs = []field{{Name: "result", Kind: kTextarea, Required: true}}
	case improvement.StepVerification:
		fs = []field{{Name: "effective", Kind: kBool, Required: true}, {Name: "comment", Kind: kTextarea}}
	default:
		return nil
	}
	return &improvementForm{Step: step, Fields: fs, Key: uuid.NewString()}
}

func (f *improvementForm) fill(v url.Values) { f.Fields.fill(v) }

// markError puts the message next to the named field; false when the form has none.
func (f *improvementForm) markError(name, msg string) bool { return f.Fields.markError(name, msg) }

// mayActOn reports whether the actor may take the action's current step.
func mayActOn(a improvement.Actor, x *improvement.Action) bool {
	if !x.Status.Valid() || x.Status == improvement.StepClosed {
		return false
	}
	return improvement.Authorize(a, x, improvement.Act(x.Status)) == nil
}

// improvementView is an action's page.
type improvementView struct {
	A        improvement.Action
	Row      actionRow
	Form     *improvementForm
	OpenedBy string
}

func (cs *Console) improvementDetail(c *gin.Context) {
	cs.showImprovement(c, http.StatusOK, doneNotice(lang(c), c.Query("done")), nil)
}

// showImprovement renders an action with a notice, or with the refusal of
// its form (what was typed kept, the field at fault marked).
func (cs *Console) showImprovement(c *gin.Context, status int, notice string, refusal *Refusal) {
	id, ok := pathUUID(c, "id")
	if !ok {
		cs.surveyRefuse(c, &Refusal{Status: http.StatusNotFound}, "survey.notfound.improvement")
		return
	}
	a, err := cs.ops.Improvement(c, user(c).Actor, id)
	if r := refusalOf(err); r != nil {
		cs.surveyRefuse(c, r, "survey.notfound.improvement")
		return
	}
	p := cs.base(c, "survey.imp.detail")
	p.Title = a.Title
	p.Notice = notice
	p.Depts = cs.departmentNames(c)
	v := improvementView{A: a, Row: actionRowOf(p, a), OpenedBy: a.OpenedBy.Name}
	if mayActOn(user(c).Actor, &a) {
		v.Form = improvementFormFor(a.Status)
	}
	if refusal != nil {
		p.Error = surveyExplain(p.Lang, refusal, "survey.notfound.improvement")
		if v.Form != nil && v.Form.Step == improvement.Step(c.Param("step")) {
			v.Form.fill(c.Request.PostForm)
			if refusal.Field != "" {
				msg := T(p.Lang, "survey.form.check")
				if refusal.Message != "" {
					msg += " " + T(p.Lang, "refusal.detail") + " " + refusal.words(p.Lang)
				}
				v.Form.markError(refusal.Field, msg)
			}
		}
	}
	p.Data = v
	cs.render(c, status, "survey_improvement.html", p)
}

func (cs *Console) improvementSubmit(c *gin.Context) {
	id, ok := pathUUID(c, "id")
	step := improvement.Step(c.Param("step"))
	f := improvementFormFor(step)
	if !ok || f == nil {
		cs.surveyRefuse(c, &Refusal{Status: http.StatusNotFound}, "survey.notfound.improvement")
		return
	}
	key := strings.TrimSpace(c.PostForm(keyField)) // parses the form
	if len(key) > maxKey {
		key = ""
	}
	// The complaint steps' conversion: booleans, Beijing-time dates, texts.
	body, r := (&stepForm{Fields: f.Fields}).body(c.Request.PostForm, cs.loc)
	if r == nil {
		var in app.ImprovementStepInput
		if in, r = improvementInput(step, body); r == nil {
			done, err := cs.ops.TakeImprovementStep(c, user(c).Actor, id, in, key)
			audited(c, "/api/v1/improvement-actions/:id/"+string(step), id, improvement.WorkflowID(id), done.UpdateID, err)
			r = refusalOf(err)
		}
	}
	if r != nil {
		cs.showImprovement(c, r.Status, "", r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/improvements/"+id+"?done="+string(step))
}

// improvementInput is the form's body as the step's input.
func improvementInput(step improvement.Step, body []byte) (app.ImprovementStepInput, *Refusal) {
	var (
		in  app.ImprovementStepInput
		err error
	)
	switch step {
	case improvement.StepPlan:
		in, err = decodeStep[improvement.PlanInput](body)
	case improvement.StepCompletion:
		in, err = decodeStep[improvement.CompletionInput](body)
	case improvement.StepVerification:
		in, err = decodeStep[improvement.VerificationInput](body)
	default:
		return nil, &Refusal{Status: http.StatusNotFound}
	}
	if err != nil {
		return nil, &Refusal{Status: http.StatusBadRequest}
	}
	return in, nil
}

func decodeStep[T app.ImprovementStepInput](body []byte) (app.ImprovementStepInput, error) {
	var in T
	err := json.Unmarshal(body, &in)
	return in, err
}
