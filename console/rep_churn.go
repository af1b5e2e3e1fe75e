package console

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/console/chart"
	"github.com/cxflow/cxflow/reports"
)

// 客户流失: the customer churn and volume-decline analysis (客户流失统计, 000)
// of GET /api/v1/reports/churn: each customer's purchase volume in a half
// year against the previous one, with the complaints and survey answers that
// may explain a decline.

func init() {
	addMessages(map[string]string{
		"rep.churn.title": "客户流失", "rep.churn.hint": "半年采购额与上一个半年比较：采购额降到零的为流失客户，下降达到判定比例的为下降客户；列出他们在这两个半年里的投诉和最近一次满意度调查的回答。",
		"rep.ch.decline": "下降判定比例", "rep.ch.decline_hint": "格式：半年 2026H1；下降判定比例为 0 到 1 之间的小数，如 0.2 表示下降 20% 及以上（默认 0.2）。",
		"rep.ch.covers": "%s 与 %s 比较", "rep.ch.customers": "有采购记录的客户", "rep.ch.declined": "采购下降", "rep.ch.lost": "流失", "rep.ch.new": "新客户",
		"rep.ch.share": "下降判定比例", "rep.ch.flagged": "流失与下降客户", "rep.ch.customer": "客户", "rep.ch.status": "状态",
		"rep.ch.previous": "上期采购额（元）", "rep.ch.volume": "本期采购额（元）", "rep.ch.drop": "下降额（元）", "rep.ch.drop_share": "下降比例",
		"rep.ch.complaints": "投诉", "rep.ch.survey": "最近调查得分", "rep.ch.chart": "下降额最大的客户（元）",
		"rep.ch.status.lost": "流失", "rep.ch.status.declined": "下降",
		"rep.ch.details": "投诉与调查回答", "rep.ch.no_complaints": "这两个半年里没有与该客户同名的投诉。",
		"rep.ch.received": "受理时间", "rep.ch.number": "投诉编号", "rep.ch.subject": "主题", "rep.ch.category": "类别", "rep.ch.step": "状态",
		"rep.ch.answer": "最近一次调查回答：%s，%s 量表，平均得分 %s。", "rep.ch.no_answer": "没有该客户的调查回答。",
		"rep.ch.none":        "本期没有流失或下降的客户。",
		"rep.evidence.title": "ISO 审核证据", "rep.evidence.hint": "期间内每一条投诉和满意度调查记录，并注明其证明的 ISO 10002 / ISO 10004 条款，供内审抽样。",
	}, map[string]string{
		"rep.churn.title": "Customer churn", "rep.churn.hint": "Each customer's purchase volume in a half year against the previous one: a customer who bought nothing is lost, one whose volume fell by the decline share or more has declined; with their complaints in both half years and their latest survey answer.",
		"rep.ch.decline": "Decline share", "rep.ch.decline_hint": "Format: half year 2026H1; the decline share is a fraction between 0 and 1, e.g. 0.2 for a fall of 20 % or more (default 0.2).",
		"rep.ch.covers": "%s against %s", "rep.ch.customers": "Customers with volumes", "rep.ch.declined": "Declined", "rep.ch.lost": "Lost", "rep.ch.new": "New",
		"rep.ch.share": "Decline share", "rep.ch.flagged": "Lost and declined customers", "rep.ch.customer": "Customer", "rep.ch.status": "Status",
		"rep.ch.previous": "Previous volume (RMB)", "rep.ch.volume": "Volume (RMB)", "rep.ch.drop": "Drop (RMB)", "rep.ch.drop_share": "Drop share",
		"rep.ch.complaints": "Complaints", "rep.ch.survey": "Latest survey score", "rep.ch.chart": "Largest drops (RMB)",
		"rep.ch.status.lost": "lost", "rep.ch.status.declined": "declined",
		"rep.ch.details": "Complaints and survey answers", "rep.ch.no_complaints": "No complaint under this customer's name in the two half years.",
		"rep.ch.received": "Received", "rep.ch.number": "Number", "rep.ch.subject": "Subject", "rep.ch.category": "Category", "rep.ch.step": "Status",
		"rep.ch.answer": "Latest survey answer: %s, %s scale, mean score %s.", "rep.ch.no_answer": "No survey answer from this customer.",
		"rep.ch.none":        "No lost or declined customer in this half year.",
		"rep.evidence.title": "ISO audit evidence", "rep.evidence.hint": "Every complaint and survey event of the period with the ISO 10002 / ISO 10004 clauses it evidences, for the internal audit to sample.",
	})
}

// repChurnView is the churn page's data.
type repChurnView struct {
	Filter    repFilter
	R         *reports.ChurnReport
	Covers    string
	Share     string
	Downloads []repLink
	Rows      []repChurnRow
	Chart     template.HTML
	// Evidence links the ISO audit evidence of the half year, for those who
	// may export it.
	Evidence []repLink
}

// repChurnRow is one flagged customer.
type repChurnRow struct {
	ID, Name, Status, StatusKey, Previous, Volume, Drop, DropShare, Score, Answer string
	Complaints                                                                    []repChurnComplaint
}

// repChurnComplaint is a complaint matched to the customer.
type repChurnComplaint struct {
	ID, Number, Subject, Category, Status, Received string
}

