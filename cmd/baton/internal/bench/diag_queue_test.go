package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	sdkclient "go.temporal.io/sdk/client"
	"google.golang.org/grpc"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/translator"
)

// diagQueueSystem skips t unless BATON_QUEUE_DIAG=1, else starts the
// bench's system with an RPC log on its Temporal client (stopped when t
// ends) and reads the repetitions (BATON_QUEUE_REPS, 40 by default).
func diagQueueSystem(t *testing.T) (context.Context, *system, *rpcLog, int) {
	t.Helper()
	log := &rpcLog{}
	ctx, sys, reps := diagSystem(t, "BATON_QUEUE_DIAG", "BATON_QUEUE_REPS", 40, log.intercept)
	return ctx, sys, log, reps
}

// diagSystem skips t unless the environment variable flag is set, else
// starts the bench's system with intercept on its Temporal client (stopped
// when t ends) and reads the repetitions from repsVar (def if unset).
func diagSystem(t *testing.T, flag, repsVar string, def int, intercept grpc.UnaryClientInterceptor) (context.Context, *system, int) {
	t.Helper()
	if os.Getenv(flag) == "" {
		t.Skip("diagnostic: set " + flag + "=1")
	}
	reps := envInts(t, repsVar, def)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	sys, err := startSystem(ctx, "baton", devserver.ProfileTuned, true, false, grpc.WithChainUnaryInterceptor(intercept))
	require.NoError(t, err)
	t.Cleanup(sys.stop)
	return ctx, sys, reps
}

// rpcLog records every unary RPC of a Temporal client: method, start and
// duration (a long poll counts when it returns).
type rpcLog struct {
	mu    sync.Mutex
	calls []rpcCall
}

type rpcCall struct {
	method     string
	start, end time.Time
}

func (l *rpcLog) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	start := time.Now()
	err := invoker(ctx, method, req, reply, cc, opts...)
	l.mu.Lock()
	l.calls = append(l.calls, rpcCall{method: method[strings.LastIndex(method, "/")+1:], start: start, end: time.Now()})
	l.mu.Unlock()
	return err
}

// take returns the calls recorded so far and forgets them.
func (l *rpcLog) take() []rpcCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.calls
	l.calls = nil
	return out
}

