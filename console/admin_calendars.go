package console

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/calendar"
)

// adminWeekOrder is the week as Chinese calendars print it, Monday first.
var adminWeekOrder = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

func (cs *Console) adminCalendarList(c *gin.Context) ([]calendar.Calendar, *Refusal) {
	list, err := cs.ops.Calendars(c)
	return list, refusalOf(err)
}

// zoneOf is the calendar's time zone; the organisation's when it cannot be loaded.
func (cs *Console) adminZone(cal calendar.Calendar) *time.Location {
	if l, err := time.LoadLocation(cal.TimeZone); err == nil && cal.TimeZone != "" {
		return l
	}
	return cs.loc
}

// adminHoursText writes a working duration in hours: "7.5".
func adminHoursText(d time.Duration) string {
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64)
}

func adminPeriodLength(ps []calendar.Period) time.Duration {
	var sum time.Duration
	for _, p := range ps {
		sum += time.Duration(p.End-p.Start) * time.Minute
	}
	return sum
}

func adminPeriodsText(ps []calendar.Period) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Start.String()+"–"+p.End.String())
	}
	return strings.Join(s, ", ")
}

// adminBreaks is the gaps between a day's working periods (the lunch break).
func adminBreaks(ps []calendar.Period) string {
	var s []string
	for i := 1; i < len(ps); i++ {
		if ps[i].Start > ps[i-1].End {
			s = append(s, ps[i-1].End.String()+"–"+ps[i].Start.String())
		}
	}
	return strings.Join(s, ", ")
}

// adminCalendarSummary is one line of the calendar list.
type adminCalendarSummary struct {
	C calendar.Calendar
	// Days names the working weekdays; Weekly is the working hours in a week.
	Days, Weekly string
	Years        []int
	// Missing are the years whose holidays deadlines will soon need and the
	// calendar lacks: this year, and next year from November, when the State
	// Council publishes it.
	Missing []int
}

func adminSummarise(lang string, cal calendar.Calendar, now time.Time) adminCalendarSummary {
	s := adminCalendarSummary{C: cal, Years: cal.YearNumbers()}
	var days []string
	var week time.Duration
	for _, d := range adminWeekOrder {
		if ps := cal.Week[d]; len(ps) > 0 {
			days = append(days, T(lang, "admin.day."+d))
			week += adminPeriodLength(ps)
		}
	}
	s.Days = strings.Join(days, T(lang, "admin.list_sep"))
	s.Weekly = adminHoursText(week)
	want := []int{now.Year()}
	if now.Month() >= time.November {
		want = append(want, now.Year()+1)
	}
	for _, y := range want {
		if !slices.Contains(s.Years, y) {
			s.Missing = append(s.Missing, y)
		}
	}
	return s
}

type adminCalendarsPage struct {
	Items []adminCalendarSummary
}

func (cs *Console) adminCalendars(c *gin.Context) {
	list, r := cs.adminCalendarList(c)
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	p := cs.base(c, "admin.calendars.title")
	var data adminCalendarsPage
	for _, cal := range list {
		data.Items = append(data.Items, adminSummarise(p.Lang, cal, cs.now().In(cs.adminZone(cal))))
	}
	p.Data = data
	cs.render(c, http.StatusOK, "admin_calendars.html", p)
}

// adminWeekRow is one weekday's working hours.
type adminWeekRow struct {
	Day, Periods, Breaks, Hours string
}

// adminDayCell is one day of the month view; Day 0 is padding.
type adminDayCell struct {
	Day int
	// Kind is work, rest (a weekly day off), holiday or makeup (调休).
	Kind, Name string
}

type adminMonthView struct {
	Month int
	Weeks [][]adminDayCell
	// Notes name the month's holidays and make-up days.
	Notes []string
}

// adminYearForm replaces a year's holidays and make-up days: one line each.
type adminYearForm struct {
	Year                     int
	Holidays, Workdays       string
	HolidayErrs, WorkdayErrs []string
	// Version is the calendar's version the form was read at.
	Version int
}

// adminDueForm is the deadline calculator: a start and working hours.
type adminDueForm struct {
	Start, Hours string
	Errors       adminFieldErrors
	// Due and Span answer a question asked.
	Due, Span string
}

