package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// tickType counts executions per run instance and step: what a restart
// from a step ran again.
var tickType = &ticker{runs: map[string]int{}}

func init() { stepTypes["Tick"] = tickType }

type ticker struct {
	mu   sync.Mutex
	runs map[string]int // "instance#step" -> executions
}

func (c *ticker) Run(_ context.Context, s *activities.Step) (*activities.Result, error) {
	c.mu.Lock()
	c.runs[s.InstanceID+"#"+s.StepID]++
	c.mu.Unlock()
	return &activities.Result{}, nil
}

// ticks returns the executions of each step of instance.
func ticks(instance string) map[string]int {
	tickType.mu.Lock()
	defer tickType.mu.Unlock()
	out := map[string]int{}
	prefix := instance + "#"
	for k, n := range tickType.runs {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			out[k[len(prefix):]] = n
		}
	}
	return out
}

func longParam(v int64) map[string]*translator.Param {
	return map[string]*translator.Param{"m": {Type: sel.Long, Literal: v}}
}

// restartFromStepDef: a → b → c and a → e succeed; f fails while
// should_fail is "yes", so g is never created.
const restartFromStepDef = `{"workflow":{"id":"rfs-%d","params":{"should_fail":{"type":"STRING","value":"yes"}},"steps":[
  {"step":{"id":"a","type":"Tick","params":{"n":{"type":"LONG","value":7}},"transition":{"successors":{"b":"true","e":"true"}}}},
  {"step":{"id":"b","type":"Tick","params":{"m":{"type":"LONG","expression":"a__n * 2"}},"transition":{"successors":{"c":"true"}}}},
  {"step":{"id":"c","type":"Tick"}},
  {"step":{"id":"e","type":"Tick"}},
  {"step":{"id":"f","type":"NoOp","params":{"gate":{"type":"LONG","expression":"if (should_fail == 'yes') throw 'failing on purpose'; return 1;"}},
    "transition":{"successors":{"g":"true"}}}},
  {"step":{"id":"g","type":"Tick"}}]}}`

// TestRestartFromStep restarts an ended run from a middle step (its params
// overridden, a follower skipped), from the failed step, and from a root,
// and checks the refusals.
func TestRestartFromStep(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(restartFromStepDef, time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	requireStatuses(t, first, map[string]W.StepStatus{"a": W.Succeeded, "b": W.Succeeded, "c": W.Succeeded, "e": W.Succeeded,
		"f": W.InternallyFailed, "g": W.NotCreated})
	id := run.ID()
	require.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1, "e": 1}, ticks(id))

	for _, tt := range []struct {
		name   string
		opts   client.StepRestartOptions
		errMsg string
	}{
		{"no such step", client.StepRestartOptions{Step: "nope"}, `step "nope": no such step`},
		{"a step never created", client.StepRestartOptions{Step: "g"}, `step "g" was not created in run 1`},
		{"a path past a leaf step", client.StepRestartOptions{Step: "b/1/x"}, `step "b" is a step step, not a foreach or subworkflow`},
		{"an empty path step", client.StepRestartOptions{Step: "b/"}, "an empty step in the path"},
		{"an unknown skip step", client.StepRestartOptions{Step: "b", SkipSteps: []string{"zz"}}, `skip step "zz": no such step`},
		{"a param of another type", client.StepRestartOptions{Step: "b", StepParams: map[string]*translator.Param{"m": {Type: sel.String, Literal: "x"}}}, `param "m" is a LONG, not a STRING`},
		{"from beginning with a step", client.StepRestartOptions{Step: "b", Policy: W.RestartFromBeginning}, "not supported yet: restart_policy RESTART_FROM_BEGINNING"},
	} {
		_, err := env.baton.RestartFromStep(ctx, id, tt.opts)
		require.ErrorContains(t, err, tt.errMsg, tt.name)
	}
	require.Equal(t, run.RunID(), env.baton.GetRun(id, "").RunID(), "a refused restart starts nothing")

	// From b, with b's param overridden and c skipped: a and e are kept
	// (b reads a's param), f's failed branch stays as it was.
	opts := client.StepRestartOptions{Step: "b", StepParams: longParam(100), SkipSteps: []string{"c"}, RequestID: "from-b"}
	second, err := env.baton.RestartFromStep(ctx, id, opts)
	require.NoError(t, err)
	st, err := second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceFailed, st.Status, "f's failure is kept")
	require.Equal(t, W.RestartFromSpecific, st.RunPolicy)
	require.Equal(t, 2, st.Run)
	requireStatuses(t, st, map[string]W.StepStatus{"a": W.Succeeded, "b": W.Succeeded, "c": W.Skipped, "e": W.Succeeded,
		"f": W.InternallyFailed, "g": W.NotCreated})
	require.Equal(t, map[string]int{"a": 1, "b": 2, "c": 1, "e": 1}, ticks(id))
	require.Equal(t, int64(100), st.Step("b").Params["m"].Value)
	for step, r := range map[string]int{"a": 1, "b": 2, "c": 2, "e": 1, "f": 1} {
		require.Equal(t, r, st.Step(step).Run, step)
	}
	again, err := env.baton.RestartFromStep(ctx, id, opts)
	require.NoError(t, err)
	require.Equal(t, second.RunID(), again.RunID(), "the same request id returns the same run")

	// From the failed step, with the workflow param fixed: f and g run.
	third, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "f",
		RunParams: map[string]sel.Value{"should_fail": {Type: sel.String, Value: "no"}}})
	require.NoError(t, err)
	st, err = third.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 3, st.Run)
	require.Equal(t, map[string]int{"a": 1, "b": 2, "c": 1, "e": 1, "g": 1}, ticks(id))
	require.Equal(t, W.Skipped, st.Step("c").Status, "c is kept as the last run left it")

	// From a root: everything after it runs again; b's params are its own.
	fourth, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "a"})
	require.NoError(t, err)
	st, err = fourth.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, map[string]int{"a": 2, "b": 3, "c": 2, "e": 2, "g": 1}, ticks(id))
	require.Equal(t, int64(14), st.Step("b").Params["m"].Value)
}

