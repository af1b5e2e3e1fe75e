package assessment

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
)

func ratings(cycle string, n, sat int) []DimensionRating {
	return []DimensionRating{{CycleID: cycle, Dimension: "delivery", Count: n, Satisfied: sat}}
}

func TestMonthlyFoundedAndMajorComplaints(t *testing.T) {
	r := DefaultRules()
	s := r.Monthly(MonthInput{
		Department: "engineering", Month: "2026-03",
		// standards: (18 + 27) of (20 + 30) = 45/50 × 50 = 45
		Checks: []AuditCheck{{ID: "k1", Item: "a", Earned: 18, Possible: 20}, {ID: "k2", Item: "b", Earned: 27, Possible: 30}},
		// survey: 19 of 20 satisfied = 95 % → 20 points; not below 95 %: no head penalty
		Ratings: ratings("cy1", 20, 19),
		// complaints: 30 − 1 founded × 6 − 1 major × 12 = 12; the not founded
		// one and the not founded major one cost nothing
		Complaints: []ComplaintFact{
			{ID: "c1", Number: "TS-1", Severity: complaint.SeverityGeneral, Founded: true},
			{ID: "c2", Number: "TS-2", Severity: complaint.SeverityMajor, Founded: true},
			{ID: "c3", Number: "TS-3", Severity: complaint.SeveritySlight, Founded: false},
			{ID: "c4", Number: "TS-4", Severity: complaint.SeverityExtraordinary, Founded: false},
		},
	})
	require.Equal(t, 45.0, s.Standards.Points)
	require.Equal(t, 20.0, s.Survey.Points)
	require.Equal(t, 12.0, s.Complaints.Points)
	// 45 + 20 + 12 = 77 of 100 → fail
	require.Equal(t, 77.0, s.Score)
	require.Equal(t, "fail", s.Rating)
	require.Equal(t, 0.0, s.HeadPenalty.Points)
	require.Equal(t, []Evidence{{"audit_check", "k1", "a"}, {"audit_check", "k2", "b"}}, s.Standards.Evidence)
	require.Equal(t, []Evidence{{"survey_cycle", "cy1", ""}}, s.Survey.Evidence)
	require.Equal(t, []Evidence{{"complaint", "c1", "TS-1"}, {"complaint", "c2", "TS-2"}}, s.Complaints.Evidence)
}

func TestMonthlyFloorsAndExtraordinary(t *testing.T) {
	// complaints: 30 − 12 (extraordinary) − 12 (major) − 6 = 0; one more
	// founded complaint would be −6 but the part stops at 0.
	s := DefaultRules().Monthly(MonthInput{Complaints: []ComplaintFact{
		{ID: "1", Severity: complaint.SeverityExtraordinary, Founded: true},
		{ID: "2", Severity: complaint.SeverityMajor, Founded: true},
		{ID: "3", Severity: complaint.SeveritySerious, Founded: true},
		{ID: "4", Severity: complaint.SeverityNone, Founded: true},
	}})
	require.Equal(t, 0.0, s.Complaints.Points)
	require.Len(t, s.Complaints.Evidence, 4)
	// Only the complaints part is measured: 0 of 30 → 0.
	require.Equal(t, 0.0, s.Score)
	require.False(t, s.Standards.Measured)
	require.False(t, s.Survey.Measured)
	require.Nil(t, s.SatisfactionRate)
}

func TestMonthlyRatingBoundaries(t *testing.T) {
	r := DefaultRules()
	cases := []struct {
		name            string
		earned          float64
		n, sat          int
		score           float64
		rating          string
		headPenaltyLost float64
	}{
		// 50 × 45/50 = 45; 19/20 = 95 % → 20; no complaint 30: 95 exactly → excellent
		{"95 is excellent", 45, 20, 19, 95, "excellent", 0},
		// 44.9 of 50 → 44.9 + 20 + 30 = 94.9 → pass
		{"94.9 is pass", 44.9, 20, 19, 94.9, "pass", 0},
		// 40 + 20 + 30 = 90 → pass
		{"90 is pass", 40, 20, 19, 90, "pass", 0},
		// 18/20 = 90 % → 16 points, below 95 %: head loses 2; 44 + 16 + 30 = 90 → pass
		{"90 % rate", 44, 20, 18, 90, "pass", -2},
		// 15/20 = 75 % → 12; 47.9 + 12 + 30 = 89.9 → fail
		{"89.9 is fail", 47.9, 20, 15, 89.9, "fail", -2},
		// 12/20 = 60 % → 8; 11/20 = 55 % → 4
		{"60 %", 50, 20, 12, 88, "fail", -2},
		{"55 %", 50, 20, 11, 84, "fail", -2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := r.Monthly(MonthInput{Checks: []AuditCheck{{ID: "k", Earned: c.earned, Possible: 50}}, Ratings: ratings("cy", c.n, c.sat)})
			require.InDelta(t, c.score, s.Score, 1e-9)
			require.Equal(t, c.rating, s.Rating)
			require.Equal(t, c.headPenaltyLost, s.HeadPenalty.Points)
		})
	}
}

