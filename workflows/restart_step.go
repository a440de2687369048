package workflows

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/translator"
)

// RestartFromSpecific is Maestro's policy of a restart from a chosen step
// (MAESTRO.md §4.17): the step and what follows it run again.
const RestartFromSpecific = "RESTART_FROM_SPECIFIC"

// ChangeRestartFromStep versions the restart from a step: a run restarted
// with RestartFromSpecific, skip steps or step restart params records it.
// Runs without them never call GetVersion for it, so their histories are
// unchanged.
const ChangeRestartFromStep = "restart-from-step"

// IterationRestart is the restart path through a foreach step: the
// iteration (0-based loop_index) whose inner DAG restarts from a step, and
// that restart.
type IterationRestart struct {
	Iteration int      `json:"iteration"`
	Inner     *Restart `json:"inner"`
}

// restartsFromStep reports whether this run restart records something of
// the restart from a step.
func (rs *Restart) restartsFromStep() bool {
	return rs != nil && (rs.Policy == RestartFromSpecific || len(rs.SkipSteps) > 0 || len(rs.StepParams) > 0 || len(rs.IterationStepParams) > 0)
}

// checkRestartFromStep checks the parts of a restart that belong to the
// restart from a step: the chosen step, skip steps and step params.
func checkRestartFromStep(plan *translator.Plan, rs *Restart) error {
	for _, id := range rs.SkipSteps {
		if plan.Node(id) == nil {
			return fmt.Errorf("restart: skip step %q: no such step in workflow %s", id, plan.WorkflowID)
		}
	}
	if err := checkStepParams(plan, rs.StepParams, ""); err != nil {
		return err
	}
	for _, id := range sortedKeys(rs.IterationStepParams) {
		n := plan.Node(id)
		if n == nil || n.Kind != "foreach" || n.Body == nil {
			return fmt.Errorf("restart: iteration step params of %q: no such foreach step in workflow %s", id, plan.WorkflowID)
		}
		if err := checkStepParams(bodyPlan(plan, n), rs.IterationStepParams[id], fmt.Sprintf("foreach step %q: ", id)); err != nil {
			return err
		}
	}
	if rs.Policy != RestartFromSpecific {
		return nil
	}
	_, err := specificRunSet(plan, rs)
	return err
}

// checkStepParams checks restart params of steps of plan: the steps exist,
// and a declared param has the same type and a mode that allows a change
// at restart. where prefixes the errors.
func checkStepParams(plan *translator.Plan, byStep map[string]map[string]*translator.Param, where string) error {
	for _, id := range sortedKeys(byStep) {
		pn := plan.Node(id)
		if pn == nil {
			return fmt.Errorf("restart: %sstep params of %q: no such step in workflow %s", where, id, plan.WorkflowID)
		}
		for _, name := range sortedKeys(byStep[id]) {
			p := byStep[id][name]
			if p == nil {
				return fmt.Errorf("restart: %sstep %q param %q: no definition", where, id, name)
			}
			if decl := pn.Params[name]; decl != nil {
				if !changeableAtRestart(decl.Mode) {
					return fmt.Errorf("restart: %sstep %q param %q has mode %s and cannot be changed at restart", where, id, name, decl.Mode)
				}
				if p.Type != decl.Type {
					return fmt.Errorf("restart: %sstep %q param %q is a %v, not a %v", where, id, name, decl.Type, p.Type)
				}
			}
		}
	}
	return nil
}

// specificRunSet decides which steps of a run restarted from a step run
// again, as Maestro's DagTranslator and DagHelper do: the start steps are
// those that did not complete plus the chosen one; the runtime DAG is what
// is reachable from them; its roots other than the chosen step are left
// uncreated and every branch reachable from them is trimmed (those steps
// keep their previous state). The chosen step must be a root of the
// runtime DAG.
func specificRunSet(plan *translator.Plan, rs *Restart) (map[string]bool, error) {
	prev := rs.Previous
	target := plan.Node(rs.Step)
	if target == nil {
		return nil, fmt.Errorf("restart: step %q: no such step in workflow %s", rs.Step, plan.WorkflowID)
	}
	if ps := prev.Step(rs.Step); ps == nil || ps.Status == NotCreated {
		return nil, fmt.Errorf("restart: step %q was not created in run %d; restart from a step that ran, or from incomplete", rs.Step, max(prev.Run, 1))
	}
	children := make(map[string][]string, len(plan.Steps))
	for _, pn := range plan.Steps {
		for _, e := range pn.Successors {
			children[pn.ID] = append(children[pn.ID], e.To)
		}
	}
	reach := func(from []string) map[string]bool {
		seen := make(map[string]bool)
		work := slices.Clone(from)
		for _, id := range from {
			seen[id] = true
		}
		for len(work) > 0 {
			id := work[len(work)-1]
			work = work[:len(work)-1]
			for _, c := range children[id] {
				if !seen[c] {
					seen[c] = true
					work = append(work, c)
				}
			}
		}
		return seen
	}
	var starts []string
	for _, pn := range plan.Steps {
		if ps := prev.Step(pn.ID); pn.ID == rs.Step || ps == nil || !ps.Status.Complete() {
			starts = append(starts, pn.ID)
		}
	}
	dag := reach(starts)
	hasParent := make(map[string]bool, len(dag))
	for _, pn := range plan.Steps {
		if !dag[pn.ID] {
			continue
		}
		for _, c := range children[pn.ID] {
			hasParent[c] = true
		}
	}
	if hasParent[rs.Step] {
		for _, pn := range plan.Steps {
			if dag[pn.ID] && slices.Contains(children[pn.ID], rs.Step) {
				return nil, fmt.Errorf("restart: step %q follows step %q, which did not complete in run %d: restart from %q, or from incomplete",
					rs.Step, pn.ID, max(prev.Run, 1), pn.ID)
			}
		}
	}
	var dummies []string
	for _, id := range starts {
		if id != rs.Step && !hasParent[id] {
			dummies = append(dummies, id)
		}
	}
	trimmed := reach(dummies)
	runSet := reach([]string{rs.Step})
	for id := range trimmed {
		delete(runSet, id)
	}
	return runSet, nil
}

