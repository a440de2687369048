package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/grpc"
	grpcgzip "google.golang.org/grpc/encoding/gzip"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
)

// TestDiagChain is a diagnostic, skipped unless BATON_CHAIN_DIAG=1
// (BATON_CHAIN_N=100,300 picks the chain sizes, BATON_CHAIN_REPS the runs
// per size and system, BATON_CHAIN_ONLY=baton or floor one system for a
// profile of it alone, BATON_CHAIN_SHAPE=wide the wide scenario's fan-out
// of N instead, 20 at once on both sides or BATON_CHAIN_C at once,
// wide-floor-all the same with the floor's N all at once, wide-uncapped
// both all at once): it runs the local-activity chain on Baton and on the
// floor, alternately, and prints per system and size the process CPU and
// heap allocations and bytes allocated per run (server, worker and client share the process;
// allocations do not depend on the machine's load) and, from the
// last run's history, what it records: events, workflow tasks, markers and
// the bytes of the markers' payloads and of the start's input and the
// completion's result (README, Performance, session 6). Run it with
// -test.cpuprofile (and BATON_CHAIN_ONLY) to see where the CPU goes, and
// with BATON_CHAIN_GZIP=1 to compress every RPC with gzip, as the SDK's
// default does and the embedded server's clients did before session 11.
func TestDiagChain(t *testing.T) {
	if os.Getenv("BATON_CHAIN_DIAG") == "" {
		t.Skip("diagnostic: set BATON_CHAIN_DIAG=1")
	}
	sizes := envInts(t, "BATON_CHAIN_N", 100, 300)
	reps := envInts(t, "BATON_CHAIN_REPS", 20)[0]
	only := os.Getenv("BATON_CHAIN_ONLY")
	def, floorName, floorIn := chainDef, floorWorkflowName, func(n int) any { return floorInput{N: n, Local: true} }
	switch os.Getenv("BATON_CHAIN_SHAPE") {
	case "wide": // at most 20 steps run at once: Maestro's default step_concurrency, the floor's too
		def, floorName, floorIn = wideDef, floorForeachWorkflowName, wideFloorInput
		if c := envInts(t, "BATON_CHAIN_C", wideFloorConcurrency)[0]; c != wideFloorConcurrency {
			def = func(n int, typ string) []byte { return wideDefAt(n, c, typ) }
			floorIn = func(n int) any { return wideFloorInputAt(n, c) }
		}
	case "wide-floor-all": // Baton 20 at once, the floor all N at once (the bench's wide floor before session 11)
		def, floorName, floorIn = wideDef, floorWideWorkflowName, func(n int) any { return floorWideInput{N: n} }
	case "wide-uncapped": // all N at once, as the floor runs them
		def = wideAllDef
		floorName, floorIn = floorWideWorkflowName, func(n int) any { return floorWideInput{N: n} }
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var dial []grpc.DialOption
	if os.Getenv("BATON_CHAIN_GZIP") != "" { // the last compressor asked for wins
		dial = append(dial, grpc.WithDefaultCallOptions(grpc.UseCompressor(grpcgzip.Name)))
	}
	sys, err := startSystem(ctx, "baton", devserver.ProfileTuned, true, false, dial...)
	require.NoError(t, err)
	defer sys.stop()
	for _, n := range sizes {
		plan, err := sys.compile(def(n, typeLocal))
		require.NoError(t, err)
		var batonCPU, floorCPU time.Duration
		var batonHeap, floorHeap heapUse
		var batonWall, floorWall []time.Duration
		var batonID, batonRun, floorID, floorRun string
		for i := 0; i < reps+2; i++ { // two warm-up runs each
			if only != "floor" {
				cpu0, m0, began := cpuNow(), heapNow(), time.Now()
				run, err := sys.runPlan(ctx, plan)
				require.NoError(t, err)
				if i >= 2 {
					batonHeap.add(m0)
					batonCPU += cpuNow() - cpu0
					batonWall = append(batonWall, time.Since(began))
				}
				batonID, batonRun = run.ID(), run.RunID()
			}
			if only != "baton" {
				cpu0, m0, began := cpuNow(), heapNow(), time.Now()
				floorID, floorRun, err = sys.runFloorWorkflow(ctx, floorName, floorIn(n))
				require.NoError(t, err)
				if i >= 2 {
					floorHeap.add(m0)
					floorCPU += cpuNow() - cpu0
					floorWall = append(floorWall, time.Since(began))
				}
			}
		}
		fmt.Printf("== N=%d, %d runs each: CPU per run baton %v, floor %v (baton/floor %.2f); p50 wall baton %v, floor %v (baton/floor %.2f)\n", n, reps,
			(batonCPU / time.Duration(reps)).Round(time.Microsecond), (floorCPU / time.Duration(reps)).Round(time.Microsecond),
			float64(batonCPU)/float64(floorCPU), median(batonWall), median(floorWall), float64(median(batonWall))/float64(median(floorWall)))
		fmt.Printf("  allocations per run (the process): baton %d (%d bytes), floor %d (%d bytes)\n", batonHeap.allocs/uint64(reps),
			batonHeap.bytes/uint64(reps), floorHeap.allocs/uint64(reps), floorHeap.bytes/uint64(reps))
		if only != "floor" {
			fmt.Printf("  baton: %s\n", historyShape(ctx, t, sys, batonID, batonRun))
		}
		if only != "baton" {
			fmt.Printf("  floor: %s\n", historyShape(ctx, t, sys, floorID, floorRun))
		}
	}
}

// historyShape summarizes one workflow run's history: events, workflow
// tasks, markers and payload bytes.
func historyShape(ctx context.Context, t *testing.T, s *system, id, runID string) string {
	it := s.tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var events, tasks, markers, markerBytes, inputBytes, resultBytes, histBytes int
	var first time.Time
	var timeline []string
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		events++
		if first.IsZero() {
			first = ev.GetEventTime().AsTime()
		}
		if ev.GetEventType() != enumspb.EVENT_TYPE_MARKER_RECORDED {
			timeline = append(timeline, fmt.Sprintf("%s@%v", strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_"),
				ev.GetEventTime().AsTime().Sub(first).Round(100*time.Microsecond)))
		}
		histBytes += ev.Size()
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			tasks++
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			markers++
			for _, p := range ev.GetMarkerRecordedEventAttributes().GetDetails() {
				markerBytes += p.Size()
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			inputBytes = ev.GetWorkflowExecutionStartedEventAttributes().GetInput().Size()
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			resultBytes = ev.GetWorkflowExecutionCompletedEventAttributes().GetResult().Size()
		}
	}
	perMarker := 0
	if markers > 0 {
		perMarker = markerBytes / markers
	}
	out := fmt.Sprintf("%d events (%d bytes), %d workflow tasks, %d markers (%d bytes of details, %d a marker), input %d bytes, result %d bytes",
		events, histBytes, tasks, markers, markerBytes, perMarker, inputBytes, resultBytes)
	if os.Getenv("BATON_CHAIN_TIMELINE") != "" {
		out += "\n    " + strings.Join(timeline, " ")
	}
	return out
}

// mallocs is how many heap objects the process has allocated so far.
// heapUse is the process's heap allocations and bytes allocated so far.
type heapUse struct{ allocs, bytes uint64 }

func heapNow() heapUse {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return heapUse{m.Mallocs, m.TotalAlloc}
}

// add adds what was allocated since then to u.
func (u *heapUse) add(since heapUse) {
	now := heapNow()
	u.allocs += now.allocs - since.allocs
	u.bytes += now.bytes - since.bytes
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Microsecond)
}

// envInts reads a comma-separated list of integers from the environment
// variable name, or gives def if it is not set.
func envInts(t *testing.T, name string, def ...int) []int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(f)
		require.NoError(t, err, "%s=%s", name, s)
		out = append(out, n)
	}
	return out
}
