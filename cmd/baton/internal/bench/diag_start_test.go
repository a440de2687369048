package bench

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// TestDiagStart is a diagnostic, skipped unless BATON_START_DIAG=1
// (BATON_START_REPS runs per system, 200 by default; BATON_START_ONLY=baton
// or floor runs one system, for a CPU profile of it alone): it runs the
// bench's start row, a one-step NoOp run of Baton and the floor's empty
// workflow, alternately, and prints per system the process CPU per run
// (server, worker and client share the process), the client's RPCs and
// their bytes (request and response, as protobuf) per run, and the last
// run's history (README, Performance, session 7). BATON_START_PLAN=five
// runs the throughput scenario's five-step DAG of local activities instead,
// one run at a time, against its features floor (docs/performance.md,
// session 14).
func TestDiagStart(t *testing.T) {
	ctx, sys, wire, reps := diagStartSystem(t)
	only := os.Getenv("BATON_START_ONLY")
	def := chainDef(1, typeNoOp)
	floorRun := func() (string, string, error) { return sys.runFloorWorkflow(ctx, floorWorkflowName, floorInput{}) }
	if os.Getenv("BATON_START_PLAN") == "five" {
		def = fiveStepDef(typeLocal)
		fplan, in, err := sys.featuresInput(def, fiveStepResultBytes, &floorInput{N: 5, Local: true, Fan: fiveStepFan})
		require.NoError(t, err)
		floorRun = func() (string, string, error) { return sys.runFloorFeatures(ctx, fplan, in) }
	}
	plan, err := sys.compile(def)
	require.NoError(t, err)
	baton := &startTally{name: "baton", run: func() (string, string, error) {
		run, err := sys.runPlan(ctx, plan)
		if err != nil {
			return "", "", err
		}
		return run.ID(), run.RunID(), nil
	}}
	floor := &startTally{name: "floor", run: floorRun}
	var tallies []*startTally
	for _, tl := range []*startTally{baton, floor} {
		if only == "" || only == tl.name {
			tallies = append(tallies, tl)
		}
	}
	for i := 0; i < reps+2; i++ { // two warm-up runs each
		for _, tl := range tallies {
			tl.once(t, wire, i >= 2)
		}
	}
	for _, tl := range tallies {
		n := time.Duration(tl.runs)
		fmt.Printf("== %s, %d runs: CPU per run %v, p50 wall %v\n", tl.name, tl.runs, (tl.cpu / n).Round(time.Microsecond), median(tl.wall))
		fmt.Printf("  p50 phases: %s\n", tl.formatPhases())
		fmt.Printf("  RPCs per run (the process's client and worker): %s\n", formatSizes(tl.calls, tl.runs))
		fmt.Printf("  history: %s\n", historyShape(ctx, t, sys, tl.id, tl.runID))
		if os.Getenv("BATON_START_SHOW") != "" {
			showStartAndEnd(ctx, t, sys, tl.id, tl.runID)
		}
	}
	if len(tallies) == 2 {
		fmt.Printf("== CPU per run baton/floor %.2f; p50 wall baton/floor %.2f\n",
			float64(baton.cpu)/float64(floor.cpu), float64(median(baton.wall))/float64(median(floor.wall)))
	}
}

// diagStartSystem skips t unless BATON_START_DIAG=1, else starts the
// bench's system with an RPC byte counter on its Temporal client (stopped
// when t ends) and reads the repetitions (BATON_START_REPS, 200).
func diagStartSystem(t *testing.T) (context.Context, *system, *rpcBytes, int) {
	t.Helper()
	wire := &rpcBytes{}
	ctx, sys, reps := diagSystem(t, "BATON_START_DIAG", "BATON_START_REPS", 200, wire.intercept)
	return ctx, sys, wire, reps
}

