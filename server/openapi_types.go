package server

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/improvement"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/survey"
	"github.com/cxflow/cxflow/workflows"
)

// What the Go types cannot say about themselves, by type: which request
// fields Validate requires, enums, component names, type descriptions, and the
// field descriptions computed at run time (the static ones are the fields'
// doc tags). The tests check these tables against behaviour.

// always requires (present and not blank). It replaces the response rule
// (every field without omitempty) for these types.
var requestRequired = map[reflect.Type][]string{
	reflect.TypeFor[complaint.Intake]():          {"customer", "channel", "category", "subject", "description", "estimated_loss"},
	reflect.TypeFor[complaint.Customer]():        {"name", "contact"},
	reflect.TypeFor[complaint.ValidationInput](): {"founded"},
	reflect.TypeFor[complaint.AssignmentInput](): {"department", "handler"},
	reflect.TypeFor[complaint.RootCauseInput]():  {"cause", "responsible_person", "corrective_action"},
	reflect.TypeFor[complaint.PlanInput]():       {"plan"},
	reflect.TypeFor[complaint.ApprovalInput]():   {"approved", "level"},
	reflect.TypeFor[complaint.ExecutionInput]():  {"result", "customer_notified"},
	reflect.TypeFor[complaint.CallbackInput]():   {"satisfied"},
	reflect.TypeFor[complaint.ReviewInput]():     {"summary", "cause_type"},
	reflect.TypeFor[complaint.PauseInput]():      {"reason", "waiting_on"},
	reflect.TypeFor[complaint.ResumeInput]():     {},
	reflect.TypeFor[complaint.ExtensionInput]():  {"due_at", "reason"},

	reflect.TypeFor[improvement.OpenInput]():         {"title", "description", "department", "due_at", "source"},
	reflect.TypeFor[improvement.Source]():            {"kind"},
	reflect.TypeFor[improvement.PlanInput]():         {"plan"},
	reflect.TypeFor[improvement.CompletionInput]():   {"result"},
	reflect.TypeFor[improvement.VerificationInput](): {"effective"},
}

// requestBody describes a request body whose handler, rather than a Validate
// method, decides what it requires: one that fills in what it leaves out, so
// it requires less than the same type does in responses, or a sign-in or
// organisation body. It gets a component of its own, named name.
type requestBody struct {
	name     string
	required []string // the fields whose absence the handler rejects
	doc      string
	// nested: the variant is also used where the type appears inside another
	// such body (a struct the decoder merges into its default field by field).
	nested bool
}

var requestBodies = map[reflect.Type]requestBody{
	reflect.TypeFor[app.MailTest](): {name: "MailTest", required: []string{"to"}, doc: "Where to send a test e-mail."},
	reflect.TypeFor[app.RobotRequest](): {name: "RobotRequest", required: []string{"department", "vendor", "url"},
		doc: "A department's group-chat robot to register: its platform, its webhook URL and, for DingTalk and Feishu, its signing secret."},
	reflect.TypeFor[app.WebhookRequest](): {name: "WebhookRequest", required: []string{"url", "secret", "events"},
		doc: "A webhook to register: where to post, the secret that signs each delivery, and the event types."},
	reflect.TypeFor[PolicyMigration](): {name: "PolicyMigration", required: []string{"version"},
		doc: "The stored policy version the complaint moves to."},
	reflect.TypeFor[calendar.Calendar](): {name: "CalendarInput", required: []string{"time_zone"},
		doc: "A whole working calendar, as PUT /api/v1/calendars/{name} takes it. name may be left out (it is the path's) and must match the path when given. " +
			"version must be the version you read (0 to create a calendar; the built-in default counts as version 1 until it is first stored): " +
			"a calendar changed since is not overwritten (409). A weekday left out of week, or given no periods, has no working time."},
	reflect.TypeFor[calendar.Year](): {name: "YearInput",
		doc: "One year's statutory holidays and make-up working days, as PUT /api/v1/calendars/{name}/years/{year} takes it. " +
			"year may be left out (it is the path's) and must match the path when given; holidays and workdays left out are none."},
	reflect.TypeFor[complaint.Policy](): {name: "PolicyInput", required: []string{"version"},
		doc: "A new SLA policy version, as POST /api/v1/sla-policies takes it. Fields left out take the built-in defaults " +
			"(the policy GET /api/v1/sla-policies/active shows before any is stored); step_limits and approval are merged field by field, " +
			"lists given replace the default lists. version names the new version and must not exist yet."},
	reflect.TypeFor[complaint.ApprovalRule](): {name: "ApprovalRuleInput", nested: true,
		doc: "Who approves a plan beyond the responsible department's head; fields left out keep the default."},

	// Sign-in and the organisation: their handlers, not a Validate method,
	// decide what is required.
	reflect.TypeFor[LoginRequest](): {name: "LoginRequest", required: []string{"username", "password"},
		doc: "A username and password to sign in with."},
	reflect.TypeFor[org.Department](): {name: "DepartmentInput", required: []string{"name", "kind"},
		doc: "A department as PUT /api/v1/departments/{id} takes it. id may be left out (it is the path's) and must match the path when given."},
	reflect.TypeFor[NewUser](): {name: "NewUser", required: []string{"username", "name", "department", "roles", "password"},
		doc: "A new user with a first password. id and created_at are assigned by the server: values sent are ignored. " +
			"username must not be taken (409 otherwise); department must be the ID of a department (a 400 names department otherwise). Required text fields must not be blank."},
	reflect.TypeFor[org.User](): {name: "UserPatch",
		doc: "Changes to a user: name, department, roles and disabled; fields left out keep their values. id, username and created_at cannot change: values sent are ignored."},
	reflect.TypeFor[PasswordChange](): {name: "PasswordChange", required: []string{"password"},
		doc: "A new password. Changing one's own password also takes the current one (current_password): " +
			"a 400 names current_password when it is missing, a 403 when it is wrong. An administrator setting another user's password sends none."},
	reflect.TypeFor[APITokenRequest](): {name: "APITokenRequest", required: []string{"name", "user_id"},
		doc: "A new API token for a machine client, acting as a (service) user with that user's roles."},

	// Survey programmes: POST decodes over the defaults, PUT over the stored
	// programme (definitionPatch), so nested structs merge field by field.
	reflect.TypeFor[survey.Definition](): {name: "SurveyDefinitionInput", required: []string{"name"},
		doc: "A new survey programme, as POST /api/v1/survey-programmes takes it. Fields left out take the defaults: " + surveyDefaultsDoc() + " " +
			"Nested objects merge field by field into the defaults. " + listMergeDoc + " id and version are assigned by the server: values sent are ignored."},
	reflect.TypeFor[survey.Programme]():     {name: "SurveyProgrammeInput", nested: true, doc: nestedSurveyDoc},
	reflect.TypeFor[survey.Targets]():       {name: "SurveyTargetsInput", nested: true, doc: nestedSurveyDoc},
	reflect.TypeFor[survey.Questionnaire](): {name: "QuestionnaireInput", nested: true, doc: nestedSurveyDoc},
	reflect.TypeFor[survey.Scale]():         {name: "RatingScaleInput", nested: true, doc: nestedSurveyDoc},
	reflect.TypeFor[survey.Run]():           {name: "SurveyRunInput", nested: true, doc: nestedSurveyDoc},
	reflect.TypeFor[survey.Schedule]():      {name: "SurveyScheduleInput", nested: true, doc: nestedSurveyDoc},

	reflect.TypeFor[ScheduleNote](): {name: "ScheduleNote",
		doc: "Why the schedule is paused or resumed, kept as the schedule's note. The body may be left out; trigger ignores it."},
	reflect.TypeFor[CycleRequest](): {name: "CycleRequest",
		doc: "Starts a cycle now. Without customer_ids the sample is drawn by the programme's coverage rules. The body may be left out."},
	reflect.TypeFor[StaffAnswer](): {name: "StaffAnswer", required: []string{"customer_id", "channel", "respondent"},
		doc: "An answer staff took by phone, on a visit or from a letter (000): who answered (respondent) and when are recorded, and who surveyed is the signed-in user. " +
			"customer_id must be a customer invited to the cycle (400 naming customer_id otherwise). A dimension left out of ratings is not rated. Entering an answer again replaces the earlier one."},
	reflect.TypeFor[PublicAnswer](): {name: "PublicAnswer",
		doc: "The customer's answer through their link. A dimension left out of ratings is not rated. Answering again, while the survey is open, replaces the earlier answer."},
	reflect.TypeFor[workflows.Delivery](): {name: "Delivery", required: []string{"customer_id", "programme_id", "delivered_at"},
		doc: "A delivery to a customer: the programme surveys that customer " + followUpDoc() + " after delivered_at. customer_id must name an imported customer and programme_id a survey programme (400 naming the field otherwise)."},
	reflect.TypeFor[NotificationStatus](): {name: "NotificationStatus", required: []string{"status"},
		doc: "What became of an outbox message: sent, or failed with a note saying why."},
	reflect.TypeFor[RegenerateRequest](): {name: "RegenerateRequest", required: []string{"kind", "period"},
		doc: "The report to generate again: kind complaints, a period label (2026Q1, 2026H1, 2026 or 2026-03) and optionally a branch."},
}

