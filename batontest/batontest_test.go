package batontest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/batontest"
	D "github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// diamond: extract -> (clean if rows > 0 | audit) -> load.
func diamond() *D.WorkflowBuilder {
	return D.NewWorkflow("diamond").Owner("me").
		Param("min_rows", D.Long(1)).
		Steps(
			D.NewStep("extract", "Extract").Param("rows", D.Long(0)).
				Then("clean", "rows >= min_rows").Next("audit"),
			D.NewStep("clean", "Clean").Next("load"),
			D.NewStep("audit", "Audit").Next("load"),
			D.NewStep("load", "Load"),
		)
}

func TestMockedDAG(t *testing.T) {
	env := batontest.New(t)
	extract := env.Mock("Extract").Returns(map[string]any{"rows": 42})
	env.Mock("Clean")
	env.Mock("Audit")
	load := env.Mock("Load")
	res := env.Run(diamond(), nil)
	res.RequireStatus(t, W.InstanceSucceeded)
	res.RequireSteps(t, map[string]W.StepStatus{
		"extract": W.Succeeded, "clean": W.Succeeded, "audit": W.Succeeded, "load": W.Succeeded})
	res.RequireParam(t, "extract", "rows", 42)
	res.RequireWorkflowParam(t, "min_rows", 1)
	require.Len(t, extract.Calls(), 1)
	require.Equal(t, "diamond", load.Calls()[0].WorkflowID)
}

func TestConditionsAndRunParams(t *testing.T) {
	env := batontest.New(t)
	env.Mock("Extract").Returns(map[string]any{"rows": 5})
	for _, typ := range []string{"Clean", "Audit", "Load"} {
		env.Mock(typ)
	}
	res := env.Run(diamond(), map[string]any{"min_rows": 10})
	res.RequireStatus(t, W.InstanceSucceeded)
	res.RequireStep(t, "clean", W.Unsatisfied)
	res.RequireStep(t, "audit", W.Succeeded)
	res.RequireStep(t, "load", W.Succeeded) // a join runs if any incoming edge is true
	require.Equal(t, W.InstanceSucceeded, res.Status())
}

func TestRetries(t *testing.T) {
	def := D.NewWorkflow("retries").Steps(
		D.NewStep("flaky", "Flaky").
			Retry(D.Retries().ErrorLimit(2).PlatformLimit(1).
				Exponential().ErrorBackoff(600).ErrorMaxBackoff(3600).PlatformBackoff(3600)).
			Next("after"),
		D.NoOp("after"))
	env := batontest.New(t)
	env.Mock("Flaky").UserErrorOn(1, 2).PlatformErrorOn(3)
	start := time.Now()
	res := env.Run(def, nil)
	require.Less(t, time.Since(start), time.Second, "backoffs are skipped")
	res.RequireStatus(t, W.InstanceSucceeded)
	res.RequireAttempts(t, "flaky", 4)
	res.RequireRetries(t, "flaky", W.Retries{Error: 2, Platform: 1})
	require.GreaterOrEqual(t, res.Step("flaky").Duration(), 600*time.Second+1200*time.Second+3600*time.Second,
		"virtual time passed for the backoffs")

	// One more user error than the limit allows: retries are exhausted and
	// the step fails fatally (MAESTRO.md §4.3).
	env = batontest.New(t)
	env.Mock("Flaky").UserErrorOn(1, 2, 3)
	res = env.Run(def, nil)
	res.RequireStatus(t, W.InstanceFailed)
	res.RequireStep(t, "flaky", W.FatallyFailed)
	res.RequireAttempts(t, "flaky", 3)
	res.RequireError(t, "flaky", "user error")
	res.RequireStep(t, "after", W.NotCreated)
}

func TestFatalErrorIsNotRetried(t *testing.T) {
	env := batontest.New(t)
	m := env.Mock("Flaky").FatalErrorOn(1)
	res := env.Run(D.NewWorkflow("fatal").Steps(D.NewStep("s", "Flaky").Retry(D.Retries().ErrorLimit(5))), nil)
	res.RequireStep(t, "s", W.FatallyFailed)
	res.RequireAttempts(t, "s", 1)
	require.Len(t, m.CallsOf("s"), 1)
}

func TestFailureModes(t *testing.T) {
	def := func(mode D.FailureMode) *D.WorkflowBuilder {
		return D.NewWorkflow("modes").Steps(
			D.NewStep("start", "Work").Next("bad", "slow"),
			D.NewStep("bad", "Work").FailureMode(mode).Next("after_bad"),
			D.Sleep("slow", 60).Next("after_slow"),
			D.NoOp("after_bad"),
			D.NoOp("after_slow"),
		)
	}
	tests := []struct {
		mode   D.FailureMode
		status W.InstanceStatus
		steps  map[string]W.StepStatus
	}{
		{D.FailAfterRunning, W.InstanceFailed, map[string]W.StepStatus{
			"bad": W.FatallyFailed, "after_bad": W.NotCreated, "slow": W.Succeeded, "after_slow": W.Succeeded}},
		{D.FailImmediately, W.InstanceFailed, map[string]W.StepStatus{
			"bad": W.FatallyFailed, "after_bad": W.NotCreated, "slow": W.Stopped, "after_slow": W.NotCreated}},
		{D.IgnoreFailure, W.InstanceSucceeded, map[string]W.StepStatus{
			"bad": W.CompletedWithError, "after_bad": W.Succeeded, "slow": W.Succeeded, "after_slow": W.Succeeded}},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			env := batontest.New(t)
			env.Mock("Work").Step("bad").FatalErrorOn(1)
			res := env.Run(def(tt.mode), nil)
			res.RequireStatus(t, tt.status)
			res.RequireSteps(t, tt.steps)
		})
	}
}

