package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/workflows"
)

// TestTriggerNextTimes creates each trigger kind's schedule and compares
// the next fire times Temporal reports with tables worked out by hand in
// the trigger's zone. Every table starts on 2030-03-08 (the schedule's
// StartAt), so it crosses US/Pacific's DST change on Sunday 2030-03-10
// (02:00 PST becomes 03:00 PDT: UTC-8 before, UTC-7 after).
func TestTriggerNextTimes(t *testing.T) {
	ctx := context.Background()
	from := time.Date(2030, 3, 8, 0, 0, 0, 0, time.UTC)
	utc := func(day, hour, minute int) time.Time { return time.Date(2030, 3, day, hour, minute, 0, 0, time.UTC) }
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2030, month, day, hour, 0, 0, 0, time.UTC)
	}
	for _, tc := range []struct {
		name    string
		trigger definition.TimeTrigger
		want    []time.Time
	}{
		{"cron 5-field, 09:00 US/Pacific", definition.TimeTrigger{Type: "CRON", Cron: "0 9 * * *", Timezone: "US/Pacific"},
			// 09:00 PST = 17:00Z on the 8th and 9th; 09:00 PDT = 16:00Z from the 10th.
			[]time.Time{utc(8, 17, 0), utc(9, 17, 0), utc(10, 16, 0), utc(11, 16, 0), utc(12, 16, 0)}},
		{"cron Quartz 7-field, noon US/Pacific", definition.TimeTrigger{Type: "CRON", Cron: "0 0 12 1/1 * ? *", Timezone: "US/Pacific"},
			[]time.Time{utc(8, 20, 0), utc(9, 20, 0), utc(10, 19, 0), utc(11, 19, 0), utc(12, 19, 0)}},
		{"cron weekdays 01:30 US/Pacific", definition.TimeTrigger{Type: "CRON", Cron: "30 1 * * MON-FRI", Timezone: "US/Pacific"},
			// Fri 8th 01:30 PST = 09:30Z; Mon 11th and on 01:30 PDT = 08:30Z.
			[]time.Time{utc(8, 9, 30), utc(11, 8, 30), utc(12, 8, 30), utc(13, 8, 30), utc(14, 8, 30)}},
		{"predefined @daily Asia/Tokyo", definition.TimeTrigger{Type: "PREDEFINED", Expression: "@daily", Timezone: "Asia/Tokyo"},
			// Midnight JST = 15:00Z the day before (no DST in Tokyo).
			[]time.Time{utc(8, 15, 0), utc(9, 15, 0), utc(10, 15, 0), utc(11, 15, 0), utc(12, 15, 0)}},
		{"predefined @hourly US/Pacific", definition.TimeTrigger{Type: "PREDEFINED", Expression: "@hourly", Timezone: "US/Pacific"},
			[]time.Time{utc(8, 0, 0), utc(8, 1, 0), utc(8, 2, 0), utc(8, 3, 0), utc(8, 4, 0)}},
		{"interval 3H from 16:00:18 PST", definition.TimeTrigger{Type: "INTERVAL", Interval: "3H", Start: "2021-03-26 16:00:18.089PST"},
			// Aligned to the start, 2021-03-27T00:00:18.089Z, to the second (Temporal's
			// resolution): every 3 hours at hh:00:18 UTC.
			[]time.Time{utc(8, 0, 0).Add(18 * time.Second), utc(8, 3, 0).Add(18 * time.Second), utc(8, 6, 0).Add(18 * time.Second),
				utc(8, 9, 0).Add(18 * time.Second), utc(8, 12, 0).Add(18 * time.Second)}},
		// Quartz's day rules (2030: March 31 is a Sunday, June 1 a Saturday,
		// June 30 a Sunday, August 31 a Saturday, September 1 a Sunday).
		{"quartz L, last day of the month", definition.TimeTrigger{Type: "CRON", Cron: "0 0 12 L * ?"},
			[]time.Time{at(3, 31, 12), at(4, 30, 12), at(5, 31, 12), at(6, 30, 12), at(7, 31, 12)}},
		{"quartz L in February, leap years", definition.TimeTrigger{Type: "CRON", Cron: "0 0 12 L 2 ? *"},
			[]time.Time{time.Date(2031, 2, 28, 12, 0, 0, 0, time.UTC), time.Date(2032, 2, 29, 12, 0, 0, 0, time.UTC),
				time.Date(2033, 2, 28, 12, 0, 0, 0, time.UTC), time.Date(2034, 2, 28, 12, 0, 0, 0, time.UTC)}},
		{"quartz L-2", definition.TimeTrigger{Type: "CRON", Cron: "0 0 12 L-2 * ?"},
			[]time.Time{at(3, 29, 12), at(4, 28, 12), at(5, 29, 12), at(6, 28, 12), at(7, 29, 12)}},
		{"quartz LW, last weekday", definition.TimeTrigger{Type: "CRON", Cron: "0 0 9 LW * ?"},
			[]time.Time{at(3, 29, 9), at(4, 30, 9), at(5, 31, 9), at(6, 28, 9), at(7, 31, 9)}},
		{"quartz 1W, nearest weekday to the 1st", definition.TimeTrigger{Type: "CRON", Cron: "0 0 9 1W * ?"},
			[]time.Time{at(4, 1, 9), at(5, 1, 9), at(6, 3, 9), at(7, 1, 9), at(8, 1, 9), at(9, 2, 9)}},
		{"quartz 31W, only months of 31 days", definition.TimeTrigger{Type: "CRON", Cron: "0 0 9 31W * ?"},
			[]time.Time{at(3, 29, 9), at(5, 31, 9), at(7, 31, 9), at(8, 30, 9), at(10, 31, 9)}},
		{"quartz 6L, last Friday", definition.TimeTrigger{Type: "CRON", Cron: "0 0 9 ? * 6L"},
			[]time.Time{at(3, 29, 9), at(4, 26, 9), at(5, 31, 9), at(6, 28, 9), at(7, 26, 9)}},
		{"quartz MON#2 US/Pacific, second Monday", definition.TimeTrigger{Type: "CRON", Cron: "0 0 9 ? * MON#2", Timezone: "US/Pacific"},
			// 09:00 PDT = 16:00Z (the first, March 11, is after the DST change).
			[]time.Time{at(3, 11, 16), at(4, 8, 16), at(5, 13, 16), at(6, 10, 16), at(7, 8, 16)}},
		{"quartz 2#5, fifth Monday", definition.TimeTrigger{Type: "CRON", Cron: "0 0 9 ? * 2#5"},
			[]time.Time{at(4, 29, 9), at(7, 29, 9), at(9, 30, 9), at(12, 30, 9)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := scheduler.Spec(&tc.trigger)
			require.NoError(t, err)
			spec.StartAt = from
			id := "next-times/" + tc.name
			h, err := env.tc.ScheduleClient().Create(ctx, sdkclient.ScheduleOptions{
				ID: id, Spec: spec, Paused: true,
				Action: &sdkclient.ScheduleWorkflowAction{ID: id, Workflow: scheduler.FireWorkflowName, TaskQueue: client.DefaultTaskQueue},
			})
			require.NoError(t, err)
			defer func() { _ = h.Delete(ctx) }()
			d, err := h.Describe(ctx)
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(d.Info.NextActionTimes), len(tc.want))
			got := make([]time.Time, len(tc.want))
			for i := range got {
				got[i] = d.Info.NextActionTimes[i].UTC()
			}
			require.Equal(t, tc.want, got)
		})
	}
}

