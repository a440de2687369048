package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/pflag"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	sdkworker "go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/batonhq/baton/activities/httpstep"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/worker"
)

// connFlags say where Temporal is. Settings come from the Temporal CLI's
// config file and environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE;
// read by go.temporal.io/sdk/contrib/envconfig), then the flags override
// them. With no address anywhere, commands that may do so start an
// embedded server.
type connFlags struct {
	fs         *pflag.FlagSet
	address    string
	namespace  string
	profile    string
	configFile string
	apiKey     string
	tls        bool
	tlsCert    string
	tlsKey     string
	tlsCA      string
	tlsServer  string
	tlsNoCheck bool

	// Only for commands that may start an embedded server.
	embedded    bool
	db          string
	serverLevel string
	// obs adds metrics and tracing to the client and its workers (nil: none).
	obs *observability
}

// register adds the connection flags; embedded adds --db and
// --server-log-level for commands that start an embedded server when no
// address is configured.
func (c *connFlags) register(fs *pflag.FlagSet, embedded bool) {
	c.fs = fs
	c.embedded = embedded
	addrHelp := "Temporal frontend host:port (env TEMPORAL_ADDRESS)"
	if embedded {
		addrHelp += "; none: start an embedded server"
	}
	fs.StringVar(&c.address, "address", "", addrHelp)
	fs.StringVarP(&c.namespace, "namespace", "n", "", `Temporal namespace (env TEMPORAL_NAMESPACE; default "default")`)
	fs.StringVar(&c.profile, "profile", "", "profile of the Temporal config file (env TEMPORAL_PROFILE)")
	fs.StringVar(&c.configFile, "config-file", "", "Temporal config file (env TEMPORAL_CONFIG_FILE; default <user config dir>/temporalio/temporal.toml)")
	fs.StringVar(&c.apiKey, "api-key", "", "API key; implies TLS (env TEMPORAL_API_KEY)")
	fs.BoolVar(&c.tls, "tls", false, "use TLS (env TEMPORAL_TLS; implied by the other --tls flags and --api-key)")
	fs.StringVar(&c.tlsCert, "tls-cert-path", "", "client certificate file, for mTLS (env TEMPORAL_TLS_CLIENT_CERT_PATH)")
	fs.StringVar(&c.tlsKey, "tls-key-path", "", "client key file, for mTLS (env TEMPORAL_TLS_CLIENT_KEY_PATH)")
	fs.StringVar(&c.tlsCA, "tls-ca-path", "", "CA certificate file to trust (env TEMPORAL_TLS_SERVER_CA_CERT_PATH)")
	fs.StringVar(&c.tlsServer, "tls-server-name", "", "TLS server name override (env TEMPORAL_TLS_SERVER_NAME)")
	fs.BoolVar(&c.tlsNoCheck, "tls-disable-host-verification", false, "do not verify the server's host name (env TEMPORAL_TLS_DISABLE_HOST_VERIFICATION)")
	// Baton's earlier names of the TLS file flags.
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		switch name {
		case "tls-cert", "tls-key", "tls-ca":
			name += "-path"
		}
		return pflag.NormalizedName(name)
	})
	if embedded {
		fs.StringVar(&c.db, "db", "", "embedded server: SQLite file so runs survive a restart (default a temporary file, deleted on exit)")
		fs.StringVar(&c.serverLevel, "server-log-level", "off", "embedded server: log level ("+joinLevels()+")")
	}
}