// TestRestartFromStepRefusedWhileRunning: a run in progress is refused.
func TestRestartFromStepRefusedWhileRunning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-busy-%d","steps":[
	  {"step":{"id":"nap","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":60}}}}]}}`, time.Now().UnixNano())))
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	_, err = env.baton.RestartFromStep(ctx, run.ID(), client.StepRestartOptions{Step: "nap"})
	require.ErrorContains(t, err, "still in progress; stop it first")
	require.NoError(t, run.Stop(ctx))
	_, err = run.Wait(ctx)
	require.NoError(t, err)
}

// TestRestartFromStepInForeach restarts a step inside iteration 3 of a
// foreach of an ended run: just that iteration's step and what follows
// it, in the iteration and after the foreach, run again.
func TestRestartFromStepInForeach(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-loop-%d","steps":[
	  {"foreach":{"id":"loop","concurrency":2,
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4,5]}}}},
	    "steps":[
	      {"step":{"id":"p","type":"Tick","params":{"x":{"type":"LONG","expression":"i * 10"}},"transition":{"successors":{"q":"true"}}}},
	      {"step":{"id":"q","type":"Tick","params":{"v":{"type":"LONG","expression":"p__x + 1"}},"transition":{"successors":{"r":"true"}}}},
	      {"step":{"id":"r","type":"Tick"}}],
	    "transition":{"successors":{"after":"true"}}}},
	  {"step":{"id":"after","type":"Tick","params":{"all":{"type":"LONG_ARRAY","expression":"params.getFromForeach('loop', 'q', 'v')"}}}}]}}`,
		time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceSucceeded, first.Status, first.Error)
	id := run.ID()
	require.Equal(t, []int64{11, 21, 31, 41, 51}, first.Step("after").Params["all"].Value)

	for _, tt := range []struct{ step, errMsg string }{
		{"loop/9/q", `foreach step "loop" has 5 iterations, not iteration 9`},
		{"loop/0/q", `iteration "0" is not a number from 1`},
		{"loop/3", "STEP/ITERATION/INNER-STEP"},
		{"loop/3/zz", `foreach step "loop" iteration 3: restart: step "zz": no such step`},
		{"loop/3/q/x", "not supported yet: a restart path on from inside an iteration"},
	} {
		_, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: tt.step})
		require.ErrorContains(t, err, tt.errMsg, tt.step)
	}

	second, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/3/q",
		StepParams: map[string]*translator.Param{"v": {Type: sel.Long, Literal: int64(999)}}})
	require.NoError(t, err)
	st, err := second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 2, st.Step("loop").Run)
	require.Equal(t, 5, st.Step("loop").Loop.Counts.Succeeded)
	require.Equal(t, []int64{11, 21, 999, 41, 51}, st.Step("after").Params["all"].Value)
	require.Equal(t, map[string]int{"after": 2}, ticks(id))
	for i := 1; i <= 5; i++ {
		want := map[string]int{"p": 1, "q": 1, "r": 1}
		if i == 3 {
			want = map[string]int{"p": 1, "q": 2, "r": 2}
		}
		require.Equal(t, want, ticks(fmt.Sprintf("%s/loop/%d", id, i)), "iteration %d", i)
	}

	// From the step after the foreach: the kept foreach's values stay readable.
	third, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "after"})
	require.NoError(t, err)
	st, err = third.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 2, st.Step("loop").Run, "the foreach is kept")
	require.Equal(t, []int64{11, 21, 999, 41, 51}, st.Step("after").Params["all"].Value)
	require.Equal(t, map[string]int{"after": 3}, ticks(id))
}

