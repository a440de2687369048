package integration

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// specClient starts queued runs speculatively (as env.baton does), with a
// short grace and recheck.
var specClient = sync.OnceValue(func() *client.Client {
	return client.New(env.tc, client.Options{EagerStart: true,
		SpeculativeGrace: 2 * time.Second, SpeculativeRecheck: 300 * time.Millisecond,
		StepTypes: map[string]translator.StepTypeInfo{"Gate": {Mode: translator.ModeActivity}}})
})

// specRun starts one instance speculatively whose step waits at gate key;
// the instance's execution exists as soon as the start returns.
func specRun(t *testing.T, req *definition.Request, key string, opts client.StartOptions) *client.Run {
	t.Helper()
	opts.RunParams = map[string]sel.Value{"gate": {Type: sel.String, Value: key}}
	run, _, err := specClient().StartDefinition(context.Background(), req, opts)
	require.NoError(t, err)
	require.NotNil(t, run.Admission())
	require.NotEmpty(t, run.RunID(), "a speculative start has its execution")
	return run
}

// batonStatus is the BatonStatus search attribute of id's latest run.
func batonStatus(t *testing.T, id string) string {
	t.Helper()
	d, err := env.tc.DescribeWorkflowExecution(context.Background(), id, "")
	require.NoError(t, err)
	p := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["BatonStatus"]
	if p == nil {
		return ""
	}
	var s string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &s))
	return s
}

// TestSpeculativeArrivals: under each run strategy, a speculative start
// that arrives while one instance runs is admitted, waits as a running
// execution in CREATED, or is stopped, as a start through the queue is;
// the waiting one runs once the strategy admits it.
func TestSpeculativeArrivals(t *testing.T) {
	tests := []struct {
		rule        definition.RunStrategyRule
		concurrency int64
		second      string // the second start's admission
		third       string // a third start's, if one is made
		secondEnds  workflows.InstanceStatus
		secondWhy   string // in the second's error
		firstEnds   workflows.InstanceStatus
	}{
		{rule: definition.Sequential, concurrency: -1, second: "CREATED#1", secondEnds: workflows.InstanceSucceeded, firstEnds: workflows.InstanceSucceeded},
		{rule: definition.Parallel, concurrency: 1, second: "CREATED#1", secondEnds: workflows.InstanceSucceeded, firstEnds: workflows.InstanceSucceeded},
		{rule: definition.FirstOnly, concurrency: -1, second: "STOPPED", secondEnds: workflows.InstanceStopped,
			secondWhy: "With FIRST_ONLY run strategy, this run is stopped due to a running one", firstEnds: workflows.InstanceSucceeded},
		{rule: definition.LastOnly, concurrency: -1, second: "CREATED#1", secondEnds: workflows.InstanceSucceeded, firstEnds: workflows.InstanceStopped},
		{rule: definition.SerialLatestOnly, concurrency: -1, second: "CREATED#1", third: "CREATED#1", secondEnds: workflows.InstanceStopped,
			secondWhy: "With SERIAL_LATEST_ONLY run strategy, this run is stopped because new instance", firstEnds: workflows.InstanceSucceeded},
	}
	for _, tt := range tests {
		t.Run(string(tt.rule), func(t *testing.T) {
			id := perRun("spec-" + strings.ToLower(strings.ReplaceAll(string(tt.rule), "_", "-")))
			req := gateDef(t, id, tt.rule, tt.concurrency)
			a := specRun(t, req, id+"-a", client.StartOptions{})
			require.Equal(t, "IN_PROGRESS", admitted(a))
			waitStarted(t, id+"-a")
			b := specRun(t, req, id+"-b", client.StartOptions{})
			require.Equal(t, tt.second, admitted(b))
			if tt.second != "STOPPED" {
				require.Eventually(t, func() bool { return batonStatus(t, b.ID()) == "CREATED" }, 30*time.Second, 10*time.Millisecond,
					"a waiting instance is an execution in CREATED")
			}
			var c *client.Run
			if tt.third != "" {
				c = specRun(t, req, id+"-c", client.StartOptions{})
				require.Equal(t, tt.third, admitted(c))
			}
			if tt.firstEnds == workflows.InstanceSucceeded {
				time.Sleep(100 * time.Millisecond)
				require.False(t, gateType.isStarted(id+"-b"), "the second waits or is stopped while the first runs")
				gateType.open(id+"-a", false)
			}
			waitStatus(t, a, tt.firstEnds)
			if tt.secondEnds == workflows.InstanceSucceeded {
				waitStarted(t, id+"-b")
				gateType.open(id+"-b", false)
			}
			st := waitStatus(t, b, tt.secondEnds)
			require.Contains(t, st.Error, tt.secondWhy)
			if tt.secondEnds != workflows.InstanceSucceeded {
				require.False(t, gateType.isStarted(id+"-b"), "a stopped instance never runs")
			}
			if c != nil {
				waitStarted(t, id+"-c")
				gateType.open(id+"-c", false)
				waitStatus(t, c, workflows.InstanceSucceeded)
			}
		})
	}
}

