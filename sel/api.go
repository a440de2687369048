package sel

import (
	"errors"
	"time"
)

// Program is a parsed SEL expression, safe for concurrent use.
type Program struct {
	src string
}

// Parse parses src. Errors are *Error values whose message starts with
// "line:col:".
func Parse(src string) (*Program, error) { return nil, errors.New("sel: not implemented") }

// Compile is Parse with a cache keyed by source text.
func Compile(src string) (*Program, error) { return Parse(src) }

// Check reports a syntax error in src, if any.
func Check(src string) error { _, err := Parse(src); return err }

// Source returns the text the program was parsed from.
func (p *Program) Source() string { return p.src }

// References lists the free variable names the program reads (bare names
// and params['x'] / params.get('x') keys), sorted, minus whitelisted class
// names and locals it declares itself.
func (p *Program) References() []string { return nil }

// Eval evaluates the program. The result has one of the Go types listed
// on Type.
func (p *Program) Eval(env *Env) (any, error) { return nil, errors.New("sel: not implemented") }

// Env is what an evaluation may read: params, and the sources of time,
// randomness and UUIDs. A nil source makes the matching built-ins fail with
// an error rather than read the machine.
type Env struct {
	Params Params
	Now    func() time.Time
	Random func() float64 // in [0, 1)
	UUID   func() string
	Limits *Limits // nil means DefaultLimits
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
	MaxArrayLen   int   // Maestro: 25,001
	MaxStackDepth int   // Maestro: 128
	MaxSteps      int64 // evaluation steps (node visits)
	MaxMemory     int64 // bytes built by strings, arrays and maps
}
