package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/cmd/baton/internal/ui"
	"github.com/batonhq/baton/worker"
)

// defaultDAGPort is the DAG page's port under `baton dev` and `baton ui`.
const defaultDAGPort = 8234

func uiCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("ui", errOut, "--address HOST:PORT [--port N] [--temporal-ui URL]")
	var cf connFlags
	cf.register(fs)
	port := fs.Int("port", defaultDAGPort, "serve the DAG page on 127.0.0.1 at this port")
	temporalUI := fs.String("temporal-ui", "", "the Temporal Web UI's URL, for links from a run to its workflow there")
	if _, err := parseArgs(fs, args); err != nil {
		return flagError(err)
	}
	if cf.address == "" {
		fmt.Fprintln(errOut, "baton ui: --address is required ('baton dev' serves the DAG page for its embedded server)")
		return exitUsage
	}
	cn, err := cf.connect(ctx)
	if err != nil {
		fmt.Fprintf(errOut, "baton ui: %v\n", err)
		return exitRuntime
	}
	defer cn.Close()
	s, err := ui.New(ctx, ui.Options{Client: cn.tc, Namespace: cf.namespace, TemporalUI: *temporalUI})
	if err == nil {
		err = s.Start("127.0.0.1", *port)
	}
	if err != nil {
		fmt.Fprintf(errOut, "baton ui: %v\n", err)
		return exitRuntime
	}
	defer func() { _ = s.Close() }()
	fmt.Fprintf(out, "Baton DAG page at %s for %s (namespace %s); Ctrl-C to stop\n", s.URL(), cf.address, cf.namespace)
	<-ctx.Done()
	return exitOK
}

// devExtras are what `baton dev` runs beside the server: the DAG page and,
// if asked, a Baton worker with metrics and tracing.
type devExtras struct {
	dagPort int
	worker  bool
	obs     obsFlags
}

func (d *devExtras) register(fs *flag.FlagSet) {
	fs.IntVar(&d.dagPort, "dag-port", defaultDAGPort, "serve Baton's live DAG page on 127.0.0.1 at this port (0: off)")
	fs.BoolVar(&d.worker, "worker", false, "also run a Baton worker (built-in step types; Http with --http-allow); implied by --metrics-port and --otlp-endpoint")
	d.obs.register(fs, "127.0.0.1")
}

// start starts the extras for srv and returns a function that stops them.
func (d *devExtras) start(ctx context.Context, cf *connFlags, srv *devserver.Server, out io.Writer) (func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if d.dagPort == 0 && !d.worker && d.obs.metricsPort == 0 && d.obs.otlpEndpoint == "" {
		return stop, nil
	}
	ob, err := d.obs.start(ctx, out)
	if err != nil {
		return stop, err
	}
	stops = append(stops, ob.close)
	opts := sdkclient.Options{Logger: worker.NewLogger(cf.logger())}
	ob.applyClient(&opts)
	tc, err := srv.NewClient(opts)
	if err != nil {
		stop()
		return nil, fmt.Errorf("connect to the embedded server: %w", err)
	}
	stops = append(stops, tc.Close)
	if d.worker || ob != nil {
		cf.obs = ob
		w, err := cf.startWorker(&conn{tc: tc})
		if err != nil {
			stop()
			return nil, err
		}
		stops = append(stops, w.Stop)
		fmt.Fprintf(out, "Baton worker polling %s\n", cf.taskQueue)
	}
	if d.dagPort != 0 {
		s, err := ui.New(ctx, ui.Options{Client: tc, Namespace: srv.Namespace(), TemporalUI: srv.UIAddress()})
		if err == nil {
			err = s.Start("127.0.0.1", d.dagPort)
		}
		if err != nil {
			stop()
			return nil, fmt.Errorf("DAG page (--dag-port 0 turns it off): %w", err)
		}
		stops = append(stops, func() { _ = s.Close() })
		fmt.Fprintf(out, "Baton DAG page at %s\n", s.URL())
	}
	return stop, nil
}
