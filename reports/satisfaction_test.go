package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/cxflow/cxflow/survey"
)

func f(v float64) *float64 { return &v }

// Two cycles on the 100-point scale:
//
//	cycle A: 10 ratings, index 80, rate 0.7; quality: 4 answers avg 90, 3 satisfied, 0 dissatisfied,
//	         competitor 2 ratings avg 70; service: 6 answers avg 73.33…, 4 satisfied, 1 dissatisfied;
//	         segment device: 3 answers, 10 ratings, index 80, rate 0.7.
//	cycle B: 30 ratings, index 60, rate 0.5; quality: 12 answers avg 50, 6 satisfied, 4 dissatisfied,
//	         competitor 6 ratings avg 90; segment device: 5 answers, 20 ratings, index 55, rate 0.5;
//	         segment "": 2 answers, 10 ratings, index 70, rate 0.5.
//
// Overall: index (80·10 + 60·30) / 40 = 65, rate (0.7·10 + 0.5·30) / 40 = 0.55.
// Quality: average (90·4 + 50·12) / 16 = 60; rate 9 / 16 = 0.5625; dissatisfied 4;
// competitor (70·2 + 90·6) / 8 = 85, difference 60 − 85 = −25.
// Service: only in A: average 73.33…, rate 4/6.
// Segment device: 8 answers, 30 ratings, index (80·10 + 55·20) / 30 = 63.33…, rate (7 + 10) / 30.
func TestBuildSatisfaction(t *testing.T) {
	a := SatisfactionCycle{CycleID: "A", ClosedAt: Date(2026, 2, 1), Stats: survey.Stats{
		Scale: "percent", Answers: 6, Ratings: 10, Index: f(80), SatisfactionRate: f(0.7),
		Dimensions: []survey.DimensionStats{
			{Code: "quality", Name: "产品质量", OwnerDepartment: "quality", Count: 4, Average: f(90), SatisfiedCount: 3,
				Competitor: &survey.CompetitorStats{Count: 2, Average: f(70)}},
			{Code: "service", Name: "服务", OwnerDepartment: "service", Count: 6, Average: f(220.0 / 3), SatisfiedCount: 4, DissatisfiedCount: 1},
		},
		BySegment: []survey.Group{{Key: "device", Answers: 3, Ratings: 10, Index: f(80), SatisfactionRate: f(0.7)}},
	}}
	b := SatisfactionCycle{CycleID: "B", ClosedAt: Date(2026, 5, 1), Stats: survey.Stats{
		Scale: "percent", Answers: 12, Ratings: 30, Index: f(60), SatisfactionRate: f(0.5),
		Dimensions: []survey.DimensionStats{
			{Code: "quality", Name: "产品质量", OwnerDepartment: "quality", Count: 12, Average: f(50), SatisfiedCount: 6, DissatisfiedCount: 4,
				Competitor: &survey.CompetitorStats{Count: 6, Average: f(90)}},
		},
		BySegment: []survey.Group{
			{Key: "device", Answers: 5, Ratings: 20, Index: f(55), SatisfactionRate: f(0.5)},
			{Key: "", Answers: 2, Ratings: 10, Index: f(70), SatisfactionRate: f(0.5)},
		},
	}}
	actions := []SurveyAction{
		{ID: "x1", CycleID: "B", Dimension: "quality", Status: "closed", Resolution: "effective", Effective: true},
		{ID: "x2", CycleID: "A", Dimension: "service", Status: "plan"},
	}
	p := Period{From: Date(2026, 1, 1), To: Date(2026, 7, 1)}
	r := BuildSatisfaction(p, "", []SatisfactionCycle{a, b}, actions)

	require.Equal(t, "2026-06-30", r.ToDate)
	require.Equal(t, 2, r.Cycles)
	require.Equal(t, 18, r.Answers)
	require.Equal(t, []string{"percent"}, r.Scales)
	require.InDelta(t, 65, *r.Index, 1e-9)
	require.InDelta(t, 0.55, *r.SatisfactionRate, 1e-9)

	require.Len(t, r.Dimensions, 2)
	q := r.Dimensions[0]
	require.Equal(t, "quality", q.Code)
	require.Equal(t, 16, q.Count)
	require.InDelta(t, 60, *q.Average, 1e-9)
	require.InDelta(t, 0.5625, *q.SatisfactionRate, 1e-9)
	require.Equal(t, 8, q.CompetitorCount)
	require.InDelta(t, 85, *q.CompetitorAverage, 1e-9)
	require.InDelta(t, -25, *q.CompetitorDifference, 1e-9)
	s := r.Dimensions[1]
	require.InDelta(t, 220.0/3, *s.Average, 1e-9)
	require.InDelta(t, 4.0/6, *s.SatisfactionRate, 1e-9)
	require.Nil(t, s.CompetitorAverage, "nobody rated the competitor's service")

	require.Equal(t, []string{"A", "B"}, []string{r.Trend[0].CycleID, r.Trend[1].CycleID})
	require.InDelta(t, 60, *r.Trend[1].Index, 1e-9)

	require.Len(t, r.BySegment, 2)
	require.Equal(t, "device", r.BySegment[0].Key)
	require.Equal(t, 8, r.BySegment[0].Answers)
	require.Equal(t, 30, r.BySegment[0].Ratings)
	require.InDelta(t, 190.0/3, *r.BySegment[0].Index, 1e-9)
	require.InDelta(t, 17.0/30, *r.BySegment[0].SatisfactionRate, 1e-9)
	require.Empty(t, r.ByTier)

	require.Len(t, r.Factors, 2)
	require.Equal(t, "quality", r.Factors[0].Dimension)
	require.Equal(t, 4, r.Factors[0].Dissatisfied)
	require.Equal(t, 1, r.Factors[0].Effective)
	require.Equal(t, "x2", r.Factors[1].Actions[0].ID)
	require.Equal(t, 0, r.Factors[1].Effective)

	var buf bytes.Buffer
	require.NoError(t, WriteXLSX(&buf, r.Tables(Chinese)))
	x, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	v, _ := x.GetCellValue("各项满意度", "D2", excelize.Options{RawCellValue: true})
	require.Equal(t, "60", v)
}

