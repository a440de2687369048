package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"

	sdkclient "go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/batonhq/baton/activities/httpstep"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/worker"
)

// connFlags say where Temporal is: an embedded server (no --address) or a
// cluster, e.g. Temporal Cloud with TLS and an API key.
type connFlags struct {
	address   string
	namespace string
	taskQueue string
	tls       bool
	tlsCert   string
	tlsKey    string
	tlsCA     string
	apiKey    string
	db        string
	verbose   bool
	httpAllow stringList
	// obs adds metrics and tracing to the client and worker (nil: none).
	obs *observability
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.address, "address", "", "Temporal frontend host:port (default: start an embedded server)")
	fs.StringVar(&c.namespace, "namespace", "default", "Temporal namespace")
	fs.StringVar(&c.taskQueue, "task-queue", worker.DefaultTaskQueue, "task queue of the Baton workers")
	fs.BoolVar(&c.tls, "tls", false, "use TLS to reach --address (implied by --tls-cert or --api-key)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "client certificate file (mTLS)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "client key file (mTLS)")
	fs.StringVar(&c.tlsCA, "tls-ca", "", "CA certificate file to trust")
	fs.StringVar(&c.apiKey, "api-key", os.Getenv("TEMPORAL_API_KEY"), "API key (default $TEMPORAL_API_KEY)")
	fs.StringVar(&c.db, "db", "", "embedded server: SQLite file so runs survive a restart (default in memory)")
	fs.BoolVar(&c.verbose, "v", false, "log the Temporal SDK and server to stderr")
	fs.Var(&c.httpAllow, "http-allow", "a host (host, host:port or *.suffix) Http steps may call; repeatable; none means every Http request is refused")
}

// conn is a connection to Temporal, and the embedded server if one runs.
type conn struct {
	tc  sdkclient.Client
	srv *devserver.Server
	log *zap.Logger
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

func (c *connFlags) logger() *zap.Logger {
	if !c.verbose {
		return zap.NewNop()
	}
	l, err := zap.NewDevelopment()
	if err != nil {
		return zap.NewNop()
	}
	return l
}

func (c *connFlags) connect(ctx context.Context) (*conn, error) {
	cn := &conn{log: c.logger()}
	opts := sdkclient.Options{
		HostPort:  c.address,
		Namespace: c.namespace,
		Logger:    worker.NewLogger(cn.log),
	}
	c.obs.applyClient(&opts)
	if c.address == "" {
		srvOpts := devserver.Options{DBFile: c.db, Namespace: c.namespace}
		if c.verbose {
			srvOpts.Logger = cn.log
		}
		srv, err := devserver.Start(ctx, srvOpts)
		if err != nil {
			return nil, fmt.Errorf("start the embedded Temporal server: %w", err)
		}
		cn.srv = srv
		opts.HostPort = srv.Address()
	} else {
		tlsCfg, err := c.tlsConfig()
		if err != nil {
			cn.Close()
			return nil, err
		}
		opts.ConnectionOptions.TLS = tlsCfg
		if c.apiKey != "" {
			opts.Credentials = sdkclient.NewAPIKeyStaticCredentials(c.apiKey)
		}
	}
	tc, err := sdkclient.DialContext(ctx, opts)
	if err != nil {
		cn.Close()
		return nil, fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	cn.tc = tc
	return cn, nil
}

func (c *connFlags) tlsConfig() (*tls.Config, error) {
	if !c.tls && c.tlsCert == "" && c.tlsCA == "" && c.apiKey == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.tlsCert != "" || c.tlsKey != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("load --tls-cert/--tls-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if c.tlsCA != "" {
		pem, err := os.ReadFile(c.tlsCA)
		if err != nil {
			return nil, fmt.Errorf("read --tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca %s: no certificates found", c.tlsCA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// startWorker starts a Baton worker in this process.
func (c *connFlags) startWorker(cn *conn) (sdkworker.Worker, error) {
	w, err := worker.New(cn.tc, worker.Options{
		TaskQueue: c.taskQueue,
		HTTP:      &httpstep.Options{AllowedHosts: c.httpAllow},
		Worker:    sdkworker.Options{Interceptors: c.obs.workerInterceptors()},
	})
	if err != nil {
		return nil, err
	}
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return w, nil
}
