package survey

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

const eps = 1e-9

func requireValue(t *testing.T, want float64, got *float64, msg string) {
	t.Helper()
	require.NotNil(t, got, msg)
	require.InDelta(t, want, *got, eps, msg)
}

// threeDimensions rates quality and delivery; nobody rates price.
func threeDimensions() Questionnaire {
	return Questionnaire{
		Dimensions: []Dimension{
			{"quality", "产品质量", "quality"},
			{"delivery", "交货期", "sales"},
			{"price", "价格", "market"},
		},
		Scale:         DefaultScale(),
		AskRecommend:  true,
		AskCompetitor: true,
	}
}

// fourAnswers on the 100/80/60/30/0 scale:
//
//	answer  customer segment      tier  quality  delivery  recommend  competitor quality
//	0       C1       device       A     100      80        10         80
//	1       C2       device       B     80       60        8          60
//	2       C3       engineering  A     30       0         3          -
//	3       C4       engineering  -     80       -         -          -
func fourAnswers() []Answer {
	r := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	return []Answer{
		{CustomerID: "C1", Segment: "device", Tier: TierA, Ratings: r("quality", LevelVerySatisfied, "delivery", LevelSatisfied),
			Recommend: ptr(10), Competitor: r("quality", LevelSatisfied)},
		{CustomerID: "C2", Segment: "device", Tier: TierB, Ratings: r("quality", LevelSatisfied, "delivery", LevelNeutral),
			Recommend: ptr(8), Competitor: r("quality", LevelNeutral)},
		{CustomerID: "C3", Segment: "engineering", Tier: TierA, Ratings: r("quality", LevelDissatisfied, "delivery", LevelVeryDissatisfied),
			Recommend: ptr(3), Comment: "交货总是拖延"},
		{CustomerID: "C4", Segment: "engineering", Ratings: r("quality", LevelSatisfied)},
	}
}