// conditionalRequired is a requirement that holds only when a boolean field is false.
type conditionalRequired struct {
	when   string // the boolean field
	fields []string
}

var requestConditional = map[reflect.Type]conditionalRequired{
	reflect.TypeFor[complaint.ValidationInput]():     {"founded", []string{"reason", "reply"}},
	reflect.TypeFor[complaint.ApprovalInput]():       {"approved", []string{"comment"}},
	reflect.TypeFor[complaint.CallbackInput]():       {"satisfied", []string{"comment"}},
	reflect.TypeFor[improvement.VerificationInput](): {"effective", []string{"comment"}},
}

func names[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// enums gives the values of the named string types; each becomes a component.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[complaint.Step]():             names(append(slices.Clone(complaint.ActionSteps), complaint.StepClosed)...),
	reflect.TypeFor[complaint.Severity]():         names(complaint.Severities...),
	reflect.TypeFor[complaint.Category]():         names(complaint.Categories...),
	reflect.TypeFor[complaint.Channel]():          names(complaint.Channels...),
	reflect.TypeFor[complaint.ComplainantClass](): names(complaint.ComplainantClasses...),
	reflect.TypeFor[complaint.CauseType]():        names(complaint.CauseTypes...),
	reflect.TypeFor[complaint.Level]():            names(complaint.Levels...),
	reflect.TypeFor[complaint.Resolution]():       names(complaint.Resolutions...),
	reflect.TypeFor[complaint.ClockKind]():        names(complaint.ClockKinds...),
	reflect.TypeFor[complaint.SLAStatus]():        names(complaint.SLAStatuses...),
	reflect.TypeFor[org.Role]():                   names(org.Roles...),
	reflect.TypeFor[org.DepartmentKind]():         names(org.KindHQ, org.KindBranch),

	reflect.TypeFor[improvement.Step]():       names(improvement.Statuses...),
	reflect.TypeFor[improvement.Resolution](): names(improvement.ResolutionEffective),
	reflect.TypeFor[improvement.SourceKind](): names(improvement.SourceKinds...),
	reflect.TypeFor[survey.Tier]():            names(survey.Tiers...),
	reflect.TypeFor[survey.Channel]():         names(survey.Channels...),
	reflect.TypeFor[survey.ScheduleKind]():    names(scheduleKinds...),
}

// extraEnums are narrower or wider value sets some fields use instead of their type's.
var extraEnums = map[string]struct {
	values []string
	doc    string
}{
	"ApprovalLevel": {names(complaint.ApprovalLevels...), "A level that approves plans, in the order they must approve: department_head (主管领导 · 部门经理), market_department (总部市场部), general_manager (总经理)."},
	"TimelineStep":  {names(timelineSteps...), "The step a timeline event belongs to: " + labelled(timelineSteps) + "."},
	"ActionStep":    {names(complaint.ActionSteps...), "A step that has a time limit: " + labelled(complaint.ActionSteps) + "."},
	"EscalationLevel": {names(escalationLevels()...), "A level an overdue step can rise to, lowest first: department_head (主管领导 · 部门经理), " +
		"market_department (总部市场部), general_manager (总经理)."},
	"WaitingOn": {[]string{complaint.WaitingOnCustomer, complaint.WaitingOnThirdParty},
		"Whom a paused step waits on: customer (the complainant) or third_party (a supplier, carrier or authority)."},
	"ActorRole": {names(append(slices.Clone(org.Roles), complaint.RoleSystem, complaint.RoleCustomer)...),
		"A role of whoever acted: one of the users' roles (" + describeRoles(org.Roles) + "), system (cxflow itself: timers and calendar roll-outs) or customer (the complainant, answering through their callback link)."},
	"TokenKind": {[]string{"session", "api"},
		"session: a sign-in (POST /api/v1/auth/login); api: an API token for a machine client (POST /api/v1/api-tokens)."},
	"AuditOutcome": {[]string{"allowed", "refused", "rejected", "failed"},
		"How a request ended: allowed (done), refused (401 or 403: not signed in, or not permitted), rejected (another 4xx: invalid, not found or conflicting) or failed (5xx)."},

	"ImprovementTimelineStep": {names(improvementTimelineSteps...), "The step a timeline event of an improvement action belongs to: " + labelledImprovement(improvementTimelineSteps) + "."},
	"ImprovementActionStep":   {names(improvementActionSteps...), "A step of an improvement action that has a deadline: " + labelledImprovement(improvementActionSteps) + "."},
	"CycleStatus": {[]string{store.CycleDrawing, store.CycleOpen, store.CycleClosed},
		"Where a survey cycle stands: drawing (its sample is being drawn), open (taking answers until closes_at) or closed (its statistics are computed)."},
	"CycleEscalationLevel": {names(complaint.LevelOwner, complaint.LevelDepartmentHead),
		"How far a return rate on course to miss its target was escalated: owner (the programme's owner department was told), then department_head (its head)."},
	"StaffChannel": {names(survey.ChannelPhone, survey.ChannelVisit, survey.ChannelLetter),
		"How staff took the answer: phone (电话问卷), visit (走访) or letter (信函, returned on paper). Online answers come through the customer's link instead."},
	"OutboxChannel": {[]string{"email", "task", "webhook", "robot"},
		"How an outbox message is delivered: email (to recipient, an e-mail address, e.g. a customer's survey invitation), task (for staff: recipient names them, e.g. department:market), webhook (an event posted to recipient, webhook:<id>) or robot (a group-chat robot, robot:<id>)."},
	"OutboxStatus": {[]string{"pending", "sent", "failed"}, "Where an outbox message stands: pending (not delivered yet), sent or failed."},
	"OutboxReport": {[]string{"sent", "failed"}, "What became of an outbox message: sent or failed."},
}

// escalationLevels are the levels above the step's owner.
func escalationLevels() []complaint.Level {
	var out []complaint.Level
	for _, l := range complaint.Levels {
		if l.Rank() > 0 {
			out = append(out, l)
		}
	}
	return out
}

// timelineSteps are the steps events name: record (the intake) and every status.
var timelineSteps = append([]complaint.Step{complaint.StepRecord}, append(slices.Clone(complaint.ActionSteps), complaint.StepClosed)...)

