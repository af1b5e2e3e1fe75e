package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
)

// hoursCache keeps compiled calendars for reads (SLA figures, due/elapsed).
// Entries expire so another API instance's edits are seen within a minute;
// this instance's own edits replace the entry at once.
type hoursCache struct {
	mu      sync.Mutex
	entries map[string]cachedHours
	ttl     time.Duration
}

type cachedHours struct {
	hours   *calendar.Hours
	expires time.Time
}

func (s *Server) hours(ctx context.Context, name string) (*calendar.Hours, error) {
	s.cache.mu.Lock()
	e, ok := s.cache.entries[name]
	s.cache.mu.Unlock()
	if ok && time.Now().Before(e.expires) {
		return e.hours, nil
	}
	c, err := s.store.Calendar(ctx, name)
	if err != nil {
		return nil, err
	}
	h, err := c.Compile()
	if err != nil {
		return nil, err
	}
	s.remember(h)
	return h, nil
}

func (s *Server) remember(h *calendar.Hours) {
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.entries == nil {
		s.cache.entries = map[string]cachedHours{}
	}
	s.cache.entries[h.Name()] = cachedHours{hours: h, expires: time.Now().Add(s.cache.ttl)}
}

// measureFor counts a complaint's clock time on its calendar; nil (figures as
// last recorded) when the calendar cannot be read.
func (s *Server) measureFor(ctx context.Context, c complaint.Complaint) complaint.Measure {
	var h *calendar.Hours
	if c.Calendar != "" {
		var err error
		if h, err = s.hours(ctx, c.Calendar); err != nil {
			s.log.Warn("calendar unavailable for SLA figures", "calendar", c.Calendar, "err", err)
			return nil
		}
	}
	return func(kind complaint.ClockKind, from, to time.Time) time.Duration {
		if kind == complaint.ClockWorking && h != nil {
			return h.Elapsed(from, to)
		}
		return to.Sub(from)
	}
}

func (s *Server) listCalendars(c *gin.Context) {
	list, err := s.store.Calendars(c)
	if err != nil {
		s.internal(c, "list calendars", err)
		return
	}
	c.JSON(http.StatusOK, CalendarList{Items: list})
}

// CalendarList is every working calendar.
type CalendarList struct {
	Items []calendar.Calendar `json:"items"`
}

func (s *Server) getCalendar(c *gin.Context) {
	cal, ok := s.loadCalendar(c)
	if ok {
		c.JSON(http.StatusOK, cal)
	}
}

func (s *Server) loadCalendar(c *gin.Context) (calendar.Calendar, bool) {
	cal, err := s.store.Calendar(c, c.Param("name"))
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "calendar "+strconv.Quote(c.Param("name"))+" not found", "")
		return cal, false
	}
	if err != nil {
		s.internal(c, "read the calendar", err)
		return cal, false
	}
	return cal, true
}

// CalendarHistory is a calendar's saved versions, newest first.
type CalendarHistory struct {
	Items []store.CalendarVersion `json:"items"`
}

func (s *Server) calendarHistory(c *gin.Context) {
	if _, ok := s.loadCalendar(c); !ok {
		return
	}
	list, err := s.store.CalendarHistory(c, c.Param("name"))
	if err != nil {
		s.internal(c, "read the calendar's history", err)
		return
	}
	c.JSON(http.StatusOK, CalendarHistory{Items: list})
}

// putCalendar creates or replaces a calendar. The body's version must be the
// version it was read at (0 to create), so two administrators cannot silently
// overwrite each other.
func (s *Server) putCalendar(c *gin.Context) {
	var in calendar.Calendar
	if !bindJSON(c, &in, "") {
		return
	}
	if in.Name == "" {
		in.Name = c.Param("name")
	}
	if in.Name != c.Param("name") {
		abort(c, http.StatusBadRequest, "name must match the path", "name")
		return
	}
	if err := in.Validate(); err != nil {
		abort(c, http.StatusBadRequest, err.Error(), "")
		return
	}
	s.saveCalendar(c, in, in.Version)
}