func TestStatsHandComputed(t *testing.T) {
	s, err := ComputeStats(StatsInput{
		Questionnaire: threeDimensions(), Targets: DefaultTargets(),
		Population: 6, Issued: 5, Answers: fourAnswers(),
	})
	require.NoError(t, err)

	// Issued 5 of 6 customers = 0.8333 ≥ 0.8; returned 4 of 5 = 0.8 ≥ 0.7.
	require.Equal(t, 5, s.IssuedRate.Count)
	require.Equal(t, 6, s.IssuedRate.Of)
	requireValue(t, 5.0/6, s.IssuedRate.Rate, "issued rate")
	require.True(t, s.IssuedRate.Met)
	requireValue(t, 0.8, s.ReturnRate.Rate, "return rate")
	require.Equal(t, 0.7, s.ReturnRate.Target)
	require.True(t, s.ReturnRate.Met)
	require.Equal(t, 4, s.Answers)

	// quality: 100, 80, 30, 80 → 290 / 4 = 72.5; satisfied 3 of 4; one 不满意.
	q := s.Dimensions[0]
	require.Equal(t, "quality", q.Code)
	require.Equal(t, 4, q.Count)
	requireValue(t, 72.5, q.Average, "quality average")
	requireValue(t, 0.75, q.SatisfactionRate, "quality satisfaction")
	require.Equal(t, 3, q.SatisfiedCount)
	require.Equal(t, 1, q.DissatisfiedCount)
	require.Equal(t, []LevelCount{
		{LevelVerySatisfied, "很满意", 1}, {LevelSatisfied, "满意", 2}, {LevelNeutral, "一般", 0},
		{LevelDissatisfied, "不满意", 1}, {LevelVeryDissatisfied, "很不满意", 0},
	}, q.Levels)
	// Competitor quality: 80, 60 → 70; we lead by 72.5 − 70 = 2.5.
	require.Equal(t, 2, q.Competitor.Count)
	requireValue(t, 70, q.Competitor.Average, "competitor average")
	requireValue(t, 2.5, q.Competitor.Difference, "competitor difference")

	// delivery: 80, 60, 0 → 140 / 3 = 46.667; satisfied 1 of 3; one 很不满意.
	d := s.Dimensions[1]
	require.Equal(t, 3, d.Count)
	requireValue(t, 140.0/3, d.Average, "delivery average")
	requireValue(t, 1.0/3, d.SatisfactionRate, "delivery satisfaction")
	require.Equal(t, 1, d.DissatisfiedCount)
	require.Equal(t, 0, d.Competitor.Count)
	require.Nil(t, d.Competitor.Average, "nobody rated the competitor's delivery")
	require.Nil(t, d.Competitor.Difference)

	// price: nobody rated it: count 0 and no average, not 0 and not NaN.
	p := s.Dimensions[2]
	require.Equal(t, 0, p.Count)
	require.Nil(t, p.Average)
	require.Nil(t, p.SatisfactionRate)
	require.Nil(t, p.Delta)

	// Overall: 7 ratings, 290 + 140 = 430 → 61.4286; satisfied 3 + 1 = 4 of 7.
	require.Equal(t, 7, s.Ratings)
	requireValue(t, 430.0/7, s.Index, "index")
	requireValue(t, 4.0/7, s.SatisfactionRate, "overall satisfaction")

	// NPS: 3 answered: one promoter (10), one passive (8), one detractor (3):
	// 100 × (1 − 1) / 3 = 0.
	require.Equal(t, &NPS{Count: 3, Promoters: 1, Passives: 1, Detractors: 1, Score: 0}, s.NPS)

	// Segments: device has 100, 80, 80, 60 → 80, satisfied 3 of 4;
	// engineering has 30, 0, 80 → 36.667, satisfied 1 of 3.
	require.Len(t, s.BySegment, 2)
	require.Equal(t, "device", s.BySegment[0].Key)
	require.Equal(t, 2, s.BySegment[0].Answers)
	require.Equal(t, 4, s.BySegment[0].Ratings)
	requireValue(t, 80, s.BySegment[0].Index, "device index")
	requireValue(t, 0.75, s.BySegment[0].SatisfactionRate, "device satisfaction")
	require.Equal(t, "engineering", s.BySegment[1].Key)
	requireValue(t, 110.0/3, s.BySegment[1].Index, "engineering index")
	requireValue(t, 1.0/3, s.BySegment[1].SatisfactionRate, "engineering satisfaction")

	// Tiers: A has 100, 80, 30, 0 → 52.5, satisfied 2 of 4; B has 80, 60 → 70,
	// 1 of 2; the answer without a tier comes last: 80, 1 of 1.
	require.Len(t, s.ByTier, 3)
	require.Equal(t, []string{"A", "B", ""}, []string{s.ByTier[0].Key, s.ByTier[1].Key, s.ByTier[2].Key})
	requireValue(t, 52.5, s.ByTier[0].Index, "tier A index")
	requireValue(t, 0.5, s.ByTier[0].SatisfactionRate, "tier A satisfaction")
	requireValue(t, 70, s.ByTier[1].Index, "tier B index")
	requireValue(t, 80, s.ByTier[2].Index, "no tier index")
	require.Equal(t, 1, s.ByTier[2].Answers)

	// Both of C3's poor ratings go to the owners of their dimensions.
	require.Equal(t, []Dissatisfaction{
		{Answer: 2, CustomerID: "C3", Dimension: "quality", DimensionName: "产品质量", OwnerDepartment: "quality",
			Level: LevelDissatisfied, LevelLabel: "不满意", Score: 30, Comment: "交货总是拖延"},
		{Answer: 2, CustomerID: "C3", Dimension: "delivery", DimensionName: "交货期", OwnerDepartment: "sales",
			Level: LevelVeryDissatisfied, LevelLabel: "很不满意", Score: 0, Comment: "交货总是拖延"},
	}, s.Dissatisfied)

	// No previous cycle, no trend.
	require.Nil(t, s.IndexDelta)
	require.Nil(t, q.Delta)

	// No NaN anywhere: the JSON encodes, and the unrated dimension says null.
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.Contains(t, string(b), `"code":"price","name":"价格","owner_department":"market","count":0,"average":null`)
}

