package console

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/console/chart"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/reports"
	"github.com/cxflow/cxflow/survey"
)

// 满意度分析: the satisfaction analysis report (半年度满意度分析报告, 002
// 第十三、十四条) of GET /api/v1/reports/satisfaction over the survey cycles
// closed in a period.

func init() {
	addMessages(map[string]string{
		"rep.satisfaction.title": "满意度分析", "rep.satisfaction.hint": "期间内结束的调查轮次：各项满意度与目标对比、各轮趋势、按客户类别和等级、与竞争对手比较，以及不满意因素和对应的改进措施是否验证有效。",
		"rep.s.programme": "调查方案", "rep.s.all_programmes": "全部方案",
		"rep.s.cycles": "调查轮次", "rep.s.answers": "回收答卷", "rep.s.ratings": "评分数", "rep.s.index": "总体满意度（平均分）",
		"rep.s.rate": "满意率", "rep.s.target": "目标满意率", "rep.s.target_label": "目标 %s",
		"rep.s.target_hint":  "目标为部门考核规则中的满意率门槛（低于此值单位负责人扣分）。",
		"rep.s.mixed_scales": "本期各轮使用了不同的评分量表（%s），平均分不可直接相加比较，请按轮次阅读趋势。",
		"rep.s.dimensions":   "各项满意度", "rep.s.dimension": "项目", "rep.s.owner": "责任部门", "rep.s.average": "平均分",
		"rep.s.satisfied": "满意数", "rep.s.dissatisfied": "不满意数", "rep.s.met": "达标", "rep.s.not_met": "未达标",
		"rep.s.dim_chart": "各项满意率",
		"rep.s.trend":     "各轮趋势", "rep.s.closed": "结束时间", "rep.s.scale": "量表", "rep.s.trend_rate": "各轮满意率", "rep.s.trend_index": "各轮总体满意度",
		"rep.s.by_segment": "按客户类别", "rep.s.by_tier": "按客户等级", "rep.s.segment": "客户类别", "rep.s.tier": "客户等级", "rep.s.none": "（未填）",
		"rep.s.competitor": "与竞争对手比较", "rep.s.ours": "本公司平均分", "rep.s.theirs": "竞争对手平均分", "rep.s.difference": "差距（正数为领先）",
		"rep.s.competitor_count": "竞争对手评分数", "rep.s.no_competitor": "本期问卷没有竞争对手评分。",
		"rep.s.factors": "不满意因素与改进措施", "rep.s.actions": "改进措施", "rep.s.action_dept": "措施部门", "rep.s.status": "状态",
		"rep.s.effective": "验证有效", "rep.s.effective_count": "已验证有效 %d / %d 项", "rep.s.no_action": "尚未立项改进措施。",
		"rep.s.no_factors": "本期没有不满意评分。",
		"rep.imp.plan":     "制定改进计划", "rep.imp.completion": "实施中", "rep.imp.verification": "效果验证", "rep.imp.closed": "已关闭",
	}, map[string]string{
		"rep.satisfaction.title": "Satisfaction analysis", "rep.satisfaction.hint": "The survey cycles closed in the period: each dimension against the target, the trend over cycles, by customer segment and tier, against the main competitor, and the dissatisfaction factors with their improvement actions and whether they were verified effective.",
		"rep.s.programme": "Programme", "rep.s.all_programmes": "All programmes",
		"rep.s.cycles": "Cycles", "rep.s.answers": "Answers", "rep.s.ratings": "Ratings", "rep.s.index": "Index (mean score)",
		"rep.s.rate": "Satisfaction rate", "rep.s.target": "Target rate", "rep.s.target_label": "target %s",
		"rep.s.target_hint":  "The target is the department assessment's satisfaction threshold (below it the unit head loses points).",
		"rep.s.mixed_scales": "The cycles of this period used different scales (%s): averages do not add up across them; read the trend cycle by cycle.",
		"rep.s.dimensions":   "Dimensions", "rep.s.dimension": "Dimension", "rep.s.owner": "Owner", "rep.s.average": "Average",
		"rep.s.satisfied": "Satisfied", "rep.s.dissatisfied": "Dissatisfied", "rep.s.met": "met", "rep.s.not_met": "missed",
		"rep.s.dim_chart": "Satisfaction rate by dimension",
		"rep.s.trend":     "Trend over cycles", "rep.s.closed": "Closed", "rep.s.scale": "Scale", "rep.s.trend_rate": "Satisfaction rate by cycle", "rep.s.trend_index": "Index by cycle",
		"rep.s.by_segment": "By customer segment", "rep.s.by_tier": "By customer tier", "rep.s.segment": "Segment", "rep.s.tier": "Tier", "rep.s.none": "(none)",
		"rep.s.competitor": "Against the main competitor", "rep.s.ours": "Our average", "rep.s.theirs": "Competitor's average", "rep.s.difference": "Difference (positive: we lead)",
		"rep.s.competitor_count": "Competitor ratings", "rep.s.no_competitor": "No competitor was rated in this period.",
		"rep.s.factors": "Dissatisfaction factors and improvement actions", "rep.s.actions": "Improvement actions", "rep.s.action_dept": "Action department", "rep.s.status": "Status",
		"rep.s.effective": "Verified effective", "rep.s.effective_count": "%d of %d actions verified effective", "rep.s.no_action": "No improvement action opened yet.",
		"rep.s.no_factors": "No dissatisfied rating in this period.",
		"rep.imp.plan":     "planning", "rep.imp.completion": "in progress", "rep.imp.verification": "verification", "rep.imp.closed": "closed",
	})
}

