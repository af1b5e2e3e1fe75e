package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cxflow/cxflow/complaint"
)

// Clause is a clause of a standard that a recorded event evidences.
type Clause struct {
	Standard string `json:"standard"`
	Number   string `json:"number"`
	Title    string `json:"title"`
}

// String cites the clause: "ISO 10002:2018 8.2 Receipt of complaint".
func (c Clause) String() string { return c.Standard + " " + c.Number + " " + c.Title }

const (
	iso10002 = "ISO 10002:2018"
	iso10004 = "ISO 10004:2018"
)

// The clauses cited. ISO 10002 is cited at sub-clause level (its clause 8,
// "Operation of complaints-handling process", and clause 9, "Maintenance and
// improvement"); ISO 10004 only at the level of its main clauses, which is as
// far as a survey cycle's events can honestly be said to evidence it.
var (
	clauseReceipt       = Clause{iso10002, "8.2", "Receipt of complaint"}
	clauseTracking      = Clause{iso10002, "8.3", "Tracking of complaint"}
	clauseInitial       = Clause{iso10002, "8.5", "Initial assessment of complaint"}
	clauseInvestigation = Clause{iso10002, "8.6", "Investigation of complaints"}
	clauseResponse      = Clause{iso10002, "8.7", "Response to complaint"}
	clauseCommunicating = Clause{iso10002, "8.8", "Communicating the decision"}
	clauseClosing       = Clause{iso10002, "8.9", "Closing the complaint"}
	clauseAnalysis      = Clause{iso10002, "9.2", "Analysis and evaluation of complaints"}

	clauseSurveyPlanning  = Clause{iso10004, "6", "Planning, design and development"}
	clauseSurveyOperation = Clause{iso10004, "7", "Operation"}
	clauseSurveyImprove   = Clause{iso10004, "8", "Maintenance and improvement"}
)

// ComplaintClauses maps each complaint timeline action to the clauses it
// evidences.
var ComplaintClauses = map[string][]Clause{
	complaint.ActionRecorded:    {clauseReceipt},
	complaint.ActionValidated:   {clauseInitial},
	complaint.ActionNotFounded:  {clauseInitial, clauseCommunicating},
	complaint.ActionAssigned:    {clauseInitial},
	complaint.ActionRootCause:   {clauseInvestigation},
	complaint.ActionPlanned:     {clauseResponse},
	complaint.ActionApproved:    {clauseResponse},
	complaint.ActionRefused:     {clauseResponse},
	complaint.ActionExecuted:    {clauseResponse, clauseCommunicating},
	complaint.ActionSatisfied:   {clauseClosing},
	complaint.ActionUnsatisfied: {clauseClosing},
	complaint.ActionReviewed:    {clauseAnalysis},
	complaint.ActionClosed:      {clauseClosing},
	complaint.ActionEscalated:   {clauseTracking},
	complaint.ActionReopened:    {clauseTracking},
	complaint.ActionWarned:      {clauseTracking},
	complaint.ActionPaused:      {clauseTracking},
	complaint.ActionResumed:     {clauseTracking},
	complaint.ActionExtended:    {clauseTracking},
	complaint.ActionRescheduled: {clauseTracking},
}

// SurveyClauses maps each survey cycle event to the clauses it evidences.
var SurveyClauses = map[string][]Clause{
	"sampled":   {clauseSurveyPlanning},
	"issued":    {clauseSurveyOperation},
	"reminded":  {clauseSurveyOperation},
	"escalated": {clauseSurveyOperation},
	"closed":    {clauseSurveyOperation, clauseSurveyImprove},
}

// Evidence sources.
const (
	SourceComplaint   = "complaint"
	SourceSurveyCycle = "survey_cycle"
)

// ClausesFor are the clauses an event of the source evidences; none for an
// action the table does not know.
func ClausesFor(source, action string) []Clause {
	if source == SourceSurveyCycle {
		return SurveyClauses[action]
	}
	return ComplaintClauses[action]
}

// EvidenceEvent is one recorded event an auditor can sample.
type EvidenceEvent struct {
	At     time.Time `json:"at"`
	Source string    `json:"source"`
	// Reference is the complaint number, or the survey cycle's ID.
	Reference string `json:"reference"`
	// SubjectID is the complaint's or cycle's ID; Seq the event's place in its timeline.
	SubjectID       string   `json:"subject_id"`
	Seq             int      `json:"seq"`
	Step            string   `json:"step,omitempty"`
	Action          string   `json:"action"`
	ActorID         string   `json:"actor_id"`
	ActorName       string   `json:"actor_name"`
	ActorRole       string   `json:"actor_role"`
	ActorDepartment string   `json:"actor_department"`
	Clauses         []Clause `json:"clauses"`
}

// ClauseCount counts the events evidencing a clause.
type ClauseCount struct {
	Clause
	Events int `json:"events"`
}

