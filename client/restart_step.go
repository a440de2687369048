package client

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

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
	inline := false
	switch opts.UpstreamMode {
	case "", RestartFromStep:
		switch opts.Policy {
		case "", workflows.RestartFromIncomplete, workflows.RestartFromSpecific:
		default:
			return nil, fmt.Errorf("baton: restart %s from step %q: not supported yet: restart_policy %s with upstream_restart_mode %s (want %s)",
				id, opts.Step, opts.Policy, RestartFromStep, workflows.RestartFromIncomplete)
		}
	case RestartFromInlineRoot:
		inline = true
		switch opts.Policy {
		case "":
			opts.Policy = workflows.RestartFromIncomplete
		case workflows.RestartFromIncomplete, workflows.RestartFromBeginning:
		default:
			return nil, fmt.Errorf("baton: restart %s: %s takes restart_policy %s or %s, not %q", id, RestartFromInlineRoot,
				workflows.RestartFromIncomplete, workflows.RestartFromBeginning, opts.Policy)
		}
	default:
		return nil, fmt.Errorf("baton: restart %s: upstream restart mode %q is not one of %s, %s", id, opts.UpstreamMode, RestartFromStep, RestartFromInlineRoot)
	}
	info, in, same, err := c.endedRun(ctx, id, opts.RequestID)
	if err != nil || same != nil {
		return same, err
	}
	runID := info.GetExecution().GetRunId()
	rs, err := c.pathRestart(ctx, id, runID, in, segs, inline, opts)
	if err != nil {
		return nil, err
	}
	rs.Params, rs.RequestID = opts.RunParams, opts.RequestID
	if err := workflows.CheckRestartPath(in.Plan, rs); err != nil {
		return nil, fmt.Errorf("baton: restart %s: %w", id, err)
	}
	return c.startRestart(ctx, id, info, in, rs)
}

// pathRestart builds the restart of run id (runID, "" for the latest)
// along the path segs: from the step that leads along it, down to the
// chosen step; with inline, the run that holds the chosen step (directly
// or in a foreach iteration) restarts with opts.Policy instead.
func (c *Client) pathRestart(ctx context.Context, id, runID string, in *workflows.RunInput, segs []string, inline bool, opts StepRestartOptions) (*workflows.Restart, error) {
	var prev workflows.State
	if err := c.tc.GetWorkflow(ctx, id, runID).Get(ctx, &prev); err != nil {
		return nil, fmt.Errorf("baton: restart %s: read the final state: %w", id, err)
	}
	stepID := segs[0]
	pn := in.Plan.Node(stepID)
	if pn == nil {
		return nil, fmt.Errorf("baton: restart %s: step %q: no such step in workflow %s", id, stepID, in.Plan.WorkflowID)
	}
	rest := segs[1:]
	if inline && (len(rest) == 0 || pn.Kind == "foreach") {
		return c.inlineRootRestart(ctx, id, in, &prev, segs, opts)
	}
	if inline && pn.Kind == "while" {
		return nil, fmt.Errorf("baton: restart %s: not supported yet: %s for a step inside while step %q", id, RestartFromInlineRoot, stepID)
	}
	rs := &workflows.Restart{Policy: workflows.RestartFromSpecific, Run: max(prev.Run, 1) + 1, Previous: &prev, Step: stepID}
	if err := c.loopResults(ctx, id, in, rs, true); err != nil {
		return nil, err
	}
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
		child, err := c.pathRestart(ctx, childID, "", childIn, rest, inline, opts)
		if err != nil {
			return nil, err
		}
		rs.Subworkflows = map[string]*workflows.RunInput{stepID: {Plan: childIn.Plan, Initiator: childIn.Initiator, Depth: childIn.Depth, Restart: child}}
	case pn.Kind == "foreach" || pn.Kind == "while":
		it, err := iterationOf(id, stepID, segs)
		if err != nil {
			return nil, err
		}
		if err := c.loopPath(ctx, id, pn.Kind, rs, it, rest[1], opts); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("baton: restart %s: step %q is a %s step, not a foreach or subworkflow, so the path cannot go on into %q", id, stepID, pn.Kind, strings.Join(rest, "/"))
	}
	return rs, nil
}

// iterationOf reads the iteration (0-based) of a path through loop step
// stepID: STEP/ITERATION/INNER-STEP, the iteration counted from 1.
func iterationOf(id, stepID string, segs []string) (int, error) {
	if len(segs) > 3 {
		return 0, fmt.Errorf("baton: restart %s: not supported yet: a restart path on from inside an iteration of loop step %q (%q)", id, stepID, strings.Join(segs, "/"))
	}
	if len(segs) != 3 {
		return 0, fmt.Errorf("baton: restart %s: the path through loop step %q is STEP/ITERATION/INNER-STEP, got %q", id, stepID, strings.Join(segs, "/"))
	}
	it, err := strconv.Atoi(segs[1])
	if err != nil || it < 1 {
		return 0, fmt.Errorf("baton: restart %s: loop step %q: iteration %q is not a number from 1", id, stepID, segs[1])
	}
	return it - 1, nil
}

