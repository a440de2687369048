package workflows

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// The restart policies (MAESTRO.md §4.17) and the policy of a first run.
const (
	StartFreshNewRun      = "START_FRESH_NEW_RUN"
	RestartFromIncomplete = "RESTART_FROM_INCOMPLETE"
	RestartFromBeginning  = "RESTART_FROM_BEGINNING"
)

// Restart makes a run the next run of an ended instance: a new Temporal
// execution of the same workflow id, pinned to the same plan, seeded with
// the previous run's final state.
type Restart struct {
	// Policy is RestartFromIncomplete (the default) or RestartFromBeginning.
	Policy string `json:"policy"`
	// Run is this run's workflow_run_id: the previous run's plus one.
	Run int `json:"run"`
	// Previous is the final state of the run being restarted.
	Previous *State `json:"previous"`
	// Params are the restart params: they may change only params whose mode
	// allows a change at restart (MUTABLE, MUTABLE_ON_START_RESTART) or add
	// new ones.
	Params map[string]sel.Value `json:"params,omitempty"`
	// RequestID de-duplicates restarts of the same run.
	RequestID string `json:"request_id,omitempty"`
	// Loops are the results of the previous run's foreach steps, and
	// Children the final states of its sync subworkflows, by step id: what
	// getFromForeach and getFromSubworkflow read of a kept step, and where a
	// foreach that did not complete resumes.
	Loops    map[string]*LoopResult `json:"loops,omitempty"`
	Children map[string]*State      `json:"children,omitempty"`
	// Subworkflows are the restarts of the child runs that sync subworkflow
	// steps left incomplete, by step id: such a step restarts the same child
	// instance from incomplete instead of starting a new run. Without one,
	// the step starts a new child run.
	Subworkflows map[string]*RunInput `json:"subworkflows,omitempty"`

	// Step is the step a RestartFromSpecific run restarts from: it and what
	// follows it run again (restart_step.go).
	Step string `json:"step,omitempty"`
	// Foreach, when Step is a foreach step on a restart path, is the
	// iteration that restarts from a step of its own.
	Foreach *IterationRestart `json:"foreach,omitempty"`
	// While, when Step is a while step on a restart path, is the
	// iteration the loop continues from, restarting from a step of its own.
	While *IterationRestart `json:"while,omitempty"`
	// StepParams override the params of steps of this run, by step id
	// (Maestro's step_restart_params), evaluated in the step's scope.
	StepParams map[string]map[string]*translator.Param `json:"step_params,omitempty"`
	// IterationStepParams override params of inner steps of foreach steps
	// in every iteration they run, by foreach step id then inner step id
	// (RESTART_FROM_INLINE_ROOT for a step inside a foreach).
	IterationStepParams map[string]map[string]map[string]*translator.Param `json:"iteration_step_params,omitempty"`
	// SkipSteps end SKIPPED without running when their turn comes; the
	// DAG continues as if they had completed.
	SkipSteps []string `json:"skip_steps,omitempty"`
}

// reservedParams are the system params Maestro marks RESERVED; the others
// are MUTABLE_ON_START.
var reservedParams = map[string]bool{"workflow_id": true, "owner": true}

// systemParamNames are the names systemParams injects, read off one call
// so the list cannot drift from it.
var systemParamNames = sync.OnceValue(func() map[string]bool {
	r := &run{plan: &translator.Plan{Owner: "owner"}, state: &State{}}
	names := make(map[string]bool)
	for name := range r.systemParams() {
		names[name] = true
	}
	return names
})

// changeableAtRestart reports whether a restart param may change a
// declared param of this mode (MAESTRO.md §3.9).
func changeableAtRestart(mode string) bool {
	switch mode {
	case "", "MUTABLE", "MUTABLE_ON_START_RESTART":
		return true
	}
	return false
}

