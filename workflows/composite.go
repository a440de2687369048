package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// attemptChild runs a composite step as a child workflow.
func (r *run) attemptChild(ctx workflow.Context, n *node, timeout time.Duration) (outcome, error) {
	var name string
	var input any
	switch n.plan.Kind {
	case "foreach":
		in, err := r.foreachInput(ctx, n)
		if err != nil {
			return outcomeFatal, err
		}
		if in.Total == 0 {
			return outcomeSucceeded, nil // an empty loop is allowed
		}
		if err := r.resumeForeach(n, in); err != nil {
			return outcomeFatal, err
		}
		name, input = ForeachWorkflowName, in
	case "while":
		in, err := r.whileInput(n)
		if err != nil {
			return outcomeFatal, err
		}
		r.resumeWhile(n, in)
		name, input = WhileWorkflowName, in
	case "subworkflow":
		return r.runSubworkflow(ctx, n, timeout)
	default:
		return outcomeFatal, fmt.Errorf("not supported yet: %s steps", n.plan.Kind)
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:               r.id + "/" + n.plan.ID,
		WorkflowExecutionTimeout: childTimeout(timeout),
		ParentClosePolicy:        enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	})
	var res LoopResult
	err := workflow.ExecuteChildWorkflow(cctx, name, input).Get(ctx, &res)
	var canceled *temporal.CanceledError
	switch {
	case errors.As(err, &canceled) || ctx.Err() != nil:
		return outcomeStopped, err
	case temporal.IsTimeoutError(err):
		return outcomeTimeout, fmt.Errorf("%s step timed out after %v", n.plan.Kind, timeout)
	case err != nil:
		return outcomeFatal, err
	}
	n.rollup = res.Collected
	n.state.Loop = &LoopSummary{Iterations: res.Iterations, Counts: res.Counts}
	for k, v := range res.LoopParams {
		n.state.Params[k] = v // a while step's final loop values
	}
	summary := fmt.Sprintf("%d iterations (%d succeeded, %d failed, %d timed out, %d stopped)",
		res.Iterations, res.Counts.Succeeded, res.Counts.Failed, res.Counts.TimedOut, res.Counts.Stopped)
	switch res.Outcome {
	case LoopDone:
		return outcomeSucceeded, nil
	case LoopTimedOut:
		return outcomeTimeout, fmt.Errorf("%s: %s", summary, res.Error)
	case LoopStopped:
		return outcomeStopped, fmt.Errorf("%s: %s", summary, res.Error)
	}
	return outcomeFatal, fmt.Errorf("%s: %s", summary, res.Error)
}

// loopBase is what every iteration gets as run params: the workflow params
// and the step's params, minus the reserved loop params.
func (r *run) loopBase(n *node) map[string]sel.Value {
	base := make(map[string]sel.Value, len(r.wfParams)+len(n.state.Params))
	for k, v := range r.wfParams {
		base[k] = v
	}
	for k, v := range n.state.Params {
		switch k {
		case "loop_params", "loop_index":
			continue
		}
		base[k] = v
	}
	return base
}

func (r *run) foreachInput(ctx workflow.Context, n *node) (*ForeachInput, error) {
	loop, err := loopParams(n)
	if err != nil {
		return nil, err
	}
	in := &ForeachInput{
		Plan:            bodyPlan(r.plan, n.plan),
		LoopNames:       loopOrder(n.plan.Params["loop_params"], loop),
		Loop:            loop,
		Base:            r.loopBase(n),
		Total:           1,
		StrictOrdering:  n.plan.StrictOrdering,
		FailImmediately: n.plan.FailureMode == "FAIL_IMMEDIATELY",
		Collect:         n.plan.Collect,
		Depth:           r.depth,
		Tree:            r.childTree(true),
		Breakpoints:     r.bps,
	}
	for _, name := range in.LoopNames {
		l := arrayLen(loop[name].Value)
		if l < 0 {
			return nil, fmt.Errorf("foreach loop param %q must be an array, got %v", name, loop[name].Type)
		}
		in.Total *= l
		if in.Total > MaxLoopIterations {
			return nil, fmt.Errorf("foreach has more than %d iterations (the product of its loop params' lengths)", MaxLoopIterations)
		}
	}
	if len(in.LoopNames) == 0 {
		in.Total = 0
	}
	in.Concurrency = foreachConcurrency(ctx, n.plan.Concurrency, concurrencyLimit(r.plan))
	// Wide iterations at high concurrency would overshoot the history bound
	// while a loop run drains; GetVersion only where the cap changes anything.
	// With a tree cap, leaf steps may also exchange permit signals.
	perIteration := eventsPerIteration(in.Plan)
	if r.tree != nil {
		perIteration += permitEvents(in.Plan)
	}
	if c := max(loopDrainBudget/perIteration, 1); c < in.Concurrency &&
		workflow.GetVersion(r.ctx, ChangeForeachDrainCap, workflow.DefaultVersion, 1) == 1 {
		in.Concurrency = c
	}
	return in, nil
}

