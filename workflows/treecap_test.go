package workflows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/activities"
	W "github.com/batonhq/baton/workflows"
)

// sleeps renders n parallel Sleep steps of secs seconds, ids prefix1..n.
func sleeps(prefix string, n, secs int) string {
	steps := make([]string, n)
	for i := range steps {
		steps[i] = fmt.Sprintf(`{"step":{"id":"%s%d","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":%d}}}}`, prefix, i+1, secs)
	}
	return strings.Join(steps, ",")
}

// requireSucceeded checks that a run succeeded, or says how each step ended.
func requireSucceeded(t *testing.T, st *W.State) {
	t.Helper()
	if st.Status != W.InstanceSucceeded {
		for _, s := range st.Steps {
			t.Logf("step %s: %s %s %+v", s.ID, s.Status, s.Error, s.Loop)
		}
	}
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
}

// The test environment skips timers, so a run's duration counts rounds of
// 10 s sleeps: it shows how many leaf steps ran at once.

// TestTreeCapCoversLoopIterations: a foreach (its iterations run in the
// loop's own workflow) and a leaf step of the root share
// instance_step_concurrency 2: seven 10 s sleeps take four rounds. Without
// the tree cap, the foreach alone would run two at a time beside the root's
// step: three rounds.
func TestTreeCapCoversLoopIterations(t *testing.T) {
	def := `{"workflow":{"id":"w","instance_step_concurrency":2,"steps":[
		{"foreach":{"id":"loop","concurrency":10,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4,5,6]}}}},
			"steps":[` + sleeps("s", 1, 10) + `]}},
		` + sleeps("side", 1, 10) + `]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	requireSucceeded(t, st)
	require.Equal(t, &W.LoopSummary{Iterations: 6, Counts: W.LoopCounts{Succeeded: 6}}, st.Step("loop").Loop)
	require.Equal(t, 40*time.Second, st.EndTime.Sub(st.StartTime))
}

// TestTreeCapCoversWhile: a while loop's iterations (one at a time, in
// the loop's workflow) and a foreach's share the cap of 2: seven sleeps,
// four rounds (three without the tree cap).
func TestTreeCapCoversWhile(t *testing.T) {
	def := `{"workflow":{"id":"w","instance_step_concurrency":2,"steps":[
		{"while":{"id":"wl","condition":"n < 3",
			"params":{"loop_params":{"type":"MAP","value":{"n":{"type":"LONG","value":0}}}},
			"steps":[{"step":{"id":"w1","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":10},"n":{"type":"LONG","expression":"n + 1"}}}}]}},
		{"foreach":{"id":"fe",
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4]}}}},
			"steps":[` + sleeps("f", 1, 10) + `]}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	requireSucceeded(t, st)
	require.Equal(t, 3, st.Step("wl").Loop.Iterations)
	require.Equal(t, 40*time.Second, st.EndTime.Sub(st.StartTime))
}

// TestTreeCapCoversSubworkflows: a sync subworkflow's three parallel
// sleeps share the root's cap of 2 with a foreach's three: six sleeps, three
// rounds (two without the tree cap: the child's steps would not wait).
func TestTreeCapCoversSubworkflows(t *testing.T) {
	child := `{"workflow":{"id":"child","steps":[` + sleeps("c", 3, 10) + `]}}`
	def := `{"workflow":{"id":"parent","instance_step_concurrency":2,"steps":[
		{"subworkflow":{"id":"sub","params":{"subworkflow_id":{"type":"STRING","value":"child"}}}},
		{"foreach":{"id":"loop",
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3]}}}},
			"steps":[` + sleeps("s", 1, 10) + `]}}]}}`
	h := newHarness(t, nil)
	resolver(h, map[string]string{"child": child})
	st := h.run(t, compileJSON(t, def, nil), nil)
	requireSucceeded(t, st)
	requireStatuses(t, st, map[string]W.StepStatus{"sub": W.Succeeded, "loop": W.Succeeded})
	require.Equal(t, 30*time.Second, st.EndTime.Sub(st.StartTime))
}

