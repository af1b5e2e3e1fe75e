package survey

import (
	"fmt"
	"sort"
)

// StatsInput is what a closed cycle knows: how many were asked, what came
// back, and the previous cycle's statistics for the trend (004 §5.3.1.6).
type StatsInput struct {
	Questionnaire Questionnaire `json:"questionnaire"`
	Targets       Targets       `json:"targets"`
	// Population is the number of customers in the programme, the base of the
	// issue rate (004: issued to at least 80 % of customers).
	Population int `json:"population"`
	// Issued is the number of questionnaires sent (invitations).
	Issued  int      `json:"issued"`
	Answers []Answer `json:"answers"`
	// Previous is the last cycle of the same programme; nil for the first.
	Previous *Stats `json:"previous,omitempty"`
}

// Stats are a cycle's results. Every average and rate is a pointer that is
// nil when there is nothing to average — a dimension nobody rated has Count 0
// and no average — so the JSON never holds NaN and a report never shows a
// made-up 0.
type Stats struct {
	// Scale names the scale the scores are on; trends are only computed
	// against a previous cycle on the same scale.
	Scale      string `json:"scale" doc:"The scale the scores are on."`
	Answers    int    `json:"answers"`
	IssuedRate Rate   `json:"issued_rate" doc:"Questionnaires issued against the population, and the issue target."` // issued / population
	ReturnRate Rate   `json:"return_rate" doc:"Answers against questionnaires issued, and the return target."`       // answers / issued
	// Ratings counts every dimension rating in every answer.
	Ratings int `json:"ratings" doc:"Every dimension rating in every answer."`
	// Index is the mean score of all ratings (总体满意度), on the scale's points.
	Index      *float64 `json:"index" doc:"The mean score of all ratings (总体满意度), on the scale's points."`
	IndexDelta *float64 `json:"index_delta,omitempty" doc:"index minus the previous cycle's."`
	// SatisfactionRate is the share of all ratings in the satisfied levels.
	SatisfactionRate *float64         `json:"satisfaction_rate" doc:"The share of all ratings in the satisfied levels."`
	Dimensions       []DimensionStats `json:"dimensions"`
	// NPS is nil when the questionnaire does not ask, or nobody answered.
	NPS       *NPS    `json:"nps,omitempty" doc:"Absent when the questionnaire does not ask, or nobody answered it."`
	BySegment []Group `json:"by_segment"`
	ByTier    []Group `json:"by_tier"`
	// Dissatisfied lists every rating in the dissatisfied levels, in answer
	// order; each opens an improvement action for the dimension's owner
	// department (002 制度).
	Dissatisfied []Dissatisfaction `json:"dissatisfied" doc:"Every dissatisfied rating, in answer order; they open the improvement actions."`
}

// Rate is a count against its base and a target.
type Rate struct {
	Count int `json:"count" doc:"What was counted."`
	Of    int `json:"of" doc:"The base."`
	// Rate is Count / Of; nil when Of is 0.
	Rate   *float64 `json:"rate" doc:"count / of; null when of is 0."`
	Target float64  `json:"target"`
	// Met is false when there is no rate: nothing issued has not reached a target.
	Met bool `json:"met"`
}

// DimensionStats are one dimension's results (单项满意度).
type DimensionStats struct {
	Code            string `json:"code"`
	Name            string `json:"name"`
	OwnerDepartment string `json:"owner_department"`
	// Count is how many answers rated the dimension; a blank is not a rating.
	Count             int          `json:"count" doc:"How many answers rated the dimension; a blank is not a rating."`
	Average           *float64     `json:"average"`
	SatisfactionRate  *float64     `json:"satisfaction_rate"`
	SatisfiedCount    int          `json:"satisfied_count"`
	DissatisfiedCount int          `json:"dissatisfied_count"`
	Levels            []LevelCount `json:"levels"`
	// PreviousAverage and Delta (Average − PreviousAverage) are nil without a
	// previous average on the same scale.
	PreviousAverage *float64 `json:"previous_average,omitempty" doc:"The previous cycle's average on the same scale."`
	Delta           *float64 `json:"delta,omitempty" doc:"average minus previous_average."`
	// Competitor is nil when the questionnaire does not ask about one.
	Competitor *CompetitorStats `json:"competitor,omitempty" doc:"Present when the questionnaire asks about the competitor."`
}

