// Package registry is Baton's definition registry, kept by Temporal itself
// (no database): one entity workflow per Maestro workflow id, with the
// Temporal workflow id "baton-registry/<id>", holds every pushed version of
// that workflow's definition.
//
// Writes are Temporal updates whose validators refuse a malformed push
// before it is accepted (the client also validates and compiles first, so
// nothing malformed reaches Temporal): push (update-with-start, so the
// first push creates the entity) and activate. Reads are queries: the
// version list and one version by selector. Each push gets the next
// number (1, 2, 3...); the request's is_active (default true) decides
// whether it becomes the active version. Selectors: "active", "latest",
// "default" (the active version, or the latest if none is active, as
// Maestro's WorkflowVersion.DEFAULT), or a number; "" means active.
//
// Each version stores its definition JSON (definition.Encode, compacted
// and gzip-compressed), its plan hash as compiled by the pushing client,
// its name, description and create time (workflow.Now). Runs compile the
// definition when they start and are pinned to that plan.
//
// History stays bounded: the entity continues as new with its compact
// state after DefaultMaxUpdates updates, 2,000 events, 4 MiB of history,
// or when the server suggests it (about 900 events per 250 pushes). The
// state itself is bounded by MaxStoredBytes: past it, the definitions of
// the oldest versions that are neither active nor latest are pruned
// (their metadata stays; fetching one is a not-found error). Names and
// descriptions are kept to 256 bytes, and a push is refused once the
// versions' metadata would pass MaxMetadataBytes (several thousand
// versions).
//
// Schedules follow the active version durably: a push carrying
// ScheduleSync (client.Push sends it) makes the entity run the
// scheduler's sync activity (SyncActivityName) after each change of its
// active version, retried until done, and answer the update once it has
// run; the client is then not needed for the run strategy and the
// schedules to catch up.
//
// Workers: worker.New calls Register, which registers the entity workflow
// and the Resolve activity (for the subworkflow step) on the worker.
package registry
