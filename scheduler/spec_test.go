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
