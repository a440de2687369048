package workflows_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	W "github.com/batonhq/baton/workflows"
)

// attemptLog records every attempt of a step type by instance and step,
// failing the first attempt of the steps failFirst picks with a user error
// (retried, so they end with two attempts), and the most attempts running
// at once.
type attemptLog struct {
	mu        sync.Mutex
	attempts  map[string][]int // "instance/step" -> attempt numbers seen
	failFirst func(instance, step string) bool
	running   int
	most      int
}

func (a *attemptLog) Run(_ context.Context, s *activities.Step) (*activities.Result, error) {
	a.mu.Lock()
	key := s.InstanceID + "/" + s.StepID
	a.attempts[key] = append(a.attempts[key], s.Attempt)
	a.running++
	a.most = max(a.most, a.running)
	fail := s.Attempt == 1 && a.failFirst(s.InstanceID, s.StepID)
	a.running--
	a.mu.Unlock()
	if fail {
		return nil, errUser
	}
	return &activities.Result{}, nil
}

// TestWideRun runs parallel local-activity steps that join, every tenth
// failing its first attempt, and checks each step's status and attempts:
// 290 of them with the event loop moving behind their coroutines
// (ChangeEngineHop, asked once), the same in a run from before that change,
// and 15, too few to ask. How long it takes is for 'baton bench' (scenario
// wide).
func TestWideRun(t *testing.T) {
	cases := []struct {
		name  string
		n     int
		hop   workflow.Version // what the run's ChangeEngineHop is
		asked int              // how often the run asks for it
	}{
		{"290 moving the loop", 290, 1, 1},
		{"290 from before the move", 290, workflow.DefaultVersion, 1},
		{"15, too few to move", 15, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			def := wideWork(c.n)
			failFirst := func(_, step string) bool { var i int; fmt.Sscanf(step, "w%d", &i); return i%10 == 0 }
			work := &attemptLog{attempts: map[string][]int{}, failFirst: failFirst}
			h := newHarness(t, map[string]activities.StepType{"Work": work})
			asks := h.env.OnGetVersion(W.ChangeEngineHop, workflow.DefaultVersion, 1).Return(c.hop)
			if c.asked == 0 {
				asks.Never()
			} else {
				asks.Times(c.asked)
			}
			st := h.run(t, compileJSON(t, def, localMode("Work")), nil)
			h.env.AssertExpectations(t)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			require.Equal(t, W.Succeeded, st.Step("end").Status)
			byStep := map[string][]int{}
			for key, attempts := range work.attempts {
				byStep[key[strings.LastIndexByte(key, '/')+1:]] = attempts
			}
			for i := 1; i <= c.n; i++ {
				id := fmt.Sprintf("w%d", i)
				s := st.Step(id)
				want := 1
				if failFirst("", id) {
					want = 2
					require.Equal(t, 1, s.Retries.Error, id)
				}
				require.Equal(t, W.Succeeded, s.Status, "%s: %s", id, s.Error)
				require.Equal(t, want, s.Attempts, id)
				require.Len(t, byStep[id], want, id)
			}
			require.Len(t, work.attempts, c.n)
		})
	}
}

// wideWork is a NoOp root fanning out to n steps w1..wn of type Work
// that join in a NoOp end step.
func wideWork(n int) string {
	steps := []string{`{"step":{"id":"start","type":"NoOp","transition":{"successors":{` + wideSuccessors(n) + `}}}}`}
	for i := 1; i <= n; i++ {
		steps = append(steps, fmt.Sprintf(`{"step":{"id":"w%d","type":"Work","transition":{"successors":{"end":"true"}}}}`, i))
	}
	steps = append(steps, `{"step":{"id":"end","type":"NoOp"}}`)
	return `{"workflow":{"id":"wide","steps":[` + strings.Join(steps, ",") + `]}}`
}

func wideSuccessors(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf(`"w%d":"true"`, i+1)
	}
	return strings.Join(s, ",")
}