func labelled(steps []complaint.Step) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%s (%s)", s, s.Label())
	}
	return strings.Join(parts, ", ")
}

// componentNames names the components of types whose Go names are taken by
// another package's type, or say too little outside their package. Every
// other type's component takes its Go name; two types with one name make
// building the document panic.
var componentNames = map[reflect.Type]string{
	reflect.TypeFor[calendar.Version]():               "CalendarVersion",
	reflect.TypeFor[reports.Version]():                "ReportVersion",
	reflect.TypeFor[improvement.Action]():             "ImprovementAction",
	reflect.TypeFor[improvement.Step]():               "ImprovementStep",
	reflect.TypeFor[improvement.Resolution]():         "ImprovementResolution",
	reflect.TypeFor[improvement.SourceKind]():         "ImprovementSourceKind",
	reflect.TypeFor[improvement.Source]():             "ImprovementSource",
	reflect.TypeFor[improvement.Round]():              "ImprovementRound",
	reflect.TypeFor[improvement.PlanRecord]():         "ImprovementPlanRecord",
	reflect.TypeFor[improvement.CompletionRecord]():   "ImprovementCompletionRecord",
	reflect.TypeFor[improvement.VerificationRecord](): "ImprovementVerificationRecord",
	reflect.TypeFor[improvement.Deadline]():           "ImprovementDeadline",
	reflect.TypeFor[improvement.Escalation]():         "ImprovementEscalation",
	reflect.TypeFor[improvement.Event]():              "ImprovementEvent",
	reflect.TypeFor[improvement.OpenInput]():          "ImprovementOpenInput",
	reflect.TypeFor[improvement.PlanInput]():          "ImprovementPlanInput",
	reflect.TypeFor[improvement.CompletionInput]():    "ImprovementCompletionInput",
	reflect.TypeFor[improvement.VerificationInput]():  "ImprovementVerificationInput",

	reflect.TypeFor[survey.Customer]():        "SurveyCustomer",
	reflect.TypeFor[survey.Contact]():         "CustomerContact",
	reflect.TypeFor[survey.Tier]():            "CustomerTier",
	reflect.TypeFor[survey.RowError]():        "ImportRowError",
	reflect.TypeFor[survey.Definition]():      "SurveyDefinition",
	reflect.TypeFor[survey.Programme]():       "SurveyProgramme",
	reflect.TypeFor[survey.Targets]():         "SurveyTargets",
	reflect.TypeFor[survey.Dimension]():       "SurveyDimension",
	reflect.TypeFor[survey.Scale]():           "RatingScale",
	reflect.TypeFor[survey.Level]():           "ScaleLevel",
	reflect.TypeFor[survey.Run]():             "SurveyRun",
	reflect.TypeFor[survey.Schedule]():        "SurveySchedule",
	reflect.TypeFor[survey.Channel]():         "SurveyChannel",
	reflect.TypeFor[survey.Selection]():       "SurveySelection",
	reflect.TypeFor[survey.Stats]():           "SurveyStats",
	reflect.TypeFor[survey.Rate]():            "SurveyRate",
	reflect.TypeFor[survey.Group]():           "StatsGroup",
	reflect.TypeFor[survey.Dissatisfaction](): "DissatisfiedRating",
	reflect.TypeFor[store.Cycle]():            "SurveyCycle",

	reflect.TypeFor[reports.Count]():         "ReportCount",
	reflect.TypeFor[reports.StepFigures]():   "ReportStepFigures",
	reflect.TypeFor[reports.DepartmentSLA](): "ReportDepartmentSLA",
	reflect.TypeFor[reports.Comparison]():    "ReportComparison",
	reflect.TypeFor[reports.CategoryDelta](): "ReportCategoryDelta",
}

// componentName is the name of t's component.
func componentName(t reflect.Type) string {
	if n, ok := componentNames[t]; ok {
		return n
	}
	return t.Name()
}

// scheduleKinds are survey.Schedule's kinds, as its Validate accepts them.
var scheduleKinds = []survey.ScheduleKind{survey.ScheduleManual, survey.ScheduleQuarterly, survey.ScheduleHalfYearly, survey.ScheduleYearly, survey.ScheduleCron}

const scheduleDoc = "manual (only when started by hand), quarterly (every three months from month), half_yearly (every six months from month), " +
	"yearly (once a year, in month) or cron (as the cron expression says)"

// improvementTimelineSteps are the steps an action's events name: open and every status.
var improvementTimelineSteps = append([]improvement.Step{improvement.StepOpen}, improvement.Statuses...)

// improvementActionSteps are the statuses that have a deadline: all but closed.
var improvementActionSteps = slices.DeleteFunc(slices.Clone(improvement.Statuses), func(s improvement.Step) bool { return s == improvement.StepClosed })

func labelledImprovement(steps []improvement.Step) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%s (%s)", s, s.Label())
	}
	return strings.Join(parts, ", ")
}

// describeTiers names the customer tiers with their labels.
func describeTiers() string {
	parts := make([]string, len(survey.Tiers))
	for i, t := range survey.Tiers {
		parts[i] = fmt.Sprintf("%s (%s)", t, t.Label())
	}
	return strings.Join(parts, ", ")
}

// describeScale writes a scale's levels: "very_satisfied 很满意 100, …".
func describeScale(sc survey.Scale) string {
	parts := make([]string, len(sc.Levels))
	for i, l := range sc.Levels {
		parts[i] = fmt.Sprintf("%s %s %g", l.Code, l.Label, l.Score)
	}
	return fmt.Sprintf("%s (%s; the top %d satisfied, the bottom %d dissatisfied)", sc.Name, strings.Join(parts, ", "), sc.SatisfiedTop, sc.DissatisfiedBottom)
}

// presetScalesDoc describes the preset scales; the first is the default.
func presetScalesDoc() string {
	return describeScale(survey.DefaultScale()) + ", the default; " + describeScale(survey.AssessmentScale()) + "; and " + describeScale(survey.EmployeeScale())
}

// surveyDefaultsDoc describes what a programme left out takes, from the survey package's defaults.
func surveyDefaultsDoc() string {
	var rules []string
	for _, r := range survey.DefaultCoverage() {
		rules = append(rules, fmt.Sprintf("%s %s %g", r.Name, r.Label, r.Share))
	}
	var dims []string
	for _, d := range survey.DefaultDimensions() {
		dims = append(dims, fmt.Sprintf("%s %s (%s)", d.Code, d.Name, d.OwnerDepartment))
	}
	t, run := survey.DefaultTargets(), survey.DefaultRun()
	var reminders []string
	for _, d := range run.Reminders {
		reminders = append(reminders, d.Std().String())
	}
	q := survey.DefaultQuestionnaire()
	return fmt.Sprintf("coverage %s (000); targets issue_rate %g and return_rate %g (004); the dimensions %s rated on %s, ask_recommend %v; "+
		"run window %s, reminders %s, channel %s, owner_department %s, action_due %s; schedule kind manual.",
		strings.Join(rules, ", "), t.IssueRate, t.ReturnRate, strings.Join(dims, ", "), q.Scale.Name, q.AskRecommend,
		run.Window.Std(), strings.Join(reminders, " and "), run.Channel, run.OwnerDepartment, run.ActionDue.Std())
}

// describeEscalation writes escalation rules: "department_head at the deadline, market_department 4h0m0s after it, …".
func describeEscalation(rules []complaint.EscalationRule) string {
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = string(r.Level) + " at the deadline"
		if r.After > 0 {
			parts[i] = fmt.Sprintf("%s %s after it", r.Level, r.After.Std())
		}
	}
	return strings.Join(parts, ", ")
}

