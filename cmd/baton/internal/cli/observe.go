package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"

	"github.com/batonhq/baton/cmd/baton/internal/observe"
)

// obsFlags turn on metrics and tracing for the workers of this process.
type obsFlags struct {
	metricsHost  string
	metricsPort  int
	otlpEndpoint string
}

func (o *obsFlags) register(fs *pflag.FlagSet, defaultHost string) {
	fs.IntVar(&o.metricsPort, "metrics-port", 0, "serve Prometheus metrics (Temporal SDK and Baton's) on this port at /metrics (0: off)")
	fs.StringVar(&o.metricsHost, "metrics-host", defaultHost, "address the metrics endpoint binds to")
	fs.StringVar(&o.otlpEndpoint, "otlp-endpoint", "", "send OpenTelemetry traces (a span per run and per step attempt) to this OTLP/gRPC collector URL, e.g. http://localhost:4317")
}

// observability is the metrics and tracing set up from obsFlags.
type observability struct {
	metrics *observe.Metrics
	tp      *sdktrace.TracerProvider
	tracing *observe.Tracing
}

// start sets up what the flags ask for; nil when they ask for nothing.
func (o *obsFlags) start(ctx context.Context, out io.Writer) (*observability, error) {
	if o.metricsPort == 0 && o.otlpEndpoint == "" {
		return nil, nil
	}
	ob := &observability{}
	if o.metricsPort != 0 {
		m, err := observe.NewMetrics(nil)
		if err != nil {
			return nil, err
		}
		if err := m.Serve(o.metricsHost, o.metricsPort); err != nil {
			_ = m.Close(ctx)
			return nil, err
		}
		ob.metrics = m
		fmt.Fprintf(out, "Prometheus metrics at %s\n", m.URL())
	}
	if o.otlpEndpoint != "" {
		exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(o.otlpEndpoint))
		if err != nil {
			ob.close()
			return nil, fmt.Errorf("--otlp-endpoint: %w", err)
		}
		ob.tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
			sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName("baton"))))
		if ob.tracing, err = observe.NewTracing(ob.tp); err != nil {
			ob.close()
			return nil, err
		}
		fmt.Fprintf(out, "OpenTelemetry traces to %s\n", o.otlpEndpoint)
	}
	return ob, nil
}

// applyClient adds the metrics handler and the tracing interceptor to a
// Temporal client's options (workers built on the client inherit both).
func (ob *observability) applyClient(opts *sdkclient.Options) {
	if ob == nil {
		return
	}
	if ob.metrics != nil {
		opts.MetricsHandler = ob.metrics.Handler()
	}
	if ob.tracing != nil {
		opts.Interceptors = append(opts.Interceptors, ob.tracing.Client)
	}
}

// workerInterceptors names step attempt spans after their steps.
func (ob *observability) workerInterceptors() []interceptor.WorkerInterceptor {
	if ob == nil || ob.tracing == nil {
		return nil
	}
	return []interceptor.WorkerInterceptor{ob.tracing.Worker}
}

// close flushes spans and stops the metrics endpoint.
func (ob *observability) close() {
	if ob == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	if ob.tp != nil {
		errs = append(errs, ob.tp.Shutdown(ctx))
	}
	if ob.metrics != nil {
		errs = append(errs, ob.metrics.Close(ctx))
	}
	_ = errors.Join(errs...)
}
