package activities_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
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
