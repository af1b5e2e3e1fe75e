package survey

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPresetScales(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores []float64
		labels []string
	}{
		{ScaleQP17, []float64{100, 80, 60, 30, 0}, []string{"很满意", "满意", "一般", "不满意", "很不满意"}},
		{ScaleAssessment, []float64{20, 16, 12, 8, 4}, []string{"很满意", "基本满意", "一般", "不太满意", "很不满意"}},
		{ScaleEmployee, []float64{10, 8, 5, 3}, []string{"非常满意", "基本满意但稍不如意", "不确定", "不满意"}},
	} {
		s, ok := PresetScale(tc.name)
		require.True(t, ok, tc.name)
		require.NoError(t, s.Validate(), tc.name)
		require.Equal(t, tc.name, s.Name)
		var scores []float64
		var labels []string
		for _, l := range s.Levels {
			scores, labels = append(scores, l.Score), append(labels, l.Label)
		}
		require.Equal(t, tc.scores, scores, tc.name)
		require.Equal(t, tc.labels, labels, tc.name)
	}
	_, ok := PresetScale("stars")
	require.False(t, ok)
}

func TestSatisfiedAndDissatisfiedLevels(t *testing.T) {
	for _, tc := range []struct {
		scale                   Scale
		level                   string
		satisfied, dissatisfied bool
	}{
		// Top two satisfied, bottom two dissatisfied (002 物业 5.2.2).
		{DefaultScale(), LevelVerySatisfied, true, false},
		{DefaultScale(), LevelSatisfied, true, false},
		{DefaultScale(), LevelNeutral, false, false},
		{DefaultScale(), LevelDissatisfied, false, true},
		{DefaultScale(), LevelVeryDissatisfied, false, true},
		{DefaultScale(), "unknown", false, false},
		// 不确定 on the employee scale is neither.
		{EmployeeScale(), LevelNotSure, false, false},
		{EmployeeScale(), LevelDissatisfied, false, true},
		// Configurable: only 很满意 counts when satisfied_top is 1.
		{func() Scale { s := DefaultScale(); s.SatisfiedTop = 1; return s }(), LevelSatisfied, false, false},
	} {
		require.Equal(t, tc.satisfied, tc.scale.Satisfied(tc.level), "%s %s", tc.scale.Name, tc.level)
		require.Equal(t, tc.dissatisfied, tc.scale.Dissatisfied(tc.level), "%s %s", tc.scale.Name, tc.level)
	}
}

func TestScaleValidationNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		field  string
		mutate func(*Scale)
	}{
		{"name", func(s *Scale) { s.Name = "" }},
		{"levels", func(s *Scale) { s.Levels = s.Levels[:1] }},
		{"levels[1].code", func(s *Scale) { s.Levels[1].Code = "Satisfied" }},
		{"levels[1].code", func(s *Scale) { s.Levels[1].Code = s.Levels[0].Code }},
		{"levels[2].label", func(s *Scale) { s.Levels[2].Label = "" }},
		{"levels[3].score", func(s *Scale) { s.Levels[3].Score = 60 }}, // not below 一般
		{"levels[4].score", func(s *Scale) { s.Levels[4].Score = -1 }},
		{"satisfied_top", func(s *Scale) { s.SatisfiedTop = 0 }},
		{"dissatisfied_bottom", func(s *Scale) { s.DissatisfiedBottom = 0 }},
		{"dissatisfied_bottom", func(s *Scale) { s.SatisfiedTop, s.DissatisfiedBottom = 3, 3 }},
	} {
		s := DefaultScale()
		tc.mutate(&s)
		requireField(t, s.Validate(), tc.field)
	}
}

func TestQuestionnaireValidationNamesTheField(t *testing.T) {
	q := DefaultQuestionnaire()
	require.NoError(t, q.Validate())
	require.Len(t, q.Dimensions, 6)
	d, ok := q.Dimension("product_quality")
	require.True(t, ok)
	require.Equal(t, Dimension{"product_quality", "产品质量", "quality"}, d)

	for _, tc := range []struct {
		field  string
		mutate func(*Questionnaire)
	}{
		{"dimensions", func(q *Questionnaire) { q.Dimensions = nil }},
		{"dimensions[1].code", func(q *Questionnaire) { q.Dimensions[1].Code = "交货期" }},
		{"dimensions[4].code", func(q *Questionnaire) { q.Dimensions[2].Code = "price" }}, // the second price
		{"dimensions[0].name", func(q *Questionnaire) { q.Dimensions[0].Name = " " }},
		{"dimensions[5].owner_department", func(q *Questionnaire) { q.Dimensions[5].OwnerDepartment = "" }},
		{"scale.levels[0].label", func(q *Questionnaire) { q.Scale.Levels[0].Label = "" }},
	} {
		q := DefaultQuestionnaire()
		tc.mutate(&q)
		requireField(t, q.Validate(), tc.field)
	}
}

func TestValidateAnswer(t *testing.T) {
	named := DefaultQuestionnaire()
	anonymous := DefaultQuestionnaire()
	anonymous.Anonymous, anonymous.AskRecommend = true, false
	withCompetitor := DefaultQuestionnaire()
	withCompetitor.AskCompetitor = true

	good := Answer{CustomerID: "C1", Ratings: map[string]string{"price": LevelNeutral}, Recommend: ptr(9)}
	require.NoError(t, named.ValidateAnswer(good))
	require.NoError(t, anonymous.ValidateAnswer(Answer{Ratings: map[string]string{"service": LevelSatisfied}}))
	require.NoError(t, withCompetitor.ValidateAnswer(Answer{CustomerID: "C1", Competitor: map[string]string{"price": LevelSatisfied}}))

	for _, tc := range []struct {
		q     Questionnaire
		a     Answer
		field string
	}{
		{named, Answer{}, "customer_id"},
		{anonymous, Answer{CustomerID: "C1"}, "customer_id"},
		{named, Answer{CustomerID: "C1", Tier: "Z"}, "tier"},
		{named, Answer{CustomerID: "C1", Ratings: map[string]string{"price": "great"}}, "ratings.price"},
		{named, Answer{CustomerID: "C1", Ratings: map[string]string{"taste": LevelSatisfied}}, "ratings.taste"},
		{named, Answer{CustomerID: "C1", Recommend: ptr(11)}, "recommend"},
		{named, Answer{CustomerID: "C1", Recommend: ptr(-1)}, "recommend"},
		{anonymous, Answer{Recommend: ptr(5)}, "recommend"},
		{named, Answer{CustomerID: "C1", Competitor: map[string]string{"price": LevelSatisfied}}, "competitor"},
		{withCompetitor, Answer{CustomerID: "C1", Competitor: map[string]string{"price": "meh"}}, "competitor.price"},
	} {
		requireField(t, tc.q.ValidateAnswer(tc.a), tc.field)
	}
}