func TestBuildSatisfactionEmpty(t *testing.T) {
	r := BuildSatisfaction(Period{From: Date(2026, 1, 1), To: Date(2026, 7, 1)}, "", nil, nil)
	require.Nil(t, r.Index)
	require.NotNil(t, r.Dimensions)
	require.NotNil(t, r.Factors)
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, r.Tables(English)))
}

func TestClassifyChurn(t *testing.T) {
	for _, tc := range []struct {
		name      string
		prev, cur *float64
		status    string
		drop      float64
	}{
		// 1,000,000 → 800,000: exactly 20 % down is declined.
		{"exactly 20 %", f(1_000_000), f(800_000), ChurnDeclined, 200_000},
		// 1,000,000 → 800,000.01: 19.999999 % is not.
		{"just under 20 %", f(1_000_000), f(800_000.01), "", 199_999.99},
		// 333.33 → 266.66: drop 66.67, 20 % of 333.33 is 66.666 → 66.67 in cents: declined.
		{"exact in cents", f(333.33), f(266.66), ChurnDeclined, 66.67},
		{"lost: zero", f(500), f(0), ChurnLost, 500},
		{"lost: missing", f(500), nil, ChurnLost, 500},
		{"new customer", nil, f(900), "", 0},
		{"nothing before, nothing now", f(0), f(0), "", 0},
		{"grew", f(100), f(150), "", -50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, drop, _ := ClassifyChurn(tc.prev, tc.cur, DefaultDeclineShare)
			require.Equal(t, tc.status, st)
			require.InDelta(t, tc.drop, drop, 1e-6)
		})
	}
	st, _, share := ClassifyChurn(f(100), f(70), 0.3)
	require.Equal(t, ChurnDeclined, st, "a configured 30 %: 30 down of 100")
	require.InDelta(t, 0.3, share, 1e-9)
}

func TestHalf(t *testing.T) {
	h, ok := ParseHalf("2026h1")
	require.True(t, ok)
	require.Equal(t, "2025H2", h.Previous().String())
	require.Equal(t, "2024H2", h.Previous().Previous().Previous().String())
	require.Equal(t, Date(2026, 7, 1), h.Period().To)
	for _, bad := range []string{"2026H3", "2026", "26H1", ""} {
		_, ok := ParseHalf(bad)
		require.False(t, ok, bad)
	}
}

func TestParseVolumesCSV(t *testing.T) {
	in := "\ufeff客户编号,期间,采购额\n" +
		"C1,2026H1,\"1,200,000\"\n" +
		"C2,2026H1,120万\n" +
		"C3,2026H3,100\n" +
		",2026H1,100\n" +
		"C4,2026H1,-5\n" +
		"C1,2026H1,1000\n" +
		"\n"
	vs, errs, err := ParseVolumesCSV(strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, []Volume{{"C1", "2026H1", 1000}, {"C2", "2026H1", 1_200_000}}, vs, "the later C1 row replaces the first")
	require.Len(t, errs, 3)
	require.Equal(t, 4, errs[0].Line)
	require.Equal(t, "period", errs[0].Field)
	require.Equal(t, "期间", errs[0].Column)
	require.Equal(t, "customer_id", errs[1].Field)
	require.Equal(t, 6, errs[2].Line)
	require.Equal(t, "volume", errs[2].Field)

	_, _, err = ParseVolumesCSV(strings.NewReader("customer_id,period\nC1,2026H1\n"))
	require.ErrorContains(t, err, "volume")
	_, _, err = ParseVolumesCSV(strings.NewReader("customer_id,period,volume,x\n"))
	require.ErrorContains(t, err, "unknown column")
}

func TestNormaliseNameAndScore(t *testing.T) {
	require.Equal(t, "华东电气abc", NormaliseName(" 华东　电气 A b C "))
	s := survey.DefaultScale()
	codes := []string{}
	for _, l := range s.Levels {
		codes = append(codes, l.Code)
	}
	// The top two levels of the default scale score 100 and 80: mean 90.
	sc := AnswerScore(s, map[string]string{"a": codes[0], "b": codes[1], "c": "unknown"})
	require.InDelta(t, (s.Levels[0].Score+s.Levels[1].Score)/2, *sc, 1e-9)
	require.Nil(t, AnswerScore(s, nil))
}
