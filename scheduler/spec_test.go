package scheduler

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/definition"
)

var samplesDir = filepath.Join("..", "..", "shared", "maestro-samples")

func TestSpecOfSampleTriggers(t *testing.T) {
	v, err := definition.DecodeSampleFile(filepath.Join(samplesDir, "common__definition__sample-active-wf-with-time-triggers.json"))
	require.NoError(t, err)
	triggers := v.(*definition.WorkflowDefinition).Workflow.TimeTriggers
	require.Len(t, triggers, 6)
	want := []struct {
		zone   string
		jitter time.Duration
	}{
		{"US/Pacific", 0}, {"US/Pacific", 0}, {"UTC", 4320 * time.Second}, {"UTC", 2 * time.Minute},
		{"US/Pacific", 76140 * time.Second}, {"US/Pacific", 2*time.Hour + 5*time.Minute},
	}
	for i, tr := range triggers {
		spec, err := Spec(tr)
		require.NoError(t, err, "trigger %d", i)
		require.Equal(t, want[i].zone, spec.TimeZoneName, "trigger %d", i)
		require.Equal(t, want[i].jitter, spec.Jitter, "trigger %d", i)
		require.Len(t, spec.Calendars, 1)
	}

	v, err = definition.DecodeSampleFile(filepath.Join(samplesDir, "common__time_triggers__sample-interval-time-trigger.json"))
	require.NoError(t, err)
	spec, err := Spec(v.(*definition.TimeTrigger))
	require.NoError(t, err)
	require.Equal(t, []sdkclient.ScheduleIntervalSpec{{Every: 3 * time.Hour, Offset: 18 * time.Second}}, spec.Intervals)
	require.Equal(t, "2021-03-27T00:00:18.000Z", spec.StartAt.UTC().Format("2006-01-02T15:04:05.000Z"))
}

func TestSpecCalendars(t *testing.T) {
	all := func(lo, hi int) []sdkclient.ScheduleRange {
		return []sdkclient.ScheduleRange{{Start: lo, End: hi, Step: 1}}
	}
	one := func(v int) []sdkclient.ScheduleRange { return []sdkclient.ScheduleRange{{Start: v, End: v, Step: 1}} }
	spec, err := Spec(&definition.TimeTrigger{Type: "CRON", Cron: "15 10 1 * 1"})
	require.NoError(t, err)
	// Unix cron: day 1 of the month OR a Monday.
	require.Equal(t, []sdkclient.ScheduleCalendarSpec{
		{Second: one(0), Minute: one(15), Hour: one(10), DayOfMonth: one(1), Month: all(1, 12), DayOfWeek: all(0, 6)},
		{Second: one(0), Minute: one(15), Hour: one(10), DayOfMonth: all(1, 31), Month: all(1, 12), DayOfWeek: one(1)},
	}, spec.Calendars)
	require.Equal(t, "UTC", spec.TimeZoneName)

	_, err = Spec(&definition.TimeTrigger{Type: "CRON", Cron: "0 30 * * *"})
	require.ErrorContains(t, err, "time_trigger.cron: [cron expression] is not valid - rejected value is [0 30 * * *] - error: [hour: value 30 not in range [0, 23]]")
}

func TestSpecYears(t *testing.T) {
	for _, tc := range []struct {
		cron  string
		years []sdkclient.ScheduleRange
		err   string
	}{
		{"0 0 12 * * ? *", nil, ""},
		// Temporal's years start at 2000: a stepped range keeps its step.
		{"0 0 12 * * ? 1990-2010/4", []sdkclient.ScheduleRange{{Start: 2002, End: 2010, Step: 4}}, ""},
		{"0 0 12 * * ? 1999,2030", []sdkclient.ScheduleRange{{Start: 2030, End: 2030, Step: 1}}, ""},
		{"0 0 12 * * ? 1990", nil, `cron "0 0 12 * * ? 1990" never fires from the year 2000 on`},
		{"0 0 12 L 2 ? 1990-1999", nil, `cron "0 0 12 L 2 ? 1990-1999" never fires from the year 2000 on`},
	} {
		spec, err := Spec(&definition.TimeTrigger{Type: "CRON", Cron: tc.cron})
		if tc.err != "" {
			require.EqualError(t, err, tc.err, tc.cron)
			continue
		}
		require.NoError(t, err, tc.cron)
		for _, c := range spec.Calendars {
			require.Equal(t, tc.years, c.Year, tc.cron)
		}
	}
}

func TestSpecQuartzDayRules(t *testing.T) {
	spec, err := Spec(&definition.TimeTrigger{Type: "CRON", Cron: "0 0 12 ? 1-3 MON#2 2030"})
	require.NoError(t, err)
	require.Len(t, spec.Calendars, 1)
	c := spec.Calendars[0]
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 8, End: 14, Step: 1}}, c.DayOfMonth)
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 1, End: 1, Step: 1}}, c.DayOfWeek)
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 1, End: 3, Step: 1}}, c.Month)

	// The last day of April and June only: one calendar of 30-day months.
	spec, err = Spec(&definition.TimeTrigger{Type: "CRON", Cron: "0 0 12 L 4,6 ?"})
	require.NoError(t, err)
	require.Len(t, spec.Calendars, 1)
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 30, End: 30, Step: 1}}, spec.Calendars[0].DayOfMonth)
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 4, End: 4, Step: 1}, {Start: 6, End: 6, Step: 1}}, spec.Calendars[0].Month)

	// February of leap years: its last day is the 29th.
	spec, err = Spec(&definition.TimeTrigger{Type: "CRON", Cron: "0 0 12 L 2 ? 2030-2033"})
	require.NoError(t, err)
	require.Len(t, spec.Calendars, 2)
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 29, End: 29, Step: 1}}, spec.Calendars[0].DayOfMonth)
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 2032, End: 2032, Step: 1}}, spec.Calendars[0].Year)
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 28, End: 28, Step: 1}}, spec.Calendars[1].DayOfMonth)
	require.Equal(t, []sdkclient.ScheduleRange{{Start: 2030, End: 2031, Step: 1}, {Start: 2033, End: 2033, Step: 1}}, spec.Calendars[1].Year)
}
