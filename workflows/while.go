package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// WhileInput is the input of the while loop workflow, and the compact state
// it carries through continue-as-new.
type WhileInput struct {
	Plan       *translator.Plan     `json:"plan"` // the inner DAG
	Condition  string               `json:"condition"`
	LoopParams map[string]sel.Value `json:"loop_params"` // latest values
	Base       map[string]sel.Value `json:"base"`        // step params over workflow params
	Next       int                  `json:"next"`        // iterations run so far
	Counts     LoopCounts           `json:"counts"`
	Depth      int                  `json:"depth,omitempty"` // subworkflow nesting of the loop's run
	Tree       *TreeCap             `json:"tree,omitempty"`  // the tree cap of the loop's run
	// Breakpoints are the loop's run's when it started the loop (a while
	// loop takes no later change), given to every iteration.
	Breakpoints []Breakpoint `json:"breakpoints,omitempty"`
	// Restart, on a restart path through this while, restarts the
	// iteration the loop continues from from a step (restart_step.go).
	Restart *IterationRestart `json:"restart,omitempty"`
}

// While runs a while step (MAESTRO.md §4.12): the condition is checked
// before every iteration, iterations run one at a time, and after each
// successful one the loop params take the values of inner step params of
// the same name (the last step in plan order wins). It continues as new
// once its history passes loopHistoryBudget events. Iterations run inline,
// as in Foreach.
func While(ctx workflow.Context, in WhileInput) (*LoopResult, error) {
	ctx = withStepMetrics(ctx) // one set of instruments for all iterations
	var eng *engine            // nil: the legacy engine
	if useEventEngine(ctx) {
		eng = newEngine(ctx)
	}
	loopID := workflow.GetInfo(ctx).WorkflowExecution.ID
	tree := loopTree(ctx, in.Tree)
	if tree != nil {
		defer tree.leave(ctx)
	}
	kept := keepIterations(ctx)
	observeLoop(ctx, whileProgress(&in))
	var current *run // the running iteration, for step actions
	onRun := func(r *run) { current = r }
	if err := setWhileStepActionHandler(ctx, loopID, eng != nil, func() (int, *run) { return in.Next + 1, current }); err != nil {
		return nil, err
	}
	result := func(o LoopOutcome, why string) (*LoopResult, error) {
		return &LoopResult{Outcome: o, Iterations: in.Next, Counts: in.Counts, Error: why, LoopParams: in.LoopParams}, nil
	}
	for ranThisRun := 0; ; ranThisRun++ {
		ok, err := in.condition(ctx)
		if err != nil {
			return result(LoopFatal, fmt.Sprintf("while condition: %v", err))
		}
		if !ok {
			return result(LoopDone, "")
		}
		if in.Next >= MaxLoopIterations {
			return result(LoopFatal, fmt.Sprintf("while loop reached its limit of %d iterations", MaxLoopIterations))
		}
		if ranThisRun >= iterationsPerRun || historyLength(ctx) >= loopHistoryBudget {
			return nil, workflow.NewContinueAsNewError(ctx, WhileWorkflowName, in)
		}
		params := make(map[string]sel.Value, len(in.Base)+len(in.LoopParams)+2)
		for k, v := range in.Base {
			params[k] = v
		}
		for k, v := range in.LoopParams {
			params[k] = v
		}
		params["loop_index"] = sel.Value{Type: sel.Long, Value: int64(in.Next)}
		params["condition"] = sel.Value{Type: sel.Boolean, Value: true}
		run, id := RunInput{Plan: in.Plan, RunParams: params, Initiator: "WHILE", Depth: in.Depth, Restart: in.Restart.at(in.Next), Breakpoints: in.Breakpoints}, fmt.Sprintf("%s/%d", loopID, in.Next+1)
		var st *State
		if eng != nil {
			st = runIteration(eng, ctx, run, id, tree, onRun)
		} else {
			st = runInline(ctx, run, id, tree)
		}
		keepIteration(ctx, kept, in.Next, st)
		status, why := st.Status, failureReason(st)
		if ctx.Err() != nil {
			status = InstanceStopped
		}
		in.Next++
		in.Counts.add(status)
		metricsFor(ctx).loopIteration("while", status)
		switch status {
		case InstanceSucceeded:
		case InstanceTimedOut:
			return result(LoopTimedOut, why)
		case InstanceStopped:
			return result(LoopStopped, why)
		default:
			return result(LoopFatal, fmt.Sprintf("iteration %d failed: %s", in.Next, why))
		}
		if err := in.carry(st); err != nil {
			return result(LoopFatal, err.Error())
		}
	}
}

// condition evaluates the loop condition over the loop params, then the
// step params, then the workflow params.
func (in *WhileInput) condition(ctx workflow.Context) (bool, error) {
	prog, err := sel.Compile(in.Condition)
	if err != nil {
		return false, err
	}
	params := make(sel.MapParams, len(in.Base)+len(in.LoopParams))
	for k, v := range in.Base {
		params[k] = v.Value
	}
	for k, v := range in.LoopParams {
		params[k] = v.Value
	}
	v, err := prog.Eval(&sel.Env{Params: params, Now: func() time.Time { return workflow.Now(ctx) }})
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%q gave %T, want a boolean", in.Condition, v)
	}
	return b, nil
}

// carry updates the loop params from same-named inner step params.
func (in *WhileInput) carry(st *State) error {
	if st == nil {
		return nil
	}
	for _, s := range st.Steps {
		for _, name := range sortedKeys(in.LoopParams) {
			p, ok := s.Params[name]
			if !ok {
				continue
			}
			t := in.LoopParams[name].Type
			v, err := sel.Coerce(p.Value, t)
			if err != nil {
				return fmt.Errorf("loop param %q from step %q: %w", name, s.ID, err)
			}
			in.LoopParams[name] = sel.Value{Type: t, Value: v}
		}
	}
	return nil
}