// followUpDoc says when a delivery's surveys follow it: "1, 3 and 12 months".
func followUpDoc() string {
	ms := make([]string, len(workflows.FollowUpMonths))
	for i, m := range workflows.FollowUpMonths {
		ms[i] = fmt.Sprint(m)
	}
	if len(ms) < 2 {
		return strings.Join(ms, "") + " months"
	}
	return strings.Join(ms[:len(ms)-1], ", ") + " and " + ms[len(ms)-1] + " months"
}

const (
	// listMergeDoc warns that encoding/json decodes a list's elements over
	// the elements already at their positions.
	listMergeDoc    = "A list given replaces the list it fills in whole: its elements are read afresh, a field an element leaves out takes its zero value."
	nestedSurveyDoc = "Part of a survey programme as POST and PUT /api/v1/survey-programmes take it: fields left out keep their value, the default when creating, the stored one when replacing. " + listMergeDoc
	coverageRuleDoc = "One stratum of the population and the share of it surveyed (调查范围, 000). A customer falls in the first rule whose conditions all hold: " +
		"an annual volume of at least min_volume and below max_volume (0: no upper bound); with require_years or potential set, at least require_years consecutive years " +
		"or, when potential is set, marked as having potential; with representative set, a representative project. " +
		"The draw is seeded by the cycle, so a cycle always draws the same customers; ceil(share × stratum) are chosen. Customers no rule matches are not surveyed."
	ratingsDoc    = "The rating of each dimension, by dimension code: a level code of the questionnaire's scale. A dimension left out is not rated. A 400 names ratings.<code> for an unknown dimension or level."
	recommendDoc  = "How likely the customer is to recommend the company, 0–10; only when the questionnaire asks (400 naming recommend otherwise)."
	competitorDoc = "The main competitor's rating on the same dimensions and scale; only when the questionnaire asks (400 naming competitor otherwise)."
	// surveyCodePattern is the pattern of dimension and level codes.
	surveyCodePattern = `^[a-z][a-z0-9_]{0,39}$`
	// maxCycleCustomers bounds a cycle's customer_ids.
	maxCycleCustomers = 1000
	// maxNotificationNote bounds a report's note, in bytes.
	maxNotificationNote = 2000
)

type fieldKey struct {
	t    reflect.Type
	name string
}

var fieldEnums = map[fieldKey]string{
	{reflect.TypeFor[complaint.ApprovalInput](), "level"}:   "ApprovalLevel",
	{reflect.TypeFor[complaint.Event](), "step"}:            "TimelineStep",
	{reflect.TypeFor[complaint.SLARule](), "step"}:          "ActionStep",
	{reflect.TypeFor[complaint.EscalationRule](), "level"}:  "EscalationLevel",
	{reflect.TypeFor[complaint.PauseInput](), "waiting_on"}: "WaitingOn",
	{reflect.TypeFor[complaint.Pause](), "waiting_on"}:      "WaitingOn",
	{reflect.TypeFor[complaint.Actor](), "roles"}:           "ActorRole",
	{reflect.TypeFor[store.Token](), "kind"}:                "TokenKind",
	{reflect.TypeFor[store.AuditEntry](), "outcome"}:        "AuditOutcome",

	{reflect.TypeFor[improvement.Event](), "step"}:           "ImprovementTimelineStep",
	{reflect.TypeFor[improvement.Deadline](), "step"}:        "ImprovementActionStep",
	{reflect.TypeFor[improvement.Escalation](), "step"}:      "ImprovementActionStep",
	{reflect.TypeFor[improvement.Escalation](), "level"}:     "EscalationLevel",
	{reflect.TypeFor[store.Cycle](), "status"}:               "CycleStatus",
	{reflect.TypeFor[store.Cycle](), "escalation_level"}:     "CycleEscalationLevel",
	{reflect.TypeFor[StaffAnswer](), "channel"}:              "StaffChannel",
	{reflect.TypeFor[store.Notification](), "channel"}:       "OutboxChannel",
	{reflect.TypeFor[store.Notification](), "status"}:        "OutboxStatus",
	{reflect.TypeFor[NotificationStatus](), "status"}:        "OutboxReport",
	{reflect.TypeFor[reports.DashboardLevelOpen](), "level"}: "EscalationLevel",
	{reflect.TypeFor[NotificationStatus](), "if_status"}:     "OutboxStatus",
}

// freeStrings are fields of a named string type that may hold values outside
// the type's list: the reports show what stored complaints hold, values an
// older policy or procedure allowed included. They are plain strings.
var freeStrings = map[fieldKey]bool{
	{reflect.TypeFor[reports.StepFigures](), "step"}:       true,
	{reflect.TypeFor[reports.CategoryDelta](), "category"}: true,
}

// dashboardPeriodDoc says what the dashboard's period figures count.
const dashboardPeriodDoc = "Received, founded and SLA compliance count the complaints received in the period, as the complaint analysis report does; " +
	"closed and the handling times the complaints closed in it; escalations those made in it."

