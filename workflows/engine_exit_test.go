package workflows

import (
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// yieldWalk is how many frames the SDK's isPanicking walks on every yield
// of a coroutine (runtime.Callers into an array of 20, from isPanicking).
const yieldWalk = 20

// TestAwaitBelowStack: the event loop's waits (awaitBelow with waitPad)
// keep their caller's frame out of the frames the SDK walks on each yield,
// and a wait with no pad or too short a pad does not; the wait still ends
// once its condition holds. Positions are counted as the yield sees them: isPanicking
// and yield, then the frame that evaluates the condition.
func TestAwaitBelowStack(t *testing.T) {
	tests := []struct {
		name   string
		pad    int
		walked bool // the caller's frame is among the walked ones
	}{
		{"the loop's pad", waitPad, false},
		{"no pad", 0, true},
		{"a pad too short", 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			caller := -1 // the workflow function's position in the yield's walk
			env.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
				self := funcName() // this workflow function
				done := false
				workflow.Go(ctx, func(workflow.Context) { done = true })
				awaitBelow(ctx, func() bool {
					if caller < 0 {
						caller = framePosition(self) + 2 // isPanicking, yield
					}
					return done
				}, tt.pad)
				if !done {
					return errors.New("awaitBelow returned before its condition held")
				}
				return nil
			}, workflow.RegisterOptions{Name: "await-below"})
			env.ExecuteWorkflow("await-below")
			require.NoError(t, env.GetWorkflowError())
			require.Positive(t, caller, "the workflow function's frame was found")
			require.Equal(t, tt.walked, caller < yieldWalk, "position %d", caller)
		})
	}
}

// funcName is the name of the function that calls it.
func funcName() string {
	pc, _, _, _ := runtime.Caller(1)
	return runtime.FuncForPC(pc).Name()
}

// framePosition is the position, counted from the frame that called the
// function calling framePosition, of the first frame of the function name
// (inlined frames count, as in runtime.Callers); -1 if none.
func framePosition(name string) int {
	pcs := make([]uintptr, 128)
	n := runtime.Callers(3, pcs) // runtime.Callers, framePosition, the condition
	frames := runtime.CallersFrames(pcs[:n])
	for i := 0; ; i++ {
		f, more := frames.Next()
		if f.Function == name {
			return i
		}
		if !more {
			return -1
		}
	}
}