// repChurnChartRows bounds the chart to the largest drops.
const repChurnChartRows = 15

func (cs *Console) repChurn(c *gin.Context) {
	u := user(c)
	if !repCompanyWide(u.Actor) {
		cs.repForbidden(c, "rep.who.company")
		return
	}
	l := lang(c)
	now := cs.now().In(cs.loc)
	per, ok := repReadPeriod(c, []string{"half"}, repPeriod{By: "half", Value: repPrevious("half", now)})
	decline := strings.TrimSpace(c.Query("decline"))
	v := &repChurnView{Filter: repFilter{Action: "/reports/churn", Hint: "rep.ch.decline_hint", Inputs: []repInput{
		{Name: "period", Label: "rep.by.half", Type: "text", Value: per.Value, Placeholder: "2026H1"},
		{Name: "decline", Label: "rep.ch.decline", Type: "number", Value: decline, Placeholder: "0.2"},
	}}}
	v.Filter.Chips = repChipsFor(l, "/reports/churn", now, []string{"half"}, per, url.Values{"decline": {decline}})
	show := func(p page, status int) {
		p.Title = T(p.Lang, "rep.churn.title")
		p.Data = v
		cs.render(c, status, "rep_churn.html", p)
	}
	if !ok {
		cs.repRefused(c, &Refusal{Status: http.StatusBadRequest, Field: "by", Message: T(l, "rep.bad_by")}, &v.Filter,
			func(p page) { show(p, http.StatusBadRequest) })
		return
	}
	q := url.Values{"half": {per.Value}}
	if decline != "" {
		q.Set("decline", decline)
	}
	var r reports.ChurnReport
	ref := repChurnQuery(q)
	if ref == nil {
		h, _ := reports.ParseHalf(q.Get("half"))
		share := reports.DefaultDeclineShare
		if decline != "" {
			share, _ = strconv.ParseFloat(decline, 64)
		}
		var err error
		r, err = cs.ops.ChurnReport(c, u.Actor, h, share)
		ref = refusalOf(err)
	}
	if ref != nil {
		cs.repRefused(c, ref, &v.Filter, func(p page) { show(p, ref.Status) })
		return
	}
	p := cs.base(c, "rep.churn.title")
	v.fill(l, r, p)
	v.Downloads = repDownloads(l, "/api/v1/reports/churn", q)
	if repMayEvidence(u.Actor) {
		v.Evidence = repDownloads(l, "/api/v1/reports/audit-evidence", url.Values{"half": {r.Half}})
	}
	show(p, http.StatusOK)
}

// repChurnQuery checks the churn report's query as the API does: a half
// year, and a decline share between 0 and 1.
func repChurnQuery(q url.Values) *Refusal {
	if _, ok := reports.ParseHalf(q.Get("half")); !ok {
		return &Refusal{Status: http.StatusBadRequest, Field: "half", Message: "half must be a half year such as 2026H1"}
	}
	if v := q.Get("decline"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err != nil || !(f > 0 && f < 1) {
			return &Refusal{Status: http.StatusBadRequest, Field: "decline", Message: "decline must be a share between 0 and 1, e.g. 0.2 for 20 %"}
		}
	}
	return nil
}

func (v *repChurnView) fill(l string, r reports.ChurnReport, p page) {
	v.R = &r
	v.Covers = fmt.Sprintf(T(l, "rep.ch.covers"), repPeriodLabel(l, "half", r.Half), repPeriodLabel(l, "half", r.PreviousHalf))
	share := r.DeclineShare
	v.Share = repPct(&share)
	spec := chart.Spec{Title: T(l, "rep.ch.chart"), Empty: T(l, "rep.no_data"), Width: 1040}
	drops := []float64{}
	for i, f := range r.Flagged {
		row := repChurnRow{ID: f.CustomerID, Name: f.Name, StatusKey: f.Status, Status: f.Status,
			Previous: money(f.PreviousVolume), Volume: "—", Drop: money(f.Drop), DropShare: repPct(&f.DropShare), Score: "—"}
		if s, ok := lookup(l, "rep.ch.status."+f.Status); ok {
			row.Status = s
		}
		if f.Volume != nil {
			row.Volume = money(*f.Volume)
		}
		if s := f.LatestSurvey; s != nil {
			row.Score = repNum(s.Score, 1)
			row.Answer = fmt.Sprintf(T(l, "rep.ch.answer"), p.Time(s.AnsweredAt), s.Scale, row.Score)
		}
		for _, x := range f.Complaints {
			row.Complaints = append(row.Complaints, repChurnComplaint{ID: x.ID, Number: x.Number, Subject: x.Subject,
				Category: repCountLabel(l, "category", reports.Count{Key: x.Category, Label: x.Category}),
				Status:   repCountLabel(l, "step", reports.Count{Key: x.Status, Label: x.Status}), Received: p.Time(x.ReceivedAt)})
		}
		v.Rows = append(v.Rows, row)
		if i < repChurnChartRows {
			name := f.Name
			if name == "" {
				name = f.CustomerID
			}
			spec.Categories = append(spec.Categories, name)
			drops = append(drops, f.Drop)
		}
	}
	spec.Series = []chart.Series{{Name: T(l, "rep.ch.drop"), Values: drops}}
	v.Chart = chart.HBar(spec)
}
