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
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// shardedForeach is a foreach of n iterations at concurrency 50 whose body
// is an Echo step (a local activity) then a Sleep of nap seconds: 50 local
// activities could be in flight, more than one workflow keeps (20), so the
// loop runs in three shards (of concurrency 17, 17 and 16). Iteration 1 fails while should_fail is "yes".
func shardedForeach(t *testing.T, name string, n, nap int) *definition.Request {
	t.Helper()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"properties":{"owner":{"name":"tester"},"step_concurrency":100},
	  "workflow":{"id":"%s-%d","params":{"should_fail":{"type":"STRING","value":"yes"}},
	  "steps":[{"foreach":{"id":"loop","concurrency":50,
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","expression":"Util.intsBetween(0, %d, 1)"}}}},
	    "steps":[{"step":{"id":"echo","type":"Echo","params":{"reply":{"type":"STRING","value":"x"},"out":{"type":"STRING","value":""},
	        "v":{"type":"LONG","expression":"if (should_fail == 'yes' && i == 0) throw 'failing on purpose'; return i;"}},
	        "transition":{"successors":{"nap":"true"}}}},
	      {"step":{"id":"nap","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":%d}}}}],
	    "transition":{"successors":{"after":"true"}}}},
	  {"step":{"id":"after","type":"NoOp","params":{"n":{"type":"LONG","expression":"params.getFromForeach('loop', 'echo', 'v').length"}}}}]}}`,
		name, time.Now().UnixNano(), n, nap)))
	require.NoError(t, err)
	return req
}

// requireShardsEnded checks that the shards of the run's loop have closed.
func requireShardsEnded(ctx context.Context, t *testing.T, runID string) {
	t.Helper()
	for k := 1; k <= 3; k++ {
		d, err := env.tc.DescribeWorkflowExecution(ctx, W.ShardID(runID+"/loop", k), "")
		require.NoError(t, err)
		require.NotEqual(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.WorkflowExecutionInfo.Status, "shard %d", k)
	}
}

// TestForeachShardsFailAndRestart: a failed iteration in one shard stops
// the launches of the others (70 iterations, the shards launch 17, 17 and
// 16 at once and they nap 5 s: the 20 not launched stay due), and a
// restart from incomplete runs the failed one and the 20, in shards again,
// keeping the 49 successes and their collected params.
func TestForeachShardsFailAndRestart(t *testing.T) {
	ctx := testContext(t, 3*time.Minute)
	run, first := startAndWait(t, shardedForeach(t, "shards-fail", 70, 5), nil, 2*time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	loop := first.Step("loop")
	require.Equal(t, W.FatallyFailed, loop.Status)
	require.Contains(t, loop.Error, "iteration 1 failed")
	require.Equal(t, &W.LoopSummary{Iterations: 50, Counts: W.LoopCounts{Succeeded: 49, Failed: 1}}, loop.Loop)
	requireShardsEnded(ctx, t, run.ID())

	second := restartFixed(ctx, t, run.ID())
	require.Equal(t, &W.LoopSummary{Iterations: 70, Counts: W.LoopCounts{Succeeded: 70}}, second.Step("loop").Loop)
	require.Equal(t, int64(70), second.Step("after").Params["n"].Value)
}

// TestForeachShardsStopAndActions: a sharded loop reports its shards'
// progress, forwards a step action to the shard that runs the iteration,
// and a stop of the run reaches every shard.
func TestForeachShardsStopAndActions(t *testing.T) {
	ctx := testContext(t, 2*time.Minute)
	run, _, err := env.baton.StartDefinition(ctx, shardedForeach(t, "shards-stop", 6, 300), client.StartOptions{
		RunParams: map[string]sel.Value{"should_fail": {Type: sel.String, Value: "no"}}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		p, err := run.LoopProgress(ctx, "loop")
		return err == nil && p.Running == 6
	}, time.Minute, 100*time.Millisecond, "6 iterations run in the shards")
	p, err := run.LoopProgress(ctx, "loop")
	require.NoError(t, err)
	require.Equal(t, W.LoopProgress{Total: 6, Running: 6, Shards: 3}, *p)
	act(ctx, t, run.ID(), W.ActionStop, "loop/3/nap", W.Stopped, "")
	eventuallyRefused(ctx, t, run.ID(), W.ActionStop, "loop/3/nap", "iteration 3 of foreach "+run.ID()+"/loop is not running")
	act(ctx, t, run.ID(), W.ActionStop, "loop/9/nap", "", "iteration 9 of foreach "+run.ID()+"/loop is not running")
	require.NoError(t, run.Stop(ctx))
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceStopped, st.Status, st.Error)
	require.Equal(t, W.Stopped, st.Step("loop").Status)
	requireShardsEnded(ctx, t, run.ID())
	// What a restart reads: every iteration stopped and due again.
	var lr W.LoopResult
	require.NoError(t, env.tc.GetWorkflow(ctx, run.ID()+"/loop", "").Get(ctx, &lr))
	require.Equal(t, W.LoopStopped, lr.Outcome)
	require.Equal(t, W.LoopCounts{Stopped: 6}, lr.Counts)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5}, lr.Incomplete)
	require.Equal(t, 3, lr.Shards)
}

// TestRestartFromStepInForeachShard restarts a step inside an iteration
// that ran in a shard: the client reads the iteration's final state from
// the shard that ran it.
func TestRestartFromStepInForeachShard(t *testing.T) {
	ctx := testContext(t, 2*time.Minute)
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"properties":{"owner":{"name":"tester"},"step_concurrency":100},
	  "workflow":{"id":"rfs-shards-%d","steps":[
	  {"foreach":{"id":"loop","concurrency":50,
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4,5]}}}},
	    "steps":[{"step":{"id":"q","type":"Echo","params":{"reply":{"type":"STRING","expression":"'r' + i"},"out":{"type":"STRING","value":""}}}}],
	    "transition":{"successors":{"after":"true"}}}},
	  {"step":{"id":"after","type":"NoOp","params":{"all":{"type":"STRING_ARRAY","expression":"params.getFromForeach('loop', 'q', 'out')"}}}}]}}`,
		time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceSucceeded, first.Status, first.Error)
	require.Equal(t, []string{"r1", "r2", "r3", "r4", "r5"}, first.Step("after").Params["all"].Value)
	var lr W.LoopResult
	require.NoError(t, env.tc.GetWorkflow(ctx, run.ID()+"/loop", "").Get(ctx, &lr))
	require.Equal(t, 3, lr.Shards, "the loop ran in shards")

	second, err := env.baton.RestartFromStep(ctx, run.ID(), client.StepRestartOptions{Step: "loop/3/q",
		StepParams: map[string]*translator.Param{"reply": {Type: sel.String, Literal: "again"}}})
	require.NoError(t, err)
	st, err := second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 5, st.Step("loop").Loop.Counts.Succeeded)
	require.Equal(t, []string{"r1", "r2", "again", "r4", "r5"}, st.Step("after").Params["all"].Value)
}

