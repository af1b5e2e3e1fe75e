package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/config"
	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
)

// upgradeNamespace holds the second installation of TestUpgradeAddsShippedHolidayYear,
// so its calendar roll-outs do not meet the shared stack's (their IDs are per
// calendar version, and both installations' default calendars reach version 2).
const upgradeNamespace = "it-upgrade"

// springFestival2027 is issue #20's acceptance case: eight working hours from
// the eve of the 2027 Spring Festival end on the make-up Sunday after it.
func springFestival2027(t *testing.T, base, token string) {
	t.Helper()
	r := call(t, base, http.MethodGet, "/api/v1/calendars/default/due?start="+url.QueryEscape("2027-02-04T16:00:00+08:00")+"&duration=8h", nil,
		"Authorization", "Bearer "+token)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, "2027-02-14T16:30:00+08:00", r.field(t, "due"))
}

func TestNewInstallationHasShippedHolidayYears(t *testing.T) {
	springFestival2027(t, stack.api.URL, stack.token)
	var h server.CalendarHistory
	r := api(t, http.MethodGet, "/api/v1/calendars/default/versions", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &h)
	require.NotEmpty(t, h.Items)
	first := h.Items[len(h.Items)-1]
	require.Equal(t, 2, first.Version, "the shipped default is stored as the version after the built-in one")
	require.True(t, strings.HasPrefix(first.CreatedBy, "release "+calendar.ShippedRelease()), first.CreatedBy)
	require.Contains(t, first.Years, 2027)
	require.Equal(t, http.StatusNotFound, api(t, http.MethodGet, "/api/v1/calendars/no-such/versions", nil).status)
}

