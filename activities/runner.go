package activities

import (
	"context"
	"fmt"
	"sort"

	"github.com/batonhq/baton/sel"
)

// ActivityName is the name under which the Runner is registered, both as an
// activity and as a local activity.
const ActivityName = "baton.RunStep"

// Input is the activity input the interpreter sends.
type Input struct {
	Step Step
}

// Output is the activity result: the step's outputs, typed.
type Output struct {
	Outputs map[string]sel.Value `json:"outputs,omitempty"`
}

// Runner dispatches a step to its registered type. It is safe for
// concurrent use once built.
type Runner struct {
	types map[string]StepType
}

// NewRunner builds a Runner over the given step types, keyed by type name.
func NewRunner(types map[string]StepType) *Runner {
	r := &Runner{types: make(map[string]StepType, len(types))}
	for name, t := range types {
		r.types[name] = t
	}
	return r
}

// Types lists the registered type names, sorted.
func (r *Runner) Types() []string {
	names := make([]string, 0, len(r.types))
	for n := range r.types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RunStep is the activity function.
func (r *Runner) RunStep(ctx context.Context, in Input) (*Output, error) {
	t, ok := r.types[in.Step.Type]
	if !ok {
		return nil, unknownStepType(in.Step.Type)
	}
	res, err := t.Run(ctx, &in.Step)
	if err != nil {
		return nil, toApplicationError(err)
	}
	out := &Output{}
	if res == nil || len(res.Outputs) == 0 {
		return out, nil
	}
	out.Outputs = make(map[string]sel.Value, len(res.Outputs))
	for name, v := range res.Outputs {
		if i, ok := v.(int); ok {
			v = int64(i)
		}
		typ, ok := sel.TypeOf(v)
		if !ok {
			return nil, toApplicationError(FatalError(fmt.Errorf("output param %q has Go type %T, which is not a Maestro param type", name, v)))
		}
		out.Outputs[name] = sel.Value{Type: typ, Value: v}
	}
	return out, nil
}
