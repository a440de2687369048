package definition

import (
	"fmt"
	"strings"
	"time"
)

// The Go builder. NewWorkflow starts a definition; steps come from NoOp,
// Sleep, NewStep, Foreach, While, Subworkflow and Template; param values
// from String, Long, ..., Map and Expr; retry policies from Retries.
// Builders never panic: a misuse is recorded with its path and reported by
// Build together with every validation error. Build produces the same
// Request that decoding the equivalent JSON gives (enums upper-cased,
// built-in type names in Maestro's spelling, free-form maps as plain JSON
// values), so builder -> Encode -> Decode round-trips.

// WorkflowBuilder builds a create request. Its methods return the builder
// so calls chain; the zero value is not usable, call NewWorkflow.
type WorkflowBuilder struct {
	wf        Workflow
	props     Properties
	hasProps  bool
	rule      string
	conc      *int64
	params    map[string]ParamSpec
	steps     []*StepBuilder
	active    *bool
	gitInfo   map[string]any
	extra     map[string]any
	editProps []func(*Properties)
	editWF    []func(*Workflow)
	errs      []relErr
}

// relErr is a builder misuse at a path relative to its builder.
type relErr struct{ field, msg string }

// NewWorkflow starts a definition of the workflow with the given id.
func NewWorkflow(id string) *WorkflowBuilder { return &WorkflowBuilder{wf: Workflow{ID: id}} }

// Name sets workflow.name.
func (b *WorkflowBuilder) Name(name string) *WorkflowBuilder { b.wf.Name = name; return b }

// Description sets workflow.description.
func (b *WorkflowBuilder) Description(d string) *WorkflowBuilder { b.wf.Description = d; return b }

// Tags adds plain (name-only) tags to the workflow.
func (b *WorkflowBuilder) Tags(names ...string) *WorkflowBuilder {
	b.wf.Tags = appendTags(b.wf.Tags, names)
	return b
}

// Tag adds an object tag (namespace, attributes) to the workflow.
func (b *WorkflowBuilder) Tag(t Tag) *WorkflowBuilder { b.wf.Tags = append(b.wf.Tags, t); return b }

// Timeout sets workflow.timeout to a whole number of seconds.
func (b *WorkflowBuilder) Timeout(d time.Duration) *WorkflowBuilder {
	b.wf.Timeout = b.seconds(d, "workflow.timeout")
	return b
}

// TimeoutText sets workflow.timeout as Maestro text: "90", "1 hour 30 min"
// or a workflow param reference such as "${timeout}".
func (b *WorkflowBuilder) TimeoutText(s string) *WorkflowBuilder { b.wf.Timeout = Text(s); return b }

// Criticality sets workflow.criticality (CRITICAL, HIGH, MEDIUM or LOW).
func (b *WorkflowBuilder) Criticality(c string) *WorkflowBuilder {
	b.wf.Criticality = b.enum(c, "workflow.criticality", criticalities)
	return b
}

// InstanceStepConcurrency sets workflow.instance_step_concurrency.
func (b *WorkflowBuilder) InstanceStepConcurrency(n int64) *WorkflowBuilder {
	b.wf.InstanceStepConcurrency = &n
	return b
}

// Param adds (or replaces) a workflow param.
func (b *WorkflowBuilder) Param(name string, p ParamSpec) *WorkflowBuilder {
	if b.params == nil {
		b.params = map[string]ParamSpec{}
	}
	b.params[name] = p
	return b
}

// Steps appends steps to the workflow's step list, in order.
func (b *WorkflowBuilder) Steps(steps ...*StepBuilder) *WorkflowBuilder {
	b.steps = append(b.steps, steps...)
	return b
}

// TimeTrigger adds a time trigger (decoded and validated; not run yet).
func (b *WorkflowBuilder) TimeTrigger(t *TimeTrigger) *WorkflowBuilder {
	b.wf.TimeTriggers = append(b.wf.TimeTriggers, t)
	return b
}