// inlineRootRestart restarts the run that holds the chosen step (segs: the
// step, or FOREACH/ITERATION/STEP) with opts.Policy and the step's params
// replaced, in every iteration for a step inside a foreach (Maestro's
// RESTART_FROM_INLINE_ROOT).
func (c *Client) inlineRootRestart(ctx context.Context, id string, in *workflows.RunInput, prev *workflows.State, segs []string, opts StepRestartOptions) (*workflows.Restart, error) {
	rs := &workflows.Restart{Policy: opts.Policy, Run: max(prev.Run, 1) + 1, Previous: prev}
	if opts.Policy == workflows.RestartFromIncomplete {
		if err := c.loopResults(ctx, id, in, rs, false); err != nil {
			return nil, err
		}
	}
	if len(segs) == 1 {
		rs.StepParams, rs.SkipSteps = opts.leafStepParams(segs[0]), opts.SkipSteps
		return rs, nil
	}
	if _, err := iterationOf(id, segs[0], segs); err != nil {
		return nil, err
	}
	if len(opts.SkipSteps) > 0 {
		return nil, fmt.Errorf("baton: restart %s: not supported yet: skip steps with %s for a step inside foreach step %q", id, RestartFromInlineRoot, segs[0])
	}
	rs.IterationStepParams = map[string]map[string]map[string]*translator.Param{segs[0]: opts.leafStepParams(segs[2])}
	return rs, nil
}

// loopPath sets up the restart of iteration it (0-based) of loop step
// rs.Step (a foreach or a while) from its inner step inner: the loop's
// result and the iteration's final state, read from the loop run that ran
// it.
func (c *Client) loopPath(ctx context.Context, id, kind string, rs *workflows.Restart, it int, inner string, opts StepRestartOptions) error {
	loopID := id + "/" + rs.Step
	var lr workflows.LoopResult
	if err := c.tc.GetWorkflow(ctx, loopID, "").Get(ctx, &lr); err != nil {
		return fmt.Errorf("baton: restart %s: %s step %q left no loop result to restart from: %w", id, kind, rs.Step, err)
	}
	switch {
	case kind == "foreach" && it >= lr.Total:
		return fmt.Errorf("baton: restart %s: foreach step %q has %d iterations, not iteration %d", id, rs.Step, lr.Total, it+1)
	case kind == "while" && it >= lr.Iterations:
		return fmt.Errorf("baton: restart %s: while step %q ran %d iterations, not iteration %d", id, rs.Step, lr.Iterations, it+1)
	}
	if rs.Loops == nil {
		rs.Loops = map[string]*workflows.LoopResult{}
	}
	rs.Loops[rs.Step] = &lr
	st, err := c.loopIterationState(ctx, loopID, lr.Shards, it)
	if err != nil {
		return fmt.Errorf("baton: restart %s: %s step %q iteration %d: %w", id, kind, rs.Step, it+1, err)
	}
	path := &workflows.IterationRestart{Iteration: it, Inner: &workflows.Restart{Policy: workflows.RestartFromSpecific, Run: rs.Run,
		Previous: st, Step: inner, SkipSteps: opts.SkipSteps, StepParams: opts.leafStepParams(inner)}}
	if kind == "while" {
		rs.While = path
	} else {
		rs.Foreach = path
	}
	return nil
}

// loopIterationState is iterationState for a loop that may have run its
// iterations in shards: they are asked first, then the loop's own runs
// (an iteration kept from an earlier, unsharded execution).
func (c *Client) loopIterationState(ctx context.Context, loopID string, shards, it int) (*workflows.State, error) {
	for k := range shards {
		if st, err := c.iterationState(ctx, workflows.ShardID(loopID, k+1), it); err == nil {
			return st, nil
		}
	}
	return c.iterationState(ctx, loopID, it)
}

// maxLoopRuns bounds the loop runs asked for an iteration: a
// continue-as-new chain (25,000 iterations at 2,000 a run), then the loop
// workflow's earlier executions (restarts of its step).
const maxLoopRuns = 64

// iterationState asks the runs of a loop workflow for the final state of
// iteration it: its latest execution and the runs it continued from, then
// its earlier executions (an iteration kept by a restart ran in one of
// them), newest first.
func (c *Client) iterationState(ctx context.Context, loopID string, it int) (*workflows.State, error) {
	for wait := 50 * time.Millisecond; ; wait *= 2 {
		st, listed, err := c.iterationStateOnce(ctx, loopID, it)
		if err == nil || listed > 0 || wait > 2*time.Second {
			return st, err
		}
		// Visibility listed none of the loop's runs: it lags behind a run
		// that has just ended or been restarted. Ask again shortly.
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
	}
}

// iterationStateOnce looks for the iteration once; listed is how many runs
// it asked, past the latest execution's chain.
func (c *Client) iterationStateOnce(ctx context.Context, loopID string, it int) (*workflows.State, int, error) {
	ask := func(runID string) *workflows.State {
		resp, err := c.tc.QueryWorkflow(ctx, loopID, runID, workflows.QueryIteration, it)
		if err != nil {
			return nil
		}
		var st workflows.State
		if resp.Get(&st) != nil {
			return nil
		}
		return &st
	}
	runID, asked := "", 0
	for ; asked < maxLoopRuns; asked++ {
		if st := ask(runID); st != nil {
			return st, 0, nil
		}
		hist := c.tc.GetWorkflowHistory(ctx, loopID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		if !hist.HasNext() {
			break
		}
		ev, err := hist.Next()
		if err != nil {
			return nil, 0, fmt.Errorf("read loop run %s: %w", loopID, err)
		}
		if runID = ev.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId(); runID == "" {
			break
		}
	}
	var token []byte
	listed := 0
	for asked < maxLoopRuns {
		resp, err := c.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowId = %q", loopID), PageSize: maxLoopRuns, NextPageToken: token})
		if err != nil {
			return nil, listed, fmt.Errorf("list the runs of loop %s: %w", loopID, err)
		}
		for _, ex := range resp.GetExecutions() {
			if asked++; asked > maxLoopRuns {
				break
			}
			listed++
			if st := ask(ex.GetExecution().GetRunId()); st != nil {
				return st, listed, nil
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	return nil, listed, fmt.Errorf("none of the %d latest runs of loop %s ran it", min(asked, maxLoopRuns), loopID)
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