// typeDocs describes the types, by type: the components' descriptions.
var typeDocs = map[reflect.Type]string{
	reflect.TypeFor[complaint.Step]():             "A step of the complaint procedure; a complaint's status is the step awaiting action: " + labelled(append(slices.Clone(complaint.ActionSteps), complaint.StepClosed)) + ".",
	reflect.TypeFor[complaint.Severity]():         "Incident severity (事故等级) graded from the estimated direct loss by the complaint's policy, least severe first: none (无), slight (轻微), minor (较小), general (一般), serious (较大), major (重大), extraordinary (特别重大).",
	reflect.TypeFor[complaint.Category]():         "What the complaint is about: service_product (服务产品投诉), service_quality (服务质量投诉), contract (合同投诉).",
	reflect.TypeFor[complaint.Channel]():          "How the complaint reached the company: letter (书面), oral (口头), phone (电话), email (E-mail), web.",
	reflect.TypeFor[complaint.ComplainantClass](): "Complainant class (投诉人分级): A a top-five customer or a provincial authority's written notice, B a serious warning, C ordinary.",
	reflect.TypeFor[complaint.CauseType]():        "Where the cause lies: chance (偶然因素), mechanism (管理机制), cooperation (合作模式).",
	reflect.TypeFor[complaint.Level]():            "A rung of the organisation, lowest first: owner (the step's owner), department_head (主管领导 · 部门经理), market_department (总部市场部), general_manager (总经理).",
	reflect.TypeFor[complaint.Resolution]():       "How a closed complaint ended: resolved, or not_founded (投诉不成立).",
	reflect.TypeFor[complaint.ClockKind]():        "How a step's time limit is counted: working (only the working calendar's hours: not nights, lunch breaks, weekends or holidays; a make-up working day (调休) counts) or calendar (every hour).",
	reflect.TypeFor[complaint.SLAStatus]():        "How a step stands against its deadline: on_track, at_risk (past its warning point, warn_at) or breached (past due_at).",

	reflect.TypeFor[complaint.Intake]():          "A complaint as the clerk records it on arrival (记录投诉).",
	reflect.TypeFor[complaint.Customer]():        "The complainant (投诉人).",
	reflect.TypeFor[complaint.ValidationInput](): "validation (判定投诉是否成立): whether the complaint is founded.",
	reflect.TypeFor[complaint.AssignmentInput](): "assignment (确定责任部门): the responsible department and handler.",
	reflect.TypeFor[complaint.RootCauseInput]():  "root cause (分析原因): the responsible department's analysis with its corrective and preventive actions (CAPA).",
	reflect.TypeFor[complaint.PlanInput]():       "plan (提出处理方案): the resolution plan.",
	reflect.TypeFor[complaint.ApprovalInput]():   "approval (主管领导批示): one level's decision on the plan. Levels approve in order; a refusal sends the plan back for a new round.",
	reflect.TypeFor[complaint.ExecutionInput]():  "execution (实施处理方案): the plan carried out.",
	reflect.TypeFor[complaint.CallbackInput]():   "callback (回访): the customer's answer. An unsatisfied customer reopens the case at the plan step.",
	reflect.TypeFor[complaint.ReviewInput]():     "review (总结评价): the closing summary; closes the complaint.",
	reflect.TypeFor[complaint.PauseInput]():      "Stops the current step's clock (挂起) while it waits on the customer or a third party.",
	reflect.TypeFor[complaint.ResumeInput]():     "Restarts a paused step's clock, with an optional comment.",
	reflect.TypeFor[complaint.ExtensionInput]():  "Moves the current step's deadline (延期), an extension approved by a department head; due_at must be in the future.",

	reflect.TypeFor[complaint.Complaint]():        "A complaint (投诉) with its step records, deadlines, escalations and, when read singly, its timeline.",
	reflect.TypeFor[complaint.Actor]():            "The person (or system) behind an action.",
	reflect.TypeFor[complaint.Deadline]():         "One step's time limit (时限), kept for every step the case has entered.",
	reflect.TypeFor[complaint.Escalation]():       "A step raised to a higher level (升级), by a timer (reason overdue) or a reopening (reason reopened).",
	reflect.TypeFor[complaint.Event]():            "One line of the timeline: who did what, when; detail is the step's content.",
	reflect.TypeFor[complaint.ValidationRecord](): "The validation (判定投诉) as last given.",
	reflect.TypeFor[complaint.AssignmentRecord](): "The assignment (确定责任部门) as last given.",
	reflect.TypeFor[complaint.RootCauseRecord]():  "The root-cause analysis (分析原因) as last given.",
	reflect.TypeFor[complaint.PlanRecord]():       "The current plan (处理方案); round counts plans since the first.",
	reflect.TypeFor[complaint.ApprovalRecord]():   "One approval (批示) of the current plan round.",
	reflect.TypeFor[complaint.ExecutionRecord]():  "The execution (实施) as last reported.",
	reflect.TypeFor[complaint.CallbackRecord]():   "The callback (回访) as last recorded.",
	reflect.TypeFor[complaint.ReviewRecord]():     "The closing review (总结评价).",
	reflect.TypeFor[complaint.Pause]():            "Why the current step's clock is stopped (挂起), since when and by whom. When the step resumes, its deadline moves by the clock time that remained.",

	reflect.TypeFor[complaint.Policy]():            "An SLA policy version (时限政策): how complaints are graded and approved, their steps' time limits and escalation. A complaint keeps the policy it started under unless moved with POST /api/v1/complaints/{id}/policy.",
	reflect.TypeFor[complaint.SLARule]():           "A step's time limit (SLA) for the complaints it matches. Rules are tried in order; the first whose step, classes and severities match applies (empty classes or severities match all). A step no rule matches counts calendar time against step_limits.",
	reflect.TypeFor[complaint.EscalationRule]():    "Raises an overdue step to level once it is after past its due time (counted on the step's clock) and notifies notify, or the level itself when notify is empty. Levels rise and after increases down the list.",
	reflect.TypeFor[complaint.SeverityThreshold](): "A direct loss of at least min_loss RMB grades at least this severity.",
	reflect.TypeFor[complaint.ApprovalRule]():      "Who approves a plan beyond the responsible department's head.",
	reflect.TypeFor[complaint.Duration]():          "A length of time in Go duration syntax: a sequence of numbers with units h, m, s, ms, us or ns, e.g. 8h, 90m, 7h30m. Responses write it in full, e.g. 8h0m0s.",
	reflect.TypeFor[store.StoredPolicy]():          "A stored policy version with who stored it and when; active marks the version new complaints start under.",
	reflect.TypeFor[PolicyList]():                  "Every stored policy version, newest first.",

	reflect.TypeFor[calendar.Calendar](): "A working calendar (工作日历): the working periods of each weekday in a time zone, with statutory holidays and make-up working days (调休) per year. Working-time SLAs count only its working time. " + defaultCalendarDoc(),
	reflect.TypeFor[calendar.Year]():     "One year's statutory holidays and make-up working days, as the State Council publishes them each November or December. Dates lie within the year; no day is both a holiday and a workday.",
	reflect.TypeFor[calendar.Holiday]():  "A run of days off, from and to inclusive.",
	reflect.TypeFor[calendar.Workday]():  "A weekend day that is worked (调休), with the working periods of workday_hours.",
	reflect.TypeFor[calendar.Period]():   "A stretch of working time within a day, HH:MM-HH:MM in the calendar's time zone; it ends after it starts, at 24:00 at the latest.",
	reflect.TypeFor[calendar.Date]():     "A civil date in the calendar's time zone, YYYY-MM-DD.",
	reflect.TypeFor[CalendarList]():      "Every working calendar by name, the default one included.",
	reflect.TypeFor[DueAnswer]():         "When a working duration that starts at start ends on the calendar.",
	reflect.TypeFor[CalendarHistory]():   "A calendar's saved versions, newest first.",
	reflect.TypeFor[calendar.Version]():  "One saved version of a calendar: its number, when and by whom it was saved (a user's ID, or release … for holiday years a release added at start-up), and the years of holidays it holds.",
	reflect.TypeFor[ElapsedAnswer]():     "The working time between from and to on the calendar, in whole seconds.",

	reflect.TypeFor[ComplaintList](): "One page of complaints; pass next_cursor as cursor for the next page. No next_cursor means the last page.",
	reflect.TypeFor[Error]():         "Every error response's body. field names the request field (JSON path, or a header or query parameter name) at fault, for 400s and for 409 Idempotency-Key conflicts.",
	reflect.TypeFor[Readiness](): "Readiness: status is ready, or not ready when Temporal or PostgreSQL did not answer. " +
		"The answer says no more (anyone may ask); what failed, and how, is in the server log.",

	reflect.TypeFor[org.Role]():           "A role a user holds (角色); a user may hold several: " + describeRoles(org.Roles) + ".",
	reflect.TypeFor[org.DepartmentKind](): "hq: a department of headquarters (总部部门, e.g. 市场部, 品质部); branch: a branch (分公司).",
	reflect.TypeFor[org.Department]():     "A department of headquarters or a branch (分公司). Users belong to one; complaints are assigned to a responsible department and may concern a branch.",
	reflect.TypeFor[org.User]():           "A person, or a service account for a machine client, who signs in, with the roles they hold.",
	reflect.TypeFor[DepartmentList]():     "Every department, headquarters' first.",
	reflect.TypeFor[UserList]():           "Every user, by username (for administrators and internal auditors only).",
	reflect.TypeFor[Session]():            "A sign-in: the session token, when it expires and who signed in.",
	reflect.TypeFor[Me]():                 "The signed-in user with their department and what their roles let them see.",
	reflect.TypeFor[store.Token]():        "A session's or API token's record. The token itself is shown only once, when it is issued.",
	reflect.TypeFor[TokenList]():          "The API tokens, newest first, revoked and expired ones included; sessions are not listed.",
	reflect.TypeFor[APIToken]():           "A new API token: its record and, this once, the token itself.",
	reflect.TypeFor[store.AuditEntry]():   "One state-changing request (every POST, PUT, PATCH and DELETE, and sign-ins through the identity provider), allowed, refused, rejected or failed, as the audit trail keeps it. Entries cannot be changed or deleted. A forged or expired customer link leaves no entry.",
	reflect.TypeFor[AuditList]():          "A page of the audit trail, newest first.",
	reflect.TypeFor[CallbackLink]():       "A signed link for the customer to answer the callback (回访) themselves, without signing in.",
	reflect.TypeFor[PublicComplaint]():    "What the customer sees through their callback link: the complaint's number, subject, status and what was done, without internal notes.",

	reflect.TypeFor[improvement.Step]():       "The step an improvement action awaits (its status), in PDCA order: " + labelledImprovement(improvement.Statuses) + ".",
	reflect.TypeFor[improvement.Resolution](): "How a closed improvement action ended: effective (its effect was verified).",
	reflect.TypeFor[improvement.SourceKind](): "What opened an improvement action: survey (the dissatisfied answers on one dimension of a survey cycle, 002), complaint (a complaint's review or corrective and preventive action, 001) or manual (by hand, e.g. after an internal audit).",
	reflect.TypeFor[improvement.Source](): "What the action answers. kind survey needs cycle_id and dimension; kind complaint needs complaint_id, the ID of a stored complaint; kind manual takes neither. " +
		"A field the kind does not take is refused (400 naming it, e.g. source.complaint_id).",
	reflect.TypeFor[improvement.Action](): "An improvement action (改进计划 · 纠正预防措施): the owner department plans the correction and carries it out, then the market or quality department verifies its effect by the deadline; " +
		"an action found not effective goes round the PDCA cycle again in a new round. Survey cycles open one per dimension and department with dissatisfied answers; people open others by hand.",
	reflect.TypeFor[improvement.Round]():              "One turn of plan → do → check (PDCA). Earlier rounds keep the plan that was not effective and why.",
	reflect.TypeFor[improvement.PlanRecord]():         "The owner department's plan for the round (制定改进计划).",
	reflect.TypeFor[improvement.CompletionRecord]():   "The plan carried out (实施完成).",
	reflect.TypeFor[improvement.VerificationRecord](): "The market or quality department's judgement of the effect (效果验证).",
	reflect.TypeFor[improvement.Deadline]():           "One step's deadline, counted in calendar time, kept for every step the action has entered.",
	reflect.TypeFor[improvement.Escalation]():         "An overdue step raised to a higher level (升级); under the default policy " + describeEscalation(improvement.DefaultPolicy().Escalation) + ".",
	reflect.TypeFor[improvement.Event]():              "One line of the action's timeline: who did what, when; detail is the step's content.",
	reflect.TypeFor[improvement.OpenInput]():          "A new improvement action. due_at must be in the future; department must be the ID of a department (400 naming department otherwise).",
	reflect.TypeFor[improvement.PlanInput](): "plan (制定改进计划): the owner department's plan. due_at, when given, must be in the future and, while the action's due_at is ahead, not after it; " +
		"once the action's due_at has passed (a late plan, a new round) due_at is required. Completion is then due at due_at, or else at the action's due_at.",
	reflect.TypeFor[improvement.CompletionInput]():   "completion (实施完成): the plan carried out. Verification is then due within the policy's time (7 days by default).",
	reflect.TypeFor[improvement.VerificationInput](): "verification (效果验证): whether the action was effective. Effective closes the action; not effective starts a new round at its plan, and comment says why, for the next plan to answer.",
	reflect.TypeFor[ImprovementList]():               "One page of improvement actions, newest first, without their timelines; pass next_cursor as cursor for the next page. No next_cursor means the last page.",

	reflect.TypeFor[survey.Customer]():     "A customer of the survey population (客户), as imported from the CRM.",
	reflect.TypeFor[survey.Contact]():      "Someone at the customer who can be asked (联系人); a phone or an email is needed to reach them.",
	reflect.TypeFor[survey.Tier]():         "The customer's CRM grade (客户等级): " + describeTiers() + ". It weights nothing in sampling, but statistics break down by it.",
	reflect.TypeFor[survey.RowError]():     "One problem with one row of an imported file.",
	reflect.TypeFor[ImportResult]():        "What an import did: imported counts the customers created or updated; errors lists every problem, each row at fault with its line and field. A bad row is left out whole; the good rows are saved.",
	reflect.TypeFor[CustomerList]():        "A page of customers by ID; pass next as after for the next page. No next means the last page.",
	reflect.TypeFor[survey.Definition]():   "A survey programme (调查方案): who is surveyed (coverage), what they are asked (questionnaire), what counts as success (targets), how each cycle runs and when cycles start.",
	reflect.TypeFor[survey.Programme]():    "What a programme surveys: who, what they are asked and what counts as success. A cycle keeps the programme as it was when the cycle started.",
	reflect.TypeFor[survey.CoverageRule](): coverageRuleDoc,
	reflect.TypeFor[survey.Targets]():      "What a cycle must reach to count as done properly (004: issued to at least 80 % of customers, at least 70 % returned).",
	reflect.TypeFor[survey.Questionnaire](): "What a cycle asks (顾客满意度调查表): each dimension rated on the scale, optionally the recommend question (0–10) and the same dimensions about the main competitor. " +
		"An anonymous questionnaire's answers are stored without the customer.",
	reflect.TypeFor[survey.Dimension](): "One thing the customer rates (调查项目), owned by the department that answers for poor ratings: its dissatisfied ratings open an improvement action for that department.",
	reflect.TypeFor[survey.Scale](): "A rating scale, its levels best first. The top satisfied_top levels count as satisfied, the bottom dissatisfied_bottom as dissatisfied; they do not overlap. " +
		"The presets are " + presetScalesDoc() + ".",
	reflect.TypeFor[survey.Level]():        "One level of a rating scale, e.g. satisfied (满意) = 80.",
	reflect.TypeFor[survey.Run]():          "How each cycle runs: how long it takes answers, when those who have not answered are reminded, how invitations go out and which department owns it.",
	reflect.TypeFor[survey.Schedule]():     "When the programme's cycles start, at 09:00 (Asia/Shanghai) on the 1st of the month: " + scheduleDoc + ".",
	reflect.TypeFor[survey.ScheduleKind](): "How often a programme's cycles start: " + scheduleDoc + ".",
	reflect.TypeFor[survey.Channel](): "How a questionnaire reaches a customer, or an answer came back: link (a signed link to the online form, sent by e-mail or message), phone (电话问卷: staff call and enter the answers), " +
		"visit (走访) or letter (信函: returned on paper, entered by staff).",
	reflect.TypeFor[ProgrammeList]():          "Every survey programme, by name.",
	reflect.TypeFor[ScheduleState]():          "A recurring programme's schedule as Temporal runs it.",
	reflect.TypeFor[StartedCycle]():           "A cycle just started. It shows at GET /api/v1/survey-cycles/{cycle_id} within a second.",
	reflect.TypeFor[store.Cycle]():            "A survey cycle (调查周期): the programme as it was when the cycle started, its counts so far and, once closed, its statistics.",
	reflect.TypeFor[CycleList]():              "A programme's cycles, newest first.",
	reflect.TypeFor[survey.Selection]():       "One customer's place in a cycle's sample: whether it was chosen, under which coverage rule, and why, in the words of the cycle report.",
	reflect.TypeFor[SelectionList]():          "Every customer the cycle considered, chosen first, then by customer ID.",
	reflect.TypeFor[InvitationView]():         "One customer's invitation to a cycle.",
	reflect.TypeFor[InvitationList]():         "A cycle's invitations, unanswered first: the links to send, and the staff's call and visit list.",
	reflect.TypeFor[PublicSurvey]():           "What a customer sees through their invitation link: the questionnaire to answer.",
	reflect.TypeFor[survey.Stats]():           "A closed cycle's statistics (调查统计). Every average and rate is null when there is nothing to average; trends (the deltas) compare with the programme's previous closed cycle on the same scale.",
	reflect.TypeFor[survey.Rate]():            "A count against its base and a target; rate is null when of is 0, and met is then false.",
	reflect.TypeFor[survey.DimensionStats]():  "One dimension's results (单项满意度).",
	reflect.TypeFor[survey.LevelCount]():      "How many ratings one level of the scale got.",
	reflect.TypeFor[survey.CompetitorStats](): "The dimension compared with the main competitor (竞争对手).",
	reflect.TypeFor[survey.NPS]():             "The net promoter score of the recommend question: the percentage of promoters (9–10) minus that of detractors (0–6), from -100 to 100.",
	reflect.TypeFor[survey.Group]():           "The results of the answers sharing one segment or tier.",
	reflect.TypeFor[survey.Dissatisfaction](): "One dissatisfied rating (不满意 · 很不满意), with what its improvement action needs: who said it (unless anonymous), about what, and their comment.",
	reflect.TypeFor[DeliveryStarted]():        "The delivery's follow-up workflow and when its surveys start.",
	reflect.TypeFor[store.Notification]():     "A message in the outbox: a survey invitation or reminder to e-mail, or a task for staff (a call or visit to make, a return rate falling short).",
	reflect.TypeFor[NotificationList]():       "A page of the outbox, oldest first (pass next_after as after for the next page) or newest first (pass next_before as before). Neither means the last page.",

	reflect.TypeFor[reports.ComplaintAnalysis](): "The complaint analysis report (季度客户投诉分析报告) for a period: the complaints received in it (of one branch when branch is set), " +
		"their counts by category, severity, complainant class, channel, responsible department and branch, the handling times and SLA compliance of their completed steps, " +
		"the escalations made in the period, the reviews' cause types and the most frequent root causes, compared with the previous period and the same period last year. " +
		"Shares and rates are fractions rounded to four places (0.25 is 25%); a ratio whose base is zero is null, or for a count's share absent. Labels are in Chinese.",
	reflect.TypeFor[reports.Count](): "How many complaints (or reviews, escalations, root causes) have a key, with the key's Chinese label. " +
		"share is count over the table's base (the period's complaints, or the reviews for cause types); absent where there is no base (escalations, root causes) or it is zero.",
	reflect.TypeFor[reports.StepFigures]():   "One step's handling times and SLA compliance over its completed runs in the period's complaints.",
	reflect.TypeFor[reports.DepartmentSLA](): "The SLA compliance of the completed steps of a responsible department's complaints.",
	reflect.TypeFor[reports.Comparison]():    "The report set against another period (of the same branch): its totals and category counts.",
	reflect.TypeFor[reports.CategoryDelta](): "One category's count in this period and the other.",

	reflect.TypeFor[reports.Dashboard](): "The management dashboard (管理看板) of the complaints the caller may read, as of as_of: the open complaints by step and department " +
		"with how their current steps stand against their deadlines, the most urgent overdue and escalated ones, this quarter against the last, and the last twelve months. " +
		"Months and quarters begin at midnight in the organisation's time zone (time_zone). Compliance figures are fractions rounded to four places (0.25 is 25%); " +
		"hours are rounded to two places; a ratio or time of nothing is null.",
	reflect.TypeFor[reports.DashboardScope]():       "Whose complaints the dashboard counts.",
	reflect.TypeFor[reports.DashboardOpen]():        "The open (not closed) complaints and how their current steps stand now: on track, at risk (past the warning point) or breached (past due). A paused step keeps the standing it had when its clock stopped.",
	reflect.TypeFor[reports.DashboardGroup]():       "The open complaints of one step or one responsible department, by standing.",
	reflect.TypeFor[reports.DashboardLevelOpen]():   "How many open complaints have their current step escalated to a level.",
	reflect.TypeFor[reports.DashboardUrgentList]():  "The most urgent open complaints of a kind (at most 20) and how many there are in all.",
	reflect.TypeFor[reports.DashboardUrgentEntry](): "An overdue or escalated open complaint.",
	reflect.TypeFor[reports.DashboardComparison]():  "This quarter, so far, against the previous one.",
	reflect.TypeFor[reports.DashboardQuarter]():     "A quarter's figures. " + dashboardPeriodDoc,
	reflect.TypeFor[reports.DashboardMonth]():       "A month's figures. " + dashboardPeriodDoc,
	reflect.TypeFor[reports.DashboardPeriod]():      "What happened in a period. " + dashboardPeriodDoc,

	reflect.TypeFor[store.OutboxCounts](): "How many outbox messages stand in each status, by channel.",
	reflect.TypeFor[store.OutboxTally]():  "The messages of one status.",
}

