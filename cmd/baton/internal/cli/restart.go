package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/workflows"
)

// restartPolicies maps the --policy values to Maestro's restart policies.
var restartPolicies = map[string]string{
	"incomplete": workflows.RestartFromIncomplete,
	"beginning":  workflows.RestartFromBeginning,
}

func restartCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("restart", errOut, "WORKFLOW [--policy incomplete|beginning] [-p name=value]... [flags]\n\n"+
		"Restarts an ended run (WORKFLOW is the Temporal workflow id 'baton run' and 'baton start'\n"+
		"print) as its next run, and watches it. With --policy incomplete (the default), steps\n"+
		"that completed keep their state and only the others run again; -p changes workflow\n"+
		"params whose mode allows a change at restart (MUTABLE, MUTABLE_ON_START_RESTART).\n"+
		"Runs are kept by Temporal: use --db FILE (embedded server) or --address.")
	var cf connFlags
	cf.register(fs)
	policy := fs.String("policy", "incomplete", "incomplete (RESTART_FROM_INCOMPLETE) or beginning (RESTART_FROM_BEGINNING)")
	var rf runFlags
	rf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	maestroPolicy, ok := restartPolicies[strings.ToLower(*policy)]
	if len(pos) != 1 || !rf.valid() || !ok {
		fs.Usage()
		return exitUsage
	}
	if cf.address == "" && cf.db == "" {
		fmt.Fprintln(errOut, "baton restart: runs are kept by Temporal; use --db FILE (the embedded server's file) or --address")
		return exitUsage
	}
	cn, w, bc, code := registryConn(ctx, "restart", &cf, rf.noWorker, errOut)
	if code != exitOK {
		return code
	}
	defer closeConn(cn, w)
	in, err := bc.RunInput(ctx, pos[0], "")
	if err != nil {
		fmt.Fprintf(errOut, "baton restart: %v\n", err)
		return exitFailed
	}
	params, err := client.ParseRunParams(in.Plan, rf.params)
	if err != nil {
		fmt.Fprintf(errOut, "baton restart: %v\n", err)
		return exitUsage
	}
	run, err := bc.Restart(ctx, pos[0], client.RestartOptions{Policy: maestroPolicy, RunParams: params, RequestID: rf.requestID})
	if err != nil {
		fmt.Fprintf(errOut, "baton restart: %v\n", err)
		return exitFailed
	}
	if rf.output == "table" {
		fmt.Fprintf(out, "restarted %s (%s, workflow %s, run %s)\n", in.Plan.WorkflowID, maestroPolicy, run.ID(), run.RunID())
	}
	return watchRun(ctx, "restart", run, rf.output, out, errOut)
}