// startTally is what the runs of one kind of start cost.
type startTally struct {
	name      string
	run       func() (id, runID string, err error)
	cpu       time.Duration
	wall      []time.Duration
	id, runID string
	calls     map[string]rpcSize
	runs      int
	// per run: before the start is sent, the start's RPC, until the
	// completion is sent, the completion's RPC, until the result is read
	phases [5][]time.Duration
}

// once runs one start and, if count, adds what it cost.
func (tl *startTally) once(t *testing.T, wire *rpcBytes, count bool) {
	wire.take()
	cpu0, began := cpuNow(), time.Now()
	id, runID, err := tl.run()
	require.NoError(t, err, tl.name)
	ended := time.Now()
	tl.id, tl.runID = id, runID
	if !count {
		return
	}
	tl.cpu += cpuNow() - cpu0
	tl.wall = append(tl.wall, ended.Sub(began))
	tl.runs++
	calls := wire.take()
	st, rc := calls["StartWorkflowExecution"], calls["RespondWorkflowTaskCompleted"]
	// (a completion sent before the start returned is another run's)
	if !st.sent.IsZero() && !rc.sent.IsZero() && !rc.sent.Before(st.back) {
		for i, d := range []time.Duration{st.sent.Sub(began), st.back.Sub(st.sent), rc.sent.Sub(st.back), rc.back.Sub(rc.sent), ended.Sub(rc.back)} {
			tl.phases[i] = append(tl.phases[i], d)
		}
	}
	if tl.calls == nil {
		tl.calls = map[string]rpcSize{}
	}
	for m, s := range calls {
		c := tl.calls[m]
		c.n, c.req, c.resp = c.n+s.n, c.req+s.req, c.resp+s.resp
		tl.calls[m] = c
	}
}

func (tl *startTally) formatPhases() string {
	return fmt.Sprintf("prepare %v, StartWorkflowExecution %v, worker %v, RespondWorkflowTaskCompleted %v, result %v",
		median(tl.phases[0]), median(tl.phases[1]), median(tl.phases[2]), median(tl.phases[3]), median(tl.phases[4]))
}

// showStartAndEnd prints a run's first and last events as JSON.
func showStartAndEnd(ctx context.Context, t *testing.T, s *system, id, runID string) {
	it := s.tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		b, err := protojson.Marshal(ev)
		require.NoError(t, err)
		fmt.Printf("    %d bytes: %s\n", proto.Size(ev), b)
	}
}

// rpcBytes counts a Temporal client's unary RPCs and the protobuf bytes of
// their requests and responses, by method.
type rpcBytes struct {
	mu    sync.Mutex
	calls map[string]rpcSize
}

// rpcSize: calls, bytes, and the first call's send and return times.
type rpcSize struct {
	n, req, resp int
	sent, back   time.Time
}

func (l *rpcBytes) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	sent := time.Now()
	err := invoker(ctx, method, req, reply, cc, opts...)
	s := rpcSize{n: 1, sent: sent, back: time.Now()}
	if m, ok := req.(proto.Message); ok {
		s.req = proto.Size(m)
	}
	if m, ok := reply.(proto.Message); ok && err == nil {
		s.resp = proto.Size(m)
	}
	name := method[strings.LastIndex(method, "/")+1:]
	l.mu.Lock()
	if l.calls == nil {
		l.calls = map[string]rpcSize{}
	}
	c := l.calls[name]
	c.n, c.req, c.resp = c.n+s.n, c.req+s.req, c.resp+s.resp
	if c.sent.IsZero() {
		c.sent, c.back = s.sent, s.back
	}
	l.calls[name] = c
	l.mu.Unlock()
	return err
}

// take returns the counts so far and forgets them.
func (l *rpcBytes) take() map[string]rpcSize {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.calls
	l.calls = nil
	return out
}

// formatSizes prints counts per run: "Method calls (request B / response B)".
func formatSizes(calls map[string]rpcSize, runs int) string {
	var parts []string
	for m, s := range calls {
		parts = append(parts, fmt.Sprintf("%s %.2f (%d / %d B)", m, float64(s.n)/float64(runs), s.req/runs, s.resp/runs))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
