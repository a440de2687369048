package workflows

import (
	"errors"
	"fmt"
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// MaxSubworkflowDepth is Maestro's nesting limit for subworkflows.
const MaxSubworkflowDepth = 10

// resolvedPlan is a subworkflow's compiled plan, recorded in history.
type resolvedPlan struct {
	Version int              `json:"version"`
	Plan    *translator.Plan `json:"plan,omitempty"`
	Error   string           `json:"error,omitempty"`
}

// runSubworkflow runs a subworkflow step (MAESTRO.md §4.13): resolve the
// workflow id and version in the registry, compile it once (recorded, so
// the child run is pinned to that plan), and run it as a child run of the
// interpreter; sync waits and maps the child's status, async is done once
// the child has started.
func (r *run) runSubworkflow(ctx workflow.Context, n *node, timeout time.Duration) (outcome, error) {
	if r.depth+1 > MaxSubworkflowDepth {
		return outcomeFatal, fmt.Errorf("subworkflow nesting is deeper than %d", MaxSubworkflowDepth)
	}
	in, id, o, err := r.subworkflowInput(ctx, n)
	if err != nil {
		return o, err
	}
	in.Tree = r.childTree(false) // this run's tree, also for a restarted child
	policy := enumspb.PARENT_CLOSE_POLICY_TERMINATE
	if !n.plan.Sync {
		policy = enumspb.PARENT_CLOSE_POLICY_ABANDON
	}
	cctx := ctx
	if !n.plan.Sync {
		cctx = asyncChildContext(ctx)
	}
	childID := r.id + "/" + n.plan.ID
	if queuedSubworkflows(ctx) {
		// A step action ends the step at once, while this attempt may still
		// have to take its child out of the queue: the workflow must not end
		// before it has.
		if r.eng != nil {
			r.eng.hold()
			defer r.eng.release()
		}
		if start, o, err := r.admitSubworkflow(ctx, n, in, id, childID); !start {
			return o, err
		}
	}
	cctx = workflow.WithChildOptions(cctx, workflow.ChildWorkflowOptions{
		WorkflowID:               childID,
		WorkflowExecutionTimeout: childTimeout(timeout),
		ParentClosePolicy:        policy,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		TypedSearchAttributes:    childSearchAttributes(ctx, in.Plan, r.lean),
	})
	f := workflow.ExecuteChildWorkflow(cctx, WorkflowName, in)
	if !n.plan.Sync {
		if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
				// The child of a previous run of this instance (a restart) has
				// not ended: as in Maestro, whose restarted parent restarts
				// the same child instance and refuses to while it runs.
				return outcomeFatal, fmt.Errorf("start subworkflow %s: its child instance %s, started by a previous run of this instance, is still running; "+
					"a restarted run restarts the same child instance, which is refused until it ends (stop it, or wait for it)", id, childID)
			}
			return outcomeFatal, fmt.Errorf("start subworkflow %s: %w", id, err)
		}
		return outcomeSucceeded, nil
	}
	var st State
	err = f.Get(ctx, &st)
	var canceled *temporal.CanceledError
	switch {
	case errors.As(err, &canceled) || ctx.Err() != nil:
		return outcomeStopped, err
	case temporal.IsTimeoutError(err):
		return outcomeTimeout, fmt.Errorf("subworkflow %s timed out after %v", id, timeout)
	case err != nil:
		return outcomeFatal, fmt.Errorf("subworkflow %s: %w", id, err)
	}
	n.child = &st
	switch st.Status {
	case InstanceSucceeded:
		return outcomeSucceeded, nil
	case InstanceTimedOut:
		return outcomeTimeout, fmt.Errorf("subworkflow %s timed out: %s", id, failureReason(&st))
	case InstanceStopped:
		return outcomeStopped, fmt.Errorf("subworkflow %s was stopped", id)
	}
	return outcomeFatal, fmt.Errorf("subworkflow %s failed: %s", id, failureReason(&st))
}

