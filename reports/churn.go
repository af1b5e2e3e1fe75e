package reports

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cxflow/cxflow/survey"
)

// Half is a half year, 2026H1 (January–June) or 2026H2.
type Half struct {
	Year int
	H    int
}

// ParseHalf reads 2026H1 or 2026h2.
func ParseHalf(v string) (Half, bool) {
	v = strings.TrimSpace(v)
	y, rest, ok := yearPrefix(v)
	if !ok || len(rest) != 2 || (rest[0] != 'H' && rest[0] != 'h') || rest[1] < '1' || rest[1] > '2' {
		return Half{}, false
	}
	return Half{Year: y, H: int(rest[1] - '0')}, true
}

func (h Half) String() string { return fmt.Sprintf("%04dH%d", h.Year, h.H) }

// Previous is the half year before.
func (h Half) Previous() Half {
	if h.H == 2 {
		return Half{Year: h.Year, H: 1}
	}
	return Half{Year: h.Year - 1, H: 2}
}

// Period is the half year's dates.
func (h Half) Period() Period {
	return Period{From: Date(h.Year, time.Month(6*h.H-5), 1), To: Date(h.Year, time.Month(6*h.H+1), 1)}
}

// DefaultDeclineShare is the drop against the previous half year from which
// a customer counts as declined (20 %).
const DefaultDeclineShare = 0.20

// Churn statuses.
const (
	ChurnDeclined = "declined"
	ChurnLost     = "lost"
)

// Volume is a customer's purchase volume (采购额, RMB) in a half year.
type Volume struct {
	CustomerID string  `json:"customer_id"`
	Period     string  `json:"period"`
	Volume     float64 `json:"volume"`
}

// ClassifyChurn compares a customer's volume with the previous half year's
// (nil: none recorded). A customer who bought before (previous > 0) and buys
// nothing now (0 or no record) is lost; one whose volume fell by at least
// share of the previous is declined, exactly share included. A new customer
// (nothing before) or a steady one is not flagged (""). Drop is previous −
// current; DropShare is Drop / previous.
func ClassifyChurn(previous, current *float64, share float64) (status string, drop, dropShare float64) {
	if previous == nil || *previous <= 0 {
		return "", 0, 0
	}
	cur := 0.0
	if current != nil {
		cur = *current
	}
	drop = *previous - cur
	dropShare = drop / *previous
	switch {
	case cur <= 0:
		return ChurnLost, drop, dropShare
	// Compare in cents so that an exact 20 % drop is not lost to rounding.
	case drop > 0 && roundCents(drop) >= roundCents(*previous*share):
		return ChurnDeclined, drop, dropShare
	}
	return "", drop, dropShare
}

func roundCents(v float64) int64 { return int64(v*100 + 0.5) }

// ChurnReport is the customer churn and volume-decline analysis (客户流失统计, 000):
// each customer's purchase volume in a half year against the previous one.
type ChurnReport struct {
	Half         string  `json:"half"`
	PreviousHalf string  `json:"previous_half"`
	DeclineShare float64 `json:"decline_share"`
	// Customers counts those with a volume recorded in either half year.
	Customers int `json:"customers"`
	Declined  int `json:"declined"`
	Lost      int `json:"lost"`
	New       int `json:"new"`
	// Flagged are the declined and lost customers, the largest drop first.
	Flagged []ChurnCustomer `json:"flagged"`
}

// ChurnCustomer is a declined or lost customer with what may explain it.
type ChurnCustomer struct {
	CustomerID     string   `json:"customer_id"`
	Name           string   `json:"name"`
	Status         string   `json:"status"`
	PreviousVolume float64  `json:"previous_volume"`
	Volume         *float64 `json:"volume"`
	Drop           float64  `json:"drop"`
	DropShare      float64  `json:"drop_share"`
	// Complaints are those received in the two half years whose
	// customer.organisation or customer.name equals the customer's name,
	// ignoring case and spaces (complaints carry no customer ID).
	Complaints []ChurnComplaint `json:"complaints"`
	// LatestSurvey is the customer's latest answer by name, if any.
	LatestSurvey *ChurnSurvey `json:"latest_survey"`
}

// ChurnComplaint is a complaint matched to a customer by name.
type ChurnComplaint struct {
	ID         string    `json:"id"`
	Number     string    `json:"number"`
	Subject    string    `json:"subject"`
	Category   string    `json:"category"`
	Status     string    `json:"status"`
	ReceivedAt time.Time `json:"received_at"`
}

// ChurnSurvey is a customer's latest survey answer: its overall score is the
// mean score of its ratings on the cycle's scale.
type ChurnSurvey struct {
	CycleID    string    `json:"cycle_id"`
	AnsweredAt time.Time `json:"answered_at"`
	Scale      string    `json:"scale"`
	Score      *float64  `json:"score"`
}

// AnswerScore is the mean score of an answer's ratings on the scale; nil when
// it rated nothing the scale knows.
func AnswerScore(s survey.Scale, ratings map[string]string) *float64 {
	sum, n := 0.0, 0
	for _, code := range ratings {
		if l, _, ok := s.Find(code); ok {
			sum += l.Score
			n++
		}
	}
	if n == 0 {
		return nil
	}
	m := sum / float64(n)
	return &m
}