// repSatisfactionView is the satisfaction analysis page's data.
type repSatisfactionView struct {
	Filter      repFilter
	R           *reports.SatisfactionReport
	Covers      string
	Downloads   []repLink
	Index, Rate string
	// Target is the satisfaction rate to reach, "" when the API gave none.
	Target      string
	RateMet     bool
	MixedScales string
	Dimensions  []repDimRow
	DimChart    template.HTML
	Trend       []repTrendRow
	TrendRate   template.HTML
	// TrendIndex is drawn only when every cycle used the same scale.
	TrendIndex      template.HTML
	Segments, Tiers []repGroupRow
	SegChart        template.HTML
	TierChart       template.HTML
	Competitor      []repDimRow
	CompetitorChart template.HTML
	Factors         []repFactorRow
}

// repDimRow is one dimension's figures.
type repDimRow struct {
	Name, Code, Owner                         string
	Count, Satisfied, Dissatisfied, CompCount int
	Average, Rate, CompAverage, Difference    string
	// HasTarget and Met compare the rate with the target.
	HasTarget, Met bool
}

// repTrendRow is one cycle.
type repTrendRow struct {
	Closed, Programme, Scale, Index, Rate string
	Answers                               int
}

// repGroupRow is one segment or tier.
type repGroupRow struct {
	Key, Index, Rate string
	Answers, Ratings int
}

// repFactorRow is a dissatisfaction factor with its actions.
type repFactorRow struct {
	Name, Owner  string
	Dissatisfied int
	Effective    string
	Actions      []repActionRow
}

// repActionRow is an improvement action opened for a factor.
type repActionRow struct {
	ID, Title, Department, Status string
	Effective                     bool
}

