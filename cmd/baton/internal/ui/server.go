// Package ui serves Baton's live DAG page: a list of runs and, for each
// run, its DAG laid out by Graphviz with every step coloured by its
// status, updated live from the run's state query (server-sent events),
// loop steps with their iteration progress and inner DAG, subworkflow steps
// linking to their child run, and a panel with a step's params, attempts,
// errors and timings.
//
// It reads everything from Temporal (visibility, the baton.state query,
// the run's input in its history) through a Temporal client, so it works
// against the embedded server of `baton dev` and against any cluster
// (`baton ui --address`). It answers only requests whose Host header names
// a loopback host (localhost, 127.0.0.1, [::1]), so a web page elsewhere
// cannot reach it through DNS rebinding.
package ui

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/client"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a Server.
type Options struct {
	// Client reaches the Temporal frontend; required.
	Client sdkclient.Client
	// Namespace of the runs (default "default").
	Namespace string
	// TemporalUI is the Temporal Web UI's base URL ("http://host:port"),
	// for links from a run to its workflow there; "" for none.
	TemporalUI string
	// PollInterval is how often a watched run is queried (default 500 ms).
	PollInterval time.Duration
}

// Server is the DAG page's HTTP server.
type Server struct {
	tc         sdkclient.Client
	baton      *client.Client
	namespace  string
	temporalUI string
	poll       time.Duration
	pages      *template.Template
	layout     *layout
	plans      planCache

	http *http.Server
	addr string
	done chan error
}

// New builds a Server; Handler serves it, or Start listens.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.Client == nil {
		return nil, errors.New("ui: nil Temporal client")
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	pages, err := template.New("").Funcs(template.FuncMap{"runURL": runURL}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("ui: templates: %w", err)
	}
	l, err := newLayout(ctx)
	if err != nil {
		return nil, err
	}
	return &Server{tc: opts.Client, baton: client.New(opts.Client, client.Options{}), namespace: opts.Namespace, temporalUI: opts.TemporalUI, poll: opts.PollInterval, pages: pages, layout: l}, nil
}

// Handler is the page's HTTP handler, behind the loopback Host check.
func (s *Server) Handler() http.Handler {
	static, _ := fs.Sub(staticFS, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.handleRuns)
	mux.HandleFunc("GET /run", s.handleRun)
	mux.HandleFunc("GET /api/runs", s.handleAPIRuns)
	mux.HandleFunc("GET /api/state", s.handleAPIState)
	mux.HandleFunc("GET /api/graph.svg", s.handleGraph)
	mux.HandleFunc("GET /api/events", s.handleEvents)
	return loopbackOnly(mux)
}

// Start serves on host:port (port 0 picks a free one) until Close. host
// must be a loopback address.
func (s *Server) Start(host string, port int) error {
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("ui: %s is not a loopback address; the DAG page serves loopback only", host)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("ui: listen: %w", err)
	}
	s.http = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.addr = l.Addr().String()
	s.done = make(chan error, 1)
	go func() { s.done <- s.http.Serve(l) }()
	return nil
}

// URL is the page's base URL once started ("http://host:port").
func (s *Server) URL() string { return "http://" + s.addr }

// Close stops serving (open event streams end) and frees the layout engine.
func (s *Server) Close() error {
	var errs []error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, s.http.Close())
		}
		if err := <-s.done; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, s.layout.close())
	return errors.Join(errs...)
}

// loopbackOnly refuses requests whose Host header is not a loopback name,
// which defeats DNS rebinding.
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "baton ui: forbidden host "+strconv.Quote(r.Host)+": the DAG page answers loopback names only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// runURL is the page of a run.
func runURL(id, runID string) string {
	v := url.Values{"id": {id}}
	if runID != "" {
		v.Set("run", runID)
	}
	return "/run?" + v.Encode()
}