// CheckRestart checks a restart against the plan the run is pinned to,
// before anything reaches Temporal: the policy, the previous run's end, and
// the restart params' modes.
func CheckRestart(plan *translator.Plan, rs *Restart) error {
	if plan == nil || rs == nil || rs.Previous == nil {
		return fmt.Errorf("restart: no plan or previous state")
	}
	prev := rs.Previous
	switch rs.Policy {
	case RestartFromIncomplete, RestartFromBeginning, RestartFromSpecific:
	default:
		return fmt.Errorf("restart: policy %q is not one of %s, %s, %s", rs.Policy, RestartFromIncomplete, RestartFromBeginning, RestartFromSpecific)
	}
	if prev.Status == InProgress {
		return fmt.Errorf("restart: the run is still %s; stop it first", InProgress)
	}
	if _, _, err := restartParams(plan, prev, rs.Params); err != nil {
		return err
	}
	if err := checkRestartFromStep(plan, rs); err != nil {
		return err
	}
	if rs.Policy != RestartFromIncomplete {
		return nil
	}
	starts := 0
	for _, pn := range plan.Steps {
		ps := prev.Step(pn.ID)
		if ps != nil && ps.Status.Complete() {
			continue
		}
		starts++
	}
	if starts == 0 {
		return fmt.Errorf("restart: every step of the run completed, so there is nothing to restart from incomplete; use %s", RestartFromBeginning)
	}
	return nil
}

// restartParams decides the workflow params of a restarted run by the
// mode table of MAESTRO.md §3.9: IMMUTABLE params are evaluated again from
// their definition, every other param keeps its previous value, and the
// restart params override those whose mode allows a change at restart. It
// returns the values to keep and the declared params to evaluate.
func restartParams(plan *translator.Plan, prev *State, changes map[string]sel.Value) (map[string]sel.Value, []string, error) {
	kept := make(map[string]sel.Value, len(prev.Params)+len(changes))
	for name, v := range prev.Params {
		if !reservedParams[name] {
			kept[name] = v
		}
	}
	var reeval []string
	for _, name := range sortedKeys(plan.Params) {
		_, had := kept[name]
		if plan.Params[name].Mode == "IMMUTABLE" || !had {
			delete(kept, name)
			reeval = append(reeval, name)
		}
	}
	for _, name := range sortedKeys(changes) {
		v := changes[name]
		decl, declared := plan.Params[name]
		switch {
		case declared:
			if !changeableAtRestart(decl.Mode) {
				return nil, nil, fmt.Errorf("restart param %q: workflow param %q has mode %s and cannot be changed at restart", name, name, decl.Mode)
			}
			cv, err := sel.Coerce(v.Value, decl.Type)
			if err != nil {
				return nil, nil, fmt.Errorf("restart param %q: %w", name, err)
			}
			v = sel.Value{Type: decl.Type, Value: cv}
			reeval = slices.DeleteFunc(reeval, func(n string) bool { return n == name })
		case reservedParams[name]:
			return nil, nil, fmt.Errorf("restart param %q: the name is reserved", name)
		case systemParamNames()[name]:
			return nil, nil, fmt.Errorf("restart param %q: system param %q has mode MUTABLE_ON_START and cannot be changed at restart", name, name)
		}
		kept[name] = v
	}
	return kept, reeval, nil
}

// restartable keeps the params that may change at restart of a run of
// plan: declared ones whose mode allows it, and undeclared ones that are
// not system params.
func restartable(plan *translator.Plan, params map[string]sel.Value) map[string]sel.Value {
	out := make(map[string]sel.Value, len(params))
	for name, v := range params {
		if decl, ok := plan.Params[name]; ok {
			if changeableAtRestart(decl.Mode) {
				out[name] = v
			}
			continue
		}
		if !systemParamNames()[name] {
			out[name] = v
		}
	}
	return out
}

// restartParamsAtStart sets up the workflow params of a restarted run:
// fresh system params for any the previous run lacks, the kept values,
// and the params to evaluate again pending.
func (r *run) restartParamsAtStart(rs *Restart) error {
	kept, reeval, err := restartParams(r.plan, rs.Previous, rs.Params)
	if err != nil {
		return err
	}
	r.wfParams = r.systemParams()
	for name, v := range kept {
		r.wfParams[name] = v
	}
	r.wfPending = make(map[string]*translator.Param, len(reeval))
	for _, name := range reeval {
		r.wfPending[name] = r.plan.Params[name]
	}
	return nil
}