// SignalTrigger adds a signal trigger (decoded and validated; not run yet).
func (b *WorkflowBuilder) SignalTrigger(t *SignalTrigger) *WorkflowBuilder {
	b.wf.SignalTriggers = append(b.wf.SignalTriggers, t)
	return b
}

// Owner sets properties.owner.
func (b *WorkflowBuilder) Owner(name string) *WorkflowBuilder {
	b.hasProps = true
	b.props.Owner = &User{Name: name}
	return b
}

// RunStrategy sets properties.run_strategy's rule; its workflow
// concurrency is Maestro's default for the rule unless WorkflowConcurrency
// is given.
func (b *WorkflowBuilder) RunStrategy(rule RunStrategyRule) *WorkflowBuilder {
	b.hasProps = true
	b.rule = b.enum(string(rule), "properties.run_strategy.rule", runStrategyRules)
	return b
}

// WorkflowConcurrency sets run_strategy.workflow_concurrency; without a
// RunStrategy the rule is PARALLEL, as for Maestro's number form.
func (b *WorkflowBuilder) WorkflowConcurrency(n int64) *WorkflowBuilder {
	b.hasProps = true
	b.conc = &n
	return b
}

// StepConcurrency sets properties.step_concurrency.
func (b *WorkflowBuilder) StepConcurrency(n int64) *WorkflowBuilder {
	b.hasProps = true
	b.props.StepConcurrency = &n
	return b
}

// Alerting sets properties.alerting (free-form JSON).
func (b *WorkflowBuilder) Alerting(m map[string]any) *WorkflowBuilder {
	b.hasProps = true
	b.props.Alerting = b.plain(m, "properties.alerting")
	return b
}

// WithProperties edits the properties at Build, after the other methods:
// the way to set the rarely used fields (access_control, *_disabled,
// description, tags, an owner with extra fields).
func (b *WorkflowBuilder) WithProperties(f func(p *Properties)) *WorkflowBuilder {
	b.hasProps = true
	b.editProps = append(b.editProps, f)
	return b
}

// WithWorkflow edits the workflow at Build, after the other methods.
func (b *WorkflowBuilder) WithWorkflow(f func(w *Workflow)) *WorkflowBuilder {
	b.editWF = append(b.editWF, f)
	return b
}

// Active sets is_active.
func (b *WorkflowBuilder) Active(active bool) *WorkflowBuilder { b.active = &active; return b }

// GitInfo sets git_info (free-form JSON).
func (b *WorkflowBuilder) GitInfo(m map[string]any) *WorkflowBuilder {
	b.gitInfo = b.plain(m, "git_info")
	return b
}

// Extra sets another top-level key (Maestro's metadata.extra_info).
func (b *WorkflowBuilder) Extra(key string, v any) *WorkflowBuilder {
	if b.extra == nil {
		b.extra = map[string]any{}
	}
	b.extra[key] = plainValue(v, key, &b.errs)
	return b
}