type adminCalendarPage struct {
	C            calendar.Calendar
	Zone         string
	Week         []adminWeekRow
	WorkdayHours string
	Year         int
	Years        []int
	HasYear      bool
	// Missing are the years the calendar needs soon and lacks.
	Missing  []int
	Months   []adminMonthView
	Holidays []calendar.Holiday
	Workdays []calendar.Workday
	Form     *adminYearForm
	Due      *adminDueForm
	Editable bool
	// History is the calendar's saved versions, newest first (empty when
	// unreadable: the page works without it).
	History []adminCalendarVersion
}

// adminCalendarVersion is one row of a calendar's history: who saved it is a
// user's name, or the release that added its shipped holiday years.
type adminCalendarVersion struct {
	Version int
	At      time.Time
	By      string
	Release bool
	Years   []int
}

// adminCalendarHistory reads a calendar's saved versions, naming the users
// who saved them when the reader may list users.
func (cs *Console) adminCalendarHistory(c *gin.Context, name string, editable bool) []adminCalendarVersion {
	history, err := cs.ops.CalendarHistory(c, name)
	if err != nil {
		return nil
	}
	names := map[string]string{}
	if editable {
		if users, err := cs.ops.Users(c, user(c).Actor); err == nil {
			for _, u := range users {
				names[u.ID] = u.Name
			}
		}
	}
	out := make([]adminCalendarVersion, 0, len(history))
	for _, v := range history {
		row := adminCalendarVersion{Version: v.Version, At: v.CreatedAt, By: v.CreatedBy, Years: v.Years}
		if rest, ok := strings.CutPrefix(v.CreatedBy, "release "); ok {
			row.Release, row.By = true, rest
		} else if n := names[v.CreatedBy]; n != "" {
			row.By = n
		}
		out = append(out, row)
	}
	return out
}

func (cs *Console) adminCalendarByName(c *gin.Context, name string) (calendar.Calendar, *Refusal) {
	cal, err := cs.ops.Calendar(c, name)
	return cal, refusalOf(err)
}

func adminYearOf(cal calendar.Calendar, year int) calendar.Year {
	for _, y := range cal.Years {
		if y.Year == year {
			return y
		}
	}
	return calendar.Year{Year: year}
}

// Text forms of a year, as the form takes them back.
func adminHolidayLines(hs []calendar.Holiday) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(h.From.String())
		if h.To != h.From {
			b.WriteString("~" + h.To.String())
		}
		b.WriteString(" " + h.Name + "\n")
	}
	return b.String()
}

func adminWorkdayLines(ws []calendar.Workday) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.Date.String() + " " + w.Name + "\n")
	}
	return b.String()
}

func adminNewYearForm(cal calendar.Calendar, year int) *adminYearForm {
	y := adminYearOf(cal, year)
	return &adminYearForm{Year: year, Holidays: adminHolidayLines(y.Holidays), Workdays: adminWorkdayLines(y.Workdays), Version: cal.Version}
}

// A line is a date or a range, then a name: "2027-02-10~2027-02-16 春节".
var (
	adminHolidayLine = regexp.MustCompile(`^(\d{4}[-/]\d{1,2}[-/]\d{1,2})(?:\s*(?:~|～|至|\.\.|–|—|to)\s*(\d{4}[-/]\d{1,2}[-/]\d{1,2}))?(?:\s+(.*))?$`)
	adminWorkdayLine = regexp.MustCompile(`^(\d{4}[-/]\d{1,2}[-/]\d{1,2})(?:\s+(.*))?$`)
)

func adminParseDay(s string) (calendar.Date, bool) {
	t, err := time.Parse("2006-1-2", strings.ReplaceAll(s, "/", "-"))
	if err != nil {
		return calendar.Date{}, false
	}
	return calendar.Date{Y: t.Year(), M: int(t.Month()), D: t.Day()}, true
}

func adminBefore(a, b calendar.Date) bool {
	return time.Date(a.Y, time.Month(a.M), a.D, 0, 0, 0, 0, time.UTC).Before(time.Date(b.Y, time.Month(b.M), b.D, 0, 0, 0, 0, time.UTC))
}