// LevelCount is how many ratings a level got, for the distribution chart.
type LevelCount struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// CompetitorStats compare a dimension with the main competitor (竞争对手).
type CompetitorStats struct {
	Count   int      `json:"count"`
	Average *float64 `json:"average"`
	// Difference is our average minus the competitor's: positive when we lead.
	Difference *float64 `json:"difference" doc:"Our average minus the competitor's: positive when we lead."`
}

// NPS is the net promoter score of the recommend question: the percentage of
// promoters (9–10) minus that of detractors (0–6), from −100 to 100.
type NPS struct {
	Count      int      `json:"count"`
	Promoters  int      `json:"promoters"`
	Passives   int      `json:"passives"`
	Detractors int      `json:"detractors"`
	Score      float64  `json:"score"`
	Delta      *float64 `json:"delta,omitempty" doc:"score minus the previous cycle's."`
}

// Group is the results of the answers sharing a segment or a tier.
type Group struct {
	// Key is the segment or tier; empty for answers that gave none.
	Key              string   `json:"key" doc:"The segment or tier; empty for answers that gave none."`
	Answers          int      `json:"answers"`
	Ratings          int      `json:"ratings"`
	Index            *float64 `json:"index"`
	SatisfactionRate *float64 `json:"satisfaction_rate"`
}

// Dissatisfaction is one 不满意 or 很不满意 rating, with what the improvement
// action needs: who said it (unless anonymous), about what, and their words.
type Dissatisfaction struct {
	// Answer is the answer's index in the cycle's answers, which finds an
	// anonymous answer again without naming its author.
	Answer          int     `json:"answer" doc:"The answer's index among the cycle's answers, which finds an anonymous answer again without naming its author."`
	CustomerID      string  `json:"customer_id,omitempty" doc:"Absent when the questionnaire is anonymous."`
	Dimension       string  `json:"dimension"`
	DimensionName   string  `json:"dimension_name"`
	OwnerDepartment string  `json:"owner_department"`
	Level           string  `json:"level"`
	LevelLabel      string  `json:"level_label"`
	Score           float64 `json:"score"`
	Comment         string  `json:"comment,omitempty"`
}

// tally sums scores; it is what every average and rate is made of.
type tally struct {
	n, satisfied int
	sum          float64
}

func (t *tally) add(l Level, satisfied bool) {
	t.n++
	t.sum += l.Score
	if satisfied {
		t.satisfied++
	}
}

func (t tally) mean() *float64 { return ratio(t.sum, t.n) }

func (t tally) satisfactionRate() *float64 { return ratio(float64(t.satisfied), t.n) }

func ratio(x float64, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := x / float64(n)
	return &v
}

func diff(a, b *float64) *float64 {
	if a == nil || b == nil {
		return nil
	}
	v := *a - *b
	return &v
}

// meets compares with a little tolerance so 7/10 meets a 0.7 target.
func meets(rate *float64, target float64) bool { return rate != nil && *rate >= target-1e-9 }

func newRate(count, of int, target float64) Rate {
	r := ratio(float64(count), of)
	return Rate{Count: count, Of: of, Rate: r, Target: target, Met: meets(r, target)}
}

