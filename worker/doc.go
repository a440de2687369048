// Package worker builds a Temporal worker that runs Baton: the interpreter
// workflow, the step activity (also run as a local activity) with the
// user's step types, and zap logging through the SDK's logger interface.
//
// Workers hold no run state: stopping one (or losing it) and starting
// another on the same task queue loses no step and repeats no completed
// one; the new worker rebuilds each run from its history. Steps that were
// running are retried as Maestro platform errors (after the platform
// backoff): an activity attempt once its heartbeat timeout passes (the step
// activity heartbeats on its own while the step runs), or as soon as it
// fails if the step returned when Stop cancelled it (after
// Options.Worker.WorkerStopTimeout). Local activities run again on the next
// worker.
package worker
