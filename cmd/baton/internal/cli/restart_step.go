package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// stepRestartFlags are baton restart's flags for a restart from a step.
type stepRestartFlags struct {
	step       string
	stepParams string
	skip       []string
	upstream   string
	request    string
}

func (sf *stepRestartFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&sf.step, "from-step", "", "restart from this step (RESTART_FROM_SPECIFIC): STEP, SUB/STEP or LOOP/ITERATION/STEP")
	fs.StringVar(&sf.stepParams, "step-params", "", `the step's params as Maestro JSON param definitions: '{"limit":{"type":"LONG","value":10}}'`)
	fs.StringArrayVar(&sf.skip, "skip", nil, "a step of the restarted step's run to skip (repeatable)")
	fs.StringVar(&sf.upstream, "upstream-mode", "step", "step (RESTART_FROM_STEP) or inline-root (RESTART_FROM_INLINE_ROOT: restart the run with the step's params changed)")
	fs.StringVar(&sf.request, "request", "", "a Maestro step restart request or RestartConfig JSON file")
	_ = cmd.RegisterFlagCompletionFunc("upstream-mode", cobra.FixedCompletions([]string{"step", "inline-root"}, cobra.ShellCompDirectiveNoFileComp))
}

// active reports whether the restart is one from a step.
func (sf *stepRestartFlags) active() bool {
	return sf.step != "" || sf.request != ""
}

// check refuses step flags without a step to restart from.
func (sf *stepRestartFlags) check() error {
	if !sf.active() && (sf.stepParams != "" || len(sf.skip) > 0 || sf.upstream != "step") {
		return fmt.Errorf("--step-params, --skip and --upstream-mode need --from-step or --request")
	}
	switch sf.upstream {
	case "step", "inline-root":
	default:
		return fmt.Errorf("--upstream-mode %q: want step or inline-root", sf.upstream)
	}
	return nil
}

// stepRestartOptions builds the options of a restart from a step from the
// flags: --request first, then --from-step, -p, --step-params, --skip.
func (a *app) stepRestartOptions(sf *stepRestartFlags, in *workflows.RunInput, policy string, rf *runFlags) (client.StepRestartOptions, int) {
	var opts client.StepRestartOptions
	if sf.request != "" {
		data, err := os.ReadFile(sf.request)
		if err != nil {
			return opts, a.usage("restart", fmt.Errorf("--request: %w", err))
		}
		doc, err := definition.DecodeSample(data)
		if err != nil {
			return opts, a.usage("restart", fmt.Errorf("--request %s: %w", sf.request, err))
		}
		switch req := doc.(type) {
		case *definition.StepRestartRequest:
			if sf.step == "" {
				return opts, a.usage("restart", fmt.Errorf("--request %s: a step restart request names no step; give --from-step", sf.request))
			}
			opts, err = client.StepRestartOptionsFromRequest(sf.step, req)
		case *definition.RestartConfig:
			opts, err = client.StepRestartOptionsFromConfig(sf.step, req)
		default:
			err = fmt.Errorf("a %T, not a step restart request or a RestartConfig", doc)
		}
		if err != nil {
			return opts, a.usage("restart", fmt.Errorf("--request %s: %w", sf.request, err))
		}
	}
	if sf.step != "" {
		opts.Step = sf.step
	}
	if sf.upstream == "inline-root" {
		opts.UpstreamMode = client.RestartFromInlineRoot
	}
	if policy != "" {
		opts.Policy = policy
	}
	if rf.requestID != "" {
		opts.RequestID = rf.requestID
	}
	opts.SkipSteps = append(opts.SkipSteps, sf.skip...)
	params, err := stepParamFlags(sf.stepParams, stepPlan(in.Plan, opts.Step), rf.params)
	if err != nil {
		return opts, a.usage("restart", err)
	}
	if len(params) > 0 && opts.StepParams == nil {
		opts.StepParams = map[string]*translator.Param{}
	}
	for name, p := range params {
		opts.StepParams[name] = p
	}
	return opts, exitOK
}

// stepParamFlags reads --step-params JSON and -p name=value pairs (typed
// as the step declares them, if its declaration is known) as step params.
func stepParamFlags(jsonText string, step *translator.Node, pairs []string) (map[string]*translator.Param, error) {
	out := map[string]*translator.Param{}
	if jsonText != "" {
		req, err := definition.DecodeStepRestartRequest([]byte(`{"step_run_params":` + jsonText + `}`))
		if err != nil {
			return nil, fmt.Errorf("--step-params: %w", err)
		}
		ps, err := translator.CompileParams(req.StepRunParams, "--step-params")
		if err != nil {
			return nil, err
		}
		for name, p := range ps {
			out[name] = p
		}
	}
	var decl *translator.Plan
	if step != nil {
		decl = &translator.Plan{Params: step.Params}
	}
	values, err := client.ParseRunParams(decl, pairs)
	if err != nil {
		return nil, fmt.Errorf("-p (a step param with --from-step): %w", err)
	}
	for name, p := range client.LiteralParams(values) {
		out[name] = p
	}
	return out, nil
}

// stepPlan is the declaration of the step a path names, when the path
// stays in the plan (a root step or a foreach iteration's step); nil for
// a step inside a subworkflow.
func stepPlan(plan *translator.Plan, path string) *translator.Node {
	segs := strings.Split(path, "/")
	n := plan.Node(segs[0])
	if len(segs) == 3 && n != nil && n.Body != nil {
		for _, inner := range n.Body.Steps {
			if inner.ID == segs[2] {
				return inner
			}
		}
		return nil
	}
	if len(segs) != 1 {
		return nil
	}
	return n
}
