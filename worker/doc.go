// Package worker builds a Temporal worker that runs Baton: the interpreter
// workflow, the step activity (also run as a local activity) with the
// user's step types, and zap logging through the SDK's logger interface.
package worker
