package client

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// Upstream restart modes of a restart from a step (Maestro's
// upstream_restart_mode).
const (
	// RestartFromStep restarts the step itself, and every run along its
	// path (a foreach iteration, a subworkflow's child, the root run) from
	// the step that leads to it.
	RestartFromStep = string(definition.RestartFromStep)
	// RestartFromInlineRoot restarts the run that holds the step with the
	// restart policy and the step's params overridden.
	RestartFromInlineRoot = string(definition.RestartFromInlineRoot)
)

// StepRestartOptions configure a restart from a step of an ended run.
type StepRestartOptions struct {
	// Step is the step to restart from: a step id of the run, or a path
	// through subworkflow steps ("sub/step") and one foreach iteration
	// ("loop/3/step": iteration 3, counted from 1 as Maestro's iteration
	// ids; its loop_index is 2).
	Step string
	// Policy is Maestro's restart_policy. With RestartFromStep it says how
	// a foreach on the path treats its other iterations:
	// workflows.RestartFromIncomplete (the default) runs those that did
	// not succeed again. With RestartFromInlineRoot it is the policy of
	// the run's restart (RestartFromIncomplete or RestartFromBeginning).
	Policy string
	// UpstreamMode is RestartFromStep (the default) or RestartFromInlineRoot.
	UpstreamMode string
	// StepParams override the chosen step's params (step_run_params);
	// LiteralParams and translator.CompileParams build them.
	StepParams map[string]*translator.Param
	// OtherStepParams override params of other steps of the chosen step's
	// run, by step id (a RestartConfig's step_restart_params).
	OtherStepParams map[string]map[string]*translator.Param
	// RunParams change workflow params of the root run, as RestartOptions'.
	RunParams map[string]sel.Value
	// SkipSteps are steps of the chosen step's run that end SKIPPED
	// without running when their turn comes.
	SkipSteps []string
	// RequestID de-duplicates restarts, as RestartOptions'.
	RequestID string
}

// LiteralParams turns values into step param definitions.
func LiteralParams(values map[string]sel.Value) map[string]*translator.Param {
	out := make(map[string]*translator.Param, len(values))
	for name, v := range values {
		out[name] = &translator.Param{Type: v.Type, Literal: v.Value}
	}
	return out
}

// RestartFromStep restarts an ended run from a step (Maestro's
// RESTART_FROM_SPECIFIC, MAESTRO.md §4.17): the step and what follows it
// run again; steps that completed keep their state and params; branches
// that do not lead from the step keep theirs. On a path into a foreach
// iteration or a subworkflow, each run along the path restarts from the
// step that leads to the chosen one. The restart is checked before
// anything starts and goes the same way as Restart.
func (c *Client) RestartFromStep(ctx context.Context, id string, opts StepRestartOptions) (*Run, error) {
	segs := strings.Split(opts.Step, "/")
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("baton: restart %s from step %q: an empty step in the path", id, opts.Step)
		}
	}
	switch opts.UpstreamMode {
	case "", RestartFromStep:
		switch opts.Policy {
		case "", workflows.RestartFromIncomplete, workflows.RestartFromSpecific:
		default:
			return nil, fmt.Errorf("baton: restart %s from step %q: not supported yet: restart_policy %s with upstream_restart_mode %s (want %s)",
				id, opts.Step, opts.Policy, RestartFromStep, workflows.RestartFromIncomplete)
		}
	case RestartFromInlineRoot:
		return c.restartInlineRoot(ctx, id, segs, opts)
	default:
		return nil, fmt.Errorf("baton: restart %s: upstream restart mode %q is not one of %s, %s", id, opts.UpstreamMode, RestartFromStep, RestartFromInlineRoot)
	}
	info, in, same, err := c.endedRun(ctx, id, opts.RequestID)
	if err != nil || same != nil {
		return same, err
	}
	runID := info.GetExecution().GetRunId()
	rs, err := c.specificRestart(ctx, id, runID, in, segs, 0, opts)
	if err != nil {
		return nil, err
	}
	rs.Params, rs.RequestID = opts.RunParams, opts.RequestID
	if err := workflows.CheckRestartPath(in.Plan, rs); err != nil {
		return nil, fmt.Errorf("baton: restart %s: %w", id, err)
	}
	return c.startRestart(ctx, id, info, in, rs)
}

