package workflows

import (
	"go.temporal.io/sdk/client"
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

// stepMetrics are one workflow's metric instruments, each built once per
// tag set: a handler with tags costs a map and a copy of the tags, which
// every step event paid before. It is shared by every run of the
// interpreter in the workflow (a loop's iterations too; see withStepMetrics).
// The handler comes from workflow.GetMetricsHandler, which reads whether
// the workflow replays on each use, so keeping its instruments is safe.
type stepMetrics struct {
	h        client.MetricsHandler
	counters map[metricKey]client.MetricsCounter
	timers   map[metricKey]client.MetricsTimer
}

// metricKey is a metric and its two tag values (the tag names follow from
// the metric).
type metricKey struct{ name, a, b string }

type stepMetricsKey struct{}

// withStepMetrics gives the runs of the interpreter under ctx (a loop
// workflow's iterations) one stepMetrics.
func withStepMetrics(ctx workflow.Context) workflow.Context {
	return workflow.WithValue(ctx, stepMetricsKey{}, newStepMetrics(ctx))
}

// metricsFor is the stepMetrics of ctx's workflow: the one withStepMetrics
// put there, else a new one.
func metricsFor(ctx workflow.Context) *stepMetrics {
	if m, ok := ctx.Value(stepMetricsKey{}).(*stepMetrics); ok {
		return m
	}
	return newStepMetrics(ctx)
}

func newStepMetrics(ctx workflow.Context) *stepMetrics {
	return &stepMetrics{h: workflow.GetMetricsHandler(ctx)} // the maps when first needed
}

// tagged is the handler with the tags of k: tag names ka and kb (kb empty:
// one tag).
func (m *stepMetrics) tagged(k metricKey, ka, kb string) client.MetricsHandler {
	tags := map[string]string{ka: k.a}
	if kb != "" {
		tags[kb] = k.b
	}
	return m.h.WithTags(tags)
}

func (m *stepMetrics) counter(k metricKey, ka, kb string) client.MetricsCounter {
	c, ok := m.counters[k]
	if !ok {
		c = m.tagged(k, ka, kb).Counter(k.name)
		if m.counters == nil {
			m.counters = make(map[metricKey]client.MetricsCounter, 2)
		}
		m.counters[k] = c
	}
	return c
}

func (m *stepMetrics) timer(k metricKey, ka, kb string) client.MetricsTimer {
	t, ok := m.timers[k]
	if !ok {
		t = m.tagged(k, ka, kb).Timer(k.name)
		if m.timers == nil {
			m.timers = make(map[metricKey]client.MetricsTimer, 1)
		}
		m.timers[k] = t
	}
	return t
}

// stepStarted counts a step that begins to run.
func (m *stepMetrics) stepStarted(n *node) {
	m.counter(metricKey{MetricStepStarted, metricStepType(n.plan), ""}, tagStepType, "").Inc(1)
}

// stepFinished counts a step that reached its final status and records its
// latency; steps never created are not counted.
func (m *stepMetrics) stepFinished(n *node) {
	if n.state.Status == NotCreated {
		return
	}
	typ, status := metricStepType(n.plan), string(n.state.Status)
	m.counter(metricKey{MetricStepFinished, typ, status}, tagStepType, tagStatus).Inc(1)
	m.timer(metricKey{MetricStepLatency, typ, status}, tagStepType, tagStatus).Record(n.state.Duration())
}

// stepRetried counts one Maestro retry of a step in a retry class.
func (m *stepMetrics) stepRetried(n *node, class translator.RetryClass) {
	m.counter(metricKey{MetricStepRetries, metricStepType(n.plan), string(class)}, tagStepType, tagRetryClass).Inc(1)
}

// loopIteration counts a finished iteration of a foreach or while loop.
func (m *stepMetrics) loopIteration(kind string, status InstanceStatus) {
	m.counter(metricKey{MetricLoopIterations, kind, string(status)}, tagLoopKind, tagStatus).Inc(1)
}
