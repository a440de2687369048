package integration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

// actionSteps is the DAG the step actions are tried on, at the root, in a
// foreach iteration and in a subworkflow: a sleeps then b (a NoOp) runs;
// c, e and f sleep; d fails its first attempt (no retry, IGNORE_FAILURE: it
// ends COMPLETED_WITH_ERROR); e is killed through IGNORE_FAILURE too.
func actionSteps() []*definition.StepBuilder {
	return []*definition.StepBuilder{
		definition.Sleep("a", 300).Next("b"),
		definition.NoOp("b"),
		definition.Sleep("c", 300),
		definition.NewStep("d", "FailFirst").Retry(definition.Retries().ErrorLimit(0)).FailureMode(definition.IgnoreFailure),
		definition.Sleep("e", 300).FailureMode(definition.IgnoreFailure),
		definition.Sleep("f", 300),
	}
}

// pushChild registers a definition (owner tester) under a fresh workflow
// id made from format, for a subworkflow step to run, and returns the id.
func pushChild(ctx context.Context, t *testing.T, format string, steps ...*definition.StepBuilder) string {
	t.Helper()
	id := fmt.Sprintf(format, time.Now().UnixNano())
	child, err := definition.NewWorkflow(id).Owner("tester").Steps(steps...).Build()
	require.NoError(t, err)
	_, err = registry.New(env.tc, registry.Options{}).Push(ctx, child)
	require.NoError(t, err)
	return id
}

// act applies a step action and checks the answer: the status, or a
// refusal that contains refusal.
func act(ctx context.Context, t *testing.T, id string, a W.StepAction, path string, status W.StepStatus, refusal string) {
	t.Helper()
	res, err := env.baton.StepAction(ctx, id, a, path, "")
	if refusal != "" {
		var refused *client.StepActionRefusedError
		require.True(t, errors.As(err, &refused), "%s %s: want a refusal, got %v, %+v", a, path, err, res)
		require.Contains(t, refused.Reason, refusal, "%s %s", a, path)
		return
	}
	require.NoError(t, err, "%s %s", a, path)
	require.Equal(t, status, res.Status, "%s %s: %s", a, path, res.Message)
}

// eventuallyRefused waits until action is refused with a reason containing
// want (a step reaching a status shows this way inside loops, whose
// iterations' state is not queryable).
func eventuallyRefused(ctx context.Context, t *testing.T, id string, a W.StepAction, path, want string) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := env.baton.StepAction(ctx, id, a, path, "")
		var refused *client.StepActionRefusedError
		return errors.As(err, &refused) && strings.Contains(refused.Reason, want)
	}, 30*time.Second, 50*time.Millisecond, "%s %s is refused with %q", a, path, want)
}

// actionScript applies every step action in an allowed and a refused
// status to the steps of actionSteps under prefix ("" at the root,
// "loop/1/", "sub/").
func actionScript(ctx context.Context, t *testing.T, id, p string) {
	t.Helper()
	// The steps run once the run (or iteration, or child) is up.
	require.Eventually(t, func() bool {
		_, err := env.baton.StepAction(ctx, id, W.ActionPause, p+"b", "")
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "PAUSE %sb", p)
	act(ctx, t, id, W.ActionPause, p+"b", "", "a PAUSE is already pending")
	act(ctx, t, id, W.ActionSkip, p+"b", "", "not allowed in status NOT_CREATED")
	act(ctx, t, id, W.ActionStop, p+"b", "", "not allowed in status NOT_CREATED")
	act(ctx, t, id, W.ActionKill, p+"b", "", "not allowed in status NOT_CREATED")
	act(ctx, t, id, W.ActionResume, p+"a", "", "not allowed in status RUNNING")
	act(ctx, t, id, W.ActionPause, p+"a", "", "not allowed in status RUNNING")
	act(ctx, t, id, W.ActionRestart, p+"f", "", "not allowed in status RUNNING")
	act(ctx, t, id, W.ActionBypass, p+"f", "", "not allowed in status RUNNING")

	// SKIP a: b is readied and pauses; RESUME runs it.
	act(ctx, t, id, W.ActionSkip, p+"a", W.Skipped, "")
	eventuallyRefused(ctx, t, id, W.ActionPause, p+"b", "not allowed in status PAUSED")
	act(ctx, t, id, W.ActionResume, p+"b", W.Running, "")
	eventuallyRefused(ctx, t, id, W.ActionResume, p+"b", "not allowed in status SUCCEEDED")
	act(ctx, t, id, W.ActionRestart, p+"a", "", `not supported yet: its downstream step "b" has run (SUCCEEDED)`)

	act(ctx, t, id, W.ActionStop, p+"c", W.Stopped, "")
	act(ctx, t, id, W.ActionStop, p+"c", "", "not allowed in status STOPPED")
	act(ctx, t, id, W.ActionKill, p+"e", W.CompletedWithError, "")
	act(ctx, t, id, W.ActionKill, p+"e", "", "not allowed in status COMPLETED_WITH_ERROR")

	// d failed its first attempt: RESTART runs a second, which succeeds.
	require.Eventually(t, func() bool {
		res, err := env.baton.StepAction(ctx, id, W.ActionRestart, p+"d", "")
		return err == nil && res.Status == W.Running && res.Attempts == 2
	}, 30*time.Second, 50*time.Millisecond, "RESTART %sd", p)
	eventuallyRefused(ctx, t, id, W.ActionPause, p+"d", "not allowed in status SUCCEEDED")

	act(ctx, t, id, W.ActionStop, p+"f", W.Stopped, "")
}

func TestStepActionsRoot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.NewWorkflow(fmt.Sprintf("actions-root-%d", time.Now().UnixNano())).Steps(actionSteps()...).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	actionScript(ctx, t, run.ID(), "")
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceStopped, st.Status)
	for id, want := range map[string]W.StepStatus{"a": W.Skipped, "b": W.Succeeded, "c": W.Stopped, "d": W.Succeeded, "e": W.CompletedWithError, "f": W.Stopped} {
		require.Equal(t, want, st.Step(id).Status, "step %s: %s", id, st.Step(id).Error)
	}
	require.Equal(t, 2, st.Step("d").Attempts)
	require.Contains(t, st.Step("c").Error, "stopped by a step action")

	// RESTART of a step of the ended run restarts the run from it.
	res, err := env.baton.StepAction(ctx, run.ID(), W.ActionRestart, "d", "")
	require.NoError(t, err)
	require.Equal(t, W.Created, res.Status, res.Message)
	again := env.baton.GetRun(run.ID(), "")
	require.Eventually(t, func() bool {
		st, err := again.State(ctx)
		return err == nil && st.Run == 2 && st.Step("d").Run == 2 && st.Step("d").Status == W.CompletedWithError
	}, 30*time.Second, 50*time.Millisecond, "run 2 ran d again (its first attempt fails, IGNORE_FAILURE)")
	require.NoError(t, again.Stop(ctx))
}

