package integration

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

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
			scheduler.Ended{ID: "rs-report-other/nobody", Status: scheduler.StatusSucceeded, Run: 1}, scheduler.StatusCreated, scheduler.StatusInProgress, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc, p := callerQueue(t, tc.id, tc.rule)
			first := admitCaller(t, sc, p, tc.id+"-a")
			require.True(t, first.Start)
			e := tc.report
			if e.ID == "" {
				e.ID = first.Instance.ID
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
