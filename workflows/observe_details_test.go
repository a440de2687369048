package workflows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// TestCurrentDetailsMidRun: the details the UI reads (the metadata query)
// are current between events of a running run, on the event-driven engine
// (refreshed by its loop) and on the legacy one (by a coroutine).
func TestCurrentDetailsMidRun(t *testing.T) {
	const def = `{"workflow":{"id":"w","steps":[
		{"step":{"id":"a","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":60}},"transition":{"successors":{"b":"true"}}}},
		{"step":{"id":"b","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":60}}}}]}}`
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			env := newHarness(t, nil).env
			if legacy {
				env.OnGetVersion(W.ChangeLeanStart, workflow.DefaultVersion, 2).Return(workflow.DefaultVersion)
				env.OnGetVersion(W.ChangeEventEngine, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			details := func() string {
				v, err := env.QueryWorkflow("__temporal_workflow_metadata")
				require.NoError(t, err)
				var md sdkpb.WorkflowMetadata
				require.NoError(t, v.Get(&md))
				return md.CurrentDetails
			}
			var first, second string
			env.RegisterDelayedCallback(func() { first = details() }, 30*time.Second)
			env.RegisterDelayedCallback(func() { second = details() }, 90*time.Second)
			env.ExecuteWorkflow(W.WorkflowName, W.RunInput{Plan: compileJSON(t, def, nil)})
			require.NoError(t, env.GetWorkflowError())
			require.Contains(t, first, "**IN_PROGRESS** · 2 steps: 1 NOT_CREATED, 1 RUNNING")
			require.Contains(t, first, "| a | RUNNING | 1 |")
			require.Contains(t, second, "**IN_PROGRESS** · 2 steps: 1 RUNNING, 1 SUCCEEDED")
			require.Contains(t, second, "| b | RUNNING | 1 |")
		})
	}
}

// TestCurrentDetailsLocalChain: while a step's local activity is in flight
// the workflow task stays open and no one can read the details, so a chain
// of local-activity steps renders them a few times, not once per step
// (observer.update); the round that waits on something else (here a Sleep's
// timer, which ends the task) and the end of the run render what is
// current.
func TestCurrentDetailsLocalChain(t *testing.T) {
	const n = 40
	steps := make([]string, 0, n+1)
	for i := 1; i <= n; i++ {
		steps = append(steps, fmt.Sprintf(`{"step":{"id":"s%d","type":"Local","transition":{"successors":{"s%d":"true"}}}}`, i, i+1))
	}
	steps = append(steps, fmt.Sprintf(`{"step":{"id":"s%d","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":60}}}}`, n+1))
	def := `{"workflow":{"id":"w","steps":[` + strings.Join(steps, ",") + `]}}`
	renders, restore := W.CountDetailsRenders()
	defer restore()
	h := newHarness(t, map[string]activities.StepType{"Local": benchNoOp})
	var mid string
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow("__temporal_workflow_metadata")
		require.NoError(t, err)
		var md sdkpb.WorkflowMetadata
		require.NoError(t, v.Get(&md))
		mid = md.CurrentDetails
	}, 30*time.Second)
	st := h.run(t, compileJSON(t, def, map[string]translator.StepTypeInfo{"Local": {Mode: translator.ModeLocalActivity}}), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status)
	require.Contains(t, mid, fmt.Sprintf("**IN_PROGRESS** · %d steps: 1 RUNNING, %d SUCCEEDED", n+1, n))
	require.Contains(t, mid, fmt.Sprintf("| s%d | RUNNING | 1 |", n+1))
	// At start, when the Sleep starts, at the end: not once per step.
	require.Less(t, *renders, 10, "renders of the details of a %d-step local-activity chain", n)
}

// BenchmarkStateDetails renders the details of a 300-step run half done,
// as the event engine does after every round of events with a move (once
// per step in a chain): go test -run '^$' -bench StateDetails ./workflows/
func BenchmarkStateDetails(b *testing.B) {
	st := &W.State{Status: W.InProgress}
	for i := range 300 {
		s := &W.StepState{ID: fmt.Sprintf("s%d", i+1), Status: W.Succeeded, Attempts: 1}
		if i > 150 {
			s.Status, s.Attempts = W.NotCreated, 0
		}
		st.Steps = append(st.Steps, s)
	}
	st.Steps[150].Status = W.Running
	b.ReportAllocs()
	for b.Loop() {
		_ = W.StateDetails(st)
	}
}

// TestCurrentDetailsRunEndingInFirstTask: a run that ends in its first
// workflow task renders its details once, at its end (on the event-driven
// engine nothing can read them before); the legacy engine renders at the
// start too.
func TestCurrentDetailsRunEndingInFirstTask(t *testing.T) {
	const def = `{"workflow":{"id":"w","steps":[{"step":{"id":"a","type":"NoOp"}}]}}`
	for _, tt := range []struct {
		legacy      bool
		wantRenders int
	}{{false, 1}, {true, 2}} {
		t.Run(fmt.Sprintf("legacy=%v", tt.legacy), func(t *testing.T) {
			renders, restore := W.CountDetailsRenders()
			defer restore()
			env := newHarness(t, nil).env
			if tt.legacy {
				env.OnGetVersion(W.ChangeLeanStart, workflow.DefaultVersion, 2).Return(workflow.DefaultVersion)
				env.OnGetVersion(W.ChangeEventEngine, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			env.ExecuteWorkflow(W.WorkflowName, W.RunInput{Plan: compileJSON(t, def, nil)})
			require.NoError(t, env.GetWorkflowError())
			v, err := env.QueryWorkflow("__temporal_workflow_metadata")
			require.NoError(t, err)
			var md sdkpb.WorkflowMetadata
			require.NoError(t, v.Get(&md))
			require.Contains(t, md.CurrentDetails, "**SUCCEEDED** · 1 steps: 1 SUCCEEDED")
			require.Equal(t, tt.wantRenders, *renders)
		})
	}
}
