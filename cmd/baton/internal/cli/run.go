package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
)

func newRunCmd(a *app) *cobra.Command {
	var cf connFlags
	var wf workerFlags
	var rf runFlags
	cmd := &cobra.Command{
		Use:   "run FILE [-p name=value]...",
		Short: "Run a definition and watch it finish",
		Long: "Run validates and compiles a Maestro definition, starts it and prints each step's\n" +
			"status change, then a table. It starts an embedded Temporal server unless an\n" +
			"address is configured, and a worker in this process unless --no-worker.",
		Example: "  baton run flow.json -p x=1 -p 'names=[\"a\",\"b\"]'\n" +
			"  baton run flow.json --output json\n" +
			"  baton run flow.json --address temporal.example.com:7233 --namespace data --no-worker",
		Args: exactArgs(1, "one definition FILE"),
	}
	cf.register(cmd.Flags(), true)
	wf.register(cmd.Flags(), true)
	rf.register(cmd)
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		return a.run(&cf, &wf, &rf, args[0])
	})
	return cmd
}

func (a *app) run(cf *connFlags, wf *workerFlags, rf *runFlags, file string) int {
	ctx, out, errOut := a.ctx, a.out, a.errOut
	if err := rf.output.validate(); err != nil {
		return a.usage("run", err)
	}
	plan, ok := loadPlan(file, errOut)
	if !ok {
		return exitFailed
	}
	runParams, err := client.ParseRunParams(plan, rf.params)
	if err != nil {
		return a.usage("run", err)
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(errOut, "warning: %s\n", w)
	}

	cn, err := a.connect(ctx, cf)
	if err != nil {
		fmt.Fprintf(errOut, "baton run: %v\n", err)
		return exitRuntime
	}
	defer cn.Close()
	if !rf.noWorker {
		w, err := startWorker(cn, wf)
		if err != nil {
			fmt.Fprintf(errOut, "baton run: %v\n", err)
			return exitRuntime
		}
		defer w.Stop()
	}
	bc := client.New(cn.tc, client.Options{TaskQueue: wf.taskQueue, EagerStart: !rf.noWorker, Namespace: cn.namespace})
	run, err := bc.Start(ctx, plan, client.StartOptions{RunParams: runParams, RequestID: rf.requestID})
	if err != nil {
		fmt.Fprintf(errOut, "baton run: %v\n", err)
		return exitFailed
	}
	if rf.output.value == "table" {
		fmt.Fprintf(out, "started %s (workflow %s, run %s)\n", plan.WorkflowID, run.ID(), run.RunID())
	}
	return a.watchRun(run, watchOptions{cmd: "run", output: rf.output.value, loops: loopSteps(plan)})
}

// usage prints a usage error found by a command body and returns exitUsage.
func (a *app) usage(cmd string, err error) int {
	fmt.Fprintf(a.errOut, "baton %s: %v\nRun 'baton %s --help' for usage.\n", cmd, err, cmd)
	return exitUsage
}
