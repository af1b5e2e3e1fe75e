package console

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cxflow/cxflow/survey"
)

// answerForm is a questionnaire as a form (顾客满意度调查表): one question per
// dimension on the questionnaire's scale, the recommend question and the
// competitor's ratings where the questionnaire asks them. The customer's link
// and the staff's entry share it; the staff's adds who answered, how and when.
type answerForm struct {
	Lang string
	// Action is where the form posts.
	Action        string
	Dims          []surveyQuestion
	Levels        []surveyChoice
	AskRecommend  bool
	AskCompetitor bool
	// Anonymous questionnaires ask for a segment instead of knowing the customer.
	Anonymous bool
	// Staff shows the interview's fields (customer, channel, respondent, time).
	Staff bool
	// Customers are the invited customers, for the staff's customer field.
	Customers []surveyInvitee
	Values    url.Values
	Errors    map[string]string
}

type surveyQuestion struct{ Code, Name string }

type surveyChoice struct{ Code, Label string }

type surveyInvitee struct {
	ID       string
	Answered bool
}

// staffChannels are the ways staff take answers (online answers come through the link).
var staffChannels = []survey.Channel{survey.ChannelPhone, survey.ChannelVisit, survey.ChannelLetter}

func newAnswerForm(lang, action string, q survey.Questionnaire) *answerForm {
	f := &answerForm{Lang: lang, Action: action, AskRecommend: q.AskRecommend, AskCompetitor: q.AskCompetitor,
		Anonymous: q.Anonymous, Values: url.Values{}, Errors: map[string]string{}}
	for _, d := range q.Dimensions {
		f.Dims = append(f.Dims, surveyQuestion{Code: d.Code, Name: dimensionName(lang, d)})
	}
	for _, l := range q.Scale.Levels {
		f.Levels = append(f.Levels, surveyChoice{Code: l.Code, Label: levelLabel(lang, q.Scale, l)})
	}
	return f
}

// V is the value typed into the field.
func (f *answerForm) V(name string) string { return f.Values.Get(name) }

// E is the message shown next to the field.
func (f *answerForm) E(name string) string { return f.Errors[name] }

// Checked reports whether the radio button (name, value) was chosen.
func (f *answerForm) Checked(name, value string) bool { return f.Values.Get(name) == value }

// Points are the recommend question's answers, 0 to 10.
func (f *answerForm) Points() []string {
	out := make([]string, 11)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// Channels are the staff's channels.
func (f *answerForm) Channels() []string {
	out := make([]string, len(staffChannels))
	for i, c := range staffChannels {
		out[i] = string(c)
	}
	return out
}

// HasErrors reports whether any field has a message.
func (f *answerForm) HasErrors() bool { return len(f.Errors) > 0 }

// keep holds on to what was posted, for the form shown again.
func (f *answerForm) keep(v url.Values) {
	for k, vs := range v {
		if k == "ratings" || strings.HasPrefix(k, "ratings.") || strings.HasPrefix(k, "competitor.") ||
			k == "recommend" || k == "comment" || k == "segment" || k == "customer_id" || k == "channel" ||
			k == "respondent" || k == "answered_at" {
			f.Values[k] = vs
		}
	}
}

// fieldError is a mistake the console finds before asking the API.
type fieldError struct{ Field, Key string }

// body turns the posted form into the API's JSON body: PublicAnswer for the
// link, StaffAnswer for the staff. A dimension left blank is left out (a
// blank is no rating, not the worst one); at least one rating is asked for,
// since an empty answer would count as returned.
func (f *answerForm) body(v url.Values, loc *time.Location) (map[string]any, *fieldError) {
	m := map[string]any{}
	ratings, competitor := map[string]string{}, map[string]string{}
	for _, d := range f.Dims {
		if s := strings.TrimSpace(v.Get("ratings." + d.Code)); s != "" {
			ratings[d.Code] = s
		}
		if s := strings.TrimSpace(v.Get("competitor." + d.Code)); s != "" && f.AskCompetitor {
			competitor[d.Code] = s
		}
	}
	if len(ratings) == 0 {
		return nil, &fieldError{Field: "ratings", Key: "survey.form.rate_one"}
	}
	m["ratings"] = ratings
	if len(competitor) > 0 {
		m["competitor"] = competitor
	}
	if s := strings.TrimSpace(v.Get("recommend")); s != "" && f.AskRecommend {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, &fieldError{Field: "recommend", Key: "survey.form.recommend_bad"}
		}
		m["recommend"] = n
	}
	if s := strings.TrimSpace(v.Get("comment")); s != "" {
		m["comment"] = s
	}
	if s := strings.TrimSpace(v.Get("segment")); s != "" && f.Anonymous && !f.Staff {
		m["segment"] = s
	}
	if !f.Staff {
		return m, nil
	}
	m["customer_id"] = strings.TrimSpace(v.Get("customer_id"))
	m["channel"] = strings.TrimSpace(v.Get("channel"))
	m["respondent"] = strings.TrimSpace(v.Get("respondent"))
	if s := strings.TrimSpace(v.Get("answered_at")); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
		if err != nil {
			return nil, &fieldError{Field: "answered_at", Key: "survey.form.time_bad"}
		}
		m["answered_at"] = t.Format(time.RFC3339)
	}
	return m, nil
}

// mark puts a message next to the field the API or the console names (at
// the top of the form when the form has no such field). The customer reads
// words of their own language; staff also get the API's.
func (f *answerForm) mark(field, apiMessage string) {
	target := f.formField(field)
	if target == "" {
		target = "form"
	}
	key := "survey.form.err." + target
	switch {
	case strings.HasPrefix(target, "ratings."), strings.HasPrefix(target, "competitor."):
		key = "survey.form.err.level"
	case target == "ratings":
		key = "survey.form.rate_one"
	}
	msg := T(f.Lang, key)
	if f.Staff && apiMessage != "" {
		msg += " " + T(f.Lang, "refusal.detail") + " " + apiMessage
	}
	f.Errors[target] = msg
}

// formField is the form's field for an API field name, "" when the form has none.
func (f *answerForm) formField(name string) string {
	switch name {
	case "ratings", "recommend", "comment", "form":
		return name
	case "segment":
		if f.Anonymous && !f.Staff {
			return name
		}
	case "customer_id", "channel", "respondent", "answered_at":
		if f.Staff {
			return name
		}
	}
	for _, d := range f.Dims {
		if name == "ratings."+d.Code || (f.AskCompetitor && name == "competitor."+d.Code) {
			return name
		}
	}
	return ""
}