// TestRestartFromStepInSubworkflow restarts a step of a sync subworkflow's
// child run: the parent restarts from the subworkflow step, the same child
// instance from the chosen step.
func TestRestartFromStepInSubworkflow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := time.Now().UnixNano()
	childWF := fmt.Sprintf("rfs-child-%d", suffix)
	child, err := definition.Decode([]byte(fmt.Sprintf(`{"properties":{"owner":{"name":"tester"}},"workflow":{"id":%q,"steps":[
	  {"step":{"id":"a","type":"Tick","params":{"n":{"type":"LONG","value":1}},"transition":{"successors":{"b":"true"}}}},
	  {"step":{"id":"b","type":"Tick","params":{"m":{"type":"LONG","expression":"a__n + 1"}}}}]}}`, childWF)))
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	parent, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-parent-%d","steps":[
	  {"step":{"id":"before","type":"Tick","transition":{"successors":{"sub":"true"}}}},
	  {"subworkflow":{"id":"sub","sync":true,"params":{"subworkflow_id":{"type":"STRING","value":%q}},"transition":{"successors":{"z":"true"}}}},
	  {"step":{"id":"z","type":"Tick","params":{"got":{"type":"LONG","expression":"params.getFromSubworkflow('sub', 'b', 'm')"}}}}]}}`, suffix, childWF)))
	require.NoError(t, err)
	run, first := startAndWait(t, parent, nil, time.Minute)
	require.Equal(t, W.InstanceSucceeded, first.Status, first.Error)
	id, childID := run.ID(), run.ID()+"/sub"

	_, err = env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "sub/nope"})
	require.ErrorContains(t, err, `/sub: step "nope": no such step in workflow rfs-child-`)

	second, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "sub/b", StepParams: longParam(50)})
	require.NoError(t, err)
	st, err := second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, W.RestartFromSpecific, st.RunPolicy)
	require.Equal(t, map[string]int{"before": 1, "z": 2}, ticks(id))
	require.Equal(t, map[string]int{"a": 1, "b": 2}, ticks(childID))
	cs, err := env.baton.GetRun(childID, "").Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, cs.Status, cs.Error)
	require.Equal(t, W.RestartFromSpecific, cs.RunPolicy)
	require.Equal(t, 2, cs.Run)
	require.Equal(t, 1, cs.Step("a").Run)
	require.Equal(t, int64(50), cs.Step("b").Params["m"].Value)
	require.Equal(t, int64(50), st.Step("z").Params["got"].Value)

	// From the step after the subworkflow: the kept child's params stay readable.
	third, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "z"})
	require.NoError(t, err)
	st, err = third.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, int64(50), st.Step("z").Params["got"].Value)
	require.Equal(t, map[string]int{"a": 1, "b": 2}, ticks(childID), "the child is kept")
}

// TestRestartFromStepInForeachKeepsEndedIterations: as in Maestro, a
// restart into one iteration keeps every other iteration that ended, a
// failed one too; a restart from incomplete then runs the failed one.
func TestRestartFromStepInForeachKeepsEndedIterations(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-loop-failed-%d",
	  "params":{"should_fail":{"type":"STRING","value":"yes"}},"steps":[
	  {"foreach":{"id":"loop","concurrency":4,
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4]}}}},
	    "steps":[
	      {"step":{"id":"p","type":"Tick","transition":{"successors":{"q":"true"}}}},
	      {"step":{"id":"q","type":"NoOp","params":{"v":{"type":"LONG","expression":"if (should_fail == 'yes' && i == 4) throw 'failing on purpose'; return i;"}}}}]}}]}}`,
		time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	require.Equal(t, W.LoopCounts{Succeeded: 3, Failed: 1}, first.Step("loop").Loop.Counts)
	id := run.ID()

	second, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/2/p"})
	require.NoError(t, err)
	st, err := second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceFailed, st.Status, "iteration 4's failure is kept")
	require.Equal(t, &W.LoopSummary{Iterations: 4, Counts: W.LoopCounts{Succeeded: 3, Failed: 1}}, st.Step("loop").Loop)
	for i, n := range map[int]int{1: 1, 2: 2, 3: 1, 4: 1} {
		require.Equal(t, n, ticks(fmt.Sprintf("%s/loop/%d", id, i))["p"], "iteration %d", i)
	}

	st = restartFixed(ctx, t, id)
	require.Equal(t, &W.LoopSummary{Iterations: 4, Counts: W.LoopCounts{Succeeded: 4}}, st.Step("loop").Loop)
	for i, n := range map[int]int{1: 1, 2: 2, 3: 1, 4: 2} {
		require.Equal(t, n, ticks(fmt.Sprintf("%s/loop/%d", id, i))["p"], "iteration %d", i)
	}
}