// seedRestart prepares the DAG of a run restarted from incomplete (as
// Maestro's DagTranslator does): the steps that did not complete start
// again, with everything reachable from them; the other steps keep their
// previous state (their params stay readable as stepId__param) and take
// no part in the new run's joins.
func (r *run) seedRestart(rs *Restart) {
	inRun := make([]bool, len(r.nodes))
	var work []*node
	for _, n := range r.nodes {
		if ps := rs.Previous.Step(n.plan.ID); ps == nil || !ps.Status.Complete() {
			inRun[n.index] = true
			work = append(work, n)
		}
	}
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		for _, c := range n.children {
			if !inRun[c.index] {
				inRun[c.index] = true
				work = append(work, c)
			}
		}
	}
	r.keepPrevious(rs, inRun)
}

// resumeWhile makes the first attempt of a while step of a run restarted
// from incomplete continue from its last iteration (MAESTRO.md §4.12): the
// iteration that did not succeed runs again, with the loop params as the
// last successful iteration left them.
func (r *run) resumeWhile(n *node, in *WhileInput) {
	if rs := r.restart; rs != nil && rs.Policy == RestartFromSpecific && rs.Step == n.plan.ID && rs.While != nil && n.state.Attempts <= 1 {
		resumeWhilePath(in, rs.While)
		return
	}
	lr := r.restartLoop(n)
	if lr == nil {
		return
	}
	if lr.LoopParams != nil {
		in.LoopParams = lr.LoopParams
	}
	in.Next = lr.Counts.Succeeded // a while stops at its first iteration that does not succeed
	in.Counts = LoopCounts{Succeeded: lr.Counts.Succeeded}
}

// restartLoop is the previous run's result of loop step n when this is the
// step's first attempt in a run restarted from incomplete.
func (r *run) restartLoop(n *node) *LoopResult {
	rs := r.restart
	if rs == nil || n.state.Attempts > 1 {
		return nil
	}
	// In a run restarted from a step, a foreach resumes as from incomplete
	// (Maestro's ForeachStepRuntime does so under RESTART_FROM_SPECIFIC),
	// the one on a restart path with its iteration (resumeForeachPath); a
	// while starts again.
	if rs.Policy != RestartFromIncomplete && (rs.Policy != RestartFromSpecific || n.plan.Kind != "foreach") {
		return nil
	}
	return rs.Loops[n.plan.ID]
}

// resumeForeach makes the first attempt of a foreach step of a run
// restarted from incomplete run only what did not succeed before: the
// iterations that failed, stopped or timed out, then those never launched
// (MAESTRO.md §4.11). The successes, their count and their collected
// params are kept. Each iteration due again runs its inner DAG from the
// start.
func (r *run) resumeForeach(n *node, in *ForeachInput) error {
	r.iterationStepParams(n, in)
	lr := r.restartLoop(n)
	if lr == nil {
		return nil
	}
	if lr.Total != in.Total {
		return fmt.Errorf("foreach has %d iterations in the restarted run but %d before: its loop params changed", in.Total, lr.Total)
	}
	in.keepCollected(lr)
	if rs := r.restart; rs.Policy == RestartFromSpecific && rs.Step == n.plan.ID && rs.Foreach != nil {
		return r.resumeForeachPath(n, in, lr)
	}
	in.Redo = append([]int(nil), lr.Incomplete...)
	sort.Ints(in.Redo)
	in.From = lr.Resume
	in.Carried = lr.Counts.Succeeded
	in.Counts = LoopCounts{Succeeded: lr.Counts.Succeeded}
	return nil
}

// keepCollected carries a restarted foreach's collected params over.
func (in *ForeachInput) keepCollected(lr *LoopResult) {
	if len(in.Collect) > 0 && lr.Collected != nil {
		in.Collected = lr.Collected
		for _, k := range in.Collect {
			if len(in.Collected[k]) != in.Total {
				in.Collected[k] = make([]*sel.Value, in.Total)
			}
		}
	}
}
