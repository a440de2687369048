package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/worker"
)

// BenchmarkLocalInFlight measures what one local activity's result costs a
// hand-written workflow (no interpreter) as the local activities it keeps
// in flight grow: 2,000 NoOp local activities, c at once, each result
// starting the next, waited in one workflow.Await (the engine's way). The
// SDK's ExecuteLocalActivity keeps a coroutine per local activity, and its
// dispatcher resumes every coroutine on each pass, so allocations per run
// grow with c although the work does not (README, Performance, session 5).
//
//	go test -run '^$' -bench LocalInFlight -benchmem -benchtime 2x ./workflows/
func BenchmarkLocalInFlight(b *testing.B) {
	const total = 2000
	for _, c := range []int{10, 50, 200} {
		b.Run(fmt.Sprintf("inflight-%d", c), func(b *testing.B) {
			var s testsuite.WorkflowTestSuite
			s.SetLogger(worker.NewLogger(nil))
			for b.Loop() {
				env := s.NewTestWorkflowEnvironment()
				env.RegisterActivityWithOptions(waitNoOp, activity.RegisterOptions{Name: "noop"})
				env.ExecuteWorkflow(localInFlight, total, c)
				if err := env.GetWorkflowError(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// localInFlight runs total NoOp local activities, c at once.
func localInFlight(ctx workflow.Context, total, c int) error {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: time.Minute, RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1}})
	var pending []workflow.Future
	started := 0
	start := func() {
		pending = append(pending, workflow.ExecuteLocalActivity(ctx, "noop", started))
		started++
	}
	for started < min(c, total) {
		start()
	}
	for len(pending) > 0 {
		ready := -1
		_ = workflow.Await(ctx, func() bool {
			for i, f := range pending {
				if f.IsReady() {
					ready = i
					return true
				}
			}
			return false
		})
		f := pending[ready]
		pending = append(pending[:ready], pending[ready+1:]...)
		if err := f.Get(ctx, nil); err != nil {
			return err
		}
		if started < total {
			start()
		}
	}
	return nil
}
