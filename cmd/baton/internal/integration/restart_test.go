package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// restartDef's "check" step fails while the MUTABLE param should_fail is
// "yes"; it reads the foreach's inner params and the subworkflow's output,
// so a restart from incomplete must carry both over without running them.
const restartDef = `{"workflow":{"id":%q,
  "params":{"should_fail":{"type":"STRING","value":"yes"},
            "fixed":{"type":"STRING","mode":"MUTABLE_ON_START","value":"kept"}},
  "steps":[
    {"foreach":{"id":"loop","params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3]}}}},
      "steps":[{"step":{"id":"inner","type":"Count","params":{"sq":{"type":"LONG","expression":"i * i"}}}}],
      "transition":{"successors":{"check":"true"}}}},
    {"subworkflow":{"id":"sub","sync":true,"params":{"subworkflow_id":{"type":"STRING","value":%q}},
      "transition":{"successors":{"check":"true"}}}},
    {"step":{"id":"check","type":"NoOp","params":{
      "gate":{"type":"LONG","expression":"if (should_fail == 'yes') throw 'asked to fail'; return 1;"},
      "squares":{"type":"LONG_ARRAY","expression":"params.getFromForeach('loop', 'inner', 'sq')"},
      "reply":{"type":"STRING","expression":"params.getFromSubworkflow('sub', 'echo', 'out')"}}}}]}}`

// TestRestart fails a run on purpose, restarts it from incomplete with a
// changed param on the real server, and checks what ran again.
func TestRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := time.Now().UnixNano()
	target := fmt.Sprintf("restart-target-%d", suffix)
	_, err := registry.New(env.tc, registry.Options{}).Push(ctx, registryDef(t, target, "hello", true))
	require.NoError(t, err)
	req, err := definition.Decode([]byte(fmt.Sprintf(restartDef, fmt.Sprintf("restart-%d", suffix), target)))
	require.NoError(t, err)

	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	requireStatuses(t, first, map[string]W.StepStatus{"loop": W.Succeeded, "sub": W.Succeeded, "check": W.InternallyFailed})
	iterations := countsFor(run.ID())
	require.Len(t, iterations, 3)

	// Refused before anything starts: a MUTABLE_ON_START param, a bad policy.
	_, err = env.baton.Restart(ctx, run.ID(), client.RestartOptions{RunParams: map[string]sel.Value{"fixed": {Type: sel.String, Value: "x"}}})
	require.ErrorContains(t, err, "cannot be changed at restart")
	_, err = env.baton.Restart(ctx, run.ID(), client.RestartOptions{Policy: "RESTART_SOMEHOW"})
	require.ErrorContains(t, err, "RESTART_SOMEHOW")
	require.Equal(t, run.RunID(), env.baton.GetRun(run.ID(), "").RunID(), "a refused restart starts nothing")

	opts := client.RestartOptions{
		RunParams: map[string]sel.Value{"should_fail": {Type: sel.String, Value: "no"}},
		RequestID: "restart-1",
	}
	second, err := env.baton.Restart(ctx, run.ID(), opts)
	require.NoError(t, err)
	require.NotEqual(t, run.RunID(), second.RunID())
	st, err := second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 2, st.Run)
	requireStatuses(t, st, map[string]W.StepStatus{"loop": W.Succeeded, "sub": W.Succeeded, "check": W.Succeeded})
	require.Equal(t, 1, st.Step("loop").Run, "the foreach is kept, not run again")
	require.Equal(t, iterations, countsFor(run.ID()), "no iteration ran again")
	check := st.Step("check").Params
	require.Equal(t, []int64{1, 4, 9}, check["squares"].Value)
	require.Equal(t, "hello", check["reply"].Value)
	require.Equal(t, "kept", st.Params["fixed"].Value)

	// The same request id returns the same run; the latest run is the restart.
	again, err := env.baton.Restart(ctx, run.ID(), opts)
	require.NoError(t, err)
	require.Equal(t, second.RunID(), again.RunID())
	require.Equal(t, second.RunID(), env.baton.GetRun(run.ID(), "").RunID())

	// A run that succeeded has nothing incomplete; from the beginning, all runs again.
	_, err = env.baton.Restart(ctx, run.ID(), client.RestartOptions{})
	require.ErrorContains(t, err, "nothing to restart")
	third, err := env.baton.Restart(ctx, run.ID(), client.RestartOptions{Policy: W.RestartFromBeginning})
	require.NoError(t, err)
	st, err = third.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 3, st.Run)
	require.Equal(t, 3, st.Step("loop").Run)
	require.Len(t, countsFor(run.ID()), 3, "the same iteration ids ran again")
	for id, n := range countsFor(run.ID()) {
		require.Equal(t, 2, n, id)
	}
}

