package observe

import (
	"context"
	"fmt"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"

	"github.com/batonhq/baton/activities"
	W "github.com/batonhq/baton/workflows"
)

// Tracing is what a Temporal client and worker need to trace Baton runs:
// Client goes in client.Options.Interceptors (the SDK's tracing interceptor:
// a span per run, per start and per activity attempt, carried across
// processes in Temporal headers; workers built on that client use it too),
// Worker in the Baton worker's Temporal options (worker.Options.Worker
// .Interceptors), inside the SDK's, so that each step attempt's span is
// named after its step and carries its ids.
type Tracing struct {
	Client interceptor.ClientInterceptor
	Worker interceptor.WorkerInterceptor
}

// Span attributes of a step attempt.
const (
	AttrWorkflowID = "baton.workflow_id"
	AttrInstanceID = "baton.instance_id"
	AttrStepID     = "baton.step_id"
	AttrStepType   = "baton.step_type"
	AttrAttempt    = "baton.attempt"
)

// NewTracing traces with tp (the caller owns it and its exporter).
func NewTracing(tp trace.TracerProvider) (*Tracing, error) {
	ti, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: tp.Tracer("baton"), SpanStarter: startSpan})
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	return &Tracing{Client: ti, Worker: &stepSpans{}}, nil
}

// alignSpanName is the span the SDK's interceptor would start for the
// interpreter's command-id workaround (workflows.AlignCommandIDsType): a
// child start that never happens, so it gets no span.
const alignSpanName = "StartChildWorkflow:" + W.AlignCommandIDsType

// startSpan starts the interceptor's spans, all but alignSpanName's.
func startSpan(ctx context.Context, t trace.Tracer, name string, opts ...trace.SpanStartOption) trace.Span {
	if name == alignSpanName {
		return noop.Span{}
	}
	_, span := t.Start(ctx, name, opts...)
	return span
}

// StepSpanName is the name of a step attempt's span.
func StepSpanName(stepID string) string { return "RunStep:" + stepID }

// stepSpans renames the SDK's RunActivity span of each step attempt.
type stepSpans struct {
	interceptor.WorkerInterceptorBase
}

func (*stepSpans) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &stepSpanActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

type stepSpanActivity struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *stepSpanActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() && len(in.Args) == 1 {
		var step *activities.Step
		switch v := in.Args[0].(type) {
		case activities.Input:
			step = &v.Step
		case *activities.Input:
			step = &v.Step
		}
		if step != nil {
			span.SetName(StepSpanName(step.StepID))
			span.SetAttributes(
				attribute.String(AttrWorkflowID, step.WorkflowID),
				attribute.String(AttrInstanceID, step.InstanceID),
				attribute.String(AttrStepID, step.StepID),
				attribute.String(AttrStepType, step.Type),
				attribute.String(AttrAttempt, strconv.Itoa(step.Attempt)),
			)
		}
	}
	return a.Next.ExecuteActivity(ctx, in)
}
