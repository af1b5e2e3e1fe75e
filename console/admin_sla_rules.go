package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/complaint"
)

// The rule form edits a policy's SLA rules one row each, in the order they
// are tried; everything else in the policy is carried over from the version
// the form was opened on. It saves a new version, as the JSON editor does.

// adminMaxRuleRows bounds the rows a posted form may carry.
const adminMaxRuleRows = 200

// adminNewRuleRows is how many empty rows the form offers for new rules.
const adminNewRuleRows = 3

// adminCheck is one checkbox.
type adminCheck struct {
	Value, Label string
	Checked      bool
}

// adminRuleRow is one SLA rule as the form shows it.
type adminRuleRow struct {
	Order, Step, Hours, Clock, Warn string
	Classes, Severities             []adminCheck
	// Escalation is the rule's own chain as JSON (empty: the policy's), kept
	// as it was; Chain shows it.
	Escalation string
	Chain      *adminChainView
	Error      string
}

type adminRulesForm struct {
	// Base is the version the form started from; Version the new one's name.
	Base, Version string
	Rows          []adminRuleRow
	Steps         []complaint.Step
	Errors        adminFieldErrors
}

func adminClassChecks(lang string, on []complaint.ComplainantClass) []adminCheck {
	var out []adminCheck
	for _, c := range complaint.ComplainantClasses {
		out = append(out, adminCheck{Value: string(c), Label: T(lang, "admin.class."+string(c)), Checked: slices.Contains(on, c)})
	}
	return out
}

func adminSeverityChecks(lang string, on []complaint.Severity) []adminCheck {
	var out []adminCheck
	for _, s := range complaint.Severities {
		out = append(out, adminCheck{Value: string(s), Label: T(lang, "severity."+string(s)), Checked: slices.Contains(on, s)})
	}
	return out
}

func adminRowOf(lang string, i int, r complaint.SLARule, depts map[string]string) adminRuleRow {
	row := adminRuleRow{Order: strconv.Itoa(i + 1), Step: string(r.Step), Hours: adminHoursText(r.Target.Std()), Clock: string(r.Clock),
		Classes: adminClassChecks(lang, r.Classes), Severities: adminSeverityChecks(lang, r.Severities)}
	if r.WarnAt > 0 {
		row.Warn = strconv.FormatFloat(r.WarnAt*100, 'f', -1, 64)
	}
	if len(r.Escalation) > 0 {
		b, _ := json.Marshal(r.Escalation)
		row.Escalation = string(b)
		row.Chain = adminChainOf(lang, depts, r.Escalation)
	}
	return row
}

func adminEmptyRow(lang string, order int) adminRuleRow {
	return adminRuleRow{Order: strconv.Itoa(order), Clock: string(complaint.ClockWorking), Warn: "80",
		Classes: adminClassChecks(lang, nil), Severities: adminSeverityChecks(lang, nil)}
}

// basePolicy is the stored version named, or the active policy for "".
func (cs *Console) adminBasePolicy(c *gin.Context, version string) (complaint.Policy, *Refusal) {
	active, err := cs.ops.ActivePolicy(c)
	if r := refusalIn(c, err); r != nil {
		return active, r
	}
	if version == "" || version == active.Version {
		return active, nil
	}
	list, r := cs.adminPolicyList(c)
	if r != nil {
		return active, r
	}
	i := slices.IndexFunc(list, func(s adminStoredPolicy) bool { return s.Policy.Version == version })
	if i < 0 {
		return active, &Refusal{Status: http.StatusNotFound, Message: "no stored policy has version " + version}
	}
	return list[i].Policy, nil
}

func (cs *Console) adminRenderRules(c *gin.Context, status int, f *adminRulesForm, r *Refusal) {
	p := cs.base(c, "admin.rules.title")
	if r != nil {
		p.Error = adminExplain(p.Lang, r)
	} else if len(f.Errors) > 0 || slices.ContainsFunc(f.Rows, func(r adminRuleRow) bool { return r.Error != "" }) {
		p.Error = T(p.Lang, "admin.fix_fields")
	}
	f.Steps = complaint.ActionSteps
	p.Data = f
	cs.render(c, status, "admin_sla_rules.html", p)
}

func (cs *Console) adminRules(c *gin.Context) {
	base, r := cs.adminBasePolicy(c, c.Query("version"))
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	l := lang(c)
	f := &adminRulesForm{Base: base.Version, Errors: adminFieldErrors{}}
	for i, rule := range base.SLARules {
		f.Rows = append(f.Rows, adminRowOf(l, i, rule, deptNames(depts)))
	}
	for i := range adminNewRuleRows {
		f.Rows = append(f.Rows, adminEmptyRow(l, len(base.SLARules)+i+1))
	}
	cs.adminRenderRules(c, http.StatusOK, f, nil)
}