// TestBreakpointReachesForeachShards: a breakpoint set while a sharded
// loop runs reaches every shard's iterations through the loop.
func TestBreakpointReachesForeachShards(t *testing.T) {
	ctx := testContext(t, 2*time.Minute)
	wf := fmt.Sprintf("breakpoints-shards-%d", time.Now().UnixNano())
	req, err := definition.NewWorkflow(wf).Owner("tester").StepConcurrency(100).Steps(
		definition.Foreach("loop").Concurrency(50).Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 6, 1)")).
			Steps(definition.NewStep("e", "Echo").Param("reply", definition.String("x")).Param("out", definition.String("")).Next("nap"),
				definition.Sleep("nap", 10).Next("s"), definition.NoOp("s")),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		p, err := run.LoopProgress(ctx, "loop")
		runs, lerr := env.baton.List(ctx, client.ListOptions{WorkflowID: wf, Query: "ExecutionStatus = 'Running'"})
		return err == nil && p.Shards == 3 && p.Running == 6 && lerr == nil && len(runs) == 1
	}, time.Minute, 100*time.Millisecond, "6 iterations run in 3 shards")
	change, err := env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: "s", Instance: run.ID()})
	require.NoError(t, err)
	require.Equal(t, 1, change.Notified)
	for it := 1; it <= 6; it++ {
		p := fmt.Sprintf("loop/%d/s", it)
		eventuallyRefused(ctx, t, run.ID(), W.ActionPause, p, "not allowed in status PAUSED")
		act(ctx, t, run.ID(), W.ActionResume, p, W.Running, "")
	}
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
}
