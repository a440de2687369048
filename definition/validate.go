package definition

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batonhq/baton/sel"
)

// Limits of MAESTRO.md §3.
const (
	MaxSteps                   = 300
	MaxIDLength                = 128
	MaxNameLength              = 256
	MaxDescriptionLength       = 16384
	MaxTimeout                 = 120 * 24 * time.Hour
	MaxStepConcurrency         = 1000
	MaxWorkflowConcurrency     = 1000
	MaxInstanceStepConcurrency = 999
	MaxForeachConcurrency      = 500
	MaxMapParamEntries         = 128
	MaxRetryLimit              = 99
	MaxBackoffSeconds          = 86400
	MaxSignalsPerTrigger       = 8
	// MaxLoopNesting bounds how deeply foreach and while steps nest, as
	// Maestro's WORKFLOW_DEPTH_LIMIT (10) bounds nested loops and
	// subworkflows.
	MaxLoopNesting = 10
)

var (
	workflowIDPattern = regexp.MustCompile(`^[_a-zA-Z0-9][.\-_a-zA-Z0-9]*$`)
	stepIDPattern     = regexp.MustCompile(`^[_a-zA-Z][.\-_a-zA-Z0-9]*$`)
)

// Validate checks r against the rules of MAESTRO.md §3 and returns every
// problem as Errors (each with its path), or nil.
func (r *Request) Validate() error {
	v := newValidator()
	if r.Properties != nil {
		v.properties(r.Properties, "properties")
	}
	if r.Workflow == nil {
		v.add("workflow", "required")
	} else {
		v.workflow(r.Workflow, "workflow")
	}
	return r.Locate(v.err())
}

// Validate is Request.Validate as a function.
func Validate(r *Request) error { return r.Validate() }

// ValidateStep checks a standalone step: its own fields and nested steps.
// Successors are not checked, since the step list it belongs to is unknown.
func ValidateStep(s *Step) error {
	v := newValidator()
	v.standalone = true
	v.steps([]*Step{s}, "steps")
	return v.err()
}

// Validate checks the retry policy's literal values.
func (rp *RetryPolicy) Validate() error {
	v := newValidator()
	v.retryPolicy(rp, "retry_policy")
	return v.err()
}

// Validate checks a time trigger.
func (t *TimeTrigger) Validate() error {
	v := newValidator()
	v.timeTrigger(t, "time_trigger")
	return v.err()
}

// Validate checks a signal trigger.
func (t *SignalTrigger) Validate() error {
	v := newValidator()
	v.signalTrigger(t, "signal_trigger")
	return v.err()
}

// Validate checks a standalone step (see ValidateStep).
func (s *Step) Validate() error { return ValidateStep(s) }

type validator struct {
	errList
	ids        map[string]string // step id -> path of its first definition
	total      int               // steps seen, nested included
	loopParams []map[string]bool // loop param names of the enclosing loops
	standalone bool              // validating a step out of its list
	root       []*Step           // the top-level step list
	allIDs     map[string]bool   // ids at every level, computed on demand
}

// allIDs returns the ids of steps at every nesting level.
func allIDs(steps []*Step) map[string]bool {
	ids := map[string]bool{}
	var walk func([]*Step)
	walk = func(ss []*Step) {
		for _, s := range ss {
			if s != nil {
				ids[s.ID] = true
				walk(s.Steps)
			}
		}
	}
	walk(steps)
	return ids
}

func newValidator() *validator { return &validator{ids: map[string]string{}} }

func checkLen(v *validator, path, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		v.add(path, "too long: %d characters (at most %d)", n, max)
	}
}

func (v *validator) properties(p *Properties, path string) {
	if p.Owner != nil && p.Owner.Name == "" {
		v.add(pathKey(path, "owner"), "owner name must not be empty")
	}
	if rs := p.RunStrategy; rs != nil {
		rp := pathKey(path, "run_strategy")
		if rs.Rule == "" {
			v.add(pathKey(rp, "rule"), "required")
		}
		switch c := rs.WorkflowConcurrency; {
		case c < 0 || c > MaxWorkflowConcurrency:
			v.add(pathKey(rp, "workflow_concurrency"), "must be from 0 (paused) to %d, got %d", MaxWorkflowConcurrency, c)
		case c > 1 && rs.Rule != Parallel:
			v.add(pathKey(rp, "workflow_concurrency"), "a value above 1 needs rule PARALLEL, got %d with %s", c, rs.Rule)
		}
	}
	if c := p.StepConcurrency; c != nil && (*c < 1 || *c > MaxStepConcurrency) {
		v.add(pathKey(path, "step_concurrency"), "must be from 1 to %d, got %d", MaxStepConcurrency, *c)
	}
	checkLen(v, pathKey(path, "description"), p.Description, MaxDescriptionLength)
	v.tags(p.Tags, pathKey(path, "tags"))
}

