package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	W "github.com/batonhq/baton/workflows"
)

// TestLeanStartHistory checks what a new run records on the real server
// (workflows.ChangeLeanStart). Started by the client (version 3, from the
// input): no version marker, no TemporalChangeVersion upsert and no
// breakpoint read (the client read them), so a one-step run records the
// BatonStatus upsert and its completion; started with an input that does
// not ask for version 3 (a starter of session 4): the lean-start marker and
// the run's own breakpoint read. Either way no workflow-timeout timer in a
// run that ends in its first workflow task; a run that waits starts that
// timer in its first task, cancels it at its end, and still times out on
// it.
func TestLeanStartHistory(t *testing.T) {
	v3 := []enumspb.EventType{
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, // BatonStatus
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
	}
	v2 := []enumspb.EventType{
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_MARKER_RECORDED,                   // lean-start
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, // TemporalChangeVersion
		enumspb.EVENT_TYPE_MARKER_RECORDED,                   // the breakpoints read (a local activity)
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, // BatonStatus
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
	}
	oneStep := func() *definition.WorkflowBuilder {
		return definition.NewWorkflow("lean-one").Steps(definition.NoOp("a"))
	}
	waits := func() *definition.WorkflowBuilder {
		return definition.NewWorkflow("lean-waits").Timeout(time.Hour).Steps(definition.Sleep("nap", 1))
	}
	timesOut := func() *definition.WorkflowBuilder {
		return definition.NewWorkflow("lean-times-out").Timeout(time.Second).Steps(definition.Sleep("nap", 60))
	}
	// From workflows.LeanLocalInput: local attempts defer the timeout's
	// timer, and a chain of them ends in its first task without one.
	localChain := func() *definition.WorkflowBuilder {
		return definition.NewWorkflow("lean-local-chain").Timeout(time.Hour).
			Steps(definition.NewStep("q1", "Quiet").Next("q2"), definition.NewStep("q2", "Quiet"))
	}
	v4chain := []enumspb.EventType{
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_MARKER_RECORDED,                   // q1
		enumspb.EVENT_TYPE_MARKER_RECORDED,                   // q2
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, // BatonStatus
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
	}
	// A local attempt that outlives the workflow timeout: the run times out
	// when the SDK heartbeats the open workflow task, with no timer.
	localTimesOut := func() *definition.WorkflowBuilder {
		return definition.NewWorkflow("lean-local-times-out").Timeout(time.Second).Steps(definition.NewStep("hold", "Hold"))
	}
	tests := []struct {
		name     string
		build    func() *definition.WorkflowBuilder
		session4 bool // start with a session-4 input (no Lean): version 2
		want     W.InstanceStatus
		events   []enumspb.EventType // the whole history, if set
		timeout  string              // the workflow timeout's timer, if the run waits
		noTimer  bool                // the run starts no timer at all
	}{
		{name: "one-step", build: oneStep, want: W.InstanceSucceeded, events: v3},
		{name: "waits", build: waits, want: W.InstanceSucceeded, timeout: "1h0m0s"},
		{name: "times-out", build: timesOut, want: W.InstanceTimedOut, timeout: "1s"},
		{name: "one-step-v2", build: oneStep, session4: true, want: W.InstanceSucceeded, events: v2},
		{name: "times-out-v2", build: timesOut, session4: true, want: W.InstanceTimedOut, timeout: "1s"},
		{name: "local-chain", build: localChain, want: W.InstanceSucceeded, events: v4chain},
		{name: "local-times-out", build: localTimesOut, want: W.InstanceTimedOut, noTimer: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			req, err := tt.build().Build()
			require.NoError(t, err)
			var run *client.Run
			if tt.session4 {
				plan, err := env.baton.Compile(req)
				require.NoError(t, err)
				wr, err := env.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{
					ID: plan.WorkflowID + "/" + client.NewUUID(), TaskQueue: client.DefaultTaskQueue,
					TypedSearchAttributes: temporal.NewSearchAttributes(W.SearchAttributeStatus.ValueSet(string(W.InProgress))),
				}, W.WorkflowName, W.RunInput{Plan: plan, Initiator: "MANUAL"})
				require.NoError(t, err)
				run = env.baton.GetRun(wr.GetID(), wr.GetRunID())
			} else {
				run, _, err = env.baton.StartDefinition(ctx, req, client.StartOptions{})
				require.NoError(t, err)
			}
			st, err := run.Wait(ctx)
			require.NoError(t, err)
			require.Equal(t, tt.want, st.Status, st.Error)

			events := history(ctx, t, run.ID(), run.RunID())
			var types []enumspb.EventType
			var markers []string
			firstTaskTimers := map[string]bool{}
			completedTasks, localActivities := 0, 0
			for _, ev := range events {
				types = append(types, ev.GetEventType())
				switch ev.GetEventType() {
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
					completedTasks++
				case enumspb.EVENT_TYPE_MARKER_RECORDED:
					if ev.GetMarkerRecordedEventAttributes().GetMarkerName() != "Version" {
						if p := ev.GetMarkerRecordedEventAttributes().GetDetails()["data"].GetPayloads(); len(p) > 0 &&
							strings.Contains(string(p[0].GetData()), W.LoadBreakpointsActivityName) {
							localActivities++ // reading the breakpoints
						}
						continue
					}
					var id string
					p := ev.GetMarkerRecordedEventAttributes().GetDetails()["change-id"].GetPayloads()
					require.Len(t, p, 1)
					require.NoError(t, json.Unmarshal(p[0].GetData(), &id))
					markers = append(markers, id)
				case enumspb.EVENT_TYPE_TIMER_STARTED:
					if completedTasks == 1 {
						firstTaskTimers[ev.GetTimerStartedEventAttributes().GetStartToFireTimeout().AsDuration().String()] = true
					}
				}
			}
			if tt.session4 {
				require.Equal(t, []string{W.ChangeLeanStart}, markers)
				require.Equal(t, 1, localActivities, "one local activity: the run reads its breakpoints")
			} else {
				require.Empty(t, markers, "version 3 records no version marker")
				require.Zero(t, localActivities, "the client read the breakpoints: the run reads none")
			}
			if tt.events != nil {
				require.Equal(t, tt.events, types)
			}
			if tt.noTimer {
				require.NotContains(t, types, enumspb.EVENT_TYPE_TIMER_STARTED)
			}
			if tt.timeout != "" {
				require.True(t, firstTaskTimers[tt.timeout], "no %s timer in the first workflow task: %v", tt.timeout, firstTaskTimers)
			}
		})
	}
}

// history reads a run's whole history.
func history(ctx context.Context, t *testing.T, id, runID string) []*historypb.HistoryEvent {
	t.Helper()
	it := env.tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var out []*historypb.HistoryEvent
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		out = append(out, ev)
	}
	return out
}
