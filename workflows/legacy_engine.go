package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// Legacy engine: replay only. Delete when no run started before
// ChangeEventEngine remains (no baton.Run, baton.Foreach or baton.While
// history without its marker). Runs that started on it keep a coroutine
// per running step and per running loop iteration; the event-driven engine
// (engine.go) replaced it.

// runInline runs a plan inside the current workflow, in the calling
// coroutine, as its own instance with id `id`: how loop iterations run
// without a child workflow each. tree is the loop workflow's tree cap, nil
// without one.
func runInline(ctx workflow.Context, in RunInput, id string, tree *permitClient) *State {
	r, err := newRun(ctx, in, id, true)
	if err != nil {
		return &State{WorkflowID: in.Plan.WorkflowID, Status: InstanceFailed, Error: err.Error()}
	}
	r.tree = tree
	r.runToEnd(in.RunParams)
	return r.state
}

// runToEnd evaluates the workflow params and executes the DAG.
func (r *run) runToEnd(runParams map[string]sel.Value) {
	if err := r.startParams(runParams); err != nil {
		r.state.Error = err.Error()
		r.state.Status = InstanceFailed
		end := workflow.Now(r.ctx)
		r.state.EndTime = &end
		return
	}
	r.execute()
}

// execute runs the DAG to its end.
func (r *run) execute() {
	ctx := r.ctx
	r.done = workflow.NewBufferedChannel(ctx, len(r.nodes)+1) // the legacy engine's alone: made here
	selector := workflow.NewSelector(ctx)
	selector.AddReceive(r.done, func(c workflow.ReceiveChannel, _ bool) {
		var idx int
		c.Receive(ctx, &idx)
		r.running--
		if ctx.Err() != nil {
			r.halt(Stopped, "the run was stopped")
		}
		r.finish(r.nodes[idx])
	})
	if !r.inline {
		selector.AddReceive(workflow.GetSignalChannel(ctx, SignalKill), func(c workflow.ReceiveChannel, _ bool) {
			var reason string
			c.Receive(ctx, &reason)
			if reason == "" {
				reason = "the run was killed"
			}
			r.halt(FatallyFailed, reason)
		})
	}
	// The workflow timeout is a timer, cancelled when the run ends; loop
	// iterations have none (the loop step's own timeout covers them, as in
	// Maestro).
	if r.plan.Timeout != (translator.Number{}) {
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		defer cancelTimer()
		timeout, err := r.duration(r.plan.Timeout)
		if err != nil || timeout <= 0 {
			r.warn(fmt.Sprintf("workflow timeout: %v; using the default of 10 days", err))
			timeout = defaultTimeout
		}
		selector.AddFuture(workflow.NewTimer(timerCtx, timeout), func(f workflow.Future) {
			if f.Get(timerCtx, nil) == nil {
				r.halt(TimedOut, fmt.Sprintf("the workflow timed out after %v", timeout))
			}
		})
	}

	// Collect the roots before readying any: an inline root readies its
	// children at once, and they must not be readied again as roots.
	var roots []*node
	for _, n := range r.nodes {
		if n.pending == 0 && !n.finished { // finished: kept from a restarted run
			roots = append(roots, n)
		}
	}
	r.ready0(roots)
	for r.running > 0 {
		selector.Select(ctx)
		if ctx.Err() != nil && !r.halted {
			r.halt(Stopped, "the run was stopped")
		}
	}
	r.state.Status = instanceStatus(r.state.Steps)
	if r.haltWhy != "" && r.state.Error == "" {
		r.state.Error = r.haltWhy
	}
	end := workflow.Now(ctx)
	r.state.EndTime = &end
}

// runStep runs a step's lifecycle in its coroutine: params, attempts,
// retries with Maestro's three classes, and the failure mode.
func (r *run) runStep(ctx workflow.Context, n *node) {
	st := n.state
	timeout, policy, ok := r.prepareStep(ctx, n)
	if !ok {
		return
	}
	leaf := r.tree != nil && isLeaf(n.plan)
	for {
		if leaf {
			// A permit of the tree cap for each attempt (Maestro's
			// WAITING_FOR_PERMITS, before STARTING).
			st.Status = WaitingForPermits
			if err := r.tree.acquire(ctx); err != nil {
				r.endStep(ctx, n, r.cutShortStatus(), r.haltWhy)
				return
			}
		}
		st.Attempts++
		st.Status = Running
		res, err := r.attempt(ctx, n, timeout)
		if leaf {
			r.tree.release()
		}
		if ctx.Err() != nil {
			r.endStep(ctx, n, r.cutShortStatus(), r.haltWhy)
			return
		}
		v := r.judge(n, res, err, policy)
		if !v.retry {
			r.apply(ctx, n, v)
			return
		}
		if err := workflow.Sleep(ctx, v.delay); err != nil {
			r.endStep(ctx, n, r.cutShortStatus(), r.haltWhy)
			return
		}
	}
}

// attempt runs one attempt of a step in its mode.
func (r *run) attempt(ctx workflow.Context, n *node, timeout time.Duration) (outcome, error) {
	switch n.plan.Mode {
	case translator.ModeInline:
		return r.attemptInline(ctx, n, timeout)
	case translator.ModeLocalActivity, translator.ModeActivity:
		return r.attemptActivity(ctx, n, timeout)
	case translator.ModeChild:
		return r.attemptChild(ctx, n, timeout)
	}
	return outcomeFatal, fmt.Errorf("not supported yet: execution mode %q", n.plan.Mode)
}

// attemptInline runs the built-in step types that live in workflow code.
func (r *run) attemptInline(ctx workflow.Context, n *node, timeout time.Duration) (outcome, error) {
	switch n.plan.Type {
	case "Sleep":
		d, secs, err := sleepDuration(n)
		if err != nil {
			return outcomeFatal, err
		}
		if d > timeout {
			if err := workflow.Sleep(ctx, timeout); err != nil {
				return outcomeStopped, err
			}
			return outcomeTimeout, fmt.Errorf("step timed out after %v (sleep_seconds %d)", timeout, secs)
		}
		if err := workflow.Sleep(ctx, d); err != nil {
			return outcomeStopped, err
		}
		return outcomeSucceeded, nil
	case "NoOp":
		return outcomeSucceeded, nil
	}
	return outcomeFatal, fmt.Errorf("step type %q cannot run inline", n.plan.Type)
}

// acquire waits for a permit; it fails only when ctx is cancelled.
func (c *permitClient) acquire(ctx workflow.Context) error {
	w := c.ask(nil)
	if w == nil {
		return nil
	}
	if err := workflow.Await(ctx, func() bool { return w.granted }); err != nil {
		c.withdraw(w)
		return err
	}
	return nil
}

// legacyLaunch starts n's lifecycle in its own coroutine.
func (r *run) legacyLaunch(n *node) {
	r.running++
	ctx, cancel := withChildCancel(r.ctx)
	n.cancel = cancel
	n.state.Status = Created
	workflow.Go(ctx, func(ctx workflow.Context) {
		r.runStep(ctx, n)
		r.done.SendAsync(n.index)
	})
}
