package sel

import (
	"fmt"
	"sync"
	"time"
)

// Program is a parsed SEL expression, safe for concurrent use.
type Program struct {
	src    string
	body   *blockStmt
	nslots int
	refs   []string
}

// Parse parses src under DefaultLimits (source length and nesting depth).
// Errors are *Error values whose message starts with "line:col:", or a
// *LimitError.
func Parse(src string) (p *Program, err error) {
	defer func() {
		if r := recover(); r != nil { // last resort; should not happen
			p, err = nil, &Error{Kind: SyntaxError, Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	lim := DefaultLimits()
	body, n, refs, err := parseProgram(src, &lim)
	if err != nil {
		return nil, finish(src, err)
	}
	return &Program{src: src, body: body, nslots: n, refs: refs}, nil
}

const cacheMax = 4096

var cache struct {
	sync.RWMutex
	m map[string]*Program
}

// Compile is Parse with a bounded, concurrency-safe cache keyed by source
// text. Errors are not cached.
func Compile(src string) (*Program, error) {
	cache.RLock()
	p := cache.m[src]
	cache.RUnlock()
	if p != nil {
		return p, nil
	}
	p, err := Parse(src)
	if err != nil {
		return nil, err
	}
	cache.Lock()
	if cache.m == nil || len(cache.m) >= cacheMax {
		cache.m = make(map[string]*Program, 64) // crude eviction: start over
	}
	cache.m[src] = p
	cache.Unlock()
	return p, nil
}

// Check reports a syntax error in src, if any.
func Check(src string) error { _, err := Compile(src); return err }

// Source returns the text the program was parsed from.
func (p *Program) Source() string { return p.src }

// References lists the free variable names the program reads (bare names
// and constant params['x'] / params.get('x') keys), sorted, minus
// whitelisted class names and locals the program assigns itself.
func (p *Program) References() []string {
	return append(make([]string, 0, len(p.refs)), p.refs...)
}

// Eval evaluates the program. The result has one of the Go types listed
// on Type, or is nil when the expression yields Java's null. A result of
// another SEL type (a DateTime, say) is an error.
func (p *Program) Eval(env *Env) (any, error) {
	res, _, err := p.run(env)
	return res, err
}

// work is what an evaluation charged: steps and bytes (see budget.go).
type work struct{ steps, mem int64 }

// run evaluates the program and reports the work it charged.
func (p *Program) run(env *Env) (res any, w work, err error) {
	if env == nil {
		env = &Env{}
	}
	lim := env.Limits
	if lim == nil {
		lim = &defaultLimits
	}
	st := state{env: env, lim: lim}
	defer func() {
		w = work{steps: st.steps, mem: st.mem}
		if r := recover(); r != nil { // last resort; should not happen
			res, err = nil, &Error{Kind: RuntimeError, Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	if len(p.src) > lim.MaxSourceLen {
		return nil, w, &LimitError{Limit: "source length", Max: int64(lim.MaxSourceLen)}
	}
	if p.nslots > 0 {
		st.slots = make([]slot, p.nslots)
	}
	ctl, err := st.exec(p.body)
	if err != nil {
		return nil, w, finish(p.src, err)
	}
	v := st.last
	if ctl == ctlReturn {
		v = st.ret
	}
	if v == nil {
		return nil, w, nil
	}
	if err := st.checkResult(-1, v); err != nil {
		return nil, w, finish(p.src, err)
	}
	if _, ok := TypeOf(v); !ok {
		if u, ok := v.(uuidVal); ok {
			return string(u), w, nil
		}
		return nil, w, &Error{Kind: RuntimeError, Msg: fmt.Sprintf("result of type %s is not a Maestro param type", typeName(v))}
	}
	return v, w, nil
}

// Eval compiles (cached) and evaluates src.
func Eval(src string, env *Env) (any, error) {
	p, err := Compile(src)
	if err != nil {
		return nil, err
	}
	return p.Eval(env)
}

// Env is what an evaluation may read: params, and the sources of time,
// randomness and UUIDs. A nil source makes the matching built-ins fail with
// an error rather than read the machine.
type Env struct {
	Params Params
	Now    func() time.Time
	Random func() float64 // in [0, 1)
	UUID   func() string
	Limits *Limits // nil means DefaultLimits
	// WorkflowParams, when set, makes the params object Maestro's map of
	// the workflow params alone (SelParams): params['x'], params.get('x')
	// and params.containsKey('x') read only through it, and a name it lacks
	// is NULL, not an error; NULL then operates as in Maestro (null < x and
	// null > x are false, null + x is "null" + x). Without it, params['x']
	// resolves any name, as a bare x does, and a missing one is an error.
	WorkflowParams func(name string) (any, bool)
}

// Params resolves names and the params.* extension calls. Baton's
// interpreter implements it over workflow state; MapParams is a simple
// implementation for tools and tests.
type Params interface {
	// Lookup resolves a bare name, params['x'] and params.get('x').
	Lookup(name string) (any, bool)
	// GetFromStep: stepID=="" is the one-argument form (own step fields).
	GetFromStep(stepID, param string) (any, error)
	GetFromInstance(field string) (any, error)
	GetFromForeach(foreachStepID, stepID, param string) (any, error)
	GetFromSubworkflow(subworkflowStepID, stepID, param string) (any, error)
	// GetFromSignal: signal=="" is the one-argument form.
	GetFromSignal(signal, param string) (any, error)
	GetFromSignalDependency(index, param string) (any, error)
	NextUniqueID() (any, error)
}

// Limits bounds one evaluation.
type Limits struct {
	MaxSourceLen  int   // characters; Maestro: 10,000
	MaxLoopIters  int   // per loop; Maestro: 25,001
	MaxArrayLen   int   // Maestro: 25,001 (also bounds map entries)
	MaxStackDepth int   // syntactic nesting depth; Maestro: stack 128
	MaxSteps      int64 // evaluation steps (node visits, plus work done by built-ins)
	MaxMemory     int64 // bytes built by strings, arrays and maps, cumulative
}

var defaultLimits = DefaultLimits() // read-only

// DefaultLimits returns Maestro's limits, with a step budget and memory
// cap sized so that any evaluation ends well under 100 ms.
func DefaultLimits() Limits {
	return Limits{
		MaxSourceLen:  10000,
		MaxLoopIters:  25001,
		MaxArrayLen:   25001,
		MaxStackDepth: 128,
		MaxSteps:      1_000_000,
		MaxMemory:     16 << 20,
	}
}
