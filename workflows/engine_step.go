package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// This file drives a run and its steps on the event-driven engine: each
// step is a machine (machine.go) moved by the futures its phases wait on.

// move applies a step event and records it; in the legacy engine it does
// nothing. An event the step's phase does not accept is an interpreter bug:
// the workflow task fails (and is retried once a fixed worker runs it) with
// the step's moves in the error. Every change of a step's status or
// attempts comes with a move in the same round of events: the observer
// refreshes the run's details only after a round with a move.
func (r *run) move(n *node, ev stepEvent) {
	if r.eng == nil {
		return
	}
	r.moved = true
	if err := n.m.move(n.plan.ID, ev, n.state.Attempts); err != nil {
		panic(err)
	}
}

// beginEvents starts a whole run on its own engine, whose loop (engine.go)
// runs it to its end: the body of baton.Run. idle, if set, runs once per
// round of events, before the engine waits.
func (r *run) beginEvents(runParams map[string]sel.Value, idle func()) *engine {
	eng := newEngine(r.ctx)
	eng.idle = func() {
		r.armTimeout()
		if idle != nil {
			idle()
		}
	}
	r.begin(eng, runParams, nil)
	return eng
}

// isEnded is the done condition of a run's own engine loop.
func (r *run) isEnded() bool { return r.ended }

// begin starts a run on eng: its params, its signals and timeout (a run
// that is not an inline iteration), and its root steps. onEnd, if set, is
// raised on eng once the run has ended.
func (r *run) begin(eng *engine, runParams map[string]sel.Value, onEnd func()) {
	r.eng, r.onEnd = eng, onEnd
	r.scope, r.cancelScope = workflow.WithCancel(r.ctx)
	if err := r.startParams(runParams); err != nil {
		r.state.Error = err.Error()
		r.state.Status = InstanceFailed
		end := workflow.Now(r.ctx)
		r.state.EndTime = &end
		r.ended = true
		if onEnd != nil {
			eng.post(onEnd)
		}
		return
	}
	if !r.inline {
		r.watchRun()
		r.watchBreakpoints()
	}
	var roots []*node
	for _, n := range r.nodes {
		if n.pending == 0 && !n.finished { // finished: kept from a restarted run
			roots = append(roots, n)
		}
	}
	r.ready0(roots)
	r.checkEnd()
}

// watchRun turns a kill signal, a cancellation of the workflow and the
// workflow timeout into halts.
func (r *run) watchRun() {
	kill := workflow.GetSignalChannel(r.ctx, SignalKill)
	stopping := false
	var reason string // outside the poll, which runs on every pass: one allocation
	r.eng.poll(func() bool {
		raised := false
		for kill.ReceiveAsync(&reason) {
			why := reason
			if why == "" {
				why = "the run was killed"
			}
			r.eng.post(func() { r.halt(FatallyFailed, why) })
			raised = true
		}
		if !stopping && r.ctx.Err() != nil {
			stopping = true
			r.eng.post(func() { r.halt(Stopped, "the run was stopped") })
			raised = true
		}
		return raised
	})
	if r.plan.Timeout == (translator.Number{}) {
		return
	}
	// Loop iterations have no timeout of their own (the loop step's covers
	// them, as in Maestro).
	timeout, err := r.duration(r.plan.Timeout)
	if err != nil || timeout <= 0 {
		r.warn(fmt.Sprintf("workflow timeout: %v; using the default of 10 days", err))
		timeout = defaultTimeout
	}
	start := func(d time.Duration) {
		timerCtx, cancelTimer := workflow.WithCancel(r.ctx)
		r.stopTimer = cancelTimer
		r.eng.await(workflow.NewTimer(timerCtx, d), func(f workflow.Future) {
			if f.Get(timerCtx, nil) == nil && !r.ended {
				r.timedOut(timeout)
			}
		})
	}
	switch {
	case r.leanLocal: // see LeanLocalInput
		deadline := workflow.Now(r.ctx).Add(timeout)
		r.deferredTimeout = func() bool { return r.armPastLocals(deadline, timeout, start) }
	case r.lean:
		r.deferredTimeout = func() bool { start(timeout); return true } // see ChangeLeanStart
	default:
		start(timeout)
	}
}

// timedOut halts the run: its workflow timeout has passed.
func (r *run) timedOut(timeout time.Duration) {
	r.halt(TimedOut, fmt.Sprintf("the workflow timed out after %v", timeout))
}