// Build assembles the request and validates it. The error, if any, is an
// Errors listing every builder misuse and validation problem with its path
// (workflow.steps[1].step.transition.successors["x"]: no such step).
func (b *WorkflowBuilder) Build() (*Request, error) {
	var l errList
	for _, e := range b.errs {
		l.add(e.field, "%s", e.msg)
	}
	r := &Request{IsActive: b.active, GitInfo: b.gitInfo, Extra: b.extra}
	if b.hasProps {
		p := b.props
		p.Tags = cloneTags(p.Tags)
		if b.rule != "" || b.conc != nil {
			rs := &RunStrategy{Rule: RunStrategyRule(b.rule)}
			if b.rule == "" {
				rs.Rule = Parallel
			}
			rs.WorkflowConcurrency = DefaultWorkflowConcurrency(rs.Rule)
			if b.conc != nil {
				rs.WorkflowConcurrency = *b.conc
			}
			p.RunStrategy = rs
		}
		for _, f := range b.editProps {
			f(&p)
		}
		r.Properties = &p
	}
	w := b.wf
	w.Tags = cloneTags(w.Tags)
	w.Params = buildParams(b.params, "workflow.params", &l)
	w.Steps = buildSteps(b.steps, "workflow.steps", &l)
	for _, f := range b.editWF {
		f(&w)
	}
	r.Workflow = &w
	if err := r.Validate(); err != nil {
		l.errs = append(l.errs, AsErrors(err)...)
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	return r, nil
}

func (b *WorkflowBuilder) seconds(d time.Duration, path string) *ParsableLong {
	n, msg := wholeSeconds(d)
	if msg != "" {
		b.errs = append(b.errs, relErr{path, msg})
	}
	return Secs(n)
}

func (b *WorkflowBuilder) enum(v, path string, allowed []string) string {
	return checkEnum(v, path, allowed, &b.errs)
}

func (b *WorkflowBuilder) plain(m map[string]any, path string) map[string]any {
	if m == nil {
		return nil
	}
	out, _ := plainValue(m, path, &b.errs).(map[string]any)
	return out
}

// StepBuilder builds one step of any kind. Methods that do not belong to
// the step's kind are reported by Build.
type StepBuilder struct {
	s      Step
	params map[string]ParamSpec
	loop   *ParamSpec // a MAP literal, entries in Loop order
	retry  *RetryBuilder
	steps  []*StepBuilder
	hasSub bool
	edit   []func(*Step)
	errs   []relErr
}

func newStep(kind StepKind, id string) *StepBuilder { return &StepBuilder{s: Step{Kind: kind, ID: id}} }

// NewStep starts a typed step of the given step type (a user type or a
// built-in such as "NoOp"; built-in names are matched ignoring case).
func NewStep(id, stepType string) *StepBuilder {
	b := newStep(KindStep, id)
	b.s.Type = CanonicalStepType(stepType)
	return b
}

// NoOp starts a NoOp step.
func NoOp(id string) *StepBuilder { return NewStep(id, "NoOp") }

// Sleep starts a Sleep step of the given (literal) number of seconds.
func Sleep(id string, seconds int64) *StepBuilder {
	return NewStep(id, "Sleep").Param("sleep_seconds", Long(seconds))
}

// Foreach starts a foreach step; give its loop params with Loop (arrays)
// and its inner DAG with Steps.
func Foreach(id string) *StepBuilder { return newStep(KindForeach, id) }

// While starts a while step repeating while condition (SEL) holds; give
// its loop params with Loop (scalars) and its inner DAG with Steps.
func While(id, condition string) *StepBuilder {
	b := newStep(KindWhile, id)
	b.s.Condition = condition
	return b
}

// Subworkflow starts a subworkflow step running the workflow workflowID
// (its subworkflow_id param).
func Subworkflow(id, workflowID string) *StepBuilder {
	return newStep(KindSubworkflow, id).Param("subworkflow_id", String(workflowID))
}

// Template starts a template step of the given sub type.
func Template(id, subType string) *StepBuilder {
	b := newStep(KindTemplate, id)
	b.s.SubType = subType
	return b
}

func (b *StepBuilder) misuse(field, msg string) *StepBuilder {
	b.errs = append(b.errs, relErr{field, msg})
	return b
}

// set runs f if the step is of one of kinds, else records a misuse.
func (b *StepBuilder) set(field string, f func(), kinds ...StepKind) *StepBuilder {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		if b.s.Kind == k {
			f()
			return b
		}
		names[i] = string(k)
	}
	return b.misuse(field, fmt.Sprintf("not a field of a %s step (only of %s)", b.s.Kind, strings.Join(names, ", ")))
}

// Name sets the step's name.
func (b *StepBuilder) Name(name string) *StepBuilder { b.s.Name = name; return b }