// adminPostedRows reads the rows back as typed, in the order they are to be
// tried; an empty row is dropped, a row marked for deletion too.
func adminPostedRows(lang string, v url.Values, depts map[string]string) []adminRuleRow {
	n, _ := strconv.Atoi(v.Get("rows"))
	n = min(max(n, 0), adminMaxRuleRows)
	var rows []adminRuleRow
	for i := range n {
		k := func(name string) string { return "rule." + strconv.Itoa(i) + "." + name }
		if v.Get(k("delete")) == "true" {
			continue
		}
		row := adminRuleRow{Order: strings.TrimSpace(v.Get(k("order"))), Step: v.Get(k("step")), Hours: strings.TrimSpace(v.Get(k("hours"))),
			Clock: v.Get(k("clock")), Warn: strings.TrimSpace(v.Get(k("warn"))), Escalation: v.Get(k("escalation"))}
		var classes []complaint.ComplainantClass
		for _, c := range v[k("classes")] {
			classes = append(classes, complaint.ComplainantClass(c))
		}
		var sevs []complaint.Severity
		for _, s := range v[k("severities")] {
			sevs = append(sevs, complaint.Severity(s))
		}
		if row.Step == "" && row.Hours == "" && len(classes) == 0 && len(sevs) == 0 {
			continue
		}
		row.Classes, row.Severities = adminClassChecks(lang, classes), adminSeverityChecks(lang, sevs)
		var esc []complaint.EscalationRule
		if row.Escalation != "" && json.Unmarshal([]byte(row.Escalation), &esc) == nil {
			row.Chain = adminChainOf(lang, depts, esc)
		}
		rows = append(rows, row)
	}
	// Rows are tried by their order number; equal numbers keep the form's order.
	slices.SortStableFunc(rows, func(a, b adminRuleRow) int {
		x, errX := strconv.ParseFloat(a.Order, 64)
		y, errY := strconv.ParseFloat(b.Order, 64)
		switch {
		case errX != nil && errY != nil:
			return 0
		case errX != nil:
			return 1
		case errY != nil:
			return -1
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
	for i := range rows {
		rows[i].Order = strconv.Itoa(i + 1)
	}
	return rows
}

// rule turns a row into an SLA rule; the problem, in words, when it cannot.
func (row adminRuleRow) rule(lang string) (complaint.SLARule, string) {
	r := complaint.SLARule{Step: complaint.Step(row.Step), Clock: complaint.ClockKind(row.Clock)}
	for _, c := range row.Classes {
		if c.Checked {
			r.Classes = append(r.Classes, complaint.ComplainantClass(c.Value))
		}
	}
	for _, s := range row.Severities {
		if s.Checked {
			r.Severities = append(r.Severities, complaint.Severity(s.Value))
		}
	}
	h, err := strconv.ParseFloat(row.Hours, 64)
	if err != nil || h != h || h > 24*366*10 {
		return r, T(lang, "admin.rules.bad_hours")
	}
	r.Target = complaint.Duration(time.Duration(h * float64(time.Hour)).Round(time.Second))
	if row.Warn != "" {
		w, err := strconv.ParseFloat(row.Warn, 64)
		if err != nil || w != w {
			return r, T(lang, "admin.rules.bad_warn")
		}
		r.WarnAt = w / 100
	}
	if row.Escalation != "" {
		if err := json.Unmarshal([]byte(row.Escalation), &r.Escalation); err != nil {
			return r, T(lang, "admin.rules.bad_chain")
		}
	}
	return r, ""
}

func (cs *Console) adminSaveRules(c *gin.Context) {
	l := lang(c)
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	f := &adminRulesForm{Base: v.Get("base"), Version: strings.TrimSpace(v.Get("version")), Errors: adminFieldErrors{}}
	base, r := cs.adminBasePolicy(c, f.Base)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	f.Rows = adminPostedRows(l, v, deptNames(depts))
	rules := []complaint.SLARule{}
	for i := range f.Rows {
		rule, problem := f.Rows[i].rule(l)
		f.Rows[i].Error = problem
		rules = append(rules, rule)
	}
	keepEmpty := func() {
		for i := range adminNewRuleRows {
			f.Rows = append(f.Rows, adminEmptyRow(l, len(rules)+i+1))
		}
	}
	if slices.ContainsFunc(f.Rows, func(r adminRuleRow) bool { return r.Error != "" }) {
		keepEmpty()
		cs.adminRenderRules(c, http.StatusBadRequest, f, nil)
		return
	}
	base.SLARules = rules
	draft, err := json.Marshal(adminPolicyDraft{Policy: base, Version: f.Version})
	var body map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(draft, &body)
	}
	if err != nil {
		cs.fail(c, fmt.Errorf("encode the policy: %w", err))
		return
	}
	// No rules at all is a choice: left out, the API would take the defaults'.
	body["sla"], _ = json.Marshal(rules)
	r = cs.adminAddPolicyJSON(c, body)
	if r == nil {
		c.Redirect(http.StatusSeeOther, "/admin/sla-policies?done=policy_added")
		return
	}
	keepEmpty()
	if r.Status == http.StatusForbidden || r.Status >= 500 {
		cs.adminRenderRules(c, r.Status, f, r)
		return
	}
	if f.Errors.refusal(l, r, "version") {
		cs.adminRenderRules(c, r.Status, f, nil)
		return
	}
	// "sla[2]: target must be positive": the row the API is about.
	path := r.Field
	if m := adminFaultPath.FindStringSubmatch(r.Message); path == "" && m != nil {
		path = m[1]
	}
	if m := adminRuleIndex.FindStringSubmatch(path); m != nil && m[1] == "sla" {
		if i, _ := strconv.Atoi(m[2]); i < len(f.Rows) {
			f.Rows[i].Error = T(l, "intake.check") + " " + r.Message
			cs.adminRenderRules(c, r.Status, f, nil)
			return
		}
	}
	cs.adminRenderRules(c, r.Status, f, r)
}
