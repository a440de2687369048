package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// TestRecordActionHistories records, as TestRecordHistories does, runs that
// took every step action (actionScript) at the root, in a foreach
// iteration and in a subworkflow, with their loop and child workflows, so
// the replay tests guard the histories of step actions. Recorded only when
// asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordActionHistories
func TestRecordActionHistories(t *testing.T) {
	recording(t)
	ctx := testContext(t, 2*time.Minute)
	childWF := pushChild(ctx, t, "rec-actions-child-%d", actionSteps()...)
	cases := []struct {
		name, prefix, child string
		steps               []*definition.StepBuilder
	}{
		{"actions", "", "", actionSteps()},
		{"actions-foreach", "loop/1/", "loop", []*definition.StepBuilder{
			definition.Foreach("loop").Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 1, 1)")).Steps(actionSteps()...)}},
		{"actions-sub", "sub/", "sub", []*definition.StepBuilder{definition.Subworkflow("sub", childWF)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := definition.NewWorkflow("rec-" + c.name).Owner("tester").Steps(c.steps...).Build()
			require.NoError(t, err)
			run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
			require.NoError(t, err)
			actionScript(ctx, t, run.ID(), c.prefix)
			st, err := run.Wait(ctx)
			require.NoError(t, err)
			require.Equal(t, W.InstanceStopped, st.Status, st.Error)
			writeHistory(ctx, t, c.name, run.ID(), run.RunID())
			if c.child != "" {
				writeHistory(ctx, t, c.name+"-"+c.child, run.ID()+"/"+c.child, "")
			}
		})
	}
}

// TestRecordBreakpointHistories records a run paused by a breakpoint set
// before it started and by breakpoints set while it ran (at the root and,
// passed on by the run, in its foreach loop), resumed each time, with its
// loop workflow and the workflow id's breakpoint store. Recorded only when
// asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordBreakpointHistories
func TestRecordBreakpointHistories(t *testing.T) {
	recording(t)
	ctx := testContext(t, 2*time.Minute)
	wf := fmt.Sprintf("rec-breakpoints-%d", time.Now().UnixNano())
	_, err := env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: "b"})
	require.NoError(t, err)
	req, err := definition.NewWorkflow(wf).Steps(
		// The sleeps outlast both sets below: each returns only after
		// client.BreakpointLease (it signals the run at once).
		definition.NoOp("a").Next("b"), definition.NoOp("b"),
		definition.Sleep("wait", 8).Next("c"), definition.NoOp("c"),
		definition.Foreach("loop").Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 1, 1)")).
			Steps(definition.Sleep("nap", 8).Next("s"), definition.NoOp("s")),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	eventuallyStatus(ctx, t, run, "b", W.Paused)
	eventuallyStatus(ctx, t, run, "loop", W.Running)
	require.Eventually(t, func() bool {
		runs, err := env.baton.List(ctx, client.ListOptions{WorkflowID: wf, Query: "ExecutionStatus = 'Running'"})
		return err == nil && len(runs) == 1
	}, 30*time.Second, 50*time.Millisecond)
	for _, s := range []string{"c", "s"} {
		change, err := env.baton.SetBreakpoint(ctx, W.Breakpoint{WorkflowID: wf, StepID: s, Instance: run.ID()})
		require.NoError(t, err)
		require.Equal(t, 1, change.Notified, change.NotifyError)
	}
	eventuallyStatus(ctx, t, run, "c", W.Paused)
	eventuallyRefused(ctx, t, run.ID(), W.ActionPause, "loop/1/s", "not allowed in status PAUSED")
	for _, p := range []string{"b", "c", "loop/1/s"} {
		_, err := env.baton.StepAction(ctx, run.ID(), W.ActionResume, p, "")
		require.NoError(t, err)
	}
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	writeHistory(ctx, t, "breakpoints", run.ID(), run.RunID())
	writeHistory(ctx, t, "breakpoints-loop", run.ID()+"/loop", "")
	writeHistory(ctx, t, "breakpoints-store", W.BreakpointsWorkflowID(wf), "")
}

// TestRecordReopenAndWhileHistories records a run whose failed step is
// skipped after it ended (its never-created downstream then runs), and a
// run whose while loop's iteration took actions (with its loop workflow).
// Recorded only when asked:
//
//	cd cmd/baton && BATON_RECORD_HISTORIES=1 go test ./internal/integration -run TestRecordReopenAndWhileHistories
func TestRecordReopenAndWhileHistories(t *testing.T) {
	recording(t)
	ctx := testContext(t, 2*time.Minute)
	req, err := definition.NewWorkflow("rec-actions-reopen").Steps(
		definition.NewStep("x", "FailFirst").Retry(definition.Retries().ErrorLimit(0)).Next("y"),
		definition.NoOp("y"),
		definition.Sleep("w", 300),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	eventuallyStatus(ctx, t, run, "x", W.FatallyFailed)
	act(ctx, t, run.ID(), W.ActionSkip, "x", W.Skipped, "")
	eventuallyStatus(ctx, t, run, "y", W.Succeeded)
	act(ctx, t, run.ID(), W.ActionStop, "w", W.Stopped, "")
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceStopped, st.Status, st.Error)
	writeHistory(ctx, t, "actions-reopen", run.ID(), run.RunID())

	req, err = definition.NewWorkflow("rec-actions-while").Steps(
		definition.While("loop", "k < 1").Loop("k", definition.Long(0)).Steps(
			definition.Sleep("nap", 300).Next("bump"),
			definition.NoOp("bump").Param("k", definition.Expr(sel.Long, "k + 1"))),
	).Build()
	require.NoError(t, err)
	run, _, err = env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := env.baton.StepAction(ctx, run.ID(), W.ActionPause, "loop/1/bump", "")
		return err == nil
	}, 30*time.Second, 50*time.Millisecond)
	act(ctx, t, run.ID(), W.ActionSkip, "loop/1/nap", W.Skipped, "")
	eventuallyRefused(ctx, t, run.ID(), W.ActionPause, "loop/1/bump", "not allowed in status PAUSED")
	act(ctx, t, run.ID(), W.ActionResume, "loop/1/bump", W.Running, "")
	st, err = run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	writeHistory(ctx, t, "actions-while", run.ID(), run.RunID())
	writeHistory(ctx, t, "actions-while-loop", run.ID()+"/loop", "")
}