// timeTriggerDef is a one-NoOp workflow with the given time triggers.
func timeTriggerDef(t *testing.T, id string, triggers ...*definition.TimeTrigger) *definition.Request {
	t.Helper()
	b := definition.NewWorkflow(id).Owner("tester").Steps(definition.NoOp("a")).RunStrategy(definition.Sequential)
	for _, tr := range triggers {
		b = b.TimeTrigger(tr)
	}
	req, err := b.Build()
	require.NoError(t, err)
	return req
}

func describeSchedules(t *testing.T, id string) []*sdkclient.ScheduleDescription {
	t.Helper()
	ds, err := env.baton.Scheduler().Schedules(context.Background(), id)
	require.NoError(t, err)
	return ds
}

// waitInstances waits until the queue of id has n ended instances and
// returns them, oldest first.
func waitEnded(t *testing.T, id string, n int) []scheduler.Instance {
	t.Helper()
	var ended []scheduler.Instance
	require.Eventually(t, func() bool {
		snap, err := env.baton.Instances(context.Background(), id)
		require.NoError(t, err)
		ended = ended[:0]
		for _, in := range snap.Instances {
			if in.Ended != nil {
				ended = append([]scheduler.Instance{in}, ended...)
			}
		}
		return len(ended) >= n
	}, time.Minute, 20*time.Millisecond)
	return ended
}

