package observe_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/cmd/baton/internal/observe"
	W "github.com/batonhq/baton/workflows"
)

// alignThenChild makes the call the interpreter's command-id workaround
// makes (a child start the converter refuses), then a real child start.
func alignThenChild(ctx workflow.Context) error {
	_ = workflow.ExecuteChildWorkflow(ctx, W.AlignCommandIDsType, make(chan int)).Get(ctx, nil)
	return workflow.ExecuteChildWorkflow(ctx, "child").Get(ctx, nil)
}

func child(workflow.Context) error { return nil }

// TestTracingLeavesOutAlignCommandIDs: the workaround's call gets no span;
// other child starts keep theirs.
func TestTracingLeavesOutAlignCommandIDs(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr, err := observe.NewTracing(tp)
	require.NoError(t, err)

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{tr.Client.(interceptor.WorkerInterceptor)}})
	env.RegisterWorkflowWithOptions(alignThenChild, workflow.RegisterOptions{Name: "align-then-child"})
	env.RegisterWorkflowWithOptions(child, workflow.RegisterOptions{Name: "child"})
	env.ExecuteWorkflow("align-then-child")
	require.NoError(t, env.GetWorkflowError())

	got := names(exp.GetSpans())
	require.Contains(t, got, "StartChildWorkflow:child")
	require.NotContains(t, got, "StartChildWorkflow:"+W.AlignCommandIDsType)
}
