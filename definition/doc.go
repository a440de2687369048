// Package definition is Baton's user-facing model of a workflow: Go types
// mirroring Maestro's JSON definitions (snake_case), decoding of JSON,
// validation that reports every error with its path, and the Go builder.
package definition
