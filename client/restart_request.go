package client

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// StepRestartOptionsFromRequest reads Maestro's step restart request
// (request_id, restart_policy, upstream_restart_mode, step_run_params) as
// the options of a restart from step.
func StepRestartOptionsFromRequest(step string, req *definition.StepRestartRequest) (StepRestartOptions, error) {
	params, err := translator.CompileParams(req.StepRunParams, "step_run_params")
	if err != nil {
		return StepRestartOptions{}, err
	}
	return StepRestartOptions{Step: step, Policy: string(req.RestartPolicy), UpstreamMode: string(req.UpstreamRestartMode),
		StepParams: params, RequestID: req.RequestID}, nil
}

// StepRestartOptionsFromConfig reads Maestro's internal RestartConfig
// (restart_path, restart_policy, restart_params, step_restart_params,
// skip_steps) as the options of a restart. step, if set, is the step path
// to restart from; else the restart path's one node names it. A
// restart_policy other than RESTART_FROM_SPECIFIC restarts the run with
// that policy (RESTART_FROM_INLINE_ROOT), the step params and skip steps
// applied. downstream_policy is not used: steps after the chosen one run
// again from their start.
func StepRestartOptionsFromConfig(step string, cfg *definition.RestartConfig) (StepRestartOptions, error) {
	if step == "" {
		switch len(cfg.RestartPath) {
		case 0:
			return StepRestartOptions{}, fmt.Errorf("restart_path: empty, and no step given")
		case 1:
			step = cfg.RestartPath[0].StepID
		default:
			return StepRestartOptions{}, fmt.Errorf("restart_path: not supported yet: a path of %d nodes (instance ids are Temporal workflow ids in Baton); give the step path instead", len(cfg.RestartPath))
		}
	}
	if step == "" {
		return StepRestartOptions{}, fmt.Errorf("restart_path[0].step_id: empty")
	}
	opts := StepRestartOptions{Step: step, Policy: string(cfg.RestartPolicy), SkipSteps: cfg.SkipSteps}
	if opts.Policy != "" && opts.Policy != workflows.RestartFromSpecific {
		opts.UpstreamMode = RestartFromInlineRoot
	}
	for id, ps := range cfg.StepRestartParams {
		params, err := translator.CompileParams(ps, fmt.Sprintf("step_restart_params[%q]", id))
		if err != nil {
			return StepRestartOptions{}, err
		}
		if opts.OtherStepParams == nil {
			opts.OtherStepParams = map[string]map[string]*translator.Param{}
		}
		opts.OtherStepParams[id] = params
	}
	runParams, err := translator.CompileParams(cfg.RestartParams, "restart_params")
	if err != nil {
		return StepRestartOptions{}, err
	}
	for _, name := range slices.Sorted(maps.Keys(runParams)) {
		v, err := constantValue(runParams[name])
		if err != nil {
			return StepRestartOptions{}, fmt.Errorf("restart_params[%q]: %w", name, err)
		}
		if opts.RunParams == nil {
			opts.RunParams = map[string]sel.Value{}
		}
		opts.RunParams[name] = v
	}
	return opts, nil
}

// constantValue is the value of a run param definition: its literal, or
// its expression evaluated with no params (a restart's run params are
// values; an expression may not read other params).
func constantValue(p *translator.Param) (sel.Value, error) {
	if !p.IsExpr {
		if p.Type == sel.Map {
			return sel.Value{}, fmt.Errorf("not supported yet: a MAP literal as a restart run param")
		}
		return sel.Value{Type: p.Type, Value: p.Literal}, nil
	}
	v, err := sel.Eval(p.Expr, &sel.Env{Now: time.Now, WorkflowParams: func(string) (any, bool) { return nil, false }})
	if err != nil {
		return sel.Value{}, fmt.Errorf("expression %q: %w", sel.Clip(p.Expr), err)
	}
	cv, err := sel.Coerce(v, p.Type)
	if err != nil {
		return sel.Value{}, fmt.Errorf("expression %q: %w", sel.Clip(p.Expr), err)
	}
	return sel.Value{Type: p.Type, Value: cv}, nil
}
