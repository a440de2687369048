package integration

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	W "github.com/batonhq/baton/workflows"
)

// historiesDir is where workflows/replay_test.go finds the histories.
var historiesDir = filepath.Join("..", "..", "..", "..", "workflows", "testdata", "histories")

// TestRecordHistories runs sample definitions on the embedded server and
// writes each run's history to workflows/testdata/histories, where the
// default test suite replays them against the current interpreter. It
// runs only when asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordHistories
//
// Re-record only on purpose: a history that no longer replays means the
// interpreter changed behaviour without a workflow.GetVersion gate.
func TestRecordHistories(t *testing.T) {
	recording(t)
	samples := map[string]string{
		"dag-test-1":     "server__sample-dag-test-1.json",
		"dag-test-2":     "server__sample-dag-test-2.json",
		"dag-test-3":     "server__sample-dag-test-3.json",
		"dag-test-8":     "server__sample-dag-test-8.json",
		"conditional-wf": "server__sample-conditional-wf.json",
	}
	for name, file := range samples {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := loadSample(t, file)
			scaleSleeps(req.Workflow.Steps, 1) // as TestSamples: 15-100 s sleeps become 1 s
			record(t, name, req, W.InstanceSucceeded, nil)
		})
	}
	t.Run("user-local-activity", func(t *testing.T) {
		t.Parallel()
		req, err := definition.NewWorkflow("user-local-activity").
			Steps(definition.NewStep("echo", "Echo").
				Param("reply", definition.String("hi")).Param("out", definition.String("")).
				Then("after", "out == 'hi'"),
				definition.NoOp("after")).Build()
		require.NoError(t, err)
		st := record(t, "user-local-activity", req, W.InstanceSucceeded, nil)
		require.Equal(t, "local_activity", st.Step("echo").Mode)
	})
	t.Run("bare-local-results", func(t *testing.T) {
		t.Parallel()
		// Quiet returns no outputs: from workflows.LeanLocalInput its
		// markers carry no result; Echo's carry its output.
		req, err := definition.NewWorkflow("bare-local-results").
			Steps(definition.NewStep("q1", "Quiet").Next("q2"),
				definition.NewStep("q2", "Quiet").Next("echo"),
				definition.NewStep("echo", "Echo").
					Param("reply", definition.String("hi")).Param("out", definition.String("")).
					Then("after", "out == 'hi'"),
				definition.NoOp("after")).Build()
		require.NoError(t, err)
		st := record(t, "bare-local-results", req, W.InstanceSucceeded, nil)
		require.Equal(t, W.Succeeded, st.Step("after").Status)
	})
	t.Run("local-times-out", func(t *testing.T) {
		t.Parallel()
		// From workflows.LeanLocalInput the workflow timeout waits for a
		// round with no local attempt in flight; Hold outlives it, and the
		// run times out when the SDK heartbeats its open workflow task.
		req, err := definition.NewWorkflow("local-times-out").Timeout(time.Second).
			Steps(definition.NewStep("hold", "Hold")).Build()
		require.NoError(t, err)
		st := record(t, "local-times-out", req, W.InstanceTimedOut, nil)
		require.Equal(t, W.TimedOut, st.Step("hold").Status)
	})
	t.Run("user-activity-retry", func(t *testing.T) {
		t.Parallel()
		req, err := definition.NewWorkflow("user-activity-retry").
			Steps(definition.NewStep("flaky", "FailFirst").
				Retry(definition.Retries().Fixed().ErrorBackoff(1)).Next("after"),
				definition.NoOp("after")).Build()
		require.NoError(t, err)
		st := record(t, "user-activity-retry", req, W.InstanceSucceeded, nil)
		require.Equal(t, "activity", st.Step("flaky").Mode)
		require.Equal(t, 2, st.Step("flaky").Attempts)
	})
	t.Run("stopped", func(t *testing.T) {
		t.Parallel()
		req, err := definition.NewWorkflow("stopped").
			Steps(definition.Sleep("nap", 300).Next("after"), definition.NoOp("after")).Build()
		require.NoError(t, err)
		st := record(t, "stopped", req, W.InstanceStopped, func(ctx context.Context, run *client.Run) {
			require.Eventually(t, func() bool {
				st, err := run.State(ctx)
				return err == nil && st.Step("nap").Status == W.Running
			}, 20*time.Second, 50*time.Millisecond)
			require.NoError(t, run.Stop(ctx))
		})
		require.Equal(t, W.Stopped, st.Step("nap").Status)
	})
}

// record runs req (calling during while it runs), checks its status and
// writes its history to historiesDir/name.json, then replays the file.
func record(t *testing.T, name string, req *definition.Request, want W.InstanceStatus, during func(context.Context, *client.Run)) *W.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	if during != nil {
		during(ctx, run)
	}
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, want, st.Status, st.Error)
	writeHistory(ctx, t, name, run.ID(), run.RunID())
	return st
}
