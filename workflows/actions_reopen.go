package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// SKIP of a step that has ended, and RESTART of an ended step that has
// downstream steps, while the run goes on: the step's end was propagated
// already (its children counted it, and a failed step left them never
// created), so that propagation is undone first. Children still waiting on
// other parents count the step as pending again; children left never
// created (and theirs, recursively) wait again. Steps downstream that have
// run are never undone: an action that would need it is refused.

// reopenRefusal says why a step's end cannot be undone, or "".
func (r *run) reopenRefusal(n *node) string {
	for _, c := range n.children {
		if c.finished && !neverCreated(c) {
			return fmt.Sprintf("not supported yet: its downstream step %q has run (%s)", c.plan.ID, c.state.Status)
		}
	}
	return ""
}

// neverCreated reports whether a finished step ended without being
// created (a parent did not complete, or the run halted).
func neverCreated(n *node) bool {
	return n.finished && n.m.phase == phaseDone && n.state.Status == NotCreated && n.state.StartTime == nil
}

// unpropagate undoes n's propagation to its children and returns the
// steps whose blocked flag must be worked out again.
func (r *run) unpropagate(n *node, touched []*node) []*node {
	for _, c := range n.children {
		c.pending++
		touched = append(touched, c)
		if neverCreated(c) {
			r.move(c, evRestart)
			c.finished = false
			touched = r.unpropagate(c, touched)
		}
	}
	return touched
}

// reblock works out again whether each touched step is blocked: by a
// parent that finished without completing.
func (r *run) reblock(touched []*node) {
	for _, c := range touched {
		c.blocked = false
		for _, id := range c.plan.Predecessors {
			if p := r.byID[id]; p != nil && p.finished && !p.state.Status.Complete() {
				c.blocked = true
			}
		}
	}
}

// actSkipEnded re-marks an ended step SKIPPED. If it had not completed,
// its downstream steps were never created: they are readied again, as if
// it had completed.
func (r *run) actSkipEnded(n *node, req StepActionRequest) string {
	wasComplete := n.state.Status.Complete()
	now := workflow.Now(r.ctx)
	n.state.Status, n.state.EndTime = Skipped, &now
	n.state.Error = "skipped by a step action"
	if req.Reason != "" {
		n.state.Error += ": " + req.Reason
	}
	if wasComplete {
		return "re-marked SKIPPED; its downstream steps had gone on already"
	}
	r.reblock(r.unpropagate(n, nil))
	r.ready0(r.propagate(n, nil))
	r.checkEnd()
	return "skipped; its downstream steps go on"
}

// reopenForRestart undoes an ended step's propagation before its new
// attempt: its children wait for it again.
func (r *run) reopenForRestart(n *node) {
	if len(n.children) == 0 {
		return
	}
	touched := r.unpropagate(n, nil)
	n.finished = false // its children must not count it as finished
	r.reblock(touched)
}
