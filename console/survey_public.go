package console

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
)

// surveyPublicView is the customer's page: the form, the thanks, or why the
// link no longer takes answers.
type surveyPublicView struct {
	// Kind is form, thanks, closed or invalid.
	Kind      string
	Programme string
	ClosesAt  string
	Answered  bool
	// Again is the form's address, to change an answer.
	Again string
	Form  *answerForm
}

func publicPath(token string) string { return "/public/survey/" + escapeToken(token) }

// publicSurveyRoute is the operation's route, naming it in the audit trail.
const publicSurveyRoute = "/public/survey/:token"

// loadPublicSurvey reads the survey behind the link, as the link's holder.
func (cs *Console) loadPublicSurvey(c *gin.Context) (app.PublicSurvey, *Refusal) {
	ps, err := cs.ops.PublicSurvey(c, c.Param("token"))
	return ps, refusalOf(err)
}

// surveyPublicRefused explains a link that does not open the form: forged or
// expired (the API's 403, or 404), or a survey that has closed (410).
func (cs *Console) surveyPublicRefused(c *gin.Context, r *Refusal) {
	p := cs.base(c, "survey.public.title")
	switch r.Status {
	case http.StatusForbidden, http.StatusNotFound:
		p.Data = surveyPublicView{Kind: "invalid"}
		cs.render(c, r.Status, "survey_public_note.html", p)
	case http.StatusGone:
		p.Data = surveyPublicView{Kind: "closed"}
		cs.render(c, r.Status, "survey_public_note.html", p)
	case http.StatusTooManyRequests:
		p.Error = T(p.Lang, "survey.public.busy")
		cs.render(c, r.Status, "survey_public_note.html", p)
	default:
		p.Error = T(p.Lang, "survey.public.failed")
		cs.render(c, r.Status, "survey_public_note.html", p)
	}
}

func (cs *Console) surveyPublicPage(c *gin.Context) {
	ps, r := cs.loadPublicSurvey(c)
	if r != nil {
		cs.surveyPublicRefused(c, r)
		return
	}
	cs.showPublicForm(c, http.StatusOK, ps, nil)
}

// showPublicForm renders the questionnaire, or the closed note when the
// survey no longer takes answers; f keeps what was posted.
func (cs *Console) showPublicForm(c *gin.Context, status int, ps app.PublicSurvey, f *answerForm) {
	p := cs.base(c, "survey.public.title")
	v := surveyPublicView{Programme: ps.Programme, ClosesAt: p.Time(ps.ClosesAt), Answered: ps.Answered}
	if !ps.Open {
		v.Kind = "closed"
		p.Data = v
		cs.render(c, http.StatusGone, "survey_public_note.html", p)
		return
	}
	if f == nil {
		f = newAnswerForm(p.Lang, publicPath(c.Param("token")), ps.Questionnaire)
		// Changing an answer starts from the answer given.
		if prev := ps.Previous; prev != nil {
			for code, level := range prev.Ratings {
				f.Values.Set("ratings."+code, level)
			}
			for code, level := range prev.Competitor {
				f.Values.Set("competitor."+code, level)
			}
			if prev.Recommend != nil {
				f.Values.Set("recommend", strconv.Itoa(*prev.Recommend))
			}
			f.Values.Set("comment", prev.Comment)
			f.Values.Set("segment", prev.Segment)
		}
	}
	v.Kind, v.Form = "form", f
	if f.HasErrors() {
		p.Error = T(p.Lang, "survey.form.fix")
	}
	p.Data = v
	cs.render(c, status, "survey_public.html", p)
}

func (cs *Console) surveyPublicPost(c *gin.Context) {
	ps, r := cs.loadPublicSurvey(c)
	if r != nil {
		cs.surveyPublicRefused(c, r)
		return
	}
	if !ps.Open {
		cs.showPublicForm(c, http.StatusGone, ps, nil)
		return
	}
	_ = c.Request.ParseForm()
	v := c.Request.PostForm
	f := newAnswerForm(lang(c), publicPath(c.Param("token")), ps.Questionnaire)
	f.keep(v)
	body, fe := f.body(v, cs.loc)
	if fe != nil {
		f.Errors[fe.Field] = T(f.Lang, fe.Key)
		cs.showPublicForm(c, http.StatusBadRequest, ps, f)
		return
	}
	in, err := formInput[app.PublicAnswer](body)
	if err == nil {
		_, err = cs.ops.AnswerPublicSurvey(c, c.Param("token"), in)
	}
	audited(c, publicSurveyRoute, "", "", "", err)
	r = refusalOf(err)
	if errors.Is(err, app.ErrSurveyClosed) {
		r.Status = http.StatusGone
	}
	switch {
	case r == nil:
		c.Redirect(http.StatusSeeOther, publicPath(c.Param("token"))+"/thanks")
	case r.Status == http.StatusBadRequest:
		f.mark(r.Field, r.Message)
		cs.showPublicForm(c, r.Status, ps, f)
	default:
		cs.surveyPublicRefused(c, r)
	}
}

// surveyPublicThanks thanks the customer once the answer is in, and says
// until when they may change it.
func (cs *Console) surveyPublicThanks(c *gin.Context) {
	ps, r := cs.loadPublicSurvey(c)
	if r != nil {
		cs.surveyPublicRefused(c, r)
		return
	}
	if !ps.Answered {
		c.Redirect(http.StatusSeeOther, publicPath(c.Param("token")))
		return
	}
	p := cs.base(c, "survey.public.title")
	v := surveyPublicView{Kind: "thanks", Programme: ps.Programme, ClosesAt: p.Time(ps.ClosesAt), Answered: true}
	if ps.Open {
		v.Again = publicPath(c.Param("token"))
	}
	p.Data = v
	cs.render(c, http.StatusOK, "survey_public_note.html", p)
}
