package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
)

func newDescribeCmd(a *app) *cobra.Command {
	var cf connFlags
	var output outputFlag
	var runID string
	cmd := &cobra.Command{
		Use:   "describe RUN",
		Short: "Show one run: its status, summary and steps",
		Long: "Describe shows a run (RUN is the Temporal workflow id 'baton run' prints): what\n" +
			"visibility knows of it and its state, the final one of an ended run or, for a\n" +
			"run in progress, the one a worker answers a query with. Exit 0 if the run\n" +
			"SUCCEEDED, 1 otherwise.",
		Example: "  baton describe flow/4f1c... --address 127.0.0.1:7233\n" +
			"  baton describe flow/4f1c... --db runs.db --output json",
		Args: exactArgs(1, "one RUN (Temporal workflow id)"),
	}
	cf.register(cmd.Flags(), true)
	output.register(cmd, "table", "json", "yaml")
	cmd.Flags().StringVar(&runID, "run-id", "", "a Temporal run id of RUN (default the latest)")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		cn, code := a.storedRunsConn("describe", &cf, &output)
		if code != exitOK {
			return code
		}
		defer cn.Close()
		d, err := client.New(cn.tc, client.Options{}).Describe(a.ctx, args[0], runID)
		if err != nil && d == nil {
			fmt.Fprintf(a.errOut, "baton describe: %v\n", err)
			return exitFailed
		}
		if err != nil {
			fmt.Fprintf(a.errOut, "warning: %v\n", err)
		}
		if output.value != "table" {
			if code := a.print("describe", output.value, d); code != exitOK {
				return code
			}
		} else {
			fmt.Fprintf(a.out, "Run:       %s (run %s)\n", d.ID, d.RunID)
			if d.Summary != "" {
				fmt.Fprintf(a.out, "Summary:   %s\n", d.Summary)
			}
			fmt.Fprintf(a.out, "Workflow:  %s version %s\n", d.WorkflowID, versionText(d.Version))
			fmt.Fprintf(a.out, "Status:    %s (Temporal %s)\n", statusText(d.RunInfo), d.TemporalStatus)
			fmt.Fprintf(a.out, "Started:   %s, %s\n", d.StartTime.Local().Format(time.DateTime), runDuration(d.RunInfo).Round(time.Millisecond))
			if d.ParentID != "" {
				fmt.Fprintf(a.out, "Parent:    %s\n", d.ParentID)
			}
			if d.State != nil {
				printTable(a.out, d.State)
			}
		}
		if d.Status != "SUCCEEDED" {
			return exitFailed
		}
		return exitOK
	})
	return cmd
}
