package console

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/survey"
)

// cycleView is a cycle's page (调查周期).
type cycleView struct {
	C          surveyCycle
	Programme  string
	Opened     string
	Closes     string
	Closed     string
	IssueRate  string
	IssueT     string
	IssueMet   bool
	ReturnRate string
	ReturnT    string
	ReturnMet  bool
	// RemindersSent counts reminders to customers; Rounds is how many of the
	// planned reminder rounds reached someone.
	RemindersSent, Rounds, RoundsPlanned int
	Unanswered                           int
	Stats                                *survey.Stats
	Index, IndexDelta, Satisfaction      string
	NPS, NPSDelta                        string
	Dims                                 []dimensionStatRow
	Dissatisfied                         []dissatisfiedRow
	Table                                actionTable
	// ActionsHidden: the cycle opened actions the user may not read.
	ActionsHidden bool
	MayEnter      bool
}

type dimensionStatRow struct {
	Name, Owner                string
	Count                      int
	Average, Satisfaction      string
	Delta, Previous            string
	DissatisfiedCount          int
	Levels                     []levelCountRow
	Competitor, CompetitorDiff string
}

type levelCountRow struct {
	Label string
	Count int
}

// dissatisfiedRow is one 不满意/很不满意 rating and the action opened for it.
type dissatisfiedRow struct {
	Customer, Dimension, Owner, Level, Comment string
	ActionID, ActionTitle                      string
	ActionStatus                               improvement.Step
}

// actionTable is a list of improvement actions, for the shared table.
type actionTable struct {
	Lang string
	Rows []actionRow
}

// actionRow is an improvement action in a list.
type actionRow struct {
	ID, Title, Department string
	Source                improvement.SourceKind
	SourceHref            string
	Status                improvement.Step
	Resolution            improvement.Resolution
	Round, Refs           int
	Due, StepDue          string
	Overdue               bool
	Escalation            string
}

func actionRowOf(p page, a improvement.Action) actionRow {
	r := actionRow{ID: a.ID, Title: a.Title, Department: p.Dept(a.Department), Source: a.Source.Kind, Status: a.Status,
		Resolution: a.Resolution, Round: a.Round, Refs: a.Refs, Due: p.Time(a.DueAt), StepDue: p.Time(a.StepDueAt),
		Overdue: a.Overdue, Escalation: string(a.EscalationLevel)}
	switch a.Source.Kind {
	case improvement.SourceSurvey:
		if id, ok := pathUUIDOf(a.Source.CycleID); ok {
			r.SourceHref = "/surveys/cycles/" + id
		}
	case improvement.SourceComplaint:
		if id, ok := pathUUIDOf(a.Source.ComplaintID); ok {
			r.SourceHref = "/complaints/" + id
		}
	}
	return r
}

// loadCycle reads the cycle named by the path, rendering the refusal.
func (cs *Console) loadCycle(c *gin.Context) (surveyCycle, bool) {
	id, ok := pathUUID(c, "id")
	if !ok {
		cs.surveyRefuse(c, &Refusal{Status: http.StatusNotFound}, "survey.notfound.cycle")
		return surveyCycle{}, false
	}
	cy, err := cs.ops.Cycle(c, user(c).Actor, id)
	if r := refusalOf(err); r != nil {
		cs.surveyRefuse(c, r, "survey.notfound.cycle")
		return cy, false
	}
	return cy, true
}

func (cs *Console) invitations(c *gin.Context, cycleID string) ([]app.Invitation, *Refusal) {
	list, err := cs.ops.Invitations(c, user(c).Actor, cycleID)
	return list.Items, refusalOf(err)
}

