package translator

import (
	"encoding/json"
	"fmt"

	"github.com/batonhq/baton/sel"
)

// FormatVersion is the version of the plan's JSON encoding. The
// interpreter refuses plans of a version it does not know.
const FormatVersion = 1

// Plan is the compiled, immutable form of a definition: the input of the
// interpreter workflow, which never reads the definition itself. Its JSON
// encoding is stable (sorted keys, steps in topological order), and Hash
// is the SHA-256 of that encoding with Hash left empty.
type Plan struct {
	FormatVersion int    `json:"format_version"`
	Hash          string `json:"hash,omitempty"`
	WorkflowID    string `json:"workflow_id"`
	Name          string `json:"name,omitempty"`
	Owner         string `json:"owner,omitempty"`
	// Timeout of the whole run in seconds; Text is resolved at run start.
	Timeout Number `json:"timeout"`
	// StepConcurrency caps the steps running at once in one run; 0 means no cap.
	StepConcurrency int64 `json:"step_concurrency,omitempty"`
	// InstanceStepConcurrency is workflow.instance_step_concurrency (0:
	// unset): it caps the leaf steps running at once across the run's whole
	// tree of loop iterations and subworkflows. In a plan without composite
	// steps it is also folded into StepConcurrency, the cap of the run
	// itself (plans compiled before session 2 fold it in any case).
	InstanceStepConcurrency int64  `json:"instance_step_concurrency,omitempty"`
	RunStrategy             string `json:"run_strategy,omitempty"`
	// WorkflowConcurrency is run_strategy.workflow_concurrency when the
	// definition sets a run strategy (0 pauses the workflow); nil means the
	// rule's default (20 for PARALLEL, else 1).
	WorkflowConcurrency *int64            `json:"workflow_concurrency,omitempty"`
	Params              map[string]*Param `json:"params,omitempty"`
	Steps               []*Node           `json:"steps"`
	// Warnings name accepted features that do not take effect yet.
	Warnings []string `json:"warnings,omitempty"`
}

// Mode is how the interpreter runs a step.
type Mode string

// The execution modes.
const (
	ModeInline        Mode = "inline"         // in workflow code: NoOp, Sleep
	ModeLocalActivity Mode = "local_activity" // short user steps
	ModeActivity      Mode = "activity"       // long user steps, routed by task queue
	ModeChild         Mode = "child"          // composite steps
)

// Node is one step of the plan.
type Node struct {
	ID           string            `json:"id"`
	Name         string            `json:"name,omitempty"`
	Kind         string            `json:"kind"` // step, foreach, while, subworkflow
	Type         string            `json:"type,omitempty"`
	SubType      string            `json:"sub_type,omitempty"`
	Mode         Mode              `json:"mode"`
	TaskQueue    string            `json:"task_queue,omitempty"` // "" means the run's own queue
	Predecessors []string          `json:"predecessors,omitempty"`
	Successors   []Edge            `json:"successors,omitempty"`
	Params       map[string]*Param `json:"params,omitempty"`
	FailureMode  string            `json:"failure_mode"`
	Timeout      Number            `json:"timeout"`         // seconds, counted from STARTING
	Retry        *Retry            `json:"retry,omitempty"` // nil: Maestro's default policy
	// HeartbeatTimeout of an activity-mode step, in seconds; 0 means
	// DefaultHeartbeatTimeout.
	HeartbeatTimeout int64 `json:"heartbeat_timeout,omitempty"`
	// SignalDependencies the step waits for before it evaluates its params;
	// SignalOutputs it sends when it succeeds (signals.go).
	SignalDependencies []*SignalDependency `json:"signal_dependencies,omitempty"`
	SignalOutputs      []*SignalOutput     `json:"signal_outputs,omitempty"`

	// Composite steps (Mode child). Foreach and while run Body; a
	// subworkflow runs the workflow named by its subworkflow_id param.
	Body           *Body  `json:"body,omitempty"`
	Condition      string `json:"condition,omitempty"`   // while: checked before every iteration
	Concurrency    int64  `json:"concurrency,omitempty"` // foreach: 0 means the default
	StrictOrdering bool   `json:"strict_ordering,omitempty"`
	// Collect lists the "innerStepId/param" pairs that params.getFromForeach
	// calls on this foreach step read; the loop keeps them per iteration.
	Collect        []string `json:"collect,omitempty"`
	Sync           bool     `json:"sync,omitempty"`            // subworkflow: wait for the child
	ExplicitParams bool     `json:"explicit_params,omitempty"` // subworkflow: pass only the step's params
}

// Body is the inner DAG of a foreach or while step, in topological order.
type Body struct {
	Steps []*Node `json:"steps"`
}

