package calendar

import (
	"fmt"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
	"github.com/stretchr/testify/require"
)

// TestShippedHolidaysAgreeWithLunarGo checks the shipped arrangement day by day
// against an independent transcription of the State Council's notices
// (github.com/6tail/lunar-go, a test-only dependency): every day of every
// shipped year is a holiday, a make-up working day or an ordinary day in both,
// under the same festival's name.
func TestShippedHolidaysAgreeWithLunarGo(t *testing.T) {
	years := ChinaYears()
	require.NotEmpty(t, years)
	var shipped []int
	for _, y := range years {
		shipped = append(shipped, y.Year)
		ours := map[string]string{} // day → "off 春节" / "work 春节"
		for _, h := range y.Holidays {
			for d := h.From; !h.To.before(d); d = d.next() {
				ours[d.String()] = "off " + h.Name
			}
		}
		for _, w := range y.Workdays {
			ours[w.Date.String()] = "work " + w.Name
		}
		theirs := map[string]string{}
		for e := HolidayUtil.GetHolidaysByYear(y.Year).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			if h.IsWork() {
				theirs[h.GetDay()] = "work " + h.GetName() + "调休"
			} else {
				theirs[h.GetDay()] = "off " + h.GetName()
			}
		}
		require.NotEmpty(t, theirs, "lunar-go has no arrangement for %d", y.Year)
		for d := (Date{y.Year, 1, 1}); d.Y == y.Year; d = d.next() {
			require.Equal(t, theirs[d.String()], ours[d.String()], "%s (%s)", d, d.weekday())
		}
	}
	require.Contains(t, shipped, 2027, "the 2027 arrangement ships with the product")
}

// TestSpringFestival2027 is the acceptance case on the shipped
// calendar: eight working hours from the eve of the holiday end on the
// make-up Sunday after it.
func TestSpringFestival2027(t *testing.T) {
	h := defaultHours(t)
	start := time.Date(2027, 2, 4, 16, 0, 0, 0, shanghai)
	due, err := h.Add(start, 8*time.Hour)
	require.NoError(t, err)
	require.Equal(t, "2027-02-14T16:30:00+08:00", due.Format(time.RFC3339), fmt.Sprint(due))
	// A Friday before the make-up Sunday of 2027-01-31 reaches it.
	due, err = h.Add(time.Date(2027, 1, 29, 17, 0, 0, 0, shanghai), time.Hour)
	require.NoError(t, err)
	require.Equal(t, "2027-01-31T09:00:00+08:00", due.Format(time.RFC3339))
}
