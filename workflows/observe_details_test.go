package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/sdk/workflow"

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
