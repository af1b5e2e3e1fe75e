package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/reports"
)

// Query parameter schemas the reports share.
func quarterSchema() *openapi3.Schema {
	return &openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: `^[0-9]{4}[Qq][1-4]$`}
}
func halfSchema() *openapi3.Schema {
	return &openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: `^[0-9]{4}[Hh][12]$`}
}
func yearSchema() *openapi3.Schema {
	return &openapi3.Schema{Type: &openapi3.Types{"integer"}, Min: num(1900), Max: num(9998)}
}
func monthSchema() *openapi3.Schema {
	return &openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: `^[0-9]{4}-(0[1-9]|1[0-2])$`}
}
func formatSchema() *openapi3.Schema { return withDefault(enumOf("json", "csv", "xlsx"), "json") }
func langSchema() *openapi3.Schema {
	return withDefault(enumOf(reports.Chinese, reports.English), string(reports.Chinese))
}

// described returns s with a description.
func described(s *openapi3.Schema, d string) *openapi3.Schema { s.Description = d; return s }

const oneWayDoc = " Give the period one way only: quarter, half, year, month, or from with to."

// reportEndpoints are the management reports, the dashboard, the department
// assessment and the kept report versions.
func reportEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodGet, path: "/api/v1/reports/complaints", op: app.OpComplaintAnalysis, handle: method((*Server).complaintAnalysis),
			tag: "reports", summary: "The complaint analysis report (季度客户投诉分析报告)",
			description: "The complaints received in a period (civil dates in Asia/Shanghai), of the whole company or one branch, analysed: counts by category, severity, " +
				"complainant class, channel, responsible department and branch; handling times and SLA compliance of completed steps; escalations; cause types and the most " +
				"frequent root causes; and the comparison with the previous period and the same period last year. format picks JSON (the default), CSV or an Excel workbook; " +
				"CSV and workbook are downloads (Content-Disposition: attachment) with one table (CSV block, worksheet) per part, headed in lang. " +
				"A 400 names the query parameter at fault: quarter when no period is given, the second of two ways given (in the order quarter, half, year, month, from), " +
				"from for to without from, to for from without to or a to before from, and branch for an ID that is no branch.",
			params: []param{
				query("quarter", "A quarter, e.g. 2026Q1 (q accepted too)."+oneWayDoc, fixed(withExample(quarterSchema(), "2026Q1"))),
				query("half", "A half year, e.g. 2026H1 (January–June) or 2026H2 (h accepted too)."+oneWayDoc, fixed(withExample(halfSchema(), "2026H1"))),
				query("year", "A calendar year, e.g. 2026."+oneWayDoc, fixed(withExample(yearSchema(), 2026))),
				query("month", "A month, YYYY-MM, e.g. 2026-03."+oneWayDoc, fixed(withExample(monthSchema(), "2026-03"))),
				query("from", "The period's first day, YYYY-MM-DD; needs to."+oneWayDoc, fixed(withExample(formatted("date"), "2026-01-01"))),
				query("to", "The period's last day (included), YYYY-MM-DD, not before from; only with from.", fixed(withExample(formatted("date"), "2026-03-31"))),
				query("branch", "Only the complaints concerning this branch: the ID of a branch (a department of kind branch, see GET /api/v1/departments). "+
					"Left out, the whole company's; for a branch head without a company-wide role, their own branch, the only one they may ask for.",
					fixed(withExample(stringSchema(), "suzhou"))),
				query("format", "json (the report as a ComplaintAnalysis), csv (UTF-8 with a byte-order mark, for Excel) or xlsx (an Excel workbook).", fixed(formatSchema())),
				query("lang", "The language of the CSV's and workbook's table names, headers and keys: zh (Chinese, with Chinese labels) or en (English, with the keys). "+
					"JSON is not translated: its labels are Chinese.", fixed(langSchema())),
			},
			responses: []reply{
				{status: http.StatusOK, description: "The report, in the format asked for: application/json, text/csv; charset=utf-8 (with a byte-order mark) or an xlsx workbook.",
					headers: openapi3.Headers{"Content-Disposition": headerDoc(`For csv and xlsx: attachment; filename="complaint-analysis-<from_date>-<to_date>.csv" (or .xlsx), the branch ID appended to the name (-<branch>) for a branch's report.`)},
					content: []media{
						{"application/json", typeOf[reports.ComplaintAnalysis]()},
						{"text/csv", fixed(described(stringSchema(), "The report's tables one after another, each as a line with its name, a header line and its rows, followed by an empty line; "+
							"UTF-8 after a byte-order mark (EF BB BF). Shares are percentages with two decimals (25.00%), hours and money two decimals; a null is an empty cell."))},
						{contentTypeXLSX, fixed(described(formatted("binary"), "An Excel workbook, one worksheet per table with a bold, frozen header row; figures are numbers (shares as percentages)."))},
					}},
				badRequest, internalError,
			},
			access: &reportAccess},
		{method: http.MethodGet, path: "/api/v1/dashboard", op: app.OpDashboard, handle: method((*Server).dashboard),
			tag: "reports", summary: "The management dashboard (管理看板)",
			description: "The open complaints counted by current step and by responsible department with how their steps stand now (on track, at risk, breached; " +
				"a paused step as when its clock stopped), the overdue and the escalated open complaints (the 20 most urgent of each, with how late in working time, and totals), " +
				"this quarter so far against the last (received, founded and not founded, SLA compliance, closed, median and 90th-percentile handling time, escalations) " +
				"and the same figures for each of the last twelve months. Months and quarters begin at midnight in the organisation's time zone. " +
				"SLA compliance is that of the completed steps of the complaints received in the period, as the complaint analysis report (GET /api/v1/reports/complaints) counts it; " +
				"handling time is from receipt to closing of the complaints closed in the period. All figures are computed in the database when asked. " +
				"A 400 names branch for an ID that is no branch.",
			params: []param{query("branch", "Only the complaints concerning this branch: the ID of a branch (a department of kind branch, see GET /api/v1/departments), for those who read "+
				"the whole company's complaints. A branch head may name only their own branch (the same as naming none); a department head none.",
				fixed(withExample(stringSchema(), "suzhou")))},
			responses: []reply{answers(http.StatusOK, "The dashboard.", typeOf[reports.Dashboard]()),
				fails(http.StatusBadRequest, "branch is not the ID of a branch (field branch)."), internalError},
			access: &access{
				who: describeRoles(reportReaders) + ", for the whole company or one branch; a branch head for the complaints their branch is involved in; " +
					"a department head for the complaints their department is involved in",
				refused: "Refused: the caller holds none of the roles " + strings.Join(names(dashboardReaders...), ", ") +
					", or a branch or department head asked for another branch (field branch); error says why."}},
	}
}