func (v *validator) workflow(w *Workflow, path string) {
	idp := pathKey(path, "id")
	switch {
	case w.ID == "":
		v.add(idp, "required")
	case len(w.ID) > MaxIDLength:
		v.add(idp, "too long: %d characters (at most %d)", len(w.ID), MaxIDLength)
	case !workflowIDPattern.MatchString(w.ID):
		v.add(idp, "invalid workflow id %q: must match %s", w.ID, workflowIDPattern)
	case strings.HasPrefix(strings.ToLower(w.ID), "maestro_"):
		v.add(idp, "invalid workflow id %q: the prefix maestro_ is reserved", w.ID)
	}
	checkLen(v, pathKey(path, "name"), w.Name, MaxNameLength)
	checkLen(v, pathKey(path, "description"), w.Description, MaxDescriptionLength)
	v.tags(w.Tags, pathKey(path, "tags"))
	v.timeout(w.Timeout, pathKey(path, "timeout"))
	if c := w.InstanceStepConcurrency; c != nil && (*c < 1 || *c > MaxInstanceStepConcurrency) {
		v.add(pathKey(path, "instance_step_concurrency"), "must be from 1 to %d, got %d", MaxInstanceStepConcurrency, *c)
	}
	for i, t := range w.TimeTriggers {
		v.timeTrigger(t, pathIndex(pathKey(path, "time_triggers"), i))
	}
	for i, t := range w.SignalTriggers {
		v.signalTrigger(t, pathIndex(pathKey(path, "signal_triggers"), i))
	}
	v.params(w.Params, pathKey(path, "params"), scopeWorkflow)
	v.root = w.Steps
	v.steps(w.Steps, pathKey(path, "steps"))
	if v.total > MaxSteps {
		v.add(pathKey(path, "steps"), "too many steps: %d (at most %d, nested steps included)", v.total, MaxSteps)
	}
}

// steps checks one step list: each step, then the edges between them.
func (v *validator) steps(steps []*Step, path string) {
	if len(steps) == 0 {
		v.add(path, "must not be empty")
		return
	}
	index := map[string]int{}
	for i, s := range steps {
		if s == nil {
			v.add(pathIndex(path, i), "nil step")
			continue
		}
		sp := pathKey(pathIndex(path, i), string(s.Kind))
		v.total++
		if s.ID != "" {
			if first, dup := v.ids[s.ID]; dup {
				v.add(pathKey(sp, "id"), "duplicate step id %q (first defined at %s)", s.ID, first)
			} else {
				v.ids[s.ID] = pathKey(sp, "id")
				index[s.ID] = i
			}
		}
		v.step(s, sp)
	}
	if !v.standalone {
		v.edges(steps, path, index)
	}
}

// edges checks successors, predecessors and cycles of one step list.
func (v *validator) edges(steps []*Step, path string, index map[string]int) {
	preds := make([][]string, len(steps))
	for i, s := range steps {
		if s == nil {
			continue
		}
		sp := pathKey(pathIndex(path, i), string(s.Kind))
		succ := pathKey(sp, "transition.successors")
		seen := map[string]bool{}
		for _, e := range s.Transition.Successors {
			ep := pathName(succ, e.To)
			if seen[e.To] {
				v.add(ep, "duplicate successor")
				continue
			}
			seen[e.To] = true
			j, ok := index[e.To]
			if !ok {
				if v.allIDs == nil {
					v.allIDs = allIDs(v.root)
				}
				if v.allIDs[e.To] {
					v.add(ep, "no such step in this step list (successors must be in the same list)")
				} else {
					v.add(ep, "no such step")
				}
			} else {
				preds[j] = append(preds[j], s.ID)
			}
			v.sel(e.Condition, ep)
		}
	}
	for i, s := range steps {
		if s == nil || s.Transition.Predecessors == nil {
			continue
		}
		want := append([]string(nil), preds[i]...)
		got := append([]string(nil), s.Transition.Predecessors...)
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(want, "\x00") != strings.Join(got, "\x00") {
			v.add(pathKey(pathKey(pathIndex(path, i), string(s.Kind)), "transition.predecessors"),
				"must equal the steps with an edge to this step: [%s], got [%s]", strings.Join(want, ", "), strings.Join(got, ", "))
		}
	}
	v.cycles(steps, path, index)
}