// Edge is an outgoing edge, evaluated in the parent's scope when the parent
// finishes. A Condition of "true" is unconditional.
type Edge struct {
	To        string `json:"to"`
	Condition string `json:"condition"`
}

// Number is a whole number known at compile time, or text ("${x}",
// "$x mins", "1 min 40 s") resolved with workflow params at run start.
type Number struct {
	Value int64  `json:"value,omitempty"`
	Text  string `json:"text,omitempty"`
}

// Retry is a step's resolved retry policy with Maestro's defaults filled in.
type Retry struct {
	ErrorLimit    Number  `json:"error_limit"`
	PlatformLimit Number  `json:"platform_limit"`
	TimeoutLimit  Number  `json:"timeout_limit"`
	Backoff       string  `json:"backoff"` // EXPONENTIAL_BACKOFF or FIXED_BACKOFF
	Error         Backoff `json:"error"`
	Platform      Backoff `json:"platform"`
	Timeout       Backoff `json:"timeout"`
}

// Backoff is one retry class's delay: Secs * Exponent^retries, capped at
// CapSecs (exponential), or Secs (fixed).
type Backoff struct {
	Secs     Number `json:"secs"`
	Exponent Number `json:"exponent"`
	CapSecs  Number `json:"cap_secs"`
}

// Param is a param definition in the plan: a literal or a SEL expression.
// Literal holds sel's Go representation of Type, except MAP literals, which
// are map[string]*Param (each entry its own definition).
type Param struct {
	Type    sel.Type
	Literal any
	// Keys is the order of a MAP literal's entries as written in the
	// definition, when that is not name order; nil means name order. Plans
	// compiled before Keys existed have none, so they keep name order. A
	// foreach decodes its iterations with the first loop param in this
	// order varying fastest.
	Keys   []string
	Expr   string
	IsExpr bool
	Mode   string
}

type paramJSON struct {
	Type  sel.Type        `json:"type"`
	Value json.RawMessage `json:"value,omitempty"`
	Keys  []string        `json:"keys,omitempty"`
	Expr  *string         `json:"expression,omitempty"`
	Mode  string          `json:"mode,omitempty"`
}

// MarshalJSON writes {"type","value"|"expression","keys","mode"}. The
// value of a MAP literal is a JSON object, whose keys encoding/json sorts;
// "keys" (when Keys is set) lists them in order.
func (p *Param) MarshalJSON() ([]byte, error) {
	j := paramJSON{Type: p.Type, Mode: p.Mode}
	if p.Keys != nil && (p.IsExpr || p.Type != sel.Map) {
		return nil, fmt.Errorf("keys %q on a param that is not a MAP literal", p.Keys)
	}
	switch {
	case p.IsExpr:
		e := p.Expr
		j.Expr = &e
	case p.Type == sel.Map:
		m, ok := p.Literal.(map[string]*Param)
		if !ok {
			return nil, fmt.Errorf("MAP literal has Go type %T", p.Literal)
		}
		if err := checkKeys(m, p.Keys); err != nil {
			return nil, err
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		j.Value, j.Keys = raw, p.Keys
	default:
		raw, err := sel.EncodeJSON(p.Type, p.Literal)
		if err != nil {
			return nil, err
		}
		j.Value = raw
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (p *Param) UnmarshalJSON(b []byte) error {
	var j paramJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Param{Type: j.Type, Mode: j.Mode}
	if j.Keys != nil && (j.Expr != nil || p.Type != sel.Map) {
		return fmt.Errorf("keys %q on a param that is not a MAP literal", j.Keys)
	}
	if j.Expr != nil {
		p.IsExpr, p.Expr = true, *j.Expr
		return nil
	}
	if p.Type == sel.Map {
		m := map[string]*Param{}
		if err := json.Unmarshal(j.Value, &m); err != nil {
			return err
		}
		if err := checkKeys(m, j.Keys); err != nil {
			return err
		}
		p.Literal, p.Keys = m, j.Keys
		return nil
	}
	v, err := sel.DecodeJSON(p.Type, j.Value)
	if err != nil {
		return err
	}
	p.Literal = v
	return nil
}

// checkKeys reports keys (non-nil) that do not list each entry of m once.
func checkKeys[V any](m map[string]V, keys []string) error {
	if keys == nil {
		return nil
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if _, ok := m[k]; !ok || seen[k] {
			return fmt.Errorf("MAP keys %q do not list each entry once", keys)
		}
		seen[k] = true
	}
	if len(seen) != len(m) {
		return fmt.Errorf("MAP keys %q do not list each entry once", keys)
	}
	return nil
}
