// Package devserver runs a real Temporal server in-process, backed by SQLite,
// for a single machine: the server `baton` starts when no --address is given,
// and the one Baton's integration tests use.
//
// The server keeps its state in a temporary SQLite file that Stop deletes
// (Options.DBFile == ""; store.go says why not SQLite's in-memory mode) or
// in a SQLite file of the caller's, so runs survive a restart. With ProfileTuned (the default) it uses dynamic config
// chosen for latency on one machine; ProfileDefault keeps Temporal's defaults
// (the naive baseline for benchmarks).
//
// Start workflows with client.StartWorkflowOptions.EnableEagerStart when a
// worker shares the client: it saves a trip through matching and avoids a
// rare run.Get stall (see TunedDynamicConfig).
//
// Services use static membership (no ringpop) and no metrics or pprof
// listeners; only the frontend's gRPC port (and the Web UI port, if asked
// for) is meant for clients. Note that the server's sqlite plugin keeps a
// database connection open for the life of the process, even after Stop: a
// file stays open, and a temporary one that Stop deleted keeps its space
// until the process exits.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"go.uber.org/zap"

	"github.com/batonhq/baton/workflows"
)

// Profile selects the server's dynamic config.
type Profile int

const (
	// ProfileTuned uses TunedDynamicConfig: settings for low latency on one machine.
	ProfileTuned Profile = iota
	// ProfileDefault keeps Temporal's default dynamic config (plus one history
	// shard, which every SQLite dev server uses). It is the naive baseline.
	ProfileDefault
)

func (p Profile) String() string {
	switch p {
	case ProfileTuned:
		return "tuned"
	case ProfileDefault:
		return "default"
	}
	return "Profile(" + strconv.Itoa(int(p)) + ")"
}

// Options configure Start. The zero value is a tuned, quiet, in-memory server
// on 127.0.0.1 on a free port with namespace "default".
type Options struct {
	// DBFile is the SQLite database file. A missing file is created (mode
	// 0600) with the schema; an existing one is reused, so workflows and
	// their histories survive a restart. "" keeps the state in a new
	// temporary file in TempDir, deleted by Stop (and, after a crash, by
	// the next server that finds it).
	DBFile string
	// TempDir is where a server without DBFile keeps its temporary
	// database. "" is $TMPDIR if set, else, on Linux, /dev/shm (memory)
	// when it is writable with 1 GiB free, else os.TempDir().
	TempDir string
	// InMemory keeps the state in SQLite's in-memory mode instead of a
	// temporary file (no file at all, but about twice the CPU a run costs;
	// store.go). It was the default before session 10; the benchmark
	// offers it to compare.
	InMemory bool
	// Host is the address the frontend binds to (default 127.0.0.1).
	Host string
	// Port is the frontend gRPC port (0 = pick a free port).
	Port int
	// Namespace is registered if missing (default "default").
	Namespace string
	// Logger receives the server's logs. nil discards them.
	Logger *zap.Logger
	// Profile chooses tuned (default) or Temporal's default dynamic config.
	Profile Profile
	// ExtraDynamicConfig is applied on top of the profile; keys are dynamic
	// config names such as "history.longPollExpirationInterval", values
	// plain values (int, bool, float64, string, time.Duration, ...).
	ExtraDynamicConfig map[string]any
	// UIPort, when set, serves the Temporal Web UI on Host:UIPort, if this
	// build includes it (see UIAvailable).
	UIPort int
	// Metrics receives the server's metrics (nil: none are kept).
	Metrics metrics.Handler
}

// metricsHandler is opts.Metrics, or one that keeps nothing.
func metricsHandler(opts Options) metrics.Handler {
	if opts.Metrics == nil {
		return metrics.NoopMetricsHandler
	}
	return opts.Metrics
}

// SearchAttributes are Baton's custom search attributes
// (workflows.SearchAttributeKeys), registered on the namespace: when Start
// creates it, and added when a database file's namespace lacks them.
var SearchAttributes = func() map[string]enumspb.IndexedValueType {
	m := map[string]enumspb.IndexedValueType{}
	for _, k := range workflows.SearchAttributeKeys() {
		m[k.GetName()] = k.GetValueType()
	}
	return m
}()

