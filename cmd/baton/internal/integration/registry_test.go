package integration

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/worker"
	W "github.com/batonhq/baton/workflows"
)

func registryDef(t *testing.T, id, reply string, active bool) *definition.Request {
	t.Helper()
	req, err := definition.Decode([]byte(fmt.Sprintf(`{"is_active":%v,"properties":{"owner":{"name":"tester"},"description":%q},
		"workflow":{"id":%q,"steps":[{"step":{"id":"echo","type":"Echo","params":{
			"reply":{"type":"STRING","value":%q},"out":{"type":"STRING","value":"","mode":"MUTABLE"}}}}]}}`, active, reply, id, reply)))
	require.NoError(t, err)
	return req
}

// TestRegistry pushes two versions, activates, starts by selector, and
// checks the errors for unknown ids and versions.
func TestRegistry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reg := env.baton.Registry()
	id := fmt.Sprintf("reg-%d", time.Now().UnixNano())

	v1, err := reg.Push(ctx, registryDef(t, id, "one", true))
	require.NoError(t, err)
	require.Equal(t, 1, v1.Version)
	require.True(t, v1.Active)
	require.NotEmpty(t, v1.PlanHash)
	v2, err := reg.Push(ctx, registryDef(t, id, "two", false))
	require.NoError(t, err)
	require.Equal(t, 2, v2.Version)
	require.False(t, v2.Active)

	reply := func(selector string) (string, int) {
		run, _, v, err := env.baton.StartRegistered(ctx, id, selector, client.StartOptions{})
		require.NoError(t, err, selector)
		st, err := run.Wait(ctx)
		require.NoError(t, err)
		require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
		return st.Step("echo").Params["out"].Value.(string), v.Version
	}
	out, n := reply("active")
	require.Equal(t, "one", out)
	require.Equal(t, 1, n)
	out, _ = reply("latest")
	require.Equal(t, "two", out)
	out, _ = reply("2")
	require.Equal(t, "two", out)

	require.NoError(t, reg.Activate(ctx, id, 2))
	out, n = reply("default")
	require.Equal(t, "two", out)
	require.Equal(t, 2, n)
	vs, err := reg.Versions(ctx, id)
	require.NoError(t, err)
	require.Len(t, vs, 2)
	require.False(t, vs[0].Active)
	require.True(t, vs[1].Active)
	require.Equal(t, "one", vs[0].Description)

	// Errors: unknown version, unknown id, bad activation, bad push.
	_, _, err = reg.Get(ctx, id, "3")
	var nf *registry.NotFoundError
	require.ErrorAs(t, err, &nf)
	require.Contains(t, err.Error(), "no version 3")
	_, _, err = reg.Get(ctx, "no-such-"+id, "active")
	require.True(t, registry.IsNotFound(err), "%v", err)
	require.Contains(t, err.Error(), "no workflow")
	_, err = reg.Versions(ctx, "no-such-"+id)
	require.True(t, registry.IsNotFound(err), "%v", err)
	require.True(t, registry.IsNotFound(reg.Activate(ctx, id, 5)))
	require.True(t, registry.IsNotFound(reg.Activate(ctx, "no-such-"+id, 1)))
	bad := registryDef(t, id, "x", true)
	bad.Workflow.Steps[0].Transition.Successors = []definition.Edge{{To: "nowhere", Condition: "true"}}
	_, err = reg.Push(ctx, bad)
	require.ErrorContains(t, err, "nowhere")
	vs, err = reg.Versions(ctx, id)
	require.NoError(t, err)
	require.Len(t, vs, 2, "a refused push adds no version")
}

// resolveWF calls the Resolve activity as the subworkflow step will.
func resolveWF(ctx workflow.Context, in registry.ResolveInput) (*registry.Resolved, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var out registry.Resolved
	err := workflow.ExecuteActivity(ctx, registry.ResolveActivityName, in).Get(ctx, &out)
	return &out, err
}

func TestRegistryResolveActivity(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const queue = "baton-resolve-test"
	w, err := worker.New(env.tc, worker.Options{TaskQueue: queue})
	require.NoError(t, err)
	w.RegisterWorkflowWithOptions(resolveWF, workflow.RegisterOptions{Name: "test.resolve"})
	require.NoError(t, w.Start())
	defer w.Stop()

	id := fmt.Sprintf("resolve-%d", time.Now().UnixNano())
	_, err = env.baton.Registry().Push(ctx, registryDef(t, id, "one", true))
	require.NoError(t, err)

	resolve := func(in registry.ResolveInput) (*registry.Resolved, error) {
		wr, err := env.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{TaskQueue: queue}, "test.resolve", in)
		require.NoError(t, err)
		var out registry.Resolved
		err = wr.Get(ctx, &out)
		return &out, err
	}
	res, err := resolve(registry.ResolveInput{WorkflowID: id, Version: "default"})
	require.NoError(t, err)
	require.Equal(t, 1, res.Version)
	req, err := definition.Decode(res.Definition)
	require.NoError(t, err)
	require.Equal(t, id, req.Workflow.ID)

	for _, in := range []registry.ResolveInput{{WorkflowID: id, Version: "7"}, {WorkflowID: "no-such-" + id, Version: "active"}, {WorkflowID: id, Version: "v1"}} {
		_, err = resolve(in)
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(err, &appErr), "%v", err)
		require.Equal(t, registry.ErrorTypeNotFound, appErr.Type())
		require.True(t, appErr.NonRetryable())
		require.Contains(t, appErr.Error(), fmt.Sprintf("workflow %q, version %q", in.WorkflowID, in.Version))
	}
}

// TestRegistryContinueAsNew pushes past the entity's continue-as-new
// threshold on the real server, some pushes concurrently: no push is lost
// across the run boundary and the history of each run stays bounded.
func TestRegistryContinueAsNew(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reg := env.baton.Registry()
	id := fmt.Sprintf("many-%d", time.Now().UnixNano())
	const pushes = registry.DefaultMaxUpdates + 30
	first, err := reg.Push(ctx, registryDef(t, id, "0", true))
	require.NoError(t, err)
	require.Equal(t, 1, first.Version)
	firstRun := env.tc.GetWorkflow(ctx, registry.EntityID(id), "").GetRunID()

	errs := make(chan error, pushes)
	sem := make(chan struct{}, 4)
	for i := 1; i < pushes; i++ {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			_, err := reg.Push(ctx, registryDef(t, id, fmt.Sprint(i), i%2 == 0))
			errs <- err
		}()
	}
	for i := 1; i < pushes; i++ {
		require.NoError(t, <-errs)
	}
	vs, err := reg.Versions(ctx, id)
	require.NoError(t, err)
	require.Len(t, vs, pushes)
	seen := map[string]bool{}
	for i, v := range vs {
		require.Equal(t, i+1, v.Version)
		seen[v.Description] = true
	}
	require.Len(t, seen, pushes, "every push is a distinct version")

	desc, err := env.tc.DescribeWorkflowExecution(ctx, registry.EntityID(id), "")
	require.NoError(t, err)
	require.NotEqual(t, firstRun, desc.WorkflowExecutionInfo.Execution.RunId, "the entity continued as new")
	require.Less(t, desc.WorkflowExecutionInfo.HistoryLength, int64(2000))
	old, err := env.tc.DescribeWorkflowExecution(ctx, registry.EntityID(id), firstRun)
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, old.WorkflowExecutionInfo.Status)
	require.Less(t, old.WorkflowExecutionInfo.HistoryLength, int64(2000))
	t.Logf("first run: %d events for %d updates", old.WorkflowExecutionInfo.HistoryLength, registry.DefaultMaxUpdates)
}
