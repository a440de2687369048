package translator

import (
	"container/heap"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/batonhq/baton/definition"
)

// StepTypeInfo is what the client knows about a user step type.
type StepTypeInfo struct {
	// Mode is the type's default execution mode (local_activity or
	// activity); "" lets Compile choose: local_activity for an Idempotent
	// type whose step has a literal timeout of at most
	// LocalActivityMaxTimeoutSecs, activity otherwise. Choosing
	// local_activity (here or with the baton.mode tag) accepts that a step
	// which completed may run again after a worker crash (see Idempotent).
	Mode Mode
	// Idempotent says a step of this type may run again after it completed
	// without harm (it overwrites, or checks before it acts). Only such
	// types run as local activities by default: Temporal records a local
	// activity's result only when the workflow task that ran it completes,
	// and a worker that dies before that takes the result with it, so the
	// next worker runs the step again. An activity's result is recorded as
	// soon as the step returns, so a completed step never runs again.
	Idempotent bool
	// TaskQueue routes the type's activities; "" is the run's own queue.
	TaskQueue string
	// HeartbeatTimeout is how long an attempt run as an activity may go
	// without a heartbeat before Temporal gives it up as lost (its worker
	// died) and the interpreter retries it as a platform error. The step
	// activity heartbeats on its own while the step runs, so this only
	// bounds how soon a lost attempt is noticed. 0 means
	// DefaultHeartbeatTimeout; it is rounded up to whole seconds.
	HeartbeatTimeout time.Duration
}

// Options configure Compile.
type Options struct {
	// StepTypes maps user step type names to their defaults.
	StepTypes map[string]StepTypeInfo
	// DefaultTaskQueue is the queue runs are started on. A step type or
	// baton.task_queue tag naming it is written as "" (the run's own
	// queue), so it does not force activity mode and the plan does not
	// depend on where it is started.
	DefaultTaskQueue string
}

// Step tags that steer Baton and keep a definition valid for Maestro.
const (
	// TagMode overrides a step's execution mode: {"name": "baton.mode",
	// "value": "inline|local_activity|activity"}.
	TagMode = "baton.mode"
	// TagTaskQueue routes a step's activity: {"name": "baton.task_queue",
	// "value": "queue"}.
	TagTaskQueue = "baton.task_queue"
)

// LocalActivityMaxTimeoutSecs is the longest literal step timeout for which
// a user step type without a configured mode runs as a local activity.
const LocalActivityMaxTimeoutSecs = 60

// The built-in step types that run inline.
const (
	TypeNoOp  = "NoOp"
	TypeSleep = "Sleep"
)

// builtinTypes are Maestro's step types, by upper-cased name: canonical
// name and whether Baton runs them.
var builtinTypes = map[string]struct {
	name      string
	supported bool
}{
	"NOOP":  {TypeNoOp, true},
	"SLEEP": {TypeSleep, true},
	"TITUS": {"Titus", false},
	"JOIN":  {"Join", false},
}

type compiler struct {
	opts     Options
	errs     errList
	warnings []string
}

// Compile turns a validated definition into a Plan. It never panics; a
// definition it cannot compile gives an Errors listing every reason, each
// with its definition path. Features Baton does not run yet give errors
// whose Msg starts with "not supported yet: ".
func Compile(req *definition.Request, opts Options) (*Plan, error) {
	c := &compiler{opts: opts}
	p := c.compile(req)
	if len(c.errs.errs) > 0 {
		return nil, c.errs.errs
	}
	h, err := hashOf(p)
	if err != nil {
		return nil, fmt.Errorf("encoding the plan: %w", err)
	}
	p.Hash = h
	return p, nil
}

