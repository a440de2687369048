package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
)

func newPushCmd(a *app) *cobra.Command {
	var cf connFlags
	var wf workerFlags
	var noWorker bool
	cmd := &cobra.Command{
		Use:   "push FILE",
		Short: "Push a definition to the registry (a new version)",
		Long: "Push stores a definition as the next version of its workflow id; its is_active\n" +
			"(default true) decides whether that version becomes the active one; an active\n" +
			"version's run strategy and time triggers take effect (see 'baton activate').\n" + registryStoreHelp + ".",
		Example: "  baton push flow.json --db baton.db\n" +
			"  baton push flow.json --address temporal.example.com:7233",
		Args: exactArgs(1, "one definition FILE"),
	}
	cf.register(cmd.Flags(), true)
	wf.register(cmd.Flags(), false)
	registerNoWorker(cmd.Flags(), &noWorker)
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		file := args[0]
		req, err := definition.DecodeFile(file)
		if err != nil {
			printErrors(a.errOut, file, err)
			return exitFailed
		}
		check := registry.New(nil, registry.Options{TaskQueue: wf.taskQueue})
		if _, err := check.Check(req); err != nil {
			printErrors(a.errOut, file, req.Locate(err))
			return exitFailed
		}
		cn, w, bc, code := a.registryConn(a.ctx, "push", &cf, &wf, noWorker)
		if code != exitOK {
			return code
		}
		defer closeConn(cn, w)
		v, err := bc.Push(a.ctx, req)
		if err != nil {
			return a.schedulerError("push", err)
		}
		state := "active"
		if !v.Active {
			state = "inactive"
		}
		fmt.Fprintf(a.out, "pushed %s version %d (%s, plan %s)\n", v.WorkflowID, v.Version, state, short(v.PlanHash))
		return exitOK
	})
	return cmd
}