func (cs *Console) repSatisfaction(c *gin.Context) {
	if !repCompanyWide(user(c).Actor) {
		cs.repForbidden(c, "rep.who.company")
		return
	}
	l := lang(c)
	now := cs.now().In(cs.loc)
	per, ok := repReadPeriod(c, repPeriodKinds, repPeriod{By: "half", Value: repCurrent("half", now)})
	programme := strings.TrimSpace(c.Query("programme"))
	byID, _, err := cs.repOrg(c)
	if err != nil {
		cs.fail(c, err)
		return
	}
	v := &repSatisfactionView{Filter: repFilter{Action: "/reports/satisfaction", Inputs: repPeriodInputs(per, repPeriodKinds), Hint: "rep.period_hint"}}
	// The programme list only offers a choice; the report is read without it.
	if list, err := cs.ops.Programmes(c, user(c).Actor); err == nil {
		in := repInput{Name: "programme", Label: "rep.s.programme", Type: "select", Value: programme,
			Options: []option{{Value: "", Label: "rep.s.all_programmes"}}}
		for _, d := range list {
			in.Options = append(in.Options, option{Value: d.ID, Text: d.Name})
		}
		v.Filter.Inputs = append(v.Filter.Inputs, in)
	}
	v.Filter.Chips = repChipsFor(l, "/reports/satisfaction", now, []string{"quarter", "half", "year"}, per, url.Values{"programme": {programme}})
	show := func(p page, status int) {
		p.Title = T(p.Lang, "rep.satisfaction.title")
		p.Data = v
		cs.render(c, status, "rep_satisfaction.html", p)
	}
	if !ok {
		cs.repRefused(c, &Refusal{Status: http.StatusBadRequest, Field: "by", Message: T(l, "rep.bad_by")}, &v.Filter,
			func(p page) { show(p, http.StatusBadRequest) })
		return
	}
	q := per.query()
	if programme != "" {
		q.Set("programme", programme)
	}
	period, ref := repPeriodOf(q)
	var r reports.SatisfactionReport
	if ref == nil {
		var err error
		r, err = cs.ops.SatisfactionReport(c, user(c).Actor, period, programme)
		ref = refusalOf(err)
	}
	if ref != nil {
		cs.repRefused(c, ref, &v.Filter, func(p page) { show(p, ref.Status) })
		return
	}
	v.fill(l, r, cs.repSatisfactionTarget(c, now), byID, cs.loc)
	v.Downloads = repDownloads(l, "/api/v1/reports/satisfaction", q)
	show(cs.base(c, "rep.satisfaction.title"), http.StatusOK)
}

// repSatisfactionTarget is the satisfaction rate the organisation aims at:
// the department assessment's threshold, below which the unit head loses
// points (002 客户服务满意度调查管理制度). The assessment gives its rules
// (app.AssessmentMonth), which the same roles read; nil when it refuses.
func (cs *Console) repSatisfactionTarget(c *gin.Context, now time.Time) *float64 {
	p, ref := repPeriodOf(url.Values{"month": {now.Format("2006-01")}})
	if ref != nil {
		return nil
	}
	a, err := cs.ops.AssessmentMonth(c, user(c).Actor, p)
	if err != nil || !(a.Rules.SatisfactionThreshold > 0) {
		return nil
	}
	t := a.Rules.SatisfactionThreshold
	return &t
}

