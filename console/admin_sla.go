package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// adminStoredPolicy is one version as GET /api/v1/sla-policies lists it.
type adminStoredPolicy struct {
	Policy    complaint.Policy `json:"policy"`
	Active    bool             `json:"active"`
	CreatedAt time.Time        `json:"created_at"`
	CreatedBy string           `json:"created_by"`
	// By is the creator's name.
	By string `json:"-"`
}

// adminClasses are the complainant classes a rule can meet, "" being a
// complaint recorded without a class (the intake form does not require one).
var adminClasses = []complaint.ComplainantClass{complaint.ClassA, complaint.ClassB, complaint.ClassC, ""}

// adminChainLink is one escalation of a chain, in words.
type adminChainLink struct {
	Level, After string
	Notify       []string
}

// adminSLAVariant is one outcome of the policy for a step: the limit, clock,
// warning and escalation some classes and severities get.
type adminSLAVariant struct {
	Scope, Limit, Clock, Warn string
	// Chain is the rule's own escalation; nil when it is the policy's.
	Chain *adminChainView
}

type adminSLAStep struct {
	Step     complaint.Step
	Variants []adminSLAVariant
}

// adminPolicyView is a policy as readable tables.
type adminPolicyView struct {
	P     complaint.Policy
	Steps []adminSLAStep
	// Chain is the policy's escalation, which rules without their own use.
	Chain      *adminChainView
	Thresholds []string
	// Approval says who approves plans; Branches which branch keeps which calendar.
	Approval []string
	Branches []string
	Reopen   string
}

// adminPolicyEditor adds a version: a name and the policy as JSON.
type adminPolicyEditor struct {
	Version, JSON string
	Errors        adminFieldErrors
	// Where names the part of the policy the API found fault with.
	Where string
}

type adminPoliciesPage struct {
	View     adminPolicyView
	Active   string
	Versions []adminStoredPolicy
	Editor   *adminPolicyEditor
	Editable bool
	// Stored is false while no version is stored: the built-in policy runs.
	Stored bool
}

func adminHoursOf(lang string, d complaint.Duration) string {
	return fmt.Sprintf(T(lang, "admin.hours"), adminHoursText(d.Std()))
}

// who names a recipient of an escalation: a level, a role or a department.
func adminWho(lang string, depts map[string]string, name string) string {
	for _, k := range []string{"level.", "admin.role."} {
		if s, ok := lookup(lang, k+name); ok {
			return s
		}
	}
	if n, ok := depts[name]; ok {
		return n
	}
	return name
}

// adminChainView is an escalation chain in words, with its language for the
// template that shows it.
type adminChainView struct {
	Lang  string
	Links []adminChainLink
}

func adminChainOf(lang string, depts map[string]string, rules []complaint.EscalationRule) *adminChainView {
	out := &adminChainView{Lang: lang}
	for _, e := range rules {
		l := adminChainLink{Level: T(lang, "level."+string(e.Level)), After: T(lang, "admin.sla.at_due")}
		if e.After > 0 {
			l.After = fmt.Sprintf(T(lang, "admin.sla.after"), adminHoursOf(lang, e.After))
		}
		for _, n := range e.Recipients() {
			l.Notify = append(l.Notify, adminWho(lang, depts, n))
		}
		out.Links = append(out.Links, l)
	}
	return out
}