// TestDiagQueueStart is a diagnostic, skipped unless BATON_QUEUE_DIAG=1
// (BATON_QUEUE_REPS sets the runs per mode, 40 by default;
// BATON_QUEUE_MODES=bare,SEQUENTIAL picks the modes): for a bare
// start and a start under each run strategy of the strategy scenario's
// one-step run, run one after another, it prints the RPCs of the process
// (client and worker, one shared Temporal client) per start by method,
// the process CPU per start, the queue's history per start (events by
// type, workflow tasks, local-activity markers, watch activities), and
// the RPC timeline of the last start from the call to the result and
// 100 ms after (README, Performance, session 6).
func TestDiagQueueStart(t *testing.T) {
	ctx, sys, log, reps := diagQueueSystem(t)
	modes := append([]string{"bare"}, strategyRules...)
	if s := os.Getenv("BATON_QUEUE_MODES"); s != "" {
		modes = strings.Split(s, ",")
	}
	for _, mode := range modes {
		def := chainDef(1, typeNoOp)
		if mode != "bare" {
			def = strategyDef(mode)
		}
		plan, err := sys.compile(def)
		require.NoError(t, err)
		for range 3 { // warm-up
			_, err := sys.runPlan(ctx, plan)
			require.NoError(t, err)
		}
		time.Sleep(200 * time.Millisecond) // the warm-up's watches answer
		log.take()
		cpu0 := cpuNow()
		var walls []time.Duration
		var t0, t1 time.Time
		var last []rpcCall
		for range reps {
			last = append(last, log.take()...)
			t0 = time.Now()
			_, err := sys.runPlan(ctx, plan)
			require.NoError(t, err)
			t1 = time.Now()
			walls = append(walls, t1.Sub(t0))
		}
		time.Sleep(100 * time.Millisecond) // the last start's background work
		cpu := cpuSince(cpu0)
		calls := append(last, log.take()...)
		slices.Sort(walls)
		byMethod := map[string]int{}
		for _, c := range calls {
			byMethod[c.method]++
		}
		fmt.Printf("== %s: %d starts, p50 %v, process CPU %v per start; RPCs per start:", mode, reps,
			walls[len(walls)/2].Round(10*time.Microsecond), (cpu / time.Duration(reps)).Round(10*time.Microsecond))
		keys := make([]string, 0, len(byMethod))
		for k := range byMethod {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		total := 0
		for _, k := range keys {
			total += byMethod[k]
			fmt.Printf(" %s %.2f", k, float64(byMethod[k])/float64(reps))
		}
		fmt.Printf("; all %.2f\n", float64(total)/float64(reps))
		fmt.Println("  timeline of the last start (ms from the call; * = ended after the result):")
		for _, c := range calls {
			if c.end.Before(t0) || c.start.After(t1.Add(100*time.Millisecond)) {
				continue
			}
			mark := ""
			if c.end.After(t1) {
				mark = " *"
			}
			fmt.Printf("    %7.2f %7.2f  %s%s\n", ms(c.start.Sub(t0)), ms(c.end.Sub(t0)), c.method, mark)
		}
		fmt.Printf("    %7.2f          result\n", ms(t1.Sub(t0)))
		if mode != "bare" {
			queueHistory(ctx, t, sys, plan.WorkflowID, reps+3)
		}
	}
}

// queueHistory prints a queue's history per start.
func queueHistory(ctx context.Context, t *testing.T, s *system, workflowID string, starts int) {
	it := s.tc.GetWorkflowHistory(ctx, scheduler.QueueIDOn(taskQueue, workflowID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	byType := map[string]int{}
	events := 0
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		events++
		byType[strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_")]++
	}
	keys := make([]string, 0, len(byType))
	for k := range byType {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("  queue history: %.2f events per start:", float64(events)/float64(starts))
	for _, k := range keys {
		fmt.Printf(" %s %.2f", k, float64(byType[k])/float64(starts))
	}
	fmt.Println()
}

// TestDiagQueueUpdate is a diagnostic, skipped unless BATON_QUEUE_DIAG=1:
// it times, alternately, the same no-op update of a queue (its strategy,
// unchanged) sent as update-with-start (what a start sends) and as a plain
// update, and prints both medians.
func TestDiagQueueUpdate(t *testing.T) {
	if os.Getenv("BATON_QUEUE_DIAG") == "" {
		t.Skip("diagnostic: set BATON_QUEUE_DIAG=1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sys, err := startSystem(ctx, "baton", devserver.ProfileTuned, true, false)
	require.NoError(t, err)
	defer sys.stop()
	sc := sys.bc.Scheduler()
	const wf = "diag-update"
	s := scheduler.Strategy{Rule: "SEQUENTIAL", Concurrency: 1}
	require.NoError(t, sc.SetStrategy(ctx, wf, s))
	var withStart, plain []time.Duration
	for range 200 {
		uo := sdkclient.UpdateWorkflowOptions{WorkflowID: scheduler.QueueIDOn(taskQueue, wf),
			UpdateName: scheduler.UpdateStrategy, Args: []any{s}, WaitForStage: sdkclient.WorkflowUpdateStageCompleted}
		t0 := time.Now()
		h, err := sys.tc.UpdateWithStartWorkflow(ctx, sdkclient.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: sys.tc.NewWithStartWorkflowOperation(sdkclient.StartWorkflowOptions{
				ID: uo.WorkflowID, TaskQueue: taskQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			}, scheduler.QueueWorkflowName, scheduler.QueueInput{State: scheduler.State{WorkflowID: wf}}),
			UpdateOptions: uo})
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, nil))
		t1 := time.Now()
		h, err = sys.tc.UpdateWorkflow(ctx, uo)
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, nil))
		withStart, plain = append(withStart, t1.Sub(t0)), append(plain, time.Since(t1))
	}
	slices.Sort(withStart)
	slices.Sort(plain)
	fmt.Printf("update-with-start p50 %v, plain update p50 %v\n", withStart[100].Round(10*time.Microsecond), plain[100].Round(10*time.Microsecond))
}

// TestDiagQueueInterleaved is a diagnostic, skipped unless
// BATON_QUEUE_DIAG=1: the strategy scenario's order (a bare start, then
// one start under each rule, repeated BATON_QUEUE_REPS times), printing
// each mode's median and the RPC timelines of the last round.
func TestDiagQueueInterleaved(t *testing.T) {
	ctx, sys, log, reps := diagQueueSystem(t)
	var err error
	modes := append([]string{"bare"}, strategyRules...)
	plans := make([]*translator.Plan, len(modes))
	for i, mode := range modes {
		def := chainDef(1, typeNoOp)
		if mode != "bare" {
			def = strategyDef(mode)
		}
		plans[i], err = sys.compile(def)
		require.NoError(t, err)
	}
	walls := make([][]time.Duration, len(modes))
	spans := make([][2]time.Time, len(modes)) // the last round's
	for rep := range reps + 3 {
		if rep == reps+2 {
			log.take()
		}
		for i, p := range plans {
			start := time.Now()
			_, err := sys.runPlan(ctx, p)
			require.NoError(t, err)
			if rep >= 3 {
				walls[i] = append(walls[i], time.Since(start))
			}
			spans[i] = [2]time.Time{start, time.Now()}
		}
	}
	calls := log.take()
	for i, mode := range modes {
		slices.Sort(walls[i])
		fmt.Printf("%s p50 %v (%.2fx)\n", mode, walls[i][reps/2].Round(10*time.Microsecond), float64(walls[i][reps/2])/float64(walls[0][reps/2]))
	}
	for i, mode := range modes {
		t0, t1 := spans[i][0], spans[i][1]
		fmt.Printf("timeline of the last %s start (ms from the call):\n", mode)
		for _, c := range calls {
			if c.end.Before(t0) || c.start.After(t1) {
				continue
			}
			fmt.Printf("  %7.2f %7.2f  %s\n", ms(c.start.Sub(t0)), ms(c.end.Sub(t0)), c.method)
		}
		fmt.Printf("  %7.2f          result\n", ms(t1.Sub(t0)))
	}
}
