package reports

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func query(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestReportPeriods(t *testing.T) {
	for _, tc := range []struct {
		q        []string
		from, to string // civil dates, to included
	}{
		{[]string{"quarter", "2026Q1"}, "2026-01-01", "2026-03-31"},
		{[]string{"quarter", "2026q4"}, "2026-10-01", "2026-12-31"},
		{[]string{"half", "2026H2"}, "2026-07-01", "2026-12-31"},
		{[]string{"year", "2026"}, "2026-01-01", "2026-12-31"},
		{[]string{"month", "2024-02"}, "2024-02-01", "2024-02-29"},
		{[]string{"from", "2026-03-05", "to", "2026-03-05"}, "2026-03-05", "2026-03-05"},
	} {
		p, err := ParseQuery(query(tc.q...))
		require.NoError(t, err, tc.q)
		require.Equal(t, tc.from, p.FirstDate(), tc.q)
		require.Equal(t, tc.to, p.LastDate(), tc.q)
		require.Equal(t, "2026-03-04T16:00:00Z", Dates(Date(2026, 3, 5), Date(2026, 3, 5)).From.UTC().Format(time.RFC3339),
			"midnight in Shanghai is 16:00 UTC the day before")
	}
	for _, tc := range []struct {
		q     []string
		param string
	}{
		{nil, "quarter"},
		{[]string{"quarter", "2026Q5"}, "quarter"},
		{[]string{"quarter", "26Q1"}, "quarter"},
		{[]string{"half", "2026H3"}, "half"},
		{[]string{"year", "20x6"}, "year"},
		{[]string{"month", "2026-13"}, "month"},
		{[]string{"from", "2026-03-01"}, "to"},
		{[]string{"to", "2026-03-01"}, "from"},
		{[]string{"from", "2026-03-01", "to", "2026-02-28"}, "to"},
		{[]string{"from", "2026-02-30", "to", "2026-03-01"}, "from"},
		{[]string{"quarter", "2026Q1", "year", "2026"}, "year"},
	} {
		_, err := ParseQuery(query(tc.q...))
		var pe *ParamError
		require.True(t, errors.As(err, &pe), "%v: %v", tc.q, err)
		require.Equal(t, tc.param, pe.Param, "%v: %v", tc.q, err)
	}

	q1 := Quarter(2026, 1)
	require.Equal(t, Quarter(2025, 4), q1.Previous(), "the quarter before, though 92 days long")
	require.Equal(t, Quarter(2025, 1), q1.LastYear())
	days := Dates(Date(2026, 3, 1), Date(2026, 3, 10)) // 10 days
	require.Equal(t, Dates(Date(2026, 2, 19), Date(2026, 2, 28)), days.Previous())
	require.Equal(t, Dates(Date(2025, 3, 1), Date(2025, 3, 10)), days.LastYear())
	half := Period{From: Date(2026, 1, 1), To: Date(2026, 7, 1), Branch: "b"}
	require.Equal(t, Period{From: Date(2025, 7, 1), To: Date(2026, 1, 1), Branch: "b"}, half.Previous())
}

func sample() ComplaintAnalysis {
	a := ComplaintAnalysis{Period: Quarter(2026, 1), Total: 4, Founded: 3, NotFounded: 1, Reopened: 1, Reopenings: 2, DirectLoss: 26234.56}
	a.ByCategory = Ordered([]string{"service_product", "service_quality", "contract"},
		map[string]int{"service_quality": 2, "contract": 2}, CategoryLabel, a.Total)
	a.Steps = []StepFigures{{Step: "validation", Label: "判定投诉", Completed: 4, MedianHours: Hours(3), P90Hours: Hours(6.8), WithinSLA: 3, Compliance: Ratio(3, 4)}}
	a.RootCauses = ByCount(map[string]int{"施工质量": 2}, func(k string) string { return k }, 0)
	a.PreviousPeriod = Compare(&a, a.Previous(), 2, map[string]int{"service_product": 1, "contract": 1})
	a.LastYear = Compare(&a, a.Period.LastYear(), 0, nil)
	a.Finish()
	return a
}

func TestReportExports(t *testing.T) {
	a := sample()
	require.Equal(t, 0.25, *a.NotFoundedShare)
	require.Equal(t, -1, a.PreviousPeriod.Categories[0].Delta)

	var csvOut bytes.Buffer
	require.NoError(t, WriteCSV(&csvOut, a.Tables(Chinese)))
	require.True(t, bytes.HasPrefix(csvOut.Bytes(), []byte{0xEF, 0xBB, 0xBF}), "UTF-8 with a BOM")
	text := csvOut.String()
	require.Contains(t, text, "概要\n指标,数值\n起始日期,2026-01-01\n截止日期,2026-03-31\n")
	require.Contains(t, text, "不成立占比,25.00%\n")
	require.Contains(t, text, "服务质量投诉,2,50.00%\n")
	require.Contains(t, text, "判定投诉,4,3.00,6.80,3,75.00%\n")

	for _, lang := range []Language{Chinese, English} {
		var out bytes.Buffer
		require.NoError(t, WriteXLSX(&out, a.Tables(lang)))
		f, err := excelize.OpenReader(&out)
		require.NoError(t, err)
		sheets := f.GetSheetList()
		require.Len(t, sheets, 13)
		steps := sheets[7]
		if lang == Chinese {
			require.Equal(t, "环节用时", steps)
			h, _ := f.GetCellValue(steps, "C1")
			require.Equal(t, "用时中位数（小时）", h)
		} else {
			require.Equal(t, "Step times", steps)
			h, _ := f.GetCellValue(steps, "C1")
			require.Equal(t, "Median (hours)", h)
		}
		for cell, want := range map[string]string{"B2": "4", "C2": "3", "D2": "6.8", "F2": "0.75"} {
			typ, err := f.GetCellType(steps, cell)
			require.NoError(t, err)
			// No t attribute, or t="n": a number (text would be a shared or inline string).
			require.Contains(t, []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}, typ, cell)
			v, _ := f.GetCellValue(steps, cell, excelize.Options{RawCellValue: true})
			require.Equal(t, want, v, cell)
		}
		typ, _ := f.GetCellType(steps, "A2")
		require.Contains(t, []excelize.CellType{excelize.CellTypeSharedString, excelize.CellTypeInlineString}, typ, "labels are text")
		shown, _ := f.GetCellValue(steps, "F2")
		require.Equal(t, "75.00%", shown)
		style, _ := f.GetCellStyle(steps, "A1")
		st, err := f.GetStyle(style)
		require.NoError(t, err)
		require.True(t, st.Font != nil && st.Font.Bold, "bold headers")
		w, err := f.GetColWidth(steps, "C")
		require.NoError(t, err)
		require.Greater(t, w, 10.0)
		require.NoError(t, f.Close())
	}
	require.Equal(t, "a_b", sheetName("a/b"))
	require.Len(t, []rune(sheetName(strings.Repeat("长", 40))), 31)
}
