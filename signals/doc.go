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
// as Maestro's instance id does, for as long as that instance is kept
// (see Retention): a request id is forgotten with its instance.
//
// # Retention and cost
//
// The entity keeps its instances in workflow state and continues as new
// every [Options].SendsPerRun sends (or when Temporal suggests it), carrying
// the compact state over, so its history stays short. The state is bounded:
//
//   - an instance older than [Options].Retention (7 days) is dropped,
//     unless it is one of the newest [Options].KeepNewest (100);
//   - at most [Options].MaxInstances (10,000) instances are kept, and at
//     most [Options].MaxStateBytes (1 MiB) of them by an upper-bound size
//     estimate, so the continue-as-new input stays under Temporal's 2 MB
//     payload limit: the oldest go first, whatever KeepNewest says;
//   - one instance is at most MaxParams params, MaxStringBytes per string
//     value and MaxPayloadBytes of payload, checked before it is stored.
//
// Sequence ids never restart: a dropped instance leaves a gap, and a
// matcher that remembers "seq > X" never sees an old instance again.
//
// Cost: an instance with two short params and no payload encodes to about
// 130 bytes (estimated at about 190), so the byte budget binds first at
// about 5,500 such instances; a name that received 100,000 instances keeps
// its newest ~5,500 (fewer with payloads), the rest are dropped and can no
// longer match. Holding more needs a store outside workflow state, which
// is not built. A match or list is a linear scan of the kept instances:
// BenchmarkMatchNoHit, the worst case over 10,000 kept instances, takes
// about 1 ms of query CPU on the worker. Each send is one update (three
// history events), plus a continue-as-new every SendsPerRun (1,000) sends.
//
// # Waiting and step outputs
//
// A step's signal dependency subscribes with the wait update ([Wait], a
// local activity of the interpreter): the store answers the oldest
// matching instance at once, or keeps a [Waiter] (in State, so it survives
// continue-as-new; at most [MaxWaiters]) and, on the first matching send,
// signals the waiting run ([SignalMatched], a [Matched] with the waiter's
// key) and forgets it. Waiting costs one signal, not a polling loop.
// Step signal outputs are sent by [SendOutputs] with a request id per run,
// step, attempt and output, so a repeated send stores nothing twice.
//
// A [Client] keeps at most [MaxInFlightPerName] updates in flight per
// name: Temporal refuses more than 10 per workflow and the SDK retries
// them with backoff. Sends try a plain update first and start the store
// with the update only when it does not run.
//
// Signal triggers: a store keeps the [Trigger]s naming its signal (the
// triggers update, set by the registry's sync of an active version, see
// package scheduler); a send meeting a trigger's conditions runs the
// FireActivityName activity, which offers the instance to the trigger's
// entity, [TriggerEntity] (see [TriggerWorkflowID]). The entity owns
// Maestro's checkpoint per signal, joins each offered instance with the
// oldest unused instance of every other signal, and runs the
// AdmitActivityName activity for a firing, which admits an instance
// through the run strategy.
package signals
