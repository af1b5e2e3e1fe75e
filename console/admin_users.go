package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/org"
)

// adminAuditEntry is what these pages read of the audit trail (app.Audit).
type adminAuditEntry struct {
	At       time.Time `json:"at"`
	Username string    `json:"username"`
	Method   string    `json:"method"`
	Route    string    `json:"route"`
	Outcome  string    `json:"outcome"`
}

// What an audit row about a user did, by the API route of the operation:
// an API client's PATCH or PUT, or the console's form POST that ran it.
var adminUserAuditActions = map[string]string{
	"/api/v1/users/:id":          "admin.audit.update",
	"/api/v1/users/:id/password": "admin.audit.password",
}

// Action is the row's action in words: a known route's name, else the route.
func (e adminAuditEntry) Action(lang string) string {
	if k, ok := adminUserAuditActions[e.Route]; ok {
		return T(lang, k)
	}
	return e.Method + " " + e.Route
}

// changes reads the allowed changes to a record, newest first. Changes are
// not part of the user record; the audit trail, which every write goes
// through, is where they are kept.
func (cs *Console) adminChanges(c *gin.Context, target string, limit int) ([]adminAuditEntry, *Refusal) {
	page, err := cs.ops.Audit(c, user(c).Actor, app.AuditFilter{Target: target, Outcome: "allowed", Limit: limit})
	if r := refusalIn(c, err); r != nil {
		return nil, r
	}
	out := make([]adminAuditEntry, 0, len(page.Items))
	for _, e := range page.Items {
		out = append(out, adminAuditEntry{At: e.At, Username: e.Username, Method: e.Method, Route: e.Route, Outcome: e.Outcome})
	}
	return out, nil
}

func (cs *Console) adminUserList(c *gin.Context) ([]org.User, *Refusal) {
	list, err := cs.ops.Users(c, user(c).Actor)
	return list, refusalIn(c, err)
}

func (cs *Console) adminDeptList(c *gin.Context) ([]org.Department, *Refusal) {
	list, err := cs.ops.DepartmentList(c)
	return list, refusalIn(c, err)
}

func deptNames(ds []org.Department) map[string]string {
	m := map[string]string{}
	for _, d := range ds {
		m[d.ID] = d.Name
	}
	return m
}

// adminUserRow is one line of the user list.
type adminUserRow struct {
	U org.User
	// Changed is the last change: the newest allowed change in the audit
	// trail, or the creation.
	Changed   time.Time
	ChangedBy string
}

type adminUsersPage struct {
	Rows     []adminUserRow
	Dept     string // the department the list is narrowed to
	Editable bool
}

func (cs *Console) adminUsers(c *gin.Context) {
	list, r := cs.adminUserList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	p := cs.base(c, "admin.users.title")
	p.Depts = deptNames(depts)
	p.Notice = adminNotice(c)
	data := adminUsersPage{Dept: c.Query("department"), Editable: mayAdminister(user(c).Actor)}
	for _, u := range list {
		if data.Dept != "" && u.Department != data.Dept {
			continue
		}
		row := adminUserRow{U: u, Changed: u.CreatedAt}
		if u.UpdatedAt.After(u.CreatedAt) {
			row.Changed, row.ChangedBy = u.UpdatedAt, u.UpdatedBy
		}
		data.Rows = append(data.Rows, row)
	}
	p.Data = data
	cs.render(c, http.StatusOK, "admin_users.html", p)
}

// adminRoleChoice is one role's checkbox.
type adminRoleChoice struct {
	Role    org.Role
	Checked bool
}

// adminUserForm is the form to create or edit a user, and to set a password.
type adminUserForm struct {
	// ID is empty for a new user.
	ID, Username, Name, Department string
	Email, Mobile                  string
	Roles                          []adminRoleChoice
	Disabled                       bool
	CreatedAt                      time.Time
	Errors                         adminFieldErrors
	// PasswordErrors belong to the set-password form.
	PasswordErrors adminFieldErrors
	Depts          []org.Department
	History        []adminAuditEntry
	Editable       bool
	// Own is set when the form is the signed-in user's own: changing one's
	// own password asks for the current one.
	Own bool
}

