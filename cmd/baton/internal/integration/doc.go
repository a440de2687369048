// Package integration holds Baton's end-to-end tests: real Maestro sample
// definitions run by the interpreter on a real Temporal server started
// in-process (the same embedded server `baton run` uses).
package integration