// AuditEvidence is the audit evidence (审核证据) for ISO 10002 and ISO 10004:
// every complaint timeline event and survey cycle event of the period, each
// with the clauses it evidences.
type AuditEvidence struct {
	Period
	FromDate string          `json:"from_date"`
	ToDate   string          `json:"to_date"`
	Clauses  []ClauseCount   `json:"clauses"`
	Events   []EvidenceEvent `json:"events"`
	// Unmapped counts the events no clause is mapped to (listed all the same).
	Unmapped int `json:"unmapped"`
}

// Finish maps the events to their clauses and counts them per clause.
func (e *AuditEvidence) Finish() {
	e.FromDate, e.ToDate = e.Period.FirstDate(), e.Period.LastDate()
	e.From, e.To = e.From.In(Location), e.To.In(Location)
	counts := map[Clause]int{}
	e.Unmapped = 0
	if e.Events == nil {
		e.Events = []EvidenceEvent{}
	}
	for i := range e.Events {
		ev := &e.Events[i]
		ev.At = ev.At.In(Location)
		ev.Clauses = ClausesFor(ev.Source, ev.Action)
		if ev.Clauses == nil {
			ev.Clauses = []Clause{}
			e.Unmapped++
		}
		for _, c := range ev.Clauses {
			counts[c]++
		}
	}
	e.Clauses = e.Clauses[:0]
	for _, c := range allClauses() {
		e.Clauses = append(e.Clauses, ClauseCount{Clause: c, Events: counts[c]})
	}
}

// allClauses lists every clause the tables cite, by standard and number.
func allClauses() []Clause {
	var out []Clause
	for _, m := range []map[string][]Clause{ComplaintClauses, SurveyClauses} {
		for _, cs := range m {
			for _, c := range cs {
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Clause) int {
		if c := cmp.Compare(a.Standard, b.Standard); c != 0 {
			return c
		}
		return cmp.Compare(a.Number, b.Number)
	})
	return out
}

// Tables lays the evidence out: the clauses with their event counts, then
// the events.
func (e AuditEvidence) Tables(lang Language) []Table {
	t := lang.Pick
	branch := e.Branch
	if branch == "" {
		branch = t("全公司", "whole company")
	}
	summary := Table{Name: t("条款", "Clauses"), Headers: []string{t("标准", "Standard"), t("条款", "Clause"), t("条款名称", "Title"), t("证据条数", "Events")}}
	for _, c := range e.Clauses {
		summary.Rows = append(summary.Rows, []any{c.Standard, c.Number, c.Title, c.Events})
	}
	summary.Rows = append(summary.Rows,
		[]any{t("期间", "Period"), e.FromDate + " – " + e.ToDate, branch, len(e.Events)},
		[]any{t("未映射", "Unmapped"), "", "", e.Unmapped})
	events := Table{Name: t("证据", "Events"), Headers: []string{
		t("时间", "Time"), t("来源", "Source"), t("编号", "Reference"), t("序号", "Seq"), t("环节", "Step"), t("动作", "Action"),
		t("操作人", "Actor"), t("角色", "Role"), t("部门", "Department"), t("条款", "Clauses"),
	}}
	for _, ev := range e.Events {
		cites := make([]string, len(ev.Clauses))
		for i, c := range ev.Clauses {
			cites[i] = c.String()
		}
		events.Rows = append(events.Rows, []any{
			ev.At.In(Location).Format("2006-01-02 15:04:05"), ev.Source, ev.Reference, ev.Seq, ev.Step, ev.Action,
			ev.ActorName, ev.ActorRole, ev.ActorDepartment, strings.Join(cites, "; "),
		})
	}
	return []Table{summary, events}
}

// ParseLabel reads a period label: 2026Q1, 2026H1, 2026 or 2026-03.
func ParseLabel(label string) (Period, error) {
	label = strings.TrimSpace(label)
	param := "year"
	switch {
	case len(label) == 6 && (label[4] == 'Q' || label[4] == 'q'):
		param = "quarter"
	case len(label) == 6 && (label[4] == 'H' || label[4] == 'h'):
		param = "half"
	case len(label) == 7 && label[4] == '-':
		param = "month"
	}
	p, err := ParseQuery(func(k string) string {
		if k == param {
			return label
		}
		return ""
	})
	if err != nil {
		return p, &ParamError{Param: "period", Message: fmt.Sprintf("must be a quarter (2026Q1), half (2026H1), year (2026) or month (2026-03), not %q", label)}
	}
	return p, nil
}

// ScheduledPeriods are the periods a scheduled run at t reports on: the
// quarter that has ended, and at the turn of a half year also that half.
func ScheduledPeriods(t time.Time) []string {
	l := t.In(Location)
	y, m := l.Year(), int(l.Month())
	q := (m-1)/3 + 1 // this quarter; the previous one ended
	pq, py := q-1, y
	if pq == 0 {
		pq, py = 4, y-1
	}
	out := []string{fmt.Sprintf("%dQ%d", py, pq)}
	if pq == 2 || pq == 4 {
		out = append(out, fmt.Sprintf("%dH%d", py, pq/2))
	}
	return out
}