// countsFor returns the Count executions of the iterations of a run.
func countsFor(runID string) map[string]int {
	countType.mu.Lock()
	defer countType.mu.Unlock()
	out := map[string]int{}
	prefix := runID + "/"
	for id, n := range countType.runs {
		if len(id) > len(prefix) && id[:len(prefix)] == prefix {
			out[id] = n
		}
	}
	return out
}

// TestRestartForeachIterations: a foreach whose iterations 2 and 5 fail is
// restarted from incomplete; only the iterations that did not succeed (and
// those never launched) run again, so every iteration's step ran exactly
// once in all, and the collected params of both runs are merged.
func TestRestartForeachIterations(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"restart-foreach-%d",
	  "params":{"should_fail":{"type":"STRING","value":"yes"}},
	  "steps":[
	    {"foreach":{"id":"loop","concurrency":2,
	      "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4,5,6]}}}},
	      "steps":[{"step":{"id":"inner","type":"Count","params":{
	        "v":{"type":"LONG","expression":"if (should_fail == 'yes' && (i == 2 || i == 5)) throw 'failing on purpose'; return i * 10;"}}}}],
	      "transition":{"successors":{"after":"true"}}}},
	    {"step":{"id":"after","type":"NoOp","params":{
	      "all":{"type":"LONG_ARRAY","expression":"params.getFromForeach('loop', 'inner', 'v')"}}}}]}}`, time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	loop := first.Step("loop")
	require.Equal(t, W.FatallyFailed, loop.Status, loop.Error)
	require.Positive(t, loop.Loop.Counts.Failed)
	ran := countsFor(run.ID())
	require.Less(t, len(ran), 6, "iterations 2 and 5 never reach the step")

	st := restartFixed(ctx, t, run.ID())
	loop = st.Step("loop")
	require.Equal(t, W.Succeeded, loop.Status, loop.Error)
	require.Equal(t, &W.LoopSummary{Iterations: 6, Counts: W.LoopCounts{Succeeded: 6}}, loop.Loop)
	ran = countsFor(run.ID())
	require.Len(t, ran, 6, "every iteration ran")
	for id, n := range ran {
		require.Equal(t, 1, n, "iteration %s ran once in all", id)
	}
	require.Equal(t, []int64{10, 20, 30, 40, 50, 60}, st.Step("after").Params["all"].Value)
}

// TestRestartWhile: a while loop whose fourth iteration fails continues,
// after a restart from incomplete, from that iteration with the loop
// params the third one left (MAESTRO.md §4.12).
func TestRestartWhile(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"restart-while-%d",
	  "params":{"should_fail":{"type":"STRING","value":"yes"}},
	  "steps":[{"while":{"id":"loop","condition":"i < 5",
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG","value":0}}}},
	    "steps":[{"step":{"id":"inner","type":"Count","params":{
	      "i":{"type":"LONG","expression":"if (should_fail == 'yes' && i == 3) throw 'failing on purpose'; return i + 1;"}}}}]}}]}}`,
		time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	require.Equal(t, &W.LoopSummary{Iterations: 4, Counts: W.LoopCounts{Succeeded: 3, Failed: 1}}, first.Step("loop").Loop)
	require.Len(t, countsFor(run.ID()), 3)

	st := restartFixed(ctx, t, run.ID())
	loop := st.Step("loop")
	require.Equal(t, &W.LoopSummary{Iterations: 5, Counts: W.LoopCounts{Succeeded: 5}}, loop.Loop)
	require.Equal(t, int64(5), loop.Params["i"].Value)
	ran := countsFor(run.ID())
	require.Len(t, ran, 5)
	for id, n := range ran {
		require.Equal(t, 1, n, "iteration %s ran once in all", id)
	}
}