func TestStepActionsForeach(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.NewWorkflow(fmt.Sprintf("actions-foreach-%d", time.Now().UnixNano())).Steps(
		definition.Foreach("loop").Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 1, 1)")).Steps(actionSteps()...),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	eventuallyRefused(ctx, t, run.ID(), W.ActionStop, "loop/2/a", "iteration 2 of foreach "+run.ID()+"/loop is not running")
	act(ctx, t, run.ID(), W.ActionStop, "loop/x/a", "", `"x" is not an iteration number`)
	act(ctx, t, run.ID(), W.ActionStop, "loop/1/zz", "", `has no step "zz"`)
	actionScript(ctx, t, run.ID(), "loop/1/")
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceStopped, st.Status, st.Error)
	require.Equal(t, W.Stopped, st.Step("loop").Status)
	require.Equal(t, 1, st.Step("loop").Loop.Counts.Stopped)
	act(ctx, t, run.ID(), W.ActionStop, "loop/1/a", "", "has ended")
}

func TestStepActionsSubworkflow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	childWF := pushChild(ctx, t, "actions-child-%d", actionSteps()...)
	req, err := definition.NewWorkflow(fmt.Sprintf("actions-parent-%d", time.Now().UnixNano())).Owner("tester").
		Steps(definition.Subworkflow("sub", childWF)).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	actionScript(ctx, t, run.ID(), "sub/")
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceStopped, st.Status, st.Error)
	require.Equal(t, W.Stopped, st.Step("sub").Status)
}

// TestStepActionsWhile: a step of the running iteration of a while loop
// takes actions; another iteration is refused.
func TestStepActionsWhile(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := definition.NewWorkflow(fmt.Sprintf("actions-while-%d", time.Now().UnixNano())).Steps(
		definition.While("loop", "k < 1").Loop("k", definition.Long(0)).Steps(
			definition.Sleep("nap", 300).Next("bump"),
			definition.NoOp("bump").Param("k", definition.Expr(sel.Long, "k + 1"))),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := env.baton.StepAction(ctx, run.ID(), W.ActionPause, "loop/1/bump", "")
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "PAUSE loop/1/bump")
	act(ctx, t, run.ID(), W.ActionStop, "loop/2/nap", "", "iteration 2 of while "+run.ID()+"/loop is not running")
	act(ctx, t, run.ID(), W.ActionResume, "loop/1/nap", "", "not allowed in status RUNNING")
	act(ctx, t, run.ID(), W.ActionSkip, "loop/1/nap", W.Skipped, "")
	eventuallyRefused(ctx, t, run.ID(), W.ActionPause, "loop/1/bump", "not allowed in status PAUSED")
	act(ctx, t, run.ID(), W.ActionResume, "loop/1/bump", W.Running, "")
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 1, st.Step("loop").Loop.Iterations)
}

// TestStepActionOnCompositeStep: STOP of a running foreach step cancels
// its loop workflow; SKIP of a running subworkflow step cancels its child
// and the DAG goes on.
func TestStepActionOnCompositeStep(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	childWF := pushChild(ctx, t, "actions-composite-child-%d", definition.Sleep("nap", 300))
	req, err := definition.NewWorkflow(fmt.Sprintf("actions-composite-%d", time.Now().UnixNano())).Owner("tester").Steps(
		definition.Foreach("loop").Loop("i", definition.Expr(sel.LongArray, "Util.intsBetween(0, 2, 1)")).
			Steps(definition.Sleep("nap", 300)),
		definition.Subworkflow("sub", childWF).Next("after"),
		definition.NoOp("after"),
	).Build()
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	eventuallyStatus(ctx, t, run, "loop", W.Running)
	eventuallyStatus(ctx, t, run, "sub", W.Running)
	act(ctx, t, run.ID(), W.ActionStop, "loop", W.Stopped, "")
	act(ctx, t, run.ID(), W.ActionSkip, "sub", W.Skipped, "")
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceStopped, st.Status, st.Error)
	require.Equal(t, W.Succeeded, st.Step("after").Status)
	for _, id := range []string{run.ID() + "/loop", run.ID() + "/sub"} {
		require.Eventually(t, func() bool {
			d, err := env.tc.DescribeWorkflowExecution(ctx, id, "")
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) && strings.HasSuffix(id, "/sub") {
				return true // SKIPped while its child queue admitted it: never started
			}
			return err == nil && d.WorkflowExecutionInfo.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		}, 30*time.Second, 50*time.Millisecond, "%s was cancelled", id)
	}
}