// seedRestartFrom records the restart from a step in the run's history
// and prepares the DAG of a run restarted from a step: the
// steps specificRunSet picks run again, the others keep their previous
// state (a step that was never created stays NOT_CREATED) and take no part
// in the new run's joins.
func (r *run) seedRestartFrom(ctx workflow.Context, rs *Restart) error {
	if workflow.GetVersion(ctx, ChangeRestartFromStep, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return fmt.Errorf("baton: a restart from a step needs a worker that supports %s", ChangeRestartFromStep)
	}
	if rs.Policy != RestartFromSpecific {
		return nil // skip steps or step params only
	}
	if rs.Previous == nil {
		return fmt.Errorf("baton: a restart from step %q has no previous state", rs.Step)
	}
	runSet, err := specificRunSet(r.plan, rs)
	if err != nil {
		return err
	}
	inRun := make([]bool, len(r.nodes))
	for _, n := range r.nodes {
		inRun[n.index] = runSet[n.plan.ID]
	}
	r.keepPrevious(rs, inRun)
	return nil
}

// keepPrevious seeds the steps not in the new run with their previous
// state and counts the joins of the others among the steps in the run.
func (r *run) keepPrevious(rs *Restart, inRun []bool) {
	prevRun := max(rs.Previous.Run, 1)
	for _, n := range r.nodes {
		n.pending, n.preds = 0, 0
	}
	for _, n := range r.nodes {
		if !inRun[n.index] {
			if prev := rs.Previous.Step(n.plan.ID); prev != nil {
				ps := *prev
				if ps.Run == 0 {
					ps.Run = prevRun
				}
				n.state = &ps
				r.state.Steps[n.index] = n.state
			}
			n.finished = true
			if lr := rs.Loops[n.plan.ID]; lr != nil {
				n.rollup = lr.Collected
			}
			n.child = rs.Children[n.plan.ID]
			continue
		}
		for _, c := range n.children {
			if inRun[c.index] { // a kept child is never readied: its count goes below zero
				c.pending++
				c.preds++
			}
		}
	}
}

// skipAtRestart reports whether a restart asked to skip step n: it ends
// SKIPPED without running and the DAG continues as if it had completed.
func (r *run) skipAtRestart(n *node) bool {
	return r.restart != nil && len(r.restart.SkipSteps) > 0 && slices.Contains(r.restart.SkipSteps, n.plan.ID)
}

// stepOverrides are the params a restart replaces of step n: the
// restart's own, or those its foreach passed to this iteration.
func (r *run) stepOverrides(n *node) map[string]*translator.Param {
	if r.restart != nil {
		if over := r.restart.StepParams[n.plan.ID]; over != nil {
			return over
		}
	}
	return r.stepParams[n.plan.ID]
}

// restartStepParams evaluates the restart's params of step n in the
// step's scope before its own: they replace the definition's.
func (r *run) restartStepParams(n *node, s *scope) error {
	over := r.stepOverrides(n)
	for _, name := range sortedKeys(over) {
		if _, err := s.evalStepParam(name, over[name]); err != nil {
			return fmt.Errorf("restart %w", err)
		}
	}
	return nil
}

// hasRestartStepParams reports whether step n has params from a restart.
func (r *run) hasRestartStepParams(n *node) bool {
	return len(r.stepOverrides(n)) > 0
}

