package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/workflows"
)

func newBreakpointCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "breakpoint",
		Short: "Set, list and delete step breakpoints",
		Long: "A breakpoint pauses the steps it matches before they are created (PAUSED);\n" +
			"'baton step resume' lets a paused step go on. It matches a workflow id and a\n" +
			"step id, and optionally a version, an instance (a RUN id: its foreach\n" +
			"iterations too), a run number and a step attempt; 0 or empty matches any.\n" +
			"Breakpoints are kept by Temporal (one store per workflow id); runs read them\n" +
			"when they start, and running runs are sent every change.",
		Example: "  baton breakpoint set flow transform --db runs.db\n" +
			"  baton breakpoint list flow --db runs.db\n" +
			"  baton breakpoint delete flow transform --db runs.db",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newBreakpointChangeCmd(a, "set"), newBreakpointChangeCmd(a, "delete"), newBreakpointListCmd(a))
	return cmd
}

// breakpointFlags are the connection and output flags of the breakpoint
// commands.
type breakpointFlags struct{ entityFlags }

func (f *breakpointFlags) connect(a *app, cmd string) (*conn, func(), *client.Client, int) {
	if err := f.output.validate(); err != nil {
		return nil, nil, nil, a.usage(cmd, err)
	}
	if code := a.requireStoredRuns(cmd, &f.cf); code != exitOK {
		return nil, nil, nil, code
	}
	cn, w, bc, code := a.registryConn(a.ctx, cmd, &f.cf, &f.wf, f.noWorker)
	if code != exitOK {
		return nil, nil, nil, code
	}
	return cn, func() { closeConn(cn, w) }, bc, exitOK
}

func newBreakpointChangeCmd(a *app, verb string) *cobra.Command {
	var f breakpointFlags
	var b workflows.Breakpoint
	short := "Set a breakpoint: matching steps pause before they are created"
	if verb == "delete" {
		short = "Delete a breakpoint (every field must match); paused steps stay paused"
	}
	cmd := &cobra.Command{
		Use:     verb + " WORKFLOW STEP [--version N] [--instance RUN] [--run N] [--attempt N]",
		Short:   short,
		Example: "  baton breakpoint " + verb + " flow transform --instance flow/4f1c... --db runs.db",
		Args:    exactArgs(2, "a WORKFLOW id and a STEP id"),
	}
	f.register(cmd)
	cmd.Flags().Int64Var(&b.Version, "version", 0, "the workflow version it matches (0: any)")
	cmd.Flags().StringVar(&b.Instance, "instance", "", "the instance (RUN id) it matches (empty: any)")
	cmd.Flags().IntVar(&b.Run, "run", 0, "the run number it matches (0: any)")
	cmd.Flags().IntVar(&b.Attempt, "attempt", 0, "the step attempt it matches (0: any)")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		name := "breakpoint " + verb
		b.WorkflowID, b.StepID = args[0], args[1]
		if err := b.Check(b.WorkflowID); err != nil {
			return a.usage(name, err)
		}
		_, done, bc, code := f.connect(a, name)
		if code != exitOK {
			return code
		}
		defer done()
		change := bc.SetBreakpoint
		if verb == "delete" {
			change = bc.DeleteBreakpoint
		}
		res, err := change(a.ctx, b)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton %s: %v\n", name, err)
			return exitFailed
		}
		if res.NotifyError != "" {
			fmt.Fprintf(a.errOut, "warning: running runs not all told: %s\n", res.NotifyError)
		}
		if f.output.value != "table" {
			return a.print(name, f.output.value, res)
		}
		fmt.Fprintf(a.out, "%s breakpoint %s (%d breakpoints on %s; %d running runs told)\n",
			map[string]string{"set": "set", "delete": "deleted"}[verb], b, len(res.Breakpoints), b.WorkflowID, res.Notified)
		return exitOK
	})
	return cmd
}

func newBreakpointListCmd(a *app) *cobra.Command {
	var f breakpointFlags
	cmd := &cobra.Command{
		Use:     "list WORKFLOW",
		Short:   "List the breakpoints of a workflow id",
		Example: "  baton breakpoint list flow --db runs.db -o json",
		Args:    exactArgs(1, "a WORKFLOW id"),
	}
	f.register(cmd)
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		_, done, bc, code := f.connect(a, "breakpoint list")
		if code != exitOK {
			return code
		}
		defer done()
		list, err := bc.ListBreakpoints(a.ctx, args[0])
		if err != nil {
			fmt.Fprintf(a.errOut, "baton breakpoint list: %v\n", err)
			return exitRuntime
		}
		if f.output.value != "table" {
			if list == nil {
				list = []workflows.Breakpoint{}
			}
			return a.print("breakpoint list", f.output.value, list)
		}
		tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "STEP\tVERSION\tINSTANCE\tRUN\tATTEMPT")
		for _, b := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.StepID, anyIfZero(b.Version), anyIfEmpty(b.Instance), anyIfZero(int64(b.Run)), anyIfZero(int64(b.Attempt)))
		}
		_ = tw.Flush()
		return exitOK
	})
	return cmd
}

func anyIfZero(v int64) string {
	if v == 0 {
		return "any"
	}
	return fmt.Sprint(v)
}

func anyIfEmpty(s string) string {
	if s == "" {
		return "any"
	}
	return s
}