// TestTreeCapChildLimit: a subworkflow whose own instance_step_concurrency
// is 1 starts a leaf step only while no other leaf step of the tree runs
// (Maestro's per-instance permit on the shared tag): its 10 s sleep waits
// for the root's 30 s one although the root's cap of 3 has room. (The
// subworkflow starts after a 1 s sleep, so the root's long sleep surely
// holds its permit first.)
func TestTreeCapChildLimit(t *testing.T) {
	child := `{"workflow":{"id":"child","instance_step_concurrency":1,"steps":[` + sleeps("c", 1, 10) + `]}}`
	def := `{"workflow":{"id":"parent","instance_step_concurrency":3,"steps":[
		{"step":{"id":"first","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":1}},"transition":{"successors":{"sub":"true"}}}},
		{"subworkflow":{"id":"sub","params":{"subworkflow_id":{"type":"STRING","value":"child"}}}},
		` + sleeps("long", 1, 30) + `]}}`
	h := newHarness(t, nil)
	resolver(h, map[string]string{"child": child})
	st := h.run(t, compileJSON(t, def, nil), nil)
	requireSucceeded(t, st)
	require.Equal(t, 40*time.Second, st.EndTime.Sub(st.StartTime))
}

// TestTreeCapStop: stopping a run whose leaf steps wait for permits stops
// them (and the loop's), and the run ends.
func TestTreeCapStop(t *testing.T) {
	def := `{"workflow":{"id":"w","instance_step_concurrency":1,"steps":[
		{"foreach":{"id":"loop","concurrency":3,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3]}}}},
			"steps":[` + sleeps("s", 1, 10) + `]}},
		` + sleeps("side", 2, 10) + `]}}`
	h := newHarness(t, nil)
	h.env.RegisterDelayedCallback(func() { h.env.CancelWorkflow() }, 15*time.Second)
	st := h.run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.InstanceStopped, st.Status, "%s", st.Step("loop").Error)
	require.Equal(t, W.Stopped, st.Step("loop").Status)
	require.Equal(t, 15*time.Second, st.EndTime.Sub(st.StartTime))
}

// TestNoTreeCapWithoutCompositeSteps: a flat DAG with
// instance_step_concurrency needs only its own cap: no permits workflow.
func TestNoTreeCapWithoutCompositeSteps(t *testing.T) {
	def := `{"workflow":{"id":"w","instance_step_concurrency":2,"steps":[` + sleeps("s", 3, 10) + `]}}`
	h := newHarness(t, nil)
	st := h.run(t, compileJSON(t, def, nil), nil)
	requireSucceeded(t, st)
	require.Equal(t, 20*time.Second, st.EndTime.Sub(st.StartTime))
}

// TestTreeCapRestartsEndedPermits: a run of a capped tree that finds the
// permits workflow gone (it ends once its owner has left and it is idle;
// an async subworkflow can outlive its parent) starts it again and still
// keeps the cap.
func TestTreeCapRestartsEndedPermits(t *testing.T) {
	def := `{"workflow":{"id":"async-child","steps":[` + sleeps("s", 2, 10) + `]}}`
	h := newHarness(t, nil)
	// The permits workflow is not running: signalling it fails.
	h.env.OnSignalExternalWorkflow(mock.Anything, "root#permits", "", W.SignalPermitsRequest, mock.Anything).
		Return(&temporal.UnknownExternalWorkflowExecutionError{}).Once()
	h.env.ExecuteWorkflow(W.WorkflowName, W.RunInput{Plan: compileJSON(t, def, nil), Tree: &W.TreeCap{Permits: "root#permits", Cap: 1}})
	require.True(t, h.env.IsWorkflowCompleted())
	require.NoError(t, h.env.GetWorkflowError())
	var st W.State
	require.NoError(t, h.env.GetWorkflowResult(&st))
	requireSucceeded(t, &st)
	require.Equal(t, 20*time.Second, st.EndTime.Sub(st.StartTime), "one at a time")
	h.env.AssertExpectations(t)
}

