package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// The step actions as events on a step's machine (machine.go). Every
// function here runs in the update handler's coroutine while the engine's
// loop is blocked in its wait: what it changes is seen by the loop's next
// pass, and a step's end is posted to the loop as any other end is.

// actPause holds a step that is not created yet: it pauses (PAUSED) when
// it would be created, and waits for RESUME.
func (r *run) actPause(n *node, _ StepActionRequest) string {
	n.act.pause = true
	return "the step pauses before it is created"
}

// actResume creates a paused step, or withdraws a pending PAUSE.
func (r *run) actResume(n *node, _ StepActionRequest) string {
	if n.m.phase != phasePaused {
		n.act.pause = false
		return "the pending PAUSE is withdrawn"
	}
	if n.act.retry {
		n.act.retry = false
		r.nextAttempt(n)
		return "resumed: the retry's attempt starts"
	}
	n.act.resumed = true
	r.running-- // create takes the slot again
	r.create(n)
	return "resumed"
}

// actEnd ends a step in flight with STOPPED, FATALLY_FAILED (through its
// failure mode, as a KILL from an operator is not from upstream) or
// SKIPPED (the DAG goes on as if it completed). What the step waited on is
// cut off: its attempt is cancelled (and its future then ignored), a retry
// timer or a permit wait is dropped.
func (r *run) actEnd(n *node, status StepStatus, req StepActionRequest) string {
	counted := true // counted in r.running: created (or paused)
	switch n.m.phase {
	case phaseQueued:
		counted = false
		for i, q := range r.queue {
			if q == n {
				r.queue = append(r.queue[:i], r.queue[i+1:]...)
				break
			}
		}
	case phasePermit:
		if n.permit != nil {
			r.tree.withdraw(n.permit)
			n.permit = nil
		}
	case phaseRunning:
		n.gen++
		if r.tree != nil && isLeaf(n.plan) {
			r.tree.release()
		}
		r.cancelAttempt(n)
	case phaseBackoff:
		n.gen++
	case phaseSignals:
		r.stopWaitingSignals(n)
	}
	why := fmt.Sprintf("%s by a step action", map[StepStatus]string{Skipped: "skipped", Stopped: "stopped", FatallyFailed: "killed"}[status])
	if req.Reason != "" {
		why += ": " + req.Reason
	}
	r.move(n, evEnd)
	if n.state.StartTime == nil {
		now := workflow.Now(r.ctx)
		n.state.StartTime = &now
	}
	if status == FatallyFailed {
		r.fatal(r.ctx, n, why)
	} else {
		r.endStep(r.ctx, n, status, why)
	}
	r.eng.post(func() {
		if counted {
			r.running--
		}
		r.finish(n)
		r.checkEnd()
	})
	return why
}

// actRestart starts a new attempt of an ended step while the run is in
// progress: the step is created again (or queued for a slot).
func (r *run) actRestart(n *node, _ StepActionRequest) string {
	r.reopenForRestart(n)
	r.move(n, evRestart)
	n.finished = false
	n.act = stepActions{}
	n.state.Status = NotCreated
	n.state.Error = ""
	n.state.EndTime = nil
	n.state.Retries = Retries{}
	r.launchOrQueue(n)
	return fmt.Sprintf("a new attempt (attempt %d)", n.state.Attempts+1)
}

// pausesAt reports whether a step that is about to be created pauses: a
// pending PAUSE, or a matching breakpoint. A RESUMEd step passes once.
func (r *run) pausesAt(n *node) bool {
	if r.eng == nil || n.act.resumed {
		return false
	}
	return n.act.pause || r.breakpointAt(n)
}

// pauseBeforeCreate pauses a step instead of creating it if it should
// (pausesAt); a paused step holds its slot, as a created one does.
func (r *run) pauseBeforeCreate(n *node) bool {
	if !r.pausesAt(n) {
		n.act.resumed = false
		return false
	}
	n.act.pause = false
	r.running++
	r.move(n, evPause)
	n.state.Status = Paused
	return true
}

// pauseBeforeRetry pauses a step before a retry's attempt if a breakpoint
// matches that attempt (Maestro pauses every matching step attempt); the
// step keeps its slot and, on RESUME, starts the attempt.
func (r *run) pauseBeforeRetry(n *node) bool {
	if !r.breakpointAt(n) {
		return false
	}
	r.move(n, evPause)
	n.state.Status = Paused
	n.act.retry = true
	return true
}

// haltPaused ends the paused steps of a halted run, as its other steps.
func (r *run) haltPaused() {
	for _, n := range r.nodes {
		if n.m.phase != phasePaused {
			continue
		}
		r.endStep(r.ctx, n, r.cutShortStatus(), r.haltWhy)
		r.stepDone(n)
	}
}
