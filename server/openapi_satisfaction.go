package server

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/cxflow/cxflow/reports"
)

func init() {
	readers := access{roles: slices.Clone(reportReaders)}
	operationAccess["GET /api/v1/reports/satisfaction"] = readers
	operationAccess["GET /api/v1/reports/churn"] = readers
	operationAccess["POST /api/v1/customers/volumes"] = access{roles: slices.Clone(volumeImporters)}
}

// satisfactionPaths documents the satisfaction and churn reports and the
// purchase volume import.
func satisfactionPaths(g *schemaGen, paths obj, errResp func(string) obj) {
	query := func(name, desc string, s obj) obj {
		return obj{"name": name, "in": "query", "description": desc, "schema": s}
	}
	formatParams := []any{
		query("format", "json (the default), csv (UTF-8 with a byte-order mark, for Excel) or xlsx (an Excel workbook).",
			obj{"type": "string", "enum": []string{"json", "csv", "xlsx"}, "default": "json"}),
		query("lang", "The language of the CSV's and workbook's table names and headers: zh or en. JSON is not translated.",
			obj{"type": "string", "enum": []string{string(reports.Chinese), string(reports.English)}, "default": string(reports.Chinese)}),
	}
	content := func(t reflect.Type) obj {
		return obj{
			"application/json": obj{"schema": g.schema(t)},
			"text/csv":         obj{"schema": obj{"type": "string", "description": "The report's tables one after another, each under a line with its name; UTF-8 after a byte-order mark."}},
			contentTypeXLSX:    obj{"schema": obj{"type": "string", "format": "binary", "description": "An Excel workbook, one worksheet per table."}},
		}
	}
	const oneWay = " Give the period one way only: quarter, half, year, month, or from with to."
	paths["/api/v1/reports/satisfaction"] = obj{"get": obj{
		"operationId": "satisfactionReport",
		"tags":        []string{"reports"},
		"summary":     "The satisfaction analysis report (半年度满意度分析报告)",
		"description": "The survey cycles closed in a period (civil dates in Asia/Shanghai), of every programme or one: the overall index and satisfaction rate over all ratings, " +
			"each dimension's average and satisfaction rate weighted by the answers that rated it in each cycle, the trend (each cycle's index and rate in the order they closed), " +
			"the breakdowns by segment and tier merged over the cycles, the comparison with the main competitor, and the dissatisfaction factors: per dimension the dissatisfied ratings, " +
			"its owner department and the improvement actions opened from those cycles for it, with their status and whether verified effective. " +
			"Cycles on different scales are listed in scales; their averages are then mixed and best read per cycle. A 400 names the query parameter at fault.",
		"parameters": append([]any{
			query("half", "A half year, e.g. 2026H1."+oneWay, obj{"type": "string", "pattern": `^[0-9]{4}[Hh][12]$`, "example": "2026H1"}),
			query("quarter", "A quarter, e.g. 2026Q1."+oneWay, obj{"type": "string", "pattern": `^[0-9]{4}[Qq][1-4]$`}),
			query("year", "A calendar year."+oneWay, obj{"type": "integer", "minimum": 1900, "maximum": 9998}),
			query("month", "A month, YYYY-MM."+oneWay, obj{"type": "string", "pattern": `^[0-9]{4}-(0[1-9]|1[0-2])$`}),
			query("from", "The first day, YYYY-MM-DD; needs to."+oneWay, obj{"type": "string", "format": "date"}),
			query("to", "The last day (included), YYYY-MM-DD; only with from.", obj{"type": "string", "format": "date"}),
			query("programme", "Only this survey programme's cycles (its ID).", obj{"type": "string", "format": "uuid"}),
		}, formatParams...),
		"responses": obj{
			"200": obj{"description": `The report; csv and xlsx are downloads named satisfaction-<from_date>-<to_date>.csv (or .xlsx).`, "content": content(reflect.TypeFor[reports.SatisfactionReport]())},
			"400": errResponse("BadRequest"),
			"500": errResponse("InternalError"),
		},
	}}
	paths["/api/v1/reports/churn"] = obj{"get": obj{
		"operationId": "churnReport",
		"tags":        []string{"reports"},
		"summary":     "Customer churn and volume decline (客户流失统计)",
		"description": "Compares each customer's purchase volume in the half year with the previous half year's (imported with POST /api/v1/customers/volumes). " +
			"A customer whose volume fell by at least decline (default 20 %, exactly 20 % included) of the previous is declined; one who bought in the previous half year " +
			"and has 0 or no volume now is lost; a new customer is counted, not flagged. Each flagged customer comes with the complaints received in the two half years " +
			"that name them and their latest survey answer's overall score (the mean score of its ratings on its cycle's scale). Complaints carry no customer ID: " +
			"a complaint names the customer when its customer.organisation or customer.name equals the customer's name ignoring case and spaces.",
		"parameters": append([]any{
			query("half", "The half year, e.g. 2026H1 (required).", obj{"type": "string", "pattern": `^[0-9]{4}[Hh][12]$`, "example": "2026H1"}),
			query("decline", "The share of the previous volume a drop must reach to count as declined, between 0 and 1.", obj{"type": "number", "minimum": 0, "maximum": 1, "exclusiveMinimum": true, "exclusiveMaximum": true, "default": reports.DefaultDeclineShare}),
		}, formatParams...),
		"responses": obj{
			"200": obj{"description": `The report; csv and xlsx are downloads named churn-<half>.csv (or .xlsx).`, "content": content(reflect.TypeFor[reports.ChurnReport]())},
			"400": errResponse("BadRequest"),
			"500": errResponse("InternalError"),
		},
	}}
	paths["/api/v1/customers/volumes"] = obj{"post": obj{
		"operationId": "importVolumes",
		"tags":        []string{"customers"},
		"summary":     "Import purchase volumes per customer and half year (采购额)",
		"description": "Creates or replaces volumes by customer and half year. Columns: customer_id (客户编号), period (期间, e.g. 2026H1), volume (采购额, RMB, 0 or more; " +
			"1,200,000 and 120万 accepted). A file that cannot be read (no header, an unknown, repeated or missing column) is refused with a 400 naming file and saves nothing; " +
			"otherwise every good row is saved and every bad row listed in errors with its line and field.",
		"requestBody": obj{"required": true, "content": obj{"text/csv": obj{"schema": obj{"type": "string"},
			"example": "客户编号,期间,采购额\nC001,2026H1,1200000\n"}}},
		"responses": obj{
			"200": obj{"description": "What the import did.", "content": jsonContent(g.schema(reflect.TypeFor[VolumeImportResult]()))},
			"400": errResp("The file cannot be read (field file); the message says why."),
			"413": errResp(fmt.Sprintf("The file is larger than %d bytes; split it.", maxBody)),
			"500": errResponse("InternalError"),
		},
	}}
}
