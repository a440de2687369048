package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// ChangeLeanStart makes a run of baton.Run record less in its first
// workflow task; it implies the event-driven engine (ChangeEventEngine).
// Each GetVersion a run calls first records a marker and an upsert of
// TemporalChangeVersion, and each is a command the server persists, so a
// one-step run recorded 8 commands where a hand-written empty workflow
// records 1. Runs with this change:
//
//   - record this change id instead of event-engine and observe-status (one
//     marker and one upsert, not two of each): both are implied;
//   - start the workflow timeout's timer only once the run waits for
//     something (at the end of its first round of events, at the same
//     workflow time, so the deadline is the same): a run that ends in its
//     first workflow task starts and cancels no timer.
//
// Runs without the marker replay as before: Go's SDK matches version
// markers by change id, not by their place among the commands.
//
// Version 3 is not a marker: a starter that knows it asks for it in the
// run's input (RunInput.Lean = LeanStartInput), which is in history, so
// the run records no version marker and no TemporalChangeVersion upsert
// at all (Go's SDK upserts one with every marker it records). Such a run
// also skips its breakpoint read when the starter read them for it
// (RunInput.BreakpointsRead). A worker older than version 3 ignores the
// field and records its own marker; a newer one replaying that history
// follows the marker (inputDecides).
const ChangeLeanStart = "lean-start"

// LeanStartInput is the value of RunInput.Lean that asks for version 3 of
// ChangeLeanStart.
const LeanStartInput = 3

// LeanLocalInput (RunInput.LeanLocal = 1, with Lean 0) is version 3 and
// two more things a run records differently, both for its local attempts:
//
//   - the local attempt of a step that returns no outputs and no signals
//     records its marker without a result payload (the `{}` of an empty
//     activities.Output, 28 bytes and one more payload with its metadata
//     map in each marker, which the server, the worker and the SDK encode,
//     size and copy again with every history it moves), as a hand-written
//     local activity that returns only an error does; a marker without a
//     result decodes to the empty Output, so either history replays on a
//     worker that knows this version or not;
//   - the workflow timeout's timer waits for the first round of events with
//     no local attempt in flight (deferTimeoutPastLocals), so a chain of
//     local-activity steps, which ends in its first workflow task, starts
//     and cancels no timer.
//
// The second changes commands, so it cannot ride on RunInput.Lean: a
// worker that knows version 3 but not this would run Lean = 4 as version
// 3 and record the timer, and a replay on this worker would not make it,
// with nothing in the history to tell the two apart. So it has a field of
// its own and the starter leaves Lean 0: a worker that does not know the
// field records its lean-start marker (version 2) as for any run without
// Lean, and inputDecides, seeing the marker on a replay, follows it
// (testdata/histories/lean-session7-worker-lean-local-input.json:
// lean-user-local-activity.json, a run with a marker and the timer, with
// lean_local and breakpoints_read written into its input).
const LeanLocalInput = 1

// runVersions is what a baton.Run run's version markers say.
type runVersions struct {
	events bool // the event-driven engine
	lean   bool // ChangeLeanStart
	// breakpoints: version 2 of ChangeLeanStart, the run reads its
	// breakpoints before its first step (breakpoints.go); one change id
	// for both, so a new run records one version marker still.
	breakpoints bool
	// input: version 3, from the run's input (no marker); the starter's
	// breakpoint read stands for the run's own.
	input bool
	// leanLocal: LeanLocalInput, from the run's input.
	leanLocal bool
}

// startVersions reads the run's engine versions; call it once, at the
// start of the workflow, before the observer.
func startVersions(ctx workflow.Context, in RunInput) runVersions {
	local := in.LeanLocal >= LeanLocalInput
	if (in.Lean >= LeanStartInput || local) && inputDecides(ctx) {
		return runVersions{events: true, lean: true, breakpoints: true, input: true, leanLocal: local}
	}
	if v := workflow.GetVersion(ctx, ChangeLeanStart, workflow.DefaultVersion, 2); v >= 1 {
		return runVersions{events: true, lean: true, breakpoints: v >= 2}
	}
	return runVersions{events: useEventEngine(ctx)}
}

// inputDecides reports whether a run whose input asks for version 3 of
// ChangeLeanStart runs it: always in the run's first workflow task (nothing
// is recorded yet, and this worker knows the field); on a replay, only if
// that task recorded neither the lean-start nor the event-engine marker (a
// worker that ignored the field records one of them; the calls record
// nothing while replaying). testdata/histories/lean-session4-worker-lean3-input.json
// is such a history: lean-actions-while.json (a session-4 worker's run, a
// version-2 marker and its breakpoint read) with Lean and BreakpointsRead
// written into its input.
func inputDecides(ctx workflow.Context) bool {
	if !workflow.IsReplaying(ctx) {
		return true
	}
	return workflow.GetVersion(ctx, ChangeLeanStart, workflow.DefaultVersion, 2) == workflow.DefaultVersion &&
		workflow.GetVersion(ctx, ChangeEventEngine, workflow.DefaultVersion, 1) == workflow.DefaultVersion
}

// observeStatusVersion is the version of ChangeObserveStatus: implied by
// ChangeLeanStart, else read from the run's marker (or recorded).
func observeStatusVersion(ctx workflow.Context, lean bool) workflow.Version {
	if lean {
		return 1
	}
	return workflow.GetVersion(ctx, ChangeObserveStatus, workflow.DefaultVersion, 1)
}

// armPastLocals is the deferred start of the workflow timeout's timer of a
// LeanLocalInput run (armTimeout calls it at the end of each round of
// events until it reports true): it starts the timer at the end of the
// first round in which no local attempt is in flight, for what is left of
// the timeout then, so the deadline is the same, and a run whose every
// round has one in flight (a chain of local-activity steps, which the SDK
// completes in one workflow task) ends without starting and cancelling a
// timer. Meanwhile a poll checks the deadline on every pass of the
// dispatcher: while a local attempt is in flight the workflow task stays
// open, so a timer's firing could only reach the run when the SDK
// heartbeats the task, and that new task moves workflow time and runs
// the poll as well.
func (r *run) armPastLocals(deadline time.Time, timeout time.Duration, start func(time.Duration)) bool {
	if r.timeoutPolled {
		return true // the poll halted the run
	}
	switch left := deadline.Sub(workflow.Now(r.ctx)); {
	case left <= 0:
		r.timedOut(timeout)
	case r.eng.locals > 0:
		if !r.timeoutPoll {
			r.timeoutPoll = true
			r.eng.poll(func() bool {
				if r.timeoutPolled || r.deferredTimeout == nil || r.ended || workflow.Now(r.ctx).Before(deadline) {
					return false
				}
				r.timeoutPolled = true
				r.eng.post(func() { r.timedOut(timeout) })
				return true
			})
		}
		return false
	default:
		start(left)
	}
	return true
}

// armTimeout starts the workflow timeout's timer if the run deferred it
// (ChangeLeanStart) and has not ended: the engine calls it at the end of
// each round of events, so it starts at the end of the first one (the
// first with no local attempt in flight, for LeanLocalInput: then
// deferredTimeout reports false until it has).
func (r *run) armTimeout() {
	if r.deferredTimeout == nil {
		return
	}
	if r.ended || r.deferredTimeout() {
		r.deferredTimeout = nil
	}
}
