package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// ChangeEngineHop lets the event loop move to a new coroutine behind the
// local activities it started (version 1). Asked only by a run that has
// hopAt or more local attempts in flight, the first time it has: a run
// narrower than that records nothing and runs as before.
const ChangeEngineHop = "engine-hop"

// hopAt is how many of the steps' local attempts started since the loop's
// coroutine was made, still in flight, make the loop move. It is part of
// version 1 of ChangeEngineHop (it decides where the marker and the moves
// fall): another value is a version 2.
const hopAt = 16

// Why the loop moves. Temporal's Go SDK runs every local activity in a
// coroutine of its own (workflow.ExecuteLocalActivity's retry loop,
// blocked on the attempt's result), and each result runs the dispatcher
// (ExecuteUntilAllBlocked), which calls every coroutine, in the order
// they were made, until a whole pass makes no progress. The loop's
// coroutine (the workflow's root) comes before the local activities it
// started, so a result costs three passes over all of them: in the first
// the local activity's coroutine settles the future the loop waits on
// (after the loop has looked), in the second the loop handles it, the
// third finds nothing moved. With the loop in a coroutine made after
// them, the first pass does both and a result costs two: a third less of
// the SDK's per-result work, which grows with the local activities in
// flight (a wide run of N local-activity steps makes about N²
// coroutine calls).
//
// The handlers run in the new coroutine with the contexts of the run they
// belong to (the root's); they never block, so which coroutine runs them
// only decides the order of the commands it issues among the other
// coroutines' in one pass: hence the version.

// started counts a step's local attempt the loop's coroutine precedes;
// ended, given what started returned, uncounts it once it settles.
func (e *engine) started() int {
	e.behind++
	return e.epoch
}

func (e *engine) ended(epoch int) {
	if epoch == e.epoch {
		e.behind--
	}
}

// hop starts the loop again in a new coroutine, made from base, when
// hopAt of the local attempts in flight come after the current one and
// this run's version of ChangeEngineHop allows it; it reports whether it
// did (the caller's loop then returns).
func (e *engine) hop(base workflow.Context, done func() bool, finished *bool) bool {
	if e.behind < hopAt {
		return false
	}
	if !e.hopAsked {
		e.hopAsked = true
		e.hops = workflow.GetVersion(e.ctx, ChangeEngineHop, workflow.DefaultVersion, 1) == 1
	}
	if !e.hops {
		return false // a run from before the change: the loop stays
	}
	e.epoch++
	e.behind = 0
	workflow.Go(base, func(ctx workflow.Context) { e.run(ctx, base, done, finished, 0) })
	return true
}