// profileConfig loads the config file profile and the environment, then
// applies the flags that were set.
func (c *connFlags) profileConfig() (envconfig.ClientConfigProfile, error) {
	prof, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{
		ConfigFilePath:    c.configFile,
		ConfigFileProfile: c.profile,
	})
	if err != nil {
		return prof, fmt.Errorf("read the Temporal client config: %w", err)
	}
	set := func(name string) bool { return c.fs != nil && c.fs.Changed(name) }
	if set("address") {
		prof.Address = c.address
	}
	if set("namespace") {
		prof.Namespace = c.namespace
	}
	if set("api-key") {
		prof.APIKey = c.apiKey
	}
	tlsFlags := []string{"tls", "tls-cert-path", "tls-key-path", "tls-ca-path", "tls-server-name", "tls-disable-host-verification"}
	for _, name := range tlsFlags {
		if !set(name) {
			continue
		}
		if prof.TLS == nil {
			prof.TLS = &envconfig.ClientConfigTLS{}
		}
		switch name {
		case "tls":
			prof.TLS.Disabled = !c.tls
		case "tls-cert-path":
			prof.TLS.ClientCertPath, prof.TLS.ClientCertData = c.tlsCert, nil
		case "tls-key-path":
			prof.TLS.ClientKeyPath, prof.TLS.ClientKeyData = c.tlsKey, nil
		case "tls-ca-path":
			prof.TLS.ServerCACertPath, prof.TLS.ServerCACertData = c.tlsCA, nil
		case "tls-server-name":
			prof.TLS.ServerName = c.tlsServer
		case "tls-disable-host-verification":
			prof.TLS.DisableHostVerification = c.tlsNoCheck
		}
	}
	if prof.Namespace == "" {
		prof.Namespace = "default"
	}
	return prof, nil
}

// conn is a connection to Temporal, and the embedded server if one runs.
type conn struct {
	tc        sdkclient.Client
	srv       *devserver.Server
	log       *zap.Logger
	address   string
	namespace string
	obs       *observability
}

func (c *conn) Close() {
	if c.tc != nil {
		c.tc.Close()
	}
	if c.srv != nil {
		_ = c.srv.Stop()
	}
	_ = c.log.Sync()
}

// connect dials the configured cluster, or starts an embedded server when
// no address is configured and the command allows it.
func (a *app) connect(ctx context.Context, c *connFlags) (*conn, error) {
	if c.embedded && !slices.Contains(logLevels, c.serverLevel) {
		return nil, fmt.Errorf("--server-log-level %q: want one of %s", c.serverLevel, joinLevels())
	}
	prof, err := c.profileConfig()
	if err != nil {
		return nil, err
	}
	cn := &conn{log: a.logger(), namespace: prof.Namespace}
	var opts sdkclient.Options
	if prof.Address == "" {
		if !c.embedded {
			return nil, fmt.Errorf("no Temporal address: set --address or TEMPORAL_ADDRESS (or use 'baton dev' for a local server)")
		}
		srv, err := devserver.Start(ctx, devserver.Options{DBFile: c.db, Namespace: prof.Namespace, Logger: a.serverLogger(c.serverLevel)})
		if err != nil {
			return nil, fmt.Errorf("start the embedded Temporal server: %w", err)
		}
		cn.srv = srv
		opts = sdkclient.Options{HostPort: srv.Address(), Namespace: prof.Namespace}
	} else if opts, err = prof.ToClientOptions(envconfig.ToClientOptionsRequest{}); err != nil {
		return nil, fmt.Errorf("read the Temporal client config: %w", err)
	}
	cn.address = opts.HostPort
	opts.Logger = worker.NewLogger(cn.log)
	c.obs.applyClient(&opts)
	cn.obs = c.obs
	tc, err := sdkclient.DialContext(ctx, opts)
	if err != nil {
		cn.Close()
		return nil, fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	cn.tc = tc
	return cn, nil
}

// serverLogger is the embedded server's logger: nil (quiet) unless asked.
func (a *app) serverLogger(level string) *zap.Logger {
	if level == "" || level == "off" {
		return nil
	}
	return a.newLogger(level)
}

// startWorker starts a Baton worker in this process.
func startWorker(cn *conn, wf *workerFlags) (sdkworker.Worker, error) {
	w, err := worker.New(cn.tc, worker.Options{
		TaskQueue: wf.taskQueue,
		HTTP:      &httpstep.Options{AllowedHosts: wf.httpAllow},
		StepTypes: wf.k8s.stepTypes(),
		Worker:    sdkworker.Options{Interceptors: cn.obs.workerInterceptors()},
	})
	if err != nil {
		return nil, err
	}
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return w, nil
}
