package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// A local attempt runs in a scope of its own so that STOP, KILL or SKIP of
// its step can cancel it alone (actEnd). Making that scope
// (workflow.WithCancel: a context, its Done channel, an entry in the
// parent's children) was about 5 of the allocations a step of a
// local-activity chain made beyond a hand-written chain, so the run keeps
// one scope and lends it to one attempt at a time: an attempt that starts
// while it is free takes it, and gives it back when its future settles,
// so a chain's steps take turns in one scope. An attempt that starts while
// another holds it makes a scope of its own, as before. Cancelling the
// lent scope cancels just the one attempt holding it; the run then drops
// it and makes a new one for the next attempt. A context records nothing
// in the history until it is cancelled, and the one attempt in a scope is
// cancelled exactly when it would be in a scope of its own, so runs record
// the same commands either way: no version.
type keptScope struct {
	ctx    workflow.Context // nil until made, and after a cancel
	cancel workflow.CancelFunc
	base   workflow.Context // the local-activity options it was made under
	// lent identifies the loan of ctx to an attempt in flight (0: free);
	// loans counts them, so a loan's id is never reused.
	lent, loans uint32
}

// localAttempt returns the context of a local attempt of n and the id of
// its loan of the kept scope (0 if it has a scope of its own, in n.cancel).
func (r *run) localAttempt(n *node) (workflow.Context, uint32) {
	base := r.localScope(n.timeout)
	k := &r.local.kept
	if k.lent != 0 {
		ctx, cancel := workflow.WithCancel(base)
		n.cancel, n.loan = cancel, 0
		return ctx, 0
	}
	if k.ctx == nil || k.base != base {
		k.ctx, k.cancel = workflow.WithCancel(base)
		k.base = base
	}
	k.loans++
	k.lent = k.loans
	n.cancel, n.loan = nil, k.lent
	return k.ctx, k.lent
}

// endLoan gives the kept scope back once the attempt that holds it under
// loan has settled.
func (r *run) endLoan(loan uint32) {
	if loan != 0 && r.local.kept.lent == loan {
		r.local.kept.lent = 0
	}
}

// cancelAttempt cancels the attempt of n in flight: its own scope, or the
// kept scope it holds, which the run then drops.
func (r *run) cancelAttempt(n *node) {
	k := &r.local.kept
	if n.loan != 0 {
		if k.lent == n.loan {
			k.cancel()
			*k = keptScope{loans: k.loans}
		}
		n.loan = 0
		return
	}
	if n.cancel != nil {
		n.cancel()
	}
}