func (c *compiler) compile(req *definition.Request) *Plan {
	p := &Plan{FormatVersion: FormatVersion, RunStrategy: DefaultRunStrategy}
	if req == nil || req.Workflow == nil {
		c.errs.add("workflow", "missing")
		return p
	}
	wf := req.Workflow
	p.WorkflowID = wf.ID
	p.Name = wf.Name
	if p.Name == "" {
		p.Name = wf.ID
	}
	// signal_triggers start instances of a registered active version
	// (scheduler/signal_triggers.go); a plan does not carry them.
	p.Timeout = compileTimeout(wf.Timeout, "workflow.timeout", &c.errs)
	p.Params = c.params(wf.Params, "workflow.params")
	c.properties(p, req.Properties, wf)
	p.Steps = c.steps(wf.Steps, "workflow.steps")
	collectForeachReads(p)
	p.Warnings = c.warnings
	return p
}

func (c *compiler) properties(p *Plan, props *definition.Properties, wf *definition.Workflow) {
	var sc *int64
	if props != nil {
		sc = props.StepConcurrency
		if props.Owner != nil {
			p.Owner = props.Owner.Name
		}
		if rs := props.RunStrategy; rs != nil && rs.Rule != "" {
			p.RunStrategy = strings.ToUpper(strings.TrimSpace(string(rs.Rule)))
			wc := rs.WorkflowConcurrency
			p.WorkflowConcurrency = &wc
		}
	}
	switch {
	case sc != nil:
		p.StepConcurrency = max(*sc, 0)
	case wf.InstanceStepConcurrency == nil:
		p.StepConcurrency = DefaultStepConcurrency
	}
	if isc := wf.InstanceStepConcurrency; isc != nil && *isc > 0 {
		p.InstanceStepConcurrency = *isc
		// With composite steps the tree cap (the interpreter's permits
		// workflow) counts leaf steps only, as Maestro; a flat DAG has only
		// leaf steps, and the run's own cap is the tree cap.
		if !hasComposite(wf.Steps) && (p.StepConcurrency == 0 || *isc < p.StepConcurrency) {
			p.StepConcurrency = *isc
		}
	}
}

// steps compiles one step list into nodes in topological order.
func (c *compiler) steps(steps []*definition.Step, path string) []*Node {
	if len(steps) == 0 {
		c.errs.add(path, "no steps")
		return nil
	}
	nodes := make([]*Node, 0, len(steps))
	index := map[string]int{} // id -> position in nodes (definition order)
	paths := make([]string, 0, len(steps))
	for i, s := range steps {
		sp := fmt.Sprintf("%s[%d]", path, i)
		if s == nil {
			c.errs.add(sp, "empty step")
			continue
		}
		sp += "." + stepKindKey(s.Kind)
		n := c.step(s, sp)
		if n.ID == "" {
			c.errs.add(sp+".id", "missing")
			continue
		}
		if _, dup := index[n.ID]; dup {
			c.errs.add(sp+".id", fmt.Sprintf("duplicate step id %q", n.ID))
			continue
		}
		index[n.ID] = len(nodes)
		nodes = append(nodes, n)
		paths = append(paths, sp)
	}
	// Edges: successors in definition order, predecessors from them.
	preds := make([]map[string]bool, len(nodes))
	for i := range preds {
		preds[i] = map[string]bool{}
	}
	for i, n := range nodes {
		seen := map[string]bool{}
		for _, e := range n.Successors {
			ep := fmt.Sprintf("%s.transition.successors[%s]", paths[i], strconv.Quote(e.To))
			j, ok := index[e.To]
			switch {
			case !ok:
				c.errs.add(ep, "no such step")
			case seen[e.To]:
				c.errs.add(ep, "duplicate successor")
			default:
				preds[j][n.ID] = true
			}
			seen[e.To] = true
		}
	}
	for i, n := range nodes {
		for id := range preds[i] {
			n.Predecessors = append(n.Predecessors, id)
		}
		sort.Strings(n.Predecessors)
	}
	return c.topoSort(nodes, index, preds, path)
}

