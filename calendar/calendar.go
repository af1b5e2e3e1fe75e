// Package calendar is working-time arithmetic over a working calendar: working
// hours per weekday with breaks, a time zone, statutory holidays and make-up
// working days (调休). The functions are pure and deterministic, so workflow code
// may call them with a calendar held in its state.
package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// DefaultName is the calendar every department uses unless it names another.
const DefaultName = "default"

// ErrNoWorkingTime is returned when a calendar has no working time within the
// search horizon: a deadline would never come.
var ErrNoWorkingTime = errors.New("the calendar has no working time")

// horizon bounds every search, so a calendar without working time fails
// instead of looping.
const horizon = 10 * 366

// Clock is a time of day in minutes after midnight, written "08:30".
type Clock int

func ParseClock(s string) (Clock, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		if s == "24:00" {
			return 24 * 60, nil
		}
		return 0, fmt.Errorf("time of day %q must be HH:MM", s)
	}
	return Clock(t.Hour()*60 + t.Minute()), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Period is one stretch of working time in a day, e.g. 08:30–12:00.
type Period struct {
	Start Clock
	End   Clock
}

func (p Period) String() string { return p.Start.String() + "-" + p.End.String() }

func (p Period) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

func (p *Period) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a working period is a string like \"08:30-12:00\": %w", err)
	}
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return fmt.Errorf("working period %q must be HH:MM-HH:MM", s)
	}
	var err error
	if p.Start, err = ParseClock(strings.TrimSpace(from)); err != nil {
		return err
	}
	if p.End, err = ParseClock(strings.TrimSpace(to)); err != nil {
		return err
	}
	return nil
}

// Date is a civil date in the calendar's time zone, written "2026-02-14".
type Date struct{ Y, M, D int }

func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q must be YYYY-MM-DD", s)
	}
	return dateOf(t), nil
}

func dateOf(t time.Time) Date { return Date{t.Year(), int(t.Month()), t.Day()} }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D) }

func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date is a string like \"2026-02-14\": %w", err)
	}
	v, err := ParseDate(s)
	*d = v
	return err
}

// at is the instant of a time of day on this date in loc.
func (d Date) at(c Clock, loc *time.Location) time.Time {
	return time.Date(d.Y, time.Month(d.M), d.D, int(c)/60, int(c)%60, 0, 0, loc)
}

func (d Date) next() Date {
	return dateOf(time.Date(d.Y, time.Month(d.M), d.D+1, 0, 0, 0, 0, time.UTC))
}

func (d Date) weekday() time.Weekday {
	return time.Date(d.Y, time.Month(d.M), d.D, 0, 0, 0, 0, time.UTC).Weekday()
}

func (d Date) before(o Date) bool {
	if d.Y != o.Y {
		return d.Y < o.Y
	}
	if d.M != o.M {
		return d.M < o.M
	}
	return d.D < o.D
}

// Holiday is a run of days off (inclusive).
type Holiday struct {
	Name string `json:"name" doc:"The holiday's name, e.g. 春节."`
	From Date   `json:"from" doc:"The first day off."`
	To   Date   `json:"to" doc:"The last day off, not before from."`
}

// Workday is a weekend day that is worked (调休).
type Workday struct {
	Name string `json:"name" doc:"The holiday the day is worked for, e.g. 春节调休."`
	Date Date   `json:"date" doc:"The day worked."`
}

// Year is one year's statutory holidays and make-up working days, as the State
// Council publishes them each November or December.
type Year struct {
	Year     int       `json:"year" doc:"The year, 1970 to 9999."`
	Holidays []Holiday `json:"holidays"`
	Workdays []Workday `json:"workdays"`
}

// Version is one saved version of a calendar, for its history: when and by
// whom (a user's ID, or "release …" for holiday years a release added at
// start-up) it was saved, and the years of holidays it holds.
type Version struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Years     []int     `json:"years"`
}

// Week holds the working periods of each weekday, keyed "monday" … "sunday".
type Week map[string][]Period

var weekdayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// Calendar is a working calendar as stored and exchanged.
type Calendar struct {
	Name     string `json:"name" doc:"The calendar's name, as complaints and policies refer to it."`
	TimeZone string `json:"time_zone" doc:"An IANA time zone, e.g. Asia/Shanghai; working periods and dates are in it."`
	Week     Week   `json:"week" doc:"The working periods of each weekday, in order and not overlapping; a weekday left out has no working time."`
	// WorkdayHours are the periods of a make-up working day; default Monday's.
	WorkdayHours []Period `json:"workday_hours,omitempty" doc:"The working periods of a make-up working day (调休); Monday's when absent."`
	Years        []Year   `json:"years" doc:"Statutory holidays and make-up working days, one entry per year."`
	// Version increases with every change, so a complaint knows which calendar it follows.
	Version int `json:"version" doc:"Increases with every change. Send the version you read when replacing the calendar."`
}

// Validate checks the calendar can be used, naming the part at fault.
func (c Calendar) Validate() error {
	if c.Name == "" {
		return errors.New("name is required")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		return fmt.Errorf("time_zone %q is not a known time zone (e.g. Asia/Shanghai)", c.TimeZone)
	}
	for day, ps := range c.Week {
		if dayIndex(day) < 0 {
			return fmt.Errorf("week: %q is not a weekday (monday … sunday)", day)
		}
		if err := checkPeriods("week."+day, ps); err != nil {
			return err
		}
	}
	if err := checkPeriods("workday_hours", c.WorkdayHours); err != nil {
		return err
	}
	seen := map[int]bool{}
	for _, y := range c.Years {
		if err := y.Validate(); err != nil {
			return err
		}
		if seen[y.Year] {
			return fmt.Errorf("years: %d is given twice", y.Year)
		}
		seen[y.Year] = true
	}
	return nil
}

