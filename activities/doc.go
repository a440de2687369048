// Package activities is the runtime of user step types: the StepType
// interface users implement in Go, the typed errors that select Maestro's
// retry classes, and the Runner that Baton registers as a Temporal activity
// (and local activity) to dispatch a step to its type.
//
// A step type plays the part of Maestro's StepRuntime (start, execute,
// terminate) in Temporal's idiom: one Run call that may take as long as the
// step's timeout and returns when ctx is cancelled (Maestro's terminate).
//
// Run as an activity, the Runner heartbeats while the step runs, so a step
// type need not: when its worker dies, Temporal gives the attempt up at the
// step's heartbeat timeout (30 s by default) and the interpreter retries it
// as a platform error. When its worker stops gracefully and cancels ctx, an
// error the step did not classify is a platform error too. An attempt whose
// worker went away may have done some or all of its work, so step types
// should be idempotent, as Maestro's StepRuntime.start must be.
package activities
