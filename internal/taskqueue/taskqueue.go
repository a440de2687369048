// Package taskqueue holds the name of Baton's default task queue, so the
// packages that default to it (worker, client, registry, scheduler,
// signals) agree without importing one another.
package taskqueue

// Default is the task queue Baton's worker polls and its clients start
// work on when no task queue is given.
const Default = "baton"
