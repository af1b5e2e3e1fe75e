package console

// messages holds every visible string, in Simplified Chinese and English.
var messages = map[string]map[string]string{
	"zh": {
		"app.name": "cxflow 投诉处理", "app.public_name": "客户服务", "logout": "退出", "back": "返回我的待办",
		"login.title": "登录", "login.username": "用户名", "login.password": "密码", "login.submit": "登录",
		"login.missing": "请输入用户名和密码。", "login.wrong": "用户名或密码错误，或账号已停用。",
		"login.delayed": "登录失败次数过多，请稍后再试。",
		"work.title":    "我的待办", "work.hint": "等待您或您所在部门处理的投诉和改进措施步骤，按截止时间排序。", "work.empty": "目前没有等待您处理的投诉。", "work.open": "处理", "actor.customer": "客户（通过回访链接）", "actor.system": "系统",
		"work.summary": "共 %d 项，其中超期 %d 项、预警 %d 项。", "work.action": "改进措施", "pager.prev": "上一页", "pager.next": "下一页", "pager.of": "第 %d 页，共 %d 页",
		"col.number": "编号", "col.subject": "主题", "col.step": "当前步骤", "col.due": "截止时间", "col.sla": "时限状态",
		"col.escalation": "升级级别", "col.when": "时间", "col.action": "操作", "col.who": "操作人", "col.reason": "原因",
		"col.started": "开始", "col.completed": "完成",
		"detail.title": "投诉详情", "detail.current": "当前步骤", "detail.data": "投诉信息", "detail.approvals": "审批",
		"detail.required": "需要的审批", "detail.approved": "同意", "detail.refused": "不同意", "detail.none_given": "尚无审批。",
		"detail.timeline": "处理记录", "detail.escalations": "升级记录", "detail.no_escalations": "没有升级。", "detail.deadlines": "各步骤时限",
		"detail.paused": "计时已暂停",
		"form.title":    "办理", "form.submit": "提交", "form.choose": "请选择", "form.tz": "北京时间",
		"notice.done": "已提交：",
		"error.title": "出错了", "error.internal": "服务器内部错误，请稍后再试。", "error.cross_site": "拒绝来自其他网站的提交。",
		"refusal.400": "提交的内容有误，未能办理。", "refusal.403": "您没有权限进行此操作。", "refusal.404": "找不到该投诉。",
		"refusal.409": "投诉当前的状态不允许此操作（可能已被他人办理）。", "refusal.503": "处理超时，操作可能仍会完成，请刷新后再确认。",
		"refusal.500": "服务器内部错误，请稍后再试。", "refusal.429": "请求过于频繁，请一分钟后再试。", "refusal.other": "请求未能完成。", "refusal.field": "有问题的字段：", "refusal.detail": "系统说明：",
		"step.record": "记录投诉", "step.validation": "判定投诉", "step.assignment": "确定责任部门", "step.root_cause": "分析原因",
		"step.plan": "提出处理方案", "step.approval": "主管领导批示", "step.execution": "实施处理方案", "step.callback": "回访",
		"step.review": "总结评价", "step.closed": "已关闭",
		"resolution.resolved": "已解决", "resolution.not_founded": "投诉不成立",
		"sla.on_track": "正常", "sla.at_risk": "预警", "sla.breached": "超期",
		"level.owner": "责任人", "level.department_head": "部门经理", "level.market_department": "总部市场部", "level.general_manager": "总经理",
		"reason.overdue": "超期", "reason.reopened": "重新打开",
		"severity.none": "无", "severity.slight": "轻微", "severity.minor": "较小", "severity.general": "一般", "severity.serious": "较大",
		"severity.major": "重大", "severity.extraordinary": "特别重大",
		"channel.letter": "书面", "channel.oral": "口头", "channel.phone": "电话", "channel.email": "电子邮件", "channel.web": "网站",
		"category.service_product": "服务产品投诉", "category.service_quality": "服务质量投诉", "category.contract": "合同投诉",
		"cause.chance": "偶然因素", "cause.mechanism": "管理机制", "cause.cooperation": "合作模式",
		"action.recorded": "记录投诉", "action.validated": "判定成立", "action.not_founded": "判定不成立", "action.assigned": "确定责任部门",
		"action.root_cause_submitted": "提交原因分析", "action.plan_submitted": "提交处理方案", "action.approved": "批准", "action.refused": "驳回",
		"action.executed": "实施完成", "action.callback_satisfied": "回访满意", "action.callback_unsatisfied": "回访不满意", "action.reviewed": "总结评价",
		"action.escalated": "升级", "action.closed": "关闭", "action.reopened": "重新打开", "action.sla_warning": "时限预警",
		"action.paused": "暂停计时", "action.resumed": "恢复计时", "action.deadline_extended": "延长时限", "action.rescheduled": "重新计算时限",
		"field.customer": "投诉人", "field.channel": "渠道", "field.category": "类别", "field.severity": "严重程度", "field.estimated_loss": "估计损失（元）",
		"field.received_at": "收到时间", "field.branch": "分公司", "field.department": "责任部门", "field.handler": "处理人",
		"field.description": "投诉内容", "field.request": "客户要求", "field.founded": "投诉是否成立", "field.reason": "理由", "field.reply": "给客户的答复",
		"field.cause": "原因", "field.cause_type": "原因类型", "field.responsible_person": "责任人", "field.corrective_action": "纠正措施",
		"field.preventive_action": "预防措施", "field.plan": "处理方案", "field.due_at": "承诺完成时间", "field.level": "审批级别",
		"field.approved": "审批意见", "field.comment": "意见", "field.result": "实施结果", "field.customer_notified": "是否已通知客户",
		"field.satisfied": "客户是否满意", "field.summary": "总结", "field.lessons": "经验教训",
		"yes.founded": "成立", "no.founded": "不成立", "yes.approved": "同意", "no.approved": "不同意",
		"yes.customer_notified": "已通知", "no.customer_notified": "未通知", "yes.satisfied": "满意", "no.satisfied": "不满意",
		"intake.title": "投诉登记", "intake.hint": "记录客户的投诉；带 * 的为必填项。提交后进入判定投诉步骤。", "intake.submit": "登记投诉",
		"intake.check": "请检查此项。系统说明：", "intake.who": "只有客服、总部市场部或分公司负责人（本分公司）可以登记投诉。",
		"field.customer.name": "投诉人姓名", "field.customer.organisation": "投诉人单位", "field.customer.contact": "联系方式",
		"field.customer.email": "电子邮箱（可选，用于发送受理回执和进度链接）", "field.customer.mobile": "手机号码（可选）",
		"field.subject": "主题", "field.complainant_class": "投诉人类别",
		"class.A": "A 类（前五大客户或省级主管部门书面通知）", "class.B": "B 类（严重警告）", "class.C": "C 类（一般）",
	},
	"en": {
		"app.name": "cxflow complaints", "app.public_name": "Customer service", "logout": "Sign out", "back": "Back to my work",
		"login.title": "Sign in", "login.username": "Username", "login.password": "Password", "login.submit": "Sign in",
		"login.missing": "Enter your username and password.", "login.wrong": "The username or password is wrong, or the account is disabled.",
		"login.delayed": "Too many failed sign-ins. Please try again later.",
		"work.title":    "My work", "work.hint": "Complaint and improvement-action steps waiting for you or your department, earliest deadline first.", "work.empty": "Nothing is waiting for you.", "work.open": "Open", "actor.customer": "Customer (through the callback link)", "actor.system": "System",
		"work.summary": "%d in all: %d overdue, %d at risk.", "work.action": "Improvement action", "pager.prev": "Previous", "pager.next": "Next", "pager.of": "Page %d of %d",
		"col.number": "Number", "col.subject": "Subject", "col.step": "Current step", "col.due": "Due", "col.sla": "SLA status",
		"col.escalation": "Escalation level", "col.when": "When", "col.action": "Action", "col.who": "Who", "col.reason": "Reason",
		"col.started": "Started", "col.completed": "Completed",
		"detail.title": "Complaint", "detail.current": "Current step", "detail.data": "Complaint data", "detail.approvals": "Approvals",
		"detail.required": "Required", "detail.approved": "approved", "detail.refused": "refused", "detail.none_given": "No approvals given yet.",
		"detail.timeline": "Timeline", "detail.escalations": "Escalations", "detail.no_escalations": "No escalations.", "detail.deadlines": "Step deadlines",
		"detail.paused": "clock paused",
		"form.title":    "Next step", "form.submit": "Submit", "form.choose": "Choose…", "form.tz": "Beijing time",
		"notice.done": "Submitted:",
		"error.title": "Something went wrong", "error.internal": "Internal error; please try again later.", "error.cross_site": "Submissions from other sites are refused.",
		"refusal.400": "Something in the form is not right, so nothing was changed.", "refusal.403": "You are not allowed to do this.", "refusal.404": "There is no such complaint.",
		"refusal.409": "The complaint's current state does not allow this (someone may have acted on it already).", "refusal.503": "This took too long; it may still go through, reload to check.",
		"refusal.500": "Internal error; please try again later.", "refusal.429": "Too many requests; please wait a minute and try again.", "refusal.other": "The request did not go through.", "refusal.field": "Field at fault:", "refusal.detail": "The system says:",
		"step.record": "Record", "step.validation": "Validation", "step.assignment": "Assignment", "step.root_cause": "Root cause",
		"step.plan": "Plan", "step.approval": "Approval", "step.execution": "Execution", "step.callback": "Callback",
		"step.review": "Review", "step.closed": "Closed",
		"resolution.resolved": "resolved", "resolution.not_founded": "not founded",
		"sla.on_track": "On track", "sla.at_risk": "At risk", "sla.breached": "Breached",
		"level.owner": "Owner", "level.department_head": "Department head", "level.market_department": "Market department", "level.general_manager": "General manager",
		"reason.overdue": "overdue", "reason.reopened": "reopened",
		"severity.none": "none", "severity.slight": "slight", "severity.minor": "minor", "severity.general": "general", "severity.serious": "serious",
		"severity.major": "major", "severity.extraordinary": "extraordinary",
		"channel.letter": "letter", "channel.oral": "in person", "channel.phone": "phone", "channel.email": "e-mail", "channel.web": "web",
		"category.service_product": "service product", "category.service_quality": "service quality", "category.contract": "contract",
		"cause.chance": "chance", "cause.mechanism": "management mechanism", "cause.cooperation": "cooperation model",
		"action.recorded": "recorded", "action.validated": "founded", "action.not_founded": "not founded", "action.assigned": "assigned",
		"action.root_cause_submitted": "root cause submitted", "action.plan_submitted": "plan submitted", "action.approved": "approved", "action.refused": "refused",
		"action.executed": "executed", "action.callback_satisfied": "callback: satisfied", "action.callback_unsatisfied": "callback: not satisfied", "action.reviewed": "reviewed",
		"action.escalated": "escalated", "action.closed": "closed", "action.reopened": "reopened", "action.sla_warning": "SLA warning",
		"action.paused": "clock paused", "action.resumed": "clock resumed", "action.deadline_extended": "deadline extended", "action.rescheduled": "deadlines recalculated",
		"field.customer": "Customer", "field.channel": "Channel", "field.category": "Category", "field.severity": "Severity", "field.estimated_loss": "Estimated loss (RMB)",
		"field.received_at": "Received", "field.branch": "Branch", "field.department": "Responsible department", "field.handler": "Handler",
		"field.description": "Description", "field.request": "Customer's request", "field.founded": "Is the complaint founded?", "field.reason": "Reason", "field.reply": "Reply to the customer",
		"field.cause": "Cause", "field.cause_type": "Cause type", "field.responsible_person": "Responsible person", "field.corrective_action": "Corrective action",
		"field.preventive_action": "Preventive action", "field.plan": "Plan", "field.due_at": "Promised completion", "field.level": "Approval level",
		"field.approved": "Decision", "field.comment": "Comment", "field.result": "Result", "field.customer_notified": "Customer notified?",
		"field.satisfied": "Is the customer satisfied?", "field.summary": "Summary", "field.lessons": "Lessons learned",
		"yes.founded": "Founded", "no.founded": "Not founded", "yes.approved": "Approve", "no.approved": "Refuse",
		"yes.customer_notified": "Yes", "no.customer_notified": "No", "yes.satisfied": "Satisfied", "no.satisfied": "Not satisfied",
		"intake.title": "Record a complaint", "intake.hint": "Record a customer's complaint; fields marked * are required. It then goes to validation.", "intake.submit": "Record complaint",
		"intake.check": "Please check this field. The system says:", "intake.who": "Only customer service, the market department or a branch head (for their own branch) may record complaints.",
		"field.customer.name": "Customer name", "field.customer.organisation": "Customer organisation", "field.customer.contact": "Contact",
		"field.customer.email": "E-mail (optional; the acknowledgement and progress link go there)", "field.customer.mobile": "Mobile (optional)",
		"field.subject": "Subject", "field.complainant_class": "Complainant class",
		"class.A": "A (top-five customer or provincial authority's written notice)", "class.B": "B (serious warning)", "class.C": "C (ordinary)",
	},
}

// addMessages adds an area's strings; a key defined twice, or in one
// language only, is a programming error caught at start-up (and by the tests).
func addMessages(zh, en map[string]string) {
	for k := range zh {
		if _, ok := en[k]; !ok {
			panic("console: message " + k + " has no English text")
		}
	}
	for lang, m := range map[string]map[string]string{"zh": zh, "en": en} {
		for k, v := range m {
			if _, dup := messages[lang][k]; dup {
				panic("console: message " + k + " defined twice")
			}
			if lang == "en" {
				if _, ok := zh[k]; !ok {
					panic("console: message " + k + " has no Chinese text")
				}
			}
			messages[lang][k] = v
		}
	}
}

// Missing marks a key with no translation; tests look for it.
const Missing = "⟦missing:"

func lookup(lang, key string) (string, bool) {
	m, ok := messages[lang]
	if !ok {
		m = messages["zh"]
	}
	s, ok := m[key]
	return s, ok
}

// T is the key's text in the language.
func T(lang, key string) string {
	if s, ok := lookup(lang, key); ok {
		return s
	}
	return Missing + key + "⟧"
}
