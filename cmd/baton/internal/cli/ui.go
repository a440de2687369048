package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/cmd/baton/internal/ui"
	"github.com/batonhq/baton/worker"
)

// defaultDAGPort is the DAG page's port under `baton dev` and `baton ui`.
const defaultDAGPort = 8234

func newUICmd(a *app) *cobra.Command {
	var cf connFlags
	var port int
	var temporalUI string
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Serve Baton's live DAG page for a Temporal cluster",
		Long: "UI serves Baton's live DAG page on 127.0.0.1 for the runs of a Temporal cluster:\n" +
			"a list of runs by Maestro status and workflow id, and each run's DAG coloured by\n" +
			"its steps' statuses as it runs. 'baton dev' serves it for its embedded server.",
		Example: "  baton ui --address temporal.example.com:7233 --namespace data\n" +
			"  TEMPORAL_ADDRESS=temporal.example.com:7233 baton ui --port 9000 --temporal-ui https://temporal.example.com",
		Args: cobra.NoArgs,
	}
	cf.register(cmd.Flags(), false)
	cmd.Flags().IntVar(&port, "port", defaultDAGPort, "serve the DAG page on 127.0.0.1 at this port")
	cmd.Flags().StringVar(&temporalUI, "temporal-ui", "", "the Temporal Web UI's URL, for links from a run to its workflow there")
	cmd.RunE = runE(func(*cobra.Command, []string) int {
		cn, err := a.connect(a.ctx, &cf)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton ui: %v\n", err)
			return exitRuntime
		}
		defer cn.Close()
		s, err := ui.New(a.ctx, ui.Options{Client: cn.tc, Namespace: cn.namespace, TemporalUI: temporalUI})
		if err == nil {
			err = s.Start("127.0.0.1", port)
		}
		if err != nil {
			fmt.Fprintf(a.errOut, "baton ui: %v\n", err)
			return exitRuntime
		}
		defer func() { _ = s.Close() }()
		fmt.Fprintf(a.out, "Baton DAG page at %s for %s (namespace %s); Ctrl-C to stop\n", s.URL(), cn.address, cn.namespace)
		<-a.ctx.Done()
		return exitOK
	})
	return cmd
}

// devExtras are what `baton dev` runs beside the server: the DAG page and,
// if asked, a Baton worker with metrics and tracing.
type devExtras struct {
	dagPort int
	worker  bool
	wf      workerFlags
	obs     obsFlags
	// otherWorker: dev runs a worker of its own (--local-kubernetes), so
	// --worker, --metrics-port and --otlp-endpoint are refused rather than
	// a second worker without its step types polling the same queue.
	otherWorker bool
}

func (d *devExtras) register(fs *pflag.FlagSet) {
	fs.IntVar(&d.dagPort, "dag-port", defaultDAGPort, "serve Baton's live DAG page on 127.0.0.1 at this port (0: off)")
	fs.BoolVar(&d.worker, "worker", false, "also run a Baton worker (built-in step types; Http steps refused); implied by --metrics-port and --otlp-endpoint")
	d.wf.register(fs, false)
	d.obs.register(fs, "127.0.0.1")
}

// start starts the extras for srv and returns a function that stops them.
func (d *devExtras) start(a *app, srv *devserver.Server) (func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if d.otherWorker && (d.worker || d.obs.metricsPort != 0 || d.obs.otlpEndpoint != "") {
		return stop, fmt.Errorf("--worker, --metrics-port and --otlp-endpoint cannot be combined with --local-kubernetes yet")
	}
	ob, err := d.obs.start(a.ctx, a.out)
	if err != nil {
		return stop, err
	}
	stops = append(stops, ob.close)
	if d.dagPort == 0 && !d.worker && ob == nil {
		return stop, nil
	}
	opts := sdkclient.Options{Logger: worker.NewLogger(a.logger())}
	ob.applyClient(&opts)
	tc, err := srv.NewClient(opts)
	if err != nil {
		stop()
		return nil, fmt.Errorf("connect to the embedded server: %w", err)
	}
	stops = append(stops, tc.Close)
	if d.worker || ob != nil {
		w, err := startWorker(&conn{tc: tc, obs: ob}, &d.wf)
		if err != nil {
			stop()
			return nil, err
		}
		stops = append(stops, w.Stop)
		fmt.Fprintf(a.out, "Baton worker polling %s\n", d.wf.taskQueue)
	}
	if d.dagPort != 0 {
		s, err := ui.New(a.ctx, ui.Options{Client: tc, Namespace: srv.Namespace(), TemporalUI: srv.UIAddress()})
		if err == nil {
			err = s.Start("127.0.0.1", d.dagPort)
		}
		if err != nil {
			stop()
			return nil, fmt.Errorf("DAG page (--dag-port 0 turns it off): %w", err)
		}
		stops = append(stops, func() { _ = s.Close() })
		fmt.Fprintf(a.out, "Baton DAG page at %s\n", s.URL())
	}
	return stop, nil
}
