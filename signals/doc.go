// Package signals is Baton's signal store on Temporal: Maestro's signal
// instances (MAESTRO.md §4.15), each a name, indexed params (STRING or
// LONG values), an unindexed JSON payload, a sequence id and a timestamp.
//
// # Design
//
// Every signal name is one entity workflow, [Store], with the id
// "baton-signal/<name>" (see [WorkflowID]). A send is a Temporal update
// (validated before it is accepted, answered with the instance), so a send
// that returned is in the entity's history: durable. The [Client] starts
// the entity with the update when it does not run yet (update-with-start),
// so the first send of a name needs no set-up. Listing and matching are
// queries; they never write history.
//
// An optional request id de-duplicates a send: the same request id sent
// again returns the stored instance (Duplicate set) and stores nothing,
// as Maestro's instance id does.
//
// # Retention and cost
//
// The entity keeps its instances in workflow state and continues as new
// every [Options].SendsPerRun sends (or when Temporal suggests it), carrying
// the compact state over, so its history stays short. The state is bounded:
//
//   - an instance older than [Options].Retention is dropped, unless it is
//     one of the newest [Options].KeepNewest instances;
//   - at most [Options].MaxInstances instances are kept: the oldest go first;
//   - one instance is at most MaxParams params, MaxStringBytes per string
//     value and MaxPayloadBytes of payload, checked before it is stored.
//
// Sequence ids never restart: a dropped instance leaves a gap, and a
// matcher that remembers "seq > X" never sees an old instance again.
//
// Cost: with the defaults (MaxInstances 10,000) a name that received
// 100,000 instances keeps its newest 10,000; the older 90,000 are dropped
// by retention, and a match against them is impossible. A kept instance
// costs its encoded JSON in the continue-as-new input (about 100 bytes
// for a few short params, without payload), so 10,000 small instances
// are about 1 MB, under Temporal's 2 MB payload limit; a store with large
// payloads must lower MaxInstances. A match or list is a linear scan of
// the kept instances (10,000 × params comparisons, well under a
// millisecond of query CPU on the worker); each send costs one update
// (three history events) plus a continue-as-new every SendsPerRun sends.
//
// # Plan for steps and triggers
//
// Step signal_dependencies, signal_outputs and signal_triggers are not
// built yet (the interpreter refuses them). They build on two calls:
// [Client.Match] ("the oldest instance matching these params with
// seq > X") and, for waiting, a subscription update the interpreter will
// add: a waiting run registers (its workflow id, the params, X); the
// store answers at once when an instance matches, or signals the run on
// the first matching send. Waiting then costs one signal, not a polling
// loop in workflow code.
package signals
