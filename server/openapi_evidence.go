package server

import (
	"reflect"
	"slices"

	"github.com/cxflow/cxflow/reports"
)

func init() {
	evidence := access{roles: slices.Clone(evidenceReaders)}
	company := access{roles: slices.Clone(reportReaders)}
	operationAccess["GET /api/v1/reports/audit-evidence"] = evidence
	operationAccess["POST /api/v1/reports/regenerate"] = company
	operationAccess["GET /api/v1/report-versions"] = company
	operationAccess["GET /api/v1/report-versions/{id}"] = company
	requestBodies[reflect.TypeFor[RegenerateRequest]()] = requestBody{name: "RegenerateRequest", required: []string{"kind", "period"},
		doc: "The report to generate again: kind complaints, a period label (2026Q1, 2026H1, 2026 or 2026-03) and optionally a branch."}
}

// evidencePaths documents the audit evidence and the kept report versions.
func evidencePaths(g *schemaGen, paths obj, errResp func(string) obj) {
	query := func(name, desc string, s obj) obj {
		return obj{"name": name, "in": "query", "description": desc, "schema": s}
	}
	const oneWay = " Give the period one way only: quarter, half, year, month, or from with to."
	paths["/api/v1/reports/audit-evidence"] = obj{"get": obj{
		"operationId": "auditEvidence",
		"tags":        []string{"reports"},
		"summary":     "Audit evidence for ISO 10002 and ISO 10004 (审核证据)",
		"description": "Every complaint timeline event and every survey cycle event recorded in a period (civil dates in Asia/Shanghai), oldest first, each with " +
			"its time, actor (name, role, department), complaint number or survey cycle ID, action, and the ISO 10002:2018 or ISO 10004:2018 clauses " +
			"(number and English title) it evidences; clauses counts the events per clause. With branch, only that branch's complaints' events (survey " +
			"cycles belong to no branch). format picks JSON, CSV or an Excel workbook (a clause table and an event table).",
		"parameters": []any{
			query("quarter", "A quarter, e.g. 2026Q1."+oneWay, obj{"type": "string", "pattern": `^[0-9]{4}[Qq][1-4]$`, "example": "2026Q1"}),
			query("half", "A half year, e.g. 2026H1."+oneWay, obj{"type": "string", "pattern": `^[0-9]{4}[Hh][12]$`, "example": "2026H1"}),
			query("year", "A calendar year, e.g. 2026."+oneWay, obj{"type": "integer", "minimum": 1900, "maximum": 9998, "example": 2026}),
			query("month", "A month, YYYY-MM."+oneWay, obj{"type": "string", "pattern": `^[0-9]{4}-(0[1-9]|1[0-2])$`, "example": "2026-03"}),
			query("from", "The period's first day, YYYY-MM-DD; needs to."+oneWay, obj{"type": "string", "format": "date", "example": "2026-01-01"}),
			query("to", "The period's last day (included), YYYY-MM-DD; only with from.", obj{"type": "string", "format": "date", "example": "2026-03-31"}),
			query("branch", "Only the events of this branch's complaints: the ID of a branch.", obj{"type": "string", "example": "suzhou"}),
			query("format", "json, csv (UTF-8 with a byte-order mark) or xlsx.", obj{"type": "string", "enum": []string{"json", "csv", "xlsx"}, "default": "json"}),
			query("lang", "The language of the CSV's and workbook's table names and headers.",
				obj{"type": "string", "enum": []string{string(reports.Chinese), string(reports.English)}, "default": string(reports.Chinese)}),
		},
		"responses": obj{
			"200": obj{
				"description": "The evidence, in the format asked for.",
				"headers": obj{"Content-Disposition": obj{
					"description": `For csv and xlsx: attachment; filename="audit-evidence-<from_date>-<to_date>.csv" (or .xlsx).`,
					"schema":      obj{"type": "string"},
				}},
				"content": obj{
					"application/json": obj{"schema": g.schema(reflect.TypeFor[reports.AuditEvidence]())},
					"text/csv":         obj{"schema": obj{"type": "string"}},
					contentTypeXLSX:    obj{"schema": obj{"type": "string", "format": "binary"}},
				},
			},
			"400": errResponse("BadRequest"),
			"500": errResponse("InternalError"),
		},
	}}
	paths["/api/v1/reports/regenerate"] = obj{"post": obj{
		"operationId": "regenerateReport",
		"tags":        []string{"reports"},
		"summary":     "Generate a report again, as a new kept version",
		"description": "Starts the GenerateReports workflow for one period: it computes the report, keeps it as an Excel workbook with the next version " +
			"number of its kind, period and branch (earlier versions stay), and puts a task with the download link in the outbox for the market department. " +
			"The same workflow runs from the Temporal Schedule reports:quarterly at 08:00 Asia/Shanghai on 1 January, April, July and October.",
		"requestBody": obj{"required": true, "content": jsonContent(g.body(reflect.TypeFor[RegenerateRequest]()))},
		"responses": obj{
			"202": obj{"description": "Started; the version appears in GET /api/v1/report-versions when the workflow has run.",
				"content": jsonContent(g.schema(reflect.TypeFor[RegenerateStarted]()))},
			"400": errResponse("BadRequest"),
			"500": errResponse("InternalError"),
		},
	}}
	paths["/api/v1/report-versions"] = obj{"get": obj{
		"operationId": "listReportVersions",
		"tags":        []string{"reports"},
		"summary":     "The kept report versions",
		"description": "The generated reports, newest first, without their contents; kind and period filter.",
		"parameters": []any{
			query("kind", "Only this kind, e.g. complaints.", obj{"type": "string", "example": "complaints"}),
			query("period", "Only this period label, e.g. 2026Q1.", obj{"type": "string", "example": "2026Q1"}),
		},
		"responses": obj{
			"200": obj{"description": "The versions.", "content": jsonContent(g.schema(reflect.TypeFor[ReportVersionList]()))},
			"500": errResponse("InternalError"),
		},
	}}
	paths["/api/v1/report-versions/{id}"] = obj{
		"parameters": []any{obj{"name": "id", "in": "path", "required": true, "description": "The version's ID.", "schema": obj{"type": "integer", "format": "int64"}}},
		"get": obj{
			"operationId": "getReportVersion",
			"tags":        []string{"reports"},
			"summary":     "Download a kept report version",
			"description": "The report as generated, as an attachment named <kind>-<period>[-<branch>]-v<version>.<format>.",
			"responses": obj{
				"200": obj{"description": "The file.", "content": obj{contentTypeXLSX: obj{"schema": obj{"type": "string", "format": "binary"}}}},
				"404": errResp("No such version."),
				"500": errResponse("InternalError"),
			},
		},
	}
}
