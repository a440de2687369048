package integration

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/workflows"
)

// gate is a step type that runs until the test opens its gate (the step
// param "gate" names it), then succeeds or fails fatally.
type gate struct {
	mu      sync.Mutex
	gates   map[string]chan bool
	started map[string]bool
}

var gateType = &gate{gates: map[string]chan bool{}, started: map[string]bool{}}

func (g *gate) ch(key string) chan bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.gates[key]
	if !ok {
		c = make(chan bool, 1)
		g.gates[key] = c
	}
	return c
}

func (g *gate) Run(ctx context.Context, s *activities.Step) (*activities.Result, error) {
	key := s.String("gate")
	c := g.ch(key)
	g.mu.Lock()
	g.started[key] = true
	g.mu.Unlock()
	select {
	case fail := <-c:
		if fail {
			return nil, activities.FatalError(fmt.Errorf("gate %s failed", key))
		}
		return &activities.Result{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gate) isStarted(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.started[key]
}

// open lets the step behind key end (failing if fail).
func (g *gate) open(key string, fail bool) { g.ch(key) <- fail }

// gateDef is a one-step workflow whose step waits at the gate the run
// param "gate" names.
func gateDef(t *testing.T, id string, rule definition.RunStrategyRule, concurrency int64) *definition.Request {
	t.Helper()
	b := definition.NewWorkflow(id).Owner("tester").
		Param("gate", definition.String("")).
		Steps(definition.NewStep("g", "Gate").Param("gate", definition.Expr(sel.String, "gate"))).
		RunStrategy(rule)
	if concurrency >= 0 {
		b = b.WorkflowConcurrency(concurrency)
	}
	req, err := b.Build()
	require.NoError(t, err)
	return req
}

// strategyRun starts one instance whose step waits at gate key.
func strategyRun(t *testing.T, req *definition.Request, key string) *client.Run {
	t.Helper()
	run, _, err := env.baton.StartDefinition(context.Background(), req, client.StartOptions{
		RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: key}},
	})
	require.NoError(t, err)
	require.NotNil(t, run.Admission())
	return run
}

func waitStarted(t *testing.T, key string) {
	t.Helper()
	require.Eventually(t, func() bool { return gateType.isStarted(key) }, 30*time.Second, 5*time.Millisecond, "gate %s never reached", key)
}

func waitStatus(t *testing.T, run *client.Run, want workflows.InstanceStatus) *workflows.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, want, st.Status, "instance %s: %s", run.ID(), st.Error)
	return st
}

// queueOf returns the instances' statuses and positions by gate run id.
func queueOf(t *testing.T, workflowID string) map[string]string {
	t.Helper()
	snap, err := env.baton.Instances(context.Background(), workflowID)
	require.NoError(t, err)
	out := map[string]string{}
	for _, in := range snap.Instances {
		s := in.Status
		if in.Position > 0 {
			s = fmt.Sprintf("%s#%d", s, in.Position)
		}
		out[in.ID] = s
	}
	return out
}

func admitted(run *client.Run) string {
	a := run.Admission().Instance
	if a.Position > 0 {
		return fmt.Sprintf("%s#%d", a.Status, a.Position)
	}
	return a.Status
}

func TestRunStrategySequential(t *testing.T) {
	req := gateDef(t, "rs-seq", definition.Sequential, -1)
	a := strategyRun(t, req, "seq-a")
	b := strategyRun(t, req, "seq-b")
	c := strategyRun(t, req, "seq-c")
	require.Equal(t, []string{"IN_PROGRESS", "CREATED#1", "CREATED#2"}, []string{admitted(a), admitted(b), admitted(c)})
	waitStarted(t, "seq-a")
	require.Equal(t, map[string]string{a.ID(): "IN_PROGRESS", b.ID(): "CREATED#1", c.ID(): "CREATED#2"}, queueOf(t, "rs-seq"))

	// A request id seen before returns the same instance.
	d1, _, err := env.baton.StartDefinition(context.Background(), req, client.StartOptions{RequestID: "dedupe-1", RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: "seq-d"}}})
	require.NoError(t, err)
	d2, _, err := env.baton.StartDefinition(context.Background(), req, client.StartOptions{RequestID: "dedupe-1", RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: "seq-d"}}})
	require.NoError(t, err)
	require.Equal(t, d1.ID(), d2.ID())
	require.False(t, d1.Admission().Duplicate)
	require.True(t, d2.Admission().Duplicate)
	require.Equal(t, "CREATED#3", admitted(d1))

	// A waiting instance can be stopped: it ends STOPPED without running.
	require.NoError(t, c.Stop(context.Background()))
	waitStatus(t, c, workflows.InstanceStopped)

	gateType.open("seq-a", false)
	waitStatus(t, a, workflows.InstanceSucceeded)
	waitStarted(t, "seq-b")
	q := queueOf(t, "rs-seq")
	require.Equal(t, "IN_PROGRESS", q[b.ID()])
	require.Equal(t, "CREATED#1", q[d1.ID()])
	require.Equal(t, "STOPPED", q[c.ID()])
	require.False(t, gateType.isStarted("seq-c"))
	require.False(t, gateType.isStarted("seq-d"), "one at a time")

	gateType.open("seq-b", false)
	waitStatus(t, b, workflows.InstanceSucceeded)
	waitStarted(t, "seq-d")
	gateType.open("seq-d", false)
	waitStatus(t, d1, workflows.InstanceSucceeded)
}

