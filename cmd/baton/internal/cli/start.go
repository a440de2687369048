package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
)

func newStartCmd(a *app) *cobra.Command {
	var cf connFlags
	var wf workerFlags
	var rf runFlags
	var version string
	cmd := &cobra.Command{
		Use:   "start ID [--version SEL] [-p name=value]...",
		Short: "Start a registered workflow by id and version",
		Long: "Start runs a version of a registered workflow and watches it, as 'baton run'\n" +
			"does. " + registryStoreHelp + ".",
		Example: "  baton start my-flow --db baton.db -p x=4\n" +
			"  baton start my-flow --version latest --output json",
		Args: exactArgs(1, "one workflow ID"),
	}
	cf.register(cmd.Flags(), true)
	wf.register(cmd.Flags(), true)
	cmd.Flags().StringVar(&version, "version", "active", "version: active, latest, default (active, else latest) or a number")
	rf.register(cmd)
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		if err := rf.output.validate(); err != nil {
			return a.usage("start", err)
		}
		cn, w, bc, code := a.registryConn(a.ctx, "start", &cf, &wf, rf.noWorker)
		if code != exitOK {
			return code
		}
		defer closeConn(cn, w)
		req, v, err := bc.Registry().Get(a.ctx, args[0], version)
		if err != nil {
			return a.registryError("start", err)
		}
		src := fmt.Sprintf("%s@%d", v.WorkflowID, v.Version)
		plan, err := bc.Compile(req)
		if err != nil {
			printErrors(a.errOut, src, err)
			return exitFailed
		}
		runParams, err := client.ParseRunParams(plan, rf.params)
		if err != nil {
			return a.usage("start", err)
		}
		for _, warn := range plan.Warnings {
			fmt.Fprintf(a.errOut, "warning: %s\n", warn)
		}
		run, err := bc.Start(a.ctx, plan, client.StartOptions{RunParams: runParams, RequestID: rf.requestID, Version: int64(v.Version), Queued: true})
		if err != nil {
			fmt.Fprintf(a.errOut, "baton start: %v\n", err)
			return exitFailed
		}
		if rf.output.value == "table" {
			fmt.Fprintf(a.out, "started %s version %d (workflow %s, run %s)\n", v.WorkflowID, v.Version, run.ID(), run.RunID())
			printAdmission(a.out, run)
		}
		return a.watchRun(run, watchOptions{cmd: "start", output: rf.output.value, loops: loopSteps(plan)})
	})
	return cmd
}
