package workflows

import (
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

// LeanBareResultInput (RunInput.Lean = 4) is version 3 and one more thing
// the run records differently: the local attempt of a step that returns no
// outputs and no signals records its marker without a result payload (the
// `{}` of an empty activities.Output, 28 bytes and one more payload with
// its metadata map in each marker, which the server, the worker and the SDK
// encode, size and copy again with every history it moves), as a
// hand-written local activity that returns only an error does. The
// interpreter's commands do not change, and a marker without a result
// decodes to the empty Output, so a worker that does not know the value
// (it reads it as version 3; its step activity returns `{}`) and one that
// does replay either history.
const LeanBareResultInput = 4

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
	// bareResults: LeanBareResultInput, from the run's input.
	bareResults bool
}

// startVersions reads the run's engine versions; call it once, at the
// start of the workflow, before the observer.
func startVersions(ctx workflow.Context, in RunInput) runVersions {
	if in.Lean >= LeanStartInput && inputDecides(ctx) {
		return runVersions{events: true, lean: true, breakpoints: true, input: true, bareResults: in.Lean >= LeanBareResultInput}
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

// armTimeout starts the workflow timeout's timer if the run deferred it
// (ChangeLeanStart) and has not ended: the engine calls it at the end of
// each round of events, so it starts at the end of the first one.
func (r *run) armTimeout() {
	if r.deferredTimeout == nil {
		return
	}
	start := r.deferredTimeout
	r.deferredTimeout = nil
	if !r.ended {
		start()
	}
}