// TestTreeCapTakesTurns: a loop passes its permits from one iteration's
// step to the next while nobody else waits, but once another loop waits
// it gives them back after each step, so the two take turns (FIFO)
// instead of one running all its iterations first.
func TestTreeCapTakesTurns(t *testing.T) {
	loop := func(id string) string {
		return `{"foreach":{"id":"` + id + `",
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3,4]}}}},
			"steps":[` + sleeps(id+"s", 1, 10) + `]}}`
	}
	def := `{"workflow":{"id":"w","instance_step_concurrency":2,"steps":[` + loop("a") + `,` + loop("b") + `]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	requireSucceeded(t, st)
	require.Equal(t, 40*time.Second, st.EndTime.Sub(st.StartTime), "eight 10 s sleeps, two at a time")
	// Taking turns, the first loop ends after 30 s, not 20.
	require.GreaterOrEqual(t, min(st.Step("a").Duration(), st.Step("b").Duration()), 30*time.Second)
}

// TestTreeCapDrainCap: in a capped tree, a foreach counts the permit
// signals of its leaf steps in the events an iteration may add while its
// loop run drains, so it runs fewer wide iterations at once.
func TestTreeCapDrainCap(t *testing.T) {
	steps := make([]string, 30)
	for i := range steps {
		steps[i] = fmt.Sprintf(`{"step":{"id":"s%d","type":"Rec","params":{"key":{"type":"STRING","value":"k"}}}}`, i)
	}
	def := func(isc string) string {
		return `{"properties":{"owner":{"name":"t"},"step_concurrency":999},"workflow":{"id":"w",` + isc + `"steps":[{"foreach":{"id":"loop","concurrency":500,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2]}}}},
			"steps":[` + strings.Join(steps, ",") + `]}}]}}`
	}
	for _, tt := range []struct {
		name string
		isc  string
		want int
	}{
		{"no tree cap: 30 local activity steps", ``, 4000 / 120},
		{"tree cap: and 8 events of permits each", `"instance_step_concurrency":999,`, 4000 / (120 + 30*8)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, map[string]activities.StepType{"Rec": &recorder{seen: map[string]int{}}})
			got := captureForeachInput(h)
			st := h.run(t, compileJSON(t, def(tt.isc), localMode("Rec")), nil)
			requireSucceeded(t, st)
			require.Equal(t, tt.want, got.Concurrency)
		})
	}
}

// TestTreeCapLeavesCompositeStepsFree: under instance_step_concurrency 1,
// two sibling loops start together (only their leaf steps wait for the
// permit), as in Maestro; a plan compiled before the tree cap folded the
// value into the run's own cap, so the second loop waited for the first.
func TestTreeCapLeavesCompositeStepsFree(t *testing.T) {
	loop := func(id string) string {
		return `{"foreach":{"id":"` + id + `",
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2]}}}},
			"steps":[` + sleeps(id+"s", 1, 10) + `]}}`
	}
	plan := compileJSON(t, `{"workflow":{"id":"w","instance_step_concurrency":1,"steps":[`+loop("a")+`,`+loop("b")+`]}}`, nil)
	require.Zero(t, plan.StepConcurrency, "no cap of the run's own")
	st := newHarness(t, nil).run(t, plan, nil)
	requireSucceeded(t, st)
	require.Equal(t, 40*time.Second, st.EndTime.Sub(st.StartTime), "four 10 s sleeps, one at a time")
	require.Equal(t, st.StartTime, *st.Step("a").StartTime)
	require.Equal(t, st.StartTime, *st.Step("b").StartTime, "both loops start at once")

	plan.StepConcurrency = 1 // as compiled before
	st = newHarness(t, nil).run(t, plan, nil)
	requireSucceeded(t, st)
	later := max(st.Step("a").StartTime.Sub(st.StartTime), st.Step("b").StartTime.Sub(st.StartTime))
	require.Equal(t, 20*time.Second, later, "the second loop waits for the first's slot")
}