// fieldDocs holds the field descriptions that cannot be doc tags: computed at
// run time (from policy defaults, role and label lists, constants of other
// packages) or shared by several fields, and those of a type that differ from
// its fields' tags (EarlierAnswer). Every other field description is the doc
// tag on the field itself; an entry here for t's field wins over the tag.
var fieldDocs = map[fieldKey]string{
	{reflect.TypeFor[Me](), "reads_all"}: "Whether the user sees every complaint (" + describeRoles(readAllRoles()) + "); others see only the complaints their department or branch is involved in.",

	{reflect.TypeFor[improvement.Event](), "action"}: "What happened: " + strings.Join([]string{improvement.ActionOpened, improvement.ActionPlanned, improvement.ActionCompleted,
		improvement.ActionEffective, improvement.ActionNotEffective, improvement.ActionNewRound, improvement.ActionEscalated, improvement.ActionClosed}, ", ") + ".",

	{reflect.TypeFor[StaffAnswer](), "ratings"}:     ratingsDoc,
	{reflect.TypeFor[StaffAnswer](), "recommend"}:   recommendDoc,
	{reflect.TypeFor[StaffAnswer](), "competitor"}:  competitorDoc,
	{reflect.TypeFor[PublicAnswer](), "ratings"}:    ratingsDoc,
	{reflect.TypeFor[PublicAnswer](), "recommend"}:  recommendDoc,
	{reflect.TypeFor[PublicAnswer](), "competitor"}: competitorDoc,
	{reflect.TypeFor[EarlierAnswer](), "ratings"}:   ratingsDoc,
	{reflect.TypeFor[EarlierAnswer](), "recommend"}: recommendDoc,
	{reflect.TypeFor[EarlierAnswer](), "segment"}:   "The line of business the respondent gave (anonymous surveys only).",

	{reflect.TypeFor[DeliveryStarted](), "follow_ups"}: "When the follow-up surveys start: " + followUpDoc() + " after the delivery.",

	{reflect.TypeFor[reports.ComplaintAnalysis](), "by_department"}: "By responsible department (key the department ID, empty for complaints not assigned yet, labelled " + reports.Unassigned + "), most frequent first.",
	{reflect.TypeFor[reports.StepFigures](), "step"}:                "The step: " + labelled(reports.StepOrder) + ", or one no longer in the procedure.",
	{reflect.TypeFor[reports.CategoryDelta](), "category"}:          "The category: " + strings.Join(names(complaint.Categories...), ", ") + ", or one an older policy allowed.",

	{reflect.TypeFor[reports.DashboardOpen](), "by_department"}: "By responsible department (key the department ID, empty for complaints not assigned yet, labelled " + reports.Unassigned + "), most open first.",

	{reflect.TypeFor[NewUser](), "password"}:        passwordPolicyDoc,
	{reflect.TypeFor[PasswordChange](), "password"}: passwordPolicyDoc,
}

