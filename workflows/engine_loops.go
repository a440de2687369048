package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// Loop iterations on the event-driven engine: every iteration is a run of
// the interpreter whose steps are machines on the loop workflow's one
// engine, with no coroutine of its own.

// runOnEngine runs a foreach loop run's iterations on one engine: an
// iteration's end launches the next.
func (l *foreachLoop) runOnEngine() {
	eng := newEngine(l.ctx)
	l.watchBreakpoints(eng)
	if l.in.Shards > 0 {
		l.watchStop(eng)
	}
	var launch func(pos int) error
	launch = func(pos int) error {
		in, id, i, err := l.iterationRun(l.ctx, pos)
		if err != nil {
			return err
		}
		ictx, cancel := withChildCancel(l.ctx)
		r, err := newRun(ictx, in, id, true)
		if err != nil {
			st := &State{WorkflowID: in.Plan.WorkflowID, Status: InstanceFailed, Error: err.Error()}
			l.running[pos] = cancel
			eng.post(func() {
				l.finish(iterationDone{Index: i, Pos: pos, State: st})
				l.fill(launch)
			})
			return nil
		}
		r.tree = l.tree
		l.running[pos] = func() {
			cancel()
			r.halt(Stopped, "the run was stopped")
		}
		l.iters[i+1] = r
		r.begin(eng, in.RunParams, func() {
			delete(l.iters, i+1)
			l.finish(iterationDone{Index: i, Pos: pos, State: r.state})
			l.fill(launch)
		})
		return nil
	}
	stopping := false
	eng.poll(func() bool {
		if stopping || l.ctx.Err() == nil {
			return false
		}
		stopping = true
		eng.post(l.stopAll)
		return true
	})
	l.fill(launch)
	eng.loop(func() bool { return len(l.running) == 0 })
}

// runIteration runs one iteration on eng until it ends (a while loop's
// iterations run one at a time); a cancellation of ctx stops it.
func runIteration(eng *engine, ctx workflow.Context, in RunInput, id string, tree *permitClient, onRun func(*run)) *State {
	r, err := newRun(ctx, in, id, true)
	if err != nil {
		return &State{WorkflowID: in.Plan.WorkflowID, Status: InstanceFailed, Error: err.Error()}
	}
	onRun(r) // step actions address it
	r.tree = tree
	stopping := false
	eng.polls = eng.polls[:0] // the previous iteration's
	eng.poll(func() bool {
		if stopping || r.ended || ctx.Err() == nil {
			return false
		}
		stopping = true
		eng.post(func() { r.halt(Stopped, "the run was stopped") })
		return true
	})
	r.begin(eng, in.RunParams, nil)
	eng.loop(func() bool { return r.ended })
	return r.state
}
