package cli

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/cmd/baton/internal/devserver"
)

func newDevCmd(a *app) *cobra.Command {
	var opts devserver.Options
	var serverLevel string
	var localK8s bool
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a long-lived embedded Temporal server",
		Long: "Dev runs an embedded Temporal server (SQLite, in a temporary file or in --db FILE) until\n" +
			"interrupted, with Baton's search attributes registered, and optionally the\n" +
			"Temporal Web UI. Point other baton commands at it with --address or\n" +
			"TEMPORAL_ADDRESS. Baton's live DAG page runs beside it on 127.0.0.1:8234\n" +
			"(--dag-port 0: off); --worker runs a Baton worker in this process, which\n" +
			"--metrics-port and --otlp-endpoint observe.",
		Example: "  baton dev\n" +
			"  baton dev --db baton.db --ui-port 8233\n" +
			"  baton dev --dag-port 0 --worker --metrics-port 9090\n" +
			"  baton dev & TEMPORAL_ADDRESS=127.0.0.1:7233 baton run flow.json",
		Args: cobra.NoArgs,
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.DBFile, "db", "", "SQLite file so runs survive a restart (default a temporary file, deleted on exit)")
	fs.IntVar(&opts.Port, "port", 7233, "frontend port")
	fs.IntVar(&opts.UIPort, "ui-port", 0, "serve the Temporal Web UI on this port (0: off), if this build includes it")
	fs.StringVarP(&opts.Namespace, "namespace", "n", "default", "namespace to register")
	fs.StringVar(&serverLevel, "server-log-level", "off", "log level of the server ("+joinLevels()+")")
	fs.BoolVar(&localK8s, "local-kubernetes", false, "also run a Baton worker here, with "+localKubernetesHelp)
	var dx devExtras
	dx.register(fs)
	cmd.RunE = runE(func(*cobra.Command, []string) int {
		if !slices.Contains(logLevels, serverLevel) {
			return a.usage("dev", fmt.Errorf("--server-log-level %q: want one of %s", serverLevel, joinLevels()))
		}
		opts.Logger = a.serverLogger(serverLevel)
		srv, err := devserver.Start(a.ctx, opts)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton dev: %v\n", err)
			return exitRuntime
		}
		defer func() { _ = srv.Stop() }()
		if localK8s {
			stop, err := a.devWorker(srv)
			if err != nil {
				fmt.Fprintf(a.errOut, "baton dev: %v\n", err)
				return exitRuntime
			}
			defer stop()
		}
		store := "in a temporary file (runs are lost on exit)"
		if opts.DBFile != "" {
			store = "in " + opts.DBFile
		}
		fmt.Fprintf(a.out, "Temporal server at %s, namespace %s, state %s\n", srv.Address(), srv.Namespace(), store)
		if srv.UIAddress() != "" {
			fmt.Fprintf(a.out, "Web UI at %s\n", srv.UIAddress())
		}
		dx.otherWorker = localK8s
		stopExtras, err := dx.start(a, srv)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton dev: %v\n", err)
			return exitRuntime
		}
		defer stopExtras()
		fmt.Fprintf(a.out, "Run against it: TEMPORAL_ADDRESS=%s baton run FILE\nCtrl-C to stop.\n", srv.Address())
		<-a.ctx.Done()
		return exitOK
	})
	return cmd
}