// Patterns of the identifiers org validates; the tests check they agree.
const (
	departmentIDPattern = `^[a-z0-9][a-z0-9-]{0,62}$`
	usernamePattern     = `^[a-z0-9][a-z0-9._-]{1,63}$`
)

// fieldExtras adds constraints to fields' schemas, for what their handlers or
// Validate methods check beyond the Go type.
var fieldExtras = map[fieldKey]*openapi3.Schema{
	{reflect.TypeFor[org.Department](), "id"}:          {Pattern: departmentIDPattern, Example: "quality"},
	{reflect.TypeFor[org.Department](), "name"}:        {MinLength: 1, MaxLength: size(100)},
	{reflect.TypeFor[org.User](), "username"}:          {Pattern: usernamePattern, Example: "li.na"},
	{reflect.TypeFor[org.User](), "name"}:              {MinLength: 1, MaxLength: size(100)},
	{reflect.TypeFor[NewUser](), "password"}:           {MinLength: org.MinPasswordLength, Format: "password"},
	{reflect.TypeFor[PasswordChange](), "password"}:    {MinLength: org.MinPasswordLength, Format: "password"},
	{reflect.TypeFor[LoginRequest](), "password"}:      {Format: "password"},
	{reflect.TypeFor[APITokenRequest](), "user_id"}:    {Format: "uuid"},
	{reflect.TypeFor[APITokenRequest](), "expires_in"}: {Pattern: stringTypes[reflect.TypeFor[complaint.Duration]()].Pattern, Example: "2160h"},
	{reflect.TypeFor[store.Token](), "id"}:             {Format: "uuid"},
	{reflect.TypeFor[store.Token](), "user_id"}:        {Format: "uuid"},
	{reflect.TypeFor[store.AuditEntry](), "id"}:        {Format: "int64", Min: num(1)},
	{reflect.TypeFor[store.AuditEntry](), "status"}:    {Min: num(100), Max: num(599)},
	{reflect.TypeFor[AuditList](), "next_before"}:      {Format: "int64", Min: num(1)},

	{reflect.TypeFor[improvement.OpenInput](), "title"}:           {MaxLength: size(200)},
	{reflect.TypeFor[improvement.OpenInput](), "description"}:     {MaxLength: size(10000)},
	{reflect.TypeFor[improvement.OpenInput](), "department"}:      {Pattern: departmentIDPattern, Example: "engineering"},
	{reflect.TypeFor[improvement.OpenInput](), "refs"}:            {Min: num(0), Max: num(improvement.MaxRefs)},
	{reflect.TypeFor[improvement.Source](), "complaint_id"}:       {Format: "uuid"},
	{reflect.TypeFor[improvement.PlanInput](), "plan"}:            {MaxLength: size(10000)},
	{reflect.TypeFor[improvement.CompletionInput](), "result"}:    {MaxLength: size(10000)},
	{reflect.TypeFor[improvement.VerificationInput](), "comment"}: {MaxLength: size(10000)},
	{reflect.TypeFor[improvement.Action](), "id"}:                 {Format: "uuid"},

	{reflect.TypeFor[survey.Definition](), "name"}:           {MaxLength: size(200)},
	{reflect.TypeFor[survey.CoverageRule](), "share"}:        {Min: num(0), Max: num(1)},
	{reflect.TypeFor[survey.Targets](), "issue_rate"}:        {Min: num(0), Max: num(1)},
	{reflect.TypeFor[survey.Targets](), "return_rate"}:       {Min: num(0), Max: num(1)},
	{reflect.TypeFor[survey.Dimension](), "code"}:            {Pattern: surveyCodePattern, Example: "delivery_time"},
	{reflect.TypeFor[survey.Level](), "code"}:                {Pattern: surveyCodePattern, Example: "satisfied"},
	{reflect.TypeFor[survey.Level](), "score"}:               {Min: num(0), Max: num(1000)},
	{reflect.TypeFor[survey.Scale](), "satisfied_top"}:       {Min: num(1)},
	{reflect.TypeFor[survey.Scale](), "dissatisfied_bottom"}: {Min: num(1)},
	{reflect.TypeFor[survey.Schedule](), "month"}:            {Min: num(0), Max: num(12)},
	{reflect.TypeFor[CycleRequest](), "customer_ids"}:        {MaxItems: size(maxCycleCustomers)},
	{reflect.TypeFor[StaffAnswer](), "recommend"}:            {Min: num(0), Max: num(10)},
	{reflect.TypeFor[PublicAnswer](), "recommend"}:           {Min: num(0), Max: num(10)},
	{reflect.TypeFor[workflows.Delivery](), "programme_id"}:  {Format: "uuid"},
	{reflect.TypeFor[workflows.Delivery](), "reference"}:     {MaxLength: size(200)},
	{reflect.TypeFor[StartedCycle](), "cycle_id"}:            {Format: "uuid"},
	{reflect.TypeFor[store.Cycle](), "id"}:                   {Format: "uuid"},
	{reflect.TypeFor[store.Cycle](), "programme_id"}:         {Format: "uuid"},
	{reflect.TypeFor[store.Invitation](), "id"}:              {Format: "uuid"},
	{reflect.TypeFor[store.Invitation](), "cycle_id"}:        {Format: "uuid"},
	{reflect.TypeFor[store.Notification](), "id"}:            {Format: "int64", Min: num(1)},
	{reflect.TypeFor[NotificationList](), "next_after"}:      {Format: "int64", Min: num(1)},
	{reflect.TypeFor[NotificationStatus](), "note"}:          {MaxLength: size(maxNotificationNote)},

	{reflect.TypeFor[reports.ComplaintAnalysis](), "from_date"}: {Format: "date"},
	{reflect.TypeFor[reports.ComplaintAnalysis](), "to_date"}:   {Format: "date"},
	{reflect.TypeFor[reports.Comparison](), "from_date"}:        {Format: "date"},
	{reflect.TypeFor[reports.Comparison](), "to_date"}:          {Format: "date"},
	{reflect.TypeFor[NotificationList](), "next_before"}:        {Format: "int64", Min: num(1)},
	{reflect.TypeFor[PasswordChange](), "current_password"}:     {Format: "password"},
	{reflect.TypeFor[Readiness](), "status"}:                    {Enum: []any{readyStatus, notReadyStatus}},
}

