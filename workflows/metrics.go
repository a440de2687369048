package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/translator"
)

// Baton's own metrics, emitted from workflow code through the SDK's
// metrics handler (client.Options.MetricsHandler), which adds the
// workflow's namespace, task queue and type as tags. The handler that
// workflow.GetMetricsHandler returns drops everything while a workflow
// replays, so a run's steps are counted once however often its history is
// replayed. Emitting a metric records nothing in the history: these hooks
// need no workflow.GetVersion.
const (
	// MetricStepStarted counts steps that were created and began to run
	// (tag step_type).
	MetricStepStarted = "baton_step_started"
	// MetricStepFinished counts steps that reached a final status (tags
	// step_type, status), including UNSATISFIED ones that never ran.
	MetricStepFinished = "baton_step_finished"
	// MetricStepRetries counts Maestro retries (tags step_type, retry_class:
	// error, platform or timeout).
	MetricStepRetries = "baton_step_retries"
	// MetricStepLatency is a step's workflow time from its start to its
	// final status (tags step_type, status).
	MetricStepLatency = "baton_step_latency"
	// MetricLoopIterations counts finished loop iterations (tags loop_kind:
	// foreach or while, status: the iteration's instance status).
	MetricLoopIterations = "baton_loop_iterations"
)

// Metric tag names.
const (
	tagStepType   = "step_type"
	tagStatus     = "status"
	tagRetryClass = "retry_class"
	tagLoopKind   = "loop_kind"
)

// metricStepType is a step's type for metrics: its step type, or its kind
// (foreach, while, subworkflow) for a composite step.
func metricStepType(n *translator.Node) string {
	if n.Type != "" {
		return n.Type
	}
	return n.Kind
}

// stepStarted counts a step that begins to run.
func stepStarted(ctx workflow.Context, n *node) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{tagStepType: metricStepType(n.plan)}).
		Counter(MetricStepStarted).Inc(1)
}

// stepFinished counts a step that reached its final status and records its
// latency; steps never created are not counted.
func stepFinished(ctx workflow.Context, n *node) {
	if n.state.Status == NotCreated {
		return
	}
	h := workflow.GetMetricsHandler(ctx).WithTags(map[string]string{
		tagStepType: metricStepType(n.plan),
		tagStatus:   string(n.state.Status),
	})
	h.Counter(MetricStepFinished).Inc(1)
	h.Timer(MetricStepLatency).Record(n.state.Duration())
}

// stepRetried counts one Maestro retry of a step in a retry class.
func stepRetried(ctx workflow.Context, n *node, class translator.RetryClass) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{
		tagStepType:   metricStepType(n.plan),
		tagRetryClass: string(class),
	}).Counter(MetricStepRetries).Inc(1)
}

// loopIteration counts a finished iteration of a foreach or while loop.
func loopIteration(ctx workflow.Context, kind string, status InstanceStatus) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{
		tagLoopKind: kind,
		tagStatus:   string(status),
	}).Counter(MetricLoopIterations).Inc(1)
}