// assessmentEndpoints are the department assessment (部门考核) and its inputs.
func assessmentEndpoints() []endpoint {
	key := func(what string) param {
		return header("Idempotency-Key", "Makes the request safe to retry or submit twice: the same key from the same user always names the same "+what+
			", stored once. Reusing a key for a different "+what+" is a 409.", fixed(&openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: size(maxIdempotencyKey)}))
	}
	strict := func(required []string, props openapi3.Schemas) *openapi3.Schema {
		return &openapi3.Schema{Type: &openapi3.Types{"object"}, AdditionalProperties: openapi3.AdditionalProperties{Has: new(false)}, Required: required, Properties: props}
	}
	return []endpoint{
		{method: http.MethodPost, path: "/api/v1/assessment/checks", op: app.OpEnterAuditCheck, handle: method((*Server).postAuditCheck),
			tag: "reports", summary: "Enter an audit check (标准化检查) for the monthly service score",
			description: "An internal auditor enters one standards check of a department for a month: the item checked, the points earned of the points possible, and a note. " +
				"The month's standards part (50 points) is the department's points earned over points possible across its checks. The check is kept with its auditor " +
				"and listed as evidence in GET /api/v1/reports/departments. A 400 names the field at fault; department must be the ID of a department.",
			params: []param{key("check")},
			body: jsonBody(fixed(strict([]string{"department", "month", "item", "earned", "possible"}, openapi3.Schemas{
				"department": inline(withExample(described(stringSchema(), "The department's ID (see GET /api/v1/departments)."), "engineering")),
				"month":      inline(withExample(monthSchema(), "2026-03")),
				"item":       inline(&openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: size(500), Example: "服务规范执行"}),
				"earned":     inline(&openapi3.Schema{Type: &openapi3.Types{"number"}, Min: num(0), Description: "Points earned, from 0 to possible.", Example: 45}),
				"possible": inline(&openapi3.Schema{Type: &openapi3.Types{"number"}, ExclusiveMin: openapi3.ExclusiveBound{Bool: new(true)}, Min: num(0), Max: num(1000),
					Example: 50}),
				"note": inline(&openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: size(4000)}),
			}))),
			responses: []reply{answers(http.StatusCreated, "The check as stored, with its ID and auditor (with an Idempotency-Key used before: the check stored then).", typeOf[assessment.AuditCheck]()),
				badRequest, conflict, internalError}},
		{method: http.MethodPost, path: "/api/v1/assessment/credits", op: app.OpEnterCredit, handle: method((*Server).postAssessmentCredit),
			tag: "reports", summary: "Enter a yearly credit: satisfaction work or a customer award (002 第二十九条)",
			description: "kind satisfaction_work credits a department's satisfaction work with points (more than 0, at most 1 in all for the year) and a reason; " +
				"kind customer_award records a customer's award, worth 0.5 (points may be left out), at most 1 in all. Together at most +2 a year. " +
				"A 400 names the field at fault; department must be the ID of a department.",
			params: []param{key("credit")},
			body: jsonBody(fixed(strict([]string{"department", "year", "kind", "reason"}, openapi3.Schemas{
				"department": inline(withExample(stringSchema(), "engineering")),
				"year":       inline(withExample(yearSchema(), 2026)),
				"kind":       inline(described(enumOf(assessment.CreditSatisfactionWork, assessment.CreditCustomerAward), "satisfaction_work or customer_award.")),
				"points":     inline(described(numberSchema(), "For satisfaction_work: more than 0, at most the cap. For customer_award: left out (or the award's worth).")),
				"reason":     inline(&openapi3.Schema{Type: &openapi3.Types{"string"}, MaxLength: size(4000)}),
			}))),
			responses: []reply{answers(http.StatusCreated, "The credit as stored, with its ID (with an Idempotency-Key used before: the credit stored then).", typeOf[assessment.AssessmentCredit]()),
				badRequest, conflict, internalError}},
		{method: http.MethodGet, path: "/api/v1/reports/departments", op: app.OpDepartmentAssessment, handle: method((*Server).departmentAssessment),
			tag: "reports", summary: "The department assessment (部门考核): monthly service scores or the yearly adjustment",
			description: "month=YYYY-MM gives every department's monthly service score (考评办法), out of 100: standards 50 (audit checks: points earned over possible), " +
				"survey 20 (the pooled satisfaction rate of the department's dimensions in survey cycles closed in the month, mapped ≥ 95 % → 20, ≥ 85 % → 16, ≥ 75 % → 12, ≥ 60 % → 8, else 4), " +
				"complaints 30 (30 − 6 per founded complaint − 12 per founded major one, severity major or extraordinary, received in the month and assigned to the department; at least 0). " +
				"A part with no data (no check, no survey) is not measured and the score is the measured parts' points over their maxima × 100. " +
				"Rating: ≥ 95 excellent (优秀), ≥ 90 pass (合格), else fail. A satisfaction rate below 95 % costs the unit head 2 points, shown as its own line (head_penalty). " +
				"year=YYYY gives the yearly adjustment (002 第二十九条): satisfaction work up to +1, customer awards +0.5 each up to +1, at most +2 in all; −0.5 per founded major complaint, at most −2. " +
				"Every line names its basis and evidence (audit check IDs, survey cycle IDs, complaint numbers, credit IDs); rules holds the rules applied. " +
				"format picks JSON, CSV or an Excel workbook (downloads named department-assessment-<month or year>). A 400 names the parameter at fault.",
			params: []param{
				query("month", "A month, YYYY-MM: the monthly service scores. Give month or year.", fixed(withExample(monthSchema(), "2026-03"))),
				query("year", "A year: the yearly adjustment. Give month or year.", fixed(withExample(yearSchema(), 2026))),
				query("format", "json, csv (UTF-8 with a byte-order mark) or xlsx.", fixed(formatSchema())),
				query("lang", "The language of the CSV's and workbook's headers: zh or en.", fixed(langSchema())),
			},
			responses: []reply{
				{status: http.StatusOK, description: "The assessment: a MonthlyAssessment for month, a YearlyAssessment for year; or the CSV or workbook.",
					content: []media{
						{"application/json", func(g *schemaGen) *openapi3.SchemaRef {
							return inline(&openapi3.Schema{OneOf: openapi3.SchemaRefs{typeOf[MonthlyAssessment]()(g), typeOf[YearlyAssessment]()(g)}})
						}},
						{"text/csv", fixed(stringSchema())},
						{contentTypeXLSX, fixed(formatted("binary"))},
					}},
				badRequest, internalError,
			},
			access: &access{refused: "Refused: the caller holds none of the roles " + strings.Join(names(reportReaders...), ", ") + "; error says who may."}},
	}
}

