package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/survey"
)

// programmeRow is one line of the programme list.
type programmeRow struct {
	ID, Name string
	Kind     string
	// When says the schedule in words (the months, or the cron line).
	When    string
	Channel string
	NextRun string
	Paused  bool
	Targets string
}

// scheduleWords says when a programme runs.
func scheduleWords(lang string, s survey.Schedule) string {
	switch s.Kind {
	case survey.ScheduleManual:
		return T(lang, "survey.kind.manual")
	case survey.ScheduleCron:
		return T(lang, "survey.kind.cron") + " " + s.Cron
	}
	// CronExpression names the months: "0 9 1 1,4,7,10 *".
	f := strings.Fields(s.CronExpression())
	if len(f) != 5 {
		return T(lang, "survey.kind."+string(s.Kind))
	}
	return T(lang, "survey.kind."+string(s.Kind)) + " · " + strings.ReplaceAll(T(lang, "survey.months"), "%s", f[3])
}

func targetWords(lang string, t survey.Targets) string {
	return T(lang, "survey.target.issue") + " " + pct(&t.IssueRate) + " · " + T(lang, "survey.target.return") + " " + pct(&t.ReturnRate)
}

// schedule reads a recurring programme's schedule; nil for a manual one or
// when Temporal cannot say (the page shows "—" rather than failing).
func (cs *Console) schedule(c *gin.Context, d survey.Definition) (*scheduleState, *Refusal) {
	if d.Schedule.Kind == survey.ScheduleManual || d.Schedule.Kind == "" {
		return nil, nil
	}
	st, err := cs.ops.Schedule(c, user(c).Actor, d.ID)
	if r := refusalOf(err); r != nil {
		return nil, r
	}
	return &st, nil
}

func (cs *Console) surveyProgrammes(c *gin.Context) {
	list, err := cs.ops.Programmes(c, user(c).Actor)
	if r := refusalOf(err); r != nil {
		cs.surveyRefuse(c, r, "survey.notfound.programme")
		return
	}
	p := cs.base(c, "survey.title")
	rows := make([]programmeRow, 0, len(list))
	for _, d := range list {
		row := programmeRow{ID: d.ID, Name: d.Name, Kind: string(d.Schedule.Kind), When: scheduleWords(p.Lang, d.Schedule),
			Channel: string(d.Run.Channel), NextRun: "—", Targets: targetWords(p.Lang, d.Programme.Targets)}
		if st, _ := cs.schedule(c, d); st != nil {
			row.Paused = st.Paused
			if len(st.NextRun) > 0 && !st.Paused {
				row.NextRun = p.Time(st.NextRun[0])
			}
		}
		rows = append(rows, row)
	}
	p.Data = struct{ Rows []programmeRow }{rows}
	cs.render(c, http.StatusOK, "survey_programmes.html", p)
}

// programmeView is a programme's page.
type programmeView struct {
	D         survey.Definition
	When      string
	Window    string
	Reminders []string
	ActionDue string
	Dims      []dimensionRow
	Levels    []surveyChoice
	Coverage  []coverageRow
	Targets   survey.Targets
	IssueT    string
	ReturnT   string
	Schedule  *scheduleState
	NextRuns  []string
	Cycles    []cycleRow
	MayManage bool
	// Start keeps the start form's values after a refusal.
	StartIDs, StartReason, StartError string
}

type dimensionRow struct{ Code, Name, Owner string }

type coverageRow struct{ Name, Label, Share string }

// cycleRow is one cycle in a programme's list.
type cycleRow struct {
	ID, Status, Period  string
	Issued, Returned    int
	ReturnRate          string
	ReturnMet, HasRate  bool
	Satisfaction, Index string
	Actions             int
}

func (cs *Console) cycleRowOf(p page, cy surveyCycle) cycleRow {
	rate := share(cy.Returned, cy.Issued)
	row := cycleRow{ID: cy.ID, Status: cy.Status, Period: period(p, cy), Issued: cy.Issued, Returned: cy.Returned,
		ReturnRate: pct(rate), HasRate: rate != nil, ReturnMet: meets(rate, cy.Definition.Programme.Targets.ReturnRate),
		Satisfaction: "—", Index: "—", Actions: cy.Actions}
	if cy.Stats != nil {
		row.Satisfaction, row.Index = pct(cy.Stats.SatisfactionRate), num(cy.Stats.Index)
	}
	return row
}

// period is a cycle's answer window, as dates.
func period(p page, cy surveyCycle) string {
	day := func(t *time.Time) string {
		if t == nil {
			return "…"
		}
		return t.In(p.loc).Format("2006-01-02")
	}
	if cy.OpenedAt == nil {
		return p.Time(cy.CreatedAt)
	}
	return day(cy.OpenedAt) + " – " + day(cy.ClosesAt)
}

func (cs *Console) surveyProgramme(c *gin.Context) {
	cs.showProgramme(c, http.StatusOK, doneNotice(lang(c), c.Query("done")), nil, nil)
}