// cycles reports every cycle found by a depth-first search in definition
// order, naming the steps on it.
func (v *validator) cycles(steps []*Step, path string, index map[string]int) {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(steps))
	var stack []int
	var visit func(i int)
	visit = func(i int) {
		color[i] = grey
		stack = append(stack, i)
		for _, e := range steps[i].Transition.Successors {
			j, ok := index[e.To]
			if !ok || steps[j] == nil {
				continue
			}
			switch color[j] {
			case white:
				visit(j)
			case grey:
				var names []string
				for k := len(stack) - 1; k >= 0; k-- {
					names = append([]string{steps[stack[k]].ID}, names...)
					if stack[k] == j {
						break
					}
				}
				names = append(names, steps[j].ID)
				v.add(path, "cycle: %s", strings.Join(names, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
	}
	for i, s := range steps {
		if s != nil && color[i] == white && index[s.ID] == i {
			visit(i)
		}
	}
}

func (v *validator) step(s *Step, path string) {
	idp := pathKey(path, "id")
	switch {
	case s.ID == "":
		v.add(idp, "required")
	case len(s.ID) > MaxIDLength:
		v.add(idp, "too long: %d characters (at most %d)", len(s.ID), MaxIDLength)
	case !stepIDPattern.MatchString(s.ID):
		v.add(idp, "invalid step id %q: must match %s", s.ID, stepIDPattern)
	case strings.Contains(s.ID, "__"):
		v.add(idp, "invalid step id %q: must not contain __ (the step param separator)", s.ID)
	case strings.HasPrefix(strings.ToLower(s.ID), "maestro_"):
		v.add(idp, "invalid step id %q: the prefix maestro_ is reserved", s.ID)
	}
	checkLen(v, pathKey(path, "name"), s.Name, MaxNameLength)
	checkLen(v, pathKey(path, "description"), s.Description, MaxDescriptionLength)
	v.tags(s.Tags, pathKey(path, "tags"))
	v.timeout(s.Timeout, pathKey(path, "timeout"))
	v.params(s.Params, pathKey(path, "params"), stepScope(s.Kind))
	for i, sd := range s.SignalDependencies {
		v.signalDependency(sd, pathIndex(pathKey(path, "signal_dependencies"), i))
	}
	for i, so := range s.SignalOutputs {
		v.signalOutput(so, pathIndex(pathKey(path, "signal_outputs"), i))
	}
	if s.Kind != KindStep {
		if s.Type != "" {
			v.add(pathKey(path, "type"), "only typed steps (step) have a type")
		}
		if s.RetryPolicy != nil {
			v.add(pathKey(path, "retry_policy"), "only typed steps (step) have a retry policy")
		}
	}
	if s.Kind != KindForeach && s.Kind != KindWhile && s.Steps != nil {
		v.add(pathKey(path, "steps"), "only foreach and while steps have inner steps")
	}
	switch s.Kind {
	case KindStep:
		if s.Type == "" {
			v.add(pathKey(path, "type"), "required")
		}
		if s.RetryPolicy != nil {
			v.retryPolicy(s.RetryPolicy, pathKey(path, "retry_policy"))
		}
	case KindForeach:
		if c := s.Concurrency; c != nil && (*c < 1 || *c > MaxForeachConcurrency) {
			v.add(pathKey(path, "concurrency"), "must be from 1 to %d, got %d", MaxForeachConcurrency, *c)
		}
		v.loop(s, path, true)
	case KindWhile:
		if strings.TrimSpace(s.Condition) == "" {
			v.add(pathKey(path, "condition"), "required")
		} else {
			v.sel(s.Condition, pathKey(path, "condition"))
		}
		v.loop(s, path, false)
	case KindSubworkflow:
		if _, ok := s.Params["subworkflow_id"]; !ok {
			v.add(pathKey(path, `params["subworkflow_id"]`), "required for a subworkflow step")
		}
	case KindTemplate:
		if s.SubType == "" {
			v.add(pathKey(path, "sub_type"), "required")
		}
	default:
		v.add(path, "unknown step kind %q", s.Kind)
	}
}

// loop checks loop_params of a foreach (arrays) or while (scalars) step,
// then its inner steps with the loop's names in scope.
func (v *validator) loop(s *Step, path string, foreach bool) {
	lp := pathKey(path, `params["loop_params"]`)
	names := map[string]bool{}
	p, ok := s.Params["loop_params"]
	switch {
	case !ok || p == nil:
		v.add(lp, "required for a %s step", s.Kind)
	case p.Type != sel.Invalid && p.Type != sel.Map:
		v.add(pathKey(lp, "type"), "must be MAP, got %v", p.Type)
	default:
		entries, _ := p.Value.(Params)
		for _, name := range sortedKeys(entries) {
			e := entries[name]
			if e == nil {
				continue
			}
			ep := pathName(pathKey(lp, "value"), name)
			switch {
			case foreach && !e.Type.IsArray():
				v.add(pathKey(ep, "type"), "a foreach loop param must be an array type, got %v", e.Type)
			case !foreach && (e.Type.IsArray() || e.Type == sel.Map || e.Type == sel.StringMap):
				v.add(pathKey(ep, "type"), "a while loop param must be STRING, LONG, DOUBLE or BOOLEAN, got %v", e.Type)
			}
			for _, outer := range v.loopParams {
				if outer[name] { // once, however many enclosing loops have it
					v.add(ep, "loop param %q is already a loop param of an enclosing loop", name)
					break
				}
			}
			names[name] = true
		}
	}
	if len(v.loopParams) >= MaxLoopNesting {
		v.add(pathKey(path, "steps"), "foreach and while steps nest more than %d deep (Maestro's workflow depth limit); the steps inside are not checked", MaxLoopNesting)
		return
	}
	v.loopParams = append(v.loopParams, names)
	v.steps(s.Steps, pathKey(path, "steps"))
	v.loopParams = v.loopParams[:len(v.loopParams)-1]
}

func (v *validator) tags(tags TagList, path string) {
	seen := map[string]bool{}
	for i, t := range tags {
		p := pathIndex(path, i)
		if t.Name == "" {
			v.add(pathKey(p, "name"), "required")
			continue
		}
		if seen[t.Name] {
			v.add(p, "duplicate tag name %q", t.Name)
		}
		seen[t.Name] = true
	}
}

// timeout checks a literal timeout (or a duration string without params):
// greater than 0 and at most 120 days.
func (v *validator) timeout(t *ParsableLong, path string) {
	if t == nil {
		return
	}
	d, ok := v.seconds(t, path)
	if ok && (d <= 0 || d > MaxTimeout) {
		v.add(path, "must be greater than 0 and at most 120 days, got %s", t)
	}
}

// seconds resolves a ParsableLong of seconds when it is literal. Strings
// with a $ are interpolated at run start and are not checked here.
func (v *validator) seconds(t *ParsableLong, path string) (time.Duration, bool) {
	if t.Literal != nil {
		// Clamp so huge values cannot overflow time.Duration.
		switch n, max := *t.Literal, int64(MaxTimeout/time.Second); {
		case n > max:
			return MaxTimeout + time.Second, true
		case n < 0:
			return -time.Second, true
		default:
			return time.Duration(n) * time.Second, true
		}
	}
	if strings.Contains(t.Text, "$") {
		return 0, false
	}
	d, err := ParseDuration(t.Text)
	if err != nil {
		v.add(path, "%v", err)
		return 0, false
	}
	return d, true
}

func (v *validator) retryPolicy(rp *RetryPolicy, path string) {
	limit := func(t *ParsableLong, name string) {
		p := pathKey(path, name)
		if t == nil {
			return
		}
		if t.Literal == nil {
			if !strings.Contains(t.Text, "$") {
				v.add(p, "must be a number or a $param reference, got %q", t.Text)
			}
			return
		}
		if n := *t.Literal; n < 0 || n > MaxRetryLimit {
			v.add(p, "must be from 0 to %d, got %d", MaxRetryLimit, n)
		}
	}
	limit(rp.ErrorRetryLimit, "error_retry_limit")
	limit(rp.PlatformRetryLimit, "platform_retry_limit")
	limit(rp.TimeoutRetryLimit, "timeout_retry_limit")
	b := rp.Backoff
	if b == nil {
		return
	}
	bp := pathKey(path, "backoff")
	if b.Type == "" {
		v.add(pathKey(bp, "type"), "required")
	}
	for _, f := range b.fields() {
		t, p := *f.ptr, pathKey(bp, f.name)
		if t == nil {
			continue
		}
		if b.Type == FixedBackoff && !f.fixed {
			v.add(p, "not a field of FIXED_BACKOFF")
			continue
		}
		if !f.secs {
			if t.Literal == nil && !strings.Contains(t.Text, "$") {
				v.add(p, "must be a number or a $param reference, got %q", t.Text)
			} else if t.Literal != nil && *t.Literal < 0 {
				v.add(p, "must be 0 or more, got %d", *t.Literal)
			}
			continue
		}
		if d, ok := v.seconds(t, p); ok && (d < time.Second || d > MaxBackoffSeconds*time.Second) {
			v.add(p, "must be from 1 to %d seconds, got %s", MaxBackoffSeconds, t)
		}
	}
}

// String returns "<n> seconds" for a literal, or the text.
func (t *ParsableLong) String() string {
	if t.Literal != nil {
		return fmt.Sprintf("%d seconds", *t.Literal)
	}
	return fmt.Sprintf("%q", t.Text)
}
