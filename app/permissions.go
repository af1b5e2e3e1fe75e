package app

import (
	"slices"
	"strings"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// Op names an operation, as the permission table and the contract know it.
type Op string

// The operations of this package, grouped by area.
const (
	OpListCalendars   Op = "listCalendars"
	OpGetCalendar     Op = "getCalendar"
	OpPutCalendar     Op = "putCalendar"
	OpPutCalendarYear Op = "putCalendarYear"
	OpCalendarHistory Op = "calendarHistory"
	OpCalendarDue     Op = "calendarDue"
	OpCalendarElapsed Op = "calendarElapsed"
)

// Improvement actions. None has a rule in the table: who may open, read or
// take a step is decided per action by improvement.Authorize (the actor's
// department against the action's, the action's verifiers), which the
// operations check and the workflows check again.
const (
	OpListImprovements    Op = "listImprovementActions"
	OpOpenImprovement     Op = "openImprovementAction"
	OpGetImprovement      Op = "getImprovementAction"
	OpPlanImprovement     Op = "planImprovement"
	OpCompleteImprovement Op = "completeImprovement"
	OpVerifyImprovement   Op = "verifyImprovement"
)

// Reports: the dashboard, the reports and the department assessment. Who
// reads which branch (a branch head their own) is the operations' rule.
const (
	OpDashboard            Op = "dashboard"
	OpComplaintAnalysis    Op = "complaintAnalysis"
	OpSatisfactionReport   Op = "satisfactionReport"
	OpChurnReport          Op = "churnReport"
	OpImportVolumes        Op = "importVolumes"
	OpDepartmentAssessment Op = "departmentAssessment"
	OpEnterAuditCheck      Op = "enterAuditCheck"
	OpEnterCredit          Op = "enterAssessmentCredit"
	OpAuditEvidence        Op = "auditEvidence"
	OpRegenerateReport     Op = "regenerateReport"
	OpListReportVersions   Op = "listReportVersions"
	OpGetReportVersion     Op = "getReportVersion"
)

// rule is who may run an operation.
type rule struct {
	// what names the operation in a refusal ("administration is for: …").
	what  string
	roles []org.Role
}

// The rules several operations share.
var (
	administration = rule{"administration", []org.Role{org.RoleAdministrator}}
	outbox         = rule{"the outbox", []org.Role{org.RoleAdministrator, org.RoleMarketDepartment, org.RoleIntakeClerk}}
	surveyManage   = rule{"managing survey programmes", []org.Role{org.RoleMarketDepartment, org.RoleAdministrator}}
	surveyRead     = rule{"survey data", []org.Role{org.RoleMarketDepartment, org.RoleQualityDepartment, org.RoleIntakeClerk,
		org.RoleGeneralManager, org.RoleInternalAuditor, org.RoleAdministrator}}
	// reportReaders read the company's reports; branch heads read their own
	// branch's complaint analysis and dashboard, department heads the
	// dashboard of what their department is involved in.
	reportReaders = []org.Role{
		org.RoleMarketDepartment, org.RoleQualityDepartment, org.RoleGeneralManager,
		org.RoleInternalAuditor, org.RoleAdministrator,
	}
	companyReports = rule{"kept report versions", reportReaders}
	satisfaction   = rule{"the satisfaction reports", reportReaders}
)

// readersAnd is the report readers and more roles.
func readersAnd(more ...org.Role) []org.Role { return append(slices.Clone(reportReaders), more...) }

// permissions is who may run each operation: the one table of it. An
// operation absent here is open to every signed-in user; the workflows check
// case-level permissions (whose complaint, which step) again themselves.
var permissions = map[Op]rule{
	// Calendars.
	OpPutCalendar:     administration,
	OpPutCalendarYear: administration,

	// Administration.
	OpPutDepartment:      administration,
	OpListUsers:          {"the user list", []org.Role{org.RoleAdministrator, org.RoleInternalAuditor}},
	OpCreateUser:         administration,
	OpUpdateUser:         administration,
	OpListAPITokens:      administration,
	OpCreateAPIToken:     administration,
	OpRevokeAPIToken:     administration,
	OpAddPolicy:          administration,
	OpMigratePolicy:      administration,
	OpListNotifications:  outbox,
	OpCountNotifications: outbox,
	OpMarkNotification:   outbox,
	OpMessageAttempts:    outbox,
	OpResendNotification: outbox,
	OpCreateWebhook:      administration,
	OpListWebhooks:       administration,
	OpDeleteWebhook:      administration,
	OpWebhookDeliveries:  administration,
	OpCreateRobot:        administration,
	OpListRobots:         administration,
	OpDeleteRobot:        administration,
	OpTestRobot:          administration,
	OpTestWebhook:        administration,
	OpTestMail:           administration,
	OpListAudit:          {"the audit trail", []org.Role{org.RoleInternalAuditor, org.RoleAdministrator}},

	// Surveys.
	OpImportCustomers: surveyManage,
	OpListCustomers:   surveyRead,
	OpListProgrammes:  surveyRead,
	OpCreateProgramme: surveyManage,
	OpGetProgramme:    surveyRead,
	OpPutProgramme:    surveyManage,
	OpGetSchedule:     surveyRead,
	OpPauseSchedule:   surveyManage,
	OpResumeSchedule:  surveyManage,
	OpTriggerSchedule: surveyManage,
	OpStartCycle:      surveyManage,
	OpListCycles:      surveyRead,
	OpGetCycle:        surveyRead,
	OpListSelections:  surveyRead,
	OpListInvitations: surveyRead,
	OpEnterAnswer:     {"entering survey answers", []org.Role{org.RoleIntakeClerk, org.RoleMarketDepartment}},
	OpRecordDelivery:  {"recording deliveries", []org.Role{org.RoleIntakeClerk, org.RoleMarketDepartment, org.RoleAdministrator}},

	// Reports.
	OpDashboard:            {"the management dashboard", readersAnd(org.RoleBranchHead, org.RoleDepartmentHead)},
	OpComplaintAnalysis:    {"reports", readersAnd(org.RoleBranchHead)},
	OpSatisfactionReport:   satisfaction,
	OpChurnReport:          satisfaction,
	OpImportVolumes:        {"purchase volumes", []org.Role{org.RoleMarketDepartment, org.RoleAdministrator}},
	OpDepartmentAssessment: {"the department assessment", reportReaders},
	OpEnterAuditCheck:      {"entering audit checks", []org.Role{org.RoleInternalAuditor}},
	OpEnterCredit:          {"entering assessment credits", []org.Role{org.RoleMarketDepartment, org.RoleAdministrator}},
	OpAuditEvidence:        {"the audit evidence", []org.Role{org.RoleInternalAuditor, org.RoleAdministrator}},
	OpRegenerateReport:     companyReports,
	OpListReportVersions:   companyReports,
	OpGetReportVersion:     companyReports,
}

// Who lists the roles that may run op; nil when every signed-in user may.
func Who(op Op) []org.Role { return slices.Clone(permissions[op].roles) }

// May reports whether the actor may run op, for faces that offer it.
func May(a complaint.Actor, op Op) bool { return Authorize(a, op) == nil }

// Authorize refuses an actor who holds none of op's roles, saying who may.
func Authorize(a complaint.Actor, op Op) error {
	r, ok := permissions[op]
	if !ok || slices.ContainsFunc(r.roles, a.Has) {
		return nil
	}
	names := make([]string, len(r.roles))
	for i, role := range r.roles {
		names[i] = string(role)
	}
	return &Error{Code: Forbidden, Message: r.what + " is for: " + strings.Join(names, ", ")}
}

// Administration: the organisation (departments, users, passwords, API
// tokens), the SLA policies, the outbox and the audit trail. Who may set a
// password (their own, or an administrator anyone's) is AuthorizeSetPassword.
const (
	OpListDepartments    Op = "listDepartments"
	OpPutDepartment      Op = "putDepartment"
	OpListUsers          Op = "listUsers"
	OpCreateUser         Op = "createUser"
	OpUpdateUser         Op = "updateUser"
	OpSetPassword        Op = "setPassword"
	OpListAPITokens      Op = "listAPITokens"
	OpCreateAPIToken     Op = "createAPIToken"
	OpRevokeAPIToken     Op = "revokeAPIToken"
	OpListPolicies       Op = "listPolicies"
	OpActivePolicy       Op = "activePolicy"
	OpAddPolicy          Op = "addPolicy"
	OpMigratePolicy      Op = "migratePolicy"
	OpListNotifications  Op = "listNotifications"
	OpCountNotifications Op = "countNotifications"
	OpMarkNotification   Op = "markNotification"
	OpMessageAttempts    Op = "listNotificationAttempts"
	OpResendNotification Op = "resendNotification"
	OpCreateWebhook      Op = "createWebhook"
	OpListWebhooks       Op = "listWebhooks"
	OpDeleteWebhook      Op = "deleteWebhook"
	OpWebhookDeliveries  Op = "listWebhookDeliveries"
	OpCreateRobot        Op = "createRobot"
	OpListRobots         Op = "listRobots"
	OpDeleteRobot        Op = "deleteRobot"
	OpTestRobot          Op = "testRobot"
	OpTestWebhook        Op = "testWebhook"
	OpTestMail           Op = "testMail"
	OpListAudit          Op = "listAudit"
)

// Surveys: the customers, the programmes and their schedules, the cycles,
// the staff's answers and the deliveries. The customers' answers through
// their signed links have no rule: the link is the permission.
const (
	OpImportCustomers    Op = "importCustomers"
	OpListCustomers      Op = "listCustomers"
	OpListProgrammes     Op = "listSurveyProgrammes"
	OpCreateProgramme    Op = "createSurveyProgramme"
	OpGetProgramme       Op = "getSurveyProgramme"
	OpPutProgramme       Op = "putSurveyProgramme"
	OpGetSchedule        Op = "getSurveySchedule"
	OpPauseSchedule      Op = "pauseSurveySchedule"
	OpResumeSchedule     Op = "resumeSurveySchedule"
	OpTriggerSchedule    Op = "triggerSurveySchedule"
	OpStartCycle         Op = "startSurveyCycle"
	OpListCycles         Op = "listSurveyCycles"
	OpGetCycle           Op = "getSurveyCycle"
	OpListSelections     Op = "listSurveySelections"
	OpListInvitations    Op = "listSurveyInvitations"
	OpEnterAnswer        Op = "enterSurveyAnswer"
	OpGetPublicSurvey    Op = "getPublicSurvey"
	OpAnswerPublicSurvey Op = "answerPublicSurvey"
	OpRecordDelivery     Op = "recordDelivery"
)