// lines yields the numbered, trimmed, non-blank lines that are not comments (#).
func adminLines(text string, each func(n int, line string)) {
	for i, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			each(i+1, l)
		}
	}
}

func adminLineErr(lang string, n int, key string, args ...any) string {
	return fmt.Sprintf(T(lang, "admin.year.line"), n, fmt.Sprintf(T(lang, key), args...))
}

// adminParseYear reads the form's two lists, checking each line the way the API
// checks the year, so every mistake is shown by its line at once.
func adminParseYear(lang string, year int, holidays, workdays string) (calendar.Year, []string, []string) {
	y := calendar.Year{Year: year, Holidays: []calendar.Holiday{}, Workdays: []calendar.Workday{}}
	var herrs, werrs []string
	off := map[calendar.Date]string{}
	adminLines(holidays, func(n int, l string) {
		m := adminHolidayLine.FindStringSubmatch(l)
		if m == nil {
			herrs = append(herrs, adminLineErr(lang, n, "admin.year.bad_holiday", l))
			return
		}
		from, ok1 := adminParseDay(m[1])
		to, ok2 := from, true
		if m[2] != "" {
			to, ok2 = adminParseDay(m[2])
		}
		name := strings.TrimSpace(m[3])
		switch {
		case !ok1 || !ok2:
			herrs = append(herrs, adminLineErr(lang, n, "admin.year.bad_date", l))
		case from.Y != year || to.Y != year:
			herrs = append(herrs, adminLineErr(lang, n, "admin.year.outside", year))
		case adminBefore(to, from):
			herrs = append(herrs, adminLineErr(lang, n, "admin.year.backwards"))
		case name == "":
			herrs = append(herrs, adminLineErr(lang, n, "admin.year.no_name"))
		default:
			y.Holidays = append(y.Holidays, calendar.Holiday{Name: name, From: from, To: to})
			for d := from; !adminBefore(to, d); d = adminNextDay(d) {
				off[d] = name
			}
		}
	})
	worked := map[calendar.Date]bool{}
	adminLines(workdays, func(n int, l string) {
		m := adminWorkdayLine.FindStringSubmatch(l)
		if m == nil {
			werrs = append(werrs, adminLineErr(lang, n, "admin.year.bad_workday", l))
			return
		}
		d, ok := adminParseDay(m[1])
		name := strings.TrimSpace(m[2])
		switch {
		case !ok:
			werrs = append(werrs, adminLineErr(lang, n, "admin.year.bad_date", l))
		case d.Y != year:
			werrs = append(werrs, adminLineErr(lang, n, "admin.year.outside", year))
		case off[d] != "":
			werrs = append(werrs, adminLineErr(lang, n, "admin.year.both", d.String(), off[d]))
		case worked[d]:
			werrs = append(werrs, adminLineErr(lang, n, "admin.year.twice", d.String()))
		case name == "":
			werrs = append(werrs, adminLineErr(lang, n, "admin.year.no_name"))
		default:
			worked[d] = true
			y.Workdays = append(y.Workdays, calendar.Workday{Name: name, Date: d})
		}
	})
	return y, herrs, werrs
}

func adminNextDay(d calendar.Date) calendar.Date {
	t := time.Date(d.Y, time.Month(d.M), d.D+1, 0, 0, 0, 0, time.UTC)
	return calendar.Date{Y: t.Year(), M: int(t.Month()), D: t.Day()}
}

