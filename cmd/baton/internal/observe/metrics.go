// Package observe gives the baton CLI's workers metrics and tracing through
// the Temporal SDK's own contrib/opentelemetry package: a Prometheus
// endpoint with the SDK's metrics and Baton's (workflows.MetricStep*), and
// OpenTelemetry spans for each run and each step attempt.
//
// Metrics use contrib/opentelemetry's MetricsHandler over an OpenTelemetry
// meter provider read by the OpenTelemetry Prometheus exporter, rather than
// contrib/tally: one contrib package serves both metrics and tracing, it is
// released with the SDK (contrib/tally was last tagged in 2022), and the
// same meter provider can feed an OTLP exporter instead of Prometheus.
package observe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdkclient "go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// Metrics is a metrics handler for Temporal clients whose values a
// Prometheus registry exposes, optionally served over HTTP.
type Metrics struct {
	handler  sdkclient.MetricsHandler
	registry *prometheus.Registry
	provider *sdkmetric.MeterProvider
	srv      *http.Server
	addr     string
	done     chan error
}

// NewMetrics builds the meter provider, its Prometheus exporter and the
// SDK metrics handler. onError receives instrument errors (nil ignores them;
// the contrib package's default would panic).
func NewMetrics(onError func(error)) (*Metrics, error) {
	if onError == nil {
		onError = func(error) {}
	}
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, fmt.Errorf("metrics: prometheus exporter: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	h := temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                mp.Meter("baton"),
		OnError:              onError,
		UseMonotonicCounters: true,
	})
	return &Metrics{handler: h, registry: reg, provider: mp}, nil
}

// Handler is the metrics handler for client.Options.MetricsHandler; workers
// built on that client report through it too.
func (m *Metrics) Handler() sdkclient.MetricsHandler { return m.handler }

// HTTPHandler serves the metrics in Prometheus' text format.
func (m *Metrics) HTTPHandler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Serve serves /metrics on host:port (port 0 picks a free one) until Close.
func (m *Metrics) Serve(host string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("metrics: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.HTTPHandler())
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.addr = l.Addr().String()
	m.done = make(chan error, 1)
	go func() { m.done <- m.srv.Serve(l) }()
	return nil
}

// URL is the metrics endpoint's URL, or "" when not served.
func (m *Metrics) URL() string {
	if m.addr == "" {
		return ""
	}
	return "http://" + m.addr + "/metrics"
}

// Close stops serving and shuts the meter provider down.
func (m *Metrics) Close(ctx context.Context) error {
	var errs []error
	if m.srv != nil {
		errs = append(errs, m.srv.Shutdown(ctx))
		if err := <-m.done; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, m.provider.Shutdown(ctx))
	return errors.Join(errs...)
}