// Description sets the step's description.
func (b *StepBuilder) Description(d string) *StepBuilder { b.s.Description = d; return b }

// Next adds unconditional edges ("true") to the given successors, in order.
func (b *StepBuilder) Next(ids ...string) *StepBuilder {
	for _, id := range ids {
		b.Then(id, "true")
	}
	return b
}

// Then adds an edge to successor id taken when condition (SEL, evaluated
// in this step's scope when it finishes) is true. Edges keep their order.
func (b *StepBuilder) Then(id, condition string) *StepBuilder {
	b.s.Transition.Successors = append(b.s.Transition.Successors, Edge{To: id, Condition: condition})
	return b
}

// Predecessors sets transition.predecessors (optional; checked against the
// edges).
func (b *StepBuilder) Predecessors(ids ...string) *StepBuilder {
	b.s.Transition.Predecessors = append([]string{}, ids...)
	return b
}

// FailureMode sets failure_mode (FailAfterRunning, FailImmediately or
// IgnoreFailure).
func (b *StepBuilder) FailureMode(m FailureMode) *StepBuilder {
	modes := []string{string(FailImmediately), string(FailAfterRunning), string(IgnoreFailure)}
	b.s.FailureMode = FailureMode(checkEnum(string(m), "failure_mode", modes, &b.errs))
	return b
}

// Tags adds plain (name-only) tags.
func (b *StepBuilder) Tags(names ...string) *StepBuilder {
	b.s.Tags = appendTags(b.s.Tags, names)
	return b
}

// Tag adds an object tag (namespace, attributes).
func (b *StepBuilder) Tag(t Tag) *StepBuilder { b.s.Tags = append(b.s.Tags, t); return b }

// ExecutionMode sets Baton's per-step mode override, "local_activity" or
// "activity", as the Maestro tag {"name": "baton.mode", "value": mode}.
func (b *StepBuilder) ExecutionMode(mode string) *StepBuilder {
	return b.Tag(Tag{Name: "baton.mode", Attributes: map[string]any{"value": mode}})
}

// TaskQueue routes the step's activity to a task queue, as the Maestro
// tag {"name": "baton.task_queue", "value": queue}.
func (b *StepBuilder) TaskQueue(queue string) *StepBuilder {
	return b.Tag(Tag{Name: "baton.task_queue", Attributes: map[string]any{"value": queue}})
}

// Timeout sets the step timeout to a whole number of seconds.
func (b *StepBuilder) Timeout(d time.Duration) *StepBuilder {
	n, msg := wholeSeconds(d)
	if msg != "" {
		b.misuse("timeout", msg)
	}
	b.s.Timeout = Secs(n)
	return b
}

// TimeoutText sets the step timeout as Maestro text: "100s", "10 minutes"
// or a workflow param reference such as "${timeout}".
func (b *StepBuilder) TimeoutText(s string) *StepBuilder { b.s.Timeout = Text(s); return b }

// Param adds (or replaces) a step param.
func (b *StepBuilder) Param(name string, p ParamSpec) *StepBuilder {
	if b.params == nil {
		b.params = map[string]ParamSpec{}
	}
	b.params[name] = p
	return b
}

// Retry sets a typed step's retry_policy.
func (b *StepBuilder) Retry(r *RetryBuilder) *StepBuilder {
	return b.set("retry_policy", func() { b.retry = r }, KindStep)
}

// SubType sets sub_type (typed steps).
func (b *StepBuilder) SubType(s string) *StepBuilder {
	return b.set("sub_type", func() { b.s.SubType = s }, KindStep, KindTemplate)
}

// SubTypeVersion sets sub_type_version (typed steps).
func (b *StepBuilder) SubTypeVersion(v string) *StepBuilder {
	return b.set("sub_type_version", func() { b.s.SubTypeVersion = v }, KindStep)
}