func TestTimeTriggerSchedule(t *testing.T) {
	ctx := context.Background()
	const id = "tt-lifecycle"
	tokyo := &definition.TimeTrigger{Type: "PREDEFINED", Expression: "@daily", Timezone: "Asia/Tokyo"}
	v1, err := env.baton.Push(ctx, timeTriggerDef(t, id, tokyo))
	require.NoError(t, err)
	require.True(t, v1.SchedulesSynced, "the registry entity synced the schedules")
	ds := describeSchedules(t, id)
	require.Len(t, ds, 1)
	require.False(t, ds[0].Schedule.State.Paused)

	// Fire now through the schedule: the instance gets the slot's RUN_TS and
	// its date in the trigger's zone.
	require.NoError(t, env.tc.ScheduleClient().GetHandle(ctx, scheduler.ScheduleID(id, 0)).Trigger(ctx, sdkclient.ScheduleTriggerOptions{}))
	ended := waitEnded(t, id, 1)
	require.Equal(t, scheduler.StatusSucceeded, ended[0].Status)
	require.Equal(t, "TIME", ended[0].Initiator)
	require.Equal(t, v1.Version, ended[0].Version)
	st, err := env.baton.GetRun(ended[0].ID, "").Wait(ctx)
	require.NoError(t, err)
	runTS := st.Params["RUN_TS"].Value.(int64)
	slot := time.UnixMilli(runTS)
	require.WithinDuration(t, time.Now(), slot, time.Minute)
	tokyoZone, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	require.Equal(t, slot.In(tokyoZone).Format("20060102"), st.Params["TARGET_RUN_DATE"].Value)
	require.Equal(t, "Asia/Tokyo", st.Params["WORKFLOW_CRON_TIMEZONE"].Value)
	require.Equal(t, ended[0].ID, id+"/"+scheduler.SlotRequestID(0, slot))

	// A new version replaces the schedule: two triggers now, new spec.
	pacific := &definition.TimeTrigger{Type: "CRON", Cron: "0 9 * * *", Timezone: "US/Pacific"}
	_, err = env.baton.Push(ctx, timeTriggerDef(t, id, pacific, tokyo))
	require.NoError(t, err)
	ds = describeSchedules(t, id)
	require.Len(t, ds, 2)
	require.Equal(t, "US/Pacific", ds[0].Schedule.Spec.TimeZoneName)
	require.Equal(t, "Asia/Tokyo", ds[1].Schedule.Spec.TimeZoneName)
	// One trigger again: the second schedule goes.
	_, err = env.baton.Push(ctx, timeTriggerDef(t, id, pacific))
	require.NoError(t, err)
	require.Len(t, describeSchedules(t, id), 1)

	// Deactivate pauses; activate resumes with that version's triggers.
	require.NoError(t, env.baton.Deactivate(ctx, id))
	ds = describeSchedules(t, id)
	require.True(t, ds[0].Schedule.State.Paused)
	_, err = env.baton.Activate(ctx, id, v1.Version)
	require.NoError(t, err)
	ds = describeSchedules(t, id)
	require.Len(t, ds, 1)
	require.False(t, ds[0].Schedule.State.Paused)
	require.Equal(t, "Asia/Tokyo", ds[0].Schedule.Spec.TimeZoneName)

	// properties.time_trigger_disabled keeps the schedules paused.
	disabled := timeTriggerDef(t, id, tokyo)
	yes := true
	disabled.Properties.TimeTriggerDisabled = &yes
	_, err = env.baton.Push(ctx, disabled)
	require.NoError(t, err)
	require.True(t, describeSchedules(t, id)[0].Schedule.State.Paused)
	require.NoError(t, env.baton.Deactivate(ctx, id))
}

func TestBackfillDaily(t *testing.T) {
	ctx := context.Background()
	const id = "tt-backfill"
	req, err := definition.NewWorkflow(id).Owner("tester").
		Steps(definition.Sleep("nap", 1)).RunStrategy(definition.Sequential).
		TimeTrigger(&definition.TimeTrigger{Type: "PREDEFINED", Expression: "@daily", Timezone: "UTC"}).Build()
	require.NoError(t, err)
	_, err = env.baton.Push(ctx, req)
	require.NoError(t, err)
	defer func() { _ = env.baton.Deactivate(ctx, id) }()
	n, err := env.baton.Scheduler().Backfill(ctx, id, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 3, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	ended := waitEnded(t, id, 3)
	require.Len(t, ended, 3)
	var dates []string
	for i, in := range ended {
		require.Equal(t, scheduler.StatusSucceeded, in.Status)
		st, err := env.baton.GetRun(in.ID, "").Wait(ctx)
		require.NoError(t, err)
		require.Equal(t, workflows.InstanceSucceeded, st.Status)
		dates = append(dates, st.Params["TARGET_RUN_DATE"].Value.(string))
		if i > 0 { // one at a time: each started after the one before ended
			require.False(t, in.Started.Before(*ended[i-1].Ended), "instance %d started before %d ended", i, i-1)
		}
	}
	require.Equal(t, []string{"20240101", "20240102", "20240103"}, dates)
}

func TestTimeTriggerSamplesAccepted(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"server__sample-time-trigger-wf.json"} {
		req := loadSample(t, name)
		_, err := env.baton.Compile(req)
		require.NoError(t, err)
		v, err := env.baton.Push(ctx, req)
		require.NoError(t, err)
		ds := describeSchedules(t, v.WorkflowID)
		require.Len(t, ds, 3)
		require.Equal(t, 30*time.Second, ds[2].Schedule.Spec.Jitter)
		require.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL, ds[2].Schedule.Policy.Overlap)
		require.NoError(t, env.baton.Deactivate(ctx, v.WorkflowID))
	}
}
