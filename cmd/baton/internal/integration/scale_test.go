package integration

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// warnEvents is Temporal's history warning threshold; no run may reach it.
const warnEvents = 10240

// counter is a step type that counts its executions per loop iteration.
type counter struct {
	mu   sync.Mutex
	runs map[string]int // iteration instance id -> executions
}

func (c *counter) Run(_ context.Context, s *activities.Step) (*activities.Result, error) {
	c.mu.Lock()
	c.runs[s.InstanceID]++
	c.mu.Unlock()
	return &activities.Result{}, nil
}

func (c *counter) reset() {
	c.mu.Lock()
	c.runs = map[string]int{}
	c.mu.Unlock()
}

// historyLengths returns the history length of every run (continued-as-new
// runs included) of the given workflow ids.
func historyLengths(t *testing.T, ids ...string) map[string]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := map[string]int64{}
	for _, id := range ids {
		var token []byte
		for {
			resp, err := env.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
				Query: fmt.Sprintf("WorkflowId = '%s'", id), NextPageToken: token,
			})
			require.NoError(t, err)
			for _, e := range resp.Executions {
				d, err := env.tc.DescribeWorkflowExecution(ctx, id, e.Execution.RunId)
				require.NoError(t, err)
				out[id+"@"+e.Execution.RunId] = d.WorkflowExecutionInfo.HistoryLength
			}
			if token = resp.NextPageToken; len(token) == 0 {
				break
			}
		}
	}
	return out
}

// requireLoopHistories checks that no run of a run's history or of its
// loop step "loop" (every continue-as-new run) reaches Temporal's warning,
// and that the loop continued as new; it returns the number of runs and
// the largest history.
func requireLoopHistories(t *testing.T, id string) (runs int, largest int64) {
	t.Helper()
	lengths := historyLengths(t, id, id+"/loop")
	for run, l := range lengths {
		require.Less(t, l, int64(warnEvents), "history of %s", run)
		largest = max(largest, l)
	}
	require.Greater(t, len(lengths), 2, "the loop continued as new")
	return len(lengths), largest
}

// TestForeachAtScale runs a foreach of 25,000 iterations whose inner step is
// a user step type run as an activity: every iteration runs exactly once and
// no run's history (the parent's, or any run of the loop workflow's
// continue-as-new chain) reaches Temporal's 10,240-event warning.
func TestForeachAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("25,000 iterations: skipped with -short")
	}
	const n = 25000
	countType.reset()
	req, err := definition.NewWorkflow("scale").Owner("tester").StepConcurrency(100).Steps(
		definition.Foreach("loop").Concurrency(100).
			Loop("i", definition.Expr(sel.LongArray, fmt.Sprintf("Util.intsBetween(0, %d, 1)", n))).
			Steps(definition.NewStep("count", "Count").ExecutionMode("activity")),
	).Build()
	require.NoError(t, err)
	start := time.Now()
	run, st := startAndWait(t, req, nil, scaleBudget(t, 25*time.Minute))
	elapsed := time.Since(start)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, &W.LoopSummary{Iterations: n, Counts: W.LoopCounts{Succeeded: n}}, st.Step("loop").Loop)

	// This run's iterations only: Count is shared with the restart tests.
	counts := countsFor(run.ID())
	require.Len(t, counts, n, "every iteration ran")
	for id, k := range counts {
		require.Equal(t, 1, k, "iteration %s ran exactly once", id)
	}

	runs, largest := requireLoopHistories(t, run.ID())
	t.Logf("foreach of %d activity iterations: %v, %d runs, largest history %d events", n, elapsed.Round(time.Millisecond), runs, largest)
}

// scaleBudget is how long a scale run may take: want (25,000 activities
// passed the former 10 min on a loaded 2-core machine), less a minute
// before the test binary's own deadline, so that a slow run fails with its
// own error rather than a panic of the whole package.
func scaleBudget(t *testing.T, want time.Duration) time.Duration {
	if d, ok := t.Deadline(); ok {
		want = min(want, time.Until(d)-time.Minute)
	}
	require.Positive(t, want, "time left for the scale run")
	return want
}