func TestTimeouts(t *testing.T) {
	def := D.NewWorkflow("timeouts").Steps(
		D.NewStep("slow", "Slow").Timeout(30 * time.Second).
			Retry(D.Retries().TimeoutLimit(1).Fixed().TimeoutBackoff(5)))
	for _, mode := range []translator.Mode{translator.ModeLocalActivity, translator.ModeActivity} {
		t.Run(string(mode), func(t *testing.T) {
			// The first attempt takes 10 minutes of workflow time: it times
			// out; the retry is fast.
			env := batontest.New(t).Mode("Slow", mode)
			env.Mock("Slow").TakesOn(1, 10*time.Minute)
			start := time.Now()
			res := env.Run(def, nil)
			require.Less(t, time.Since(start), time.Second)
			res.RequireStatus(t, W.InstanceSucceeded)
			res.RequireAttempts(t, "slow", 2)
			res.RequireRetries(t, "slow", W.Retries{Timeout: 1})
			require.Equal(t, string(mode), res.Step("slow").Mode)

			// Every attempt too slow: TIMED_OUT once the retry is used.
			env = batontest.New(t).Mode("Slow", mode)
			env.Mock("Slow").Takes(time.Hour)
			res = env.Run(def, nil)
			res.RequireStatus(t, W.InstanceTimedOut)
			res.RequireStep(t, "slow", W.TimedOut)
			res.RequireAttempts(t, "slow", 2)
		})
	}
}

func TestWorkflowTimeout(t *testing.T) {
	env := batontest.New(t)
	env.Mock("Slow").Takes(2 * time.Hour)
	res := env.Run(D.NewWorkflow("wf-timeout").Timeout(time.Hour).Steps(
		D.NewStep("slow", "Slow").ExecutionMode("activity").Next("after"), D.NoOp("after")), nil)
	res.RequireStatus(t, W.InstanceTimedOut)
	res.RequireStep(t, "after", W.NotCreated)
}

func TestStepMocksAndFunctions(t *testing.T) {
	env := batontest.New(t)
	work := env.Mock("Work").Returns(map[string]any{"out": "type"})
	work.Step("b").Do(func(_ context.Context, s *activities.Step) (*activities.Result, error) {
		return &activities.Result{Outputs: map[string]any{"out": s.String("in") + "!"}}, nil
	}).Takes(time.Minute)
	env.Register("Real", activities.StepFunc(func(context.Context, *activities.Step) (*activities.Result, error) {
		return nil, activities.FatalError(errors.New("real step ran"))
	}))
	out := D.String("")
	res := env.Run(D.NewWorkflow("mix").Steps(
		D.NewStep("a", "Work").Param("out", out).Next("b"),
		D.NewStep("b", "Work").Param("in", D.String("hi")).Param("out", out).Next("c"),
		D.NewStep("c", "Real").FailureMode(D.IgnoreFailure)), nil)
	res.RequireParam(t, "a", "out", "type")
	res.RequireParam(t, "b", "out", "hi!")
	res.RequireStep(t, "c", W.CompletedWithError)
	res.RequireError(t, "c", "real step ran")
	require.GreaterOrEqual(t, res.Step("b").Duration(), time.Minute)
	require.Len(t, work.Calls(), 2)
	require.Len(t, work.Step("b").Calls(), 1)
}

func TestStopAndKill(t *testing.T) {
	def := D.NewWorkflow("stop").Steps(D.Sleep("nap", 3600).Next("after"), D.NoOp("after"))
	res := batontest.New(t).StopAfter(time.Minute).Run(def, nil)
	res.RequireStatus(t, W.InstanceStopped)
	res.RequireSteps(t, map[string]W.StepStatus{"nap": W.Stopped, "after": W.NotCreated})

	res = batontest.New(t).KillAfter(time.Minute, "enough").Run(def, nil)
	res.RequireStatus(t, W.InstanceFailed)
	res.RequireStep(t, "nap", W.FatallyFailed)
}

func TestRunsJSONAndPlans(t *testing.T) {
	env := batontest.New(t)
	res := env.Run(`{"workflow":{"id":"j","params":{"x":{"type":"LONG","value":2}},"steps":[
		{"step":{"id":"a","type":"NoOp","params":{"y":{"type":"LONG","expression":"x * 2"}}}}]}}`,
		map[string]any{"x": sel.Value{Type: sel.Long, Value: int64(4)}})
	res.RequireParam(t, "a", "y", 8)
	res2 := env.Run(res.Plan, nil)
	res2.RequireParam(t, "a", "y", 4)
}