// adminScopeText describes the classes and severities a variant covers: classes
// with the same severities are named together.
func adminScopeText(lang string, covered map[complaint.ComplainantClass][]complaint.Severity) string {
	all := true
	for _, c := range adminClasses {
		all = all && len(covered[c]) == len(complaint.Severities)
	}
	if all {
		return T(lang, "admin.sla.everyone")
	}
	sep := T(lang, "admin.list_sep")
	var groups []string
	var order []string
	byKey := map[string][]string{}
	for _, c := range adminClasses {
		sevs := covered[c]
		if len(sevs) == 0 {
			continue
		}
		var key string
		if len(sevs) == len(complaint.Severities) {
			key = T(lang, "admin.sla.any_severity")
		} else {
			var names []string
			for _, s := range sevs {
				names = append(names, T(lang, "severity."+string(s)))
			}
			key = strings.Join(names, sep)
		}
		if _, ok := byKey[key]; !ok {
			order = append(order, key)
		}
		name := "admin.class." + string(c)
		if c == "" {
			name = "admin.class.none"
		}
		byKey[key] = append(byKey[key], T(lang, name))
	}
	for _, k := range order {
		groups = append(groups, strings.Join(byKey[k], sep)+": "+k)
	}
	return strings.Join(groups, T(lang, "admin.group_sep"))
}

// adminViewPolicy resolves the policy for every step, class and severity, the
// way a complaint meets it (the first matching rule, else the step limit in
// calendar time), and groups what comes out alike.
func adminViewPolicy(lang string, p complaint.Policy, depts map[string]string) adminPolicyView {
	v := adminPolicyView{P: p, Reopen: T(lang, "level."+string(p.ReopenEscalation)), Chain: adminChainOf(lang, depts, p.Escalation)}
	ownChain := func(r complaint.SLARule) bool {
		a, _ := json.Marshal(r.Escalation)
		b, _ := json.Marshal(p.Escalation)
		return string(a) != string(b)
	}
	if p.ReopenEscalation == "" {
		v.Reopen = "—"
	}
	for _, step := range complaint.ActionSteps {
		s := adminSLAStep{Step: step}
		var keys []string
		covered := map[string]map[complaint.ComplainantClass][]complaint.Severity{}
		rules := map[string]complaint.SLARule{}
		for _, c := range adminClasses {
			for _, sev := range complaint.Severities {
				r := p.SLA(step, c, sev)
				b, _ := json.Marshal([]any{r.Target, r.Clock, r.WarnAt, r.Escalation})
				k := string(b)
				if _, ok := covered[k]; !ok {
					keys = append(keys, k)
					covered[k] = map[complaint.ComplainantClass][]complaint.Severity{}
					rules[k] = r
				}
				covered[k][c] = append(covered[k][c], sev)
			}
		}
		for _, k := range keys {
			r := rules[k]
			vr := adminSLAVariant{Scope: adminScopeText(lang, covered[k]), Limit: adminHoursOf(lang, r.Target),
				Clock: T(lang, "admin.clock."+string(r.Clock)), Warn: "—"}
			if ownChain(r) {
				vr.Chain = adminChainOf(lang, depts, r.Escalation)
			}
			if r.WarnAt > 0 {
				vr.Warn = strconv.FormatFloat(r.WarnAt*100, 'f', 1, 64) + "%"
			}
			s.Variants = append(s.Variants, vr)
		}
		v.Steps = append(v.Steps, s)
	}
	ts := slices.Clone(p.SeverityThresholds)
	slices.SortFunc(ts, func(a, b complaint.SeverityThreshold) int { return b.Severity.Rank() - a.Severity.Rank() })
	for _, t := range ts {
		v.Thresholds = append(v.Thresholds, fmt.Sprintf(T(lang, "admin.sla.threshold"), T(lang, "severity."+string(t.Severity)),
			adminMoney(t.MinLoss)))
	}
	v.Approval = append(v.Approval, T(lang, "admin.sla.approval.head"),
		fmt.Sprintf(T(lang, "admin.sla.approval.market"), T(lang, "severity."+string(p.Approval.MarketDepartmentFrom))),
		fmt.Sprintf(T(lang, "admin.sla.approval.gm"), T(lang, "severity."+string(p.Approval.GeneralManagerFrom))))
	if p.Approval.BranchToMarketDepartment {
		v.Approval = append(v.Approval, T(lang, "admin.sla.approval.branch"))
	}
	branches := make([]string, 0, len(p.Calendars))
	for b := range p.Calendars {
		branches = append(branches, b)
	}
	slices.Sort(branches)
	for _, b := range branches {
		name := b
		if n, ok := depts[b]; ok {
			name = n
		}
		v.Branches = append(v.Branches, name+" → "+p.Calendars[b])
	}
	return v
}

