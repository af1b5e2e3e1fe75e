package reports

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// A table's cells are string, int, Number (two decimals), Percent, Money, or nil (blank).
//
// The Go type of a cell is what says whether it is a figure or text: int,
// Number, Percent and Money (and any other integer or floating-point type)
// are figures, written as numbers; everything else is text. Only text is
// guarded against formula injection (see Neutralise), so a figure of -3 stays
// -3, while a text cell "-3" (a name, a comment someone typed) comes out as
// '-3. A report that wants a figure in a cell must put a number type there,
// never a formatted string.
type (
	Number  float64
	Percent float64
	Money   float64
)

// Table is one table of a report: a sheet of the workbook, a block of the CSV.
type Table struct {
	Name    string
	Headers []string
	Rows    [][]any
}

// Language picks the headers' language: "zh" (default) or "en".
type Language string

const (
	Chinese Language = "zh"
	English Language = "en"
)

// Pick is the text in the language.
func (l Language) Pick(zh, en string) string {
	if l == English {
		return en
	}
	return zh
}

func percent(r *float64) any {
	if r == nil {
		return nil
	}
	return Percent(*r)
}

func number(r *float64) any {
	if r == nil {
		return nil
	}
	return Number(*r)
}

// Tables lays the report out as tables, headed in the given language.
func (a ComplaintAnalysis) Tables(lang Language) []Table {
	t := lang.Pick
	label := func(c Count) string {
		switch {
		case lang != English:
			return c.Label
		case c.Key == "":
			return "(unassigned)"
		}
		return c.Key
	}
	branch := a.Branch
	if branch == "" {
		branch = t("全公司", "whole company")
	}
	summary := Table{Name: t("概要", "Summary"), Headers: []string{t("指标", "Figure"), t("数值", "Value")}, Rows: [][]any{
		{t("起始日期", "From"), a.FromDate},
		{t("截止日期", "To (included)"), a.ToDate},
		{t("范围", "Branch"), branch},
		{t("投诉总数", "Complaints received"), a.Total},
		{t("成立投诉数", "Founded"), a.Founded},
		{t("不成立投诉数", "Not founded"), a.NotFounded},
		{t("不成立占比", "Not founded share"), percent(a.NotFoundedShare)},
		{t("重开投诉数", "Reopened complaints"), a.Reopened},
		{t("重开次数", "Reopenings"), a.Reopenings},
		{t("重开率（占成立投诉）", "Reopen rate (of founded)"), percent(a.ReopenRate)},
		{t("直接损失合计（元）", "Direct loss (RMB)"), Money(a.DirectLoss)},
	}}
	counts := func(zhName, enName, zhKey, enKey string, cs []Count) Table {
		tb := Table{Name: t(zhName, enName), Headers: []string{t(zhKey, enKey), t("数量", "Count"), t("占比", "Share")}}
		for _, c := range cs {
			tb.Rows = append(tb.Rows, []any{label(c), c.Count, percent(c.Share)})
		}
		return tb
	}
	steps := Table{Name: t("环节用时", "Step times"), Headers: []string{
		t("环节", "Step"), t("完成次数", "Completed"), t("用时中位数（小时）", "Median (hours)"),
		t("用时P90（小时）", "P90 (hours)"), t("按时完成次数", "Within SLA"), t("时限达成率", "SLA compliance"),
	}}
	for _, s := range a.Steps {
		name := s.Label
		if lang == English {
			name = string(s.Step)
		}
		steps.Rows = append(steps.Rows, []any{name, s.Completed, number(s.MedianHours), number(s.P90Hours), s.WithinSLA, percent(s.Compliance)})
	}
	depts := Table{Name: t("部门时限达成", "Department SLA"), Headers: []string{
		t("责任部门", "Department"), t("完成环节数", "Completed steps"), t("按时完成数", "Within SLA"), t("时限达成率", "SLA compliance"),
	}}
	for _, d := range a.Departments {
		depts.Rows = append(depts.Rows, []any{label(Count{Key: d.Department, Label: d.Label}), d.Completed, d.WithinSLA, percent(d.Compliance)})
	}
	escalations := Table{Name: t("升级", "Escalations"), Headers: []string{t("升级级别", "Level"), t("次数", "Count")}}
	for _, c := range a.Escalations {
		escalations.Rows = append(escalations.Rows, []any{label(c), c.Count})
	}
	causes := Table{Name: t("主要原因", "Top root causes"), Headers: []string{t("排名", "Rank"), t("原因", "Root cause"), t("数量", "Count")}}
	for i, c := range a.RootCauses {
		causes.Rows = append(causes.Rows, []any{i + 1, c.Key, c.Count})
	}
	comparison := Table{Name: t("同期对比", "Comparison"), Headers: []string{
		t("对比期", "Compared with"), t("对比期起", "From"), t("对比期止", "To"), t("项目", "Item"),
		t("本期", "This period"), t("对比期", "That period"), t("增减", "Change"), t("增减率", "Change rate"),
	}}
	for _, cp := range []struct {
		zh, en string
		c      Comparison
	}{{"上期", "previous period", a.PreviousPeriod}, {"去年同期", "same period last year", a.LastYear}} {
		c := cp.c
		comparison.Rows = append(comparison.Rows, []any{t(cp.zh, cp.en), c.FromDate, c.ToDate, t("投诉总数", "total"), a.Total, c.Total, c.Delta, percent(c.DeltaShare)})
		for _, d := range c.Categories {
			item := d.Label
			if lang == English {
				item = string(d.Category)
			}
			comparison.Rows = append(comparison.Rows, []any{t(cp.zh, cp.en), c.FromDate, c.ToDate, item, d.Current, d.Other, d.Delta, percent(d.DeltaShare)})
		}
	}
	return []Table{
		summary,
		counts("按投诉类别", "By category", "投诉类别", "Category", a.ByCategory),
		counts("按严重程度", "By severity", "严重程度", "Severity", a.BySeverity),
		counts("按投诉人类别", "By complainant class", "投诉人类别", "Complainant class", a.ByClass),
		counts("按投诉渠道", "By channel", "投诉渠道", "Channel", a.ByChannel),
		counts("按责任部门", "By department", "责任部门", "Department", a.ByDepartment),
		counts("按分公司", "By branch", "分公司", "Branch", a.ByBranch),
		steps, depts, escalations,
		counts("原因类型", "Cause types", "原因类型", "Cause type", a.CauseTypes),
		causes, comparison,
	}
}

