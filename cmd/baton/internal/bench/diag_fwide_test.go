package bench

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
)

// TestDiagForeachWide is a diagnostic, skipped unless BATON_FWIDE_DIAG=1
// (BATON_FWIDE_C=10,300 picks the concurrencies, BATON_FWIDE_ONLY=baton or
// floor one system): it runs the foreach-wide scenario (400 iterations of 5
// local activities) once per concurrency on Baton and on the floor, and
// prints the wall time and the process CPU of each run and, for each
// workflow run of it, its workflow tasks: how many, how long each stayed
// open (started to completed; the SDK heartbeats a task that keeps local
// activities running at 80% of its 10 s timeout) and its markers. Run it
// with -test.cpuprofile to see where the CPU goes (README, Performance,
// session 5).
func TestDiagForeachWide(t *testing.T) {
	if os.Getenv("BATON_FWIDE_DIAG") == "" {
		t.Skip("diagnostic: set BATON_FWIDE_DIAG=1")
	}
	concs := envInts(t, "BATON_FWIDE_C", 10, 300)
	only := os.Getenv("BATON_FWIDE_ONLY") // baton or floor
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	sys, err := startSystem(ctx, "baton", devserver.ProfileTuned, true, false)
	require.NoError(t, err)
	defer sys.stop()
	const n, k = 400, 5
	for _, c := range concs {
		if only != "floor" {
			plan, err := sys.compile(foreachChainDef(n, k, c, typeLocal))
			require.NoError(t, err)
			began, cpu0 := time.Now(), cpuNow()
			run, err := sys.runPlan(ctx, plan)
			require.NoError(t, err)
			fmt.Printf("== baton C=%d: %v, CPU %v\n", c, time.Since(began), cpuSince(cpu0))
			dumpTasks(ctx, t, sys, run.ID(), run.RunID())
		}
		if only == "baton" {
			continue
		}
		eff := drainCappedConcurrency(c, k, true)
		began, cpu0 := time.Now(), cpuNow()
		id, runID, err := sys.runFloorWorkflow(ctx, floorForeachWorkflowName, floorForeachInput{Iterations: n, Inner: k, Concurrency: eff, Local: true})
		require.NoError(t, err)
		fmt.Printf("== floor C=%d: %v, CPU %v\n", eff, time.Since(began), cpuSince(cpu0))
		dumpTasks(ctx, t, sys, id, runID)
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cpuSince(t0 time.Duration) time.Duration { return (cpuNow() - t0).Round(time.Millisecond) }

func dumpTasks(ctx context.Context, t *testing.T, s *system, id, runID string) {
	type exec struct{ id, runID string }
	queue := []exec{{id, runID}}
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		it := s.tc.GetWorkflowHistory(ctx, e.id, e.runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		var events, markers, tasks, timeouts int
		var first, last, started time.Time
		var durs []string
		var open, longest time.Duration
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(t, err)
			events++
			ts := ev.GetEventTime().AsTime()
			if first.IsZero() {
				first = ts
			}
			last = ts
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_MARKER_RECORDED:
				markers++
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
				started = ts
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				tasks++
				d := ts.Sub(started)
				open += d
				longest = max(longest, d)
				if d > 100*time.Millisecond {
					durs = append(durs, fmt.Sprintf("#%d@%v:%v", ev.GetEventId(), started.Sub(first).Round(time.Millisecond), d.Round(time.Millisecond)))
				}
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED:
				timeouts++
			}
			if a := ev.GetChildWorkflowExecutionStartedEventAttributes(); a != nil {
				queue = append(queue, exec{a.GetWorkflowExecution().GetWorkflowId(), a.GetWorkflowExecution().GetRunId()})
			}
			if a := ev.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
				queue = append(queue, exec{e.id, a.GetNewExecutionRunId()})
			}
		}
		fmt.Printf("  %s: %d events, %d markers, %d workflow tasks (open %v in all, longest %v), %d failed/timed out, span %v; tasks over 100ms: %s\n",
			e.id, events, markers, tasks, open.Round(time.Millisecond), longest.Round(time.Millisecond), timeouts, last.Sub(first).Round(time.Millisecond), strings.Join(durs, " "))
	}
}
