package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/org"
)

// auditEntry is what these pages read of GET /api/v1/audit.
type auditEntry struct {
	At       time.Time `json:"at"`
	Username string    `json:"username"`
	Method   string    `json:"method"`
	Route    string    `json:"route"`
	Outcome  string    `json:"outcome"`
}

// What an audit row about a user did, by the API route it went through.
var userAuditActions = map[string]string{
	"PATCH /api/v1/users/:id":        "admin.audit.update",
	"PUT /api/v1/users/:id/password": "admin.audit.password",
}

// Action is the row's action in words: a known route's name, else the route.
func (e auditEntry) Action(lang string) string {
	if k, ok := userAuditActions[e.Method+" "+e.Route]; ok {
		return T(lang, k)
	}
	return e.Method + " " + e.Route
}

// changes reads the allowed changes to a record, newest first. Changes are
// not part of the user record; the audit trail, which every write goes
// through, is where they are kept.
func (cs *Console) changes(c *gin.Context, target string, limit int) ([]auditEntry, *Refusal) {
	var out struct {
		Items []auditEntry `json:"items"`
	}
	q := url.Values{"target": {target}, "outcome": {"allowed"}, "limit": {strconv.Itoa(limit)}}
	r := cs.getJSON(c, "/api/v1/audit?"+q.Encode(), &out)
	return out.Items, r
}

func (cs *Console) users(c *gin.Context) ([]org.User, *Refusal) {
	var out struct {
		Items []org.User `json:"items"`
	}
	r := cs.getJSON(c, "/api/v1/users", &out)
	return out.Items, r
}

func (cs *Console) departments(c *gin.Context) ([]org.Department, *Refusal) {
	var out struct {
		Items []org.Department `json:"items"`
	}
	r := cs.getJSON(c, "/api/v1/departments", &out)
	return out.Items, r
}

func deptNames(ds []org.Department) map[string]string {
	m := map[string]string{}
	for _, d := range ds {
		m[d.ID] = d.Name
	}
	return m
}

// userRow is one line of the user list.
type userRow struct {
	U org.User
	// Changed is the last change: the newest allowed change in the audit
	// trail, or the creation.
	Changed   time.Time
	ChangedBy string
}

type usersPage struct {
	Rows     []userRow
	Dept     string // the department the list is narrowed to
	Editable bool
}

