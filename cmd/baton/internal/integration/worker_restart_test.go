package integration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	W "github.com/batonhq/baton/workflows"
)

// execution is one run of a tally step.
type execution struct {
	gen       int  // the worker generation that ran it
	attempt   int  // the Maestro step attempt
	succeeded bool // the step function returned success
	// inFlight: it had not succeeded when its worker's Stop returned, so no
	// success of it reached the server.
	inFlight bool
}

// block makes the first attempt of one iteration, on one worker
// generation, outlast its worker.
type block struct {
	gen     int
	honour  bool          // return when ctx is cancelled; else ignore ctx
	started chan struct{} // closed once the attempt has started
}

// tally is the step type of TestWorkerRestartMidForeach: it records every
// execution of every iteration with the worker generation that ran it.
// Blocked attempts wait until ctx is cancelled (a step that honours its
// worker's shutdown), or until the test ends, ignoring ctx (as if the
// worker's process had died in the middle of the step).
type tally struct {
	mu      sync.Mutex
	execs   map[string][]*execution // iteration instance id -> executions
	blocks  map[string]*block       // iteration instance id -> its block
	release chan struct{}           // closed when the test ends
}

// on is the step type as registered on the worker of generation gen.
func (ty *tally) on(gen int) activities.StepType {
	return activities.StepFunc(func(ctx context.Context, s *activities.Step) (*activities.Result, error) {
		ex := &execution{gen: gen, attempt: s.Attempt}
		ty.mu.Lock()
		ty.execs[s.InstanceID] = append(ty.execs[s.InstanceID], ex)
		b := ty.blocks[s.InstanceID]
		ty.mu.Unlock()
		if b != nil && b.gen == gen && s.Attempt == 1 {
			close(b.started)
			if b.honour {
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-ty.release:
				}
			}
			<-ty.release
			return nil, errors.New("released after the test")
		}
		ty.mu.Lock()
		ex.succeeded = true
		ty.mu.Unlock()
		return &activities.Result{}, nil
	})
}

// stopped marks the executions of generation gen that had not succeeded
// when its worker's Stop returned.
func (ty *tally) stopped(gen int) (inFlight int) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	for _, exs := range ty.execs {
		for _, ex := range exs {
			if ex.gen == gen && !ex.succeeded {
				ex.inFlight = true
				inFlight++
			}
		}
	}
	return inFlight
}

// waitUntil polls cond until it holds; it fails the test after three
// minutes (a loaded 2-core machine needs more than one).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// activityEnds returns how the activities of every run of a workflow id
// (its continue-as-new chain, walked back from the latest run) ended when
// they did not complete: activity id -> "failed <type>: <message>" or
// "timed out <timeout type>".
func activityEnds(t *testing.T, id string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := map[string]string{}
	for runID, first := "", true; first || runID != ""; first = false {
		scheduled := map[int64]string{} // event id -> activity id
		it := env.tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		runID = ""
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(t, err)
			if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
				runID = a.ContinuedExecutionRunId
			}
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
				scheduled[ev.EventId] = a.ActivityId
			}
			if a := ev.GetActivityTaskFailedEventAttributes(); a != nil {
				f := a.Failure
				out[scheduled[a.ScheduledEventId]] = fmt.Sprintf("failed %s: %s", f.GetApplicationFailureInfo().GetType(), f.GetMessage())
			}
			if a := ev.GetActivityTaskTimedOutEventAttributes(); a != nil {
				out[scheduled[a.ScheduledEventId]] = "timed out " + a.Failure.GetTimeoutFailureInfo().GetTimeoutType().String()
			}
		}
	}
	return out
}

