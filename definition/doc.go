// Package definition is Baton's user-facing model of a workflow: Go types
// mirroring Maestro's JSON definitions (snake_case), decoding of JSON,
// validation that reports every error with its path, and the Go builder.
//
// Decoding. Decode reads Maestro's workflow create request; DecodeSample
// reads any document kind of Maestro's fixtures (stored definitions, a
// standalone step, retry policy, triggers, start/restart requests, the
// restart config), choosing by shape. Enum names are case-insensitive and
// stored upper-case (built-in step types in Maestro's spelling, "NoOp");
// param values are decoded per their declared type into sel's Go
// representation, MAP literals into nested Params with the order their
// entries were written in kept in Param.Keys (a foreach's first loop param
// varies fastest); transition successors keep the order they were written
// in; free-form fields (git_info,
// alerting, unknown top-level keys in Request.Extra, unknown param keys in
// Param.Meta) hold plain JSON values with numbers as json.Number. Unknown
// fields of typed objects (workflow, step, properties, retry policy...),
// duplicate JSON keys, internal_mode and the reserved top-level keys are
// errors. A missing run_strategy.workflow_concurrency takes Maestro's
// default (20 for PARALLEL, else 1), so an explicit 0 (paused) is kept.
// DecodeYAML reads Maestro's YAML DSL into the same Request (errors carry
// the YAML line and column); EncodeYAML writes it; DecodeFile reads either.
//
// Errors. Decoding and validation return Errors: every problem, each an
// *Error with a path such as
//
//	workflow.steps[2].step.transition.successors["job.9"]: no such step
//
// Validation. Request.Validate applies the rules of MAESTRO.md §3: ids,
// reserved names and prefixes, at most 300 steps, unique ids across
// nesting, successors in the same list, no cycles, predecessors, exactly
// one of value/expression, literal limits (timeouts, retries, backoffs,
// concurrencies), loop params, required params, tags, triggers, signals,
// and that every SEL expression parses (sel.Check). Values that contain a
// $param reference are resolved at run start and not checked here.
//
// Builder. The Go builder keeps the order of Loop and ParamSpec.Entry
// calls in Param.Keys; Map, given a Go map, orders its entries by name.
//
// Encoding. Encode and Request.MarshalJSON write Maestro JSON that decodes
// back to an equal Request (params sorted by name, MAP literal entries in
// Param.Keys order, successors in order).
package definition