func (r *run) whileInput(n *node) (*WhileInput, error) {
	loop, err := loopParams(n)
	if err != nil {
		return nil, err
	}
	for name, v := range loop {
		switch v.Type {
		case sel.String, sel.Long, sel.Double, sel.Boolean:
		default:
			return nil, fmt.Errorf("while loop param %q must be a scalar, got %v", name, v.Type)
		}
	}
	return &WhileInput{Plan: bodyPlan(r.plan, n.plan), Condition: n.plan.Condition, LoopParams: loop, Base: r.loopBase(n), Depth: r.depth, Tree: r.childTree(true), Breakpoints: r.bps}, nil
}

// ChangeForeachConcurrency gates foreachConcurrency's use of the
// workflow's step concurrency above the default of 20 for a foreach step
// with no concurrency of its own; runs where it makes no difference record
// no marker.
const ChangeForeachConcurrency = "foreach-concurrency"

// foreachConcurrency is how many iterations of a foreach step run at once
// (MAESTRO.md §4.10): min(step concurrency, the workflow's limit), where
// the limit is min(instance_step_concurrency, step_concurrency), whichever
// is set, or 20 (stepConcurrency is that limit; 0 means none); with no step
// concurrency, the limit itself.
// concurrencyLimit is MAESTRO §4.10's min(instance_step_concurrency,
// step_concurrency) of those set, 0 if neither is. Plans compiled before
// the tree cap folded the first into the second; the result is the same.
func concurrencyLimit(p *translator.Plan) int64 {
	switch isc, sc := p.InstanceStepConcurrency, p.StepConcurrency; {
	case isc <= 0:
		return sc
	case sc <= 0:
		return isc
	default:
		return min(isc, sc)
	}
}

func foreachConcurrency(ctx workflow.Context, step, stepConcurrency int64) int {
	conc := step
	if conc <= 0 {
		conc = defaultForeachConcurrency
		if stepConcurrency > conc && workflow.GetVersion(ctx, ChangeForeachConcurrency, workflow.DefaultVersion, 1) != workflow.DefaultVersion {
			conc = stepConcurrency // runs started before took min(20, limit)
		}
	}
	if stepConcurrency > 0 && stepConcurrency < conc {
		conc = stepConcurrency
	}
	return int(conc)
}

// loopOrder is the mixed-radix order of a foreach's loop params, the
// first varying fastest (MAESTRO.md §4.11): the order the loop_params MAP
// literal was written in (its plan Keys), else by name. By name applies to
// plans without Keys (definitions written in name order, and plans
// compiled before Keys existed, so their histories replay as recorded) and
// to loop_params given by a SEL expression: sel's MAP value is a Go map
// and keeps no order.
func loopOrder(lp *translator.Param, loop map[string]sel.Value) []string {
	if lp == nil || lp.IsExpr || lp.Keys == nil {
		return sortedKeys(loop)
	}
	names := make([]string, 0, len(loop))
	listed := make(map[string]bool, len(lp.Keys))
	for _, k := range lp.Keys {
		if _, ok := loop[k]; ok && !listed[k] {
			names = append(names, k)
			listed[k] = true
		}
	}
	for _, k := range sortedKeys(loop) { // none, as the plan checks Keys
		if !listed[k] {
			names = append(names, k)
		}
	}
	return names
}

// loopParams reads a loop step's evaluated loop_params MAP as typed values.
func loopParams(n *node) (map[string]sel.Value, error) {
	v, ok := n.state.Params["loop_params"]
	if !ok {
		return nil, errors.New("loop step has no loop_params")
	}
	m, ok := v.Value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("loop_params must be a MAP, got %v", v.Type)
	}
	out := make(map[string]sel.Value, len(m))
	for k, e := range m {
		t, ok := sel.TypeOf(e)
		if !ok {
			return nil, fmt.Errorf("loop param %q has an unsupported value %T", k, e)
		}
		out[k] = sel.Value{Type: t, Value: e}
	}
	return out, nil
}

// foreachArray serves params.getFromForeach from a finished foreach step.
func (r *run) foreachArray(foreachStepID, stepID, param string) (any, error) {
	fe, ok := r.byID[foreachStepID]
	if !ok || fe.plan.Kind != "foreach" {
		return nil, fmt.Errorf("params.getFromForeach: no foreach step %q", foreachStepID)
	}
	vals, ok := fe.rollup[stepID+"/"+param]
	if !ok {
		if !fe.finished {
			return nil, fmt.Errorf("params.getFromForeach: foreach step %q has not finished", foreachStepID)
		}
		return nil, fmt.Errorf("params.getFromForeach(%q, %q, %q): not collected (the arguments must be string literals)", foreachStepID, stepID, param)
	}
	return toArray(vals).Value, nil
}
