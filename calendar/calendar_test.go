package calendar

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func defaultHours(t *testing.T) *Hours {
	t.Helper()
	h, err := Default().Compile()
	require.NoError(t, err)
	return h
}

func TestAddWorkingTime(t *testing.T) {
	h := defaultHours(t)
	for _, tc := range []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		{"inside the morning", "2026-03-02 09:00", 2 * time.Hour, "2026-03-02 11:00"},
		{"across lunch", "2026-03-02 11:00", 2 * time.Hour, "2026-03-02 14:30"},
		{"ends exactly at the lunch break", "2026-03-02 11:00", time.Hour, "2026-03-02 12:00"},
		{"started in the lunch break", "2026-03-02 12:30", time.Hour, "2026-03-02 14:30"},
		{"overnight", "2026-03-02 16:00", 8 * time.Hour, "2026-03-03 16:30"},
		{"started before work", "2026-03-02 06:00", time.Hour, "2026-03-02 09:30"},
		{"started at night", "2026-03-02 22:00", 30 * time.Minute, "2026-03-03 09:00"},
		{"over a weekend", "2026-03-06 16:00", 8 * time.Hour, "2026-03-09 16:30"},
		{"started on a Sunday", "2026-03-08 10:00", 7*time.Hour + 30*time.Minute, "2026-03-09 17:30"},
		// Issue #3's acceptance cases: 2026-02-14 is a make-up working Saturday,
		// the Spring Festival runs 2026-02-15 to 02-23.
		{"into a make-up Saturday", "2026-02-13 16:00", 8 * time.Hour, "2026-02-14 16:30"},
		{"inside the Spring Festival", "2026-02-20 16:00", 8 * time.Hour, "2026-02-25 09:00"},
		{"before National Day 2026", "2026-09-30 16:00", 8 * time.Hour, "2026-10-08 16:30"},
		{"make-up Saturday after National Day", "2026-10-09 16:00", 8 * time.Hour, "2026-10-10 16:30"},
		{"New Year 2026 and its make-up Sunday", "2025-12-31 16:00", 8 * time.Hour, "2026-01-04 16:30"},
		{"a working week", "2026-03-02 08:30", 37*time.Hour + 30*time.Minute, "2026-03-06 17:30"},
		{"zero", "2026-03-07 03:00", 0, "2026-03-07 03:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := h.Add(at(tc.start), tc.d)
			require.NoError(t, err)
			require.Equal(t, at(tc.want), got.In(shanghai), "got %s", got.In(shanghai))
		})
	}
}

func TestAddKeepsTheCallersZone(t *testing.T) {
	h := defaultHours(t)
	start := at("2026-03-02 09:00").UTC()
	got, err := h.Add(start, time.Hour)
	require.NoError(t, err)
	require.Equal(t, time.UTC, got.Location())
	require.True(t, got.Equal(at("2026-03-02 10:00")))
}

func TestElapsedWorkingTime(t *testing.T) {
	h := defaultHours(t)
	for _, tc := range []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-03-02 09:00", "2026-03-02 11:00", 2 * time.Hour},
		{"2026-03-02 11:00", "2026-03-02 14:30", 2 * time.Hour},
		{"2026-03-02 00:00", "2026-03-03 00:00", 7*time.Hour + 30*time.Minute},
		{"2026-03-06 16:00", "2026-03-09 16:30", 8 * time.Hour},
		{"2026-02-15 00:00", "2026-02-24 00:00", 0},
		{"2026-02-13 16:00", "2026-02-14 16:30", 8 * time.Hour},
		{"2026-03-02 11:00", "2026-03-02 09:00", 0},
	} {
		require.Equal(t, tc.want, h.Elapsed(at(tc.from), at(tc.to)), "%s → %s", tc.from, tc.to)
	}
}

// Adding then measuring returns the same working duration, from any start.
func TestAddThenElapsedRoundTrips(t *testing.T) {
	h := defaultHours(t)
	r := rand.New(rand.NewPCG(1, 2))
	base := at("2024-01-01 00:00")
	for range 2000 {
		start := base.Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour))))
		d := time.Duration(r.Int64N(int64(200 * time.Hour))).Truncate(time.Second)
		end, err := h.Add(start, d)
		require.NoError(t, err)
		require.Equal(t, d, h.Elapsed(start, end), "start %s, d %s, end %s", start, d, end)
		require.False(t, end.Before(start))
	}
}

