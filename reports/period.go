// Package reports holds the management reports' types, the periods they cover
// and their rendering as tables, CSV and Excel workbooks. The figures are
// computed by the store, in SQL, from the complaint read model.
package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Location is the time zone report periods are civil dates in.
var Location = loadLocation()

func loadLocation() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	// China has kept UTC+8 without daylight saving since 1991.
	return time.FixedZone("CST", 8*3600)
}

// Period is the half-open interval [From, To) a report covers, optionally one
// branch's complaints only ("" for the whole company).
type Period struct {
	From   time.Time `json:"from" doc:"The start of the period's first day, midnight in Asia/Shanghai."`
	To     time.Time `json:"to" doc:"The end of the period: midnight in Asia/Shanghai after its last day (excluded)."`
	Branch string    `json:"branch,omitempty" doc:"The branch whose complaints are counted; absent for the whole company."`
}

// Date is midnight at the start of a civil date in Location.
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, Location)
}

// Dates is the period from the first civil date to the last, both included.
func Dates(first, last time.Time) Period {
	f, l := first.In(Location), last.In(Location)
	return Period{From: Date(f.Year(), f.Month(), f.Day()), To: Date(l.Year(), l.Month(), l.Day()+1)}
}

// Quarter is the period of quarter q (1–4) of year.
func Quarter(year, q int) Period {
	return Period{From: Date(year, time.Month(3*q-2), 1), To: Date(year, time.Month(3*q+1), 1)}
}

// FirstDate and LastDate are the period's first and last civil dates (the
// last included), as YYYY-MM-DD.
func (p Period) FirstDate() string { return p.From.In(Location).Format(time.DateOnly) }
func (p Period) LastDate() string {
	return p.To.In(Location).Add(-time.Nanosecond).Format(time.DateOnly)
}

// wholeMonths reports how many calendar months the period spans when it runs
// from the first of a month to the first of another.
func (p Period) wholeMonths() (int, bool) {
	f, t := p.From.In(Location), p.To.In(Location)
	if !isMidnight(f) || !isMidnight(t) || f.Day() != 1 || t.Day() != 1 {
		return 0, false
	}
	return (t.Year()-f.Year())*12 + int(t.Month()) - int(f.Month()), true
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// Previous is the period of the same length just before: the previous quarter
// for a quarter, the previous n months for n whole months, else the same
// number of days (or the same duration) before.
func (p Period) Previous() Period {
	f := p.From.In(Location)
	if n, ok := p.wholeMonths(); ok {
		return Period{From: f.AddDate(0, -n, 0), To: p.From, Branch: p.Branch}
	}
	d := p.To.Sub(p.From)
	if isMidnight(f) && isMidnight(p.To.In(Location)) && d%(24*time.Hour) == 0 {
		return Period{From: f.AddDate(0, 0, -int(d/(24*time.Hour))), To: p.From, Branch: p.Branch}
	}
	return Period{From: p.From.Add(-d), To: p.From, Branch: p.Branch}
}

// LastYear is the same period one year earlier.
func (p Period) LastYear() Period {
	return Period{From: p.From.In(Location).AddDate(-1, 0, 0), To: p.To.In(Location).AddDate(-1, 0, 0), Branch: p.Branch}
}

// ParamError names the query parameter at fault.
type ParamError struct {
	Param   string
	Message string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

func paramErr(param, format string, args ...any) error {
	return &ParamError{Param: param, Message: fmt.Sprintf(format, args...)}
}

// periodParams are the ways a period can be given, one at a time.
var periodParams = []string{"quarter", "half", "year", "month", "from"}

// ParseQuery reads a period from query parameters: quarter=2026Q1, half=2026H1,
// year=2026, month=2026-03, or from=2026-01-01&to=2026-03-31 (to included),
// all civil dates in Asia/Shanghai. The branch is left to the caller.
func ParseQuery(get func(string) string) (Period, error) {
	var given []string
	for _, k := range periodParams {
		if get(k) != "" {
			given = append(given, k)
		}
	}
	if get("to") != "" && get("from") == "" {
		return Period{}, paramErr("from", "to needs from (YYYY-MM-DD)")
	}
	switch len(given) {
	case 0:
		return Period{}, paramErr("quarter", "give the period: quarter=2026Q1, half=2026H1, year=2026, month=2026-03, or from and to (YYYY-MM-DD)")
	case 1:
	default:
		return Period{}, paramErr(given[1], "give the period one way only, not both %s and %s", given[0], given[1])
	}
	k := given[0]
	v := strings.TrimSpace(get(k))
	switch k {
	case "quarter":
		y, rest, ok := yearPrefix(v)
		if !ok || len(rest) != 2 || (rest[0] != 'Q' && rest[0] != 'q') || rest[1] < '1' || rest[1] > '4' {
			return Period{}, paramErr(k, "must look like 2026Q1 (quarters 1 to 4), not %q", v)
		}
		return Quarter(y, int(rest[1]-'0')), nil
	case "half":
		h, ok := ParseHalf(v)
		if !ok {
			return Period{}, paramErr(k, "must look like 2026H1 (halves 1 and 2), not %q", v)
		}
		return h.Period(), nil
	case "year":
		y, rest, ok := yearPrefix(v)
		if !ok || rest != "" {
			return Period{}, paramErr(k, "must be a year such as 2026, not %q", v)
		}
		return Period{From: Date(y, 1, 1), To: Date(y+1, 1, 1)}, nil
	case "month":
		t, err := time.ParseInLocation("2006-01", v, Location)
		if err != nil || !validYear(t.Year()) {
			return Period{}, paramErr(k, "must look like 2026-03, not %q", v)
		}
		return Period{From: t, To: t.AddDate(0, 1, 0)}, nil
	}
	from, err := parseDate("from", v)
	if err != nil {
		return Period{}, err
	}
	if get("to") == "" {
		return Period{}, paramErr("to", "from needs to, the last day included (YYYY-MM-DD)")
	}
	to, err := parseDate("to", strings.TrimSpace(get("to")))
	if err != nil {
		return Period{}, err
	}
	if to.Before(from) {
		return Period{}, paramErr("to", "must not be before from")
	}
	return Dates(from, to), nil
}

func parseDate(param, v string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, v, Location)
	if err != nil || !validYear(t.Year()) {
		return time.Time{}, paramErr(param, "must be a date such as 2026-03-31, not %q", v)
	}
	return t, nil
}

func validYear(y int) bool { return y >= 1900 && y <= 9998 }

func yearPrefix(v string) (int, string, bool) {
	if len(v) < 4 {
		return 0, "", false
	}
	y, err := strconv.Atoi(v[:4])
	if err != nil || v[0] == '+' || v[0] == '-' || !validYear(y) {
		return 0, "", false
	}
	return y, v[4:], true
}