// putCalendarYear adds or corrects one year's holidays and make-up days, the
// yearly chore when the State Council publishes the next year's schedule.
func (s *Server) putCalendarYear(c *gin.Context) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		abort(c, http.StatusBadRequest, "year must be a number like 2027", "year")
		return
	}
	var in calendar.Year
	if !bindJSON(c, &in, "") {
		return
	}
	if in.Year == 0 {
		in.Year = year
	}
	if in.Year != year {
		abort(c, http.StatusBadRequest, "year must match the path", "year")
		return
	}
	if err := in.Validate(); err != nil {
		abort(c, http.StatusBadRequest, err.Error(), "holidays")
		return
	}
	cal, ok := s.loadCalendar(c)
	if !ok {
		return
	}
	read := cal.Version
	replaced := false
	for i := range cal.Years {
		if cal.Years[i].Year == year {
			cal.Years[i], replaced = in, true
		}
	}
	if !replaced {
		cal.Years = append(cal.Years, in)
	}
	s.saveCalendar(c, cal, read)
}

func (s *Server) saveCalendar(c *gin.Context, cal calendar.Calendar, ifVersion int) {
	saved, err := s.store.SaveCalendar(c, cal, ifVersion, actor(c).ID)
	if errors.Is(err, store.ErrVersionConflict) {
		abort(c, http.StatusConflict, "calendar "+cal.Name+" was changed by someone else (you sent version "+
			strconv.Itoa(ifVersion)+"); read it again and reapply your change", "version")
		return
	}
	if err != nil {
		s.internal(c, "save the calendar", err)
		return
	}
	if h, err := saved.Compile(); err == nil {
		s.remember(h)
	}
	// Open complaints on this calendar move their deadlines.
	if err := s.app.StartCalendarRollout(c, saved.Name, saved.Version); err != nil {
		s.log.Error("calendar saved but roll-out not started", "calendar", saved.Name, "version", saved.Version, "err", err)
		abort(c, http.StatusServiceUnavailable, "calendar saved as version "+strconv.Itoa(saved.Version)+
			", but open complaints could not be rescheduled now; save it again to retry", "")
		return
	}
	c.JSON(http.StatusOK, saved)
}

func (s *Server) calendarHours(c *gin.Context) (*calendar.Hours, bool) {
	h, err := s.hours(c, c.Param("name"))
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "calendar "+strconv.Quote(c.Param("name"))+" not found", "")
		return nil, false
	}
	if err != nil {
		s.internal(c, "read the calendar", err)
		return nil, false
	}
	return h, true
}

func timeParam(c *gin.Context, name string) (time.Time, bool) {
	v := c.Query(name)
	if v == "" {
		abort(c, http.StatusBadRequest, name+" is required (RFC 3339, e.g. 2026-02-13T16:00:00+08:00)", name)
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		abort(c, http.StatusBadRequest, name+" must be an RFC 3339 time, e.g. 2026-02-13T16:00:00+08:00", name)
		return time.Time{}, false
	}
	return t, true
}

// maxSpan bounds calendar arithmetic requests.
const maxSpan = 10 * 365 * 24 * time.Hour

// DueAnswer is when a working duration ends.
type DueAnswer struct {
	Due time.Time `json:"due"`
}

func (s *Server) calendarDue(c *gin.Context) {
	h, ok := s.calendarHours(c)
	if !ok {
		return
	}
	start, ok := timeParam(c, "start")
	if !ok {
		return
	}
	d, err := time.ParseDuration(c.Query("duration"))
	if err != nil || d < 0 || d > maxSpan {
		abort(c, http.StatusBadRequest, "duration must be a non-negative Go duration such as 8h or 90m", "duration")
		return
	}
	due, err := h.Add(start, d)
	if errors.Is(err, calendar.ErrNoWorkingTime) {
		abort(c, http.StatusConflict, "calendar "+h.Name()+" has no working time to place this deadline", "")
		return
	}
	if err != nil {
		abort(c, http.StatusBadRequest, err.Error(), "duration")
		return
	}
	c.JSON(http.StatusOK, DueAnswer{Due: due})
}

// ElapsedAnswer is the working time between two instants.
type ElapsedAnswer struct {
	WorkingSeconds int64 `json:"working_seconds"`
}

func (s *Server) calendarElapsed(c *gin.Context) {
	h, ok := s.calendarHours(c)
	if !ok {
		return
	}
	from, ok := timeParam(c, "from")
	if !ok {
		return
	}
	to, ok := timeParam(c, "to")
	if !ok {
		return
	}
	if to.Before(from) {
		abort(c, http.StatusBadRequest, "to must not be before from", "to")
		return
	}
	if to.Sub(from) > maxSpan {
		abort(c, http.StatusBadRequest, "from and to may be at most ten years apart", "to")
		return
	}
	c.JSON(http.StatusOK, ElapsedAnswer{WorkingSeconds: int64(h.Elapsed(from, to) / time.Second)})
}