func TestStatsTrendAgainstPreviousCycle(t *testing.T) {
	// Last cycle: index 65, quality 70, delivery 50, price 60, NPS 10.
	previous := &Stats{
		Scale: ScaleQP17,
		Index: ptr(65.0),
		Dimensions: []DimensionStats{
			{Code: "quality", Count: 5, Average: ptr(70.0)},
			{Code: "delivery", Count: 5, Average: ptr(50.0)},
			{Code: "price", Count: 5, Average: ptr(60.0)},
		},
		NPS: &NPS{Count: 5, Score: 10},
	}
	// Round-trip it, as the workflow will hand it over.
	b, err := json.Marshal(previous)
	require.NoError(t, err)
	var decoded Stats
	require.NoError(t, json.Unmarshal(b, &decoded))

	s, err := ComputeStats(StatsInput{
		Questionnaire: threeDimensions(), Targets: DefaultTargets(),
		Population: 6, Issued: 5, Answers: fourAnswers(), Previous: &decoded,
	})
	require.NoError(t, err)
	// index 61.4286 − 65 = −3.5714
	requireValue(t, 430.0/7-65, s.IndexDelta, "index delta")
	// quality 72.5 − 70 = +2.5; delivery 46.667 − 50 = −3.333
	requireValue(t, 2.5, s.Dimensions[0].Delta, "quality delta")
	requireValue(t, 70, s.Dimensions[0].PreviousAverage, "quality previous")
	requireValue(t, 140.0/3-50, s.Dimensions[1].Delta, "delivery delta")
	// price was rated last time but not now: the previous average shows, no delta.
	requireValue(t, 60, s.Dimensions[2].PreviousAverage, "price previous")
	require.Nil(t, s.Dimensions[2].Delta)
	// NPS 0 − 10 = −10
	requireValue(t, -10, s.NPS.Delta, "NPS delta")
}

func TestStatsAnonymousAnswers(t *testing.T) {
	q := Questionnaire{
		Dimensions: []Dimension{{"pay", "薪酬", "hr"}, {"canteen", "食堂", "admin"}},
		Scale:      EmployeeScale(),
		Anonymous:  true,
	}
	// pay: 10, 3 → 6.5, satisfied 1 of 2, one 不满意; canteen: 5 (不确定) → 5,
	// satisfied 0 of 1, and not sure is no complaint.
	answers := []Answer{
		{Segment: "workshop", Ratings: map[string]string{"pay": LevelVerySatisfied, "canteen": LevelNotSure}},
		{Ratings: map[string]string{"pay": LevelDissatisfied}, Comment: "加班费算错"},
	}
	s, err := ComputeStats(StatsInput{Questionnaire: q, Targets: DefaultTargets(), Population: 2, Issued: 2, Answers: answers})
	require.NoError(t, err)
	requireValue(t, 6.5, s.Dimensions[0].Average, "pay")
	requireValue(t, 0.5, s.Dimensions[0].SatisfactionRate, "pay satisfaction")
	requireValue(t, 5, s.Dimensions[1].Average, "canteen")
	require.Equal(t, 0, s.Dimensions[1].DissatisfiedCount)
	require.Nil(t, s.NPS, "not asked")
	// The poor rating reaches its owner without a name; the answer index finds it.
	require.Equal(t, []Dissatisfaction{{Answer: 1, Dimension: "pay", DimensionName: "薪酬", OwnerDepartment: "hr",
		Level: LevelDissatisfied, LevelLabel: "不满意", Score: 3, Comment: "加班费算错"}}, s.Dissatisfied)
	// Anonymous answers without a segment are grouped under "", last.
	require.Equal(t, []string{"workshop", ""}, []string{s.BySegment[0].Key, s.BySegment[1].Key})

	// An anonymous questionnaire refuses an answer that names its author.
	answers[0].CustomerID = "E1"
	_, err = ComputeStats(StatsInput{Questionnaire: q, Targets: DefaultTargets(), Issued: 2, Answers: answers})
	requireField(t, err, "answers[0].customer_id")
}