// TestUpgradeAddsShippedHolidayYear runs a second installation whose database
// was created before 2027 shipped: its default calendar ends with 2026 and a
// complaint counts a long working-time limit on it. The upgrade's start-up
// adds 2027 as a new version made by the release and rolls it out: the
// complaint's deadline moves to where the 2027 holidays put it. A second
// start-up changes nothing, and a year the administrator removed stays removed.
func TestUpgradeAddsShippedHolidayYear(t *testing.T) {
	ctx := context.Background()
	cfg, pool, st := secondInstallation(t, "cxflow_upgrade", "cxflow-upgrade")

	// The database as the previous release left it: the default calendar
	// without 2027, and no year recorded as offered by a release.
	before := calendar.Default()
	before.Years = slices.DeleteFunc(before.Years, func(y calendar.Year) bool { return y.Year >= 2027 })
	data, err := json.Marshal(before)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO calendars (name, version, data) VALUES ('default', 1, $1)`, data)
	require.NoError(t, err)

	tc, err := client.Dial(client.Options{HostPort: stack.temporal.Address(), Namespace: upgradeNamespace})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	// Validation gets a limit long enough to cross 2027's holidays from any
	// day of 2026 (about half a year of working days).
	policy, err := cfg.Policy()
	require.NoError(t, err)
	policy.SLARules = append([]complaint.SLARule{{
		Step: complaint.StepValidation, Target: complaint.Duration(1000 * time.Hour), Clock: complaint.ClockWorking,
	}}, policy.SLARules...)
	acts := &activities.Activities{Store: st, Temporal: tc, Policy: policy, Location: cfg.Location, PublicURL: cfg.PublicURL, Links: cfg.Secrets.Links}
	// The old release's worker: it takes work without adopting anything.
	w := worker.New(tc, cfg.TaskQueue, acts)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	sec := server.SecurityFrom(cfg)
	sec.LoginPerMinute, sec.PublicPerMinute = 10_000, 10_000
	newServer := func() *httptest.Server {
		srv := httptest.NewServer(server.New(tc, st, cfg.TaskQueue, stack.log).WithSecurity(sec).Handler())
		t.Cleanup(srv.Close)
		return srv
	}
	srv := newServer()
	clerk, err := login(srv.URL, "clerk", demo.Password)
	require.NoError(t, err)
	admin, err := login(srv.URL, "admin", demo.Password)
	require.NoError(t, err)

	r := call(t, srv.URL, http.MethodPost, "/api/v1/complaints", intake(1000), "Authorization", "Bearer "+clerk)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	require.NotEmpty(t, c.Deadlines)
	d := c.Deadlines[len(c.Deadlines)-1]
	require.Equal(t, complaint.StepValidation, d.Step)
	oldHours, err := before.Compile()
	require.NoError(t, err)
	oldDue, err := oldHours.Add(d.StartedAt, 1000*time.Hour)
	require.NoError(t, err)
	require.True(t, oldDue.Equal(d.DueAt), "recorded on the calendar without 2027: due %s, computed %s", d.DueAt, oldDue)

	// The upgrade starts: its worker adopts the shipped years, its API server
	// starts afresh (a running one sees the new version within a minute).
	ops := &app.App{Temporal: tc, Store: st, TaskQueue: cfg.TaskQueue, Log: stack.log}
	res, err := ops.AdoptShippedHolidays(ctx, time.Now())
	require.NoError(t, err)
	require.Equal(t, []int{2027}, res.Added)
	require.Equal(t, 2, res.Calendar.Version)
	srv = newServer()

	newHours, err := res.Calendar.Compile()
	require.NoError(t, err)
	newDue, err := newHours.Add(d.StartedAt, 1000*time.Hour)
	require.NoError(t, err)
	if d.StartedAt.Year() <= 2027 {
		require.False(t, newDue.Equal(oldDue), "2027's holidays move a half-year limit started before 2028")
	}
	require.Eventually(t, func() bool {
		r := call(t, srv.URL, http.MethodGet, "/api/v1/complaints/"+c.ID, nil, "Authorization", "Bearer "+clerk)
		var now complaint.Complaint
		r.json(t, &now)
		last := now.Deadlines[len(now.Deadlines)-1]
		return last.DueAt.Equal(newDue)
	}, 30*time.Second, 100*time.Millisecond, "the complaint's deadline moves to %s", newDue)

	springFestival2027(t, srv.URL, clerk)
	var h server.CalendarHistory
	r = call(t, srv.URL, http.MethodGet, "/api/v1/calendars/default/versions", nil, "Authorization", "Bearer "+admin)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &h)
	require.Len(t, h.Items, 1, "version 1 was never saved through the history")
	require.Equal(t, 2, h.Items[0].Version)
	require.Equal(t, "release "+calendar.ShippedRelease()+" (shipped holidays 2024, 2025, 2026, 2027)", h.Items[0].CreatedBy)

	// Starting again changes nothing.
	res, err = ops.AdoptShippedHolidays(ctx, time.Now())
	require.NoError(t, err)
	require.Empty(t, res.Added)
	require.Equal(t, 2, res.Calendar.Version)

	// The administrator takes 2027 out again (say, to enter it by hand later):
	// the next start-up respects that.
	before.Version = 2
	r = call(t, srv.URL, http.MethodPut, "/api/v1/calendars/default", before, "Authorization", "Bearer "+admin)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	res, err = ops.AdoptShippedHolidays(ctx, time.Now())
	require.NoError(t, err)
	require.Empty(t, res.Added)
	require.Equal(t, 3, res.Calendar.Version)
	require.NotContains(t, res.Calendar.YearNumbers(), 2027)
}

// secondInstallation is another installation of cxflow on the test stack:
// its own database (migrated, with the demo organisation) and task queue,
// so that what its worker does touches no other test's data.
func secondInstallation(t *testing.T, database, queue string) (config.Config, *pgxpool.Pool, *store.Store) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, stack.pg.EnsureDatabase(ctx, database))
	cfg := stack.cfg
	cfg.DatabaseURL = stack.pg.URL(database)
	cfg.TaskQueue = queue
	pool, err := cfg.OpenDatabase(ctx)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	require.NoError(t, migrations.Up(ctx, pool, stack.log))
	st := store.New(pool)
	_, err = demo.Seed(ctx, st)
	require.NoError(t, err)
	return cfg, pool, st
}