func TestMonthlyUnmeasuredPartsAreScaled(t *testing.T) {
	// No survey: standards 40 of 50 and complaints 24 of 30 → 64 of 80 = 80.
	s := DefaultRules().Monthly(MonthInput{
		Checks:     []AuditCheck{{ID: "k", Earned: 8, Possible: 10}},
		Complaints: []ComplaintFact{{ID: "c", Severity: complaint.SeveritySlight, Founded: true}},
	})
	require.Equal(t, 80.0, s.Score)
	require.Equal(t, "no satisfaction rate this month", s.HeadPenalty.Basis)

	// A configurable head penalty and threshold.
	r := DefaultRules()
	r.HeadPenalty, r.SatisfactionThreshold = 5, 0.9
	s = r.Monthly(MonthInput{Ratings: ratings("cy", 10, 8)}) // 80 % < 90 %
	require.Equal(t, -5.0, s.HeadPenalty.Points)
}

func TestYearlyCaps(t *testing.T) {
	r := DefaultRules()
	// satisfaction work 0.6 + 0.7 = 1.3 → capped at 1; 3 awards × 0.5 = 1.5 →
	// capped at 1; bonus 2. 5 major complaints × −0.5 = −2.5 → capped at −2;
	// a founded general complaint and a not founded major one do not count. Total 0.
	var cs []ComplaintFact
	for i := range 5 {
		cs = append(cs, ComplaintFact{ID: string(rune('a' + i)), Severity: complaint.SeverityMajor, Founded: true})
	}
	cs = append(cs, ComplaintFact{ID: "g", Severity: complaint.SeverityGeneral, Founded: true},
		ComplaintFact{ID: "n", Severity: complaint.SeverityExtraordinary, Founded: false})
	y := r.Yearly(YearInput{Year: 2026, Credits: []AssessmentCredit{
		{ID: "w1", Kind: CreditSatisfactionWork, Points: 0.6}, {ID: "w2", Kind: CreditSatisfactionWork, Points: 0.7},
		{ID: "a1", Kind: CreditCustomerAward}, {ID: "a2", Kind: CreditCustomerAward}, {ID: "a3", Kind: CreditCustomerAward},
	}, Complaints: cs})
	require.Equal(t, 1.0, y.SatisfactionWork.Points)
	require.Equal(t, 1.0, y.Awards.Points)
	require.Equal(t, 2.0, y.Bonus.Points)
	require.Equal(t, -2.0, y.MajorComplaint.Points)
	require.Len(t, y.MajorComplaint.Evidence, 5)
	require.Len(t, y.Bonus.Evidence, 5)
	require.Equal(t, 0.0, y.Total)

	// One award (0.5), work 0.3, one major complaint (−0.5): 0.8 − 0.5 = 0.3.
	y = r.Yearly(YearInput{Credits: []AssessmentCredit{{ID: "w", Kind: CreditSatisfactionWork, Points: 0.3}, {ID: "a", Kind: CreditCustomerAward}},
		Complaints: []ComplaintFact{{ID: "m", Severity: complaint.SeverityMajor, Founded: true}}})
	require.Equal(t, 0.8, y.Bonus.Points)
	require.Equal(t, 0.3, y.Total)
}

func TestValidate(t *testing.T) {
	ok := AuditCheck{Department: "d", Month: "2026-03", Item: "i", Earned: 5, Possible: 5}
	require.NoError(t, ok.Validate())
	for field, c := range map[string]AuditCheck{
		"department": {Month: "2026-03", Item: "i", Possible: 1},
		"month":      {Department: "d", Month: "2026-13", Item: "i", Possible: 1},
		"item":       {Department: "d", Month: "2026-03", Possible: 1},
		"possible":   {Department: "d", Month: "2026-03", Item: "i"},
		"earned":     {Department: "d", Month: "2026-03", Item: "i", Earned: 2, Possible: 1},
	} {
		var fe *FieldError
		require.ErrorAs(t, c.Validate(), &fe)
		require.Equal(t, field, fe.Field)
	}
	r := DefaultRules()
	require.NoError(t, AssessmentCredit{Department: "d", Year: 2026, Kind: CreditCustomerAward, Reason: "r"}.Validate(r))
	for field, c := range map[string]AssessmentCredit{
		"kind":   {Department: "d", Year: 2026, Kind: "x", Reason: "r"},
		"points": {Department: "d", Year: 2026, Kind: CreditSatisfactionWork, Points: 1.5, Reason: "r"},
		"reason": {Department: "d", Year: 2026, Kind: CreditCustomerAward},
		"year":   {Department: "d", Kind: CreditCustomerAward, Reason: "r"},
	} {
		var fe *FieldError
		require.ErrorAs(t, c.Validate(r), &fe)
		require.Equal(t, field, fe.Field)
	}
}
