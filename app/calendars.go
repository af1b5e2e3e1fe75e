package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/calendar"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/workflows"
)

// StartCalendarRollout moves the deadlines of the open complaints on a
// calendar to one of its versions. A durable workflow does it, one per
// version, so a restart cannot lose a roll-out and a second start is a no-op.
func (a *App) StartCalendarRollout(ctx context.Context, name string, version int) error {
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.CalendarRolloutID(name, version),
		TaskQueue:                a.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.CalendarRolloutWorkflow, workflows.CalendarRollout{Name: name, Version: version})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start roll-out of calendar %s v%d: %w", name, version, err)
	}
	return nil
}

// releasePrefix marks the calendar versions a release made, in their history.
const releasePrefix = "release "

// AdoptShippedHolidays runs at start-up: the holiday years this build ships
// (e.g. 2027, once the State Council published it) that the stored default
// calendar lacks are added as a new calendar version, recorded as made by the
// release, and rolled out to the open complaints so their deadlines move.
// Years an administrator entered, corrected or removed are left alone (see
// store.AddShippedYears). If the process died between storing the version
// and starting its roll-out, the next start-up starts it.
func (a *App) AdoptShippedHolidays(ctx context.Context, now time.Time) (store.ShippedYears, error) {
	shipped := calendar.ChinaYears()
	var years []string
	for _, y := range shipped {
		years = append(years, strconv.Itoa(y.Year))
	}
	by := releasePrefix + calendar.ShippedRelease() + " (shipped holidays " + strings.Join(years, ", ") + ")"
	res, err := a.Store.AddShippedYears(ctx, calendar.Default(), shipped, now.Year(), calendar.ShippedRelease(), by)
	if err != nil {
		return res, err
	}
	if len(res.Added) > 0 {
		a.Log.Info("shipped holidays added to the calendar", "calendar", res.Calendar.Name,
			"version", res.Calendar.Version, "years", res.Added, "release", calendar.ShippedRelease())
	}
	if !strings.HasPrefix(res.UpdatedBy, releasePrefix) {
		return res, nil
	}
	return res, a.StartCalendarRollout(ctx, res.Calendar.Name, res.Calendar.Version)
}

// hoursCache keeps compiled calendars for reads (SLA figures, due/elapsed).
// Entries expire so another instance's edits are seen within a minute; this
// instance's own edits replace the entry at once.
type hoursCache struct {
	mu      sync.Mutex
	entries map[string]cachedHours
}

type cachedHours struct {
	hours   *calendar.Hours
	expires time.Time
}

// hoursTTL is how long a compiled calendar is used before it is read again.
// It is measured on the wall clock, not App.Now: freshness is about when
// the calendar was read, whatever time the operations are told it is.
const hoursTTL = time.Minute

// Hours is the named calendar compiled for working-time arithmetic.
func (a *App) Hours(ctx context.Context, name string) (*calendar.Hours, error) {
	a.hours.mu.Lock()
	e, ok := a.hours.entries[name]
	a.hours.mu.Unlock()
	if ok && time.Now().Before(e.expires) {
		return e.hours, nil
	}
	c, err := a.Calendar(ctx, name)
	if err != nil {
		return nil, err
	}
	h, err := c.Compile()
	if err != nil {
		return nil, fmt.Errorf("compile calendar %s: %w", name, err)
	}
	a.remember(h)
	return h, nil
}

func (a *App) remember(h *calendar.Hours) {
	a.hours.mu.Lock()
	defer a.hours.mu.Unlock()
	if a.hours.entries == nil {
		a.hours.entries = map[string]cachedHours{}
	}
	a.hours.entries[h.Name()] = cachedHours{hours: h, expires: time.Now().Add(hoursTTL)}
}

// Calendars lists every working calendar, the default one included.
func (a *App) Calendars(ctx context.Context) ([]calendar.Calendar, error) {
	return a.Store.Calendars(ctx)
}

// Calendar reads one working calendar.
func (a *App) Calendar(ctx context.Context, name string) (calendar.Calendar, error) {
	c, err := a.Store.Calendar(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return c, Refuse(NotFound, "", "calendar %s not found", strconv.Quote(name))
	}
	return c, err
}

