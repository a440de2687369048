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
// An activity attempt has a heartbeat timeout (the plan's, else 30 s) and
// the step activity heartbeats while the step runs, so an attempt lost with
// its worker times out within it; the interpreter retries such an attempt
// as a platform error (since change lost-attempt-is-platform-error; runs
// that saw one before keep reading it as a step timeout).
//
// Loop iterations run inside the loop workflow, each as its own instance of
// the interpreter (runInline), and the loop continues as new every 2,000
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
// forbids). Only runs with a Restart take these paths.
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
// Determinism: workflow code here uses workflow.Go, workflow.Now, timers
// and sorted map iteration only; SEL gets the workflow clock and a random
// source seeded from the run. Any change of behaviour must be gated with
// workflow.GetVersion; the histories in testdata/histories are replayed
// by the tests to catch a change that is not.
package workflows
