package server

import (
	"reflect"
	"slices"
	"strings"

	"github.com/cxflow/cxflow/assessment"
	"github.com/cxflow/cxflow/reports"
)

func init() {
	operationAccess["POST /api/v1/assessment/checks"] = access{roles: checkEntrants}
	operationAccess["POST /api/v1/assessment/credits"] = access{roles: creditEntrants}
	operationAccess["GET /api/v1/reports/departments"] = access{roles: slices.Clone(reportReaders),
		refused: "Refused: the caller holds none of the roles " + strings.Join(names(reportReaders...), ", ") + "; error says who may."}
}

// assessmentPaths documents the department assessment (部门考核).
func assessmentPaths(g *schemaGen, paths obj, errResp func(string) obj) {
	created := func(desc string, t reflect.Type) obj {
		return obj{"description": desc, "content": jsonContent(g.schema(t))}
	}
	str := obj{"type": "string"}
	key := func(what string) []any {
		return []any{obj{
			"name": "Idempotency-Key", "in": "header",
			"description": "Makes the request safe to retry or submit twice: the same key from the same user always names the same " + what +
				", stored once. Reusing a key for a different " + what + " is a 409.",
			"schema": obj{"type": "string", "maxLength": maxIdempotencyKey},
		}}
	}
	paths["/api/v1/assessment/checks"] = obj{"post": obj{
		"parameters":  key("check"),
		"operationId": "enterAuditCheck",
		"tags":        []string{"reports"},
		"summary":     "Enter an audit check (标准化检查) for the monthly service score",
		"description": "An internal auditor enters one standards check of a department for a month: the item checked, the points earned of the points possible, and a note. " +
			"The month's standards part (50 points) is the department's points earned over points possible across its checks. The check is kept with its auditor " +
			"and listed as evidence in GET /api/v1/reports/departments. A 400 names the field at fault; department must be the ID of a department.",
		"requestBody": obj{"required": true, "content": jsonContent(obj{
			"type": "object", "additionalProperties": false,
			"required": []string{"department", "month", "item", "earned", "possible"},
			"properties": obj{
				"department": obj{"type": "string", "description": "The department's ID (see GET /api/v1/departments).", "example": "engineering"},
				"month":      obj{"type": "string", "pattern": `^[0-9]{4}-(0[1-9]|1[0-2])$`, "example": "2026-03"},
				"item":       obj{"type": "string", "maxLength": 500, "example": "服务规范执行"},
				"earned":     obj{"type": "number", "minimum": 0, "description": "Points earned, from 0 to possible.", "example": 45},
				"possible":   obj{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 1000, "example": 50},
				"note":       obj{"type": "string", "maxLength": 4000},
			},
		})},
		"responses": obj{
			"201": created("The check as stored, with its ID and auditor (with an Idempotency-Key used before: the check stored then).", reflect.TypeFor[assessment.AuditCheck]()),
			"400": errResponse("BadRequest"),
			"409": errResponse("Conflict"),
			"500": errResponse("InternalError"),
		},
	}}
	paths["/api/v1/assessment/credits"] = obj{"post": obj{
		"parameters":  key("credit"),
		"operationId": "enterAssessmentCredit",
		"tags":        []string{"reports"},
		"summary":     "Enter a yearly credit: satisfaction work or a customer award (002 第二十九条)",
		"description": "kind satisfaction_work credits a department's satisfaction work with points (more than 0, at most 1 in all for the year) and a reason; " +
			"kind customer_award records a customer's award, worth 0.5 (points may be left out), at most 1 in all. Together at most +2 a year. " +
			"A 400 names the field at fault; department must be the ID of a department.",
		"requestBody": obj{"required": true, "content": jsonContent(obj{
			"type": "object", "additionalProperties": false,
			"required": []string{"department", "year", "kind", "reason"},
			"properties": obj{
				"department": obj{"type": "string", "example": "engineering"},
				"year":       obj{"type": "integer", "minimum": 1900, "maximum": 9998, "example": 2026},
				"kind": obj{"type": "string", "enum": []string{assessment.CreditSatisfactionWork, assessment.CreditCustomerAward},
					"description": "satisfaction_work or customer_award."},
				"points": obj{"type": "number", "description": "For satisfaction_work: more than 0, at most the cap. For customer_award: left out (or the award's worth)."},
				"reason": obj{"type": "string", "maxLength": 4000},
			},
		})},
		"responses": obj{
			"201": created("The credit as stored, with its ID (with an Idempotency-Key used before: the credit stored then).", reflect.TypeFor[assessment.AssessmentCredit]()),
			"400": errResponse("BadRequest"),
			"409": errResponse("Conflict"),
			"500": errResponse("InternalError"),
		},
	}}
	query := func(name, desc string, s obj) obj {
		return obj{"name": name, "in": "query", "description": desc, "schema": s}
	}
	paths["/api/v1/reports/departments"] = obj{"get": obj{
		"operationId": "departmentAssessment",
		"tags":        []string{"reports"},
		"summary":     "The department assessment (部门考核): monthly service scores or the yearly adjustment",
		"description": "month=YYYY-MM gives every department's monthly service score (考评办法), out of 100: standards 50 (audit checks: points earned over possible), " +
			"survey 20 (the pooled satisfaction rate of the department's dimensions in survey cycles closed in the month, mapped ≥ 95 % → 20, ≥ 85 % → 16, ≥ 75 % → 12, ≥ 60 % → 8, else 4), " +
			"complaints 30 (30 − 6 per founded complaint − 12 per founded major one, severity major or extraordinary, received in the month and assigned to the department; at least 0). " +
			"A part with no data (no check, no survey) is not measured and the score is the measured parts' points over their maxima × 100. " +
			"Rating: ≥ 95 excellent (优秀), ≥ 90 pass (合格), else fail. A satisfaction rate below 95 % costs the unit head 2 points, shown as its own line (head_penalty). " +
			"year=YYYY gives the yearly adjustment (002 第二十九条): satisfaction work up to +1, customer awards +0.5 each up to +1, at most +2 in all; −0.5 per founded major complaint, at most −2. " +
			"Every line names its basis and evidence (audit check IDs, survey cycle IDs, complaint numbers, credit IDs); rules holds the rules applied. " +
			"format picks JSON, CSV or an Excel workbook (downloads named department-assessment-<month or year>). A 400 names the parameter at fault.",
		"parameters": []any{
			query("month", "A month, YYYY-MM: the monthly service scores. Give month or year.", obj{"type": "string", "pattern": `^[0-9]{4}-(0[1-9]|1[0-2])$`, "example": "2026-03"}),
			query("year", "A year: the yearly adjustment. Give month or year.", obj{"type": "integer", "minimum": 1900, "maximum": 9998, "example": 2026}),
			query("format", "json, csv (UTF-8 with a byte-order mark) or xlsx.", obj{"type": "string", "enum": []string{"json", "csv", "xlsx"}, "default": "json"}),
			query("lang", "The language of the CSV's and workbook's headers: zh or en.", obj{"type": "string", "enum": []string{string(reports.Chinese), string(reports.English)}, "default": string(reports.Chinese)}),
		},
		"responses": obj{
			"200": obj{
				"description": "The assessment: a MonthlyAssessment for month, a YearlyAssessment for year; or the CSV or workbook.",
				"content": obj{
					"application/json": obj{"schema": obj{"oneOf": []any{
						g.schema(reflect.TypeFor[MonthlyAssessment]()), g.schema(reflect.TypeFor[YearlyAssessment]()),
					}}},
					"text/csv":      obj{"schema": str},
					contentTypeXLSX: obj{"schema": obj{"type": "string", "format": "binary"}},
				},
			},
			"400": errResponse("BadRequest"),
			"500": errResponse("InternalError"),
		},
	}}
	_ = errResp // the shared responses serve
}