func TestRunStrategyStrictSequential(t *testing.T) {
	req := gateDef(t, "rs-strict", definition.StrictSequential, -1)
	a := strategyRun(t, req, "strict-a")
	b := strategyRun(t, req, "strict-b")
	waitStarted(t, "strict-a")
	gateType.open("strict-a", true)
	waitStatus(t, a, workflows.InstanceFailed)

	// The failed instance blocks the queue (once the queue has seen it end).
	require.Eventually(t, func() bool {
		snap, err := env.baton.Instances(context.Background(), "rs-strict")
		require.NoError(t, err)
		return snap.Blocked == a.ID()
	}, 30*time.Second, 5*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	require.False(t, gateType.isStarted("strict-b"))
	require.Equal(t, "CREATED#1", queueOf(t, "rs-strict")[b.ID()])

	// UNBLOCK lets the next one run; a second UNBLOCK is refused.
	require.NoError(t, env.baton.Unblock(context.Background(), "rs-strict"))
	var refused *scheduler.RefusedError
	require.True(t, errors.As(env.baton.Unblock(context.Background(), "rs-strict"), &refused))
	waitStarted(t, "strict-b")
	gateType.open("strict-b", false)
	waitStatus(t, b, workflows.InstanceSucceeded)

	// A restart that succeeds lifts the block too.
	c := strategyRun(t, req, "strict-c")
	waitStarted(t, "strict-c")
	d := strategyRun(t, req, "strict-d")
	gateType.open("strict-c", true)
	waitStatus(t, c, workflows.InstanceFailed)
	require.Eventually(t, func() bool {
		snap, err := env.baton.Instances(context.Background(), "rs-strict")
		require.NoError(t, err)
		return snap.Blocked == c.ID()
	}, 30*time.Second, 5*time.Millisecond)
	gateType.open("strict-c", false) // the restarted step passes
	again, err := env.baton.Restart(context.Background(), c.ID(), client.RestartOptions{})
	require.NoError(t, err)
	waitStatus(t, again, workflows.InstanceSucceeded)
	waitStarted(t, "strict-d")
	gateType.open("strict-d", false)
	waitStatus(t, d, workflows.InstanceSucceeded)
}

// TestRunStrategyOneRuns: with one run in progress, a second start is
// stopped at once (FIRST_ONLY), or waits while the running one is stopped
// and then runs (LAST_ONLY); the run kept goes on to succeed.
func TestRunStrategyOneRuns(t *testing.T) {
	tests := []struct {
		name     string
		rule     definition.RunStrategyRule
		admitted string // the second start's admission
		lastWins bool   // the second run is kept, the first stopped
		stopped  string // in the stopped run's error
	}{
		{name: "first", rule: definition.FirstOnly, admitted: "STOPPED",
			stopped: "With FIRST_ONLY run strategy, this run is stopped due to a running one"},
		{name: "last", rule: definition.LastOnly, admitted: "CREATED#1", lastWins: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := gateDef(t, "rs-"+tt.name, tt.rule, -1)
			a := strategyRun(t, req, tt.name+"-a")
			waitStarted(t, tt.name+"-a")
			b := strategyRun(t, req, tt.name+"-b")
			require.Equal(t, tt.admitted, admitted(b))
			kept, keptKey, lost := a, tt.name+"-a", b
			if tt.lastWins {
				kept, keptKey, lost = b, tt.name+"-b", a
			}
			st := waitStatus(t, lost, workflows.InstanceStopped)
			require.Contains(t, st.Error, tt.stopped)
			if !tt.lastWins {
				require.False(t, gateType.isStarted(tt.name+"-b"), "the stopped start never ran")
			}
			waitStarted(t, keptKey)
			gateType.open(keptKey, false)
			waitStatus(t, kept, workflows.InstanceSucceeded)
		})
	}
}

