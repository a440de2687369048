package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// eventuallyStatus waits until a root step of run has status.
func eventuallyStatus(ctx context.Context, t *testing.T, run *client.Run, step string, status W.StepStatus) {
	t.Helper()
	require.Eventually(t, func() bool {
		st, err := run.State(ctx)
		return err == nil && st.Step(step).Status == status
	}, 30*time.Second, 50*time.Millisecond, "step %s reaches %s", step, status)
}

// TestBreakpoints: a breakpoint set before a run starts pauses its step
// before creation, one set while it runs pauses a step not created yet,
// RESUME lets both go on; breakpoints are listed and deleted; an
// instance's breakpoint pauses its foreach iterations' steps.
func TestBreakpoints(t *testing.T) {
	ctx := testContext(t, 2*time.Minute)
	wf := fmt.Sprintf("breakpoints-%d", time.Now().UnixNano())
	_, err := env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: "b"})
	require.NoError(t, err)

	req, err := definition.NewWorkflow(wf).Steps(
		definition.NoOp("a").Next("b"), definition.NoOp("b"),
		definition.Sleep("wait", 2).Next("c"), definition.NoOp("c"),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	eventuallyStatus(ctx, t, run, "b", W.Paused)
	require.Eventually(t, func() bool { // visible to the breakpoint's fan-out
		runs, err := env.baton.List(ctx, client.ListOptions{WorkflowID: wf, Query: "ExecutionStatus = 'Running'"})
		return err == nil && len(runs) == 1
	}, 30*time.Second, 50*time.Millisecond)
	change, err := env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: "c", Instance: run.ID()})
	require.NoError(t, err)
	require.Empty(t, change.NotifyError)
	require.Equal(t, 1, change.Notified)
	require.Len(t, change.Breakpoints, 2)
	eventuallyStatus(ctx, t, run, "c", W.Paused)

	list, err := env.baton.ListBreakpoints(ctx, wf)
	require.NoError(t, err)
	require.Equal(t, []W.Breakpoint{{WorkflowID: wf, StepID: "b"}, {WorkflowID: wf, StepID: "c", Instance: run.ID()}}, list)

	for _, s := range []string{"b", "c"} {
		res, err := env.baton.StepAction(ctx, run.ID(), W.ActionResume, s, "")
		require.NoError(t, err)
		require.Equal(t, W.Running, res.Status)
	}
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)

	for _, b := range list {
		_, err := env.baton.DeleteBreakpoint(ctx, b)
		require.NoError(t, err)
	}
	_, err = env.baton.DeleteBreakpoint(ctx, list[0])
	require.ErrorContains(t, err, "has no breakpoint")
	list, err = env.baton.ListBreakpoints(ctx, wf)
	require.NoError(t, err)
	require.Empty(t, list)

	// Another run of the workflow no longer pauses.
	_, again := startAndWait(t, req, nil, time.Minute)
	require.Equal(t, W.InstanceSucceeded, again.Status)
}

func TestBreakpointInForeach(t *testing.T) {
	ctx := testContext(t, 2*time.Minute)
	wf := fmt.Sprintf("breakpoints-foreach-%d", time.Now().UnixNano())
	_, err := env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: "s"})
	require.NoError(t, err)
	req, err := definition.NewWorkflow(wf).Steps(
		definition.Foreach("loop").Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 2, 1)")).
			Steps(definition.NoOp("s").Next("t"), definition.NoOp("t")),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	for _, it := range []string{"1", "2"} {
		eventuallyRefused(ctx, t, run.ID(), W.ActionPause, "loop/"+it+"/s", "not allowed in status PAUSED")
		act(ctx, t, run.ID(), W.ActionResume, "loop/"+it+"/s", W.Running, "")
	}
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
}

// TestBreakpointInSubworkflowAndWhile: a subworkflow's run reads its own
// workflow id's breakpoints; a while loop's iterations get their run's.
func TestBreakpointInSubworkflowAndWhile(t *testing.T) {
	ctx := testContext(t, 2*time.Minute)
	childWF := pushChild(ctx, t, "breakpoints-child-%d", definition.NoOp("s"))
	_, err := env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: childWF, StepID: "s"})
	require.NoError(t, err)
	wf := fmt.Sprintf("breakpoints-parent-%d", time.Now().UnixNano())
	_, err = env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: "bump"})
	require.NoError(t, err)
	req, err := definition.NewWorkflow(wf).Owner("tester").Steps(
		definition.Subworkflow("sub", childWF),
		definition.While("loop", "k < 1").Loop("k", definition.Long(0)).Steps(
			definition.NoOp("bump").Param("k", definition.Expr(sel.Long, "k + 1"))),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	for _, p := range []string{"sub/s", "loop/1/bump"} {
		eventuallyRefused(ctx, t, run.ID(), W.ActionPause, p, "not allowed in status PAUSED")
		act(ctx, t, run.ID(), W.ActionResume, p, W.Running, "")
	}
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
}