func (cs *Console) surveyCycle(c *gin.Context) {
	cy, ok := cs.loadCycle(c)
	if !ok {
		return
	}
	invs, r := cs.invitations(c, cy.ID)
	if r != nil {
		cs.surveyRefuse(c, r, "survey.notfound.cycle")
		return
	}
	actions, err := cs.ops.Improvements(c, user(c).Actor, app.ImprovementFilter{CycleID: cy.ID, Limit: 200})
	if r := refusalOf(err); r != nil {
		cs.surveyRefuse(c, r, "survey.notfound.cycle")
		return
	}
	p := cs.base(c, "survey.cycle.title")
	p.Notice = doneNotice(p.Lang, c.Query("done"))
	p.Depts = cs.departmentNames(c)
	d := cy.Definition
	targets := d.Programme.Targets
	issue, ret := share(cy.Issued, cy.Population), share(cy.Returned, cy.Issued)
	v := cycleView{C: cy, Programme: d.Name, Opened: p.Time(cy.OpenedAt), Closes: p.Time(cy.ClosesAt), Closed: p.Time(cy.ClosedAt),
		IssueRate: pct(issue), IssueT: pct(&targets.IssueRate), IssueMet: meets(issue, targets.IssueRate),
		ReturnRate: pct(ret), ReturnT: pct(&targets.ReturnRate), ReturnMet: meets(ret, targets.ReturnRate),
		RoundsPlanned: len(d.Run.Reminders), Stats: cy.Stats,
		MayEnter: cy.Status == "open" && maySurveyEnter(user(c).Actor)}
	for _, iv := range invs {
		v.RemindersSent += iv.Reminders
		v.Rounds = max(v.Rounds, iv.Reminders)
		if iv.AnsweredAt == nil {
			v.Unanswered++
		}
	}
	q := d.Programme.Questionnaire
	if st := cy.Stats; st != nil {
		v.Index, v.IndexDelta, v.Satisfaction = num(st.Index), signed(st.IndexDelta), pct(st.SatisfactionRate)
		if st.NPS != nil {
			score := st.NPS.Score
			v.NPS, v.NPSDelta = num(&score), signed(st.NPS.Delta)
		}
		for _, ds := range st.Dimensions {
			dim, _ := q.Dimension(ds.Code)
			if dim.Code == "" {
				dim = survey.Dimension{Code: ds.Code, Name: ds.Name}
			}
			row := dimensionStatRow{Name: dimensionName(p.Lang, dim), Owner: p.Dept(ds.OwnerDepartment), Count: ds.Count,
				Average: num(ds.Average), Satisfaction: pct(ds.SatisfactionRate), Delta: signed(ds.Delta),
				Previous: num(ds.PreviousAverage), DissatisfiedCount: ds.DissatisfiedCount}
			for _, lc := range ds.Levels {
				label := lc.Label
				if l, _, ok := q.Scale.Find(lc.Code); ok {
					label = levelLabel(p.Lang, q.Scale, l)
				}
				row.Levels = append(row.Levels, levelCountRow{Label: label, Count: lc.Count})
			}
			if ds.Competitor != nil {
				row.Competitor, row.CompetitorDiff = num(ds.Competitor.Average), signed(ds.Competitor.Difference)
			}
			v.Dims = append(v.Dims, row)
		}
		// One action answers a dimension's dissatisfied ratings for its owner department.
		byKey := map[string]improvement.Action{}
		for _, a := range actions.Items {
			byKey[a.Source.Dimension+"\x00"+a.Department] = a
		}
		for _, x := range st.Dissatisfied {
			dim, _ := q.Dimension(x.Dimension)
			if dim.Code == "" {
				dim = survey.Dimension{Code: x.Dimension, Name: x.DimensionName}
			}
			row := dissatisfiedRow{Customer: x.CustomerID, Dimension: dimensionName(p.Lang, dim), Owner: p.Dept(x.OwnerDepartment),
				Level: x.LevelLabel, Comment: x.Comment}
			if l, _, ok := q.Scale.Find(x.Level); ok {
				row.Level = levelLabel(p.Lang, q.Scale, l)
			}
			if a, ok := byKey[x.Dimension+"\x00"+x.OwnerDepartment]; ok {
				row.ActionID, row.ActionTitle, row.ActionStatus = a.ID, a.Title, a.Status
			}
			v.Dissatisfied = append(v.Dissatisfied, row)
		}
	}
	v.Table.Lang = p.Lang
	for _, a := range actions.Items {
		v.Table.Rows = append(v.Table.Rows, actionRowOf(p, a))
	}
	v.ActionsHidden = cy.Actions > len(actions.Items)
	p.Data = v
	cs.render(c, http.StatusOK, "survey_cycle.html", p)
}

// entryView is the staff's answer entry (电话/走访/信函调查录入).
type entryView struct {
	C         surveyCycle
	Programme string
	Closes    string
	Form      *answerForm
}

