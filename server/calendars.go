package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/calendar"
)

func (s *Server) listCalendars(c *gin.Context) {
	list, err := s.app.Calendars(c)
	if err != nil {
		s.fail(c, "list calendars", err)
		return
	}
	c.JSON(http.StatusOK, CalendarList{Items: list})
}

// CalendarList is every working calendar.
type CalendarList struct {
	Items []calendar.Calendar `json:"items"`
}

func (s *Server) getCalendar(c *gin.Context) {
	cal, err := s.app.Calendar(c, c.Param("name"))
	if err != nil {
		s.fail(c, "read the calendar", err)
		return
	}
	c.JSON(http.StatusOK, cal)
}

// CalendarHistory is a calendar's saved versions, newest first.
type CalendarHistory struct {
	Items []calendar.Version `json:"items"`
}

func (s *Server) calendarHistory(c *gin.Context) {
	list, err := s.app.CalendarHistory(c, c.Param("name"))
	if err != nil {
		s.fail(c, "read the calendar's history", err)
		return
	}
	c.JSON(http.StatusOK, CalendarHistory{Items: list})
}

// putCalendar creates or replaces a calendar (app.PutCalendar).
func (s *Server) putCalendar(c *gin.Context) {
	var in calendar.Calendar
	if !bindJSON(c, &in, "") {
		return
	}
	saved, err := s.app.PutCalendar(c, actor(c), c.Param("name"), in)
	if err != nil {
		s.fail(c, "save the calendar", err)
		return
	}
	c.JSON(http.StatusOK, saved)
}

// putCalendarYear adds or corrects one year's holidays (app.PutCalendarYear).
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
	saved, err := s.app.PutCalendarYear(c, actor(c), c.Param("name"), year, in)
	if err != nil {
		s.fail(c, "save the calendar", err)
		return
	}
	c.JSON(http.StatusOK, saved)
}

// calendarExists answers 404 for an unknown calendar before the query
// parameters are looked at.
func (s *Server) calendarExists(c *gin.Context) bool {
	if _, err := s.app.Hours(c, c.Param("name")); err != nil {
		s.fail(c, "read the calendar", err)
		return false
	}
	return true
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

// DueAnswer is when a working duration ends.
type DueAnswer struct {
	Due time.Time `json:"due"`
}

func (s *Server) calendarDue(c *gin.Context) {
	if !s.calendarExists(c) {
		return
	}
	start, ok := timeParam(c, "start")
	if !ok {
		return
	}
	d, err := time.ParseDuration(c.Query("duration"))
	if err != nil {
		abort(c, http.StatusBadRequest, "duration must be a non-negative Go duration such as 8h or 90m", "duration")
		return
	}
	due, err := s.app.CalendarDue(c, c.Param("name"), start, d)
	if err != nil {
		s.fail(c, "compute the due time", err)
		return
	}
	c.JSON(http.StatusOK, DueAnswer{Due: due})
}

// ElapsedAnswer is the working time between two instants.
type ElapsedAnswer struct {
	WorkingSeconds int64 `json:"working_seconds" doc:"Working seconds between from and to, rounded down."`
}

func (s *Server) calendarElapsed(c *gin.Context) {
	if !s.calendarExists(c) {
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
	d, err := s.app.CalendarElapsed(c, c.Param("name"), from, to)
	if err != nil {
		s.fail(c, "compute the working time", err)
		return
	}
	c.JSON(http.StatusOK, ElapsedAnswer{WorkingSeconds: int64(d / time.Second)})
}
