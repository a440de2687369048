package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/translator"
)

// attempt is what the event loop keeps of one attempt of an activity or
// local-activity step while its future is in flight. The run reuses the
// records (run.attempts) instead of a closure per attempt: a
// local-activity chain's steps take turns in one. A record is per attempt,
// not per step: an attempt a step action ended may still be in flight when
// the step's next one starts.
type attempt struct {
	r     *run
	n     *node
	ctx   workflow.Context // the attempt's scope
	gen   uint32           // n.gen when it started (engine_step.go)
	local bool
	epoch int    // engine.started's, for a local attempt
	loan  uint32 // its loan of the kept scope (engine_scope.go), if local
}

// newAttempt takes a record for an attempt of n that starts with gen.
func (r *run) newAttempt(n *node, gen uint32) *attempt {
	var a *attempt
	if k := len(r.attempts); k > 0 {
		a = r.attempts[k-1]
		r.attempts[k-1] = nil
		r.attempts = r.attempts[:k-1]
	} else {
		a = new(attempt)
	}
	*a = attempt{r: r, n: n, gen: gen, local: n.plan.Mode == translator.ModeLocalActivity}
	return a
}

// settle handles the attempt's settled future f from the event loop and
// gives the record back to the run.
func (a *attempt) settle(f workflow.Future) {
	r, n, ctx := a.r, a.n, a.ctx
	if a.local {
		r.eng.locals--
		r.eng.ended(a.epoch)
		r.endLoan(a.loan)
	}
	gen := a.gen
	*a = attempt{}
	r.attempts = append(r.attempts, a)
	if n.gen != gen {
		return // ended by a step action
	}
	res, err := r.activityOutcome(ctx, n, f, n.timeout)
	r.settled(ctx, n, res, err)
}
