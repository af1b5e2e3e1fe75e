package reports

import (
	"cmp"
	"math"
	"slices"

	"github.com/cxflow/cxflow/complaint"
)

// ComplaintAnalysis is the quarterly complaint analysis report (季度客户投诉分析
// 报告, 002 第二十七条) for any period: the complaints received in it.
type ComplaintAnalysis struct {
	Period
	// FromDate and ToDate are the period's first and last civil dates, both included.
	FromDate string `json:"from_date"`
	ToDate   string `json:"to_date"`

	Total      int `json:"total"`
	Founded    int `json:"founded"`
	NotFounded int `json:"not_founded"`
	// NotFoundedShare is NotFounded / Total; null when there is no complaint.
	NotFoundedShare *float64 `json:"not_founded_share"`
	// Reopened counts complaints reopened at least once, Reopenings the times;
	// ReopenRate is Reopened / Founded.
	Reopened   int      `json:"reopened"`
	Reopenings int      `json:"reopenings"`
	ReopenRate *float64 `json:"reopen_rate"`
	// DirectLoss is the sum of the complaints' estimated direct losses (RMB).
	DirectLoss float64 `json:"direct_loss"`

	ByCategory   []Count `json:"by_category"`
	BySeverity   []Count `json:"by_severity"`
	ByClass      []Count `json:"by_complainant_class"`
	ByChannel    []Count `json:"by_channel"`
	ByDepartment []Count `json:"by_department"`
	ByBranch     []Count `json:"by_branch"`

	// Steps are the handling times and SLA compliance of completed steps.
	Steps []StepFigures `json:"steps"`
	// Departments is the SLA compliance of completed steps by assigned department.
	Departments []DepartmentSLA `json:"department_sla"`
	// Escalations counts the escalations made in the period by level.
	Escalations []Count `json:"escalations"`
	// CauseTypes counts the reviews' cause types; RootCauses the ten most
	// frequent root causes.
	CauseTypes []Count `json:"cause_types"`
	RootCauses []Count `json:"top_root_causes"`

	PreviousPeriod Comparison `json:"previous_period"`
	LastYear       Comparison `json:"same_period_last_year"`
}

// Count is how many things have a key. Share is Count over the table's base
// (the period's complaints, or the reviews for cause types).
type Count struct {
	Key   string   `json:"key"`
	Label string   `json:"label"`
	Count int      `json:"count"`
	Share *float64 `json:"share,omitempty"`
}

// StepFigures are one step's figures over its completed runs.
type StepFigures struct {
	Step        complaint.Step `json:"step"`
	Label       string         `json:"label"`
	Completed   int            `json:"completed"`
	MedianHours *float64       `json:"median_hours"`
	P90Hours    *float64       `json:"p90_hours"`
	// WithinSLA counts the completed runs not breached; Compliance is its share.
	WithinSLA  int      `json:"within_sla"`
	Compliance *float64 `json:"sla_compliance"`
}

// DepartmentSLA is the SLA compliance of a department's complaints' completed steps.
type DepartmentSLA struct {
	Department string   `json:"department"`
	Label      string   `json:"label"`
	Completed  int      `json:"completed"`
	WithinSLA  int      `json:"within_sla"`
	Compliance *float64 `json:"sla_compliance"`
}

// Comparison sets the report against another period.
type Comparison struct {
	Period
	FromDate string `json:"from_date"`
	ToDate   string `json:"to_date"`
	Total    int    `json:"total"`
	// Delta is this period's total minus the other's; DeltaShare its ratio to
	// the other's total (null when that is zero).
	Delta      int             `json:"delta"`
	DeltaShare *float64        `json:"delta_share"`
	Categories []CategoryDelta `json:"categories"`
}

// CategoryDelta compares one category's count.
type CategoryDelta struct {
	Category   complaint.Category `json:"category"`
	Label      string             `json:"label"`
	Current    int                `json:"current"`
	Other      int                `json:"other"`
	Delta      int                `json:"delta"`
	DeltaShare *float64           `json:"delta_share"`
}

// Ratio is n/d rounded to four places, or nil when d is zero.
func Ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := math.Round(float64(n)/float64(d)*10000) / 10000
	return &r
}

// Hours rounds a number of hours to two places.
func Hours(h float64) *float64 {
	r := math.Round(h*100) / 100
	return &r
}