// TestRestartFromInlineRoot: RESTART_FROM_INLINE_ROOT for a step inside a
// foreach restarts the run that holds the foreach with the restart policy,
// the step's params replaced in every iteration that runs; through a
// subworkflow, the parent restarts from the subworkflow step and the child
// with the policy.
func TestRestartFromInlineRoot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := time.Now().UnixNano()
	loopDef := `{"properties":{"owner":{"name":"tester"}},"workflow":{"id":%q,"steps":[
	  {"foreach":{"id":"loop","concurrency":3,
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3]}}}},
	    "steps":[{"step":{"id":"p","type":"Tick","params":{"x":{"type":"LONG","expression":"i * 10"}}}}],
	    "transition":{"successors":{"after":"true"}}}},
	  {"step":{"id":"after","type":"NoOp","params":{"all":{"type":"LONG_ARRAY","expression":"params.getFromForeach('loop', 'p', 'x')"}}}}]}}`
	req, err := definition.Decode([]byte(fmt.Sprintf(loopDef, fmt.Sprintf("rfs-inline-%d", suffix))))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceSucceeded, first.Status, first.Error)
	id := run.ID()
	over := map[string]*translator.Param{"x": {Type: sel.Long, Literal: int64(7)}}

	_, err = env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/2/p", UpstreamMode: client.RestartFromInlineRoot, StepParams: over})
	require.ErrorContains(t, err, "nothing to restart from incomplete", "every iteration succeeded")
	_, err = env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/2/zz", UpstreamMode: client.RestartFromInlineRoot,
		Policy: W.RestartFromBeginning, StepParams: over})
	require.ErrorContains(t, err, `foreach step "loop": step params of "zz": no such step`)
	_, err = env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/2/p", UpstreamMode: client.RestartFromInlineRoot,
		Policy: W.RestartFromBeginning, SkipSteps: []string{"p"}})
	require.ErrorContains(t, err, `not supported yet: skip steps with RESTART_FROM_INLINE_ROOT for a step inside foreach step "loop"`)

	second, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/2/p", UpstreamMode: client.RestartFromInlineRoot,
		Policy: W.RestartFromBeginning, StepParams: over})
	require.NoError(t, err)
	st, err := second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, W.RestartFromBeginning, st.RunPolicy)
	require.Equal(t, []int64{7, 7, 7}, st.Step("after").Params["all"].Value, "every iteration got the param")
	for i := 1; i <= 3; i++ {
		require.Equal(t, 2, ticks(fmt.Sprintf("%s/loop/%d", id, i))["p"], "iteration %d", i)
	}

	// Through a subworkflow: the child holds the foreach.
	childWF := fmt.Sprintf("rfs-inline-child-%d", suffix)
	child, err := definition.Decode([]byte(fmt.Sprintf(loopDef, childWF)))
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	parent, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-inline-parent-%d","steps":[
	  {"subworkflow":{"id":"sub","sync":true,"params":{"subworkflow_id":{"type":"STRING","value":%q}}}}]}}`, suffix, childWF)))
	require.NoError(t, err)
	run, first = startAndWait(t, parent, nil, time.Minute)
	require.Equal(t, W.InstanceSucceeded, first.Status, first.Error)
	second, err = env.baton.RestartFromStep(ctx, run.ID(), client.StepRestartOptions{Step: "sub/loop/1/p", UpstreamMode: client.RestartFromInlineRoot,
		Policy: W.RestartFromBeginning, StepParams: over})
	require.NoError(t, err)
	st, err = second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, W.RestartFromSpecific, st.RunPolicy)
	cs, err := env.baton.GetRun(run.ID()+"/sub", "").Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.RestartFromBeginning, cs.RunPolicy)
	require.Equal(t, 2, cs.Run)
	require.Equal(t, []int64{7, 7, 7}, cs.Step("after").Params["all"].Value)
}

// TestRestartFromStepInWhile restarts a step inside iteration 2 of a while
// loop of an ended run: as Maestro's WhileStepRuntime, the loop continues
// from that iteration (its step and what follows it run again, with the
// loop params it started with) and runs on while its condition holds.
func TestRestartFromStepInWhile(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-while-%d","steps":[{"while":{"id":"loop","condition":"k < 3",
	  "params":{"loop_params":{"type":"MAP","value":{"k":{"type":"LONG","value":0}}}},
	  "steps":[{"step":{"id":"bump","type":"NoOp","params":{"k":{"type":"LONG","expression":"k + 1"}},"transition":{"successors":{"t":"true"}}}},
	           {"step":{"id":"t","type":"Tick","params":{"seen":{"type":"LONG","expression":"bump__k * 10"}}}}]}}]}}`, time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceSucceeded, first.Status, first.Error)
	id := run.ID()
	require.Equal(t, int64(3), first.Step("loop").Params["k"].Value)

	_, err = env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/4/t"})
	require.ErrorContains(t, err, `while step "loop" ran 3 iterations, not iteration 4`)
	_, err = env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/2/nope"})
	require.ErrorContains(t, err, `while step "loop" iteration 2: restart: step "nope": no such step`)
	_, err = env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/2/t", UpstreamMode: client.RestartFromInlineRoot})
	require.ErrorContains(t, err, `not supported yet: RESTART_FROM_INLINE_ROOT for a step inside while step "loop"`)

	again, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/2/t"})
	require.NoError(t, err)
	st, err := again.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	loop := st.Step("loop")
	require.Equal(t, 2, loop.Run)
	require.Equal(t, &W.LoopSummary{Iterations: 3, Counts: W.LoopCounts{Succeeded: 3}}, loop.Loop)
	require.Equal(t, int64(3), loop.Params["k"].Value)
	for i, n := range map[int]int{1: 1, 2: 2, 3: 2} {
		require.Equal(t, n, ticks(fmt.Sprintf("%s/loop/%d", id, i))["t"], "iteration %d", i)
	}
}

