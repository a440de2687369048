package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newWorkerCmd(a *app) *cobra.Command {
	var cf connFlags
	var wf workerFlags
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run a Baton worker against a Temporal cluster",
		Long: "Worker polls the Baton task queue of a Temporal cluster until interrupted. The\n" +
			"address comes from --address, TEMPORAL_ADDRESS or a Temporal config profile.",
		Example: "  baton worker --address temporal.example.com:7233 --namespace data\n" +
			"  TEMPORAL_ADDRESS=temporal.example.com:7233 baton worker --http-allow api.example.com\n" +
			"  baton worker --profile cloud\n" +
			"  baton worker --address temporal.example.com:7233 --metrics-port 9090 --otlp-endpoint http://localhost:4317",
		Args: cobra.NoArgs,
	}
	cf.register(cmd.Flags(), false)
	wf.register(cmd.Flags(), true)
	var of obsFlags
	of.register(cmd.Flags(), "")
	cmd.RunE = runE(func(*cobra.Command, []string) int {
		ob, err := of.start(a.ctx, a.out)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton worker: %v\n", err)
			return exitRuntime
		}
		defer ob.close()
		cf.obs = ob
		cn, err := a.connect(a.ctx, &cf)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton worker: %v\n", err)
			return exitRuntime
		}
		defer cn.Close()
		w, err := startWorker(cn, &wf)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton worker: %v\n", err)
			return exitRuntime
		}
		fmt.Fprintf(a.out, "baton worker polling %s on %s (namespace %s); Ctrl-C to stop\n", wf.taskQueue, cn.address, cn.namespace)
		<-a.ctx.Done()
		w.Stop()
		return exitOK
	})
	return cmd
}