// WriteCSV writes the tables one after another, each under its name and
// followed by an empty line, as UTF-8 with a byte-order mark so that Excel
// reads the Chinese correctly. Text cells are neutralised against formula
// injection (Neutralise), and a text cell holding a semicolon or a tab is
// quoted as well, so that a spreadsheet splitting on those (a semicolon-list
// locale, a tab-separated import) cannot cut a formula out of it.
func WriteCSV(w io.Writer, tables []Table) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
		return err
	}
	for i, tb := range tables {
		if i > 0 {
			writeCSVRecord(bw, nil)
		}
		writeCSVRecord(bw, []string{Neutralise(tb.Name)})
		headers := make([]string, len(tb.Headers))
		for j, h := range tb.Headers {
			headers[j] = Neutralise(h)
		}
		writeCSVRecord(bw, headers)
		for _, row := range tb.Rows {
			rec := make([]string, len(row))
			for j, v := range row {
				rec[j] = csvCell(v)
			}
			writeCSVRecord(bw, rec)
		}
	}
	return bw.Flush()
}

// writeCSVRecord writes one line as encoding/csv does (comma-separated, LF,
// a field quoted when it holds a comma, a double quote, CR or LF, or begins
// with a space; double quotes doubled), and also quotes a field holding a
// semicolon or a tab. Write errors surface in Flush.
func writeCSVRecord(w *bufio.Writer, rec []string) {
	for i, f := range rec {
		if i > 0 {
			w.WriteByte(',')
		}
		if !csvNeedsQuotes(f) {
			w.WriteString(f)
			continue
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		w.WriteByte('"')
	}
	w.WriteByte('\n')
}

func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` || strings.ContainsAny(f, ",\"\r\n;\t") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// FormulaLike reports whether a spreadsheet could take the text for a
// formula: it begins with =, +, -, @, a tab or a carriage return (OWASP,
// "CSV Injection").
func FormulaLike(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Neutralise makes text that a spreadsheet could take for a formula inert,
// as OWASP recommends: it prefixes a single quote, which spreadsheets read as
// "this cell is text". Other text is returned as it is.
func Neutralise(s string) string {
	if FormulaLike(s) {
		return "'" + s
	}
	return s
}

// isFigure reports whether a cell is a figure (a number type) rather than text.
func isFigure(v any) bool {
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// csvCell writes a cell as CSV text: figures as numbers, text neutralised.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return Neutralise(x)
	case int:
		return strconv.Itoa(x)
	case Number:
		return strconv.FormatFloat(float64(x), 'f', 2, 64)
	case Money:
		return strconv.FormatFloat(float64(x), 'f', 2, 64)
	case Percent:
		return strconv.FormatFloat(float64(x)*100, 'f', 2, 64) + "%"
	}
	if isFigure(v) {
		return fmt.Sprint(v)
	}
	return Neutralise(fmt.Sprint(v))
}

// Excel's built-in number formats used by the workbook.
const (
	fmtTwoDecimals = 2  // 0.00
	fmtThousands2  = 4  // #,##0.00
	fmtPercent2    = 10 // 0.00%
	fmtText        = 49 // @
)

// WriteXLSX writes the tables as a workbook, one sheet each: a bold header
// row, figures as numbers, columns wide enough for their contents.
//
// Text is always a string cell (a shared string, never a formula: excelize
// writes no <f> for SetCellStr, whatever the text begins with), shown as it
// was typed. Text that a spreadsheet could take for a formula (FormulaLike)
// also gets Excel's own "quote prefix" and the Text number format — what
// Excel stores when someone types '=… — so that editing the cell in Excel or
// LibreOffice keeps it text instead of turning it into a live formula.
func WriteXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	header := excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}
	headerText := header
	headerText.NumFmt = fmtText
	styles := map[string]int{}
	for name, st := range map[string]*excelize.Style{
		"header":      &header,
		"header-text": &headerText,
		"number":      {NumFmt: fmtTwoDecimals},
		"money":       {NumFmt: fmtThousands2},
		"percent":     {NumFmt: fmtPercent2},
		"text":        {NumFmt: fmtText},
	} {
		id, err := f.NewStyle(st)
		if err != nil {
			return err
		}
		styles[name] = id
	}
	if err := quotePrefix(f, styles["text"], styles["header-text"]); err != nil {
		return err
	}
	for i, tb := range tables {
		name := sheetName(tb.Name)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		widths := make([]int, len(tb.Headers))
		for j, h := range tb.Headers {
			cell, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := f.SetCellStr(name, cell, h); err != nil {
				return err
			}
			widths[j] = max(widths[j], displayWidth(h))
		}
		if len(tb.Headers) > 0 {
			last, _ := excelize.CoordinatesToCellName(len(tb.Headers), 1)
			if err := f.SetCellStyle(name, "A1", last, styles["header"]); err != nil {
				return err
			}
		}
		for j, h := range tb.Headers {
			if FormulaLike(h) {
				cell, _ := excelize.CoordinatesToCellName(j+1, 1)
				if err := f.SetCellStyle(name, cell, cell, styles["header-text"]); err != nil {
					return err
				}
			}
		}
		for r, row := range tb.Rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, r+2)
				var err error
				style := 0
				switch x := v.(type) {
				case nil:
					continue
				case Number:
					err, style = f.SetCellFloat(name, cell, float64(x), -1, 64), styles["number"]
				case Money:
					err, style = f.SetCellFloat(name, cell, float64(x), -1, 64), styles["money"]
				case Percent:
					err, style = f.SetCellFloat(name, cell, float64(x), -1, 64), styles["percent"]
				case int:
					err = f.SetCellInt(name, cell, int64(x))
				default:
					err = setOtherCell(f, name, cell, x)
					if !isFigure(x) && FormulaLike(fmt.Sprint(x)) {
						style = styles["text"]
					}
				}
				if err == nil && style != 0 {
					err = f.SetCellStyle(name, cell, cell, style)
				}
				if err != nil {
					return err
				}
				if j < len(widths) {
					widths[j] = max(widths[j], displayWidth(csvCell(v)))
				}
			}
		}
		for j, wd := range widths {
			col, _ := excelize.ColumnNumberToName(j + 1)
			if err := f.SetColWidth(name, col, col, float64(min(max(wd+2, 8), 60))); err != nil {
				return err
			}
		}
		if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// setOtherCell writes a cell of any other type: another number type as a
// number, anything else as text (a string cell, never a formula).
func setOtherCell(f *excelize.File, sheet, cell string, v any) error {
	rv := reflect.ValueOf(v)
	switch {
	case !isFigure(v):
		return f.SetCellStr(sheet, cell, fmt.Sprint(v))
	case rv.CanInt():
		return f.SetCellInt(sheet, cell, rv.Int())
	case rv.CanUint():
		return f.SetCellValue(sheet, cell, rv.Uint())
	}
	return f.SetCellFloat(sheet, cell, rv.Float(), -1, 64)
}

// quotePrefix sets Excel's quotePrefix flag on the cell formats (xf) of the
// given styles: the cell is text typed with a leading apostrophe, which Excel
// does not show and does not store in the text. excelize's Style has no field
// for it, so it is set on the workbook's style sheet directly.
func quotePrefix(f *excelize.File, ids ...int) error {
	if f.Styles == nil || f.Styles.CellXfs == nil {
		return fmt.Errorf("write the workbook: no cell formats to mark")
	}
	yes := true
	for _, id := range ids {
		if id < 0 || id >= len(f.Styles.CellXfs.Xf) {
			return fmt.Errorf("write the workbook: no cell format %d", id)
		}
		f.Styles.CellXfs.Xf[id].QuotePrefix = &yes
	}
	return nil
}

// sheetName fits Excel's rules: at most 31 characters, none of []:*?/\.
func sheetName(s string) string {
	out := make([]rune, 0, 31)
	for _, r := range s {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = '_'
		}
		if len(out) == 31 {
			break
		}
		out = append(out, r)
	}
	return string(out)
}

// displayWidth counts East Asian characters as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && utf8.RuneLen(r) >= 3 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