// TunedDynamicConfig returns the dynamic config of ProfileTuned.
//
//   - history.transferProcessorMaxPollRPS = 1000: with one history shard the
//     transfer queue reader is limited to 20 polls/s by default, so each
//     dispatch through matching (workflow task, activity task) waits up to
//     50 ms for the next poll. 1000 removes the wait.
//   - history.timerProcessorMaxPollRPS = 1000: the same for timers (sleeps,
//     retry backoff, timeouts).
//   - matching.numTaskqueue{Read,Write}Partitions = 1: with the default four
//     partitions a poller and a task can sit on different partitions and are
//     only matched through forwarding; on one machine that causes occasional
//     stalls of seconds.
//   - system.enableActivityEagerExecution / system.enableEagerWorkflowStart:
//     hand the first activity task / workflow task back in the response
//     instead of a trip through matching (both default true in v1.32.1; set
//     explicitly so an override is visible).
//   - history.longPollExpirationInterval = 1s (default 20s): bounds a lost
//     wakeup in server v1.32.1. A waiting GetWorkflowExecutionHistory (the
//     SDK's run.Get) subscribes to the history event notifier with a
//     1-slot channel, and the notifier drops a notification when that slot
//     is full (service/history/events/notifier.go). Most likely, without
//     eager start a stale "workflow task started" notification fills the
//     slot just before the "workflow completed" one, which is then dropped,
//     so run.Get waits until the long poll expires (more often under CPU
//     contention). A shorter expiry does not avoid the
//     race; it caps the stall (the SDK simply polls again). Eager workflow
//     start avoids it: then one notification reaches the poll.
//
// Left at their defaults on purpose, because raising them made an empty
// workflow slower (measured, interleaved runs): the visibility queue poll
// rate (1000 adds ~2 ms: visibility writes then compete with the workflow for
// the single SQLite connection) and system.forceSearchAttributesCacheRefreshOnRead
// (a database read on every start, ~1 ms).
func TunedDynamicConfig() map[string]any {
	return map[string]any{
		"history.transferProcessorMaxPollRPS":  1000,
		"history.timerProcessorMaxPollRPS":     1000,
		"matching.numTaskqueueReadPartitions":  1,
		"matching.numTaskqueueWritePartitions": 1,
		"system.enableActivityEagerExecution":  true,
		"system.enableEagerWorkflowStart":      true,
		"history.longPollExpirationInterval":   time.Second,
	}
}

// Server is a running in-process Temporal server.
type Server struct {
	srv       temporal.Server
	address   string
	namespace string
	ui        *uiServer
	uiAddress string

	tempDB string // the temporary database Stop deletes, if any

	stopOnce sync.Once
	stopErr  error
}

// Start starts a Temporal server and returns once its frontend answers for
// the namespace, or ctx is done.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.UIPort != 0 && !UIAvailable {
		return nil, errors.New("devserver: this build of baton does not include the Temporal Web UI")
	}
	if opts.Port == 0 {
		p, err := FreePort(opts.Host)
		if err != nil {
			return nil, err
		}
		opts.Port = p
	}
	logger := log.Logger(log.NewNoopLogger())
	if opts.Logger != nil {
		logger = log.NewZapLogger(opts.Logger)
	}

	var tempDB string
	if opts.DBFile == "" && !opts.InMemory {
		tempDB = tempDBPath(opts.TempDir)
		opts.DBFile = tempDB
	}
	// Until the server is up, a failed start deletes its temporary database.
	started := false
	defer func() {
		if !started && tempDB != "" {
			_ = removeTempDB(tempDB)
		}
	}()
	sqlCfg, err := storeConfig(opts, tempDB != "")
	if err != nil {
		return nil, err
	}
	cfg, hosts, err := serverConfig(opts, sqlCfg)
	if err != nil {
		return nil, err
	}
	if opts.DBFile != "" { // in memory, the plugin sets up the schema
		if err := setupFile(opts.DBFile, sqlCfg); err != nil {
			return nil, err
		}
	}
	nsCfg, err := sqliteschema.NewNamespaceConfig(cfg.ClusterMetadata.CurrentClusterName, opts.Namespace, false, SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("devserver: namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(sqlCfg, nsCfg); err != nil {
		return nil, fmt.Errorf("devserver: create namespace %q: %w", opts.Namespace, err)
	}

	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("devserver: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("devserver: claim mapper: %w", err)
	}

	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig(opts)),
		temporal.WithCustomMetricsHandler(metricsHandler(opts)),
	)
	if err != nil {
		return nil, fmt.Errorf("devserver: new server: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("devserver: start: %w", err)
	}
	s := &Server{
		srv:       srv,
		address:   net.JoinHostPort(clientHost(opts.Host), strconv.Itoa(opts.Port)),
		namespace: opts.Namespace,
		tempDB:    tempDB,
	}
	started = true // from here Stop deletes it
	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	if opts.DBFile != "" && tempDB == "" { // a new database has them from its namespace config
		if err := s.addSearchAttributes(ctx); err != nil {
			_ = s.Stop()
			return nil, err
		}
	}
	if opts.UIPort != 0 {
		ui, err := startUI(ctx, opts.Host, opts.UIPort, s.address, s.namespace)
		if err != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("devserver: web UI: %w", err)
		}
		s.ui = ui
		s.uiAddress = "http://" + net.JoinHostPort(clientHost(opts.Host), strconv.Itoa(opts.UIPort))
	}
	return s, nil
}

