package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/scheduler"
)

// The registry lives in Temporal: these commands need a server that
// outlives them, so without --address they warn unless --db keeps the
// embedded server's state in a file.
const registryStoreHelp = "the registry is kept by Temporal: use --db FILE (embedded server) or --address so it outlives this command"

// registryConn connects, starts a worker in this process (it runs the
// registry's entity workflows) unless noWorker, and returns a Baton client.
func registryConn(ctx context.Context, cmd string, cf *connFlags, noWorker bool, errOut io.Writer) (*conn, sdkworker.Worker, *client.Client, int) {
	if cf.address == "" && cf.db == "" {
		fmt.Fprintf(errOut, "warning: %s\n", registryStoreHelp)
	}
	cn, err := cf.connect(ctx)
	if err != nil {
		fmt.Fprintf(errOut, "baton %s: %v\n", cmd, err)
		return nil, nil, nil, exitRuntime
	}
	var w sdkworker.Worker
	if !noWorker {
		if w, err = cf.startWorker(cn); err != nil {
			cn.Close()
			fmt.Fprintf(errOut, "baton %s: %v\n", cmd, err)
			return nil, nil, nil, exitRuntime
		}
	}
	return cn, w, client.New(cn.tc, client.Options{TaskQueue: cf.taskQueue, EagerStart: !noWorker}), exitOK
}

func closeConn(cn *conn, w sdkworker.Worker) {
	if w != nil {
		w.Stop()
	}
	cn.Close()
}

// registryError prints err; a missing id or version is the user's failure.
func registryError(cmd string, err error, errOut io.Writer) int {
	fmt.Fprintf(errOut, "baton %s: %v\n", cmd, err)
	var refused *scheduler.RefusedError
	if registry.IsNotFound(err) || errors.As(err, &refused) {
		return exitFailed
	}
	return exitRuntime
}

func pushCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("push", errOut, "FILE [flags]\n\nPushes a definition as the next version of its workflow id; its is_active\n(default true) decides whether that version becomes the active one.\n"+registryStoreHelp+".")
	var cf connFlags
	cf.register(fs)
	noWorker := fs.Bool("no-worker", false, "do not start a worker in this process (workers run elsewhere)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	req, err := definition.DecodeFile(pos[0])
	if err != nil {
		printErrors(errOut, pos[0], err)
		return exitFailed
	}
	check := registry.New(nil, registry.Options{TaskQueue: cf.taskQueue})
	if _, err := check.Check(req); err != nil {
		printErrors(errOut, pos[0], err)
		return exitFailed
	}
	cn, w, bc, code := registryConn(ctx, "push", &cf, *noWorker, errOut)
	if code != exitOK {
		return code
	}
	defer closeConn(cn, w)
	v, err := bc.Push(ctx, req)
	if err != nil {
		return registryError("push", err, errOut)
	}
	state := "active"
	if !v.Active {
		state = "inactive"
	}
	fmt.Fprintf(out, "pushed %s version %d (%s, plan %s)\n", v.WorkflowID, v.Version, state, short(v.PlanHash))
	return exitOK
}

func versionsCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("versions", errOut, "ID [flags]")
	var cf connFlags
	cf.register(fs)
	output := fs.String("output", "table", "table or json")
	noWorker := fs.Bool("no-worker", false, "do not start a worker in this process (workers run elsewhere)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 || (*output != "table" && *output != "json") {
		fs.Usage()
		return exitUsage
	}
	cn, w, bc, code := registryConn(ctx, "versions", &cf, *noWorker, errOut)
	if code != exitOK {
		return code
	}
	defer closeConn(cn, w)
	vs, err := bc.Registry().Versions(ctx, pos[0])
	if err != nil {
		return registryError("versions", err, errOut)
	}
	if *output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(vs); err != nil {
			fmt.Fprintf(errOut, "baton versions: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
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
}

func startCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("start", errOut, "ID [--version SEL] [-p name=value]... [flags]\n\nStarts a run of a registered workflow and watches it, as 'baton run' does.\n"+registryStoreHelp+".")
	var cf connFlags
	cf.register(fs)
	version := fs.String("version", "active", "version: active, latest, default (active, else latest) or a number")
	var rf runFlags
	rf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 || !rf.valid() {
		fs.Usage()
		return exitUsage
	}
	cn, w, bc, code := registryConn(ctx, "start", &cf, rf.noWorker, errOut)
	if code != exitOK {
		return code
	}
	defer closeConn(cn, w)
	req, v, err := bc.Registry().Get(ctx, pos[0], *version)
	if err != nil {
		return registryError("start", err, errOut)
	}
	src := fmt.Sprintf("%s@%d", v.WorkflowID, v.Version)
	plan, err := bc.Compile(req)
	if err != nil {
		printErrors(errOut, src, err)
		return exitFailed
	}
	runParams, err := client.ParseRunParams(plan, rf.params)
	if err != nil {
		fmt.Fprintf(errOut, "baton start: %v\n", err)
		return exitUsage
	}
	for _, warn := range plan.Warnings {
		fmt.Fprintf(errOut, "warning: %s\n", warn)
	}
	run, err := bc.Start(ctx, plan, client.StartOptions{RunParams: runParams, RequestID: rf.requestID, Queued: true, Version: v.Version})
	if err != nil {
		fmt.Fprintf(errOut, "baton start: %v\n", err)
		return exitFailed
	}
	if rf.output == "table" {
		fmt.Fprintf(out, "started %s version %d (workflow %s, run %s)\n", v.WorkflowID, v.Version, run.ID(), run.RunID())
		printAdmission(out, run)
	}
	return watchRun(ctx, "start", run, rf.output, out, errOut)
}

// watchRun waits for a run, printing step changes (table) or the final
// state (json), and stops the run if ctx is cancelled first. It is the
// tail of 'baton run' (run.go), for registered workflows.