// months lays the year out Monday first, each day marked as the calendar
// counts it: a make-up day works, a holiday does not, others follow the week.
func adminMonths(lang string, cal calendar.Calendar, year int) []adminMonthView {
	y := adminYearOf(cal, year)
	off, worked := map[calendar.Date]string{}, map[calendar.Date]string{}
	var out []adminMonthView
	notes := map[int][]string{}
	for _, h := range y.Holidays {
		for d := h.From; !adminBefore(h.To, d); d = adminNextDay(d) {
			off[d] = h.Name
		}
		span := fmt.Sprintf("%d/%d", h.From.M, h.From.D)
		if h.To != h.From {
			span += fmt.Sprintf("–%d/%d", h.To.M, h.To.D)
		}
		notes[h.From.M] = append(notes[h.From.M], fmt.Sprintf(T(lang, "admin.cal.note_off"), span, h.Name))
	}
	for _, w := range y.Workdays {
		worked[w.Date] = w.Name
		notes[w.Date.M] = append(notes[w.Date.M], fmt.Sprintf(T(lang, "admin.cal.note_on"), fmt.Sprintf("%d/%d", w.Date.M, w.Date.D), w.Name))
	}
	for m := 1; m <= 12; m++ {
		first := time.Date(year, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		// Monday-first column of the 1st.
		pad := (int(first.Weekday()) + 6) % 7
		week := make([]adminDayCell, pad)
		mv := adminMonthView{Month: m, Notes: notes[m]}
		for t := first; t.Month() == time.Month(m); t = t.AddDate(0, 0, 1) {
			d := calendar.Date{Y: year, M: m, D: t.Day()}
			cell := adminDayCell{Day: t.Day(), Kind: "rest"}
			switch {
			case worked[d] != "":
				cell.Kind, cell.Name = "makeup", worked[d]
			case off[d] != "":
				cell.Kind, cell.Name = "holiday", off[d]
			case len(cal.Week[strings.ToLower(t.Weekday().String())]) > 0:
				cell.Kind = "work"
			}
			week = append(week, cell)
			if len(week) == 7 {
				mv.Weeks = append(mv.Weeks, week)
				week = nil
			}
		}
		if len(week) > 0 {
			for len(week) < 7 {
				week = append(week, adminDayCell{})
			}
			mv.Weeks = append(mv.Weeks, week)
		}
		out = append(out, mv)
	}
	return out
}

func (cs *Console) adminRenderCalendar(c *gin.Context, status int, cal calendar.Calendar, form *adminYearForm, due *adminDueForm, r *Refusal) {
	p := cs.base(c, "admin.calendar.title")
	p.Title += " · " + cal.Name
	p.Notice = adminNotice(c)
	if r != nil {
		p.Error = adminExplain(p.Lang, r)
	} else if len(form.HolidayErrs)+len(form.WorkdayErrs) > 0 {
		p.Error = T(p.Lang, "admin.fix_fields")
	}
	now := cs.now().In(cs.adminZone(cal))
	data := adminCalendarPage{C: cal, Zone: cal.TimeZone, Year: form.Year, Form: form, Due: due,
		Editable: mayAdminister(user(c).Actor), WorkdayHours: adminPeriodsText(cal.WorkdayHours)}
	if data.WorkdayHours == "" {
		data.WorkdayHours = adminPeriodsText(cal.Week["monday"])
	}
	for _, d := range adminWeekOrder {
		ps := cal.Week[d]
		data.Week = append(data.Week, adminWeekRow{Day: T(p.Lang, "admin.day."+d), Periods: adminPeriodsText(ps),
			Breaks: adminBreaks(ps), Hours: adminHoursText(adminPeriodLength(ps))})
	}
	data.Years = cal.YearNumbers()
	for _, y := range []int{now.Year(), now.Year() + 1, form.Year} {
		if !slices.Contains(data.Years, y) {
			data.Years = append(data.Years, y)
		}
	}
	slices.Sort(data.Years)
	data.HasYear = slices.Contains(cal.YearNumbers(), form.Year)
	data.Missing = adminSummarise(p.Lang, cal, now).Missing
	data.Months = adminMonths(p.Lang, cal, form.Year)
	y := adminYearOf(cal, form.Year)
	data.Holidays, data.Workdays = y.Holidays, y.Workdays
	data.History = cs.adminCalendarHistory(c, cal.Name, data.Editable)
	p.Data = data
	cs.render(c, status, "admin_calendar.html", p)
}

// chosenYear is the ?year= asked for, else this year in the calendar's zone.
func (cs *Console) adminChosenYear(c *gin.Context, cal calendar.Calendar) int {
	if y, err := strconv.Atoi(c.Query("year")); err == nil && y >= 1970 && y <= 9999 {
		return y
	}
	return cs.now().In(cs.adminZone(cal)).Year()
}

func (cs *Console) adminCalendar(c *gin.Context) {
	cal, r := cs.adminCalendarByName(c, c.Param("name"))
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	due := cs.adminAskDue(c, cal)
	status := http.StatusOK
	if len(due.Errors) > 0 {
		status = http.StatusBadRequest
	}
	cs.adminRenderCalendar(c, status, cal, adminNewYearForm(cal, cs.adminChosenYear(c, cal)), due, nil)
}

// askDue answers the deadline calculator through GET /api/v1/calendars/{name}/due.
func (cs *Console) adminAskDue(c *gin.Context, cal calendar.Calendar) *adminDueForm {
	zone := cs.adminZone(cal)
	f := &adminDueForm{Start: c.Query("start"), Hours: c.Query("hours"), Errors: adminFieldErrors{}}
	if f.Start == "" && f.Hours == "" {
		f.Start, f.Hours = cs.now().In(zone).Format("2006-01-02T15:04"), "8"
		return f
	}
	l := lang(c)
	start, err := time.ParseInLocation("2006-01-02T15:04", f.Start, zone)
	if err != nil {
		f.Errors["start"] = T(l, "admin.due.bad_start")
	}
	hours, err := strconv.ParseFloat(strings.TrimSpace(f.Hours), 64)
	if err != nil || hours != hours {
		f.Errors["duration"] = T(l, "admin.due.bad_hours")
	}
	if len(f.Errors) > 0 {
		return f
	}
	d := time.Duration(hours * float64(time.Hour)).Round(time.Second)
	at, err := cs.ops.CalendarDue(c, cal.Name, start, d)
	if r := refusalOf(err); r != nil {
		if !f.Errors.refusal(l, r, "start", "duration") {
			f.Errors["duration"] = adminExplain(l, r)
		}
		return f
	}
	due := at.In(zone)
	f.Due = due.Format("2006-01-02 15:04") + " " + T(l, "admin.day."+strings.ToLower(due.Weekday().String()))
	f.Span = adminHoursText(due.Sub(start).Round(time.Minute))
	return f
}

func (cs *Console) adminReplaceYear(c *gin.Context) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1970 || year > 9999 {
		cs.adminFail(c, &Refusal{Status: http.StatusNotFound})
		return
	}
	cal, r := cs.adminCalendarByName(c, c.Param("name"))
	if r != nil {
		cs.adminFail(c, r)
		return
	}
	l := lang(c)
	form := &adminYearForm{Year: year, Holidays: c.PostForm("holidays"), Workdays: c.PostForm("workdays")}
	form.Version, _ = strconv.Atoi(c.PostForm("version"))
	due := cs.adminAskDue(c, cal)
	// The API replaces the year on whatever the calendar is now; the form was
	// filled in against the version it was read at. Someone else's change in
	// between would be silently undone.
	if form.Version != cal.Version {
		stale := &Refusal{Status: http.StatusConflict, Message: fmt.Sprintf(T(l, "admin.year.stale"), form.Version, cal.Version)}
		form.Version = cal.Version
		cs.adminRenderCalendar(c, http.StatusConflict, cal, form, due, stale)
		return
	}
	y, herrs, werrs := adminParseYear(l, year, form.Holidays, form.Workdays)
	if len(herrs)+len(werrs) > 0 {
		form.HolidayErrs, form.WorkdayErrs = herrs, werrs
		cs.adminRenderCalendar(c, http.StatusBadRequest, cal, form, due, nil)
		return
	}
	_, err = cs.ops.PutCalendarYear(c, user(c).Actor, cal.Name, year, y)
	audited(c, "/api/v1/calendars/:name/years/:year", cal.Name, "", "", err)
	if r := refusalOf(err); r != nil {
		// A 503 means saved but not yet rolled out to open complaints: the form
		// then carries the new version, so saving again retries the roll-out.
		if fresh, rr := cs.adminCalendarByName(c, cal.Name); r.Status == http.StatusServiceUnavailable && rr == nil {
			cal, form.Version = fresh, fresh.Version
		}
		cs.adminRenderCalendar(c, r.Status, cal, form, due, r)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/calendars/"+url.PathEscape(cal.Name)+"?year="+strconv.Itoa(year)+"&done=year_saved")
}
