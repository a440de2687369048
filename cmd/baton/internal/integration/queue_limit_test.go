package integration

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// TestQueueLimit fills a paused queue (PARALLEL with workflow_concurrency
// 0) to scheduler.MaxQueued waiting instances, the last one by a real
// start, and checks that the next start is refused with the reason, that
// it left no execution behind and that every waiting instance is still
// there in order; a freed place takes a start again.
func TestQueueLimit(t *testing.T) {
	ctx := context.Background()
	id := perRun("rs-limit")
	req := gateDef(t, id, definition.Parallel, 0)
	plan, err := env.baton.Compile(req)
	require.NoError(t, err)

	// 999 waiting instances seeded into the queue's state: a thousand real
	// starts would only make the test slow.
	seeded := scheduler.State{WorkflowID: id, Strategy: scheduler.Strategy{Rule: string(definition.Parallel)}, StrategySet: true,
		Plans: map[string]*translator.Plan{plan.Hash: plan}}
	arrived := time.Now().UTC()
	for i := 1; i < scheduler.MaxQueued; i++ {
		seeded.Queue = append(seeded.Queue, &scheduler.Instance{
			ID: fmt.Sprintf("%s/seed-%d", id, i), Number: int64(i), Status: scheduler.StatusCreated, Arrived: arrived,
			PlanHash: plan.Hash, TaskQueue: client.DefaultTaskQueue, Initiator: "MANUAL",
		})
	}
	seeded.Next = int64(len(seeded.Queue))
	_, err = env.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{ID: scheduler.QueueID(id), TaskQueue: client.DefaultTaskQueue},
		scheduler.QueueWorkflowName, scheduler.QueueInput{State: seeded})
	require.NoError(t, err)

	start := func(key string) (*client.Run, error) {
		run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{
			RequestID: key, RunParams: map[string]sel.Value{"gate": {Type: sel.String, Value: id + key}},
		})
		return run, err
	}
	last, err := start("limit-last")
	require.NoError(t, err)
	require.Equal(t, "CREATED#1000", admitted(last))

	_, err = start("limit-over")
	var refused *scheduler.RefusedError
	require.ErrorAs(t, err, &refused)
	require.EqualError(t, err, fmt.Sprintf(`workflow %q: the queue of workflow %s is full: 1000 instances are waiting`, id, id))
	_, err = env.tc.DescribeWorkflowExecution(ctx, id+"/limit-over", "")
	var nf *serviceerror.NotFound
	require.True(t, errors.As(err, &nf), "a refused start leaves no execution: %v", err)

	snap, err := env.baton.Instances(ctx, id)
	require.NoError(t, err)
	require.Len(t, snap.Instances, scheduler.MaxQueued)
	for i, in := range snap.Instances {
		require.Equal(t, scheduler.StatusCreated, in.Status)
		require.Equal(t, i+1, in.Position)
		require.Equal(t, int64(i+1), in.Number)
	}
	require.Equal(t, id+"/limit-last", snap.Instances[scheduler.MaxQueued-1].ID)

	// A freed place takes the refused start on a second try.
	_, err = env.baton.Scheduler().Stop(ctx, id, id+"/seed-1")
	require.NoError(t, err)
	again, err := start("limit-over")
	require.NoError(t, err)
	require.Equal(t, "CREATED#1000", admitted(again))
	require.Equal(t, int64(scheduler.MaxQueued+1), again.Admission().Instance.Number)
}