func (v *repSatisfactionView) fill(l string, r reports.SatisfactionReport, target *float64, byID map[string]org.Department, loc *time.Location) {
	v.R = &r
	v.Covers = fmt.Sprintf(T(l, "rep.covers"), r.FromDate, r.ToDate)
	v.Index, v.Rate = repNum(r.Index, 1), repPct(r.SatisfactionRate)
	owner := func(id string) string {
		if d, ok := byID[id]; ok {
			return d.Name
		}
		if id == "" {
			return "—"
		}
		return id
	}
	targetLabel := ""
	if target != nil {
		v.Target = repPct(target)
		v.RateMet = r.SatisfactionRate != nil && *r.SatisfactionRate >= *target
		targetLabel = fmt.Sprintf(T(l, "rep.s.target_label"), v.Target)
	}
	if len(r.Scales) > 1 {
		v.MixedScales = fmt.Sprintf(T(l, "rep.s.mixed_scales"), strings.Join(r.Scales, ", "))
	}

	var names []string
	var rates []*float64
	ours, theirs := []float64{}, []float64{}
	var compNames []string
	for _, d := range r.Dimensions {
		row := repDimRow{Name: d.Name, Code: d.Code, Owner: owner(d.OwnerDepartment), Count: d.Count, Satisfied: d.SatisfiedCount,
			Dissatisfied: d.DissatisfiedCount, CompCount: d.CompetitorCount, Average: repNum(d.Average, 1), Rate: repPct(d.SatisfactionRate),
			CompAverage: repNum(d.CompetitorAverage, 1), Difference: repSigned(d.CompetitorDifference)}
		if row.Name == "" {
			row.Name = d.Code
		}
		if target != nil && d.SatisfactionRate != nil {
			row.HasTarget, row.Met = true, *d.SatisfactionRate >= *target
		}
		v.Dimensions = append(v.Dimensions, row)
		names, rates = append(names, row.Name), append(rates, d.SatisfactionRate)
		if d.CompetitorCount > 0 {
			v.Competitor = append(v.Competitor, row)
			compNames = append(compNames, row.Name)
			ours, theirs = append(ours, repValue(d.Average)), append(theirs, repValue(d.CompetitorAverage))
		}
	}
	v.DimChart = repShareChart(l, T(l, "rep.s.dim_chart"), T(l, "rep.s.rate"), names, rates, target, targetLabel, 1040)
	if len(v.Competitor) > 0 {
		v.CompetitorChart = chart.Bar(chart.Spec{Title: T(l, "rep.s.competitor"), Categories: compNames, Width: 1040, Height: 260,
			Series: []chart.Series{{Name: T(l, "rep.s.ours"), Values: ours}, {Name: T(l, "rep.s.theirs"), Values: theirs}}})
	}

	var cycles []string
	rateVals, indexVals := []float64{}, []float64{}
	for _, t := range r.Trend {
		closed := t.ClosedAt.In(loc).Format("2006-01-02")
		v.Trend = append(v.Trend, repTrendRow{Closed: closed, Programme: t.ProgrammeName, Scale: t.Scale, Answers: t.Answers,
			Index: repNum(t.Index, 1), Rate: repPct(t.SatisfactionRate)})
		cycles = append(cycles, closed)
		rateVals, indexVals = append(rateVals, repPercent(t.SatisfactionRate)), append(indexVals, repValue(t.Index))
	}
	lo, hi := 0.0, 100.0
	trend := chart.Spec{Title: T(l, "rep.s.trend_rate"), Categories: cycles, Unit: "%", Min: &lo, Max: &hi, Empty: T(l, "rep.no_data"), Width: 560,
		Series: []chart.Series{{Name: T(l, "rep.s.rate"), Values: rateVals}}}
	if target != nil {
		t := *target * 100
		trend.Target, trend.TargetLabel = &t, targetLabel
	}
	v.TrendRate = chart.Line(trend)
	if len(r.Scales) <= 1 {
		v.TrendIndex = chart.Line(chart.Spec{Title: T(l, "rep.s.trend_index"), Categories: cycles, Empty: T(l, "rep.no_data"), Width: 560,
			Series: []chart.Series{{Name: T(l, "rep.s.index"), Values: indexVals}}})
	}

	groups := func(gs []survey.Group, title string) ([]repGroupRow, template.HTML) {
		var rows []repGroupRow
		var keys []string
		var shares []*float64
		for _, g := range gs {
			k := g.Key
			if k == "" {
				k = T(l, "rep.s.none")
			}
			rows = append(rows, repGroupRow{Key: k, Answers: g.Answers, Ratings: g.Ratings, Index: repNum(g.Index, 1), Rate: repPct(g.SatisfactionRate)})
			keys, shares = append(keys, k), append(shares, g.SatisfactionRate)
		}
		return rows, repShareChart(l, title, T(l, "rep.s.rate"), keys, shares, target, targetLabel, 560)
	}
	v.Segments, v.SegChart = groups(r.BySegment, T(l, "rep.s.by_segment"))
	v.Tiers, v.TierChart = groups(r.ByTier, T(l, "rep.s.by_tier"))

	for _, f := range r.Factors {
		row := repFactorRow{Name: f.Name, Owner: owner(f.OwnerDepartment), Dissatisfied: f.Dissatisfied,
			Effective: fmt.Sprintf(T(l, "rep.s.effective_count"), f.Effective, len(f.Actions))}
		if row.Name == "" {
			row.Name = f.Dimension
		}
		for _, a := range f.Actions {
			status := a.Status
			if s, ok := lookup(l, "rep.imp."+a.Status); ok {
				status = s
			}
			row.Actions = append(row.Actions, repActionRow{ID: a.ID, Title: a.Title, Department: owner(a.Department), Status: status, Effective: a.Effective})
		}
		v.Factors = append(v.Factors, row)
	}
}

// repSigned is a difference with its sign and one decimal; "—" when there is none.
func repSigned(d *float64) string {
	if d == nil || math.IsNaN(*d) {
		return "—"
	}
	s := repNum(d, 1)
	if *d > 0 {
		s = "+" + s
	}
	return s
}