// ComputeStats computes a cycle's statistics. Every answer is checked against
// the questionnaire first: an unknown dimension or level is an error, never a
// rating quietly dropped from the averages.
func ComputeStats(in StatsInput) (Stats, error) {
	q := in.Questionnaire
	if err := within("questionnaire", q.Validate()); err != nil {
		return Stats{}, err
	}
	if err := within("targets", in.Targets.Validate()); err != nil {
		return Stats{}, err
	}
	if in.Population < 0 {
		return Stats{}, fieldErr("population", "must not be negative")
	}
	if in.Issued < 0 {
		return Stats{}, fieldErr("issued", "must not be negative")
	}
	for i, a := range in.Answers {
		if err := within(fmt.Sprintf("answers[%d]", i), q.ValidateAnswer(a)); err != nil {
			return Stats{}, err
		}
	}

	scale := q.Scale
	dims := make([]tally, len(q.Dimensions))
	comps := make([]tally, len(q.Dimensions))
	levels := make([][]int, len(q.Dimensions))
	dissatisfied := make([]int, len(q.Dimensions))
	for j := range levels {
		levels[j] = make([]int, len(scale.Levels))
	}
	var overall tally
	segments, tiers := map[string]*groupTally{}, map[string]*groupTally{}
	var nps *NPS
	s := Stats{
		Scale:        scale.Name,
		Answers:      len(in.Answers),
		IssuedRate:   newRate(in.Issued, in.Population, in.Targets.IssueRate),
		ReturnRate:   newRate(len(in.Answers), in.Issued, in.Targets.ReturnRate),
		Dissatisfied: []Dissatisfaction{},
	}

	for i, a := range in.Answers {
		groups := []*groupTally{groupOf(segments, a.Segment), groupOf(tiers, string(a.Tier))}
		for _, g := range groups {
			g.answers++
		}
		for j, d := range q.Dimensions {
			if code, ok := a.Competitor[d.Code]; ok {
				l, _, _ := scale.Find(code)
				comps[j].add(l, scale.Satisfied(code))
			}
			code, ok := a.Ratings[d.Code]
			if !ok {
				continue
			}
			l, pos, _ := scale.Find(code)
			sat := scale.Satisfied(code)
			dims[j].add(l, sat)
			levels[j][pos]++
			overall.add(l, sat)
			for _, g := range groups {
				g.add(l, sat)
			}
			if scale.Dissatisfied(code) {
				dissatisfied[j]++
				s.Dissatisfied = append(s.Dissatisfied, Dissatisfaction{
					Answer: i, CustomerID: a.CustomerID,
					Dimension: d.Code, DimensionName: d.Name, OwnerDepartment: d.OwnerDepartment,
					Level: l.Code, LevelLabel: l.Label, Score: l.Score, Comment: a.Comment,
				})
			}
		}
		if a.Recommend != nil {
			if nps == nil {
				nps = &NPS{}
			}
			nps.Count++
			switch r := *a.Recommend; {
			case r >= 9:
				nps.Promoters++
			case r >= 7:
				nps.Passives++
			default:
				nps.Detractors++
			}
		}
	}

	// A previous cycle on another scale has other points: no trend.
	var prev *Stats
	prevDims := map[string]DimensionStats{}
	if in.Previous != nil && in.Previous.Scale == scale.Name {
		prev = in.Previous
		for _, d := range prev.Dimensions {
			prevDims[d.Code] = d
		}
	}

	s.Ratings = overall.n
	s.Index = overall.mean()
	s.SatisfactionRate = overall.satisfactionRate()
	if prev != nil {
		s.IndexDelta = diff(s.Index, prev.Index)
	}
	for j, d := range q.Dimensions {
		ds := DimensionStats{
			Code: d.Code, Name: d.Name, OwnerDepartment: d.OwnerDepartment,
			Count:             dims[j].n,
			Average:           dims[j].mean(),
			SatisfactionRate:  dims[j].satisfactionRate(),
			SatisfiedCount:    dims[j].satisfied,
			DissatisfiedCount: dissatisfied[j],
			Levels:            make([]LevelCount, len(scale.Levels)),
		}
		for k, l := range scale.Levels {
			ds.Levels[k] = LevelCount{Code: l.Code, Label: l.Label, Count: levels[j][k]}
		}
		if p, ok := prevDims[d.Code]; ok && p.Average != nil {
			ds.PreviousAverage = p.Average
			ds.Delta = diff(ds.Average, p.Average)
		}
		if q.AskCompetitor {
			c := comps[j].mean()
			ds.Competitor = &CompetitorStats{Count: comps[j].n, Average: c, Difference: diff(ds.Average, c)}
		}
		s.Dimensions = append(s.Dimensions, ds)
	}
	if nps != nil {
		nps.Score = 100 * float64(nps.Promoters-nps.Detractors) / float64(nps.Count)
		if prev != nil && prev.NPS != nil {
			d := nps.Score - prev.NPS.Score
			nps.Delta = &d
		}
		s.NPS = nps
	}
	s.BySegment = groups(segments)
	s.ByTier = groups(tiers)
	return s, nil
}

type groupTally struct {
	tally
	answers int
}

func groupOf(m map[string]*groupTally, key string) *groupTally {
	g, ok := m[key]
	if !ok {
		g = &groupTally{}
		m[key] = g
	}
	return g
}

// groups lists the groups by key, with answers that gave no key last.
func groups(m map[string]*groupTally) []Group {
	out := []Group{}
	for k, g := range m {
		out = append(out, Group{Key: k, Answers: g.answers, Ratings: g.n, Index: g.mean(), SatisfactionRate: g.satisfactionRate()})
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Key == "") != (out[j].Key == "") {
			return out[j].Key == ""
		}
		return out[i].Key < out[j].Key
	})
	return out
}
