package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// callerQueue starts workflow id's queue with a short caller-start grace
// and returns a scheduler client and the plan of a gate workflow.
func callerQueue(t *testing.T, id string, rule definition.RunStrategyRule) (*scheduler.Client, *translator.Plan) {
	t.Helper()
	_, err := env.tc.ExecuteWorkflow(context.Background(), sdkclient.StartWorkflowOptions{ID: scheduler.QueueID(id), TaskQueue: client.DefaultTaskQueue},
		scheduler.QueueWorkflowName, scheduler.QueueInput{State: scheduler.State{WorkflowID: id}, CallerStartGrace: 2 * time.Second})
	require.NoError(t, err)
	plan, err := env.baton.Compile(gateDef(t, id, rule, -1))
	require.NoError(t, err)
	return env.baton.Scheduler(), plan
}

// admitCaller admits an instance whose caller starts it, without
// starting it.
func admitCaller(t *testing.T, sc *scheduler.Client, p *translator.Plan, key string) scheduler.Admission {
	t.Helper()
	a, err := sc.Admit(context.Background(), scheduler.StartRequest{
		InstanceID: p.WorkflowID + "/" + key, Plan: p, CallerStarts: true,
		RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: key}},
	})
	require.NoError(t, err)
	return a
}

// TestCallerStartNeverStarted: a start admitted at once whose caller
// dies before it starts the instance holds the SEQUENTIAL queue only for
// the grace; then the instance ends STOPPED and the next one runs.
func TestCallerStartNeverStarted(t *testing.T) {
	const id = "rs-caller-dead"
	sc, p := callerQueue(t, id, definition.Sequential)
	a := admitCaller(t, sc, p, "dead-a")
	require.True(t, a.Start)
	require.Equal(t, scheduler.StatusInProgress, a.Instance.Status)
	b := strategyRun(t, gateDef(t, id, definition.Sequential, -1), "dead-b")
	require.Equal(t, "CREATED#1", admitted(b))
	waitStarted(t, "dead-b")
	snap, err := env.baton.Instances(context.Background(), id)
	require.NoError(t, err)
	found := false
	for _, in := range snap.Instances {
		if in.ID == id+"/dead-a" {
			found = true
			require.Equal(t, scheduler.StatusStopped, in.Status)
			require.Equal(t, "its caller never started it", in.Reason)
		}
	}
	require.True(t, found)
	gateType.open("dead-b", false)
	waitStatus(t, b, workflows.InstanceSucceeded)
}

// TestCallerStartStoppedBeforeItExists: under LAST_ONLY a newer start
// stops an instance its caller has not started yet; the stop is sent
// again until the instance exists, so it never runs beside the newer one.
func TestCallerStartStoppedBeforeItExists(t *testing.T) {
	ctx := context.Background()
	const id = "rs-caller-late"
	sc, p := callerQueue(t, id, definition.LastOnly)
	a := admitCaller(t, sc, p, "late-a")
	require.True(t, a.Start)
	b := admitCaller(t, sc, p, "late-b")
	require.Equal(t, scheduler.StatusCreated, b.Instance.Status, "waits until the stopped one has ended")
	time.Sleep(300 * time.Millisecond) // the first stop found no instance
	// The slow caller starts it now.
	wr, err := env.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{ID: a.Instance.ID, TaskQueue: client.DefaultTaskQueue},
		workflows.WorkflowName, workflows.RunInput{Plan: p, Initiator: "MANUAL",
			RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: "late-a"}}})
	require.NoError(t, err)
	var st workflows.State
	require.NoError(t, wr.Get(ctx, &st))
	require.Equal(t, workflows.InstanceStopped, st.Status)
	// b was admitted by the queue, which starts it itself.
	waitStarted(t, "late-b")
	gateType.open("late-b", false)
	require.Eventually(t, func() bool { return queueOf(t, id)[b.Instance.ID] == scheduler.StatusSucceeded }, 30*time.Second, 10*time.Millisecond)
	replayEntity(t, "scheduler", scheduler.QueueID(id), "queue-caller-late-shared-watch")
}

// runsOf counts the runs of a test id in this process, for perRun.
var runsOf = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

// perRun gives a workflow id or gate key fixed by a test a new value on
// each run of the test in this process (`go test -count=N`): the first run
// keeps it as written, so recorded histories keep their ids.
func perRun(id string) string {
	runsOf.Lock()
	defer runsOf.Unlock()
	runsOf.n[id]++
	if n := runsOf.n[id]; n > 1 {
		return fmt.Sprintf("%s-r%d", id, n)
	}
	return id
}