func TestCalendarWithoutWorkingTimeFails(t *testing.T) {
	c := Default()
	c.Week = Week{}
	c.Years = nil
	h, err := c.Compile()
	require.NoError(t, err)
	_, err = h.Add(at("2026-03-02 09:00"), time.Hour)
	require.ErrorIs(t, err, ErrNoWorkingTime)

	// Only a single make-up day: a deadline beyond it never comes.
	c.Years = []Year{{Year: 2026, Workdays: []Workday{{Name: "x", Date: Date{2026, 2, 14}}}}}
	c.WorkdayHours = []Period{{9 * 60, 10 * 60}}
	h, err = c.Compile()
	require.NoError(t, err)
	got, err := h.Add(at("2026-01-01 00:00"), 30*time.Minute)
	require.NoError(t, err)
	require.Equal(t, at("2026-02-14 09:30"), got.In(shanghai))
	_, err = h.Add(at("2026-01-01 00:00"), 2*time.Hour)
	require.ErrorIs(t, err, ErrNoWorkingTime)
}

func TestOtherZonesAndHours(t *testing.T) {
	// A branch in Urumqi keeps its own hours on Beijing time's neighbour zone.
	c := Calendar{
		Name: "xinjiang", TimeZone: "Asia/Urumqi",
		Week: Week{"monday": {{10 * 60, 14 * 60}, {15*60 + 30, 19*60 + 30}}},
	}
	h, err := c.Compile()
	require.NoError(t, err)
	start := time.Date(2026, 3, 2, 13, 0, 0, 0, mustLoad("Asia/Urumqi"))
	got, err := h.Add(start, 2*time.Hour)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 2, 16, 30, 0, 0, mustLoad("Asia/Urumqi")), got)
	// Across a DST change (New York, 2026-03-08): working hours are wall-clock hours.
	ny := Calendar{Name: "ny", TimeZone: "America/New_York", Week: Week{
		"friday": {{9 * 60, 17 * 60}}, "monday": {{9 * 60, 17 * 60}},
	}}
	h, err = ny.Compile()
	require.NoError(t, err)
	nyc := mustLoad("America/New_York")
	got, err = h.Add(time.Date(2026, 3, 6, 16, 0, 0, 0, nyc), 2*time.Hour)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 9, 10, 0, 0, 0, nyc), got.In(nyc))
}

func TestValidate(t *testing.T) {
	bad := map[string]func(c *Calendar){
		"no name":         func(c *Calendar) { c.Name = "" },
		"bad zone":        func(c *Calendar) { c.TimeZone = "Mars/Olympus" },
		"bad weekday":     func(c *Calendar) { c.Week["funday"] = nil },
		"inverted period": func(c *Calendar) { c.Week["monday"] = []Period{{12 * 60, 9 * 60}} },
		"overlap":         func(c *Calendar) { c.Week["monday"] = []Period{{9 * 60, 12 * 60}, {11 * 60, 13 * 60}} },
		"year twice":      func(c *Calendar) { c.Years = append(c.Years, c.Years[0]) },
		"holiday and work": func(c *Calendar) {
			c.Years[0].Workdays = append(c.Years[0].Workdays, Workday{"x", c.Years[0].Holidays[0].From})
		},
		"date off-year": func(c *Calendar) { c.Years[0].Holidays[0].To = Date{2030, 1, 1} },
	}
	for name, mutate := range bad {
		c := Default()
		c.Week = Week{"monday": c.Week["monday"]}
		mutate(&c)
		require.Error(t, c.Validate(), name)
	}
	require.NoError(t, Default().Validate())
}

func TestJSONRoundTrip(t *testing.T) {
	c := Default()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	require.Contains(t, string(b), `"monday":["08:30-12:00","13:30-17:30"]`)
	require.Contains(t, string(b), `{"name":"春节","from":"2026-02-15","to":"2026-02-23"}`)
	var back Calendar
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, c, back)
	require.Equal(t, []int{2024, 2025, 2026, 2027}, back.YearNumbers())
}
