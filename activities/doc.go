// Package activities is the runtime of user step types: the StepType
// interface users implement in Go, the typed errors that select Maestro's
// retry classes, and the Runner that Baton registers as a Temporal activity
// (and local activity) to dispatch a step to its type.
//
// A step type plays the part of Maestro's StepRuntime (start, execute,
// terminate) in Temporal's idiom: one Run call that may take as long as the
// step's timeout, heartbeats if it is long, and returns when ctx is
// cancelled (Maestro's terminate).
package activities