func TestRunStrategyParallel(t *testing.T) {
	req := gateDef(t, "rs-par", definition.Parallel, 2)
	a := strategyRun(t, req, "par-a")
	b := strategyRun(t, req, "par-b")
	c := strategyRun(t, req, "par-c")
	require.Equal(t, []string{"IN_PROGRESS", "IN_PROGRESS", "CREATED#1"}, []string{admitted(a), admitted(b), admitted(c)})
	waitStarted(t, "par-a")
	waitStarted(t, "par-b")
	gateType.open("par-b", false)
	waitStatus(t, b, workflows.InstanceSucceeded)
	waitStarted(t, "par-c")
	gateType.open("par-a", false)
	gateType.open("par-c", false)
	waitStatus(t, a, workflows.InstanceSucceeded)
	waitStatus(t, c, workflows.InstanceSucceeded)

	// workflow_concurrency 0 pauses: instances wait.
	paused := gateDef(t, "rs-paused", definition.Parallel, 0)
	p := strategyRun(t, paused, "paused-a")
	require.Equal(t, "CREATED#1", admitted(p))
	time.Sleep(200 * time.Millisecond)
	require.False(t, gateType.isStarted("paused-a"))
	require.NoError(t, p.Stop(context.Background()))
	waitStatus(t, p, workflows.InstanceStopped)
}

func TestRunStrategySerialLatestOnly(t *testing.T) {
	req := gateDef(t, "rs-serial", definition.SerialLatestOnly, -1)
	a := strategyRun(t, req, "serial-a")
	waitStarted(t, "serial-a")
	b := strategyRun(t, req, "serial-b")
	require.Equal(t, "CREATED#1", admitted(b))
	c := strategyRun(t, req, "serial-c")
	require.Equal(t, "CREATED#1", admitted(c)) // only the newest waits
	st := waitStatus(t, b, workflows.InstanceStopped)
	require.Contains(t, st.Error, "With SERIAL_LATEST_ONLY run strategy, this run is stopped because new instance")
	gateType.open("serial-a", false)
	waitStatus(t, a, workflows.InstanceSucceeded) // the running one is never stopped
	waitStarted(t, "serial-c")
	require.False(t, gateType.isStarted("serial-b"))
	gateType.open("serial-c", false)
	waitStatus(t, c, workflows.InstanceSucceeded)
}

func TestRunStrategySwitchRefused(t *testing.T) {
	ctx := context.Background()
	_, err := env.baton.Push(ctx, gateDef(t, "rs-switch", definition.Sequential, -1))
	require.NoError(t, err)
	var runs []*client.Run
	for _, key := range []string{"switch-a", "switch-b"} {
		run, _, _, err := env.baton.StartRegistered(ctx, "rs-switch", "active", client.StartOptions{RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: key}}})
		require.NoError(t, err)
		runs = append(runs, run)
	}
	require.Equal(t, "CREATED#1", admitted(runs[1]))
	for _, rule := range []definition.RunStrategyRule{definition.FirstOnly, definition.LastOnly} {
		_, err = env.baton.Push(ctx, gateDef(t, "rs-switch", rule, -1))
		var refused *scheduler.RefusedError
		require.True(t, errors.As(err, &refused), "%v", err)
		require.Contains(t, err.Error(), "cannot update run strategy from SEQUENTIAL to "+string(rule)+" because there are 2 nonterminal workflow instances")
	}
	vs, err := env.baton.Registry().Versions(ctx, "rs-switch")
	require.NoError(t, err)
	require.Len(t, vs, 1, "a refused push stores nothing")
	waitStarted(t, "switch-a")
	gateType.open("switch-a", false)
	waitStarted(t, "switch-b")
	gateType.open("switch-b", false)
	waitStatus(t, runs[0], workflows.InstanceSucceeded)
	waitStatus(t, runs[1], workflows.InstanceSucceeded)
}

// TestRunStrategyQueueContinueAsNew runs a queue that continues as new
// every few events while instances run: the next run learns of their end
// through its watch activity and admits the waiting ones.
func TestRunStrategyQueueContinueAsNew(t *testing.T) {
	ctx := context.Background()
	const id = "rs-can"
	first, err := env.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{ID: scheduler.QueueID(id), TaskQueue: client.DefaultTaskQueue},
		scheduler.QueueWorkflowName, scheduler.QueueInput{State: scheduler.State{WorkflowID: id}, MaxHistoryEvents: 20})
	require.NoError(t, err)
	req := gateDef(t, id, definition.Parallel, 2)
	var runs []*client.Run
	for i := range 6 {
		runs = append(runs, strategyRun(t, req, fmt.Sprintf("can-%d", i)))
	}
	for i, run := range runs {
		waitStarted(t, fmt.Sprintf("can-%d", i))
		gateType.open(fmt.Sprintf("can-%d", i), false)
		waitStatus(t, run, workflows.InstanceSucceeded)
	}
	desc, err := env.tc.DescribeWorkflowExecution(ctx, scheduler.QueueID(id), "")
	require.NoError(t, err)
	require.NotEqual(t, first.GetRunID(), desc.GetWorkflowExecutionInfo().GetExecution().GetRunId(), "the queue continued as new")
	require.Eventually(t, func() bool {
		snap, err := env.baton.Instances(ctx, id)
		require.NoError(t, err)
		n := 0
		for _, in := range snap.Instances {
			if in.Status == scheduler.StatusSucceeded {
				n++
			}
		}
		return n == 6
	}, 30*time.Second, 10*time.Millisecond)
}