// Loop adds an entry of a foreach's or while's loop_params: an array for
// foreach (each element is one iteration), a scalar for while. Entries
// keep the order of the Loop calls (a repeated name replaces its entry in
// place): a foreach's first loop param varies fastest.
func (b *StepBuilder) Loop(name string, p ParamSpec) *StepBuilder {
	return b.set(`params["loop_params"]`, func() {
		loop := Map(nil)
		if b.loop != nil {
			loop = *b.loop
		}
		loop = loop.Entry(name, p)
		b.loop = &loop
	}, KindForeach, KindWhile)
}

// Steps appends steps to a foreach's or while's inner DAG.
func (b *StepBuilder) Steps(steps ...*StepBuilder) *StepBuilder {
	return b.set("steps", func() { b.hasSub, b.steps = true, append(b.steps, steps...) }, KindForeach, KindWhile)
}

// Concurrency sets a foreach's concurrency.
func (b *StepBuilder) Concurrency(n int64) *StepBuilder {
	return b.set("concurrency", func() { b.s.Concurrency = &n }, KindForeach)
}

// StrictOrdering sets a foreach's strict_ordering.
func (b *StepBuilder) StrictOrdering(v bool) *StepBuilder {
	return b.set("strict_ordering", func() { b.s.StrictOrdering = &v }, KindForeach)
}

// Sync sets a subworkflow's sync flag.
func (b *StepBuilder) Sync(v bool) *StepBuilder {
	return b.set("sync", func() { b.s.Sync = &v }, KindSubworkflow)
}

// ExplicitParams sets a subworkflow's explicit_params flag.
func (b *StepBuilder) ExplicitParams(v bool) *StepBuilder {
	return b.set("explicit_params", func() { b.s.ExplicitParams = &v }, KindSubworkflow)
}

// With edits the step at Build, after the other methods: the way to set
// signal_dependencies and signal_outputs.
func (b *StepBuilder) With(f func(s *Step)) *StepBuilder { b.edit = append(b.edit, f); return b }

// Build assembles a standalone step and validates it as ValidateStep does
// (successors are not checked). Paths start at the step's kind key.
func (b *StepBuilder) Build() (*Step, error) {
	var l errList
	s := b.build("", &l)
	if err := ValidateStep(s); err != nil {
		l.errs = append(l.errs, AsErrors(err)...)
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	return s, nil
}

func buildSteps(bs []*StepBuilder, path string, l *errList) []*Step {
	if bs == nil {
		return nil
	}
	out := make([]*Step, 0, len(bs))
	for i, b := range bs {
		if b == nil {
			out = append(out, nil) // Validate reports it at its index
			continue
		}
		out = append(out, b.build(pathIndex(path, i), l))
	}
	return out
}

func (b *StepBuilder) build(path string, l *errList) *Step {
	s := b.s
	path = pathKey(path, string(s.Kind))
	for _, e := range b.errs {
		l.add(pathKey(path, e.field), "%s", e.msg)
	}
	s.Tags = cloneTags(s.Tags)
	if t := s.Transition; t.Successors != nil {
		s.Transition.Successors = append([]Edge{}, t.Successors...)
	}
	s.Params = buildParams(b.params, pathKey(path, "params"), l)
	if b.loop != nil {
		if _, ok := b.params["loop_params"]; ok {
			l.add(pathKey(path, `params["loop_params"]`), "set by both Loop and Param; use one")
		}
		if s.Params == nil {
			s.Params = Params{}
		}
		s.Params["loop_params"] = b.loop.build(pathKey(path, `params["loop_params"]`), l)
	}
	if b.retry != nil {
		s.RetryPolicy = b.retry.build(pathKey(path, "retry_policy"), l)
	}
	if b.hasSub {
		s.Steps = buildSteps(b.steps, pathKey(path, "steps"), l)
		if s.Steps == nil {
			s.Steps = []*Step{}
		}
	}
	for _, f := range b.edit {
		f(&s)
	}
	return &s
}
