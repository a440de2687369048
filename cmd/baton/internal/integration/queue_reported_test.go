package integration

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/workflows"
)

// TestQueueReportedEnds: a start that reports the end of the running
// instance (its caller waited for that result) is decided on it, with no
// check of its own; a report that names no end of the running run is not
// taken. The first instance is admitted but never started, so the queue
// cannot learn its end from anywhere else within the grace.
func TestQueueReportedEnds(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, id string
		rule     definition.RunStrategyRule
		report   scheduler.Ended // ID is filled in
		// the second instance's admission, the first's status after it
		wantNext, wantFirst string
		record              string // history kept as scheduler/testdata/histories/<record>.json
	}{
		{"SEQUENTIAL: the reported end admits the next", "rs-report-seq", definition.Sequential,
			scheduler.Ended{Status: scheduler.StatusSucceeded, Run: 1}, scheduler.StatusInProgress, scheduler.StatusSucceeded, "queue-reported-ends"},
		{"FIRST_ONLY: the next is not stopped", "rs-report-first", definition.FirstOnly,
			scheduler.Ended{Status: scheduler.StatusFailed, Run: 1, Reason: "boom"}, scheduler.StatusInProgress, scheduler.StatusFailed, ""},
		{"a status that is no end is not taken", "rs-report-running", definition.Sequential,
			scheduler.Ended{Status: scheduler.StatusInProgress, Run: 1}, scheduler.StatusCreated, scheduler.StatusInProgress, ""},
		{"a report of no run is not taken", "rs-report-norun", definition.Sequential,
			scheduler.Ended{Status: scheduler.StatusSucceeded}, scheduler.StatusCreated, scheduler.StatusInProgress, ""},
		{"another instance's end is not taken", "rs-report-other", definition.Sequential,
			scheduler.Ended{ID: "nobody", Status: scheduler.StatusSucceeded, Run: 1}, scheduler.StatusCreated, scheduler.StatusInProgress, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.id = perRun(tc.id)
			sc, p := callerQueue(t, tc.id, tc.rule)
			first := admitCaller(t, sc, p, tc.id+"-a")
			require.True(t, first.Start)
			e := tc.report
			if e.ID == "" {
				e.ID = first.Instance.ID
			} else {
				e.ID = tc.id + "/" + e.ID
			}
			next, err := sc.Admit(ctx, scheduler.StartRequest{InstanceID: tc.id + "/" + tc.id + "-b", Plan: p, CallerStarts: true, Ended: []scheduler.Ended{e}})
			require.NoError(t, err)
			require.Equal(t, tc.wantNext, next.Instance.Status)
			require.Equal(t, tc.wantNext == scheduler.StatusInProgress, next.Start)
			require.Equal(t, tc.wantFirst, queueOf(t, tc.id)[first.Instance.ID])
			if tc.wantNext == scheduler.StatusCreated {
				// The queue starts it once the first one's grace is over.
				gateType.open(tc.id+"-b", false)
			}
			if tc.record != "" {
				replayEntity(t, "scheduler", scheduler.QueueID(tc.id), tc.record)
			}
		})
	}
}

// TestQueueCallerReportsEnd: a client that waited for a queued run's
// result reports its end with its next start of the workflow id.
func TestQueueCallerReportsEnd(t *testing.T) {
	ctx := context.Background()
	const id = "rs-report-client"
	req := gateDef(t, id, definition.Sequential, -1)
	a := strategyRun(t, req, "report-a")
	gateType.open("report-a", false)
	stA := waitStatus(t, a, workflows.InstanceSucceeded)
	b := strategyRun(t, req, "report-b")
	require.Equal(t, scheduler.StatusInProgress, admitted(b))

	var last scheduler.StartRequest
	it := env.tc.GetWorkflowHistory(ctx, scheduler.QueueID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		if at := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); at != nil {
			in := at.GetAcceptedRequest().GetInput()
			require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(in.GetArgs(), &last))
		}
	}
	require.Equal(t, b.ID(), last.InstanceID)
	require.Equal(t, []scheduler.Ended{{ID: a.ID(), RunID: a.RunID(), Status: scheduler.StatusSucceeded, Run: stA.Run}}, last.Ended)
	gateType.open("report-b", false)
	waitStatus(t, b, workflows.InstanceSucceeded)
}