// Ordered lists counts in the given key order, zeros included, then any other
// key (such as a value an older policy allowed) by count. Shares are over base.
func Ordered[K ~string](order []K, counts map[string]int, label func(string) string, base int) []Count {
	out := make([]Count, 0, len(counts))
	seen := map[string]bool{}
	for _, k := range order {
		out = append(out, Count{Key: string(k), Label: label(string(k)), Count: counts[string(k)], Share: Ratio(counts[string(k)], base)})
		seen[string(k)] = true
	}
	rest := ByCount(counts, label, base)
	for _, c := range rest {
		if !seen[c.Key] {
			out = append(out, c)
		}
	}
	return out
}

// ByCount lists counts from the most to the least frequent, ties by key.
func ByCount(counts map[string]int, label func(string) string, base int) []Count {
	out := make([]Count, 0, len(counts))
	for k, n := range counts {
		out = append(out, Count{Key: k, Label: label(k), Count: n, Share: Ratio(n, base)})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

// Compare builds the comparison with another period's total and category counts.
func Compare(cur *ComplaintAnalysis, other Period, total int, categories map[string]int) Comparison {
	cmpn := Comparison{
		Period: other, FromDate: other.FirstDate(), ToDate: other.LastDate(),
		Total: total, Delta: cur.Total - total, DeltaShare: Ratio(cur.Total-total, total),
	}
	current := map[string]int{}
	for _, c := range cur.ByCategory {
		current[c.Key] = c.Count
	}
	// The procedure's categories first, then any other either period has.
	keys := slices.Clone(complaint.Categories)
	var extra []complaint.Category
	for _, m := range []map[string]int{current, categories} {
		for k := range m {
			if c := complaint.Category(k); !slices.Contains(keys, c) && !slices.Contains(extra, c) {
				extra = append(extra, c)
			}
		}
	}
	slices.Sort(extra)
	keys = append(keys, extra...)
	for _, k := range keys {
		c, o := current[string(k)], categories[string(k)]
		cmpn.Categories = append(cmpn.Categories, CategoryDelta{
			Category: k, Label: CategoryLabel(string(k)), Current: c, Other: o, Delta: c - o, DeltaShare: Ratio(c-o, o),
		})
	}
	return cmpn
}

// StepOrder lists the steps a report shows, in lifecycle order.
var StepOrder = complaint.ActionSteps

// Labels, in Chinese, of the values the report groups by.

func CategoryLabel(k string) string {
	return labelOr(map[string]string{
		string(complaint.CategoryServiceProduct): "服务产品投诉",
		string(complaint.CategoryServiceQuality): "服务质量投诉",
		string(complaint.CategoryContract):       "合同投诉",
	}, k)
}

func SeverityLabel(k string) string {
	if l := complaint.Severity(k).Label(); l != "" {
		return l
	}
	return k
}

func ClassLabel(k string) string {
	return labelOr(map[string]string{"A": "A类", "B": "B类", "C": "C类"}, k)
}

func ChannelLabel(k string) string {
	return labelOr(map[string]string{
		string(complaint.ChannelLetter): "书面", string(complaint.ChannelOral): "口头",
		string(complaint.ChannelPhone): "电话", string(complaint.ChannelEmail): "电子邮件",
		string(complaint.ChannelWeb): "网站",
	}, k)
}

func CauseTypeLabel(k string) string {
	return labelOr(map[string]string{
		string(complaint.CauseChance): "偶然因素", string(complaint.CauseMechanism): "管理机制",
		string(complaint.CauseCooperation): "合作模式",
	}, k)
}

func LevelLabel(k string) string {
	return labelOr(map[string]string{
		string(complaint.LevelOwner): "责任人", string(complaint.LevelDepartmentHead): "部门负责人",
		string(complaint.LevelMarketDepartment): "市场部", string(complaint.LevelGeneralManager): "总经理",
	}, k)
}

// Unassigned is the label of complaints no department has been assigned yet.
const Unassigned = "未分派"

func labelOr(m map[string]string, k string) string {
	if l, ok := m[k]; ok {
		return l
	}
	return k
}

// Finish sets the period's dates; the store calls it once the figures are in.
func (a *ComplaintAnalysis) Finish() {
	a.FromDate, a.ToDate = a.Period.FirstDate(), a.Period.LastDate()
	a.NotFoundedShare = Ratio(a.NotFounded, a.Total)
	a.ReopenRate = Ratio(a.Reopened, a.Founded)
	a.DirectLoss = math.Round(a.DirectLoss*100) / 100
	a.From, a.To = a.From.In(Location), a.To.In(Location)
}
