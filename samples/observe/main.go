// Command observe runs a small DAG with metrics and tracing through the
// Temporal SDK's contrib/opentelemetry package: the SDK's metrics and
// Baton's own (baton_step_started_total, baton_step_finished_total,
// baton_step_retries_total, baton_step_latency_seconds,
// baton_loop_iterations_total) on a Prometheus endpoint, and a span per
// run and per step attempt printed to stdout. The exporters are this
// program's choice: Baton's SDK module depends on none of them.
//
// It is its own Go module, so the SDK module gains no OpenTelemetry
// dependency:
//
//	cd cmd/baton && go run . dev          # in one terminal: a local Temporal server on localhost:7233
//	cd samples/observe && go run .        # in another; metrics at http://127.0.0.1:9464/metrics
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	sdkclient "go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

// Definition: an Extract step that fails its first attempt (so a retry is
// counted and traced), then a foreach of three NoOp iterations.
func Definition() (*definition.Request, error) {
	return definition.NewWorkflow("observe").Owner("samples").Steps(
		definition.NewStep("extract", "Extract").Retry(definition.Retries().ErrorLimit(2).Fixed().ErrorBackoff(1)).Next("publish"),
		definition.Foreach("publish").Loop("part", definition.LongArray(1, 2, 3)).Steps(definition.NoOp("send")),
	).Build()
}

// Extract fails its first attempt with a user error.
var Extract = activities.StepFunc(func(_ context.Context, s *activities.Step) (*activities.Result, error) {
	if s.Attempt == 1 {
		return nil, activities.UserError(errors.New("source not ready yet"))
	}
	return &activities.Result{}, nil
})

func main() {
	address := flag.String("address", "localhost:7233", "Temporal frontend host:port (start one with `baton dev`)")
	metricsAddr := flag.String("metrics", "127.0.0.1:9464", "serve Prometheus metrics here")
	linger := flag.Duration("linger", 0, "keep serving metrics this long after the run")
	flag.Parse()
	if err := run(*address, *metricsAddr, *linger); err != nil {
		fmt.Fprintln(os.Stderr, "observe:", err)
		os.Exit(1)
	}
}

func run(address, metricsAddr string, linger time.Duration) error {
	ctx := context.Background()

	// Metrics: an OpenTelemetry meter provider read by the Prometheus
	// exporter, handed to the SDK through contrib/opentelemetry.
	reg := prometheus.NewRegistry()
	promExp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(promExp))
	defer func() { _ = mp.Shutdown(ctx) }()
	go func() { _ = http.ListenAndServe(metricsAddr, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})) }()

	// Tracing: spans to stdout; use an OTLP exporter for a real collector.
	spanExp, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spanExp))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracing, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer: tp.Tracer("baton-sample"),
		// The interpreter's workaround for an SDK bug makes a child start
		// call that never starts a child: leave it out of the traces.
		SpanStarter: func(ctx context.Context, t trace.Tracer, name string, opts ...trace.SpanStartOption) trace.Span {
			if name == "StartChildWorkflow:"+workflows.AlignCommandIDsType {
				return noop.Span{}
			}
			_, span := t.Start(ctx, name, opts...)
			return span
		},
	})
	if err != nil {
		return err
	}

	// Both go on the Temporal client; the worker built on it inherits them.
	tc, err := sdkclient.Dial(sdkclient.Options{
		HostPort:       address,
		Logger:         worker.NewLogger(nil),
		MetricsHandler: temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{Meter: mp.Meter("baton-sample"), UseMonotonicCounters: true}),
		Interceptors:   []interceptor.ClientInterceptor{tracing},
	})
	if err != nil {
		return fmt.Errorf("connect to %s (is `baton dev` running?): %w", address, err)
	}
	defer tc.Close()
	w, err := worker.New(tc, worker.Options{StepTypes: map[string]activities.StepType{"Extract": Extract}})
	if err != nil {
		return err
	}
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()

	req, err := Definition()
	if err != nil {
		return err
	}
	bc := client.New(tc, client.Options{StepTypes: map[string]translator.StepTypeInfo{"Extract": {Mode: translator.ModeActivity}}})
	run, _, err := bc.StartDefinition(ctx, req, client.StartOptions{})
	if err != nil {
		return err
	}
	st, err := run.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "run %s: %s; metrics at http://%s/metrics\n", run.ID(), st.Status, metricsAddr)
	time.Sleep(linger)
	return nil
}
