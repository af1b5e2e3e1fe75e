package survey

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScheduleCron(t *testing.T) {
	for _, tc := range []struct {
		s    Schedule
		want string
	}{
		{Schedule{Kind: ScheduleQuarterly}, "0 9 1 1,4,7,10 *"},
		{Schedule{Kind: ScheduleQuarterly, Month: 2}, "0 9 1 2,5,8,11 *"},
		{Schedule{Kind: ScheduleHalfYearly, Month: 6}, "0 9 1 6,12 *"},
		{Schedule{Kind: ScheduleYearly, Month: 9}, "0 9 1 9 *"},
		{Schedule{Kind: ScheduleCron, Cron: "0 8 15 3 *"}, "0 8 15 3 *"},
		{Schedule{Kind: ScheduleManual}, ""},
	} {
		require.Equal(t, tc.want, tc.s.CronExpression(), "%+v", tc.s)
		require.NoError(t, tc.s.Validate())
	}
	require.Error(t, Schedule{Kind: "weekly"}.Validate())
	require.Error(t, Schedule{Kind: ScheduleCron, Cron: "daily"}.Validate())
}

func TestDefinitionValidation(t *testing.T) {
	d := Definition{Name: "重点客户季度满意度调查", Programme: DefaultProgramme(), Run: DefaultRun(), Schedule: Schedule{Kind: ScheduleQuarterly}}
	require.NoError(t, d.Validate())
	bad := d
	bad.Run.Reminders = append(bad.Run.Reminders, bad.Run.Window)
	requireField(t, bad.Validate(), "run.reminders")
	bad = d
	bad.Name = ""
	requireField(t, bad.Validate(), "name")
	bad = d
	bad.Run.Channel = "fax"
	requireField(t, bad.Validate(), "run.channel")
}
