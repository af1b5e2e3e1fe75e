// Package console is cxflow's web console: server-rendered pages in
// Simplified Chinese (default) and English, served by the API server itself.
// It knows nothing of the server's internals; the server hands it a Backend.
package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/validate"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// CSP is the console's Content-Security-Policy: its own styles, no scripts.
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'none'; form-action 'self'; frame-ancestors 'none'"

// LangCookie keeps the chosen language.
const LangCookie = "cxflow_lang"

// ErrBadLogin is a wrong username or password, or a disabled account.
var ErrBadLogin = errors.New("username or password is wrong, or the account is disabled")

// ErrSignInDelayed: too many failed sign-ins for the account or from the
// address; the sessions set Retry-After.
var ErrSignInDelayed = errors.New("too many failed sign-ins; try again later")

// Refusal is the API's answer when it refuses or fails a request.
type Refusal struct {
	Status  int
	Message string
	Field   string
	// Rule, Min and Max name the input check that failed (words).
	Rule     validate.Rule
	Min, Max int
}

// User is the signed-in person.
type User struct {
	Name  string
	Actor complaint.Actor
}

// Sessions are the server's sign-in: the same sessions and cookie the JSON
// API accepts. Everything else the pages do is an operation (Ops).
type Sessions interface {
	// SignIn checks the credentials and sets the session cookie.
	SignIn(c *gin.Context, username, password string) error
	// SignOut revokes the session, if any, and clears the cookie.
	SignOut(c *gin.Context)
	// Who is the signed-in user; ok is false when there is no live session.
	Who(c *gin.Context) (u User, ok bool, err error)
}

// Console serves the pages.
type Console struct {
	sessions Sessions
	ops      Ops
	loc      *time.Location
	tmpl     *template.Template
	now      func() time.Time
	routes   []route
	// byRoute finds a route by "METHOD pattern".
	byRoute map[string]int
}

// New builds the console over the server's sessions and the application's
// operations; loc is the organisation's time zone (Asia/Shanghai when nil).
func New(sessions Sessions, ops Ops, loc *time.Location) *Console {
	if loc == nil {
		loc = Shanghai()
	}
	cs := &Console{sessions: sessions, ops: ops, loc: loc, tmpl: parseTemplates(), now: time.Now}
	for _, a := range areas {
		if a.routes != nil {
			cs.routes = append(cs.routes, a.routes(cs)...)
		}
	}
	cs.byRoute = make(map[string]int, len(cs.routes))
	for i, r := range cs.routes {
		cs.byRoute[r.method+" "+r.pattern] = i
	}
	return cs
}

func init() {
	register(area{name: "work", nav: "work.title", href: "/", order: 10, routes: func(cs *Console) []route {
		return []route{
			{method: http.MethodGet, pattern: "/", handle: cs.work},
			{method: http.MethodGet, pattern: "/complaints/:id", handle: cs.detail},
			{method: http.MethodPost, pattern: "/complaints/:id/:step", handle: cs.submit},
		}
	}})
	register(area{name: "intake", nav: "intake.title", href: "/complaints/new", allowed: mayRecord, order: 20,
		routes: func(cs *Console) []route {
			return []route{
				{method: http.MethodGet, pattern: "/complaints/new", handle: cs.intakePage},
				{method: http.MethodPost, pattern: "/complaints/new", handle: cs.intakePost},
			}
		}})
}

// Shanghai is Asia/Shanghai, or UTC+8 where the zone database is missing.
func Shanghai() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}

func parseTemplates() *template.Template {
	return template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
}