// TestWorkerRestartMidForeach restarts the only worker of a task queue twice
// in the middle of a foreach of 3,000 iterations whose step is a user type
// run as an activity. Each new worker has never seen the runs, so it
// rebuilds them from their histories.
//
//   - Worker 1 stops gracefully while one attempt outlasts its
//     WorkerStopTimeout: the attempt is cancelled, returns ctx's error, and
//     is retried as a platform error.
//   - Worker 2 stops while one attempt never returns, ignoring ctx, as if
//     the worker had died: the attempt is given up at its heartbeat timeout
//     and retried as a platform error.
//   - Worker 3 finishes the run.
//
// A task the server hands to a worker as it stops (a poll it cancels, or an
// eager activity dispatched with a workflow task's completion) is dropped
// unrun by the SDK; such attempts, which happen now and then, are given up
// at their heartbeat timeout and retried as well.
//
// The run succeeds; every iteration ran; no iteration that completed ran
// again; the two blocked attempts were retried as new Maestro attempts on
// the next worker (the policy allows no user-error or timeout retry, so
// either other class would have failed the run); and no run's history
// reaches Temporal's warning (the loop continues as new several times).
func TestWorkerRestartMidForeach(t *testing.T) {
	const (
		n      = 3000
		cancel = 701  // blocked on worker 1, honours ctx
		hold   = 2301 // blocked on worker 2, ignores ctx
	)
	suffix := fmt.Sprint(time.Now().UnixNano())
	queue := "restart-" + suffix
	runID := "restart/" + suffix
	iteration := func(i int) string { return fmt.Sprintf("%s/loop/%d", runID, i) }
	ty := &tally{execs: map[string][]*execution{}, release: make(chan struct{}), blocks: map[string]*block{
		iteration(cancel): {gen: 1, honour: true, started: make(chan struct{})},
		iteration(hold):   {gen: 2, started: make(chan struct{})},
	}}
	t.Cleanup(func() { close(ty.release) })

	var w sdkworker.Worker
	gen := 0
	start := func() {
		gen++
		var err error
		w, err = worker.New(env.tc, worker.Options{
			TaskQueue: queue,
			StepTypes: map[string]activities.StepType{"Tally": ty.on(gen)},
			// Long enough for a graceful stop to drain the steps that
			// return at once; the blocked ones outlast it.
			// 5 s, not 1: on a loaded machine a step that has returned
			// may not have reported its result within 1 s, and one cut
			// off there is given up at its heartbeat timeout and run
			// again although it succeeded.
			Worker: sdkworker.Options{WorkerStopTimeout: 5 * time.Second},
		})
		require.NoError(t, err)
		require.NoError(t, w.Start())
	}
	stopWhenStarted := func(i int) int {
		waitUntil(t, fmt.Sprintf("iteration %d started on worker %d", i, gen), func() bool {
			select {
			case <-ty.blocks[iteration(i)].started:
				return true
			default:
				return false
			}
		})
		w.Stop()
		w = nil
		return ty.stopped(gen)
	}
	t.Cleanup(func() {
		if w != nil {
			w.Stop()
		}
	})

	bc := client.New(env.tc, client.Options{TaskQueue: queue, EagerStart: true, StepTypes: map[string]translator.StepTypeInfo{
		// A short heartbeat timeout, so the lost attempt is given up soon;
		// not 2 s, which a starved worker's heartbeats (every third of it)
		// missed under load, timing out attempts that then ran again.
		"Tally": {Mode: translator.ModeActivity, HeartbeatTimeout: 10 * time.Second},
	}})
	req, err := definition.NewWorkflow("restart").Owner("tester").StepConcurrency(50).Steps(
		definition.Foreach("loop").Concurrency(50).
			Loop("i", definition.Expr(sel.LongArray, fmt.Sprintf("Util.intsBetween(0, %d, 1)", n))).
			Steps(definition.NewStep("tally", "Tally").
				Retry(definition.Retries().ErrorLimit(0).TimeoutLimit(0).PlatformLimit(2).Fixed().PlatformBackoff(1))),
	).Build()
	require.NoError(t, err)

	began := time.Now()
	start()
	ctx, cancelCtx := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancelCtx()
	run, _, err := bc.StartDefinition(ctx, req, client.StartOptions{ID: runID})
	require.NoError(t, err)
	inFlight1 := stopWhenStarted(cancel)
	start()
	inFlight2 := stopWhenStarted(hold)
	start()
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	elapsed := time.Since(began)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, &W.LoopSummary{Iterations: n, Counts: W.LoopCounts{Succeeded: n}}, st.Step("loop").Loop)

	ty.mu.Lock()
	defer ty.mu.Unlock()
	require.Len(t, ty.execs, n, "every iteration ran")
	perGen := map[int]int{}
	reran := 0
	for i := 1; i <= n; i++ {
		exs := ty.execs[iteration(i)]
		require.NotEmpty(t, exs, "iteration %d ran", i)
		last := exs[len(exs)-1]
		require.True(t, last.succeeded, "iteration %d: its last execution succeeded", i)
		perGen[last.gen]++
		for _, ex := range exs[:len(exs)-1] {
			require.True(t, ex.inFlight, "iteration %d ran again after an execution that completed (worker %d, attempt %d)", i, ex.gen, ex.attempt)
		}
		if len(exs) > 1 {
			reran++
		}
	}
	for i, b := range map[int]*block{cancel: ty.blocks[iteration(cancel)], hold: ty.blocks[iteration(hold)]} {
		exs := ty.execs[iteration(i)]
		require.Len(t, exs, 2, "iteration %d ran again", i)
		require.Equal(t, b.gen, exs[0].gen)
		require.True(t, exs[0].inFlight, "iteration %d was in flight when worker %d stopped", i, b.gen)
		require.Equal(t, b.gen+1, exs[1].gen, "iteration %d was retried on the next worker", i)
		require.Equal(t, 2, exs[1].attempt, "iteration %d was retried as a new Maestro attempt", i)
	}
	// How the blocked attempts ended, as the loop's histories tell.
	ends := activityEnds(t, run.ID()+"/loop")
	require.Equal(t, "failed "+activities.ErrorTypePlatform+": the worker stopped while the step ran: context canceled",
		ends[iteration(cancel)+"/tally#1"], "the attempt cancelled by a graceful stop")
	require.Equal(t, "timed out "+enumspb.TIMEOUT_TYPE_HEARTBEAT.String(), ends[iteration(hold)+"/tally#1"], "the attempt lost with its worker")
	// Any other activity that did not complete was an attempt that never
	// ran: a task the server handed to a worker as it stopped (polled, or
	// eagerly with a workflow task's completion) is dropped unrun, and only
	// the heartbeat timeout gives it up.
	lost := 0
	for aid, end := range ends {
		if aid == iteration(cancel)+"/tally#1" || aid == iteration(hold)+"/tally#1" {
			continue
		}
		require.Equal(t, "timed out "+enumspb.TIMEOUT_TYPE_HEARTBEAT.String(), end, "activity %s", aid)
		iter, attempt, ok := strings.Cut(aid, "/tally#")
		require.True(t, ok, "activity id %s", aid)
		for _, ex := range ty.execs[iter] {
			require.NotEqual(t, attempt, strconv.Itoa(ex.attempt), "activity %s timed out although it ran", aid)
		}
		lost++
	}
	for g := 1; g <= 3; g++ {
		require.Positive(t, perGen[g], "worker %d completed iterations", g)
	}

	runs, largest := requireLoopHistories(t, run.ID())
	t.Logf("foreach of %d activity iterations over 3 workers: %v; iterations completed per worker %v; in flight at the stops %d and %d; %d ran again; %d attempts lost unrun; %d runs, largest history %d events",
		n, elapsed.Round(time.Millisecond), perGen, inFlight1, inFlight2, reran, lost, runs, largest)
}