// satisfactionEndpoints are the satisfaction and churn reports and the
// purchase volume import.
func satisfactionEndpoints() []endpoint {
	formatParams := []param{
		query("format", "json (the default), csv (UTF-8 with a byte-order mark, for Excel) or xlsx (an Excel workbook).", fixed(formatSchema())),
		query("lang", "The language of the CSV's and workbook's table names and headers: zh or en. JSON is not translated.", fixed(langSchema())),
	}
	content := func(s schemaSpec) []media {
		return []media{
			{"application/json", s},
			{"text/csv", fixed(described(stringSchema(), "The report's tables one after another, each under a line with its name; UTF-8 after a byte-order mark."))},
			{contentTypeXLSX, fixed(described(formatted("binary"), "An Excel workbook, one worksheet per table."))},
		}
	}
	decline := &openapi3.Schema{Type: &openapi3.Types{"number"}, Min: num(0), Max: num(1), ExclusiveMin: openapi3.ExclusiveBound{Bool: new(true)},
		ExclusiveMax: openapi3.ExclusiveBound{Bool: new(true)}, Default: reports.DefaultDeclineShare}
	return []endpoint{
		{method: http.MethodGet, path: "/api/v1/reports/satisfaction", op: app.OpSatisfactionReport, handle: method((*Server).satisfactionReport),
			tag: "reports", summary: "The satisfaction analysis report (半年度满意度分析报告)",
			description: "The survey cycles closed in a period (civil dates in Asia/Shanghai), of every programme or one: the overall index and satisfaction rate over all ratings, " +
				"each dimension's average and satisfaction rate weighted by the answers that rated it in each cycle, the trend (each cycle's index and rate in the order they closed), " +
				"the breakdowns by segment and tier merged over the cycles, the comparison with the main competitor, and the dissatisfaction factors: per dimension the dissatisfied ratings, " +
				"its owner department and the improvement actions opened from those cycles for it, with their status and whether verified effective. " +
				"Cycles on different scales are listed in scales; their averages are then mixed and best read per cycle. A 400 names the query parameter at fault.",
			params: append([]param{
				query("half", "A half year, e.g. 2026H1."+oneWayDoc, fixed(withExample(halfSchema(), "2026H1"))),
				query("quarter", "A quarter, e.g. 2026Q1."+oneWayDoc, fixed(quarterSchema())),
				query("year", "A calendar year."+oneWayDoc, fixed(yearSchema())),
				query("month", "A month, YYYY-MM."+oneWayDoc, fixed(monthSchema())),
				query("from", "The first day, YYYY-MM-DD; needs to."+oneWayDoc, fixed(formatted("date"))),
				query("to", "The last day (included), YYYY-MM-DD; only with from.", fixed(formatted("date"))),
				query("programme", "Only this survey programme's cycles (its ID).", fixed(formatted("uuid"))),
			}, formatParams...),
			responses: []reply{{status: http.StatusOK, description: `The report; csv and xlsx are downloads named satisfaction-<from_date>-<to_date>.csv (or .xlsx).`,
				content: content(typeOf[reports.SatisfactionReport]())}, badRequest, internalError}},
		{method: http.MethodGet, path: "/api/v1/reports/churn", op: app.OpChurnReport, handle: method((*Server).churnReport),
			tag: "reports", summary: "Customer churn and volume decline (客户流失统计)",
			description: "Compares each customer's purchase volume in the half year with the previous half year's (imported with POST /api/v1/customers/volumes). " +
				"A customer whose volume fell by at least decline (default 20 %, exactly 20 % included) of the previous is declined; one who bought in the previous half year " +
				"and has 0 or no volume now is lost; a new customer is counted, not flagged. Each flagged customer comes with the complaints received in the two half years " +
				"that name them and their latest survey answer's overall score (the mean score of its ratings on its cycle's scale). Complaints carry no customer ID: " +
				"a complaint names the customer when its customer.organisation or customer.name equals the customer's name ignoring case and spaces.",
			params: append([]param{
				query("half", "The half year, e.g. 2026H1 (required).", fixed(withExample(halfSchema(), "2026H1"))),
				query("decline", "The share of the previous volume a drop must reach to count as declined, between 0 and 1.", fixed(decline)),
			}, formatParams...),
			responses: []reply{{status: http.StatusOK, description: `The report; csv and xlsx are downloads named churn-<half>.csv (or .xlsx).`,
				content: content(typeOf[reports.ChurnReport]())}, badRequest, internalError}},
		{method: http.MethodPost, path: "/api/v1/customers/volumes", op: app.OpImportVolumes, handle: method((*Server).importVolumes),
			tag: "customers", summary: "Import purchase volumes per customer and half year (采购额)",
			description: "Creates or replaces volumes by customer and half year. Columns: customer_id (客户编号), period (期间, e.g. 2026H1), volume (采购额, RMB, 0 or more; " +
				"1,200,000 and 120万 accepted). A file that cannot be read (no header, an unknown, repeated or missing column) is refused with a 400 naming file and saves nothing; " +
				"otherwise every good row is saved and every bad row listed in errors with its line and field.",
			body: &body{mediaType: "text/csv", schema: fixed(stringSchema()), example: "客户编号,期间,采购额\nC001,2026H1,1200000\n"},
			responses: []reply{answers(http.StatusOK, "What the import did.", typeOf[VolumeImportResult]()),
				fails(http.StatusBadRequest, "The file cannot be read (field file); the message says why."),
				fails(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than %d bytes; split it.", maxBody)),
				internalError}},
	}
}

// evidenceEndpoints are the audit evidence and the kept report versions.
func evidenceEndpoints() []endpoint {
	return []endpoint{
		{method: http.MethodGet, path: "/api/v1/reports/audit-evidence", op: app.OpAuditEvidence, handle: method((*Server).auditEvidence),
			tag: "reports", summary: "Audit evidence for ISO 10002 and ISO 10004 (审核证据)",
			description: "Every complaint timeline event and every survey cycle event recorded in a period (civil dates in Asia/Shanghai), oldest first, each with " +
				"its time, actor (name, role, department), complaint number or survey cycle ID, action, and the ISO 10002:2018 or ISO 10004:2018 clauses " +
				"(number and English title) it evidences; clauses counts the events per clause. With branch, only that branch's complaints' events (survey " +
				"cycles belong to no branch). format picks JSON, CSV or an Excel workbook (a clause table and an event table).",
			params: []param{
				query("quarter", "A quarter, e.g. 2026Q1."+oneWayDoc, fixed(withExample(quarterSchema(), "2026Q1"))),
				query("half", "A half year, e.g. 2026H1."+oneWayDoc, fixed(withExample(halfSchema(), "2026H1"))),
				query("year", "A calendar year, e.g. 2026."+oneWayDoc, fixed(withExample(yearSchema(), 2026))),
				query("month", "A month, YYYY-MM."+oneWayDoc, fixed(withExample(monthSchema(), "2026-03"))),
				query("from", "The period's first day, YYYY-MM-DD; needs to."+oneWayDoc, fixed(withExample(formatted("date"), "2026-01-01"))),
				query("to", "The period's last day (included), YYYY-MM-DD; only with from.", fixed(withExample(formatted("date"), "2026-03-31"))),
				query("branch", "Only the events of this branch's complaints: the ID of a branch.", fixed(withExample(stringSchema(), "suzhou"))),
				query("format", "json, csv (UTF-8 with a byte-order mark) or xlsx.", fixed(formatSchema())),
				query("lang", "The language of the CSV's and workbook's table names and headers.", fixed(langSchema())),
			},
			responses: []reply{
				{status: http.StatusOK, description: "The evidence, in the format asked for.",
					headers: openapi3.Headers{"Content-Disposition": headerDoc(`For csv and xlsx: attachment; filename="audit-evidence-<from_date>-<to_date>.csv" (or .xlsx).`)},
					content: []media{
						{"application/json", typeOf[reports.AuditEvidence]()},
						{"text/csv", fixed(stringSchema())},
						{contentTypeXLSX, fixed(formatted("binary"))},
					}},
				badRequest, internalError,
			}},
		{method: http.MethodPost, path: "/api/v1/reports/regenerate", op: app.OpRegenerateReport, handle: method((*Server).regenerateReport),
			tag: "reports", summary: "Generate a report again, as a new kept version",
			description: "Starts the GenerateReports workflow for one period: it computes the report, keeps it as an Excel workbook with the next version " +
				"number of its kind, period and branch (earlier versions stay), and puts a task with the download link in the outbox for the market department. " +
				"The same workflow runs from the Temporal Schedule reports:quarterly at 08:00 Asia/Shanghai on 1 January, April, July and October.",
			body: jsonBody(bodyOf[RegenerateRequest]()),
			responses: []reply{answers(http.StatusAccepted, "Started; the version appears in GET /api/v1/report-versions when the workflow has run.", typeOf[RegenerateStarted]()),
				badRequest, internalError}},
		{method: http.MethodGet, path: "/api/v1/report-versions", op: app.OpListReportVersions, handle: method((*Server).listReportVersions),
			tag: "reports", summary: "The kept report versions",
			description: "The generated reports, newest first, without their contents; kind and period filter.",
			params: []param{
				query("kind", "Only this kind, e.g. complaints.", fixed(withExample(stringSchema(), "complaints"))),
				query("period", "Only this period label, e.g. 2026Q1.", fixed(withExample(stringSchema(), "2026Q1"))),
			},
			responses: []reply{answers(http.StatusOK, "The versions.", typeOf[ReportVersionList]()), internalError}},
		{method: http.MethodGet, path: "/api/v1/report-versions/{id}", op: app.OpGetReportVersion, handle: method((*Server).getReportVersion),
			tag: "reports", summary: "Download a kept report version",
			description: "The report as generated, as an attachment named <kind>-<period>[-<branch>]-v<version>.<format>.",
			params:      []param{pathParam("id", "The version's ID.", fixed(&openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int64"}))},
			responses: []reply{{status: http.StatusOK, description: "The file.", content: []media{{contentTypeXLSX, fixed(formatted("binary"))}}},
				fails(http.StatusNotFound, "No such version."), internalError}},
	}
}
