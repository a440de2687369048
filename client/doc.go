// Package client submits and controls Baton runs: it validates and compiles
// a definition, starts the interpreter workflow pinned to the plan (with
// run params and a request id that de-duplicates), waits for it, reads its
// state, and stops or kills it.
package client