// TestRestartSubworkflow: a sync subworkflow whose child run failed is
// restarted, with the parent, as the same child instance from incomplete
// (MAESTRO.md §4.13): the child's completed step is kept, and the changed
// param reaches the child as a restart param.
func TestRestartSubworkflow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := time.Now().UnixNano()
	childWF := fmt.Sprintf("restart-child-%d", suffix)
	child, err := definition.Decode([]byte(fmt.Sprintf(`{"properties":{"owner":{"name":"tester"}},"workflow":{"id":%q,
	  "params":{"should_fail":{"type":"STRING","value":"no"}},
	  "steps":[
	    {"step":{"id":"a","type":"NoOp","transition":{"successors":{"b":"true"}}}},
	    {"step":{"id":"b","type":"NoOp","params":{
	      "v":{"type":"LONG","expression":"if (should_fail == 'yes') throw 'failing on purpose'; return 1;"}}}}]}}`, childWF)))
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	parent, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"restart-parent-%d",
	  "params":{"should_fail":{"type":"STRING","value":"yes"}},
	  "steps":[{"subworkflow":{"id":"sub","sync":true,"params":{"subworkflow_id":{"type":"STRING","value":%q}}}}]}}`, suffix, childWF)))
	require.NoError(t, err)
	run, first := startAndWait(t, parent, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	childID := run.ID() + "/sub"
	firstChild := env.baton.GetRun(childID, "")

	restartFixed(ctx, t, run.ID())

	childRun := env.baton.GetRun(childID, "")
	require.NotEqual(t, firstChild.RunID(), childRun.RunID(), "the child instance ran again")
	cs, err := childRun.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, cs.Status, cs.Error)
	require.Equal(t, 2, cs.Run)
	require.Equal(t, W.RestartFromIncomplete, cs.RunPolicy)
	require.Equal(t, 1, cs.Step("a").Run, "the child's completed step is kept")
	require.Equal(t, 2, cs.Step("b").Run)
	require.Equal(t, "no", cs.Params["should_fail"].Value)
}

// restartFixed restarts a run from incomplete with should_fail=no and
// waits for it to succeed.
func restartFixed(ctx context.Context, t *testing.T, id string) *W.State {
	t.Helper()
	run, err := env.baton.Restart(ctx, id, client.RestartOptions{
		RunParams: map[string]sel.Value{"should_fail": {Type: sel.String, Value: "no"}},
	})
	require.NoError(t, err)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	return st
}

// TestRestartWithTreeCap: a run whose tree shares instance_step_concurrency
// (its permits workflow ended with the first run) restarts, starts a new
// permits workflow under the same id, and resumes its foreach.
func TestRestartWithTreeCap(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"restart-capped-%d","instance_step_concurrency":2,
	  "params":{"should_fail":{"type":"STRING","value":"yes"}},
	  "steps":[{"foreach":{"id":"loop","concurrency":4,
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4,5,6]}}}},
	    "steps":[{"step":{"id":"inner","type":"Count","params":{
	      "v":{"type":"LONG","expression":"if (should_fail == 'yes' && i == 4) throw 'failing on purpose'; return i;"}}}}]}}]}}`,
		time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	st := restartFixed(ctx, t, run.ID())
	require.Equal(t, &W.LoopSummary{Iterations: 6, Counts: W.LoopCounts{Succeeded: 6}}, st.Step("loop").Loop)
	ran := countsFor(run.ID())
	require.Len(t, ran, 6)
	for id, n := range ran {
		require.Equal(t, 1, n, "iteration %s ran once in all", id)
	}
}