// Address returns host:port of the frontend, for client.Options.HostPort.
func (s *Server) Address() string { return s.address }

// UIAddress returns the Web UI's URL ("http://host:port"), or "" when
// Options.UIPort was 0.
func (s *Server) UIAddress() string { return s.uiAddress }

// Namespace returns the namespace Start registered.
func (s *Server) Namespace() string { return s.namespace }

// NewClient dials the server. HostPort is always this server's address;
// Namespace defaults to the server's namespace; ConnectionOptions.GrpcCompression
// defaults to none (the SDK's own default is gzip): the client and the
// server share this process, so compressing what goes between them over
// loopback costs CPU on both ends and saves nothing (a 300-step
// local-activity run spent about 2 ms of CPU a run on gzip, README,
// Performance). Set it to &client.GrpcCompressionGzip{} to compress anyway.
func (s *Server) NewClient(opts client.Options) (client.Client, error) {
	opts.HostPort = s.address
	if opts.Namespace == "" {
		opts.Namespace = s.namespace
	}
	if opts.ConnectionOptions.GrpcCompression == nil {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	return client.Dial(opts)
}

// Stop shuts the server down. It is safe to call more than once; later calls
// return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		if s.ui != nil {
			errs = append(errs, s.ui.Stop())
		}
		errs = append(errs, s.srv.Stop())
		if s.tempDB != "" {
			errs = append(errs, removeTempDB(s.tempDB))
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// waitReady polls the frontend until it answers DescribeNamespace.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := client.NewLazyClient(client.Options{HostPort: s.address, Namespace: s.namespace, Logger: quietSDKLogger{}})
	if err != nil {
		return fmt.Errorf("devserver: client: %w", err)
	}
	defer c.Close()
	var lastErr error
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, time.Second)
		_, lastErr = c.WorkflowService().DescribeNamespace(attempt, &workflowservice.DescribeNamespaceRequest{Namespace: s.namespace})
		cancelAttempt()
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: frontend %s not ready: %w (last error: %v)", s.address, ctx.Err(), lastErr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// addSearchAttributes registers those of SearchAttributes that the
// namespace lacks (a database file from an older baton).
func (s *Server) addSearchAttributes(ctx context.Context) error {
	c, err := client.NewLazyClient(client.Options{HostPort: s.address, Namespace: s.namespace, Logger: quietSDKLogger{}})
	if err != nil {
		return fmt.Errorf("devserver: client: %w", err)
	}
	defer c.Close()
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: s.namespace})
	if err != nil {
		return fmt.Errorf("devserver: list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range SearchAttributes {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: s.namespace, SearchAttributes: missing})
	if err != nil {
		return fmt.Errorf("devserver: add search attributes: %w", err)
	}
	return nil
}

func dynamicConfig(opts Options) dynamicconfig.StaticClient {
	dc := dynamicconfig.StaticClient{}
	if opts.Profile == ProfileTuned {
		for k, v := range TunedDynamicConfig() {
			dc[dynamicconfig.MakeKey(k)] = v
		}
	}
	for k, v := range opts.ExtraDynamicConfig {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	return dc
}

// serverConfig builds the static config of a one-host, one-shard server,
// modelled on go.temporal.io/server/temporaltest, around its store.
func serverConfig(opts Options, sqlCfg *config.SQL) (*config.Config, map[primitives.ServiceName]static.Hosts, error) {
	const broadcast = "127.0.0.1"
	frontend := net.JoinHostPort(clientHost(opts.Host), strconv.Itoa(opts.Port))
	cfg := &config.Config{}
	cfg.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: broadcast}
	cfg.Persistence = config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
	}
	cfg.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        "active",
		CurrentClusterName:       "active",
		ClusterInformation: map[string]cluster.ClusterInformation{
			"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
		},
	}
	cfg.DCRedirectionPolicy = config.DCRedirectionPolicy{Policy: "noop"}
	// Static membership: ringpop would bootstrap from the membership rows a
	// previous process left in a database file and stay split for a while
	// ("Not enough hosts to serve the request"); see temporalio/cli#632.
	cfg.Services = map[string]config.Service{}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for _, name := range []primitives.ServiceName{primitives.FrontendService, primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		rpc := config.RPC{BindOnLocalHost: true}
		addr := frontend
		if name == primitives.FrontendService {
			rpc.GRPCPort = opts.Port
			if opts.Host != "127.0.0.1" && opts.Host != "localhost" {
				rpc.BindOnLocalHost = false
				rpc.BindOnIP = opts.Host
			}
		} else {
			var err error
			if rpc.GRPCPort, err = FreePort(broadcast); err != nil {
				return nil, nil, err
			}
			addr = net.JoinHostPort(broadcast, strconv.Itoa(rpc.GRPCPort))
		}
		cfg.Services[string(name)] = config.Service{RPC: rpc}
		hosts[name] = static.SingleLocalHost(addr)
	}
	cfg.Archival = config.Archival{
		History:    config.HistoryArchival{State: "disabled"},
		Visibility: config.VisibilityArchival{State: "disabled"},
	}
	cfg.NamespaceDefaults = config.NamespaceDefaults{
		Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		},
	}
	// The server's internal clients dial the frontend through PublicClient.
	cfg.PublicClient = config.PublicClient{HostPort: frontend}
	return cfg, hosts, nil
}