func (cs *Console) entryForm(c *gin.Context, cy surveyCycle) (*answerForm, bool) {
	invs, r := cs.invitations(c, cy.ID)
	if r != nil {
		cs.surveyRefuse(c, r, "survey.notfound.cycle")
		return nil, false
	}
	f := newAnswerForm(lang(c), "/surveys/cycles/"+cy.ID+"/answer", cy.Definition.Programme.Questionnaire)
	f.Staff = true
	// Unanswered first, as the API lists them: the call list. A datalist of
	// thousands helps nobody; the field takes any invited customer's ID.
	for i, iv := range invs {
		if i == maxInvitees {
			break
		}
		f.Customers = append(f.Customers, surveyInvitee{ID: iv.CustomerID, Answered: iv.AnsweredAt != nil})
	}
	return f, true
}

// maxInvitees bounds the customer suggestions on the entry form.
const maxInvitees = 500

// refuseEntry explains who enters answers, before the form is shown.
func (cs *Console) refuseEntry(c *gin.Context) {
	p := cs.base(c, "error.title")
	p.Error = T(p.Lang, "refusal.403") + " " + T(p.Lang, "survey.entry.who")
	cs.render(c, http.StatusForbidden, "error.html", p)
}

func (cs *Console) surveyEntryPage(c *gin.Context) {
	if !maySurveyEnter(user(c).Actor) {
		cs.refuseEntry(c)
		return
	}
	cy, ok := cs.loadCycle(c)
	if !ok {
		return
	}
	f, ok := cs.entryForm(c, cy)
	if !ok {
		return
	}
	f.Values.Set("customer_id", c.Query("customer"))
	cs.showEntry(c, http.StatusOK, cy, f, nil)
}

func (cs *Console) showEntry(c *gin.Context, status int, cy surveyCycle, f *answerForm, refusal *Refusal) {
	p := cs.base(c, "survey.entry.title")
	if cy.Status != "open" {
		p.Error = T(p.Lang, "survey.entry.closed")
		status = max(status, http.StatusConflict)
		f = nil
	}
	if refusal != nil {
		p.Error = surveyExplain(p.Lang, refusal, "survey.notfound.cycle")
	} else if f != nil && f.HasErrors() {
		p.Error = T(p.Lang, "survey.form.fix")
	}
	p.Data = entryView{C: cy, Programme: cy.Definition.Name, Closes: p.Time(cy.ClosesAt), Form: f}
	cs.render(c, status, "survey_answer.html", p)
}

func (cs *Console) surveyEntryPost(c *gin.Context) {
	if !maySurveyEnter(user(c).Actor) {
		cs.refuseEntry(c)
		return
	}
	cy, ok := cs.loadCycle(c)
	if !ok {
		return
	}
	f, ok := cs.entryForm(c, cy)
	if !ok {
		return
	}
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	f.keep(v)
	body, fe := f.body(v, cs.loc)
	if fe != nil {
		f.Errors[fe.Field] = T(f.Lang, fe.Key)
		cs.showEntry(c, http.StatusBadRequest, cy, f, nil)
		return
	}
	in, err := formInput[app.StaffAnswer](body)
	if err == nil {
		_, err = cs.ops.EnterAnswer(c, user(c).Actor, cy.ID, in)
	}
	audited(c, "/api/v1/survey-cycles/:id/answers", cy.ID, "", "", err)
	r := refusalOf(err)
	if errors.Is(err, app.ErrSurveyClosed) {
		r.Status = http.StatusGone
	}
	switch {
	case r == nil:
		c.Redirect(http.StatusSeeOther, "/surveys/cycles/"+cy.ID+"?done=answer")
	case r.Status == http.StatusBadRequest:
		f.mark(r.Field, r.Message)
		cs.showEntry(c, r.Status, cy, f, nil)
	case r.Status == http.StatusGone:
		cy.Status = "closed"
		cs.showEntry(c, r.Status, cy, nil, nil)
	default:
		cs.showEntry(c, r.Status, cy, f, r)
	}
}

// formInput is a form's body as an operation takes it: the same JSON
// decoding the API's clients get.
func formInput[T any](body map[string]any) (T, error) {
	var in T
	b, err := json.Marshal(body)
	if err == nil {
		err = json.Unmarshal(b, &in)
	}
	if err != nil {
		return in, app.Refuse(app.Invalid, "", "the answer cannot be read: %s", err.Error())
	}
	return in, nil
}