// topoSort orders nodes so every step comes after its predecessors, ties
// broken by definition order (Kahn's algorithm over a min-heap of indexes).
func (c *compiler) topoSort(nodes []*Node, index map[string]int, preds []map[string]bool, path string) []*Node {
	indeg := make([]int, len(nodes))
	for i := range nodes {
		indeg[i] = len(preds[i])
	}
	ready := &intHeap{}
	for i, d := range indeg {
		if d == 0 {
			heap.Push(ready, i)
		}
	}
	out := make([]*Node, 0, len(nodes))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		out = append(out, nodes[i])
		for _, e := range nodes[i].Successors {
			j, ok := index[e.To]
			if !ok || !preds[j][nodes[i].ID] {
				continue
			}
			delete(preds[j], nodes[i].ID) // count each edge once
			if indeg[j]--; indeg[j] == 0 {
				heap.Push(ready, j)
			}
		}
	}
	if len(out) < len(nodes) {
		var cyc []string
		for i, d := range indeg {
			if d > 0 {
				cyc = append(cyc, strconv.Quote(nodes[i].ID))
			}
		}
		c.errs.add(path, "cycle among steps "+strings.Join(cyc, ", "))
	}
	return out
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func stepKindKey(k definition.StepKind) string {
	if k == "" {
		return string(definition.KindStep)
	}
	return strings.ToLower(string(k))
}

// step compiles one step; its edges are filled in by steps.
func (c *compiler) step(s *definition.Step, path string) *Node {
	n := &Node{ID: s.ID, Name: s.Name, Kind: stepKindKey(s.Kind)}
	for _, e := range s.Transition.Successors {
		cond := e.Condition
		if strings.TrimSpace(cond) == "" {
			cond = "true"
		}
		n.Successors = append(n.Successors, Edge{To: e.To, Condition: cond})
	}
	switch definition.StepKind(n.Kind) {
	case definition.KindStep, definition.KindForeach, definition.KindWhile, definition.KindSubworkflow:
	case definition.KindTemplate:
		c.errs.notSupported(path, n.Kind+" steps")
		return n
	default:
		c.errs.add(path, fmt.Sprintf("unknown step kind %q", string(s.Kind)))
		return n
	}
	c.signals(n, s, path)
	n.Type, n.SubType = s.Type, s.SubType
	n.FailureMode = DefaultFailureMode
	if fm := strings.ToUpper(strings.TrimSpace(string(s.FailureMode))); fm != "" {
		switch definition.FailureMode(fm) {
		case definition.FailAfterRunning, definition.FailImmediately, definition.IgnoreFailure:
			n.FailureMode = fm
		default:
			c.errs.add(path+".failure_mode", fmt.Sprintf("unknown failure mode %q", string(s.FailureMode)))
		}
	}
	n.Timeout = compileTimeout(s.Timeout, path+".timeout", &c.errs)
	n.Params = c.params(s.Params, path+".params")
	if n.Kind != string(definition.KindStep) {
		c.composite(n, s, path)
		return n
	}
	n.Retry = compileRetry(s.RetryPolicy, path+".retry_policy", func(w string) { c.warnings = append(c.warnings, w) })
	if *n.Retry == *DefaultRetry() {
		n.Retry = nil // nil is Maestro's default policy: no need to repeat it on every node
	}
	c.mode(n, s, path)
	applyTypeDefaults(n)
	return n
}

// compositeSupported lists the composite kinds the interpreter runs.
var compositeSupported = map[definition.StepKind]bool{
	definition.KindForeach:     true,
	definition.KindWhile:       true,
	definition.KindSubworkflow: true,
}

// composite compiles the parts of foreach, while and subworkflow steps.
// They run as child workflows and have no retry policy (as in Maestro).
func (c *compiler) composite(n *Node, s *definition.Step, path string) {
	n.Mode = ModeChild
	if !compositeSupported[definition.StepKind(n.Kind)] {
		c.errs.notSupported(path, n.Kind+" steps")
	}
	switch definition.StepKind(n.Kind) {
	case definition.KindForeach, definition.KindWhile:
		n.Body = &Body{Steps: c.steps(s.Steps, path+".steps")}
		if s.Concurrency != nil {
			n.Concurrency = *s.Concurrency
		}
		if s.StrictOrdering != nil {
			n.StrictOrdering = *s.StrictOrdering
		}
		n.Condition = strings.TrimSpace(s.Condition)
	case definition.KindSubworkflow:
		n.Sync = s.Sync == nil || *s.Sync
		n.ExplicitParams = s.ExplicitParams != nil && *s.ExplicitParams
	}
}