// checkEnd ends the run once no step runs.
func (r *run) checkEnd() {
	if r.running > 0 || r.ended {
		return
	}
	r.ended = true
	if r.stopTimer != nil {
		r.stopTimer()
	}
	r.state.Status = instanceStatus(r.state.Steps)
	if r.haltWhy != "" && r.state.Error == "" {
		r.state.Error = r.haltWhy
	}
	end := workflow.Now(r.ctx)
	r.state.EndTime = &end
	if r.onEnd != nil {
		r.eng.post(r.onEnd)
	}
}

// create starts a step whose slot is free: EVALUATING_PARAMS, then its
// first attempt.
func (r *run) create(n *node) {
	if r.pauseBeforeCreate(n) { // a PAUSE action or a breakpoint (actions.go)
		return
	}
	r.running++
	if r.waitsForSignals(n) {
		r.waitSignals(n)
		return
	}
	r.move(n, evCreate)
	r.evaluate(n)
}

// evaluate runs a created step: EVALUATING_PARAMS, then its first attempt.
func (r *run) evaluate(n *node) {
	n.state.Status = Created
	timeout, policy, ok := r.prepareStep(r.ctx, n)
	if !ok {
		r.stepDone(n)
		return
	}
	n.timeout, n.policy = timeout, policy
	r.nextAttempt(n)
}

// nextAttempt takes a tree-cap permit for a leaf step, if the run has a
// tree cap, then starts an attempt.
func (r *run) nextAttempt(n *node) {
	if r.tree != nil && isLeaf(n.plan) {
		n.state.Status = WaitingForPermits
		f, settled := workflow.NewFuture(r.ctx)
		w := r.tree.ask(settled)
		if w != nil {
			r.move(n, evAsk)
			n.permit = w
			r.eng.await(f, func(workflow.Future) {
				if n.permit != w {
					return // withdrawn by a halt or a step action
				}
				n.permit = nil
				r.startAttempt(n)
			})
			return
		}
	}
	r.startAttempt(n)
}

// startAttempt starts one attempt in the step's mode: a future the engine
// waits on, or for a composite step a coroutine of its own for the attempt.
func (r *run) startAttempt(n *node) {
	r.move(n, evAttempt)
	n.state.Attempts++
	n.state.Status = Running
	// gen tells this attempt's futures from a later attempt's once a step
	// action has ended the step (actions.go); the attempt's own cancel scope
	// (for a local attempt, one the run lends it: engine_scope.go) lets
	// STOP, KILL and SKIP cancel just this step (a context records nothing
	// in the history until it is cancelled).
	gen := n.gen
	switch n.plan.Mode {
	case translator.ModeLocalActivity, translator.ModeActivity:
		a := r.newAttempt(n, gen)
		var f workflow.Future
		if a.local {
			a.ctx, a.loan = r.localAttempt(n)
			f = r.startLocal(a.ctx, n)
			r.eng.locals++
			a.epoch = r.eng.started()
		} else {
			a.ctx, n.cancel = workflow.WithCancel(r.scope)
			f = r.startActivity(a.ctx, n, n.timeout)
		}
		r.eng.awaitAttempt(f, a)
	case translator.ModeInline:
		r.startInline(n, gen)
	case translator.ModeChild:
		// A loop or subworkflow attempt waits on several things in turn
		// (a registry lookup, a child's start and end): one coroutine per
		// attempt, cancelled by a halt through n.cancel as in the legacy
		// engine (a finished async subworkflow's child is never cancelled).
		ctx, cancel := withChildCancel(r.ctx)
		n.cancel = cancel
		f, settled := workflow.NewFuture(ctx)
		var res outcome
		var err error
		workflow.Go(ctx, func(ctx workflow.Context) {
			res, err = r.attemptChild(ctx, n, n.timeout)
			settled.SetValue(nil)
		})
		r.eng.await(f, func(workflow.Future) {
			if n.gen == gen {
				r.settled(ctx, n, res, err)
			}
		})
	default:
		err := fmt.Errorf("not supported yet: execution mode %q", n.plan.Mode)
		r.eng.post(func() { r.settled(r.scope, n, outcomeFatal, err) })
	}
}

