package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
)

// The customer's status page (投诉进度): the link in the acknowledgement
// e-mail, no sign-in. It says where the complaint stands in plain words, on
// a phone's screen, and nothing internal.

func init() {
	addMessages(map[string]string{
		"st.title": "投诉进度查询", "st.number": "投诉编号", "st.subject": "投诉事项", "st.received": "受理时间",
		"st.stage": "目前进展", "st.next": "预计答复时间", "st.closed_at": "办结时间",
		"st.outcome": "处理结果", "st.reply": "书面答复", "st.invalid": "此链接无效或已过期，请与我们联系。",
		"st.steps":          "处理流程",
		"st.stage.checking": "我们正在核实您反映的情况。", "st.stage.assigning": "我们正在安排责任部门处理。",
		"st.stage.analysing": "责任部门正在分析原因、制定整改方案。", "st.stage.fixing": "整改方案正在实施。",
		"st.stage.confirming": "处理已完成，我们将回访您，确认您是否满意。", "st.stage.concluding": "处理已完成，我们正在内部总结改进。",
		"st.stage.closed":   "您的投诉已办结。感谢您的反馈。",
		"st.short.checking": "核实", "st.short.assigning": "安排", "st.short.analysing": "分析", "st.short.fixing": "整改",
		"st.short.confirming": "回访", "st.short.concluding": "总结", "st.short.closed": "办结",
	}, map[string]string{
		"st.title": "Your complaint", "st.number": "Complaint number", "st.subject": "Subject", "st.received": "Received",
		"st.stage": "Where it stands", "st.next": "Next answer by", "st.closed_at": "Closed",
		"st.outcome": "What we did", "st.reply": "Our written reply", "st.invalid": "This link is not valid or has expired; please contact us.",
		"st.steps":          "How we handle it",
		"st.stage.checking": "We are looking into what you told us.", "st.stage.assigning": "We are passing it to the department responsible.",
		"st.stage.analysing": "The department responsible is finding the cause and planning the remedy.", "st.stage.fixing": "The remedy is being carried out.",
		"st.stage.confirming": "The remedy is done; we will call you back to ask whether you are satisfied.", "st.stage.concluding": "The remedy is done; we are drawing our lessons from it.",
		"st.stage.closed":   "Your complaint is closed. Thank you for telling us.",
		"st.short.checking": "Check", "st.short.assigning": "Assign", "st.short.analysing": "Analyse", "st.short.fixing": "Fix",
		"st.short.confirming": "Call back", "st.short.concluding": "Conclude", "st.short.closed": "Closed",
	})
	register(area{name: "status", routes: func(cs *Console) []route {
		return []route{{method: http.MethodGet, pattern: "/public/status/:token", public: true, handle: cs.statusPage}}
	}})
}

// statusView is the status page's data.
type statusView struct {
	S app.PublicStatus
	// Steps are the stages in order, the current one marked and those
	// before it done.
	Steps []statusStep
}

type statusStep struct {
	Stage         app.PublicStage
	Done, Current bool
	// Skipped: a complaint found not justified closes after checking.
	Skipped bool
}

func (cs *Console) statusPage(c *gin.Context) {
	ps, err := cs.ops.PublicStatus(c, c.Param("token"))
	if r := refusalOf(err); r != nil {
		p := cs.base(c, "st.title")
		p.Error = explain(p.Lang, r)
		if r.Status == http.StatusForbidden || r.Status == http.StatusNotFound {
			p.Error = T(p.Lang, "st.invalid")
		}
		cs.render(c, r.Status, "error.html", p)
		return
	}
	v := statusView{S: ps}
	notFounded := ps.Founded != nil && !*ps.Founded
	done := true
	for _, s := range app.PublicStages {
		step := statusStep{Stage: s}
		switch {
		case ps.Closed && notFounded && s != app.StageChecking && s != app.StageClosed:
			step.Skipped = true
		case ps.Closed:
			step.Done = true
		case s == ps.Stage:
			step.Current, done = true, false
		default:
			step.Done = done
		}
		v.Steps = append(v.Steps, step)
	}
	p := cs.base(c, "st.title")
	p.Data = v
	cs.render(c, http.StatusOK, "status_public.html", p)
}
