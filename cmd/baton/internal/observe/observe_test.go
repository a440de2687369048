package observe_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/cmd/baton/internal/observe"
	D "github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	W "github.com/batonhq/baton/workflows"
)

// flaky fails the first attempt of each step with a user error.
var flaky = activities.StepFunc(func(_ context.Context, s *activities.Step) (*activities.Result, error) {
	if s.Attempt == 1 {
		return nil, activities.UserError(errors.New("first attempt fails"))
	}
	return &activities.Result{}, nil
})

// observed runs: a NoOp, a Flaky activity step retried once, a Flaky step
// that cannot retry (FATALLY_FAILED, ignored), and a foreach of 3 NoOp
// iterations.
func observed(t *testing.T) *D.Request {
	req, err := D.NewWorkflow("observed").Steps(
		D.NoOp("start").Next("flaky", "fatal"),
		D.NewStep("flaky", "Flaky").Retry(D.Retries().ErrorLimit(1).Fixed().ErrorBackoff(1)).Next("loop"),
		D.NewStep("fatal", "Flaky").Retry(D.Retries().ErrorLimit(0)).FailureMode(D.IgnoreFailure),
		D.Foreach("loop").Loop("i", D.LongArray(1, 2, 3)).Steps(D.NoOp("inner")),
	).Build()
	require.NoError(t, err)
	return req
}

// runObserved runs observed on a fresh server through a client with opts,
// and a worker with wopts, and returns its final state.
func runObserved(t *testing.T, opts sdkclient.Options, wopts sdkworker.Options) *W.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	opts.Logger = worker.NewLogger(nil)
	tc, err := srv.NewClient(opts)
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	w, err := worker.New(tc, worker.Options{StepTypes: map[string]activities.StepType{"Flaky": flaky}, Worker: wopts})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	bc := client.New(tc, client.Options{StepTypes: map[string]translator.StepTypeInfo{"Flaky": {Mode: translator.ModeActivity}}})
	run, _, err := bc.StartDefinition(ctx, observed(t), client.StartOptions{})
	require.NoError(t, err)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status)
	return st
}

func TestMetricsEndpointCountsSteps(t *testing.T) {
	m, err := observe.NewMetrics(func(err error) { t.Errorf("metrics: %v", err) })
	require.NoError(t, err)
	require.NoError(t, m.Serve("127.0.0.1", 0))
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	runObserved(t, sdkclient.Options{MetricsHandler: m.Handler()}, sdkworker.Options{})

	// scrape reads the endpoint's families.
	scrape := func() map[string]*dto.MetricFamily {
		resp, err := http.Get(m.URL())
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var parser expfmt.TextParser
		families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
		require.NoError(t, err)
		return families
	}
	families := scrape()
	// sum adds the samples of a family whose labels include want.
	sum := func(name string, want map[string]string) float64 {
		f, ok := families[name]
		require.True(t, ok, "metric %s is exported", name)
		total := 0.0
	samples:
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue samples
				}
			}
			if m.GetCounter() != nil {
				total += m.GetCounter().GetValue()
			} else if m.GetHistogram() != nil {
				total += float64(m.GetHistogram().GetSampleCount())
			}
		}
		return total
	}
	// The parent run has 4 steps; the foreach runs 3 iterations of 1 NoOp.
	require.Equal(t, 4.0+3, sum("baton_step_started_total", nil))
	require.Equal(t, 3.0+1, sum("baton_step_started_total", map[string]string{"step_type": "NoOp"}))
	require.Equal(t, 2.0, sum("baton_step_started_total", map[string]string{"step_type": "Flaky"}))
	require.Equal(t, 1.0, sum("baton_step_started_total", map[string]string{"step_type": "foreach"}))
	require.Equal(t, 1.0, sum("baton_step_finished_total", map[string]string{"step_type": "Flaky", "status": "SUCCEEDED"}))
	require.Equal(t, 1.0, sum("baton_step_finished_total", map[string]string{"step_type": "Flaky", "status": "COMPLETED_WITH_ERROR"}))
	require.Equal(t, 4.0, sum("baton_step_finished_total", map[string]string{"step_type": "NoOp", "status": "SUCCEEDED"}))
	require.Equal(t, 1.0, sum("baton_step_finished_total", map[string]string{"step_type": "foreach", "status": "SUCCEEDED"}))
	require.Equal(t, 1.0, sum("baton_step_retries_total", map[string]string{"step_type": "Flaky", "retry_class": "error"}))
	require.Equal(t, 0.0, sum("baton_step_retries_total", map[string]string{"retry_class": "platform"}))
	require.Equal(t, 3.0, sum("baton_loop_iterations_total", map[string]string{"loop_kind": "foreach", "status": "SUCCEEDED"}))
	require.Equal(t, 7.0, sum("baton_step_latency_seconds", nil), "one latency sample per finished step")
	// The SDK's own metrics come through the same handler. The worker counts
	// a completed run only after the server has accepted the completion, so
	// the client may see the end first: scrape again until it has counted.
	require.Eventually(t, func() bool {
		families = scrape()
		_, ok := families["temporal_workflow_completed_total"]
		return ok && sum("temporal_workflow_completed_total", map[string]string{"workflow_type": W.WorkflowName}) > 0
	}, 10*time.Second, 50*time.Millisecond, "temporal_workflow_completed_total counts the run")
}

func TestTracingSpansPerRunAndStepAttempt(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr, err := observe.NewTracing(tp)
	require.NoError(t, err)
	runObserved(t, sdkclient.Options{Interceptors: []interceptor.ClientInterceptor{tr.Client}},
		sdkworker.Options{Interceptors: []interceptor.WorkerInterceptor{tr.Worker}})
	require.NoError(t, tp.ForceFlush(context.Background()))

	spans := exp.GetSpans()
	byName := map[string][]tracetest.SpanStub{}
	for _, s := range spans {
		byName[s.Name] = append(byName[s.Name], s)
	}
	runs := byName["RunWorkflow:"+W.WorkflowName]
	require.Len(t, runs, 1, "one run span; spans: %v", names(spans))
	trace := runs[0].SpanContext.TraceID()
	// flaky: two attempts; fatal: one.
	attempts := byName[observe.StepSpanName("flaky")]
	require.Len(t, attempts, 2, "spans: %v", names(spans))
	require.Len(t, byName[observe.StepSpanName("fatal")], 1)
	for i, s := range attempts {
		require.Equal(t, trace, s.SpanContext.TraceID(), "attempt %d is in the run's trace", i+1)
		attrs := map[string]string{}
		for _, a := range s.Attributes {
			attrs[string(a.Key)] = a.Value.String()
		}
		require.Equal(t, "flaky", attrs[observe.AttrStepID])
		require.Equal(t, "Flaky", attrs[observe.AttrStepType])
	}
	require.NotEmpty(t, byName["StartChildWorkflow:"+W.ForeachWorkflowName], "the foreach's child workflow is traced")
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
