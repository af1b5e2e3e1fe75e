package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/survey"
)

// The survey area: programmes, cycles and the staff's answer entry
// (满意度调查), improvement actions (改进措施), and the customers' answer form
// behind their signed link.
func init() {
	register(area{name: "survey", nav: "survey.nav", href: "/surveys", allowed: maySurveyRead, order: 40,
		routes: func(cs *Console) []route {
			return []route{
				{method: http.MethodGet, pattern: "/surveys", handle: cs.surveyProgrammes},
				{method: http.MethodGet, pattern: "/surveys/programmes/:id", handle: cs.surveyProgramme},
				{method: http.MethodPost, pattern: "/surveys/programmes/:id/schedule/:action", handle: cs.surveySchedulePost},
				{method: http.MethodPost, pattern: "/surveys/programmes/:id/cycles", handle: cs.surveyStartCycle},
				{method: http.MethodGet, pattern: "/surveys/cycles/:id", handle: cs.surveyCycle},
				{method: http.MethodGet, pattern: "/surveys/cycles/:id/answer", handle: cs.surveyEntryPage},
				{method: http.MethodPost, pattern: "/surveys/cycles/:id/answer", handle: cs.surveyEntryPost},
				// The customer's link: no sign-in; the token is the permission.
				{method: http.MethodGet, pattern: "/public/survey/:token", public: true, handle: cs.surveyPublicPage},
				{method: http.MethodPost, pattern: "/public/survey/:token", public: true, handle: cs.surveyPublicPost},
				{method: http.MethodGet, pattern: "/public/survey/:token/thanks", public: true, handle: cs.surveyPublicThanks},
			}
		}})
	register(area{name: "survey-improvements", nav: "survey.imp.nav", href: "/improvements", allowed: mayReadImprovements, order: 45,
		routes: func(cs *Console) []route {
			return []route{
				{method: http.MethodGet, pattern: "/improvements", handle: cs.improvementList},
				{method: http.MethodGet, pattern: "/improvements/:id", handle: cs.improvementDetail},
				{method: http.MethodPost, pattern: "/improvements/:id/:step", handle: cs.improvementSubmit},
			}
		}})
}

// Who may do what, as the permission table (package app) says; the pages
// only decide what to show, the operations decide what is allowed.

// maySurveyRead: programmes, cycles and their statistics.
func maySurveyRead(a complaint.Actor) bool { return app.May(a, app.OpListProgrammes) }

// maySurveyManage: pause, resume and trigger schedules, start cycles.
func maySurveyManage(a complaint.Actor) bool { return app.May(a, app.OpStartCycle) }

// maySurveyEnter: answers taken by phone, on a visit or by letter.
func maySurveyEnter(a complaint.Actor) bool { return app.May(a, app.OpEnterAnswer) }

// mayReadImprovements: those who read every action, and the people of an
// owner department, who read their own.
func mayReadImprovements(a complaint.Actor) bool {
	return improvement.CanReadAll(a) || improvement.ReadsOwnDepartment(a)
}

// surveyRefuse renders the API's refusal; what names the thing not found
// ("survey.notfound.cycle"), since the shared wording speaks of complaints.
func (cs *Console) surveyRefuse(c *gin.Context, r *Refusal, what string) {
	p := cs.base(c, "error.title")
	p.Error = surveyExplain(p.Lang, r, what)
	cs.render(c, r.Status, "error.html", p)
}

func surveyExplain(lang string, r *Refusal, what string) string {
	if r.Status != http.StatusNotFound {
		return explain(lang, r)
	}
	s := T(lang, what)
	if r.Message != "" {
		s += " " + T(lang, "refusal.detail") + " " + r.Message
	}
	return s
}

// pathUUID reads a UUID path parameter; anything else names nothing.
func pathUUID(c *gin.Context, name string) (string, bool) { return pathUUIDOf(c.Param(name)) }

// pathUUIDOf is s as a canonical UUID, so it can go into an API path.
func pathUUIDOf(s string) (string, bool) {
	id, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return id.String(), true
}

// pct formats a share as a percentage with one decimal; "—" when there is none.
func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100**v)
}

// share is count/of, nil when of is 0.
func share(count, of int) *float64 {
	if of <= 0 {
		return nil
	}
	v := float64(count) / float64(of)
	return &v
}

// meets compares with the tolerance survey.Stats uses, so 7 of 10 meets 70 %.
func meets(rate *float64, target float64) bool { return rate != nil && *rate >= target-1e-9 }

// num formats an average to one decimal.
func num(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f", *v)
}

// signed formats a change with its sign.
func signed(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%+.1f", *v)
}

// span says a duration in days and hours, the way the procedures count.
func span(lang string, d time.Duration) string {
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	var parts []string
	count := func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf(T(lang, one), n)
		}
		return fmt.Sprintf(T(lang, many), n)
	}
	if days > 0 {
		parts = append(parts, count(days, "survey.day", "survey.days"))
	}
	if hours > 0 {
		parts = append(parts, count(hours, "survey.hour", "survey.hours"))
	}
	if len(parts) == 0 {
		return d.String()
	}
	return strings.Join(parts, " ")
}

// levelLabel is a scale level's words: the questionnaire's own, or in
// English the preset's translation where the level is a preset's unchanged.
func levelLabel(lang string, s survey.Scale, l survey.Level) string {
	if lang != "en" {
		return l.Label
	}
	if preset, ok := survey.PresetScale(s.Name); ok {
		if pl, _, ok := preset.Find(l.Code); ok && pl.Label == l.Label {
			return T(lang, "survey.scale."+s.Name+"."+l.Code)
		}
	}
	return l.Label
}

// dimensionName is a dimension's name, translated where it is a default
// dimension left as it is.
func dimensionName(lang string, d survey.Dimension) string {
	if lang != "en" {
		return d.Name
	}
	for _, def := range survey.DefaultDimensions() {
		if def.Code == d.Code && def.Name == d.Name {
			return T(lang, "survey.dim."+d.Code)
		}
	}
	return d.Name
}

// departmentNames maps department IDs to names, for the pages that show them.
func (cs *Console) departmentNames(c *gin.Context) map[string]string {
	depts, _ := cs.ops.DepartmentList(c)
	return deptNames(depts)
}

// doneNotice words a ?done= after a successful post.
func doneNotice(lang, done string) string {
	if done == "" {
		return ""
	}
	if s, ok := lookup(lang, "survey.done."+done); ok {
		return s
	}
	return ""
}

// escapeToken puts a link's token in a path.
func escapeToken(tok string) string { return url.PathEscape(tok) }