// allowedUIHost reports whether a request's Host header names this machine's
// loopback interface (localhost, *.localhost, 127.0.0.0/8, ::1) or the
// address the UI is bound to (bind, when it is an IP address other than the
// unspecified one). A page served from any other name that reaches the UI
// (by rebinding its DNS name to 127.0.0.1) is refused.
func allowedUIHost(hostHeader, bind string) bool {
	h := hostHeader
	if host, _, err := net.SplitHostPort(hostHeader); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	b := net.ParseIP(strings.Trim(bind, "[]"))
	return b != nil && !b.IsUnspecified() && b.Equal(ip)
}

// bounded cuts s to at most n bytes, for error messages.
func bounded(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// clientHost is the host a client on this machine dials to reach a server
// bound to host.
func clientHost(host string) string {
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		return "127.0.0.1"
	}
	return host
}

// Ports the server picks for itself come from below Linux's default
// ephemeral range (32768-60999). A port from that range, free when
// checked, can be taken by any outgoing connection before the server
// binds it; Temporal's frontend then serves a nil listener and the
// process panics (seen when test packages ran servers side by side).
const (
	pickPortMin  = 20000
	pickPortSpan = 12000
)

// givenPorts are the ports FreePort handed out in this process: a server
// binds its ports a while after it picks them, so a later pick (the same
// server's next service, or another server) must not take one again.
var givenPorts = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// FreePort finds a TCP port on host that is free now and that this process
// has not handed out before, preferring one outside the ephemeral range,
// else whatever the kernel gives. Each process starts its picks in its own
// part of the range (by process id), so test binaries that run servers
// side by side rarely pick the same port in the moment before binding it.
func FreePort(host string) (int, error) {
	givenPorts.Lock()
	defer givenPorts.Unlock()
	slice := pickPortSpan / 16
	base := (os.Getpid() % 16) * slice
	for i := range 64 {
		off := rand.IntN(slice)
		if i >= 32 { // this process's part is busy: anywhere in the range
			off = rand.IntN(pickPortSpan) - base
		}
		p := pickPortMin + (base+off+pickPortSpan)%pickPortSpan
		if givenPorts.m[p] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort(clientHost(host), strconv.Itoa(p)))
		if err == nil {
			_ = l.Close()
			givenPorts.m[p] = true
			return p, nil
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort(clientHost(host), "0"))
	if err != nil {
		return 0, fmt.Errorf("devserver: find a free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// quietSDKLogger discards the SDK client's logs during the readiness probe.
type quietSDKLogger struct{}

func (quietSDKLogger) Debug(string, ...any) {}
func (quietSDKLogger) Info(string, ...any)  {}
func (quietSDKLogger) Warn(string, ...any)  {}
func (quietSDKLogger) Error(string, ...any) {}