// CalendarHistory lists a calendar's saved versions, newest first.
func (a *App) CalendarHistory(ctx context.Context, name string) ([]calendar.Version, error) {
	if _, err := a.Calendar(ctx, name); err != nil {
		return nil, err
	}
	return a.Store.CalendarHistory(ctx, name)
}

// PutCalendar creates or replaces a calendar. in.Version must be the version
// the caller read (0 to create), so two administrators cannot silently
// overwrite each other.
func (a *App) PutCalendar(ctx context.Context, by complaint.Actor, name string, in calendar.Calendar) (calendar.Calendar, error) {
	if err := Authorize(by, OpPutCalendar); err != nil {
		return in, err
	}
	if in.Name == "" {
		in.Name = name
	}
	if in.Name != name {
		return in, Refuse(Invalid, "name", "name must match the path")
	}
	if err := in.Validate(); err != nil {
		return in, Refuse(Invalid, "", "%s", err.Error())
	}
	return a.saveCalendar(ctx, by, in, in.Version)
}

// PutCalendarYear adds or corrects one year's holidays and make-up days, the
// yearly chore when the State Council publishes the next year's schedule.
func (a *App) PutCalendarYear(ctx context.Context, by complaint.Actor, name string, year int, in calendar.Year) (calendar.Calendar, error) {
	if err := Authorize(by, OpPutCalendarYear); err != nil {
		return calendar.Calendar{}, err
	}
	if in.Year == 0 {
		in.Year = year
	}
	if in.Year != year {
		return calendar.Calendar{}, Refuse(Invalid, "year", "year must match the path")
	}
	if err := in.Validate(); err != nil {
		return calendar.Calendar{}, Refuse(Invalid, "holidays", "%s", err.Error())
	}
	cal, err := a.Calendar(ctx, name)
	if err != nil {
		return cal, err
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
	return a.saveCalendar(ctx, by, cal, read)
}

// saveCalendar stores a calendar version and rolls it out to the open
// complaints counting on it.
func (a *App) saveCalendar(ctx context.Context, by complaint.Actor, cal calendar.Calendar, ifVersion int) (calendar.Calendar, error) {
	saved, err := a.Store.SaveCalendar(ctx, cal, ifVersion, by.ID)
	if errors.Is(err, store.ErrVersionConflict) {
		return saved, Refuse(Conflict, "version", "calendar %s was changed by someone else (you sent version %d); read it again and reapply your change",
			cal.Name, ifVersion)
	}
	if err != nil {
		return saved, err
	}
	if h, err := saved.Compile(); err == nil {
		a.remember(h)
	}
	if err := a.StartCalendarRollout(ctx, saved.Name, saved.Version); err != nil {
		a.Log.Error("calendar saved but roll-out not started", "calendar", saved.Name, "version", saved.Version, "err", err)
		return saved, Refuse(Unavailable, "", "calendar saved as version %d, but open complaints could not be rescheduled now; save it again to retry",
			saved.Version)
	}
	return saved, nil
}

// maxSpan bounds calendar arithmetic requests.
const maxSpan = 10 * 365 * 24 * time.Hour

// CalendarDue is when a working duration that starts at start ends.
func (a *App) CalendarDue(ctx context.Context, name string, start time.Time, d time.Duration) (time.Time, error) {
	if d < 0 || d > maxSpan {
		return time.Time{}, Refuse(Invalid, "duration", "duration must be a non-negative Go duration such as 8h or 90m")
	}
	h, err := a.Hours(ctx, name)
	if err != nil {
		return time.Time{}, err
	}
	due, err := h.Add(start, d)
	if errors.Is(err, calendar.ErrNoWorkingTime) {
		return due, Refuse(Conflict, "", "calendar %s has no working time to place this deadline", h.Name())
	}
	if err != nil {
		return due, Refuse(Invalid, "duration", "%s", err.Error())
	}
	return due, nil
}

// CalendarElapsed is the working time between two instants, at most ten
// years apart.
func (a *App) CalendarElapsed(ctx context.Context, name string, from, to time.Time) (time.Duration, error) {
	h, err := a.Hours(ctx, name)
	if err != nil {
		return 0, err
	}
	if to.Before(from) {
		return 0, Refuse(Invalid, "to", "to must not be before from")
	}
	if to.Sub(from) > maxSpan {
		return 0, Refuse(Invalid, "to", "from and to may be at most ten years apart")
	}
	return h.Elapsed(from, to), nil
}