// startInline starts an attempt of a built-in step type that lives in
// workflow code: a Sleep is a timer.
func (r *run) startInline(n *node, gen uint32) {
	switch n.plan.Type {
	case "Sleep":
	case "NoOp":
		r.eng.post(func() { r.settled(r.scope, n, outcomeSucceeded, nil) })
		return
	default:
		err := fmt.Errorf("step type %q cannot run inline", n.plan.Type)
		r.eng.post(func() { r.settled(r.scope, n, outcomeFatal, err) })
		return
	}
	d, secs, err := sleepDuration(n)
	if err != nil {
		r.eng.post(func() { r.settled(r.scope, n, outcomeFatal, err) })
		return
	}
	timedOut := d > n.timeout
	if timedOut {
		d = n.timeout
	}
	r.eng.await(workflow.NewTimer(r.scope, d), func(f workflow.Future) {
		if n.gen != gen {
			return // ended by a step action
		}
		switch err := f.Get(r.scope, nil); {
		case err != nil:
			r.settled(r.scope, n, outcomeStopped, err)
		case timedOut:
			r.settled(r.scope, n, outcomeTimeout, fmt.Errorf("step timed out after %v (sleep_seconds %d)", n.timeout, secs))
		default:
			r.settled(r.scope, n, outcomeSucceeded, nil)
		}
	})
}

// settled handles an attempt's end: the step ends, or waits out a retry
// delay and tries again.
func (r *run) settled(ctx workflow.Context, n *node, res outcome, err error) {
	if r.tree != nil && isLeaf(n.plan) {
		r.tree.release()
	}
	if ctx.Err() != nil {
		r.endStep(ctx, n, r.cutShortStatus(), r.haltWhy)
		r.stepDone(n)
		return
	}
	v := r.judge(n, res, err, n.policy)
	if !v.retry && v.status == Succeeded && !v.fatal && r.sendsSignals(n) {
		r.sendOutputs(ctx, n, v)
		return
	}
	if !v.retry {
		r.apply(ctx, n, v)
		r.stepDone(n)
		return
	}
	r.move(n, evRetry)
	gen := n.gen
	r.eng.await(workflow.NewTimer(r.scope, v.delay), func(f workflow.Future) {
		if n.gen != gen {
			return // ended by a step action
		}
		if f.Get(r.scope, nil) != nil {
			r.endStep(r.scope, n, r.cutShortStatus(), r.haltWhy)
			r.stepDone(n)
			return
		}
		if r.pauseBeforeRetry(n) { // a breakpoint on this attempt (actions_apply.go)
			return
		}
		r.nextAttempt(n)
	})
}

// stepDone moves an ended step to DONE; its successors are readied from
// the event loop (as a step's end was in the legacy engine).
func (r *run) stepDone(n *node) {
	r.move(n, evEnd)
	r.eng.postStepEnd(r, n)
}

// stepEnded, raised by stepDone, readies the successors of the ended step.
func (r *run) stepEnded(n *node) {
	r.running--
	r.finish(n)
	r.checkEnd()
}

// haltSteps cuts short what the run's steps wait on: attempts and timers
// are cancelled (and end as their futures settle), waits for a permit are
// withdrawn.
func (r *run) haltSteps() {
	r.cancelScope()
	for _, n := range r.nodes {
		if n.m.phase == phaseSignals {
			r.stopWaitingSignals(n)
			r.endStep(r.ctx, n, r.cutShortStatus(), r.haltWhy)
			r.stepDone(n)
			continue
		}
		if n.m.phase != phasePermit || n.permit == nil {
			continue
		}
		r.tree.withdraw(n.permit)
		n.permit = nil
		r.endStep(r.ctx, n, r.cutShortStatus(), r.haltWhy)
		r.stepDone(n)
	}
	r.haltPaused()
}

// sleepDuration is a Sleep step's duration (Maestro's default is 3 s).
func sleepDuration(n *node) (time.Duration, int64, error) {
	secs := int64(3)
	if v, ok := n.state.Params["sleep_seconds"]; ok {
		l, ok := v.Value.(int64)
		if !ok {
			return 0, 0, fmt.Errorf("sleep_seconds must be a LONG, got %v", v.Type)
		}
		secs = l
	}
	if secs < 0 {
		return 0, 0, fmt.Errorf("sleep_seconds is negative: %d", secs)
	}
	return time.Duration(secs) * time.Second, secs, nil
}