// TestSpeculativeStrictAndDedupe: a STRICT_SEQUENTIAL queue blocked by
// a FAILED speculative instance keeps the next one waiting, CREATED, until
// UNBLOCK; a request id seen before returns the same instance, with one
// execution.
func TestSpeculativeStrictAndDedupe(t *testing.T) {
	ctx := context.Background()
	id := perRun("spec-strict")
	req := gateDef(t, id, definition.StrictSequential, -1)
	a := specRun(t, req, id+"-a", client.StartOptions{})
	b := specRun(t, req, id+"-b", client.StartOptions{RequestID: "dedupe"})
	require.Equal(t, "CREATED#1", admitted(b))
	again := specRun(t, req, id+"-b", client.StartOptions{RequestID: "dedupe"})
	require.True(t, again.Admission().Duplicate)
	require.Equal(t, b.ID(), again.ID())
	require.Equal(t, b.RunID(), again.RunID(), "one execution per instance")
	waitStarted(t, id+"-a")
	gateType.open(id+"-a", true)
	waitStatus(t, a, workflows.InstanceFailed)
	require.Eventually(t, func() bool {
		snap, err := specClient().Instances(ctx, id)
		require.NoError(t, err)
		return snap.Blocked == a.ID()
	}, 30*time.Second, 5*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	require.False(t, gateType.isStarted(id+"-b"))
	require.Equal(t, "CREATED", batonStatus(t, b.ID()))
	require.NoError(t, specClient().Unblock(ctx, id))
	waitStarted(t, id+"-b")
	require.Eventually(t, func() bool { return batonStatus(t, b.ID()) == "IN_PROGRESS" }, 30*time.Second, 10*time.Millisecond)
	gateType.open(id+"-b", false)
	waitStatus(t, b, workflows.InstanceSucceeded)
	waitStatus(t, again, workflows.InstanceSucceeded)
	replayEntity(t, "scheduler", scheduler.QueueID(id), "queue-speculative-strict")
	replayRun(t, a.ID(), a.RunID(), "speculative-admitted")
	replayRun(t, b.ID(), b.RunID(), "speculative-waited")
}

// TestSpeculativeStopWaiting: a waiting speculative instance stopped
// through the queue ends STOPPED with the queue's reason, never running.
func TestSpeculativeStopWaiting(t *testing.T) {
	id := perRun("spec-stop")
	req := gateDef(t, id, definition.Sequential, -1)
	a := specRun(t, req, id+"-a", client.StartOptions{})
	b := specRun(t, req, id+"-b", client.StartOptions{})
	require.Equal(t, "CREATED#1", admitted(b))
	require.NoError(t, b.Stop(context.Background()))
	st := waitStatus(t, b, workflows.InstanceStopped)
	require.Equal(t, "stopped while queued", st.Error)
	require.Equal(t, scheduler.StatusStopped, queueOf(t, id)[b.ID()])
	waitStarted(t, id+"-a")
	gateType.open(id+"-a", false)
	waitStatus(t, a, workflows.InstanceSucceeded)
	require.False(t, gateType.isStarted(id+"-b"))
	replayRun(t, b.ID(), b.RunID(), "speculative-stopped-waiting")
	replayEntity(t, "scheduler", scheduler.QueueID(id), "queue-speculative-stop")
}

// startUnannounced starts an instance as a speculative caller does, with
// a token no process holds (its caller died, or its first task runs in
// another process): its wait asks the queue.
func startUnannounced(t *testing.T, p *translator.Plan, key string) sdkclient.WorkflowRun {
	t.Helper()
	wr, err := env.tc.ExecuteWorkflow(context.Background(), sdkclient.StartWorkflowOptions{ID: p.WorkflowID + "/" + key, TaskQueue: client.DefaultTaskQueue},
		workflows.WorkflowName, workflows.RunInput{Plan: p, Initiator: "MANUAL",
			RunParams:      map[string]sel.Value{"gate": {Type: sel.String, Value: p.WorkflowID + "-" + key}},
			AwaitAdmission: &workflows.AwaitAdmission{Token: "nobody-" + p.WorkflowID, Grace: 2 * time.Second, Recheck: 300 * time.Millisecond}})
	require.NoError(t, err)
	return wr
}

// admitSpeculative sends the update of a speculative start, without its
// start.
func admitSpeculative(t *testing.T, sc *scheduler.Client, p *translator.Plan, key string) scheduler.Admission {
	t.Helper()
	a, err := sc.Admit(context.Background(), scheduler.StartRequest{
		InstanceID: p.WorkflowID + "/" + key, Plan: p, CallerStarts: true, Speculative: true,
		RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: p.WorkflowID + "-" + key}},
	})
	require.NoError(t, err)
	return a
}