func adminNewUserForm(u org.User, depts []org.Department) *adminUserForm {
	f := &adminUserForm{ID: u.ID, Username: u.Username, Name: u.Name, Department: u.Department, Disabled: u.Disabled, Email: u.Email, Mobile: u.Mobile,
		CreatedAt: u.CreatedAt, Errors: adminFieldErrors{}, PasswordErrors: adminFieldErrors{}, Depts: depts}
	for _, r := range org.Roles {
		f.Roles = append(f.Roles, adminRoleChoice{Role: r, Checked: u.Has(r)})
	}
	return f
}

// posted reads the form as the user typed it.
func adminPostedUser(v url.Values) org.User {
	u := org.User{
		Username:   strings.ToLower(strings.TrimSpace(v.Get("username"))),
		Name:       strings.TrimSpace(v.Get("name")),
		Department: v.Get("department"),
		Disabled:   v.Get("disabled") == "true",
		Email:      strings.TrimSpace(v.Get("email")),
		Mobile:     strings.TrimSpace(v.Get("mobile")),
		Roles:      []org.Role{},
	}
	for _, r := range v["roles"] {
		u.Roles = append(u.Roles, org.Role(r))
	}
	return u
}

var adminUserFields = []string{"username", "name", "email", "mobile", "department", "roles", "disabled", "password"}

func (cs *Console) adminRenderUserForm(c *gin.Context, status int, f *adminUserForm, r *Refusal) {
	title := "admin.user.edit"
	if f.ID == "" {
		title = "admin.user.new"
	}
	fields := adminUserFields
	if f.ID != "" {
		// An existing user's username is fixed; their password has its own form.
		fields = []string{"name", "email", "mobile", "department", "roles", "disabled"}
	}
	p := cs.base(c, title)
	p.Notice = adminNotice(c)
	if r != nil && !f.Errors.refusal(p.Lang, r, fields...) {
		p.Error = adminExplain(p.Lang, r)
	}
	if p.Error == "" && len(f.Errors)+len(f.PasswordErrors) > 0 {
		p.Error = T(p.Lang, "admin.fix_fields")
	}
	p.Data = f
	cs.render(c, status, "admin_user.html", p)
}

func (cs *Console) adminNewUser(c *gin.Context) {
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	f := adminNewUserForm(org.User{Department: c.Query("department")}, depts)
	f.Editable = true
	cs.adminRenderUserForm(c, http.StatusOK, f, nil)
}