// NormaliseName folds case and drops every space (full-width too), the key
// customers and complaints are matched on.
func NormaliseName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if !unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// volumeColumns are the columns of a volume import, by English and Chinese header.
var volumeColumns = map[string]string{
	"customer_id": "customer_id", "客户编号": "customer_id",
	"period": "period", "期间": "period",
	"volume": "volume", "采购额": "volume",
}

// ParseVolumesCSV reads a volume import: a header naming customer_id
// (客户编号), period (期间, 2026H1) and volume (采购额, RMB, ≥ 0; thousands
// separators and a 万 suffix accepted). A file without those columns is an
// error; a bad row is reported with its line and field and left out. A later
// row for the same customer and period replaces an earlier one.
func ParseVolumesCSV(r io.Reader) ([]Volume, []survey.RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("the file is empty: a header line is needed")
	}
	if err != nil {
		return nil, nil, err
	}
	idx := map[string]int{}
	names := map[string]string{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		f, ok := volumeColumns[strings.ToLower(h)]
		if !ok {
			return nil, nil, fmt.Errorf("unknown column %q: the columns are customer_id (客户编号), period (期间), volume (采购额)", h)
		}
		if _, dup := idx[f]; dup {
			return nil, nil, fmt.Errorf("column %q is repeated", h)
		}
		idx[f], names[f] = i, h
	}
	for _, f := range []string{"customer_id", "period", "volume"} {
		if _, ok := idx[f]; !ok {
			return nil, nil, fmt.Errorf("column %s is missing", f)
		}
	}
	var out []Volume
	var errs []survey.RowError
	at := map[[2]string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, survey.RowError{Line: pe.Line, Message: pe.Err.Error()})
				continue
			}
			return nil, nil, err
		}
		if len(rec) != len(header) {
			errs = append(errs, survey.RowError{Line: line, Message: fmt.Sprintf("has %d cells, the header %d", len(rec), len(header))})
			continue
		}
		blank := true
		for _, c := range rec {
			if strings.TrimSpace(c) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		bad := func(f, msg string) {
			errs = append(errs, survey.RowError{Line: line, Field: f, Column: names[f], Message: msg})
		}
		id := strings.TrimSpace(rec[idx["customer_id"]])
		if id == "" || len(id) > 100 {
			bad("customer_id", "is required (at most 100 characters)")
			continue
		}
		h, ok := ParseHalf(rec[idx["period"]])
		if !ok {
			bad("period", "must be a half year such as 2026H1")
			continue
		}
		v, ok := parseVolume(rec[idx["volume"]])
		if !ok {
			bad("volume", "must be an amount of RMB, 0 or more, such as 1200000, 1,200,000 or 120万")
			continue
		}
		k := [2]string{id, h.String()}
		if i, seen := at[k]; seen {
			out[i].Volume = v
			continue
		}
		at[k] = len(out)
		out = append(out, Volume{CustomerID: id, Period: h.String(), Volume: v})
	}
	return out, errs, nil
}

func parseVolume(s string) (float64, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	s = strings.TrimSuffix(s, "元")
	mult := 1.0
	if t, ok := strings.CutSuffix(s, "万"); ok {
		s, mult = strings.TrimSpace(t), 10000
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v*mult >= 1e14 || v != v {
		return 0, false
	}
	return float64(roundCents(v*mult)) / 100, true
}

// Tables lays the churn report out as tables.
func (r ChurnReport) Tables(lang Language) []Table {
	t := lang.Pick
	summary := Table{Name: t("概要", "Summary"), Headers: []string{t("指标", "Figure"), t("数值", "Value")}, Rows: [][]any{
		{t("本期", "Half year"), r.Half},
		{t("上期", "Previous half year"), r.PreviousHalf},
		{t("下降判定比例", "Decline from"), Percent(r.DeclineShare)},
		{t("客户数", "Customers"), r.Customers},
		{t("采购下降客户", "Declined"), r.Declined},
		{t("流失客户", "Lost"), r.Lost},
		{t("新客户", "New"), r.New},
	}}
	status := func(s string) string {
		if s == ChurnLost {
			return t("流失", "lost")
		}
		return t("下降", "declined")
	}
	flagged := Table{Name: t("流失与下降客户", "Flagged customers"), Headers: []string{
		t("客户编号", "Customer"), t("客户名称", "Name"), t("状态", "Status"), t("上期采购额", "Previous volume"),
		t("本期采购额", "Volume"), t("下降额", "Drop"), t("下降比例", "Drop share"), t("投诉数", "Complaints"),
		t("最近调查得分", "Latest survey score"),
	}}
	complaints := Table{Name: t("相关投诉", "Complaints"), Headers: []string{
		t("客户编号", "Customer"), t("投诉编号", "Number"), t("受理时间", "Received"), t("类别", "Category"), t("状态", "Status"), t("主题", "Subject"),
	}}
	for _, c := range r.Flagged {
		var vol, score any
		if c.Volume != nil {
			vol = Money(*c.Volume)
		}
		if c.LatestSurvey != nil {
			score = number(c.LatestSurvey.Score)
		}
		flagged.Rows = append(flagged.Rows, []any{c.CustomerID, c.Name, status(c.Status), Money(c.PreviousVolume), vol,
			Money(c.Drop), Percent(c.DropShare), len(c.Complaints), score})
		for _, x := range c.Complaints {
			complaints.Rows = append(complaints.Rows, []any{c.CustomerID, x.Number, x.ReceivedAt.In(Location).Format(time.DateTime), x.Category, x.Status, x.Subject})
		}
	}
	return []Table{summary, flagged, complaints}
}
