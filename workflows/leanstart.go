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
const ChangeLeanStart = "lean-start"

// runVersions is what a baton.Run run's version markers say.
type runVersions struct {
	events bool // the event-driven engine
	lean   bool // ChangeLeanStart
	// breakpoints: version 2 of ChangeLeanStart, the run reads its
	// breakpoints before its first step (breakpoints.go); one change id
	// for both, so a new run records one version marker still.
	breakpoints bool
}

// startVersions reads the run's engine versions; call it once, at the
// start of the workflow, before the observer.
func startVersions(ctx workflow.Context) runVersions {
	if v := workflow.GetVersion(ctx, ChangeLeanStart, workflow.DefaultVersion, 2); v >= 1 {
		return runVersions{events: true, lean: true, breakpoints: v >= 2}
	}
	return runVersions{events: useEventEngine(ctx)}
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