// TestRestartFromStepResumesForeach: a foreach after the chosen step
// resumes as Maestro's does in a RESTART_FROM_SPECIFIC run: its iterations
// that succeeded are kept and only the others run again.
func TestRestartFromStepResumesForeach(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-resume-%d",
	  "params":{"should_fail":{"type":"STRING","value":"yes"}},"steps":[
	  {"step":{"id":"s","type":"Tick","transition":{"successors":{"loop":"true"}}}},
	  {"foreach":{"id":"loop","concurrency":3,
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3]}}}},
	    "steps":[
	      {"step":{"id":"p","type":"Tick","transition":{"successors":{"q":"true"}}}},
	      {"step":{"id":"q","type":"NoOp","params":{"v":{"type":"LONG","expression":"if (should_fail == 'yes' && i == 2) throw 'failing on purpose'; return i;"}}}}],
	    "transition":{"successors":{"after":"true"}}}},
	  {"step":{"id":"after","type":"Tick"}}]}}`, time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	id := run.ID()
	iterationTicks := func() []int {
		out := make([]int, 3)
		for i := range out {
			out[i] = ticks(fmt.Sprintf("%s/loop/%d", id, i+1))["p"]
		}
		return out
	}
	require.Equal(t, []int{1, 1, 1}, iterationTicks())

	second, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "s",
		RunParams: map[string]sel.Value{"should_fail": {Type: sel.String, Value: "no"}}})
	require.NoError(t, err)
	st, err := second.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, []int{1, 2, 1}, iterationTicks(), "only the failed iteration ran again")
	require.Equal(t, map[string]int{"s": 2, "after": 1}, ticks(id))

	third, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "s"})
	require.NoError(t, err)
	st, err = third.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, []int{1, 2, 1}, iterationTicks(), "a foreach that succeeded keeps its iterations")
	require.Equal(t, 3, st.Step("loop").Run)
	require.Equal(t, &W.LoopSummary{Iterations: 3, Counts: W.LoopCounts{Succeeded: 3}}, st.Step("loop").Loop)
	require.Equal(t, map[string]int{"s": 3, "after": 2}, ticks(id))
}

// TestRestartFromStepThroughAsyncSubworkflowRefused: an async child is not
// on a restart path (not built yet), and says so.
func TestRestartFromStepThroughAsyncSubworkflowRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	suffix := time.Now().UnixNano()
	target := fmt.Sprintf("rfs-async-child-%d", suffix)
	_, err := registry.New(env.tc, registry.Options{}).Push(ctx, registryDef(t, target, "hi", true))
	require.NoError(t, err)
	parent, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-async-%d","steps":[
	  {"subworkflow":{"id":"sub","sync":false,"params":{"subworkflow_id":{"type":"STRING","value":%q}}}}]}}`, suffix, target)))
	require.NoError(t, err)
	run, first := startAndWait(t, parent, nil, time.Minute)
	require.Equal(t, W.InstanceSucceeded, first.Status, first.Error)
	_, err = env.baton.RestartFromStep(ctx, run.ID(), client.StepRestartOptions{Step: "sub/echo"})
	require.ErrorContains(t, err, `not supported yet: a restart path through async subworkflow step "sub"`)
}

