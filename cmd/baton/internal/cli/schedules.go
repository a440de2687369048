package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/scheduler"
)

// printAdmission says where the run strategy put a run that did not start
// at once.
func printAdmission(out io.Writer, run *client.Run) {
	a := run.Admission()
	if a == nil {
		return
	}
	switch a.Instance.Status {
	case scheduler.StatusCreated:
		fmt.Fprintf(out, "queued by the run strategy: instance %d, position %d\n", a.Instance.Number, a.Instance.Position)
	case scheduler.StatusStopped:
		fmt.Fprintf(out, "stopped by the run strategy: %s\n", a.Instance.Reason)
	}
}

// schedulerError prints err; a refusal (Maestro's) is the user's failure.
func (a *app) schedulerError(cmd string, err error) int {
	var refused *scheduler.RefusedError
	if errors.As(err, &refused) {
		fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
		return exitFailed
	}
	return a.registryError(cmd, err)
}

// workflowCmd is a command on one workflow id that needs a worker (the
// registry's and the run strategy's entities answer through it).
func (a *app) workflowCmd(use, short, long, example string, nargs int, body func(bc *client.Client, args []string) int) *cobra.Command {
	var cf connFlags
	var wf workerFlags
	var noWorker bool
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Example: example, Args: cobra.RangeArgs(1, nargs)}
	cf.register(cmd.Flags(), true)
	wf.register(cmd.Flags(), false)
	registerNoWorker(cmd.Flags(), &noWorker)
	cmd.RunE = runE(func(c *cobra.Command, args []string) int {
		cn, w, bc, code := a.registryConn(a.ctx, c.Name(), &cf, &wf, noWorker)
		if code != exitOK {
			return code
		}
		defer closeConn(cn, w)
		return body(bc, args)
	})
	return cmd
}

func newActivateCmd(a *app) *cobra.Command {
	return a.workflowCmd("activate ID [VERSION]", "Make a version the active one: its run strategy and time triggers apply",
		"Activate makes VERSION (default: the latest) the workflow's active version\n(Maestro's ACTIVATE): its run strategy becomes the workflow's and its time\ntriggers its schedules. "+registryStoreHelp+".",
		"  baton activate my-flow 3 --db baton.db", 2,
		func(bc *client.Client, args []string) int {
			version := 0
			if len(args) == 2 {
				n, err := strconv.Atoi(args[1])
				if err != nil || n <= 0 {
					return a.usage("activate", fmt.Errorf("version %q: want a positive number", args[1]))
				}
				version = n
			} else {
				_, v, err := bc.Registry().Get(a.ctx, args[0], "latest")
				if err != nil {
					return a.registryError("activate", err)
				}
				version = v.Version
			}
			v, err := bc.Activate(a.ctx, args[0], version)
			if err != nil {
				return a.schedulerError("activate", err)
			}
			fmt.Fprintf(a.out, "activated %s version %d\n", v.WorkflowID, v.Version)
			return exitOK
		})
}

func newDeactivateCmd(a *app) *cobra.Command {
	return a.workflowCmd("deactivate ID", "Leave a workflow without an active version; pause its time triggers",
		"Deactivate leaves the workflow without an active version and pauses its\nschedules (Maestro's DEACTIVATE); instances already started run on.",
		"  baton deactivate my-flow --db baton.db", 1,
		func(bc *client.Client, args []string) int {
			if err := bc.Deactivate(a.ctx, args[0]); err != nil {
				return a.schedulerError("deactivate", err)
			}
			fmt.Fprintf(a.out, "deactivated %s\n", args[0])
			return exitOK
		})
}

func newUnblockCmd(a *app) *cobra.Command {
	return a.workflowCmd("unblock ID", "Let a STRICT_SEQUENTIAL workflow's queue move past its FAILED instance",
		"Unblock lifts the block a FAILED instance puts on a STRICT_SEQUENTIAL queue\n(Maestro's UNBLOCK); a restart of it that succeeds lifts it too.",
		"  baton unblock my-flow --db baton.db", 1,
		func(bc *client.Client, args []string) int {
			if err := bc.Unblock(a.ctx, args[0]); err != nil {
				return a.schedulerError("unblock", err)
			}
			fmt.Fprintf(a.out, "unblocked %s\n", args[0])
			return exitOK
		})
}

func newBackfillCmd(a *app) *cobra.Command {
	var from, to string
	cmd := a.workflowCmd("backfill ID --from T1 --to T2", "Start the instances a workflow's time triggers would have started in a range",
		"Backfill starts the instances the active version's time triggers would have\nstarted from T1 to T2 (inclusive; RFC 3339 or 2006-01-02 in UTC), slot by slot\nin order, through the run strategy, each with its slot's RUN_TS. A slot started\nbefore is not started again.",
		"  baton backfill my-flow --from 2024-01-01 --to 2024-01-03 --db baton.db", 1,
		func(bc *client.Client, args []string) int {
			t1, err := parseTime("--from", from)
			if err != nil {
				return a.usage("backfill", err)
			}
			t2, err := parseTime("--to", to)
			if err != nil {
				return a.usage("backfill", err)
			}
			n, err := bc.Scheduler().Backfill(a.ctx, args[0], t1, t2)
			if err != nil {
				fmt.Fprintf(a.errOut, "baton backfill: %v\n", err)
				return exitFailed
			}
			fmt.Fprintf(a.out, "backfill of %s from %s to %s requested on %d trigger(s); 'baton list --workflow-id %s --queue' shows the instances\n",
				args[0], t1.Format(time.RFC3339), t2.Format(time.RFC3339), n, args[0])
			return exitOK
		})
	cmd.Flags().StringVar(&from, "from", "", "start of the range (RFC 3339 or 2006-01-02, UTC)")
	cmd.Flags().StringVar(&to, "to", "", "end of the range, inclusive (RFC 3339 or 2006-01-02, UTC)")
	return cmd
}

func parseTime(flag, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, usageErrorf("%s %q: want RFC 3339 (2024-01-02T15:04:05Z) or a date (2024-01-02)", flag, s)
	}
	return t, nil
}

// listQueue is 'baton list --workflow-id ID --queue': the workflow's
// instances as its run strategy sees them, waiting ones with their place.
func (a *app) listQueue(bc *client.Client, workflowID, output string) int {
	snap, err := bc.Instances(a.ctx, workflowID)
	if err != nil {
		fmt.Fprintf(a.errOut, "baton list: %v\n", err)
		return exitRuntime
	}
	if output != "table" {
		return a.print("list", output, snap)
	}
	fmt.Fprintf(a.out, "%s: run strategy %s", snap.WorkflowID, snap.Strategy)
	if snap.Blocked != "" {
		fmt.Fprintf(a.out, ", blocked by FAILED instance %s", snap.Blocked)
	}
	fmt.Fprintln(a.out)
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tSTATUS\tQUEUE\tRUN\tVERSION\tINITIATOR\tTEMPORAL ID\tREASON")
	num := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	for _, in := range snap.Instances {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", in.Number, in.Status, num(in.Position), num(in.Run), num(in.Version), in.Initiator, in.ID, oneLine(in.Reason))
	}
	_ = tw.Flush()
	return exitOK
}
