package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	W "github.com/batonhq/baton/workflows"
)

// TestAsyncSubworkflowOutlivesParent: an async (sync: false) subworkflow
// step is done once its child has started, so stopping, killing or
// terminating the parent leaves the child running (abandoned, as in
// Maestro). A restart from the beginning while that child still runs fails
// the step with Maestro's reason (a restarted parent restarts the same child
// instance, refused while it runs); once the child has ended, a restart
// starts it again.
func TestAsyncSubworkflowOutlivesParent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	childWF := fmt.Sprintf("async-napper-%d", time.Now().UnixNano())
	child, err := definition.NewWorkflow(childWF).Owner("tester").Steps(definition.Sleep("nap", 300)).Build()
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)

	for _, action := range []string{"stop", "kill", "terminate"} {
		t.Run(action, func(t *testing.T) {
			parent, err := definition.Decode([]byte(fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"async-parent-%s","steps":[
				{"subworkflow":{"id":"sub","sync":false,"transition":{"successors":{"wait":"true"}},
					"params":{"subworkflow_id":{"type":"STRING","value":%q}}}},
				{"step":{"id":"wait","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":300}}}}]}}`, action, childWF)))
			require.NoError(t, err)
			run, _, err := env.baton.StartDefinition(ctx, parent, client.StartOptions{})
			require.NoError(t, err)
			childID := run.ID() + "/sub"
			childRunning := func() bool {
				d, err := env.tc.DescribeWorkflowExecution(ctx, childID, "")
				return err == nil && d.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
			}
			require.Eventually(t, func() bool {
				st, err := run.State(ctx)
				return err == nil && st.Step("sub").Status == W.Succeeded && st.Step("wait").Status == W.Running
			}, 30*time.Second, 50*time.Millisecond, "the async step is done and the parent waits")
			require.True(t, childRunning())

			switch action {
			case "stop":
				require.NoError(t, run.Stop(ctx))
			case "kill":
				require.NoError(t, run.Kill(ctx, "killed by the test"))
			case "terminate":
				require.NoError(t, env.tc.TerminateWorkflow(ctx, run.ID(), run.RunID(), "terminated by the test"))
			}
			require.Eventually(t, func() bool {
				d, err := env.tc.DescribeWorkflowExecution(ctx, run.ID(), run.RunID())
				return err == nil && d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
			}, 30*time.Second, 50*time.Millisecond, "the parent ended")
			time.Sleep(500 * time.Millisecond) // a cancel request would have reached the child by now
			require.True(t, childRunning(), "the async child outlives its parent's %s", action)
			defer func() { _ = env.tc.TerminateWorkflow(context.Background(), childID, "", "test cleanup") }()
			if action != "stop" {
				return
			}

			again, err := env.baton.Restart(ctx, run.ID(), client.RestartOptions{Policy: W.RestartFromBeginning})
			require.NoError(t, err)
			st, err := again.Wait(ctx)
			require.NoError(t, err)
			require.Equal(t, W.FatallyFailed, st.Step("sub").Status)
			require.Contains(t, st.Step("sub").Error, "is still running")
			require.True(t, childRunning(), "the running child is left alone")

			require.NoError(t, env.tc.TerminateWorkflow(ctx, childID, "", "ended by the test"))
			third, err := env.baton.Restart(ctx, run.ID(), client.RestartOptions{})
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				st, err := third.State(ctx)
				return err == nil && st.Step("sub").Status == W.Succeeded
			}, 30*time.Second, 50*time.Millisecond, "once the old child ended, a restart starts it again")
			require.True(t, childRunning())
			require.NoError(t, third.Stop(ctx))
		})
	}
}
