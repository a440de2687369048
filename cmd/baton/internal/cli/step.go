package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/workflows"
)

// stepActionCmds are the subcommands of baton step and their actions.
var stepActionCmds = []struct {
	name   string
	action workflows.StepAction
	short  string
}{
	{"pause", workflows.ActionPause, "Pause a step before it is created (PAUSED until resume)"},
	{"resume", workflows.ActionResume, "Resume a paused step (or withdraw a pending pause)"},
	{"skip", workflows.ActionSkip, "Skip a step in flight: SKIPPED, and the DAG goes on"},
	{"stop", workflows.ActionStop, "Stop a step in flight: STOPPED"},
	{"kill", workflows.ActionKill, "Kill a step in flight: FATALLY_FAILED, through its failure mode"},
	{"restart", workflows.ActionRestart, "Run a new attempt of an ended step while the run goes on"},
	{"bypass", workflows.ActionBypass, "Bypass the signal dependencies of a step in WAITING_FOR_SIGNALS"},
}

func newStepCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "step",
		Short: "Apply a step action to a step of a running instance",
		Long: "Step actions (Maestro's PAUSE, RESUME, SKIP, STOP, KILL, RESTART,\n" +
			"BYPASS_STEP_DEPENDENCIES) act on one step of a running instance. RUN is the\n" +
			"Temporal workflow id 'baton run' and 'baton start' print; STEP is a step id,\n" +
			"FOREACH_STEP/ITERATION/STEP for a step of a foreach iteration (iterations\n" +
			"count from 1) or SUBWORKFLOW_STEP/STEP, nested as deep as the steps nest.\n" +
			"Each prints the step's new status; a refusal (the status does not allow the\n" +
			"action) exits with 1.",
		Example: "  baton step stop flow/4f1c... transform --db runs.db\n" +
			"  baton step skip flow/4f1c... per_day/3/load --db runs.db",
		Args: cobra.NoArgs,
	}
	for _, sc := range stepActionCmds {
		cmd.AddCommand(newStepActionCmd(a, sc.name, sc.action, sc.short))
	}
	return cmd
}

func newStepActionCmd(a *app, name string, action workflows.StepAction, short string) *cobra.Command {
	var cf connFlags
	var wf workerFlags
	var noWorker bool
	var output outputFlag
	var reason string
	cmd := &cobra.Command{
		Use:     name + " RUN STEP[/ITERATION/STEP]",
		Short:   short,
		Example: "  baton step " + name + " flow/4f1c... transform --db runs.db",
		Args:    exactArgs(2, "a RUN (workflow id) and a STEP path"),
	}
	cf.register(cmd.Flags(), true)
	wf.register(cmd.Flags(), false)
	registerNoWorker(cmd.Flags(), &noWorker)
	output.register(cmd, "table", "json", "yaml")
	cmd.Flags().StringVar(&reason, "reason", "", "why, kept in the step's error for skip, stop and kill")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		cmdName := "step " + name
		if err := output.validate(); err != nil {
			return a.usage(cmdName, err)
		}
		if err := client.CheckStepPath(args[1]); err != nil {
			return a.usage(cmdName, err)
		}
		if code := a.requireStoredRuns(cmdName, &cf); code != exitOK {
			return code
		}
		cn, w, bc, code := a.registryConn(a.ctx, cmdName, &cf, &wf, noWorker)
		if code != exitOK {
			return code
		}
		defer closeConn(cn, w)
		res, err := bc.StepAction(a.ctx, args[0], action, args[1], reason)
		if err != nil {
			fmt.Fprintf(a.errOut, "baton %s: %v\n", cmdName, err)
			var refused *client.StepActionRefusedError
			if errors.As(err, &refused) {
				return exitFailed
			}
			return exitRuntime
		}
		if output.value != "table" {
			return a.print(cmdName, output.value, res)
		}
		fmt.Fprintf(a.out, "%s %s: %s", action, args[1], res.Status)
		if res.Message != "" {
			fmt.Fprintf(a.out, " (%s)", res.Message)
		}
		fmt.Fprintln(a.out)
		return exitOK
	})
	return cmd
}
