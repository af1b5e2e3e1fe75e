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
	FromDate string `json:"from_date" doc:"The period's first day, YYYY-MM-DD."`
	ToDate   string `json:"to_date" doc:"The period's last day (included), YYYY-MM-DD."`

	Total      int `json:"total" doc:"Complaints received in the period."`
	Founded    int `json:"founded" doc:"Of them, those validated as founded (成立)."`
	NotFounded int `json:"not_founded" doc:"Of them, those validated as not founded; those not yet validated count in neither."`
	// NotFoundedShare is NotFounded / Total; null when there is no complaint.
	NotFoundedShare *float64 `json:"not_founded_share" doc:"not_founded / total; null when there is no complaint."`
	// Reopened counts complaints reopened at least once, Reopenings the times;
	// ReopenRate is Reopened / Founded.
	Reopened   int      `json:"reopened" doc:"Complaints reopened (sent back by an unsatisfied customer) at least once."`
	Reopenings int      `json:"reopenings" doc:"How many times they were reopened in all."`
	ReopenRate *float64 `json:"reopen_rate" doc:"reopened / founded; null when none is founded."`
	// DirectLoss is the sum of the complaints' estimated direct losses (RMB).
	DirectLoss float64 `json:"direct_loss" doc:"The sum of the complaints' estimated direct losses, in RMB, rounded to the fen."`

	ByCategory   []Count `json:"by_category" doc:"By category: every category of the procedure (zeros included) in order, then any other a complaint holds."`
	BySeverity   []Count `json:"by_severity" doc:"By severity: every severity, least severe first (zeros included), then any other."`
	ByClass      []Count `json:"by_complainant_class" doc:"By complainant class: A, B and C (zeros included), then any other."`
	ByChannel    []Count `json:"by_channel" doc:"By channel: every channel (zeros included), then any other."`
	ByDepartment []Count `json:"by_department"`
	ByBranch     []Count `json:"by_branch" doc:"By branch (key the branch ID, empty for headquarters' complaints, labelled 总部), most frequent first."`

	// Steps are the handling times and SLA compliance of completed steps.
	Steps []StepFigures `json:"steps" doc:"Every step with a time limit, in procedure order (a step no longer in the procedure after them)."`
	// Departments is the SLA compliance of completed steps by assigned department.
	Departments []DepartmentSLA `json:"department_sla" doc:"By responsible department, most completed steps first."`
	// Escalations counts the escalations made in the period by level.
	Escalations []Count `json:"escalations" doc:"The escalations made in the period, by level (department_head, market_department, general_manager, zeros included), whenever their complaints were received."`
	// CauseTypes counts the reviews' cause types; RootCauses the ten most
	// frequent root causes.
	CauseTypes []Count `json:"cause_types" doc:"The reviews' cause types (原因类型); share is over the reviewed complaints."`
	RootCauses []Count `json:"top_root_causes" doc:"The ten most frequent root causes as written (key and label alike), most frequent first."`

	PreviousPeriod Comparison `json:"previous_period" doc:"Against the period of the same length just before: the previous quarter, half, year or months, else as many days before."`
	LastYear       Comparison `json:"same_period_last_year" doc:"Against the same period one year earlier."`
}

// Count is how many things have a key. Share is Count over the table's base
// (the period's complaints, or the reviews for cause types).
type Count struct {
	Key   string   `json:"key" doc:"The value counted, e.g. service_product, a department ID or a root cause."`
	Label string   `json:"label" doc:"The key's Chinese label, e.g. 服务产品投诉; the key itself where it has none."`
	Count int      `json:"count"`
	Share *float64 `json:"share,omitempty"`
}

// StepFigures are one step's figures over its completed runs.
type StepFigures struct {
	Step        complaint.Step `json:"step"`
	Label       string         `json:"label"`
	Completed   int            `json:"completed" doc:"Runs of the step completed."`
	MedianHours *float64       `json:"median_hours" doc:"The median wall-clock hours from a run's start to its completion, to two places; null when none completed."`
	P90Hours    *float64       `json:"p90_hours" doc:"The 90th percentile of the same; null when none completed."`
	// WithinSLA counts the completed runs not breached; Compliance is its share.
	WithinSLA  int      `json:"within_sla" doc:"Completed runs whose SLA was not breached."`
	Compliance *float64 `json:"sla_compliance" doc:"within_sla / completed; null when none completed."`
}

// DepartmentSLA is the SLA compliance of a department's complaints' completed steps.
type DepartmentSLA struct {
	Department string   `json:"department" doc:"The department's ID; empty for steps before assignment."`
	Label      string   `json:"label"`
	Completed  int      `json:"completed"`
	WithinSLA  int      `json:"within_sla"`
	Compliance *float64 `json:"sla_compliance" doc:"within_sla / completed; null when none completed."`
}

// Comparison sets the report against another period.
type Comparison struct {
	Period
	FromDate string `json:"from_date"`
	ToDate   string `json:"to_date"`
	Total    int    `json:"total" doc:"Complaints received in the other period."`
	// Delta is this period's total minus the other's; DeltaShare its ratio to
	// the other's total (null when that is zero).
	Delta      int             `json:"delta" doc:"This period's total minus the other's."`
	DeltaShare *float64        `json:"delta_share" doc:"delta / the other's total; null when that is zero."`
	Categories []CategoryDelta `json:"categories" doc:"Every category of the procedure, then any other either period has."`
}

// CategoryDelta compares one category's count.
type CategoryDelta struct {
	Category   complaint.Category `json:"category"`
	Label      string             `json:"label"`
	Current    int                `json:"current" doc:"Its count in this period."`
	Other      int                `json:"other" doc:"Its count in the other period."`
	Delta      int                `json:"delta" doc:"current minus other."`
	DeltaShare *float64           `json:"delta_share" doc:"delta / other; null when other is zero."`
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