var funcs = template.FuncMap{
	"t": T,
	// dict builds a map for a sub-template: dict "Lang" $.Lang "F" .Form.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
	// money writes an amount of yuan with thousands separators: 12,345.60.
	"money": money,
	// who names whoever acted: a person by name, cxflow and the customer in words.
	"who": func(lang string, a complaint.Actor) string {
		switch {
		case a.Has(complaint.RoleCustomer):
			return T(lang, "actor.customer")
		case a.Has(complaint.RoleSystem):
			return T(lang, "actor.system")
		case a.Name != "":
			return a.Name
		}
		return a.ID
	},
	// tv translates an enumerated value: tv "zh" "step" "validation".
	"tv": func(lang, kind string, v any) string {
		s := strings.TrimSpace(toString(v))
		if s == "" {
			return "—"
		}
		return T(lang, kind+"."+s)
	},
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case complaint.Step:
		return string(x)
	case complaint.Level:
		return string(x)
	case complaint.SLAStatus:
		return string(x)
	case complaint.Severity:
		return string(x)
	case complaint.Channel:
		return string(x)
	case complaint.Category:
		return string(x)
	case complaint.CauseType:
		return string(x)
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

func (cs *Console) static(c *gin.Context) {
	sub, _ := fs.Sub(staticFS, "static")
	c.Header("Cache-Control", "public, max-age=3600")
	c.FileFromFS(strings.TrimPrefix(c.Request.URL.Path, "/static/"), http.FS(sub))
}

// headers replace the API's CSP with the console's and pick the language.
func (cs *Console) headers() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Content-Security-Policy", CSP)
		// The API's no-referrer makes browsers send "Origin: null" with forms,
		// which sameOrigin could not tell from another site's.
		c.Header("Referrer-Policy", "same-origin")
		if l := c.Query("lang"); l == "zh" || l == "en" {
			secure := c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
			http.SetCookie(c.Writer, &http.Cookie{Name: LangCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
			c.Set(LangCookie, l)
		} else if ck, err := c.Cookie(LangCookie); err == nil && (ck == "zh" || ck == "en") {
			c.Set(LangCookie, ck)
		} else {
			c.Set(LangCookie, "zh")
		}
	}
}

func lang(c *gin.Context) string { return c.GetString(LangCookie) }

// sameOrigin refuses form posts from other sites (the session cookie is
// SameSite=Lax; this also covers older browsers).
func (cs *Console) sameOrigin(c *gin.Context) {
	o := c.GetHeader("Origin")
	if o == "" {
		return
	}
	if u, err := url.Parse(o); err != nil || u.Host != c.Request.Host {
		cs.render(c, http.StatusForbidden, "error.html", page{Lang: lang(c), Title: T(lang(c), "error.title"),
			Error: T(lang(c), "error.cross_site")})
		c.Abort()
		return
	}
}

const userKey = "cxflow.console.user"

func (cs *Console) signedIn(c *gin.Context) {
	u, ok, err := cs.sessions.Who(c)
	if err != nil {
		cs.fail(c, err)
		c.Abort()
		return
	}
	if !ok {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	c.Set(userKey, u)
}

func user(c *gin.Context) User { return c.MustGet(userKey).(User) }

// page is every template's data.
type page struct {
	Lang     string
	Title    string
	User     *User
	Path     string
	Error    string
	Notice   string
	Next     string
	Username string
	Items    []workItem
	C        *complaint.Complaint
	Form     *stepForm
	// Controls are the clock controls the user may use on C.
	Controls []*stepForm
	// MayLink offers a callback link for the customer; Link is one just made.
	MayLink bool
	Link    *linkView
	// Actions are the improvement actions opened for C; MayOpenAction offers
	// to open one.
	Actions       []improvement.Action
	MayOpenAction bool
	Deadline      string
	Depts         map[string]string
	Intake        *intakeForm
	// MayRecord shows the link to the intake form.
	MayRecord bool
	// Public is a customer's page (a signed link): no staff menu, and the
	// brand speaks of customer service, not complaint handling.
	Public bool
	// Nav is the menu the user may see.
	Nav []navItem
	// Data is a page's own data, for the areas' templates.
	Data  any
	loc   *time.Location
	query url.Values
}

// LangHref is this page in the other language, its other query parameters kept.
func (p page) LangHref(l string) string {
	q := url.Values{}
	for k, v := range p.query {
		q[k] = v
	}
	q.Set("lang", l)
	q.Del("done")
	return "?" + q.Encode()
}

func (cs *Console) base(c *gin.Context, title string) page {
	p := page{Lang: lang(c), Title: T(lang(c), title), Path: c.Request.URL.Path, loc: cs.loc, query: c.Request.URL.Query(),
		Public: strings.HasPrefix(c.Request.URL.Path, "/public/")}
	if v, ok := c.Get(userKey); ok {
		u := v.(User)
		p.User = &u
		p.MayRecord = mayRecord(u.Actor)
		p.Nav = menu(u.Actor, p.Path)
	}
	return p
}

func (cs *Console) render(c *gin.Context, status int, name string, data page) {
	var buf bytes.Buffer
	if err := cs.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		c.String(http.StatusInternalServerError, "template error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (cs *Console) fail(c *gin.Context, _ error) {
	p := cs.base(c, "error.title")
	p.Error = T(lang(c), "error.internal")
	cs.render(c, http.StatusInternalServerError, "error.html", p)
}

func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") {
		return "/"
	}
	return n
}

func (cs *Console) loginPage(c *gin.Context) {
	p := cs.base(c, "login.title")
	p.Next = safeNext(c.Query("next"))
	cs.render(c, http.StatusOK, "login.html", p)
}

func (cs *Console) loginPost(c *gin.Context) {
	username, password := strings.TrimSpace(c.PostForm("username")), c.PostForm("password")
	p := cs.base(c, "login.title")
	p.Next, p.Username = safeNext(c.PostForm("next")), username
	if username == "" || password == "" {
		p.Error = T(p.Lang, "login.missing")
		cs.render(c, http.StatusBadRequest, "login.html", p)
		return
	}
	err := cs.sessions.SignIn(c, username, password)
	if errors.Is(err, ErrBadLogin) {
		p.Error = T(p.Lang, "login.wrong")
		cs.render(c, http.StatusUnauthorized, "login.html", p)
		return
	}
	if errors.Is(err, ErrSignInDelayed) {
		p.Error = T(p.Lang, "login.delayed")
		cs.render(c, http.StatusTooManyRequests, "login.html", p)
		return
	}
	if err != nil {
		cs.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, p.Next)
}

func (cs *Console) logout(c *gin.Context) {
	cs.sessions.SignOut(c)
	c.Redirect(http.StatusSeeOther, "/login")
}

// nextLevel is the approval level the complaint waits for (the rule the
// complaint package's Authorize uses for the clock controls).
func nextLevel(c *complaint.Complaint) complaint.Level {
	if c.Status == complaint.StepApproval && len(c.Approvals) < len(c.ApprovalsRequired) {
		return c.ApprovalsRequired[len(c.Approvals)]
	}
	return ""
}

// mayAct reports whether the user may take the complaint's current step.
func mayAct(a complaint.Actor, c *complaint.Complaint) bool {
	if c.Status == complaint.StepClosed || !c.Status.Valid() {
		return false
	}
	return complaint.Authorize(a, c, complaint.Action(c.Status), nextLevel(c)) == nil
}

// fmtTime formats an instant as the pages do (page.Time), for data built
// before a page is.
func (cs *Console) fmtTime(t *time.Time) string { return page{loc: cs.loc}.Time(t) }

func (cs *Console) detail(c *gin.Context) {
	notice := ""
	if d := c.Query("done"); d != "" {
		key := "step." + d
		if f, _ := controlForm(d); f != nil {
			key = f.Title()
		}
		if _, ok := lookup(lang(c), key); ok {
			notice = T(lang(c), "notice.done") + " " + T(lang(c), key)
		}
	}
	cs.showDetail(c, http.StatusOK, notice, nil)
}

// showDetail renders a complaint, with a notice or the API's refusal.
func (cs *Console) showDetail(c *gin.Context, status int, notice string, refusal *Refusal) {
	p := cs.base(c, "detail.title")
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		p.Error = T(p.Lang, "refusal.404")
		cs.render(c, http.StatusNotFound, "error.html", p)
		return
	}
	cm, err := cs.ops.Complaint(c, user(c).Actor, id.String())
	if r := refusalOf(err); r != nil {
		p.Error = explain(p.Lang, r)
		cs.render(c, r.Status, "error.html", p)
		return
	}
	p.C = &cm
	p.Deadline = cs.fmtTime(cm.DueAt)
	p.Notice = notice
	if refusal != nil {
		p.Error = explain(p.Lang, refusal)
	}
	// Read once: the assignment form offers them, the page names them.
	depts, deptErr := cs.ops.DepartmentList(c)
	if mayAct(user(c).Actor, &cm) {
		p.Form = formFor(cm.Status, nextLevel(&cm))
		if p.Form != nil && cm.Status == complaint.StepAssignment {
			if deptErr != nil {
				cs.fail(c, deptErr)
				return
			}
			p.Form.setDepartments(depts)
		}
		if p.Form != nil && refusal != nil && c.GetString(failedControlKey) == "" {
			p.Form.fill(c.Request.PostForm)
		}
	}
	p.Controls = controlsFor(user(c).Actor, &cm)
	for _, f := range p.Controls {
		if refusal != nil && f.Control == c.GetString(failedControlKey) {
			f.fill(c.Request.PostForm)
		}
	}
	p.MayLink = cm.Status == complaint.StepCallback && complaint.Authorize(user(c).Actor, &cm, complaint.ActCallbackLink, "") == nil
	if l, ok := c.Get(linkKey); ok {
		p.Link = l.(*linkView)
	}
	if mayReadImprovements(user(c).Actor) {
		if page, err := cs.ops.Improvements(c, user(c).Actor, app.ImprovementFilter{ComplaintID: cm.ID, Limit: 200}); err == nil {
			p.Actions = page.Items
		}
	}
	p.MayOpenAction = cm.RootCause != nil &&
		improvement.Authorize(user(c).Actor, &improvement.Action{Department: cm.Department}, improvement.ActOpen) == nil
	p.Depts = deptNames(depts)
	cs.render(c, status, "detail.html", p)
}