// showProgramme renders a programme with a notice, or a refusal of one of
// its forms; start keeps the start form's values.
func (cs *Console) showProgramme(c *gin.Context, status int, notice string, refusal *Refusal, start url.Values) {
	id, ok := pathUUID(c, "id")
	if !ok {
		cs.surveyRefuse(c, &Refusal{Status: http.StatusNotFound}, "survey.notfound.programme")
		return
	}
	d, err := cs.ops.Programme(c, user(c).Actor, id)
	if r := refusalOf(err); r != nil {
		cs.surveyRefuse(c, r, "survey.notfound.programme")
		return
	}
	cycles, err := cs.ops.Cycles(c, user(c).Actor, id)
	if r := refusalOf(err); r != nil {
		cs.surveyRefuse(c, r, "survey.notfound.programme")
		return
	}
	p := cs.base(c, "survey.programme.title")
	p.Title = d.Name
	p.Notice = notice
	depts := cs.departmentNames(c)
	p.Depts = depts
	q := d.Programme.Questionnaire
	v := programmeView{D: d, When: scheduleWords(p.Lang, d.Schedule), Window: span(p.Lang, d.Run.Window.Std()),
		ActionDue: span(p.Lang, d.Run.ActionDue.Std()), Targets: d.Programme.Targets,
		IssueT: pct(&d.Programme.Targets.IssueRate), ReturnT: pct(&d.Programme.Targets.ReturnRate),
		MayManage: maySurveyManage(user(c).Actor)}
	for _, r := range d.Run.Reminders {
		v.Reminders = append(v.Reminders, span(p.Lang, r.Std()))
	}
	for _, dm := range q.Dimensions {
		owner := dm.OwnerDepartment
		if n, ok := depts[owner]; ok {
			owner = n
		}
		v.Dims = append(v.Dims, dimensionRow{Code: dm.Code, Name: dimensionName(p.Lang, dm), Owner: owner})
	}
	for _, l := range q.Scale.Levels {
		v.Levels = append(v.Levels, surveyChoice{Code: l.Code, Label: levelLabel(p.Lang, q.Scale, l)})
	}
	for _, r := range d.Programme.Coverage {
		label := r.Label
		if label == "" {
			label = r.Name
		}
		v.Coverage = append(v.Coverage, coverageRow{Name: r.Name, Label: label, Share: pct(&r.Share)})
	}
	st, sr := cs.schedule(c, d)
	if sr != nil && sr.Status != http.StatusNotFound {
		p.Error = surveyExplain(p.Lang, sr, "survey.notfound.programme")
	}
	v.Schedule = st
	if st != nil {
		for _, t := range st.NextRun {
			v.NextRuns = append(v.NextRuns, p.Time(t))
		}
	}
	for _, cy := range cycles {
		v.Cycles = append(v.Cycles, cs.cycleRowOf(p, cy))
	}
	if refusal != nil {
		p.Error = surveyExplain(p.Lang, refusal, "survey.notfound.programme")
	}
	if start != nil {
		v.StartIDs, v.StartReason = start.Get("customer_ids"), start.Get("reason")
		if refusal != nil && refusal.Field == "customer_ids" {
			v.StartError = T(p.Lang, "survey.start.check") + " " + refusal.Message
		}
	}
	p.Data = v
	cs.render(c, status, "survey_programme.html", p)
}

// scheduleActions are the schedule's buttons, each an operation of the same name.
var scheduleActions = map[string]bool{"pause": true, "resume": true, "trigger": true}

// programmeRoute is the API route of a programme's operation, for the audit trail.
const programmeRoute = "/api/v1/survey-programmes/:id"

func (cs *Console) surveySchedulePost(c *gin.Context) {
	id, ok := pathUUID(c, "id")
	action := c.Param("action")
	if !ok || !scheduleActions[action] {
		cs.surveyRefuse(c, &Refusal{Status: http.StatusNotFound}, "survey.notfound.programme")
		return
	}
	note := strings.TrimSpace(c.PostForm("note"))
	if action == "trigger" {
		note = ""
	}
	_, err := cs.ops.ChangeSchedule(c, user(c).Actor, id, app.ScheduleAction(action), note)
	audited(c, programmeRoute+"/schedule/"+action, id, "", "", err)
	if r := refusalOf(err); r != nil {
		cs.showProgramme(c, r.Status, "", r, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/surveys/programmes/"+id+"?done="+action)
}

// customerIDs splits the start form's list: one a line, or separated by
// commas, spaces or 、.
func customerIDs(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
	if len(f) == 0 {
		return nil
	}
	return f
}

func (cs *Console) surveyStartCycle(c *gin.Context) {
	id, ok := pathUUID(c, "id")
	if !ok {
		cs.surveyRefuse(c, &Refusal{Status: http.StatusNotFound}, "survey.notfound.programme")
		return
	}
	_ = c.Request.ParseForm()
	in := app.CycleRequest{CustomerIDs: customerIDs(c.PostForm("customer_ids")), Reason: strings.TrimSpace(c.PostForm("reason"))}
	started, err := cs.ops.StartCycle(c, user(c).Actor, id, in)
	audited(c, programmeRoute+"/cycles", id, started.WorkflowID, "", err)
	if r := refusalOf(err); r != nil {
		cs.showProgramme(c, r.Status, "", r, c.Request.PostForm)
		return
	}
	if _, ok := pathUUIDOf(started.CycleID); !ok {
		cs.fail(c, nil)
		return
	}
	// The workflow records the cycle within a second; wait for it so the
	// page the user lands on shows it.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := cs.ops.Cycle(c, user(c).Actor, started.CycleID); err == nil {
			break
		}
		select {
		case <-c.Request.Context().Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	c.Redirect(http.StatusSeeOther, "/surveys/cycles/"+started.CycleID+"?done=started")
}