func TestStatsTwentyPointScale(t *testing.T) {
	q := Questionnaire{Dimensions: []Dimension{{"service", "服务", "after-sales"}}, Scale: AssessmentScale(), AskRecommend: true}
	// 20, 16, 12, 8 → 56 / 4 = 14; satisfied (20, 16) 2 of 4; dissatisfied
	// (8, 4) 1. Recommend: promoters 9, 10; passive 7; detractors 6, 0 →
	// 100 × (2 − 2) / 5 = 0.
	answers := []Answer{
		{CustomerID: "A", Ratings: map[string]string{"service": LevelVerySatisfied}, Recommend: ptr(9)},
		{CustomerID: "B", Ratings: map[string]string{"service": LevelSatisfied}, Recommend: ptr(10)},
		{CustomerID: "C", Ratings: map[string]string{"service": LevelNeutral}, Recommend: ptr(6)},
		{CustomerID: "D", Ratings: map[string]string{"service": LevelDissatisfied}, Recommend: ptr(7)},
		{CustomerID: "E", Recommend: ptr(0)}, // answered only the recommend question
	}
	// A previous cycle on the 100-point scale cannot be compared with this one.
	previous := &Stats{Scale: ScaleQP17, Index: ptr(90.0), Dimensions: []DimensionStats{{Code: "service", Average: ptr(90.0)}}}
	s, err := ComputeStats(StatsInput{Questionnaire: q, Targets: DefaultTargets(), Population: 10, Issued: 7, Answers: answers, Previous: previous})
	require.NoError(t, err)
	require.Equal(t, ScaleAssessment, s.Scale)
	require.Equal(t, 4, s.Dimensions[0].Count)
	requireValue(t, 14, s.Dimensions[0].Average, "service")
	requireValue(t, 14, s.Index, "index")
	requireValue(t, 0.5, s.SatisfactionRate, "satisfaction")
	require.Equal(t, 1, s.Dimensions[0].DissatisfiedCount)
	require.Equal(t, 8.0, s.Dissatisfied[0].Score)
	require.Equal(t, "不太满意", s.Dissatisfied[0].LevelLabel)
	require.Equal(t, &NPS{Count: 5, Promoters: 2, Passives: 1, Detractors: 2, Score: 0}, s.NPS)
	require.Nil(t, s.IndexDelta, "different scale: no trend")
	require.Nil(t, s.Dimensions[0].Delta)
	require.Nil(t, s.Dimensions[0].PreviousAverage)
	// Issued 7 of 10 = 0.7 < 0.8: missed. Returned 5 of 7 = 0.714 ≥ 0.7: met.
	require.False(t, s.IssuedRate.Met)
	require.True(t, s.ReturnRate.Met)
}

func TestStatsRates(t *testing.T) {
	q := DefaultQuestionnaire()
	for _, tc := range []struct {
		name                 string
		population, issued   int
		answers              int
		issuedMet, returnMet bool
		issuedNil, returnNil bool
	}{
		{"return below target", 10, 8, 5, true, false, false, false}, // 8/10 meets 0.8; 5/8 = 0.625 < 0.7
		{"return at 70%", 10, 10, 7, true, true, false, false},       // 7/10 meets 0.7
		{"nothing issued", 10, 0, 0, false, false, false, true},
		{"population not given", 0, 4, 3, false, true, true, false},
	} {
		answers := make([]Answer, tc.answers)
		for i := range answers {
			answers[i] = Answer{CustomerID: "C"}
		}
		s, err := ComputeStats(StatsInput{Questionnaire: q, Targets: DefaultTargets(), Population: tc.population, Issued: tc.issued, Answers: answers})
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.issuedMet, s.IssuedRate.Met, tc.name)
		require.Equal(t, tc.returnMet, s.ReturnRate.Met, tc.name)
		require.Equal(t, tc.issuedNil, s.IssuedRate.Rate == nil, tc.name)
		require.Equal(t, tc.returnNil, s.ReturnRate.Rate == nil, tc.name)
		require.Nil(t, s.Index, "no ratings, no index")
		require.Empty(t, s.Dissatisfied)
	}
}

func TestStatsRejectsBadInput(t *testing.T) {
	good := func() StatsInput {
		return StatsInput{Questionnaire: threeDimensions(), Targets: DefaultTargets(), Population: 6, Issued: 5, Answers: fourAnswers()}
	}
	for _, tc := range []struct {
		field  string
		mutate func(*StatsInput)
	}{
		{"answers[1].ratings.taste", func(in *StatsInput) { in.Answers[1].Ratings["taste"] = LevelSatisfied }},
		{"answers[3].ratings.quality", func(in *StatsInput) { in.Answers[3].Ratings["quality"] = "5" }},
		{"answers[0].recommend", func(in *StatsInput) { in.Answers[0].Recommend = ptr(12) }},
		{"issued", func(in *StatsInput) { in.Issued = -1 }},
		{"population", func(in *StatsInput) { in.Population = -1 }},
		{"targets.return_rate", func(in *StatsInput) { in.Targets.ReturnRate = 70 }},
		{"questionnaire.scale.levels", func(in *StatsInput) { in.Questionnaire.Scale.Levels = nil }},
	} {
		in := good()
		tc.mutate(&in)
		_, err := ComputeStats(in)
		requireField(t, err, tc.field)
	}
}