// resumeForeachPath restarts a foreach step on a restart path as
// Maestro's ForeachStepOverview does for a restart of one iteration: every
// iteration that ended keeps its result (a failed one too), the iteration
// on the path runs again from its step, and those never launched run.
func (r *run) resumeForeachPath(n *node, in *ForeachInput, lr *LoopResult) error {
	it := r.restart.Foreach
	if it == nil || it.Inner == nil || it.Inner.Previous == nil {
		return fmt.Errorf("restart: foreach step %q is on the restart path but names no iteration", n.plan.ID)
	}
	if it.Iteration < 0 || it.Iteration >= min(in.Total, lr.Resume) {
		return fmt.Errorf("restart: foreach step %q: iteration %d did not run (%d of %d iterations launched)", n.plan.ID, it.Iteration+1, lr.Resume, in.Total)
	}
	var rerun LoopCounts
	rerun.add(it.Inner.Previous.Status)
	kept := LoopCounts{Succeeded: lr.Counts.Succeeded - rerun.Succeeded, Failed: lr.Counts.Failed - rerun.Failed,
		TimedOut: lr.Counts.TimedOut - rerun.TimedOut, Stopped: lr.Counts.Stopped - rerun.Stopped}
	in.Redo, in.From, in.Restart = []int{it.Iteration}, lr.Resume, it
	in.Counts, in.Carried = kept, kept.Succeeded+kept.Failed+kept.TimedOut+kept.Stopped
	in.Incomplete = slices.DeleteFunc(slices.Clone(lr.Incomplete), func(i int) bool { return i == it.Iteration })
	return nil
}

// iterationStepParams passes the restart's params of inner steps of
// foreach step n to its iterations.
func (r *run) iterationStepParams(n *node, in *ForeachInput) {
	if r.restart != nil {
		in.StepParams = r.restart.IterationStepParams[n.plan.ID]
	}
}

// recordIterationStepParams records, in a loop run whose iterations get
// params from a restart, that it uses the restart from a step.
func recordIterationStepParams(ctx workflow.Context, in *ForeachInput) error {
	if len(in.StepParams) > 0 && workflow.GetVersion(ctx, ChangeRestartFromStep, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return fmt.Errorf("baton: step params from a restart need a worker that supports %s", ChangeRestartFromStep)
	}
	return nil
}

// iterationRestart is the restart of iteration i of a foreach restarted
// along a restart path, or nil.
func (in *ForeachInput) iterationRestart(i int) *Restart { return in.Restart.at(i) }

// at is the restart of iteration i (0-based), or nil.
func (it *IterationRestart) at(i int) *Restart {
	if it == nil || it.Iteration != i {
		return nil
	}
	return it.Inner
}

// resumeWhilePath makes a while step on a restart path continue from the
// iteration on the path, as Maestro's WhileStepRuntime does: the loop
// params are those that iteration started with (read from its previous
// state), the iterations before it count as succeeded, and it restarts
// from its step.
func resumeWhilePath(in *WhileInput, it *IterationRestart) {
	if it.Inner != nil && it.Inner.Previous != nil {
		for _, name := range sortedKeys(in.LoopParams) {
			if v, ok := it.Inner.Previous.Params[name]; ok {
				in.LoopParams[name] = v
			}
		}
	}
	in.Next = it.Iteration
	in.Counts = LoopCounts{Succeeded: it.Iteration}
	in.Restart = it
}

// QueryIteration asks a foreach loop run for the final state of one of
// its iterations (the int argument is the 0-based loop_index): what a
// restart from a step inside that iteration restarts from. A loop run
// keeps its iterations' states only while it replays, which is how a
// worker answers a query on a closed run, so a live loop pays nothing.
const QueryIteration = "baton.iteration"

// keepIterations registers QueryIteration on a foreach loop run and
// returns where finish records the iterations' states.
func keepIterations(ctx workflow.Context) map[int]*State {
	kept := map[int]*State{}
	_ = workflow.SetQueryHandler(ctx, QueryIteration, func(i int) (*State, error) {
		if st := kept[i]; st != nil {
			return st, nil
		}
		return nil, fmt.Errorf("iteration %d did not end in this loop run", i+1)
	})
	return kept
}

// keepIteration records an iteration's final state while the loop replays.
func (l *foreachLoop) keepIteration(i int, st *State) { keepIteration(l.ctx, l.kept, i, st) }

func keepIteration(ctx workflow.Context, kept map[int]*State, i int, st *State) {
	if kept != nil && workflow.IsReplaying(ctx) {
		kept[i] = st
	}
}

// CheckRestartPath checks a restart and every restart along its path: the
// child runs of subworkflow steps and the iteration of a foreach step.
func CheckRestartPath(plan *translator.Plan, rs *Restart) error {
	if err := CheckRestart(plan, rs); err != nil {
		return err
	}
	if rs.Policy != RestartFromSpecific {
		return nil
	}
	if in := rs.Subworkflows[rs.Step]; in != nil && in.Restart != nil {
		if err := CheckRestartPath(in.Plan, in.Restart); err != nil {
			return fmt.Errorf("subworkflow step %q: %w", rs.Step, err)
		}
	}
	for _, path := range []struct {
		kind string
		it   *IterationRestart
	}{{"foreach", rs.Foreach}, {"while", rs.While}} {
		kind, it := path.kind, path.it
		if it == nil {
			continue
		}
		n := plan.Node(rs.Step)
		if n == nil || n.Kind != kind || n.Body == nil || it.Inner == nil {
			return fmt.Errorf("restart: step %q is not a %s step", rs.Step, kind)
		}
		if err := CheckRestartPath(bodyPlan(plan, n), it.Inner); err != nil {
			return fmt.Errorf("%s step %q iteration %d: %w", kind, rs.Step, it.Iteration+1, err)
		}
	}
	return nil
}