// TestSpeculativeCallerDies: the crash cases of a speculative start.
func TestSpeculativeCallerDies(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		update bool // the queue got the update before the caller died
		want   workflows.InstanceStatus
		why    string
	}{
		// Died between its start and its update: the queue never learns
		// of the instance, which ends STOPPED after its grace.
		{name: "before-update", want: workflows.InstanceStopped, why: "never admitted"},
		// The update landed, the answer never reached the instance: it
		// asks the queue and runs.
		{name: "after-update", update: true, want: workflows.InstanceSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := perRun("spec-dies-" + tt.name)
			sc, p := callerQueue(t, id, definition.Sequential)
			if tt.update {
				a := admitSpeculative(t, sc, p, "x")
				require.True(t, a.Start)
			}
			wr := startUnannounced(t, p, "x")
			if tt.update {
				waitStarted(t, id+"-x")
				gateType.open(id+"-x", false)
			}
			var st workflows.State
			require.NoError(t, wr.Get(ctx, &st))
			require.Equal(t, tt.want, st.Status, st.Error)
			require.Contains(t, st.Error, tt.why)
		})
	}
}

// TestSpeculativeMissedSignal: a waiting instance that misses the queue's
// signal (here: told CREATED while the queue admitted it at once) asks
// the queue again after its recheck and runs.
func TestSpeculativeMissedSignal(t *testing.T) {
	ctx := context.Background()
	id := perRun("spec-missed")
	sc, p := callerQueue(t, id, definition.Sequential)
	token := "missed-" + id
	scheduler.ExpectAdmission(token)
	wr, err := env.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{ID: p.WorkflowID + "/m", TaskQueue: client.DefaultTaskQueue, EnableEagerStart: true},
		workflows.WorkflowName, workflows.RunInput{Plan: p, Initiator: "MANUAL",
			RunParams:      map[string]sel.Value{"gate": {Type: sel.String, Value: id + "-m"}},
			AwaitAdmission: &workflows.AwaitAdmission{Token: token, Grace: 2 * time.Second, Recheck: 300 * time.Millisecond}})
	require.NoError(t, err)
	a := admitSpeculative(t, sc, p, "m")
	require.Equal(t, scheduler.StatusInProgress, a.Instance.Status)
	stale := a
	stale.Instance.Status, stale.Instance.Position = scheduler.StatusCreated, 1
	scheduler.Admitted(token, stale)
	waitStarted(t, id+"-m")
	gateType.open(id+"-m", false)
	var st workflows.State
	require.NoError(t, wr.Get(ctx, &st))
	require.Equal(t, workflows.InstanceSucceeded, st.Status, st.Error)
}

// TestSpeculativeCancelWaiting: a Temporal cancellation of a waiting
// speculative run (the UI's, tctl's) ends it STOPPED without running a
// step, and the queue does not start it again when its turn comes: its
// admission signal finds the execution closed, the child start it falls
// back to finds the id taken, and the queue ends the instance STOPPED
// with a reason that says so (not that of a request id used before).
func TestSpeculativeCancelWaiting(t *testing.T) {
	ctx := context.Background()
	id := perRun("spec-cancel")
	req := gateDef(t, id, definition.Sequential, -1)
	a := specRun(t, req, id+"-a", client.StartOptions{})
	b := specRun(t, req, id+"-b", client.StartOptions{})
	require.Equal(t, "CREATED#1", admitted(b))
	require.NoError(t, env.tc.CancelWorkflow(ctx, b.ID(), b.RunID()))
	st := waitStatus(t, b, workflows.InstanceStopped)
	require.Equal(t, "stopped while queued", st.Error)
	waitStarted(t, id+"-a")
	gateType.open(id+"-a", false)
	waitStatus(t, a, workflows.InstanceSucceeded)
	require.Eventually(t, func() bool {
		s, ok := queueOf(t, id)[b.ID()]
		s, _, _ = strings.Cut(s, "#")
		return ok && s != scheduler.StatusCreated && s != scheduler.StatusInProgress
	}, 30*time.Second, 20*time.Millisecond, "the queue should end the cancelled instance")
	require.Never(t, func() bool { return gateType.isStarted(id + "-b") }, time.Second, 20*time.Millisecond, "a cancelled instance never runs")
	snap, err := env.baton.Instances(ctx, id)
	require.NoError(t, err)
	var ended *scheduler.Instance
	for i := range snap.Instances {
		if snap.Instances[i].ID == b.ID() {
			ended = &snap.Instances[i]
		}
	}
	require.NotNil(t, ended)
	require.Equal(t, scheduler.StatusStopped, ended.Status)
	require.Equal(t, "stopped while queued: its execution was cancelled or terminated before the queue admitted it", ended.Reason)
	d, err := env.tc.DescribeWorkflowExecution(ctx, b.ID(), "")
	require.NoError(t, err)
	require.Equal(t, b.RunID(), d.GetWorkflowExecutionInfo().GetExecution().GetRunId(), "no second execution of the cancelled instance")
	replayEntity(t, "scheduler", scheduler.QueueID(id), "queue-admit-missed")
}
