package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newVersionsCmd(a *app) *cobra.Command {
	var cf connFlags
	var wf workerFlags
	var noWorker bool
	var output outputFlag
	cmd := &cobra.Command{
		Use:     "versions ID",
		Short:   "List a workflow's versions in the registry",
		Example: "  baton versions my-flow --db baton.db\n  baton versions my-flow --output json",
		Args:    exactArgs(1, "one workflow ID"),
	}
	cf.register(cmd.Flags(), true)
	wf.register(cmd.Flags(), false)
	registerNoWorker(cmd.Flags(), &noWorker)
	output.register(cmd, "table", "json", "yaml")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		if err := output.validate(); err != nil {
			return a.usage("versions", err)
		}
		cn, w, bc, code := a.registryConn(a.ctx, "versions", &cf, &wf, noWorker)
		if code != exitOK {
			return code
		}
		defer closeConn(cn, w)
		vs, err := bc.Registry().Versions(a.ctx, args[0])
		if err != nil {
			return a.registryError("versions", err)
		}
		if output.value != "table" {
			if err := printValue(a.out, output.value, vs); err != nil {
				fmt.Fprintf(a.errOut, "baton versions: %v\n", err)
				return exitRuntime
			}
			return exitOK
		}
		tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tACTIVE\tCREATED\tPLAN\tNAME\tDESCRIPTION")
		for _, v := range vs {
			active := ""
			if v.Active {
				active = "*"
			}
			desc := oneLine(v.Description)
			if v.Pruned {
				desc = "(definition pruned) " + desc
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", v.Version, active, v.CreateTime.Local().Format(time.DateTime), short(v.PlanHash), oneLine(v.Name), desc)
		}
		_ = tw.Flush()
		return exitOK
	})
	return cmd
}
