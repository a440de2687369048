package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/scheduler"
	W "github.com/batonhq/baton/workflows"
)

// pushGateChild registers a one-step Gate workflow under rule and returns
// its definition.
func pushGateChild(ctx context.Context, t *testing.T, id string, rule definition.RunStrategyRule) *definition.Request {
	t.Helper()
	child := gateDef(t, id, rule, -1)
	_, err := registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	return child
}

// startSubworkflowParent starts a parent whose one subworkflow step runs
// childWF with the child's gate at key.
func startSubworkflowParent(ctx context.Context, t *testing.T, parentWF, childWF, key string, sync bool) *client.Run {
	t.Helper()
	parent, err := definition.Decode([]byte(fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":%q,"steps":[
		{"subworkflow":{"id":"sub","sync":%t,"params":{"subworkflow_id":{"type":"STRING","value":%q},
			"gate":{"type":"STRING","value":%q}}}}]}}`, parentWF, sync, childWF, key)))
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, parent, client.StartOptions{})
	require.NoError(t, err)
	return run
}

// childBehindOne registers childWF under rule, starts one instance of it
// that holds its gate (key "<name>-first"), then a parent whose step runs
// childWF (gate "<name>-sub"). It returns the first instance, the parent
// and the child instance's id.
func childBehindOne(ctx context.Context, t *testing.T, name, childWF string, rule definition.RunStrategyRule, sync bool) (*client.Run, *client.Run, string) {
	t.Helper()
	child := pushGateChild(ctx, t, childWF, rule)
	first := strategyRun(t, child, name+"-first")
	waitStarted(t, name+"-first")
	run := startSubworkflowParent(ctx, t, "sq-parent-"+name, childWF, name+"-sub", sync)
	return first, run, run.ID() + "/sub"
}

// TestSubworkflowThroughChildQueue: a subworkflow step admits its child
// through the child workflow id's run strategy, as Maestro's subworkflow
// step starts it with startWithRunStrategy. Under SEQUENTIAL with one
// instance running, the child waits in the queue (CREATED, position 1:
// what `baton list --workflow-id CHILD --queue` shows), then runs and the
// parent gets its result; an async step is done once its child is queued,
// and the queue starts the child; FIRST_ONLY stops the child at once and
// with it the step; a parent stopped while its child waits stops the
// child in the queue.
func TestSubworkflowThroughChildQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := time.Now().UnixNano()
	notStarted := func(t *testing.T, id string) {
		t.Helper()
		_, err := env.tc.DescribeWorkflowExecution(ctx, id, "")
		var nf *serviceerror.NotFound
		require.ErrorAs(t, err, &nf, "child %s has no execution while it waits", id)
	}

	t.Run("sequential child waits, then runs", func(t *testing.T) {
		childWF := fmt.Sprintf("sq-seq-%d", suffix)
		first, run, childID := childBehindOne(ctx, t, childWF, childWF, definition.Sequential, true)
		require.Eventually(t, func() bool { return queueOf(t, childWF)[childID] == "CREATED#1" }, 30*time.Second, 10*time.Millisecond)
		notStarted(t, childID)
		st, err := run.State(ctx)
		require.NoError(t, err)
		require.Equal(t, W.Running, st.Step("sub").Status, "the step waits for its child")

		gateType.open(childWF+"-first", false)
		waitStatus(t, first, W.InstanceSucceeded)
		waitStarted(t, childWF+"-sub")
		require.Equal(t, scheduler.StatusInProgress, queueOf(t, childWF)[childID])
		gateType.open(childWF+"-sub", false)
		st = waitStatus(t, run, W.InstanceSucceeded)
		require.Equal(t, W.Succeeded, st.Step("sub").Status)
		require.Eventually(t, func() bool { return queueOf(t, childWF)[childID] == scheduler.StatusSucceeded }, 30*time.Second, 10*time.Millisecond)
		replayRun(t, run.ID(), run.RunID(), "subworkflow-queue-sequential")
		replayEntity(t, "scheduler", scheduler.QueueID(childWF), "queue-subworkflow-sequential")
	})

	t.Run("async child waits, the queue starts it", func(t *testing.T) {
		childWF := fmt.Sprintf("sq-async-%d", suffix)
		first, run, childID := childBehindOne(ctx, t, childWF, childWF, definition.Sequential, false)
		st := waitStatus(t, run, W.InstanceSucceeded)
		require.Equal(t, W.Succeeded, st.Step("sub").Status, "an async step is done once its child is queued")
		require.Equal(t, "CREATED#1", queueOf(t, childWF)[childID])
		notStarted(t, childID)
		gateType.open(childWF+"-first", false)
		waitStatus(t, first, W.InstanceSucceeded)
		waitStarted(t, childWF+"-sub")
		gateType.open(childWF+"-sub", false)
		require.Eventually(t, func() bool { return queueOf(t, childWF)[childID] == scheduler.StatusSucceeded }, 30*time.Second, 10*time.Millisecond)
	})

	t.Run("first_only child is stopped", func(t *testing.T) {
		childWF := fmt.Sprintf("sq-first-%d", suffix)
		first, run, childID := childBehindOne(ctx, t, childWF, childWF, definition.FirstOnly, true)
		st, err := run.Wait(ctx)
		require.NoError(t, err)
		require.Equal(t, W.Stopped, st.Step("sub").Status, st.Step("sub").Error)
		require.Contains(t, st.Step("sub").Error, "With FIRST_ONLY run strategy, this run is stopped due to a running one ["+first.ID()+"]")
		require.Equal(t, scheduler.StatusStopped, queueOf(t, childWF)[childID])
		notStarted(t, childID)
		gateType.open(childWF+"-first", false)
		waitStatus(t, first, W.InstanceSucceeded)
	})

	t.Run("stopping the parent stops its waiting child", func(t *testing.T) {
		childWF := fmt.Sprintf("sq-stop-%d", suffix)
		first, run, childID := childBehindOne(ctx, t, childWF, childWF, definition.Sequential, true)
		require.Eventually(t, func() bool { return queueOf(t, childWF)[childID] == "CREATED#1" }, 30*time.Second, 10*time.Millisecond)
		require.NoError(t, run.Stop(ctx))
		waitStatus(t, run, W.InstanceStopped)
		require.Eventually(t, func() bool { return queueOf(t, childWF)[childID] == scheduler.StatusStopped }, 30*time.Second, 10*time.Millisecond)
		gateType.open(childWF+"-first", false)
		waitStatus(t, first, W.InstanceSucceeded)
		require.Equal(t, scheduler.StatusStopped, queueOf(t, childWF)[childID], "the stopped child is not admitted after the first")
		notStarted(t, childID)
	})

	t.Run("skipping the step stops its waiting child", func(t *testing.T) {
		// A step action ends the step at once; the run still takes the
		// child out of the queue before it ends.
		childWF := fmt.Sprintf("sq-skip-%d", suffix)
		first, run, childID := childBehindOne(ctx, t, childWF, childWF, definition.Sequential, true)
		require.Eventually(t, func() bool { return queueOf(t, childWF)[childID] == "CREATED#1" }, 30*time.Second, 10*time.Millisecond)
		act(ctx, t, run.ID(), W.ActionSkip, "sub", W.Skipped, "")
		waitStatus(t, run, W.InstanceSucceeded)
		require.Equal(t, scheduler.StatusStopped, queueOf(t, childWF)[childID], "stopped before the run ended")
		gateType.open(childWF+"-first", false)
		waitStatus(t, first, W.InstanceSucceeded)
		notStarted(t, childID)
		replayRun(t, run.ID(), run.RunID(), "subworkflow-queue-skip")
	})
}

// replayRun records an interpreter run's history (to
// workflows/testdata/histories with BATON_RECORD_HISTORIES=1, else to a
// temporary file) and replays it.
func replayRun(t *testing.T, id, runID, name string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".json")
	if os.Getenv("BATON_RECORD_HISTORIES") == "1" {
		path = filepath.Join(historiesDir, historyPrefix+name+".json")
	}
	require.NoError(t, batontest.RecordHistory(context.Background(), env.tc, id, runID, path))
	batontest.Replay(t, path)
}
