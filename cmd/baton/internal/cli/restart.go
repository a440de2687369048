package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/workflows"
)

// restartPolicies maps the --policy values to Maestro's restart policies.
var restartPolicies = map[string]string{
	"incomplete": workflows.RestartFromIncomplete,
	"beginning":  workflows.RestartFromBeginning,
}

func newRestartCmd(a *app) *cobra.Command {
	var cf connFlags
	var wf workerFlags
	var rf runFlags
	var policy string
	var sf stepRestartFlags
	cmd := &cobra.Command{
		Use:   "restart WORKFLOW [--policy incomplete|beginning] [--from-step STEP[/ITERATION/STEP]] [-p name=value]...",
		Short: "Restart an ended run from its incomplete steps, from the beginning or from a step",
		Long: "Restart starts an ended run (WORKFLOW is the Temporal workflow id 'baton run' and\n" +
			"'baton start' print) as its next run, and watches it. With --policy incomplete\n" +
			"(the default), steps that completed keep their state and only the others run\n" +
			"again; -p changes workflow params whose mode allows a change at restart\n" +
			"(MUTABLE, MUTABLE_ON_START_RESTART). Runs are kept by Temporal: use --db FILE\n" +
			"(embedded server) or an address.\n\n" +
			"With --from-step (RESTART_FROM_SPECIFIC) the step and what follows it run again;\n" +
			"steps that completed keep their state. STEP is a step id, or a path into a\n" +
			"subworkflow (sub/step) or a foreach iteration counted from 1 (loop/3/step).\n" +
			"-p then sets the step's params (step_run_params), --skip skips steps of its run,\n" +
			"and --request reads Maestro's step restart request or RestartConfig JSON.",
		Example: "  baton restart flow/4f1c... --db runs.db -p fail=false\n" +
			"  baton restart flow/4f1c... --policy beginning --address temporal.example.com:7233\n" +
			"  baton restart flow/4f1c... --db runs.db --from-step loop/3/load -p limit=10 --skip notify",
		Args: exactArgs(1, "one WORKFLOW id"),
	}
	cf.register(cmd.Flags(), true)
	wf.register(cmd.Flags(), true)
	choiceFlag(cmd, &policy, "policy", "incomplete", "incomplete (RESTART_FROM_INCOMPLETE) or beginning (RESTART_FROM_BEGINNING)", "incomplete", "beginning")
	rf.register(cmd)
	sf.register(cmd)
	cmd.RunE = runE(func(c *cobra.Command, args []string) int {
		id := args[0]
		maestroPolicy, ok := restartPolicies[strings.ToLower(policy)]
		if !ok {
			return a.usage("restart", fmt.Errorf("--policy %q: want incomplete or beginning", policy))
		}
		if !c.Flags().Changed("policy") {
			maestroPolicy = ""
		}
		if err := sf.check(); err != nil {
			return a.usage("restart", err)
		}
		if err := rf.output.validate(); err != nil {
			return a.usage("restart", err)
		}
		if code := a.requireStoredRuns("restart", &cf); code != exitOK {
			return code
		}
		cn, w, bc, code := a.registryConn(a.ctx, "restart", &cf, &wf, rf.noWorker)
		if code != exitOK {
			return code
		}
		defer closeConn(cn, w)
		in, err := bc.RunInput(a.ctx, id, "")
		if err != nil {
			fmt.Fprintf(a.errOut, "baton restart: %v\n", err)
			return exitFailed
		}
		var run *client.Run
		if sf.active() {
			opts, code := a.stepRestartOptions(&sf, in, maestroPolicy, &rf)
			if code != exitOK {
				return code
			}
			maestroPolicy = workflows.RestartFromSpecific
			if opts.UpstreamMode == client.RestartFromInlineRoot {
				maestroPolicy = client.RestartFromInlineRoot
			}
			run, err = bc.RestartFromStep(a.ctx, id, opts)
		} else {
			params, perr := client.ParseRunParams(in.Plan, rf.params)
			if perr != nil {
				return a.usage("restart", perr)
			}
			if maestroPolicy == "" {
				maestroPolicy = workflows.RestartFromIncomplete
			}
			run, err = bc.Restart(a.ctx, id, client.RestartOptions{Policy: maestroPolicy, RunParams: params, RequestID: rf.requestID})
		}
		if err != nil {
			fmt.Fprintf(a.errOut, "baton restart: %v\n", err)
			return exitFailed
		}
		if rf.output.value == "table" {
			fmt.Fprintf(a.out, "restarted %s (%s, workflow %s, run %s)\n", in.Plan.WorkflowID, maestroPolicy, run.ID(), run.RunID())
		}
		return a.watchRun(run, watchOptions{cmd: "restart", output: rf.output.value, loops: loopSteps(in.Plan)})
	})
	return cmd
}

// requireStoredRuns refuses a command about existing runs when it would
// start an empty in-memory server: it needs an address or --db.
func (a *app) requireStoredRuns(cmd string, cf *connFlags) int {
	prof, err := cf.profileConfig()
	if err != nil {
		fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
		return exitUsage
	}
	if prof.Address == "" && cf.db == "" {
		return a.usage(cmd, fmt.Errorf("runs are kept by Temporal; use --db FILE (the embedded server's file) or --address"))
	}
	return exitOK
}

// storedRunsConn checks --output and connects, for the commands about
// existing runs (list, describe, watch).
func (a *app) storedRunsConn(cmd string, cf *connFlags, output *outputFlag) (*conn, int) {
	if err := output.validate(); err != nil {
		return nil, a.usage(cmd, err)
	}
	if code := a.requireStoredRuns(cmd, cf); code != exitOK {
		return nil, code
	}
	cn, err := a.connect(a.ctx, cf)
	if err != nil {
		fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
		return nil, exitRuntime
	}
	return cn, exitOK
}
