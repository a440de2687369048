// Package workflows is Baton's interpreter: one generic Temporal workflow,
// baton.Run, that runs any compiled plan with Maestro's semantics, and the
// loop workflows baton.Foreach and baton.While that run composite steps.
//
// A run is pinned to its plan (the workflow input). Steps run inline (NoOp,
// Sleep, params, conditions), as local activities or activities (user step
// types, one Temporal attempt per Maestro attempt), or as child workflows
// (loops, subworkflows). The run's State is queryable (QueryState) and is
// the workflow's result; SignalKill kills a run and cancellation stops it.
//
// # The engine
//
// Each workflow run (baton.Run, and each run of baton.Foreach and
// baton.While) has one event loop, started in its main coroutine
// (engine.go). Every step of every run of the interpreter in that workflow,
// a loop's iterations included, is a state machine (machine.go) moved by events:
// an activity or local-activity future settling, a timer firing, a permit
// granted, a kill signal, a cancellation, a halt. No step has a coroutine,
// and leaf steps share one cancel scope per run (a halt cancels it); only a
// loop or subworkflow attempt, which waits on several things in turn, has a
// coroutine and a cancel scope of its own. The loop waits in one
// workflow.Await that checks the pending futures' IsReady (a field read
// each), because a workflow.Selector costs O(pending) per Select and the
// SDK resumes every coroutine on each pass: both made wide runs quadratic.
// The SDK still keeps a coroutine per local activity in flight; once 16 of
// them come after the loop's coroutine, the loop moves to a new one behind
// them (engine_hop.go, ChangeEngineHop), so each result costs the SDK's
// dispatcher two passes over its coroutines instead of three.
//
// A step's lifecycle (MAESTRO.md §4.3), as stepTransitions lists it:
//
//	phase                status               event       next phase
//	WAITING              NOT_CREATED          queue       QUEUED (no step_concurrency slot)
//	WAITING, QUEUED      NOT_CREATED/CREATED  create      EVALUATING_PARAMS
//	EVALUATING_PARAMS,
//	  BACKOFF            EVALUATING_PARAMS    ask-permit  WAITING_FOR_PERMITS (tree cap, leaf steps)
//	EVALUATING_PARAMS,
//	  WAITING_FOR_PERMITS,
//	  BACKOFF                                 attempt     RUNNING (Attempts+1)
//	RUNNING              RUNNING              retry       BACKOFF (USER_/PLATFORM_/TIMEOUT_FAILED, timer)
//	any but DONE                              end         DONE (SUCCEEDED, FATALLY_FAILED, STOPPED, ...)
//	WAITING, QUEUED,
//	  BACKOFF            PAUSED               pause       PAUSED (PAUSE action or breakpoint)
//	PAUSED                                    create      EVALUATING_PARAMS (RESUME; a paused retry: ask-permit or attempt)
//	DONE                                      restart     WAITING (RESTART action while the run goes on)
//	WAITING, QUEUED      WAITING_FOR_SIGNALS  wait-signals WAITING_FOR_SIGNALS (signal_dependencies; signal_deps.go)
//	WAITING_FOR_SIGNALS                       create      EVALUATING_PARAMS (every dependency matched)
//	WAITING_FOR_SIGNALS                       bypass      EVALUATING_PARAMS (BYPASS_STEP_DEPENDENCIES)
//	PAUSED                                    wait-signals WAITING_FOR_SIGNALS (RESUME of a step with signal dependencies)
//
// Every move goes through run.move, which records it; an event a phase
// does not accept fails the workflow task with the step's moves. Step
// actions (actions*.go: the update baton.step-action, one dispatch table,
// Maestro's status table in its validator) and breakpoints
// (breakpoints*.go: one store workflow per workflow id, read at start,
// signalled to running runs) are phases and events in that table, as are
// signal waits (WAITING_FOR_SIGNALS, machine.go). Runs started before the engine (no event-engine
// marker, ChangeEventEngine) replay through the coroutine-per-step engine
// kept in the legacy_*.go files, to be deleted once no such run remains.
// Runs of baton.Run since session 4 record the lean-start marker
// (ChangeLeanStart) instead: it implies the event-driven engine and
// observe-status, and a run starts its workflow-timeout timer only once it
// waits. A run the client starts asks for version 3 of it in its input
// (RunInput.Lean) and records no marker at all, and it gets its
// breakpoints from the client, so a run that ends in its first workflow
// task records two commands (the BatonStatus upsert, the completion), not
// eight.
//
// An activity attempt has a heartbeat timeout (the plan's, else 30 s) and
// the step activity heartbeats while the step runs, so an attempt lost with
// its worker times out within it; the interpreter retries such an attempt
// as a platform error (since change lost-attempt-is-platform-error; runs
// that saw one before keep reading it as a step timeout).
//
// Loop iterations run inside the loop workflow, each as its own instance of
// the interpreter on the loop workflow's engine, and the loop continues as new every 2,000
// iterations or once its history passes 4,000 events, so no run's history
// grows with the iteration count. A foreach runs at most 4,000 ÷ (events
// per iteration) iterations at once, so the iterations a run drains before
// it continues as new keep it under about 8,000 events (see loopDrainBudget).
//
// A foreach decodes iteration i mixed-radix, the first loop param varying
// fastest (MAESTRO.md §4.11). The order is that of the loop_params MAP
// literal as written in the definition (the plan's Param.Keys). It is by
// name for plans without Keys, which includes every plan compiled before
// Keys existed, so their runs replay unchanged. It is also by name when
// loop_params is a SEL expression, because a SEL MAP value is a Go map
// and keeps no order.
//
// A run can be the next run of an ended one (RunInput.Restart, built by
// the client's Restart): RESTART_FROM_INCOMPLETE keeps the steps that
// completed and runs the rest and everything downstream of them; params
// follow Maestro's mode table (CheckRestart refuses changes a mode
// forbids). RESTART_FROM_SPECIFIC (restart_step.go, built by the client's
// RestartFromStep) runs a chosen step and what follows it again, along a
// restart path through subworkflows and a foreach iteration, with step
// params and skip steps. Only runs with a Restart take these paths.
//
// instance_step_concurrency caps the leaf steps running at once across a
// root run's whole tree (its loops' iterations and its subworkflows at any
// depth) through one permits workflow, baton.Permits (permits.go): a FIFO
// semaphore driven by signals, since workflows cannot call each other. The
// root starts it when it has composite steps, and passes its id (TreeCap)
// to its loop and subworkflow children; each workflow run of the tree has
// one permitClient (treecap.go) shared by the runs in it, and each attempt
// of a leaf step takes a permit from it. Runs without a tree cap take no
// part and record nothing.
//
// Determinism: workflow code here uses workflow.Now, timers, futures
// and sorted map iteration only; SEL gets the workflow clock and a random
// source seeded from the run. Any change of behaviour must be gated with
// workflow.GetVersion; the histories in testdata/histories are replayed
// by the tests to catch a change that is not.
package workflows