// mode sets the node's execution mode and task queue.
func (c *compiler) mode(n *Node, s *definition.Step, path string) {
	var tagMode Mode
	var tagQueue string
	hasMode, hasQueue := false, false
	for i, t := range s.Tags {
		tp := fmt.Sprintf("%s.tags[%d]", path, i)
		switch t.Name {
		case TagMode:
			v, ok := tagValue(t)
			switch m := Mode(strings.ToLower(v)); {
			case !ok:
				c.errs.add(tp, TagMode+` needs a string "value"`)
			case m == ModeInline || m == ModeLocalActivity || m == ModeActivity:
				tagMode, hasMode = m, true
			default:
				c.errs.add(tp, fmt.Sprintf("%s: unknown mode %q (want inline, local_activity or activity)", TagMode, v))
			}
		case TagTaskQueue:
			v, ok := tagValue(t)
			if !ok || v == "" {
				c.errs.add(tp, TagTaskQueue+` needs a non-empty string "value"`)
				continue
			}
			tagQueue, hasQueue = v, true
		}
	}
	tp := path + ".type"
	if strings.TrimSpace(n.Type) == "" {
		c.errs.add(tp, "missing")
		return
	}
	if b, ok := builtinTypes[strings.ToUpper(strings.TrimSpace(n.Type))]; ok {
		n.Type = b.name
		if !b.supported {
			c.errs.notSupported(tp, "step type "+b.name)
			return
		}
		n.Mode = ModeInline
		if hasMode && tagMode != ModeInline {
			c.errs.add(path+".tags", fmt.Sprintf("%s: %s steps run inline", TagMode, b.name))
		}
		if hasQueue {
			c.errs.add(path+".tags", fmt.Sprintf("%s: %s steps run inline, in the workflow", TagTaskQueue, b.name))
		}
		return
	}
	n.Type = canonicalWorkerType(n.Type)
	info := c.opts.StepTypes[n.Type]
	queue := info.TaskQueue
	if hasQueue {
		queue = tagQueue
	}
	if queue == c.opts.DefaultTaskQueue {
		queue = "" // the run's own queue
	}
	switch {
	case hasMode:
		n.Mode = tagMode
		if tagMode == ModeInline {
			c.errs.add(path+".tags", fmt.Sprintf("%s: user step type %q cannot run inline", TagMode, n.Type))
		}
	case info.Mode != "":
		n.Mode = info.Mode
		if n.Mode != ModeLocalActivity && n.Mode != ModeActivity {
			c.errs.add(tp, fmt.Sprintf("step type %q is configured with mode %q (want local_activity or activity)", n.Type, info.Mode))
		}
	case queue != "":
		n.Mode = ModeActivity // its workers listen on their own queue
	case info.Idempotent && n.Timeout.Text == "" && n.Timeout.Value <= LocalActivityMaxTimeoutSecs:
		n.Mode = ModeLocalActivity
	default:
		n.Mode = ModeActivity
	}
	if n.Mode == ModeActivity {
		n.TaskQueue = queue
		if info.HeartbeatTimeout > 0 {
			n.HeartbeatTimeout = int64((info.HeartbeatTimeout + time.Second - 1) / time.Second)
		}
	} else if hasQueue && queue != "" {
		c.errs.add(path+".tags", fmt.Sprintf("%s needs mode activity: a %s runs on the run's own worker", TagTaskQueue, n.Mode))
	}
}

func tagValue(t definition.Tag) (string, bool) {
	v, ok := t.Attributes["value"].(string)
	return strings.TrimSpace(v), ok
}

// hasComposite reports whether steps include a foreach, while or
// subworkflow step.
func hasComposite(steps []*definition.Step) bool {
	for _, s := range steps {
		if s.Kind != definition.KindStep {
			return true
		}
	}
	return false
}