func (cs *Console) adminUsers(c *gin.Context) {
	list, r := cs.users(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	depts, r := cs.departments(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	p := cs.base(c, "admin.users.title")
	p.Depts = deptNames(depts)
	p.Notice = adminNotice(c)
	data := usersPage{Dept: c.Query("department"), Editable: mayAdminister(user(c).Actor)}
	for _, u := range list {
		if data.Dept != "" && u.Department != data.Dept {
			continue
		}
		row := userRow{U: u, Changed: u.CreatedAt}
		if last, r := cs.changes(c, u.ID, 1); r == nil && len(last) > 0 && last[0].At.After(u.CreatedAt) {
			row.Changed, row.ChangedBy = last[0].At, last[0].Username
		}
		data.Rows = append(data.Rows, row)
	}
	p.Data = data
	cs.render(c, http.StatusOK, "admin_users.html", p)
}

// roleChoice is one role's checkbox.
type roleChoice struct {
	Role    org.Role
	Checked bool
}

// userForm is the form to create or edit a user, and to set a password.
type userForm struct {
	// ID is empty for a new user.
	ID, Username, Name, Department string
	Roles                          []roleChoice
	Disabled                       bool
	CreatedAt                      time.Time
	Errors                         fieldErrors
	// PasswordErrors belong to the set-password form.
	PasswordErrors fieldErrors
	PasswordDone   bool
	Depts          []org.Department
	History        []auditEntry
	Editable       bool
}

func newUserForm(u org.User, depts []org.Department) *userForm {
	f := &userForm{ID: u.ID, Username: u.Username, Name: u.Name, Department: u.Department, Disabled: u.Disabled,
		CreatedAt: u.CreatedAt, Errors: fieldErrors{}, PasswordErrors: fieldErrors{}, Depts: depts}
	for _, r := range org.Roles {
		f.Roles = append(f.Roles, roleChoice{Role: r, Checked: u.Has(r)})
	}
	return f
}

// posted reads the form as the user typed it.
func postedUser(v url.Values) org.User {
	u := org.User{
		Username:   strings.ToLower(strings.TrimSpace(v.Get("username"))),
		Name:       strings.TrimSpace(v.Get("name")),
		Department: v.Get("department"),
		Disabled:   v.Get("disabled") == "true",
		Roles:      []org.Role{},
	}
	for _, r := range v["roles"] {
		u.Roles = append(u.Roles, org.Role(r))
	}
	return u
}

var userFields = []string{"username", "name", "department", "roles", "disabled", "password"}

func (cs *Console) renderUserForm(c *gin.Context, status int, f *userForm, r *Refusal) {
	title := "admin.user.edit"
	if f.ID == "" {
		title = "admin.user.new"
	}
	fields := userFields
	if f.ID != "" {
		// An existing user's username is fixed; their password has its own form.
		fields = []string{"name", "department", "roles", "disabled"}
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
	depts, r := cs.departments(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	f := newUserForm(org.User{Department: c.Query("department")}, depts)
	f.Editable = true
	cs.renderUserForm(c, http.StatusOK, f, nil)
}

func (cs *Console) adminCreateUser(c *gin.Context) {
	depts, r := cs.departments(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	u := postedUser(v)
	f := newUserForm(u, depts)
	f.Editable = true
	pw := v.Get("password")
	if pw != v.Get("password_confirm") {
		f.Errors["password_confirm"] = T(lang(c), "admin.password.mismatch")
		cs.renderUserForm(c, http.StatusBadRequest, f, nil)
		return
	}
	body := map[string]any{"username": u.Username, "name": u.Name, "department": u.Department,
		"roles": u.Roles, "disabled": u.Disabled, "password": pw}
	var created org.User
	if r := cs.sendJSON(c, http.MethodPost, "/api/v1/users", body, &created, nil); r != nil {
		cs.renderUserForm(c, r.Status, f, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?done=user_created#u-"+url.QueryEscape(created.ID))
}

// userFormFor reads the user and what the edit page shows with them.
func (cs *Console) userFormFor(c *gin.Context) (*userForm, bool) {
	id := c.Param("id")
	if uuid.Validate(id) != nil {
		cs.adminFail(c, &Refusal{Status: http.StatusNotFound})
		return nil, false
	}
	list, r := cs.users(c)
	if r != nil {
		cs.adminFail(c, r)
		return nil, false
	}
	i := slices.IndexFunc(list, func(u org.User) bool { return u.ID == id })
	if i < 0 {
		cs.adminFail(c, &Refusal{Status: http.StatusNotFound})
		return nil, false
	}
	depts, r := cs.departments(c)
	if r != nil {
		cs.adminFail(c, r)
		return nil, false
	}
	f := newUserForm(list[i], depts)
	f.Editable = mayAdminister(user(c).Actor)
	if h, r := cs.changes(c, id, 20); r == nil {
		f.History = h
	}
	return f, true
}

func (cs *Console) adminUser(c *gin.Context) {
	f, ok := cs.userFormFor(c)
	if !ok {
		return
	}
	f.PasswordDone = c.Query("done") == "password"
	cs.renderUserForm(c, http.StatusOK, f, nil)
}

func (cs *Console) adminUpdateUser(c *gin.Context) {
	f, ok := cs.userFormFor(c)
	if !ok {
		return
	}
	_ = c.Request.ParseForm()
	posted := postedUser(c.Request.PostForm)
	posted.ID, posted.Username, posted.CreatedAt = f.ID, f.Username, f.CreatedAt
	// The form shows what was typed, not what is stored, when it comes back.
	kept := newUserForm(posted, f.Depts)
	kept.Editable, kept.History = true, f.History
	body := map[string]any{"name": posted.Name, "department": posted.Department, "roles": posted.Roles, "disabled": posted.Disabled}
	if r := cs.sendJSON(c, http.MethodPatch, apiPath("/api/v1/users/", f.ID), body, nil, nil); r != nil {
		cs.renderUserForm(c, r.Status, kept, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/"+f.ID+"?done=user_saved")
}

func (cs *Console) adminSetPassword(c *gin.Context) {
	f, ok := cs.userFormFor(c)
	if !ok {
		return
	}
	pw := c.PostForm("password")
	if pw != c.PostForm("password_confirm") {
		f.PasswordErrors["password_confirm"] = T(lang(c), "admin.password.mismatch")
		cs.renderUserForm(c, http.StatusBadRequest, f, nil)
		return
	}
	r := cs.sendJSON(c, http.MethodPut, apiPath("/api/v1/users/", f.ID)+"/password", map[string]string{"password": pw}, nil, nil)
	if r != nil {
		status := r.Status
		if f.PasswordErrors.refusal(lang(c), r, "password") {
			r = nil
		}
		cs.renderUserForm(c, status, f, r)
		return
	}
	// Setting a password signs the user out everywhere, the administrator too
	// when it is their own: the redirect then lands on the sign-in page.
	c.Redirect(http.StatusSeeOther, "/admin/users/"+f.ID+"?done=password")
}

// deptRow is one department with the people who lead it.
type deptRow struct {
	D       org.Department
	Heads   []org.User
	Members int
}

// deptGroup is headquarters' departments or the branches.
type deptGroup struct {
	Kind org.DepartmentKind
	Rows []deptRow
}

type departmentsPage struct {
	Groups []deptGroup
	// New is the form to add a department.
	New      *deptForm
	Editable bool
}

// deptForm creates (ID editable) or edits a department.
type deptForm struct {
	ID, Name string
	Kind     org.DepartmentKind
	Existing bool
	Errors   fieldErrors
	Members  []org.User
	Editable bool
}

var deptFields = []string{"id", "name", "kind"}

func leads(u org.User) bool { return u.Has(org.RoleDepartmentHead) || u.Has(org.RoleBranchHead) }

// problem puts a refusal next to the field it names and answers the words
// for the top of the page.
func (f *deptForm) problem(lang string, r *Refusal) string {
	if r != nil && !f.Errors.refusal(lang, r, deptFields...) {
		return adminExplain(lang, r)
	}
	if len(f.Errors) > 0 {
		return T(lang, "admin.fix_fields")
	}
	return ""
}

func (cs *Console) adminDepartments(c *gin.Context) {
	cs.renderDepartments(c, http.StatusOK, &deptForm{Kind: org.KindHQ, Errors: fieldErrors{}}, nil)
}

func (cs *Console) renderDepartments(c *gin.Context, status int, f *deptForm, r *Refusal) {
	depts, rr := cs.departments(c)
	if rr != nil {
		cs.adminFail(c, rr)
		return
	}
	users, rr := cs.users(c)
	if rr != nil {
		cs.adminFail(c, rr)
		return
	}
	p := cs.base(c, "admin.departments.title")
	p.Notice = adminNotice(c)
	p.Error = f.problem(p.Lang, r)
	data := departmentsPage{New: f, Editable: mayAdminister(user(c).Actor),
		Groups: []deptGroup{{Kind: org.KindHQ}, {Kind: org.KindBranch}}}
	f.Editable = data.Editable
	for _, d := range depts {
		row := deptRow{D: d}
		for _, u := range users {
			if u.Department != d.ID || u.Disabled {
				continue
			}
			row.Members++
			if leads(u) {
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
	f := &deptForm{ID: strings.TrimSpace(c.PostForm("id")), Name: strings.TrimSpace(c.PostForm("name")),
		Kind: org.DepartmentKind(c.PostForm("kind")), Errors: fieldErrors{}}
	depts, r := cs.departments(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	// PUT creates or renames: a new department must not take an existing ID.
	if slices.ContainsFunc(depts, func(d org.Department) bool { return d.ID == f.ID }) {
		f.Errors["id"] = T(lang(c), "admin.department.taken")
		cs.renderDepartments(c, http.StatusConflict, f, nil)
		return
	}
	if f.ID == "" {
		// PUT /api/v1/departments/ names no department: nothing to send.
		f.Errors["id"] = T(lang(c), "admin.department.id_hint")
		cs.renderDepartments(c, http.StatusBadRequest, f, nil)
		return
	}
	body := map[string]any{"id": f.ID, "name": f.Name, "kind": f.Kind}
	if r := cs.sendJSON(c, http.MethodPut, apiPath("/api/v1/departments/", f.ID), body, nil, nil); r != nil {
		cs.renderDepartments(c, r.Status, f, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/departments?done=department_saved")
}

func (cs *Console) deptFormFor(c *gin.Context) (*deptForm, bool) {
	depts, r := cs.departments(c)
	if r != nil {
		cs.adminFail(c, r)
		return nil, false
	}
	i := slices.IndexFunc(depts, func(d org.Department) bool { return d.ID == c.Param("id") })
	if i < 0 {
		cs.adminFail(c, &Refusal{Status: http.StatusNotFound})
		return nil, false
	}
	users, r := cs.users(c)
	if r != nil {
		cs.adminFail(c, r)
		return nil, false
	}
	d := depts[i]
	f := &deptForm{ID: d.ID, Name: d.Name, Kind: d.Kind, Existing: true, Errors: fieldErrors{},
		Editable: mayAdminister(user(c).Actor)}
	for _, u := range users {
		if u.Department == d.ID {
			f.Members = append(f.Members, u)
		}
	}
	return f, true
}

func (cs *Console) renderDepartment(c *gin.Context, status int, f *deptForm, r *Refusal) {
	p := cs.base(c, "admin.department.edit")
	p.Notice = adminNotice(c)
	p.Error = f.problem(p.Lang, r)
	p.Data = f
	cs.render(c, status, "admin_department.html", p)
}

func (cs *Console) adminDepartment(c *gin.Context) {
	if f, ok := cs.deptFormFor(c); ok {
		cs.renderDepartment(c, http.StatusOK, f, nil)
	}
}

func (cs *Console) adminSaveDepartment(c *gin.Context) {
	f, ok := cs.deptFormFor(c)
	if !ok {
		return
	}
	f.Name, f.Kind = strings.TrimSpace(c.PostForm("name")), org.DepartmentKind(c.PostForm("kind"))
	body := map[string]any{"id": f.ID, "name": f.Name, "kind": f.Kind}
	if r := cs.sendJSON(c, http.MethodPut, apiPath("/api/v1/departments/", f.ID), body, nil, nil); r != nil {
		cs.renderDepartment(c, r.Status, f, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/departments?done=department_saved")
}
