package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
)

// The customer's callback page: the link customer service sends after the
// complaint was handled (回访). The customer says whether they are satisfied;
// no sign-in, only the signed link.

func init() {
	addMessages(map[string]string{
		"cb.title": "投诉处理回访", "cb.intro": "您好！您的投诉已处理完毕，请告诉我们您是否满意处理结果。",
		"cb.number": "投诉编号", "cb.subject": "投诉事项", "cb.result": "处理结果",
		"cb.question": "您对处理结果满意吗？", "cb.yes": "满意", "cb.no": "不满意", "cb.comment": "您的意见（可选）",
		"cb.submit": "提交", "cb.thanks": "谢谢您的反馈！我们已收到您的回答。", "cb.thanks_no": "谢谢您的反馈。我们会重新处理您的投诉并与您联系。",
		"cb.answered": "这项回访已经完成，谢谢您。", "cb.invalid": "此链接无效或已过期，请与我们联系。",
		"cb.choose": "请选择满意或不满意。",
	}, map[string]string{
		"cb.title": "Follow-up on your complaint", "cb.intro": "Hello! Your complaint has been handled. Please tell us whether you are satisfied with the result.",
		"cb.number": "Complaint number", "cb.subject": "Subject", "cb.result": "What we did",
		"cb.question": "Are you satisfied with the result?", "cb.yes": "Satisfied", "cb.no": "Not satisfied", "cb.comment": "Your comments (optional)",
		"cb.submit": "Send", "cb.thanks": "Thank you! We have your answer.", "cb.thanks_no": "Thank you. We will take up your complaint again and contact you.",
		"cb.answered": "This follow-up is complete. Thank you.", "cb.invalid": "This link is not valid or has expired; please contact us.",
		"cb.choose": "Please choose satisfied or not satisfied.",
	})
	register(area{name: "callback", routes: func(cs *Console) []route {
		return []route{
			{method: http.MethodGet, pattern: "/public/callback/:token", public: true, handle: cs.callbackPage},
			{method: http.MethodPost, pattern: "/public/callback/:token", public: true, handle: cs.callbackAnswer},
		}
	}})
}

// callbackView is the callback page's data.
type callbackView struct {
	C         app.PublicComplaint
	Action    string
	Satisfied string
	Comment   string
	// Done is the thank-you text once answered.
	Done string
}

// callbackRoute is the operation's route, naming it in the audit trail.
const callbackRoute = "/public/callback/:token"

func (cs *Console) callbackPage(c *gin.Context) {
	pc, err := cs.ops.PublicCallback(c, c.Param("token"))
	if r := refusalOf(err); r != nil {
		cs.callbackRefused(c, r)
		return
	}
	v := &callbackView{C: pc, Action: c.Request.URL.Path}
	if pc.Answered {
		v.Done = T(lang(c), "cb.answered")
	}
	cs.renderCallback(c, http.StatusOK, v, "")
}

func (cs *Console) callbackAnswer(c *gin.Context) {
	v := &callbackView{Action: c.Request.URL.Path, Satisfied: c.PostForm("satisfied"), Comment: strings.TrimSpace(c.PostForm("comment"))}
	token := c.Param("token")
	pc, err := cs.ops.PublicCallback(c, token)
	if r := refusalOf(err); r != nil {
		cs.callbackRefused(c, r)
		return
	}
	v.C = pc
	if v.Satisfied != "true" && v.Satisfied != "false" {
		cs.renderCallback(c, http.StatusBadRequest, v, T(lang(c), "cb.choose"))
		return
	}
	satisfied := v.Satisfied == "true"
	done, err := cs.ops.AnswerPublicCallback(c, token, complaint.CallbackInput{Satisfied: &satisfied, Comment: v.Comment}, "")
	audited(c, callbackRoute, "", done.WorkflowID, done.UpdateID, err)
	if r := refusalOf(err); r != nil {
		if r.Status == http.StatusConflict {
			v.Done = T(lang(c), "cb.answered")
			cs.renderCallback(c, http.StatusConflict, v, "")
			return
		}
		cs.callbackRefused(c, r)
		return
	}
	v.Done = T(lang(c), "cb.thanks")
	if v.Satisfied == "false" {
		v.Done = T(lang(c), "cb.thanks_no")
	}
	cs.renderCallback(c, http.StatusOK, v, "")
}

// callbackRefused words the API's refusal for a customer: a bad link is
// one plain sentence, anything else the general explanation.
func (cs *Console) callbackRefused(c *gin.Context, r *Refusal) {
	p := cs.base(c, "cb.title")
	p.Error = explain(p.Lang, r)
	if r.Status == http.StatusForbidden || r.Status == http.StatusNotFound {
		p.Error = T(p.Lang, "cb.invalid")
	}
	cs.render(c, r.Status, "error.html", p)
}

func (cs *Console) renderCallback(c *gin.Context, status int, v *callbackView, problem string) {
	p := cs.base(c, "cb.title")
	p.Error = problem
	p.Data = v
	cs.render(c, status, "callback_public.html", p)
}