// adminMoney writes an amount in yuan with thousands separators: 1,000,000.
func adminMoney(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// adminPolicyDraft is a policy as the editor shows it: without its version,
// which the editor asks for on its own (a new version needs a new name).
type adminPolicyDraft struct {
	complaint.Policy
	Version string `json:"version,omitempty"`
}

func adminDraftJSON(p complaint.Policy) string {
	b, err := json.MarshalIndent(adminPolicyDraft{Policy: p}, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

func (cs *Console) adminPolicyList(c *gin.Context) ([]adminStoredPolicy, *Refusal) {
	list, err := cs.ops.Policies(c)
	if r := refusalIn(c, err); r != nil {
		return nil, r
	}
	out := make([]adminStoredPolicy, 0, len(list))
	for _, p := range list {
		out = append(out, adminStoredPolicy{Policy: p.Policy, Active: p.Active, CreatedAt: p.CreatedAt, CreatedBy: p.CreatedBy})
	}
	return out, nil
}

func (cs *Console) adminRenderPolicies(c *gin.Context, status int, shown string, ed *adminPolicyEditor, r *Refusal) {
	list, rr := cs.adminPolicyList(c)
	if rr != nil {
		cs.adminFail(c, rr)
		return
	}
	active, err := cs.ops.ActivePolicy(c)
	if rr := refusalIn(c, err); rr != nil {
		cs.adminFail(c, rr)
		return
	}
	depts, rr := cs.adminDeptList(c)
	if rr != nil {
		cs.adminFail(c, rr)
		return
	}
	// Creators are named where the user list can be read; the ID otherwise.
	users, _ := cs.adminUserList(c)
	p := cs.base(c, "admin.sla.title")
	p.Notice = adminNotice(c)
	data := adminPoliciesPage{Active: active.Version, Editor: ed, Editable: mayAdminister(user(c).Actor), Stored: len(list) > 0}
	pol := active
	if shown != "" && shown != active.Version {
		i := slices.IndexFunc(list, func(s adminStoredPolicy) bool { return s.Policy.Version == shown })
		if i < 0 {
			cs.adminFail(c, &Refusal{Status: http.StatusNotFound, Message: "no stored policy has version " + shown})
			return
		}
		pol = list[i].Policy
	}
	for i := range list {
		list[i].By = list[i].CreatedBy
		if j := slices.IndexFunc(users, func(u org.User) bool { return u.ID == list[i].CreatedBy }); j >= 0 {
			list[i].By = users[j].Name
		}
	}
	data.Versions = list
	data.View = adminViewPolicy(p.Lang, pol, deptNames(depts))
	if data.Editor == nil {
		data.Editor = &adminPolicyEditor{JSON: adminDraftJSON(pol), Errors: adminFieldErrors{}}
	}
	if r != nil {
		p.Error = adminExplain(p.Lang, r)
	} else if len(data.Editor.Errors) > 0 {
		p.Error = T(p.Lang, "admin.fix_fields")
	}
	p.Data = data
	cs.render(c, status, "admin_sla.html", p)
}

func (cs *Console) adminPolicies(c *gin.Context) {
	cs.adminRenderPolicies(c, http.StatusOK, c.Query("version"), nil, nil)
}

// adminJSONProblem words a JSON syntax error by line and column.
func adminJSONProblem(lang, text string, err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		before := text[:min(int(syn.Offset), len(text))]
		line := strings.Count(before, "\n") + 1
		col := len([]rune(before[strings.LastIndex(before, "\n")+1:]))
		return fmt.Sprintf(T(lang, "admin.sla.json_at"), line, col, syn.Error())
	}
	return T(lang, "admin.sla.json_object")
}

// adminFaultPath finds the part of the policy an API error is about: the field
// it names, or the path its message starts with ("sla[2]: target …").
var adminFaultPath = regexp.MustCompile(`^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*):`)

var adminRuleIndex = regexp.MustCompile(`^(sla|escalation)\[(\d+)\]`)

// where describes the faulty part in words, with the step of an SLA rule
// looked up in what was sent.
func adminWhere(lang string, r *Refusal, sent map[string]json.RawMessage) string {
	path := r.Field
	if path == "" {
		if m := adminFaultPath.FindStringSubmatch(r.Message); m != nil {
			path = m[1]
		}
	}
	if path == "" {
		return ""
	}
	m := adminRuleIndex.FindStringSubmatch(path)
	if m == nil {
		return fmt.Sprintf(T(lang, "admin.sla.where"), path)
	}
	i, _ := strconv.Atoi(m[2])
	if m[1] == "escalation" {
		return fmt.Sprintf(T(lang, "admin.sla.where_chain"), path, i+1)
	}
	var rules []struct {
		Step string `json:"step"`
	}
	step := "?"
	if json.Unmarshal(sent["sla"], &rules) == nil && i < len(rules) {
		step = T(lang, "step."+rules[i].Step)
		if strings.HasPrefix(step, Missing) {
			step = rules[i].Step
		}
	}
	return fmt.Sprintf(T(lang, "admin.sla.where_rule"), path, i+1, step)
}

func (cs *Console) adminAddPolicy(c *gin.Context) {
	l := lang(c)
	ed := &adminPolicyEditor{Version: strings.TrimSpace(c.PostForm("version")), JSON: c.PostForm("policy"), Errors: adminFieldErrors{}}
	var body map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(ed.JSON))
	if err := dec.Decode(&body); err != nil || body == nil {
		ed.Errors["policy"] = adminJSONProblem(l, ed.JSON, err)
		cs.adminRenderPolicies(c, http.StatusBadRequest, "", ed, nil)
		return
	}
	if dec.More() {
		ed.Errors["policy"] = T(l, "admin.sla.json_object")
		cs.adminRenderPolicies(c, http.StatusBadRequest, "", ed, nil)
		return
	}
	// The name field wins over a version written into the JSON; a JSON-only
	// version is shown in the name field.
	if ed.Version != "" {
		body["version"], _ = json.Marshal(ed.Version)
	} else if v, ok := body["version"]; ok {
		_ = json.Unmarshal(v, &ed.Version)
	}
	r := cs.adminAddPolicyJSON(c, body)
	if r == nil {
		c.Redirect(http.StatusSeeOther, "/admin/sla-policies?done=policy_added")
		return
	}
	if r.Status == http.StatusForbidden || r.Status >= 500 {
		cs.adminRenderPolicies(c, r.Status, "", ed, r)
		return
	}
	if !ed.Errors.refusal(l, r, "version") {
		msg := T(l, "intake.check")
		if r.Message != "" {
			msg += " " + r.Message
		}
		ed.Errors["policy"] = msg
		ed.Where = adminWhere(l, r, body)
	}
	cs.adminRenderPolicies(c, r.Status, "", ed, nil)
}

// adminAddPolicyJSON stores the editor's policy as a new version
// (app.AddPolicyJSON: fields it leaves out take the built-in defaults).
func (cs *Console) adminAddPolicyJSON(c *gin.Context, body map[string]json.RawMessage) *Refusal {
	data, err := json.Marshal(body)
	if err != nil {
		return &Refusal{Status: http.StatusInternalServerError, Message: fmt.Sprintf("encode the policy: %v", err)}
	}
	_, err = cs.ops.AddPolicyJSON(c, user(c).Actor, data)
	audited(c, "/api/v1/sla-policies", "", "", "", err)
	return refusalIn(c, err)
}