func (cs *Console) adminCreateUser(c *gin.Context) {
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	u := adminPostedUser(v)
	f := adminNewUserForm(u, depts)
	f.Editable = true
	pw := v.Get("password")
	if pw != v.Get("password_confirm") {
		f.Errors["password_confirm"] = T(lang(c), "admin.password.mismatch")
		cs.adminRenderUserForm(c, http.StatusBadRequest, f, nil)
		return
	}
	created, err := cs.ops.CreateUser(c, user(c).Actor, app.NewUser{User: u, Password: pw})
	audited(c, "/api/v1/users", created.ID, "", "", err)
	if r := refusalIn(c, err); r != nil {
		cs.adminRenderUserForm(c, r.Status, f, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?done=user_created#u-"+url.QueryEscape(created.ID))
}

// userFormFor reads the user and what the edit page shows with them.
func (cs *Console) adminUserFormFor(c *gin.Context) (*adminUserForm, bool) {
	id := c.Param("id")
	if uuid.Validate(id) != nil {
		cs.adminFail(c, &Refusal{Status: http.StatusNotFound})
		return nil, false
	}
	list, r := cs.adminUserList(c)
	if r != nil {
		cs.adminFail(c, r)
		return nil, false
	}
	i := slices.IndexFunc(list, func(u org.User) bool { return u.ID == id })
	if i < 0 {
		cs.adminFail(c, &Refusal{Status: http.StatusNotFound})
		return nil, false
	}
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return nil, false
	}
	f := adminNewUserForm(list[i], depts)
	f.Editable = mayAdminister(user(c).Actor)
	f.Own = user(c).Actor.ID == id
	if h, r := cs.adminChanges(c, id, 20); r == nil {
		f.History = h
	}
	return f, true
}

func (cs *Console) adminUser(c *gin.Context) {
	f, ok := cs.adminUserFormFor(c)
	if !ok {
		return
	}
	cs.adminRenderUserForm(c, http.StatusOK, f, nil)
}

func (cs *Console) adminUpdateUser(c *gin.Context) {
	f, ok := cs.adminUserFormFor(c)
	if !ok {
		return
	}
	_ = c.Request.ParseForm()
	posted := adminPostedUser(c.Request.PostForm)
	posted.ID, posted.Username, posted.CreatedAt = f.ID, f.Username, f.CreatedAt
	// The form shows what was typed, not what is stored, when it comes back.
	kept := adminNewUserForm(posted, f.Depts)
	kept.Editable, kept.History = true, f.History
	_, err := cs.ops.UpdateUser(c, user(c).Actor, posted)
	audited(c, "/api/v1/users/:id", f.ID, "", "", err)
	if r := refusalIn(c, err); r != nil {
		cs.adminRenderUserForm(c, r.Status, kept, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+f.ID+"?done=user_saved")
}

func (cs *Console) adminSetPassword(c *gin.Context) {
	f, ok := cs.adminUserFormFor(c)
	if !ok {
		return
	}
	pw := c.PostForm("password")
	if pw != c.PostForm("password_confirm") {
		f.PasswordErrors["password_confirm"] = T(lang(c), "admin.password.mismatch")
		cs.adminRenderUserForm(c, http.StatusBadRequest, f, nil)
		return
	}
	in := app.PasswordChange{Password: pw}
	if f.Own {
		in.CurrentPassword = c.PostForm("current_password")
	}
	err := cs.ops.SetPassword(c, user(c).Actor, f.ID, in)
	audited(c, "/api/v1/users/:id/password", f.ID, "", "", err)
	if r := refusalIn(c, err); r != nil {
		if r.Status == http.StatusForbidden && f.Own {
			// The current password was wrong: say so at its field.
			r = &Refusal{Status: http.StatusBadRequest, Field: "current_password", Message: r.Message}
		}
		status := r.Status
		if f.PasswordErrors.refusal(lang(c), r, "password", "current_password") {
			r = nil
		}
		cs.adminRenderUserForm(c, status, f, r)
		return
	}
	// Setting a password signs the user out everywhere, the administrator too
	// when it is their own: the redirect then lands on the sign-in page.
	c.Redirect(http.StatusSeeOther, "/admin/users/"+f.ID+"?done=password")
}

// adminDeptRow is one department with the people who lead it.
type adminDeptRow struct {
	D       org.Department
	Heads   []org.User
	Members int
}

// adminDeptGroup is headquarters' departments or the branches.
type adminDeptGroup struct {
	Kind org.DepartmentKind
	Rows []adminDeptRow
}

type adminDepartmentsPage struct {
	Groups []adminDeptGroup
	// New is the form to add a department.
	New      *adminDeptForm
	Editable bool
}

// adminDeptForm creates (ID editable) or edits a department.
type adminDeptForm struct {
	ID, Name string
	Kind     org.DepartmentKind
	Existing bool
	Errors   adminFieldErrors
	Members  []org.User
	Editable bool
}

var adminDeptFields = []string{"id", "name", "kind"}

func adminLeads(u org.User) bool { return u.Has(org.RoleDepartmentHead) || u.Has(org.RoleBranchHead) }

// problem puts a refusal next to the field it names and answers the words
// for the top of the page.
func (f *adminDeptForm) problem(lang string, r *Refusal) string {
	if r != nil && !f.Errors.refusal(lang, r, adminDeptFields...) {
		return adminExplain(lang, r)
	}
	if len(f.Errors) > 0 {
		return T(lang, "admin.fix_fields")
	}
	return ""
}

func (cs *Console) adminDepartments(c *gin.Context) {
	cs.adminRenderDepartments(c, http.StatusOK, &adminDeptForm{Kind: org.KindHQ, Errors: adminFieldErrors{}}, nil)
}

func (cs *Console) adminRenderDepartments(c *gin.Context, status int, f *adminDeptForm, r *Refusal) {
	depts, rr := cs.adminDeptList(c)
	if rr != nil {
		cs.adminFail(c, rr)
		return
	}
	users, rr := cs.adminUserList(c)
	if rr != nil {
		cs.adminFail(c, rr)
		return
	}
	p := cs.base(c, "admin.departments.title")
	p.Notice = adminNotice(c)
	p.Error = f.problem(p.Lang, r)
	data := adminDepartmentsPage{New: f, Editable: mayAdminister(user(c).Actor),
		Groups: []adminDeptGroup{{Kind: org.KindHQ}, {Kind: org.KindBranch}}}
	f.Editable = data.Editable
	for _, d := range depts {
		row := adminDeptRow{D: d}
		for _, u := range users {
			if u.Department != d.ID || u.Disabled {
				continue
			}
			row.Members++
			if adminLeads(u) {
				row.Heads = append(row.Heads, u)
			}
		}
		g := &data.Groups[0]
		if d.Kind == org.KindBranch {
			g = &data.Groups[1]
		}
		g.Rows = append(g.Rows, row)
	}
	p.Data = data
	cs.render(c, status, "admin_departments.html", p)
}

func (cs *Console) adminCreateDepartment(c *gin.Context) {
	f := &adminDeptForm{ID: strings.TrimSpace(c.PostForm("id")), Name: strings.TrimSpace(c.PostForm("name")),
		Kind: org.DepartmentKind(c.PostForm("kind")), Errors: adminFieldErrors{}}
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	// PUT creates or renames: a new department must not take an existing ID.
	if slices.ContainsFunc(depts, func(d org.Department) bool { return d.ID == f.ID }) {
		f.Errors["id"] = T(lang(c), "admin.department.taken")
		cs.adminRenderDepartments(c, http.StatusConflict, f, nil)
		return
	}
	if f.ID == "" {
		// PUT /api/v1/departments/ names no department: nothing to send.
		f.Errors["id"] = T(lang(c), "admin.department.id_hint")
		cs.adminRenderDepartments(c, http.StatusBadRequest, f, nil)
		return
	}
	_, err := cs.ops.PutDepartment(c, user(c).Actor, f.ID, org.Department{ID: f.ID, Name: f.Name, Kind: f.Kind})
	audited(c, "/api/v1/departments/:id", f.ID, "", "", err)
	if r := refusalIn(c, err); r != nil {
		cs.adminRenderDepartments(c, r.Status, f, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/departments?done=department_saved")
}

func (cs *Console) adminDeptFormFor(c *gin.Context) (*adminDeptForm, bool) {
	depts, r := cs.adminDeptList(c)
	if r != nil {
		cs.adminFail(c, r)
		return nil, false
	}
	i := slices.IndexFunc(depts, func(d org.Department) bool { return d.ID == c.Param("id") })
	if i < 0 {
		cs.adminFail(c, &Refusal{Status: http.StatusNotFound})
		return nil, false
	}
	users, r := cs.adminUserList(c)
	if r != nil {
		cs.adminFail(c, r)
		return nil, false
	}
	d := depts[i]
	f := &adminDeptForm{ID: d.ID, Name: d.Name, Kind: d.Kind, Existing: true, Errors: adminFieldErrors{},
		Editable: mayAdminister(user(c).Actor)}
	for _, u := range users {
		if u.Department == d.ID {
			f.Members = append(f.Members, u)
		}
	}
	return f, true
}

func (cs *Console) adminRenderDepartment(c *gin.Context, status int, f *adminDeptForm, r *Refusal) {
	p := cs.base(c, "admin.department.edit")
	p.Notice = adminNotice(c)
	p.Error = f.problem(p.Lang, r)
	p.Data = f
	cs.render(c, status, "admin_department.html", p)
}

func (cs *Console) adminDepartment(c *gin.Context) {
	if f, ok := cs.adminDeptFormFor(c); ok {
		cs.adminRenderDepartment(c, http.StatusOK, f, nil)
	}
}

func (cs *Console) adminSaveDepartment(c *gin.Context) {
	f, ok := cs.adminDeptFormFor(c)
	if !ok {
		return
	}
	f.Name, f.Kind = strings.TrimSpace(c.PostForm("name")), org.DepartmentKind(c.PostForm("kind"))
	_, err := cs.ops.PutDepartment(c, user(c).Actor, f.ID, org.Department{ID: f.ID, Name: f.Name, Kind: f.Kind})
	audited(c, "/api/v1/departments/:id", f.ID, "", "", err)
	if r := refusalIn(c, err); r != nil {
		cs.adminRenderDepartment(c, r.Status, f, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/departments?done=department_saved")
}
