package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// The administration area (系统管理): users and departments, working
// calendars and SLA policies. Administrators change them; internal auditors
// read them (the API lets them read all three and the audit trail), without
// forms. Everyone else gets a refusal in words and no menu entry.
func init() {
	register(area{name: "admin", nav: "admin.title", href: "/admin", allowed: mayReadAdmin, order: 90,
		routes: func(cs *Console) []route {
			get, post := http.MethodGet, http.MethodPost
			read, write := cs.adminReader, cs.adminWriter
			return []route{
				{method: get, pattern: "/admin", handle: read(cs.adminHome)},
				{method: get, pattern: "/admin/users", handle: read(cs.adminUsers)},
				{method: get, pattern: "/admin/users/new", handle: write(cs.adminNewUser)},
				{method: post, pattern: "/admin/users/new", handle: write(cs.adminCreateUser)},
				{method: get, pattern: "/admin/users/:id", handle: read(cs.adminUser)},
				{method: post, pattern: "/admin/users/:id", handle: write(cs.adminUpdateUser)},
				{method: post, pattern: "/admin/users/:id/password", handle: write(cs.adminSetPassword)},
				{method: get, pattern: "/admin/departments", handle: read(cs.adminDepartments)},
				{method: post, pattern: "/admin/departments", handle: write(cs.adminCreateDepartment)},
				{method: get, pattern: "/admin/departments/:id", handle: read(cs.adminDepartment)},
				{method: post, pattern: "/admin/departments/:id", handle: write(cs.adminSaveDepartment)},
				{method: get, pattern: "/admin/calendars", handle: read(cs.adminCalendars)},
				{method: get, pattern: "/admin/calendars/:name", handle: read(cs.adminCalendar)},
				{method: post, pattern: "/admin/calendars/:name/years/:year", handle: write(cs.adminReplaceYear)},
				{method: get, pattern: "/admin/sla-policies", handle: read(cs.adminPolicies)},
				{method: post, pattern: "/admin/sla-policies", handle: write(cs.adminAddPolicy)},
				{method: get, pattern: "/admin/sla-policies/rules", handle: write(cs.adminRules)},
				{method: post, pattern: "/admin/sla-policies/rules", handle: write(cs.adminSaveRules)},
			}
		}})
}

// mayAdminister reports whether the actor may change the organisation,
// calendars and policies: the application's administration rule.
func mayAdminister(a complaint.Actor) bool { return app.May(a, app.OpPutDepartment) }

// mayReadAdmin reports whether the actor sees the administration pages:
// those who may read the user list (administrators, and internal auditors,
// who read everything).
func mayReadAdmin(a complaint.Actor) bool { return app.May(a, app.OpListUsers) }

// adminReader lets administrators and internal auditors in.
func (cs *Console) adminReader(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !mayReadAdmin(user(c).Actor) {
			cs.adminRefuse(c, "admin.who_reads")
			return
		}
		h(c)
	}
}

// adminWriter lets administrators in: an auditor reads but changes nothing.
func (cs *Console) adminWriter(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !mayAdminister(user(c).Actor) {
			cs.adminRefuse(c, "admin.who_writes")
			return
		}
		h(c)
	}
}

func (cs *Console) adminRefuse(c *gin.Context, why string) {
	p := cs.base(c, "error.title")
	p.Error = T(p.Lang, "refusal.403") + " " + T(p.Lang, why)
	cs.render(c, http.StatusForbidden, "error.html", p)
}

// adminFail renders a refusal from the API on an administration page. The
// console's generic words speak of complaints; these pages speak of records.
func (cs *Console) adminFail(c *gin.Context, r *Refusal) {
	p := cs.base(c, "error.title")
	p.Error = adminExplain(p.Lang, r)
	cs.render(c, r.Status, "error.html", p)
}

// adminExplain puts an API refusal in words, naming the field as this area
// calls it.
func adminExplain(lang string, r *Refusal) string {
	var s string
	switch r.Status {
	case http.StatusNotFound:
		s = T(lang, "admin.not_found")
	case http.StatusConflict:
		s = T(lang, "admin.conflict")
	default:
		s = explain(lang, &Refusal{Status: r.Status})
	}
	if r.Field != "" {
		s += " " + T(lang, "refusal.field") + " " + adminFieldLabel(lang, r.Field) + "."
	}
	if r.Message != "" {
		s += " " + T(lang, "refusal.detail") + " " + r.Message
	}
	return s
}

// adminFieldLabel is a field's name in this area's words; the API's own
// name where the area has none.
func adminFieldLabel(lang, name string) string {
	if s, ok := lookup(lang, "admin.field."+name); ok {
		return s
	}
	return name
}

// adminFieldErrors are the messages shown next to a form's fields.
type adminFieldErrors map[string]string

// refusal puts the API's refusal next to the field it names, when the form
// has that field, and reports whether it did.
func (e adminFieldErrors) refusal(lang string, r *Refusal, fields ...string) bool {
	for _, f := range fields {
		if r.Field == f {
			msg := T(lang, "intake.check")
			if r.Message != "" {
				msg += " " + r.Message
			}
			e[f] = msg
			return true
		}
	}
	return false
}

// notice is the words for a finished action named in the ?done= parameter.
func adminNotice(c *gin.Context) string {
	d := c.Query("done")
	if d == "" || strings.ContainsAny(d, " ./") {
		return ""
	}
	if s, ok := lookup(lang(c), "admin.done."+d); ok {
		return s
	}
	return ""
}

// adminHomePage is the administration overview: what there is, and what needs
// doing (a calendar without this or next year's holidays).
type adminHomePage struct {
	Users, Disabled, HQ, Branches int
	Calendars                     []adminCalendarSummary
	Policy                        string
	Versions                      int
	Editable                      bool
}

func (cs *Console) adminHome(c *gin.Context) {
	users, r := cs.adminUserList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	cals, r := cs.adminCalendarList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	versions, r := cs.adminPolicyList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	active, err := cs.ops.ActivePolicy(c)
	if r := refusalIn(c, err); r != nil {
		cs.adminFail(c, r)
		return
	}
	p := cs.base(c, "admin.title")
	data := adminHomePage{Policy: active.Version, Versions: len(versions), Editable: mayAdminister(user(c).Actor)}
	for _, u := range users {
		data.Users++
		if u.Disabled {
			data.Disabled++
		}
	}
	for _, d := range depts {
		if d.Kind == org.KindBranch {
			data.Branches++
		} else {
			data.HQ++
		}
	}
	for _, cal := range cals {
		data.Calendars = append(data.Calendars, adminSummarise(p.Lang, cal, cs.now().In(cs.adminZone(cal))))
	}
	p.Data = data
	cs.render(c, http.StatusOK, "admin_home.html", p)
}

// AdminTab reports whether the administration tab at href is the page shown.
func (p page) AdminTab(href string) bool {
	if href == "/admin" {
		return p.Path == href
	}
	return p.Path == href || strings.HasPrefix(p.Path, href+"/")
}