// TestWideForeach runs a foreach of 2,000 iterations at concurrency 500
// (each an activity step; every seventh iteration's fails its first
// attempt) through continue-as-new, and checks every iteration's attempts,
// the loop's counts, and that no more than 500 ran at once.
func TestWideForeach(t *testing.T) {
	restore := W.SetIterationsPerRun(700) // three loop runs
	defer restore()
	def := `{"properties":{"owner":{"name":"t"},"step_concurrency":1000},"workflow":{"id":"w","steps":[
		{"foreach":{"id":"loop","concurrency":500,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","expression":"Util.intsBetween(0, 2000, 1)"}}}},
			"steps":[{"step":{"id":"work","type":"Work"}}]}}]}}`
	const iterations = 2000
	// Iteration instance ids are "<loop workflow id>/<iteration, from 1>".
	iteration := func(instance string) int {
		i := strings.LastIndexByte(instance, '/')
		var n int
		fmt.Sscanf(instance[i+1:], "%d", &n)
		return n
	}
	failFirst := func(instance, _ string) bool { return iteration(instance)%7 == 0 }
	work := &attemptLog{attempts: map[string][]int{}, failFirst: failFirst}
	h := newHarness(t, map[string]activities.StepType{"Work": work})
	// Launching 500 iterations is one workflow task, and the test suite's
	// first activity reads the test binary (its checksum): on a loaded
	// machine that can pass the default 1 s deadlock detection.
	h.env.SetWorkerOptions(sdkworker.Options{DeadlockDetectionTimeout: time.Minute})
	st := h.run(t, compileJSON(t, def, activityMode("Work")), nil)
	loop := st.Step("loop")
	require.Equal(t, W.Succeeded, loop.Status, loop.Error)
	require.Equal(t, &W.LoopSummary{Iterations: iterations, Counts: W.LoopCounts{Succeeded: iterations}}, loop.Loop)
	require.Len(t, work.attempts, iterations)
	seen := make([]bool, iterations+1)
	for key, attempts := range work.attempts {
		instance := strings.TrimSuffix(key, "/work")
		it := iteration(instance)
		require.False(t, seen[it], "iteration %d ran twice", it)
		seen[it] = true
		want := []int{1}
		if failFirst(instance, "work") {
			want = []int{1, 2}
		}
		require.Equal(t, want, attempts, key)
	}
	require.LessOrEqual(t, work.most, 500)
}

// TestWideHalt kills or stops a run of 20 parallel local-activity steps
// while every one waits out the backoff of its failed first attempt: the
// halt reaches each step from the event loop wherever it runs (moved
// behind the local activities, or a run from before ChangeEngineHop).
func TestWideHalt(t *testing.T) {
	const n = 20
	for _, hop := range []workflow.Version{1, workflow.DefaultVersion} {
		for _, kill := range []bool{true, false} {
			t.Run(fmt.Sprintf("hop %d kill %t", hop, kill), func(t *testing.T) {
				def := wideWork(n)
				work := &attemptLog{attempts: map[string][]int{}, failFirst: func(string, string) bool { return true }}
				h := newHarness(t, map[string]activities.StepType{"Work": work})
				h.env.OnGetVersion(W.ChangeEngineHop, workflow.DefaultVersion, 1).Return(hop).Once()
				want, wantRun := W.Stopped, W.InstanceStopped
				halt := h.env.CancelWorkflow
				if kill {
					want, wantRun = W.FatallyFailed, W.InstanceFailed
					halt = func() { h.env.SignalWorkflow(W.SignalKill, "operator said so") }
				}
				// Maestro's first user-error backoff is 60 s: every step waits in it.
				h.env.RegisterDelayedCallback(halt, 30*time.Second)
				st := h.run(t, compileJSON(t, def, localMode("Work")), nil)
				h.env.AssertExpectations(t)
				require.Equal(t, wantRun, st.Status, st.Error)
				require.Equal(t, W.NotCreated, st.Step("end").Status)
				for i := 1; i <= n; i++ {
					s := st.Step(fmt.Sprintf("w%d", i))
					require.Equal(t, want, s.Status, "w%d: %s", i, s.Error)
					require.Equal(t, 1, s.Attempts, "w%d", i)
					if kill {
						require.Equal(t, "operator said so", s.Error, "w%d", i)
					}
				}
				require.Len(t, work.attempts, n)
			})
		}
	}
}