// TestWhileAtScale runs a while loop of 5,000 iterations with a
// loop-carried param; its history stays bounded.
func TestWhileAtScale(t *testing.T) {
	const n = 5000
	req, err := definition.NewWorkflow("while-scale").Owner("tester").Steps(
		definition.While("loop", fmt.Sprintf("k < %d", n)).
			Loop("k", definition.Long(0)).
			Steps(definition.NoOp("bump").Param("k", definition.Expr(sel.Long, "k + 1"))),
	).Build()
	require.NoError(t, err)
	start := time.Now()
	run, st := startAndWait(t, req, nil, 5*time.Minute)
	elapsed := time.Since(start)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, int64(n), st.Step("loop").Params["k"].Value)
	require.Equal(t, n, st.Step("loop").Loop.Iterations)
	var largest int64
	for id, l := range historyLengths(t, run.ID(), run.ID()+"/loop") {
		require.Less(t, l, int64(warnEvents), "history of %s", id)
		largest = max(largest, l)
	}
	t.Logf("while of %d iterations: %v, largest history %d events", n, elapsed.Round(time.Millisecond), largest)
}

// TestForeachShardsAtScale runs a foreach of 25,000 local-activity
// iterations at concurrency 100, which runs in 5 shards, each continuing
// as new, and collects a param of every iteration for the step after it:
// every iteration runs exactly once, the merged counts and the collected
// array are whole, and no run of the loop or of any shard reaches
// Temporal's history warning.
func TestForeachShardsAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("25,000 iterations: skipped with -short")
	}
	const n, shards = 25000, 5
	countType.reset()
	req, err := definition.NewWorkflow(fmt.Sprintf("shard-scale-%d", time.Now().UnixNano())).Owner("tester").StepConcurrency(100).Steps(
		definition.Foreach("loop").Concurrency(100).
			Loop("i", definition.Expr(sel.LongArray, fmt.Sprintf("Util.intsBetween(0, %d, 1)", n))).
			Steps(definition.NewStep("count", "Count").ExecutionMode("local_activity").Param("v", definition.Expr(sel.Long, "i"))).
			Next("after"),
		definition.NewStep("after", "NoOp").Param("n", definition.Expr(sel.Long, "params.getFromForeach('loop', 'count', 'v').length")),
	).Build()
	require.NoError(t, err)
	start := time.Now()
	run, st := startAndWait(t, req, nil, scaleBudget(t, 15*time.Minute))
	elapsed := time.Since(start)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, &W.LoopSummary{Iterations: n, Counts: W.LoopCounts{Succeeded: n}}, st.Step("loop").Loop)
	require.Equal(t, int64(n), st.Step("after").Params["n"].Value, "every iteration's param is collected")

	counts := countsFor(run.ID())
	require.Len(t, counts, n, "every iteration ran")
	for id, k := range counts {
		require.Equal(t, 1, k, "iteration %s ran exactly once", id)
	}

	ids := []string{run.ID(), run.ID() + "/loop"}
	for k := 1; k <= shards; k++ {
		ids = append(ids, W.ShardID(run.ID()+"/loop", k))
	}
	lengths := historyLengths(t, ids...)
	var largest int64
	for r, l := range lengths {
		require.Less(t, l, int64(warnEvents), "history of %s", r)
		largest = max(largest, l)
	}
	require.Greater(t, len(lengths), len(ids), "the shards continued as new")
	for _, id := range ids {
		require.True(t, slices.ContainsFunc(slices.Collect(maps.Keys(lengths)), func(r string) bool { return strings.HasPrefix(r, id+"@") }), "%s ran", id)
	}
	t.Logf("foreach of %d local-activity iterations in %d shards: %v, %d runs, largest history %d events", n, shards, elapsed.Round(time.Millisecond), len(lengths), largest)
}
