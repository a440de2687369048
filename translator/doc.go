// Package translator compiles a validated definition into a Plan: the
// immutable graph of steps, edges, params and resolved policies that the
// interpreter workflow runs. It also renders plans as Mermaid and DOT.
//
// # Compile
//
// Compile(req, opts) returns a Plan or an Errors value listing every
// problem, each with its definition path. Features Baton accepts in
// definitions but does not run yet are refused with messages that start
// with "not supported yet: ": template steps; the step type Titus
// (Join is internal to Maestro). Foreach, while and subworkflow steps
// compile to child-mode nodes; Http, Kubernetes and Notebook to user step
// types with their default params (Kubernetes and Notebook run as
// activities by default: see module github.com/batonhq/baton/steps/kubernetes).
//
// What Compile resolves:
//   - Steps come in a stable topological order: among the steps whose
//     predecessors are placed, the first in definition order goes next.
//     Predecessors are sorted ids; Successors keep definition order, and an
//     empty condition becomes "true".
//   - Params keep their type, literal (sel's Go representation; MAP
//     literals as map[string]*Param) or expression, and mode (default
//     MUTABLE). Validators, tags and other metadata are dropped. A MAP
//     literal whose entries were written in an order other than by name
//     keeps that order in Param.Keys (a foreach's first loop param varies
//     fastest); nil Keys means name order, so plans that predate Keys, and
//     those of definitions written in name order, read the same.
//   - failure_mode defaults to FAIL_AFTER_RUNNING. Timeouts (step and
//     workflow) default to 10 days; numbers and duration strings without
//     "$" become Number.Value in seconds, text with "$" stays Number.Text.
//   - Every typed step gets a Retry: Maestro's defaults (MAESTRO.md §3.10)
//     merged field by field with its retry_policy. FIXED_BACKOFF keeps only
//     the three *_backoff_in_secs fields (default 60). As in Maestro, a
//     value that does not parse makes the whole policy the default; Compile
//     records a warning.
//   - Mode: NoOp and Sleep run inline. A user step type runs as
//     opts.StepTypes[type].Mode if set; else as an activity if it has a
//     task queue other than the run's own; else as a local activity when
//     its timeout is a literal of at most 60 s; else as an activity. The
//     step tags {"name":"baton.mode","value":"local_activity|activity"} and
//     {"name":"baton.task_queue","value":"q"} override this per step (tags
//     are Maestro metadata, so the definition stays valid for Maestro).
//     Only activities carry a TaskQueue; "" means the run's own queue.
//     Activities also carry opts.StepTypes[type].HeartbeatTimeout in whole
//     seconds (0: DefaultHeartbeatTimeoutSecs, applied by the interpreter).
//   - StepConcurrency is properties.step_concurrency, else 20 unless
//     workflow.instance_step_concurrency is set; in a flat DAG a smaller
//     instance_step_concurrency wins (with composite steps the
//     interpreter's tree cap applies it to leaf steps only). RunStrategy is the rule name (default
//     SEQUENTIAL); instances run independently for now, so any rule but
//     PARALLEL adds a warning.
//
// # Encoding
//
// Encode gives the plan's stable JSON (map keys sorted; a MAP literal's
// Keys, when set, as a "keys" array beside its value); Compile sets
// Plan.Hash to the hex SHA-256 of that encoding with Hash empty (Hash,
// Verify). Decode refuses other FormatVersions. Change FormatVersion
// whenever the interpreter would read an old encoding differently ("keys"
// did not need one: an encoding without it reads as before).
//
// # Run time
//
// Number.Resolve interpolates a Number's text with workflow params and
// reads an integer (or, for Seconds, a duration string). Retry.Resolve
// resolves a whole policy, falling back to the default one on error as
// Maestro does, and RetryValues.Delay computes the backoff before a retry.
package translator
