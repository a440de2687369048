package cli

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/workflows"
)

var instanceStatuses = []string{
	string(workflows.InProgress), string(workflows.InstanceSucceeded), string(workflows.InstanceFailed),
	string(workflows.InstanceStopped), string(workflows.InstanceTimedOut),
}

func newListCmd(a *app) *cobra.Command {
	var cf connFlags
	var output outputFlag
	var opts client.ListOptions
	var statuses []string
	var queue, noWorker bool
	var wf workerFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List runs, newest first, by Maestro status and workflow id",
		Long: "List asks Temporal's visibility store for Baton runs. --status and --workflow-id\n" +
			"filter on Baton's search attributes (BatonStatus, BatonWorkflowId), which the\n" +
			"namespace must have registered ('baton dev' does; see the README). Visibility\n" +
			"lags the runs by a moment. No worker is needed.\n\n" +
			"With --queue and --workflow-id it lists the workflow's instances as its run\n" +
			"strategy sees them instead: running, waiting (with their queue position, not\n" +
			"yet Temporal runs) and the last ended ones, with instance number, run and\n" +
			"version. That asks the queue entity, so a worker is started unless --no-worker.",
		Example: "  baton list --address 127.0.0.1:7233\n" +
			"  baton list --status FAILED --workflow-id my-flow --output json\n" +
			"  baton list --db runs.db --query \"StartTime > '2026-01-01T00:00:00Z'\"\n" +
			"  baton list --db runs.db --workflow-id my-flow --queue",
		Args: cobra.NoArgs,
	}
	cf.register(cmd.Flags(), true)
	output.register(cmd, "table", "json", "yaml")
	fs := cmd.Flags()
	fs.StringSliceVarP(&statuses, "status", "s", nil, "keep runs in these Maestro statuses ("+strings.Join(instanceStatuses, ", ")+"); repeatable or comma-separated")
	fs.StringVarP(&opts.WorkflowID, "workflow-id", "w", "", "keep runs of this Maestro workflow id")
	fs.StringVar(&opts.Query, "query", "", "a further Temporal visibility query, ANDed with the filters")
	fs.IntVar(&opts.Limit, "limit", 100, "list at most this many runs")
	fs.BoolVar(&queue, "queue", false, "with --workflow-id: the run strategy's view (queue positions, waiting instances)")
	wf.register(fs, false)
	registerNoWorker(fs, &noWorker)
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(instanceStatuses, cobra.ShellCompDirectiveNoFileComp))
	cmd.RunE = runE(func(*cobra.Command, []string) int {
		for _, s := range statuses {
			s = strings.ToUpper(strings.TrimSpace(s))
			if !slices.Contains(instanceStatuses, s) {
				return a.usage("list", fmt.Errorf("--status %q: want one of %s", s, strings.Join(instanceStatuses, ", ")))
			}
			opts.Statuses = append(opts.Statuses, workflows.InstanceStatus(s))
		}
		if queue {
			if opts.WorkflowID == "" {
				return a.usage("list", usageErrorf("--queue needs --workflow-id"))
			}
			if err := output.validate(); err != nil {
				return a.usage("list", err)
			}
			cn, w, bc, code := a.registryConn(a.ctx, "list", &cf, &wf, noWorker)
			if code != exitOK {
				return code
			}
			defer closeConn(cn, w)
			return a.listQueue(bc, opts.WorkflowID, output.value)
		}
		cn, code := a.storedRunsConn("list", &cf, &output)
		if code != exitOK {
			return code
		}
		defer cn.Close()
		runs, err := client.New(cn.tc, client.Options{}).List(a.ctx, opts)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton list: %v\n", err)
			return exitRuntime
		}
		if output.value != "table" {
			if runs == nil {
				runs = []client.RunInfo{}
			}
			return a.print("list", output.value, runs)
		}
		tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RUN\tWORKFLOW\tVERSION\tSTATUS\tSTARTED\tDURATION")
		for _, r := range runs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.WorkflowID, versionText(r.Version), statusText(r),
				r.StartTime.Local().Format(time.DateTime), runDuration(r).Round(time.Millisecond))
		}
		_ = tw.Flush()
		return exitOK
	})
	return cmd
}

// print prints v as JSON or YAML.
func (a *app) print(cmd, format string, v any) int {
	if err := printValue(a.out, format, v); err != nil {
		fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
		return exitRuntime
	}
	return exitOK
}

func versionText(v int64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprint(v)
}

// statusText is the Maestro status, with the Temporal status where that
// is all there is.
func statusText(r client.RunInfo) string {
	if r.Status == "" {
		return "? (Temporal " + r.TemporalStatus + ")"
	}
	return string(r.Status)
}

func runDuration(r client.RunInfo) time.Duration {
	if r.CloseTime == nil {
		return time.Since(r.StartTime)
	}
	return r.CloseTime.Sub(r.StartTime)
}
