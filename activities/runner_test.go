package activities_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/batonhq/baton/activities"
)

// TestWorkerStopIsPlatformError runs steps that give up when their worker
// begins to stop: an error the step did not classify becomes a platform
// error (the attempt is retried under platform_retry_limit); an error the
// step classified keeps its class.
func TestWorkerStopIsPlatformError(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		class string
	}{
		{"unclassified", errors.New("interrupted"), activities.ErrorTypePlatform},
		{"user error kept", activities.UserError(errors.New("bad input")), activities.ErrorTypeUser},
		{"fatal error kept", activities.FatalError(errors.New("never")), activities.ErrorTypeFatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestActivityEnvironment()
			stop := make(chan struct{})
			env.SetWorkerStopChannel(stop)
			runner := activities.NewRunner(map[string]activities.StepType{
				"Long": activities.StepFunc(func(ctx context.Context, _ *activities.Step) (*activities.Result, error) {
					<-activity.GetWorkerStopChannel(ctx)
					return nil, tt.err
				}),
			})
			env.RegisterActivityWithOptions(runner.RunStep, activity.RegisterOptions{Name: activities.ActivityName})
			close(stop)
			_, err := env.ExecuteActivity(activities.ActivityName, activities.Input{Step: activities.Step{StepID: "s", Type: "Long"}})
			require.Error(t, err)
			require.Equal(t, tt.class, activities.ErrorClass(err))
			require.Contains(t, err.Error(), tt.err.Error())
		})
	}
}

// TestNoStopNoPlatformError: the same unclassified error from a worker that
// is not stopping is a user error, as before.
func TestNoStopNoPlatformError(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	runner := activities.NewRunner(map[string]activities.StepType{
		"Fails": activities.StepFunc(func(context.Context, *activities.Step) (*activities.Result, error) {
			return nil, errors.New("interrupted")
		}),
	})
	env.RegisterActivityWithOptions(runner.RunStep, activity.RegisterOptions{Name: activities.ActivityName})
	_, err := env.ExecuteActivity(activities.ActivityName, activities.Input{Step: activities.Step{StepID: "s", Type: "Fails"}})
	require.Equal(t, activities.ErrorTypeUser, activities.ErrorClass(err))
}

// TestLostAttemptIsPlatformError: when a heartbeat cannot be recorded (the
// server is down), the SDK cancels the step's ctx with the RPC error as its
// cause; an unclassified error the step then returns is a platform error. A
// cancellation the server asked for (a stop or kill) keeps the user class.
func TestLostAttemptIsPlatformError(t *testing.T) {
	tests := []struct {
		name  string
		cause error
		err   error
		class string
	}{
		{"server unreachable", serviceerror.NewUnavailable("connection refused"), context.Canceled, activities.ErrorTypePlatform},
		{"attempt unknown to the server", serviceerror.NewNotFound("no such activity"), errors.New("interrupted"), activities.ErrorTypePlatform},
		{"classified kept", serviceerror.NewUnavailable("connection refused"), activities.FatalError(errors.New("never")), activities.ErrorTypeFatal},
		{"stop or kill of the step", temporal.NewCanceledError(), context.Canceled, activities.ErrorTypeUser},
		{"plain cancel", nil, context.Canceled, activities.ErrorTypeUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := activities.NewRunner(map[string]activities.StepType{
				"Waits": activities.StepFunc(func(ctx context.Context, _ *activities.Step) (*activities.Result, error) {
					<-ctx.Done()
					return nil, tt.err
				}),
			})
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(tt.cause)
			_, err := runner.RunStep(ctx, activities.Input{Step: activities.Step{StepID: "s", Type: "Waits"}})
			require.Equal(t, tt.class, activities.ErrorClass(err), err.Error())
		})
	}
}

// TestNoEmptyResult: asked for no empty result, the step activity returns
// none when the step returns no outputs and no signals (a local activity's
// marker then has no result payload); otherwise, and when not asked, it
// returns the Output as before.
func TestNoEmptyResult(t *testing.T) {
	tests := []struct {
		name    string
		res     *activities.Result
		noEmpty bool
		value   bool // a result payload is returned
		outputs int
	}{
		{"nil result, not asked", nil, false, true, 0},
		{"nil result, asked", nil, true, false, 0},
		{"no outputs, asked", &activities.Result{Outputs: map[string]any{}}, true, false, 0},
		{"outputs, asked", &activities.Result{Outputs: map[string]any{"n": 1}}, true, true, 1},
		{"signals, asked", &activities.Result{Signals: []activities.SignalOutput{{Name: "s"}}}, true, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestActivityEnvironment()
			runner := activities.NewRunner(map[string]activities.StepType{
				"T": activities.StepFunc(func(context.Context, *activities.Step) (*activities.Result, error) { return tt.res, nil }),
			})
			env.RegisterActivityWithOptions(runner.RunStep, activity.RegisterOptions{Name: activities.ActivityName})
			val, err := env.ExecuteActivity(activities.ActivityName, activities.Input{Step: activities.Step{StepID: "s", Type: "T"}, NoEmptyResult: tt.noEmpty})
			require.NoError(t, err)
			require.Equal(t, tt.value, val.HasValue())
			var out activities.Output
			if val.HasValue() {
				require.NoError(t, val.Get(&out))
			}
			require.Len(t, out.Outputs, tt.outputs)
		})
	}
}