// restartInlineRoot restarts the run that holds a root step with the
// request's policy and the step's params overridden (Maestro's
// RESTART_FROM_INLINE_ROOT).
func (c *Client) restartInlineRoot(ctx context.Context, id string, segs []string, opts StepRestartOptions) (*Run, error) {
	if len(segs) > 1 {
		return nil, fmt.Errorf("baton: restart %s from step %q: not supported yet: %s for a step inside a foreach or subworkflow", id, strings.Join(segs, "/"), RestartFromInlineRoot)
	}
	policy := opts.Policy
	if policy == "" {
		policy = workflows.RestartFromIncomplete
	}
	if policy != workflows.RestartFromIncomplete && policy != workflows.RestartFromBeginning {
		return nil, fmt.Errorf("baton: restart %s: %s takes restart_policy %s or %s, not %q", id, RestartFromInlineRoot,
			workflows.RestartFromIncomplete, workflows.RestartFromBeginning, policy)
	}
	return c.restartWith(ctx, id, RestartOptions{Policy: policy, RunParams: opts.RunParams, RequestID: opts.RequestID}, func(rs *workflows.Restart, plan *translator.Plan) error {
		if plan.Node(segs[0]) == nil {
			return fmt.Errorf("step %q: no such step in workflow %s", segs[0], plan.WorkflowID)
		}
		rs.StepParams, rs.SkipSteps = opts.leafStepParams(segs[0]), opts.SkipSteps
		return nil
	})
}

// specificRestart builds the restart from a step of run id (runID, "" for
// the latest) along the path segs, depth hops below the root.
func (c *Client) specificRestart(ctx context.Context, id, runID string, in *workflows.RunInput, segs []string, depth int, opts StepRestartOptions) (*workflows.Restart, error) {
	var prev workflows.State
	if err := c.tc.GetWorkflow(ctx, id, runID).Get(ctx, &prev); err != nil {
		return nil, fmt.Errorf("baton: restart %s: read the final state: %w", id, err)
	}
	stepID := segs[0]
	rs := &workflows.Restart{Policy: workflows.RestartFromSpecific, Run: max(prev.Run, 1) + 1, Previous: &prev, Step: stepID}
	pn := in.Plan.Node(stepID)
	if pn == nil {
		return nil, fmt.Errorf("baton: restart %s: step %q: no such step in workflow %s", id, stepID, in.Plan.WorkflowID)
	}
	if err := c.loopResults(ctx, id, in, rs, true); err != nil {
		return nil, err
	}
	rest := segs[1:]
	switch {
	case len(rest) == 0:
		rs.StepParams, rs.SkipSteps = opts.leafStepParams(stepID), opts.SkipSteps
	case pn.Kind == "subworkflow":
		if !pn.Sync {
			return nil, fmt.Errorf("baton: restart %s: not supported yet: a restart path through async subworkflow step %q", id, stepID)
		}
		childID := id + "/" + stepID
		childIn, err := c.RunInput(ctx, childID, "")
		if err != nil {
			return nil, fmt.Errorf("baton: restart %s: subworkflow step %q has no child run to restart: %w", id, stepID, err)
		}
		child, err := c.specificRestart(ctx, childID, "", childIn, rest, depth+1, opts)
		if err != nil {
			return nil, err
		}
		rs.Subworkflows = map[string]*workflows.RunInput{stepID: {Plan: childIn.Plan, Initiator: childIn.Initiator, Depth: childIn.Depth, Restart: child}}
	case pn.Kind == "foreach":
		if len(rest) != 2 {
			return nil, fmt.Errorf("baton: restart %s: the path through foreach step %q is STEP/ITERATION/INNER-STEP, got %q", id, stepID, strings.Join(segs, "/"))
		}
		it, err := strconv.Atoi(rest[0])
		if err != nil || it < 1 {
			return nil, fmt.Errorf("baton: restart %s: foreach step %q: iteration %q is not a number from 1", id, stepID, rest[0])
		}
		if err := c.foreachPath(ctx, id, in, rs, it-1, rest[1], opts); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("baton: restart %s: step %q is a %s step, not a foreach or subworkflow, so the path cannot go on into %q", id, stepID, pn.Kind, strings.Join(rest, "/"))
	}
	return rs, nil
}

