// Package sel implements Maestro's Simple Expression Language (SEL): a small,
// sandboxed subset of Java used by Maestro definitions for params, edge
// conditions, loop ranges and retry values.
//
// Evaluation is deterministic: the clock, random numbers and UUIDs come from
// the Env the caller passes (Baton's interpreter passes workflow time and
// seeded sources), and every evaluation runs under hard limits (Limits) far
// below Temporal's deadlock detector. The package imports nothing of Temporal.
package sel
