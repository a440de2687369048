package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

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

// idCmd parses "ID [flags]" for the commands that act on a workflow id.
func idCmd(name, help string, args []string, errOut io.Writer, extra func(*flag.FlagSet)) (*connFlags, []string, bool, int) {
	fs := newFlagSet(name, errOut, help)
	var cf connFlags
	cf.register(fs)
	noWorker := fs.Bool("no-worker", false, "do not start a worker in this process (workers run elsewhere)")
	if extra != nil {
		extra(fs)
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, nil, false, flagError(err)
	}
	return &cf, pos, *noWorker, -1
}

func activateCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	cf, pos, noWorker, code := idCmd("activate", "ID [VERSION] [flags]\n\nMakes VERSION (default: the latest) the active version: its run strategy\nand time triggers take effect (Maestro's ACTIVATE).\n"+registryStoreHelp+".", args, errOut, nil)
	if code >= 0 {
		return code
	}
	if len(pos) < 1 || len(pos) > 2 {
		fmt.Fprintln(errOut, "usage: baton activate ID [VERSION]")
		return exitUsage
	}
	cn, w, bc, code := registryConn(ctx, "activate", cf, noWorker, errOut)
	if code != exitOK {
		return code
	}
	defer closeConn(cn, w)
	version := 0
	if len(pos) == 2 {
		n, err := strconv.Atoi(pos[1])
		if err != nil || n <= 0 {
			fmt.Fprintf(errOut, "baton activate: version %q: want a positive number\n", pos[1])
			return exitUsage
		}
		version = n
	} else {
		_, v, err := bc.Registry().Get(ctx, pos[0], "latest")
		if err != nil {
			return registryError("activate", err, errOut)
		}
		version = v.Version
	}
	v, err := bc.Activate(ctx, pos[0], version)
	if err != nil {
		return registryError("activate", err, errOut)
	}
	fmt.Fprintf(out, "activated %s version %d\n", v.WorkflowID, v.Version)
	return exitOK
}

func deactivateCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	return onWorkflow(ctx, "deactivate", "Leaves the workflow without an active version and pauses its time\ntriggers (Maestro's DEACTIVATE); running instances run on.\n"+registryStoreHelp+".", args, out, errOut,
		func(bc *client.Client, id string) error { return bc.Deactivate(ctx, id) })
}

func unblockCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	return onWorkflow(ctx, "unblock", "Lets a STRICT_SEQUENTIAL workflow's queue move on past its FAILED instance\n(Maestro's UNBLOCK).", args, out, errOut,
		func(bc *client.Client, id string) error { return bc.Unblock(ctx, id) })
}

// onWorkflow runs a workflow action that takes only the workflow id and
// says "<name>d ID" when it succeeds.
func onWorkflow(ctx context.Context, name, help string, args []string, out, errOut io.Writer, action func(*client.Client, string) error) int {
	cf, pos, noWorker, code := idCmd(name, "ID [flags]\n\n"+help, args, errOut, nil)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(errOut, "usage: baton %s ID\n", name)
		return exitUsage
	}
	cn, w, bc, code := registryConn(ctx, name, cf, noWorker, errOut)
	if code != exitOK {
		return code
	}
	defer closeConn(cn, w)
	if err := action(bc, pos[0]); err != nil {
		return registryError(name, err, errOut)
	}
	fmt.Fprintf(out, "%sd %s\n", name, pos[0])
	return exitOK
}

func backfillCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	var from, to *string
	cf, pos, noWorker, code := idCmd("backfill", "ID --from T1 --to T2 [flags]\n\nStarts the instances the active version's time triggers would have started\nfrom T1 to T2 (inclusive; RFC 3339 or 2006-01-02), in order, through the run\nstrategy, each with its slot's RUN_TS. Slots started before are not started again.", args, errOut, func(fs *flag.FlagSet) {
		from = fs.String("from", "", "start of the range (RFC 3339 or 2006-01-02, UTC)")
		to = fs.String("to", "", "end of the range (RFC 3339 or 2006-01-02, UTC)")
	})
	if code >= 0 {
		return code
	}
	if len(pos) != 1 || *from == "" || *to == "" {
		fmt.Fprintln(errOut, "usage: baton backfill ID --from T1 --to T2")
		return exitUsage
	}
	t1, err1 := parseTime(*from)
	t2, err2 := parseTime(*to)
	if err1 != nil || err2 != nil {
		fmt.Fprintf(errOut, "baton backfill: %v\n", firstErr(err1, err2))
		return exitUsage
	}
	cn, w, bc, code := registryConn(ctx, "backfill", cf, noWorker, errOut)
	if code != exitOK {
		return code
	}
	defer closeConn(cn, w)
	n, err := bc.Scheduler().Backfill(ctx, pos[0], t1, t2)
	if err != nil {
		fmt.Fprintf(errOut, "baton backfill: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(out, "backfill of %s from %s to %s requested on %d trigger(s); 'baton instances %s' shows them\n", pos[0], t1.Format(time.RFC3339), t2.Format(time.RFC3339), n, pos[0])
	return exitOK
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("time %q: want RFC 3339 (2024-01-02T15:04:05Z) or a date (2024-01-02)", s)
	}
	return t, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func instancesCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	var output *string
	cf, pos, noWorker, code := idCmd("instances", "ID [flags]\n\nLists the workflow's instances its run strategy knows: running, waiting\n(with their queue position) and the last ended ones.", args, errOut, func(fs *flag.FlagSet) {
		output = fs.String("output", "table", "table or json")
	})
	if code >= 0 {
		return code
	}
	if len(pos) != 1 || (*output != "table" && *output != "json") {
		fmt.Fprintln(errOut, "usage: baton instances ID [--output table|json]")
		return exitUsage
	}
	cn, w, bc, code := registryConn(ctx, "instances", cf, noWorker, errOut)
	if code != exitOK {
		return code
	}
	defer closeConn(cn, w)
	snap, err := bc.Instances(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(errOut, "baton instances: %v\n", err)
		return exitRuntime
	}
	if *output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(snap); err != nil {
			fmt.Fprintf(errOut, "baton instances: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	fmt.Fprintf(out, "%s: run strategy %s", snap.WorkflowID, snap.Strategy)
	if snap.Blocked != "" {
		fmt.Fprintf(out, ", blocked by FAILED instance %s", snap.Blocked)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tSTATUS\tQUEUE\tRUN\tVERSION\tINITIATOR\tWORKFLOW\tREASON")
	for _, in := range snap.Instances {
		queue, run, version := "", "", ""
		if in.Position > 0 {
			queue = strconv.Itoa(in.Position)
		}
		if in.Run > 0 {
			run = strconv.Itoa(in.Run)
		}
		if in.Version > 0 {
			version = strconv.Itoa(in.Version)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", in.Number, in.Status, queue, run, version, in.Initiator, in.ID, oneLine(in.Reason))
	}
	_ = tw.Flush()
	return exitOK
}