// stringTypes are the types that encode themselves as JSON strings. Every type
// with its own JSON encoding must have an entry; building the document panics
// otherwise, since reflection would describe its Go fields instead.
var stringTypes = map[reflect.Type]*openapi3.Schema{
	reflect.TypeFor[complaint.Duration](): {Type: &openapi3.Types{"string"}, Pattern: `^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`, Example: "8h"},
	reflect.TypeFor[calendar.Period]():    {Type: &openapi3.Types{"string"}, Pattern: `^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$`, Example: "08:30-12:00"},
	reflect.TypeFor[calendar.Date]():      {Type: &openapi3.Types{"string"}, Format: "date", Pattern: `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, Example: "2026-02-14"},
}

// keyedMap describes a map whose keys are a fixed set of names.
type keyedMap struct {
	keys []string
	// complete: responses always hold every key (validation requires them).
	complete bool
}

var keyedMaps = map[reflect.Type]keyedMap{
	reflect.TypeFor[map[complaint.Step]complaint.Duration](): {keys: names(complaint.ActionSteps...), complete: true},
	reflect.TypeFor[calendar.Week]():                         {keys: weekdayNames()},
}

// weekdayNames are calendar.Week's keys, Monday first.
func weekdayNames() []string {
	out := make([]string, 7)
	for i := range out {
		out[i] = strings.ToLower(time.Weekday((i + 1) % 7).String())
	}
	return out
}

// notNull lists the list and map fields of request types that cannot be null:
// validation rejects an empty one. Other such fields may be sent as null, and
// the server stores and returns them as sent.
var notNull = map[fieldKey]bool{
	{reflect.TypeFor[complaint.Policy](), "step_limits"}:    true,
	{reflect.TypeFor[org.User](), "roles"}:                  true,
	{reflect.TypeFor[survey.Programme](), "coverage"}:       true,
	{reflect.TypeFor[survey.Questionnaire](), "dimensions"}: true,
	{reflect.TypeFor[survey.Scale](), "levels"}:             true,
}
