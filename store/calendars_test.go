package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/calendar"
)

func TestAddShippedYears(t *testing.T) {
	st, pool := newStore(t)
	ctx := context.Background()
	year := func(y int) calendar.Year {
		return calendar.Year{Year: y, Holidays: []calendar.Holiday{{Name: "元旦节", From: calendar.Date{Y: y, M: 1, D: 1}, To: calendar.Date{Y: y, M: 1, D: 1}}}}
	}
	shipped := []calendar.Year{year(2026), year(2027)}
	base := calendar.Default()
	base.Years = shipped

	// Never stored: stored whole, past years included, as the version after
	// the built-in one.
	res, err := st.AddShippedYears(ctx, base, shipped, 2027, "r1", "release r1")
	require.NoError(t, err)
	require.Equal(t, []int{2026, 2027}, res.Added)
	require.Equal(t, 2, res.Calendar.Version)
	require.Equal(t, "release r1", res.UpdatedBy)
	got, err := st.Calendar(ctx, calendar.DefaultName)
	require.NoError(t, err)
	require.Equal(t, []int{2026, 2027}, got.YearNumbers())

	// Nothing new: nothing stored.
	res, err = st.AddShippedYears(ctx, base, shipped, 2027, "r1", "release r1")
	require.NoError(t, err)
	require.Empty(t, res.Added)
	require.Equal(t, 2, res.Calendar.Version)

	// An administrator corrects 2027 and removes 2026; a later release ships
	// both again and 2028: only 2028 is added, the correction stays.
	corrected := got
	corrected.Years = []calendar.Year{year(2027)}
	corrected.Years[0].Holidays[0].Name = "元旦（更正）"
	_, err = st.SaveCalendar(ctx, corrected, 2, "admin-id")
	require.NoError(t, err)
	res, err = st.AddShippedYears(ctx, base, []calendar.Year{year(2026), year(2027), year(2028), year(2025)}, 2027, "r2", "release r2")
	require.NoError(t, err)
	require.Equal(t, []int{2028}, res.Added, "2026 was offered before, 2025 is past")
	require.Equal(t, 4, res.Calendar.Version)
	require.Equal(t, []int{2027, 2028}, res.Calendar.YearNumbers())
	require.Equal(t, "元旦（更正）", res.Calendar.Years[0].Holidays[0].Name)

	hist, err := st.CalendarHistory(ctx, calendar.DefaultName)
	require.NoError(t, err)
	require.Len(t, hist, 3)
	require.Equal(t, []int{4, 3, 2}, []int{hist[0].Version, hist[1].Version, hist[2].Version})
	require.Equal(t, "release r2", hist[0].CreatedBy)
	require.Equal(t, "admin-id", hist[1].CreatedBy)
	require.Equal(t, []int{2027, 2028}, hist[0].Years)
	var releases []string
	rows, err := pool.Query(ctx, `SELECT release FROM calendar_shipped_years WHERE name = 'default' ORDER BY year`)
	require.NoError(t, err)
	for rows.Next() {
		var r string
		require.NoError(t, rows.Scan(&r))
		releases = append(releases, r)
	}
	require.NoError(t, rows.Err())
	require.True(t, slices.Equal([]string{"r1", "r1", "r2"}, releases), "%v", releases)

	// Only the default calendar exists before it is stored.
	other := base
	other.Name = "branch"
	_, err = st.AddShippedYears(ctx, other, shipped, 2027, "r1", "release r1")
	require.Error(t, err)
}