// delayQueue starts workflow id's queue with the given caller watch
// delay.
func delayQueue(t *testing.T, id string, delay time.Duration) {
	t.Helper()
	_, err := env.tc.ExecuteWorkflow(context.Background(), sdkclient.StartWorkflowOptions{ID: scheduler.QueueID(id), TaskQueue: client.DefaultTaskQueue},
		scheduler.QueueWorkflowName, scheduler.QueueInput{State: scheduler.State{WorkflowID: id}, CallerWatchDelay: delay})
	require.NoError(t, err)
}

// queueEvents lists the types of a queue's events, in order.
func queueEvents(t *testing.T, id string) []enumspb.EventType {
	t.Helper()
	var out []enumspb.EventType
	it := env.tc.GetWorkflowHistory(context.Background(), scheduler.QueueID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		out = append(out, ev.GetEventType())
	}
	return out
}

// TestQueueCallerWatchDelay: while nothing waits, the queue begins to
// watch an instance its caller starts only after the delay. Back-to-back
// starts of one caller, each reporting the end of the one before, need
// no watch; a start from another caller checks the running instance
// itself; an instance nobody reports is learnt by the watch once the
// delay is over.
func TestQueueCallerWatchDelay(t *testing.T) {
	ctx := context.Background()
	t.Run("back to back", func(t *testing.T) {
		id := perRun("rs-delay-long")
		delayQueue(t, id, time.Hour)
		req := gateDef(t, id, definition.Sequential, -1)
		var last *client.Run
		for _, key := range []string{id + "-a", id + "-b", id + "-c"} {
			run := strategyRun(t, req, key)
			require.Equal(t, scheduler.StatusInProgress, admitted(run), key)
			gateType.open(key, false)
			waitStatus(t, run, workflows.InstanceSucceeded)
			last = run
		}
		events := queueEvents(t, id)
		require.NotContains(t, events, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, "no watch")
		require.Contains(t, events, enumspb.EVENT_TYPE_TIMER_CANCELED)
		q := queueOf(t, id)
		require.Equal(t, scheduler.StatusInProgress, q[last.ID()], "nobody reported it yet")

		// A start that reports nothing checks the running instance.
		plan, err := env.baton.Compile(req)
		require.NoError(t, err)
		a, err := env.baton.Scheduler().Admit(ctx, scheduler.StartRequest{InstanceID: id + "/delay-other", Plan: plan, CallerStarts: true})
		require.NoError(t, err)
		require.Equal(t, scheduler.StatusInProgress, a.Instance.Status)
		require.Equal(t, scheduler.StatusSucceeded, queueOf(t, id)[last.ID()])
		replayEntity(t, "scheduler", scheduler.QueueID(id), "queue-caller-watch-delay")
	})
	t.Run("learnt by the watch after the delay", func(t *testing.T) {
		id := perRun("rs-delay-short")
		delayQueue(t, id, 100*time.Millisecond)
		run := strategyRun(t, gateDef(t, id, definition.Sequential, -1), id)
		gateType.open(id, false)
		waitStatus(t, run, workflows.InstanceSucceeded)
		require.Eventually(t, func() bool { return queueOf(t, id)[run.ID()] == scheduler.StatusSucceeded }, 30*time.Second, 10*time.Millisecond)
		events := queueEvents(t, id)
		fired := slices.Index(events, enumspb.EVENT_TYPE_TIMER_FIRED)
		require.GreaterOrEqual(t, fired, 0)
		require.Greater(t, slices.Index(events, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), fired, "the watch begins once the timer fired")
	})
}