// Validate checks one year's data: dates inside the year, ranges in order, and
// no day both off and worked.
func (y Year) Validate() error {
	if y.Year < 1970 || y.Year > 9999 {
		return fmt.Errorf("year %d is out of range", y.Year)
	}
	off := map[Date]bool{}
	for _, h := range y.Holidays {
		if h.From.Y != y.Year || h.To.Y != y.Year {
			return fmt.Errorf("years.%d: holiday %q (%s–%s) lies outside the year", y.Year, h.Name, h.From, h.To)
		}
		if h.To.before(h.From) {
			return fmt.Errorf("years.%d: holiday %q ends before it starts", y.Year, h.Name)
		}
		for d := h.From; !h.To.before(d); d = d.next() {
			off[d] = true
		}
	}
	for _, w := range y.Workdays {
		if w.Date.Y != y.Year {
			return fmt.Errorf("years.%d: workday %s lies outside the year", y.Year, w.Date)
		}
		if off[w.Date] {
			return fmt.Errorf("years.%d: %s is both a holiday and a workday", y.Year, w.Date)
		}
	}
	return nil
}

func dayIndex(name string) int {
	for i, n := range weekdayNames {
		if n == name {
			return i
		}
	}
	return -1
}

func checkPeriods(field string, ps []Period) error {
	for i, p := range ps {
		if p.Start < 0 || p.End > 24*60 || p.End <= p.Start {
			return fmt.Errorf("%s: period %s must start before it ends, within the day", field, p)
		}
		if i > 0 && p.Start < ps[i-1].End {
			return fmt.Errorf("%s: periods must be in order and not overlap (%s after %s)", field, p, ps[i-1])
		}
	}
	return nil
}

// Hours is a calendar compiled for arithmetic.
type Hours struct {
	loc      *time.Location
	week     [7][]Period
	workday  []Period
	off      map[Date]bool
	worked   map[Date]bool
	anyHours bool
	name     string
	version  int
}

// Compile prepares a validated calendar for arithmetic.
func (c Calendar) Compile() (*Hours, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("calendar %s: %w", c.Name, err)
	}
	loc, _ := time.LoadLocation(c.TimeZone)
	h := &Hours{loc: loc, off: map[Date]bool{}, worked: map[Date]bool{}, name: c.Name, version: c.Version}
	for day, ps := range c.Week {
		h.week[dayIndex(day)] = ps
		h.anyHours = h.anyHours || len(ps) > 0
	}
	h.workday = c.WorkdayHours
	if len(h.workday) == 0 {
		h.workday = h.week[time.Monday]
	}
	for _, y := range c.Years {
		for _, hol := range y.Holidays {
			for d := hol.From; !hol.To.before(d); d = d.next() {
				h.off[d] = true
			}
		}
		for _, w := range y.Workdays {
			h.worked[w.Date] = true
			h.anyHours = h.anyHours || len(h.workday) > 0
		}
	}
	return h, nil
}

// Name and Version identify the calendar the hours were compiled from.
func (h *Hours) Name() string             { return h.name }
func (h *Hours) Version() int             { return h.version }
func (h *Hours) Location() *time.Location { return h.loc }

// periods are the working periods of a date: a make-up day works, a holiday
// does not, other days follow the week.
func (h *Hours) periods(d Date) []Period {
	switch {
	case h.worked[d]:
		return h.workday
	case h.off[d]:
		return nil
	}
	return h.week[d.weekday()]
}

// Add returns the instant at which d of working time has passed since start.
// Time before the first working period, breaks, nights, weekends and holidays
// do not count. Adding zero returns start.
func (h *Hours) Add(start time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, errors.New("cannot add a negative working duration")
	}
	if d == 0 {
		return start, nil
	}
	if !h.anyHours {
		return time.Time{}, ErrNoWorkingTime
	}
	t := start.In(h.loc)
	day := dateOf(t)
	left := d
	for range horizon {
		for _, p := range h.periods(day) {
			ps, pe := day.at(p.Start, h.loc), day.at(p.End, h.loc)
			if !pe.After(t) {
				continue
			}
			from := t
			if ps.After(from) {
				from = ps
			}
			if avail := pe.Sub(from); left <= avail {
				return from.Add(left).In(start.Location()), nil
			} else {
				left -= avail
			}
		}
		day = day.next()
		t = day.at(0, h.loc)
	}
	return time.Time{}, ErrNoWorkingTime
}

// Elapsed is the working time between from and to; zero when to is not after from.
func (h *Hours) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	var sum time.Duration
	f, tt := from.In(h.loc), to.In(h.loc)
	end := dateOf(tt)
	for day := dateOf(f); !end.before(day); day = day.next() {
		for _, p := range h.periods(day) {
			ps, pe := day.at(p.Start, h.loc), day.at(p.End, h.loc)
			if ps.Before(f) {
				ps = f
			}
			if pe.After(tt) {
				pe = tt
			}
			if pe.After(ps) {
				sum += pe.Sub(ps)
			}
		}
	}
	return sum
}

// IsWorking reports whether t falls in working time.
func (h *Hours) IsWorking(t time.Time) bool {
	t = t.In(h.loc)
	day := dateOf(t)
	for _, p := range h.periods(day) {
		if !t.Before(day.at(p.Start, h.loc)) && t.Before(day.at(p.End, h.loc)) {
			return true
		}
	}
	return false
}

// Years lists the years the calendar has holiday data for, in order.
func (c Calendar) YearNumbers() []int {
	var ys []int
	for _, y := range c.Years {
		ys = append(ys, y.Year)
	}
	sort.Ints(ys)
	return ys
}