func (cs *Console) submit(c *gin.Context) {
	id, err := uuid.Parse(c.Param("id"))
	step := complaint.Step(strings.ReplaceAll(c.Param("step"), "-", "_"))
	f := formFor(step, complaint.Level(c.PostForm("level")))
	if err != nil || f == nil {
		p := cs.base(c, "error.title")
		p.Error = T(p.Lang, "refusal.404")
		cs.render(c, http.StatusNotFound, "error.html", p)
		return
	}
	body, r := f.body(c.Request.PostForm, cs.loc)
	if r == nil {
		done, err := cs.ops.TakeComplaintStepJSON(c, user(c).Actor, id.String(), step, body, c.PostForm(keyField))
		audited(c, "/api/v1/complaints/:id/"+strings.ReplaceAll(string(step), "_", "-"), id.String(),
			complaint.WorkflowID(id.String()), done.UpdateID, err)
		r = refusalIn(c, err)
	}
	if r != nil {
		cs.showDetail(c, r.Status, "", r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/complaints/"+id.String()+"?done="+string(step))
}

// explain puts a refusal in plain words, with the API's own message.
func explain(lang string, r *Refusal) string {
	key := "refusal.other"
	switch r.Status {
	case 400, 403, 404, 409, 429, 503:
		key = "refusal." + strconv.Itoa(r.Status)
	}
	if r.Status >= 500 && r.Status != 503 {
		key = "refusal.500"
	}
	s := T(lang, key)
	if r.Field != "" {
		s += " " + T(lang, "refusal.field") + " " + fieldLabel(lang, r.Field) + "."
	}
	if r.Message != "" {
		s += " " + T(lang, "refusal.detail") + " " + r.words(lang)
	}
	return s
}

// Time formats an instant in the organisation's time zone.
func (p page) Time(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "—"
		}
		t = *x
	}
	if t.IsZero() {
		return "—"
	}
	return t.In(p.loc).Format("2006-01-02 15:04")
}

// Dept is a department's name.
func (p page) Dept(id string) string {
	if id == "" {
		return "—"
	}
	if n, ok := p.Depts[id]; ok {
		return n
	}
	return id
}

// money writes an amount with two decimals and thousands separators, as
// both zh-CN and en write them.
func money(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + "." + frac
}
