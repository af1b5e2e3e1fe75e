package survey

import (
	"fmt"
	"maps"
	"slices"

	"github.com/cxflow/cxflow/validate"
)

// Answer is one returned questionnaire (回收的调查表), as statistics need it. Who
// answered, when and who surveyed (000) belong to the cycle's record, not here.
type Answer struct {
	// CustomerID is empty when the questionnaire is anonymous.
	CustomerID string `json:"customer_id,omitempty"`
	// Segment and Tier are copied from the customer when the answer is by
	// name, or given by the respondent when it is anonymous; they drive the
	// breakdowns and may be empty.
	Segment string `json:"segment,omitempty"`
	Tier    Tier   `json:"tier,omitempty"`
	// Ratings maps a dimension code to a level code; a dimension left blank
	// is absent, not rated as the worst level.
	Ratings map[string]string `json:"ratings"`
	// Recommend is 0–10 when the questionnaire asks and the customer answered.
	Recommend *int `json:"recommend,omitempty"`
	// Competitor rates the main competitor on the same dimensions and scale.
	Competitor map[string]string `json:"competitor,omitempty"`
	Comment    string            `json:"comment,omitempty"`
}

// ValidateAnswer checks an answer against the questionnaire it answers, so
// statistics never meet an unknown dimension or level.
func (q Questionnaire) ValidateAnswer(a Answer) error {
	if q.Anonymous {
		// The promise of anonymity is kept by never storing who it was.
		if a.CustomerID != "" {
			return fieldErr("customer_id", "must be empty: the questionnaire is anonymous")
		}
	} else if err := required("customer_id", a.CustomerID, maxIDLen); err != nil {
		return err
	}
	if a.Tier != "" && !slices.Contains(Tiers, a.Tier) {
		return validate.Choice("tier", Tiers)
	}
	if err := firstErr(optional("segment", a.Segment, maxShortText), optional("comment", a.Comment, maxLongText)); err != nil {
		return err
	}
	if err := q.checkRatings("ratings", a.Ratings); err != nil {
		return err
	}
	if a.Recommend != nil {
		if !q.AskRecommend {
			return fieldErr("recommend", "is not asked by this questionnaire")
		}
		if *a.Recommend < 0 || *a.Recommend > 10 {
			return fieldErr("recommend", "must be between 0 and 10")
		}
	}
	if len(a.Competitor) > 0 && !q.AskCompetitor {
		return fieldErr("competitor", "is not asked by this questionnaire")
	}
	return q.checkRatings("competitor", a.Competitor)
}

func (q Questionnaire) checkRatings(field string, ratings map[string]string) error {
	// Dimensions in the questionnaire's order, so the error reported is the
	// same on every run.
	for _, d := range q.Dimensions {
		level, ok := ratings[d.Code]
		if ok && !slices.Contains(levelCodes(q.Scale), level) {
			return validate.OneOf(fmt.Sprintf("%s.%s", field, d.Code), levelCodes(q.Scale)...)
		}
	}
	for _, code := range slices.Sorted(maps.Keys(ratings)) {
		if _, ok := q.Dimension(code); !ok {
			return fieldErr(fmt.Sprintf("%s.%s", field, code), "is not a dimension of this questionnaire")
		}
	}
	return nil
}

func levelCodes(s Scale) []string {
	out := make([]string, len(s.Levels))
	for i, l := range s.Levels {
		out[i] = l.Code
	}
	return out
}