// subworkflowInput is the child run's input: in a run restarted from
// incomplete, the restart of the child run the step left incomplete (the
// same child instance, MAESTRO.md §4.13); otherwise a new run of the
// workflow the step names, resolved in the registry and compiled once.
func (r *run) subworkflowInput(ctx workflow.Context, n *node) (RunInput, string, outcome, error) {
	if rs := r.restart; rs != nil && (rs.Policy == RestartFromIncomplete || rs.Policy == RestartFromSpecific && rs.Step == n.plan.ID) && n.state.Attempts <= 1 {
		if in := rs.Subworkflows[n.plan.ID]; in != nil && in.Plan != nil && in.Restart != nil {
			// The step's params, evaluated again in this run, reach the child
			// as restart params where the child's param modes allow a change.
			child, restart := *in, *in.Restart
			restart.Params = restartable(in.Plan, r.subworkflowParams(n))
			child.Depth, child.Restart = r.depth+1, &restart
			return child, in.Plan.WorkflowID, outcomeSucceeded, nil
		}
	}
	id, _ := n.state.Params["subworkflow_id"].Value.(string)
	if id == "" {
		return RunInput{}, id, outcomeFatal, errors.New("subworkflow step needs a STRING param subworkflow_id")
	}
	version := "active"
	if v, ok := n.state.Params["subworkflow_version"]; ok {
		version = sel.Format(v.Value)
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
	var res registry.Resolved
	err := workflow.ExecuteActivity(actx, registry.ResolveActivityName, registry.ResolveInput{WorkflowID: id, Version: version}).Get(ctx, &res)
	if err != nil {
		if ctx.Err() != nil {
			return RunInput{}, id, outcomeStopped, err
		}
		return RunInput{}, id, outcomeFatal, fmt.Errorf("resolve subworkflow %s@%s: %w", id, version, cause(err))
	}
	var rp resolvedPlan
	if err := workflow.SideEffect(ctx, func(workflow.Context) any {
		return compileResolved(res)
	}).Get(&rp); err != nil {
		return RunInput{}, id, outcomeFatal, err
	}
	if rp.Error != "" {
		return RunInput{}, id, outcomeFatal, fmt.Errorf("subworkflow %s version %d: %s", id, rp.Version, rp.Error)
	}
	in := RunInput{Plan: rp.Plan, RunParams: r.subworkflowParams(n), Initiator: "SUBWORKFLOW", Depth: r.depth + 1}
	return in, id, outcomeSucceeded, nil
}

// compileResolved decodes, validates and compiles a resolved definition.
func compileResolved(res registry.Resolved) resolvedPlan {
	rp := resolvedPlan{Version: res.Version}
	req, err := definition.Decode(res.Definition)
	if err == nil {
		err = req.Validate()
	}
	if err == nil {
		rp.Plan, err = translator.Compile(req, translator.Options{})
	}
	if err != nil {
		rp.Error = err.Error()
	}
	return rp
}

// subworkflowParams are the child's run params: all workflow params unless
// explicit_params, then the step's params minus the subworkflow's own.
func (r *run) subworkflowParams(n *node) map[string]sel.Value {
	out := make(map[string]sel.Value, len(r.wfParams)+len(n.state.Params))
	if !n.plan.ExplicitParams {
		for k, v := range r.wfParams {
			out[k] = v
		}
	}
	for k, v := range n.state.Params {
		switch k {
		case "subworkflow_id", "subworkflow_version":
			continue
		}
		out[k] = v
	}
	return out
}

// subworkflowParam serves params.getFromSubworkflow.
func (r *run) subworkflowParam(stepID, childStepID, param string) (any, error) {
	sw, ok := r.byID[stepID]
	if !ok || sw.plan.Kind != "subworkflow" {
		return nil, fmt.Errorf("params.getFromSubworkflow: no subworkflow step %q", stepID)
	}
	if sw.child == nil {
		return nil, fmt.Errorf("params.getFromSubworkflow: subworkflow step %q has no finished child run", stepID)
	}
	cs := sw.child.Step(childStepID)
	if cs == nil {
		names := make([]string, 0, len(sw.child.Steps))
		for _, s := range sw.child.Steps {
			names = append(names, s.ID)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("params.getFromSubworkflow: the child of %q has no step %q (steps: %v)", stepID, childStepID, names)
	}
	v, ok := cs.Params[param]
	if !ok {
		return nil, fmt.Errorf("params.getFromSubworkflow: step %q of the child of %q has no param %q", childStepID, stepID, param)
	}
	return v.Value, nil
}

// ChangeAsyncChildAbandoned: before it, stopping a run also stopped the
// async (sync: false) children it had started (a cancelled parent context
// asks its children to cancel), while a kill or a Temporal terminate left
// them running. From version 1 an async child is started on a context the
// parent's cancellation does not reach, so stop, kill and terminate all
// leave it running (abandoned, as in Maestro, where an async subworkflow
// step is done once its child has started and is never terminated).
const ChangeAsyncChildAbandoned = "async-child-abandoned"

// asyncChildContext is the context an async child is started on.
func asyncChildContext(ctx workflow.Context) workflow.Context {
	if workflow.GetVersion(ctx, ChangeAsyncChildAbandoned, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ctx
	}
	disconnected, _ := workflow.NewDisconnectedContext(ctx)
	return disconnected
}