// foreachPath sets up the restart of iteration it (0-based) of foreach step
// rs.Step from its inner step inner: the loop's result (where the loop
// resumes) and the iteration's final state, read from the loop run that
// ran it.
func (c *Client) foreachPath(ctx context.Context, id string, in *workflows.RunInput, rs *workflows.Restart, it int, inner string, opts StepRestartOptions) error {
	loopID := id + "/" + rs.Step
	var lr workflows.LoopResult
	if err := c.tc.GetWorkflow(ctx, loopID, "").Get(ctx, &lr); err != nil {
		return fmt.Errorf("baton: restart %s: foreach step %q left no loop result to restart from: %w", id, rs.Step, err)
	}
	if it >= lr.Total {
		return fmt.Errorf("baton: restart %s: foreach step %q has %d iterations, not iteration %d", id, rs.Step, lr.Total, it+1)
	}
	if rs.Loops == nil {
		rs.Loops = map[string]*workflows.LoopResult{}
	}
	rs.Loops[rs.Step] = &lr
	st, err := c.iterationState(ctx, loopID, it)
	if err != nil {
		return fmt.Errorf("baton: restart %s: foreach step %q iteration %d: %w", id, rs.Step, it+1, err)
	}
	innerRs := &workflows.Restart{Policy: workflows.RestartFromSpecific, Run: rs.Run, Previous: st, Step: inner,
		SkipSteps: opts.SkipSteps, StepParams: opts.leafStepParams(inner)}
	rs.Foreach = &workflows.IterationRestart{Iteration: it, Inner: innerRs}
	return nil
}

// maxLoopRuns bounds the loop runs (continue-as-new) searched for an
// iteration: 25,000 iterations at 2,000 a run.
const maxLoopRuns = 16

// iterationState asks the runs of a foreach loop workflow, newest first
// along its continue-as-new chain, for the final state of iteration it.
func (c *Client) iterationState(ctx context.Context, loopID string, it int) (*workflows.State, error) {
	runID := ""
	for range maxLoopRuns {
		resp, err := c.tc.QueryWorkflow(ctx, loopID, runID, workflows.QueryIteration, it)
		if err == nil {
			var st workflows.State
			if err := resp.Get(&st); err != nil {
				return nil, fmt.Errorf("decode its state: %w", err)
			}
			return &st, nil
		}
		hist := c.tc.GetWorkflowHistory(ctx, loopID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		if !hist.HasNext() {
			break
		}
		ev, herr := hist.Next()
		if herr != nil {
			return nil, fmt.Errorf("read loop run %s: %w", loopID, herr)
		}
		runID = ev.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		if runID == "" {
			return nil, fmt.Errorf("not supported yet: restarting an iteration that no run of loop %s ran (kept from an earlier run of the instance): %w", loopID, err)
		}
	}
	return nil, fmt.Errorf("no run of loop %s ran it", loopID)
}

// leafStepParams are the step params of the run that holds the chosen
// step: its own and the others'.
func (o StepRestartOptions) leafStepParams(step string) map[string]map[string]*translator.Param {
	if len(o.StepParams) == 0 && len(o.OtherStepParams) == 0 {
		return nil
	}
	out := make(map[string]map[string]*translator.Param, len(o.OtherStepParams)+1)
	for id, ps := range o.OtherStepParams {
		out[id] = ps
	}
	if len(o.StepParams) > 0 {
		merged := make(map[string]*translator.Param, len(out[step])+len(o.StepParams))
		for name, p := range out[step] {
			merged[name] = p
		}
		for name, p := range o.StepParams {
			merged[name] = p
		}
		out[step] = merged
	}
	return out
}