// TestRestartFromStepInKeptIteration restarts a step of an iteration that
// an earlier run ran and a restart from incomplete kept: its state is
// read from the loop workflow's earlier execution.
func TestRestartFromStepInKeptIteration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"workflow":{"id":"rfs-kept-%d",
	  "params":{"should_fail":{"type":"STRING","value":"yes"}},"steps":[
	  {"foreach":{"id":"loop","concurrency":3,
	    "params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3]}}}},
	    "steps":[
	      {"step":{"id":"p","type":"Tick","params":{"x":{"type":"LONG","expression":"i * 100"}},"transition":{"successors":{"q":"true"}}}},
	      {"step":{"id":"q","type":"NoOp","params":{"v":{"type":"LONG","expression":"if (should_fail == 'yes' && i == 2) throw 'failing on purpose'; return p__x;"}}}}]}}]}}`,
		time.Now().UnixNano())))
	require.NoError(t, err)
	run, first := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceFailed, first.Status)
	id := run.ID()
	restartFixed(ctx, t, id) // runs iteration 2 again in a new loop execution
	again, err := env.baton.RestartFromStep(ctx, id, client.StepRestartOptions{Step: "loop/3/p"})
	require.NoError(t, err)
	st, err := again.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, &W.LoopSummary{Iterations: 3, Counts: W.LoopCounts{Succeeded: 3}}, st.Step("loop").Loop)
	for i, n := range map[int]int{1: 1, 2: 2, 3: 2} {
		require.Equal(t, n, ticks(fmt.Sprintf("%s/loop/%d", id, i))["p"], "iteration %d", i)
	}
}
