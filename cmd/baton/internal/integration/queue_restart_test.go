package integration

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	sdkworkflow "go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/workflows"
)

// TestRestartThroughQueue: a restart goes through the run strategy, as
// Maestro's restartDirectly does: under SEQUENTIAL, restarting an ended
// instance while another runs makes the restart wait (CREATED, first in
// the queue, its previous run still the latest) until the running one
// ends; then it runs as the instance's next run.
func TestRestartThroughQueue(t *testing.T) {
	ctx := context.Background()
	const id = "rs-restart"
	req := gateDef(t, id, definition.Sequential, -1)
	a := strategyRun(t, req, "rq-a")
	waitStarted(t, "rq-a")
	gateType.open("rq-a", true)
	waitStatus(t, a, workflows.InstanceFailed)
	first := a.RunID()
	require.NotEmpty(t, first)

	b := strategyRun(t, req, "rq-b")
	waitStarted(t, "rq-b")
	require.Eventually(t, func() bool { return queueOf(t, id)[a.ID()] == scheduler.StatusFailed }, 30*time.Second, 5*time.Millisecond)

	again, err := env.baton.Restart(ctx, a.ID(), client.RestartOptions{})
	require.NoError(t, err)
	require.Equal(t, "CREATED#1", admitted(again))
	time.Sleep(200 * time.Millisecond)
	desc, err := env.tc.DescribeWorkflowExecution(ctx, a.ID(), "")
	require.NoError(t, err)
	require.Equal(t, first, desc.GetWorkflowExecutionInfo().GetExecution().GetRunId(), "the restart waits behind the running instance")
	require.Equal(t, "CREATED#1", queueOf(t, id)[a.ID()])

	gateType.open("rq-a", false) // the restarted step passes once it runs
	gateType.open("rq-b", false)
	waitStatus(t, b, workflows.InstanceSucceeded)
	st := waitStatus(t, again, workflows.InstanceSucceeded)
	require.Equal(t, 2, st.Run)
	require.NotEqual(t, first, again.RunID())
	require.Eventually(t, func() bool { return queueOf(t, id)[a.ID()] == scheduler.StatusSucceeded }, 30*time.Second, 5*time.Millisecond)

	// A bare instance, which the queue never saw, restarts at once.
	bare, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{
		Bare: true, RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: "rq-bare"}},
	})
	require.NoError(t, err)
	waitStarted(t, "rq-bare")
	gateType.open("rq-bare", true)
	waitStatus(t, bare, workflows.InstanceFailed)
	gateType.open("rq-bare", false)
	bareAgain, err := env.baton.Restart(ctx, bare.ID(), client.RestartOptions{})
	require.NoError(t, err)
	require.Nil(t, bareAgain.Admission())
	waitStatus(t, bareAgain, workflows.InstanceSucceeded)

	// The queue's history (caller starts, the ended check, a restart
	// through it) replays.
	replayEntity(t, "scheduler", scheduler.QueueID(id), "queue-restart-shared-watch")
}

// replayEntity records the history of an entity workflow's current run
// and replays it on the current code; with BATON_RECORD_HISTORIES=1 it
// keeps it in pkg's testdata/histories, where pkg's replay test finds it.
func replayEntity(t *testing.T, pkg, workflowID, name string) {
	t.Helper()
	ctx := context.Background()
	d, err := env.tc.DescribeWorkflowExecution(ctx, workflowID, "")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name+".json")
	if os.Getenv("BATON_RECORD_HISTORIES") == "1" {
		path = filepath.Join("..", "..", "..", "..", pkg, "testdata", "histories", name+".json")
	}
	require.NoError(t, batontest.RecordHistory(ctx, env.tc, workflowID, d.GetWorkflowExecutionInfo().GetExecution().GetRunId(), path))
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(scheduler.Queue, sdkworkflow.RegisterOptions{Name: scheduler.QueueWorkflowName})
	r.RegisterWorkflowWithOptions(registry.Entity, sdkworkflow.RegisterOptions{Name: registry.WorkflowName})
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	h, err := sdkclient.HistoryFromJSON(f, sdkclient.HistoryJSONOptions{})
	require.NoError(t, err)
	require.NoError(t, r.ReplayWorkflowHistory(nil, h))
}
