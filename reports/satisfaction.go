package reports

import (
	"slices"
	"time"

	"github.com/cxflow/cxflow/survey"
)

// SatisfactionCycle is one closed survey cycle a satisfaction report covers,
// with the statistics stored at its close.
type SatisfactionCycle struct {
	CycleID       string       `json:"cycle_id"`
	ProgrammeID   string       `json:"programme_id"`
	ProgrammeName string       `json:"programme_name"`
	ClosedAt      time.Time    `json:"closed_at"`
	Stats         survey.Stats `json:"-"`
}

// SurveyAction is an improvement action opened from a survey cycle for one dimension.
type SurveyAction struct {
	ID         string `json:"id"`
	CycleID    string `json:"cycle_id"`
	Dimension  string `json:"dimension"`
	Department string `json:"department"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	Resolution string `json:"resolution,omitempty"`
	// Effective is true once verification found the action effective.
	Effective bool `json:"effective"`
}

// SatisfactionReport is the semi-annual satisfaction analysis report
// (半年度满意度分析报告, 002 第十三、十四条) over the survey cycles closed in a period.
type SatisfactionReport struct {
	Period
	FromDate  string `json:"from_date"`
	ToDate    string `json:"to_date"`
	Programme string `json:"programme,omitempty"`
	Cycles    int    `json:"cycles"`
	Answers   int    `json:"answers"`
	Ratings   int    `json:"ratings"`
	// Scales lists the scales of the cycles; with more than one, averages mix
	// scales and should be read per cycle (Trend).
	Scales []string `json:"scales"`
	// Index is the mean score of all ratings of all cycles (each cycle's index
	// weighted by its ratings); SatisfactionRate the share of satisfied ratings.
	Index            *float64                `json:"index"`
	SatisfactionRate *float64                `json:"satisfaction_rate"`
	Dimensions       []SatisfactionDimension `json:"dimensions"`
	Trend            []SatisfactionTrend     `json:"trend"`
	BySegment        []survey.Group          `json:"by_segment"`
	ByTier           []survey.Group          `json:"by_tier"`
	Factors          []DissatisfactionFactor `json:"dissatisfaction_factors"`
}

// SatisfactionDimension is one dimension over the cycles: averages weighted
// by the answers that rated it in each cycle.
type SatisfactionDimension struct {
	Code              string   `json:"code"`
	Name              string   `json:"name"`
	OwnerDepartment   string   `json:"owner_department"`
	Count             int      `json:"count"`
	Average           *float64 `json:"average"`
	SatisfiedCount    int      `json:"satisfied_count"`
	DissatisfiedCount int      `json:"dissatisfied_count"`
	SatisfactionRate  *float64 `json:"satisfaction_rate"`
	// CompetitorCount and CompetitorAverage rate the main competitor;
	// CompetitorDifference is Average − CompetitorAverage (positive: we lead).
	CompetitorCount      int      `json:"competitor_count"`
	CompetitorAverage    *float64 `json:"competitor_average"`
	CompetitorDifference *float64 `json:"competitor_difference"`
}

// SatisfactionTrend is one cycle's figures, in the order the cycles closed.
type SatisfactionTrend struct {
	CycleID          string    `json:"cycle_id"`
	ProgrammeID      string    `json:"programme_id"`
	ProgrammeName    string    `json:"programme_name"`
	ClosedAt         time.Time `json:"closed_at"`
	Scale            string    `json:"scale"`
	Answers          int       `json:"answers"`
	Index            *float64  `json:"index"`
	SatisfactionRate *float64  `json:"satisfaction_rate"`
}

// DissatisfactionFactor is a dimension with dissatisfied ratings, and the
// improvement actions opened for it from the period's cycles.
type DissatisfactionFactor struct {
	Dimension       string         `json:"dimension"`
	Name            string         `json:"name"`
	OwnerDepartment string         `json:"owner_department"`
	Dissatisfied    int            `json:"dissatisfied"`
	Actions         []SurveyAction `json:"actions"`
	// Effective counts the actions verified effective.
	Effective int `json:"effective"`
}

// weighted sums value × weight to give the weighted mean.
type weighted struct{ sum, weight float64 }

func (w *weighted) add(v *float64, n int) {
	if v != nil && n > 0 {
		w.sum += *v * float64(n)
		w.weight += float64(n)
	}
}

func (w weighted) mean() *float64 {
	if w.weight == 0 {
		return nil
	}
	m := w.sum / w.weight
	return &m
}

// BuildSatisfaction merges the cycles (in the order given, which is the order
// they closed) and the actions opened from them into the report.
func BuildSatisfaction(p Period, programme string, cycles []SatisfactionCycle, actions []SurveyAction) SatisfactionReport {
	r := SatisfactionReport{Period: p, FromDate: p.FirstDate(), ToDate: p.LastDate(), Programme: programme,
		Cycles: len(cycles), Scales: []string{}, Dimensions: []SatisfactionDimension{}, Trend: []SatisfactionTrend{},
		Factors: []DissatisfactionFactor{}}
	var index, rate weighted
	type dimAcc struct {
		d         SatisfactionDimension
		avg, comp weighted
	}
	dims := map[string]*dimAcc{}
	var order []string
	type groupAcc struct {
		g           survey.Group
		index, rate weighted
	}
	mergeGroups := func(into map[string]*groupAcc, keys *[]string, gs []survey.Group) {
		for _, g := range gs {
			a, ok := into[g.Key]
			if !ok {
				a = &groupAcc{g: survey.Group{Key: g.Key}}
				into[g.Key] = a
				*keys = append(*keys, g.Key)
			}
			a.g.Answers += g.Answers
			a.g.Ratings += g.Ratings
			a.index.add(g.Index, g.Ratings)
			a.rate.add(g.SatisfactionRate, g.Ratings)
		}
	}
	segs, tiers := map[string]*groupAcc{}, map[string]*groupAcc{}
	var segKeys, tierKeys []string
	for _, c := range cycles {
		st := c.Stats
		r.Answers += st.Answers
		r.Ratings += st.Ratings
		index.add(st.Index, st.Ratings)
		rate.add(st.SatisfactionRate, st.Ratings)
		if !slices.Contains(r.Scales, st.Scale) {
			r.Scales = append(r.Scales, st.Scale)
		}
		r.Trend = append(r.Trend, SatisfactionTrend{CycleID: c.CycleID, ProgrammeID: c.ProgrammeID, ProgrammeName: c.ProgrammeName,
			ClosedAt: c.ClosedAt, Scale: st.Scale, Answers: st.Answers, Index: st.Index, SatisfactionRate: st.SatisfactionRate})
		for _, ds := range st.Dimensions {
			a, ok := dims[ds.Code]
			if !ok {
				a = &dimAcc{d: SatisfactionDimension{Code: ds.Code}}
				dims[ds.Code] = a
				order = append(order, ds.Code)
			}
			// The latest cycle names the dimension and its owner.
			a.d.Name, a.d.OwnerDepartment = ds.Name, ds.OwnerDepartment
			a.d.Count += ds.Count
			a.d.SatisfiedCount += ds.SatisfiedCount
			a.d.DissatisfiedCount += ds.DissatisfiedCount
			a.avg.add(ds.Average, ds.Count)
			if ds.Competitor != nil {
				a.d.CompetitorCount += ds.Competitor.Count
				a.comp.add(ds.Competitor.Average, ds.Competitor.Count)
			}
		}
		mergeGroups(segs, &segKeys, st.BySegment)
		mergeGroups(tiers, &tierKeys, st.ByTier)
	}
	r.Index, r.SatisfactionRate = index.mean(), rate.mean()
	byDim := map[string][]SurveyAction{}
	for _, a := range actions {
		byDim[a.Dimension] = append(byDim[a.Dimension], a)
	}
	for _, code := range order {
		a := dims[code]
		a.d.Average = a.avg.mean()
		if a.d.Count > 0 {
			v := float64(a.d.SatisfiedCount) / float64(a.d.Count)
			a.d.SatisfactionRate = &v
		}
		a.d.CompetitorAverage = a.comp.mean()
		if a.d.Average != nil && a.d.CompetitorAverage != nil {
			v := *a.d.Average - *a.d.CompetitorAverage
			a.d.CompetitorDifference = &v
		}
		r.Dimensions = append(r.Dimensions, a.d)
		if a.d.DissatisfiedCount > 0 || len(byDim[code]) > 0 {
			f := DissatisfactionFactor{Dimension: code, Name: a.d.Name, OwnerDepartment: a.d.OwnerDepartment,
				Dissatisfied: a.d.DissatisfiedCount, Actions: byDim[code]}
			if f.Actions == nil {
				f.Actions = []SurveyAction{}
			}
			for _, x := range f.Actions {
				if x.Effective {
					f.Effective++
				}
			}
			r.Factors = append(r.Factors, f)
		}
	}
	finish := func(m map[string]*groupAcc, keys []string) []survey.Group {
		out := []survey.Group{}
		for _, k := range keys {
			a := m[k]
			a.g.Index, a.g.SatisfactionRate = a.index.mean(), a.rate.mean()
			out = append(out, a.g)
		}
		return out
	}
	r.BySegment, r.ByTier = finish(segs, segKeys), finish(tiers, tierKeys)
	return r
}

// Tables lays the satisfaction report out as tables.
func (r SatisfactionReport) Tables(lang Language) []Table {
	t := lang.Pick
	summary := Table{Name: t("概要", "Summary"), Headers: []string{t("指标", "Figure"), t("数值", "Value")}, Rows: [][]any{
		{t("起始日期", "From"), r.FromDate},
		{t("截止日期", "To (included)"), r.ToDate},
		{t("调查方案", "Programme"), r.Programme},
		{t("调查轮次", "Cycles"), r.Cycles},
		{t("回收答卷", "Answers"), r.Answers},
		{t("评分数", "Ratings"), r.Ratings},
		{t("总体满意度（平均分）", "Index (mean score)"), number(r.Index)},
		{t("满意率", "Satisfaction rate"), percent(r.SatisfactionRate)},
	}}
	dims := Table{Name: t("各项满意度", "Dimensions"), Headers: []string{
		t("项目", "Dimension"), t("责任部门", "Owner"), t("评分数", "Ratings"), t("平均分", "Average"), t("满意数", "Satisfied"),
		t("不满意数", "Dissatisfied"), t("满意率", "Satisfaction rate"), t("竞争对手评分数", "Competitor ratings"),
		t("竞争对手平均分", "Competitor average"), t("差距", "Difference"),
	}}
	for _, d := range r.Dimensions {
		name := d.Name
		if lang == English {
			name = d.Code
		}
		dims.Rows = append(dims.Rows, []any{name, d.OwnerDepartment, d.Count, number(d.Average), d.SatisfiedCount,
			d.DissatisfiedCount, percent(d.SatisfactionRate), d.CompetitorCount, number(d.CompetitorAverage), number(d.CompetitorDifference)})
	}
	trend := Table{Name: t("趋势", "Trend"), Headers: []string{
		t("轮次", "Cycle"), t("调查方案", "Programme"), t("结束时间", "Closed"), t("量表", "Scale"), t("回收答卷", "Answers"),
		t("总体满意度", "Index"), t("满意率", "Satisfaction rate"),
	}}
	for _, c := range r.Trend {
		trend.Rows = append(trend.Rows, []any{c.CycleID, c.ProgrammeName, c.ClosedAt.In(Location).Format(time.DateTime), c.Scale,
			c.Answers, number(c.Index), percent(c.SatisfactionRate)})
	}
	groups := func(zh, en, zhKey, enKey string, gs []survey.Group) Table {
		tb := Table{Name: t(zh, en), Headers: []string{t(zhKey, enKey), t("答卷数", "Answers"), t("评分数", "Ratings"),
			t("总体满意度", "Index"), t("满意率", "Satisfaction rate")}}
		for _, g := range gs {
			key := g.Key
			if key == "" {
				key = t("（未填）", "(none)")
			}
			tb.Rows = append(tb.Rows, []any{key, g.Answers, g.Ratings, number(g.Index), percent(g.SatisfactionRate)})
		}
		return tb
	}
	factors := Table{Name: t("不满意因素", "Dissatisfaction"), Headers: []string{
		t("项目", "Dimension"), t("责任部门", "Owner"), t("不满意数", "Dissatisfied"), t("改进措施", "Action"),
		t("措施部门", "Action department"), t("状态", "Status"), t("验证有效", "Verified effective"),
	}}
	for _, f := range r.Factors {
		name := f.Name
		if lang == English {
			name = f.Dimension
		}
		if len(f.Actions) == 0 {
			factors.Rows = append(factors.Rows, []any{name, f.OwnerDepartment, f.Dissatisfied, nil, nil, nil, nil})
		}
		for _, a := range f.Actions {
			eff := t("否", "no")
			if a.Effective {
				eff = t("是", "yes")
			}
			factors.Rows = append(factors.Rows, []any{name, f.OwnerDepartment, f.Dissatisfied, a.Title, a.Department, a.Status, eff})
		}
	}
	return []Table{summary, dims, trend,
		groups("按类别", "By segment", "客户类别", "Segment", r.BySegment),
		groups("按等级", "By tier", "客户等级", "Tier", r.ByTier),
		factors}
}
