package survey

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cxflow/cxflow/validate"

	"github.com/cxflow/cxflow/complaint"
)

// Channel is how a questionnaire reaches a customer (000, 002, 003).
type Channel string

const (
	ChannelLink   Channel = "link"   // e-mail or message with a signed link to the online form
	ChannelPhone  Channel = "phone"  // 电话问卷: staff call and enter the answers
	ChannelVisit  Channel = "visit"  // 走访
	ChannelLetter Channel = "letter" // 信函: returned on paper, entered by staff
)

// Channels lists the channels.
var Channels = []Channel{ChannelLink, ChannelPhone, ChannelVisit, ChannelLetter}

// Run is how a cycle of the programme runs: how long answers are taken, when
// those who have not answered are reminded, and who owns the cycle.
type Run struct {
	// Window is how long the cycle takes answers after invitations go out.
	Window complaint.Duration `json:"window" doc:"How long the cycle takes answers after its invitations go out; positive, e.g. 504h for three weeks."`
	// Reminders are times after opening to remind those who have not
	// answered; at each, a return rate that will miss its target escalates.
	Reminders []complaint.Duration `json:"reminders" doc:"When, after the invitations go out, those who have not answered are reminded, increasing and within the window. At each, a return rate on course to miss its target is escalated."`
	// Channel is how invitations go out; staff channels create call/visit tasks.
	Channel Channel `json:"channel" doc:"How invitations go out: link sends the signed link; the others make call, visit or letter lists for staff."`
	// OwnerDepartment runs the cycle (市场部 by default) and is told first
	// when the return rate falls behind; then its head.
	OwnerDepartment string `json:"owner_department" doc:"The ID of the department that runs the cycle, told first when the return rate falls behind; then its head."`
	// ActionDue is the time an improvement action opened from the cycle gets.
	ActionDue complaint.Duration `json:"action_due" doc:"The time an improvement action opened from the cycle gets; positive."`
}

// DefaultRun: three weeks for answers, reminders after one and two weeks.
func DefaultRun() Run {
	day := 24 * time.Hour
	return Run{
		Window:          complaint.Duration(21 * day),
		Reminders:       []complaint.Duration{complaint.Duration(7 * day), complaint.Duration(14 * day)},
		Channel:         ChannelLink,
		OwnerDepartment: "market",
		ActionDue:       complaint.Duration(30 * day),
	}
}

// Validate checks the run settings.
func (r Run) Validate() error {
	if r.Window <= 0 {
		return fieldErr("window", "must be positive, e.g. \"504h\" for three weeks")
	}
	var last complaint.Duration
	for i, d := range r.Reminders {
		if d <= last || d >= r.Window {
			return fieldErr("reminders", "reminder %d must come after the one before and within the window", i+1)
		}
		last = d
	}
	if !slices.Contains(Channels, r.Channel) {
		return validate.Choice("channel", Channels)
	}
	if strings.TrimSpace(r.OwnerDepartment) == "" {
		return validate.Missing("owner_department", "is required")
	}
	if r.ActionDue <= 0 {
		return fieldErr("action_due", "must be positive")
	}
	return nil
}

// ScheduleKind is how often a programme recurs.
type ScheduleKind string

const (
	ScheduleManual     ScheduleKind = "manual"
	ScheduleQuarterly  ScheduleKind = "quarterly"   // key customers (002, 004)
	ScheduleHalfYearly ScheduleKind = "half_yearly" // June and December (002 物业)
	ScheduleYearly     ScheduleKind = "yearly"      // e.g. every September (001)
	ScheduleCron       ScheduleKind = "cron"
)

// Schedule says when cycles start.
type Schedule struct {
	Kind ScheduleKind `json:"kind"`
	// Month is the (first) month for yearly and half-yearly schedules (1–12).
	Month int `json:"month,omitempty" doc:"The (first) month of quarterly, half_yearly and yearly schedules, 1–12; January when absent."`
	// Cron is a cron expression for kind cron, e.g. "0 9 1 3,9 *".
	Cron string `json:"cron,omitempty" doc:"The cron expression of kind cron, five fields (minute hour day month weekday), in Asia/Shanghai time, e.g. 0 9 1 3,9 *."`
}

// CronExpression is the schedule as a cron line (09:00 on the 1st), "" when manual.
func (s Schedule) CronExpression() string {
	m := s.Month
	if m == 0 {
		m = 1
	}
	switch s.Kind {
	case ScheduleQuarterly:
		return "0 9 1 " + months(m, 3) + " *"
	case ScheduleHalfYearly:
		return "0 9 1 " + months(m, 6) + " *"
	case ScheduleYearly:
		return "0 9 1 " + strconv.Itoa(m) + " *"
	case ScheduleCron:
		return s.Cron
	}
	return ""
}

func months(first, every int) string {
	var out []string
	for m := (first-1)%every + 1; m <= 12; m += every {
		out = append(out, strconv.Itoa(m))
	}
	return strings.Join(out, ",")
}

// Validate checks the schedule.
func (s Schedule) Validate() error {
	switch s.Kind {
	case ScheduleManual, ScheduleQuarterly, ScheduleHalfYearly, ScheduleYearly:
		if s.Month < 0 || s.Month > 12 {
			return fieldErr("month", "must be 1 to 12")
		}
	case ScheduleCron:
		if len(strings.Fields(s.Cron)) != 5 {
			return fieldErr("cron", "must have five fields: minute hour day month weekday")
		}
	default:
		return fieldErr("kind", "must be manual, quarterly, half_yearly, yearly or cron")
	}
	return nil
}

// Definition is a survey programme as administrators define it (调查方案).
type Definition struct {
	ID        string    `json:"id" doc:"Assigned by the server."`
	Name      string    `json:"name" doc:"The programme's name, e.g. 重点客户季度满意度调查; at most 200 characters, not blank."`
	Programme Programme `json:"programme"`
	Run       Run       `json:"run"`
	Schedule  Schedule  `json:"schedule"`
	Version   int       `json:"version" doc:"Increases with every change. Send the version you read when replacing the programme."`
}

// Validate checks the whole definition, naming the field at fault.
func (d Definition) Validate() error {
	if strings.TrimSpace(d.Name) == "" || utf8.RuneCountInString(d.Name) > 200 {
		return validate.RequiredWithin("name", 200)
	}
	if err := within("programme", d.Programme.Validate()); err != nil {
		return err
	}
	if err := within("run", d.Run.Validate()); err != nil {
		return err
	}
	return within("schedule", d.Schedule.Validate())
}
