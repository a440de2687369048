package batontest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

// Env describes how runs execute: the step types they see, their modes
// and what happens during the run. It is not safe for concurrent Runs.
type Env struct {
	t       testing.TB
	types   map[string]activities.StepType
	info    map[string]translator.StepTypeInfo
	mocks   map[string]*Mock
	order   []string // mock type names, in creation order
	start   time.Time
	during  []func(*testsuite.TestWorkflowEnvironment)
	setup   []func(*testsuite.TestWorkflowEnvironment)
	timeout time.Duration
	suite   testsuite.WorkflowTestSuite
}

// New starts an Env for test t.
func New(t testing.TB) *Env {
	return &Env{
		t:     t,
		types: map[string]activities.StepType{},
		info:  map[string]translator.StepTypeInfo{},
		mocks: map[string]*Mock{},
	}
}

// Register adds a real step type under its Maestro type name.
func (e *Env) Register(stepType string, st activities.StepType) *Env {
	e.types[stepType] = st
	return e
}

// Mode sets how the compiler runs a user step type (as client.Options'
// StepTypes do): translator.ModeLocalActivity or ModeActivity.
func (e *Env) Mode(stepType string, m translator.Mode) *Env {
	info := e.info[stepType]
	info.Mode = m
	e.info[stepType] = info
	return e
}

// Mock returns the mock of a user step type, creating it. A mock with no
// behaviour set succeeds with no outputs.
func (e *Env) Mock(stepType string) *Mock {
	if m, ok := e.mocks[stepType]; ok {
		return m
	}
	m := newMock(stepType, "")
	e.mocks[stepType] = m
	e.order = append(e.order, stepType)
	return m
}

// StartAt sets the run's start time (workflow clock).
func (e *Env) StartAt(t time.Time) *Env { e.start = t; return e }

// TestTimeout sets the wall-clock time a Run may take (default 10 s).
func (e *Env) TestTimeout(d time.Duration) *Env { e.timeout = d; return e }

// StopAfter stops the run d after it starts (workflow time), as
// client.Run.Stop does: running steps become STOPPED.
func (e *Env) StopAfter(d time.Duration) *Env {
	return e.After(d, func(env *testsuite.TestWorkflowEnvironment) { env.CancelWorkflow() })
}

// KillAfter kills the run d after it starts (workflow time), as
// client.Run.Kill does.
func (e *Env) KillAfter(d time.Duration, reason string) *Env {
	return e.After(d, func(env *testsuite.TestWorkflowEnvironment) {
		env.SignalWorkflow(workflows.SignalKill, reason)
	})
}

// After runs f on the test environment d after the run starts (workflow
// time): signal, cancel or query the run.
func (e *Env) After(d time.Duration, f func(env *testsuite.TestWorkflowEnvironment)) *Env {
	e.during = append(e.during, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() { f(env) }, d)
	})
	return e
}

// Setup runs f on each new test environment before the run starts, for
// anything else testsuite offers (extra workflows, activities, mocks).
func (e *Env) Setup(f func(env *testsuite.TestWorkflowEnvironment)) *Env {
	e.setup = append(e.setup, f)
	return e
}

// Compile validates and compiles a definition with the Env's step type
// modes, failing the test on any error. def is a *definition.Request, a
// *definition.WorkflowBuilder, a *translator.Plan (returned as is), or
// Maestro JSON as string or []byte.
func (e *Env) Compile(def any) *translator.Plan {
	e.t.Helper()
	plan, err := e.compile(def)
	if err != nil {
		e.t.Fatalf("batontest: %v", err)
	}
	return plan
}

func (e *Env) compile(def any) (*translator.Plan, error) {
	var req *definition.Request
	var err error
	switch d := def.(type) {
	case *translator.Plan:
		return d, nil
	case *definition.Request:
		req, err = d, d.Validate()
	case *definition.WorkflowBuilder:
		req, err = d.Build()
	case string:
		req, err = decodeValid([]byte(d))
	case []byte:
		req, err = decodeValid(d)
	default:
		return nil, fmt.Errorf("cannot run a %T (want *definition.Request, *definition.WorkflowBuilder, *translator.Plan or JSON)", def)
	}
	if err != nil {
		return nil, err
	}
	return translator.Compile(req, translator.Options{StepTypes: e.info})
}

func decodeValid(data []byte) (*definition.Request, error) {
	req, err := definition.Decode(data)
	if err != nil {
		return nil, err
	}
	return req, req.Validate()
}

// Run compiles def (see Compile) and runs it to its end with the given
// run params (Go values of sel's representation; int is widened to int64;
// a sel.Value is taken as is). It fails the test if the run cannot start
// or does not end.
func (e *Env) Run(def any, runParams map[string]any) *Result {
	e.t.Helper()
	plan := e.Compile(def)
	params, err := toValues(runParams)
	if err != nil {
		e.t.Fatalf("batontest: run params: %v", err)
	}
	return e.execute(workflows.RunInput{Plan: plan, RunParams: params, Initiator: "MANUAL"})
}

// Restart runs the next run of prev, an ended run of this Env, as
// client.Restart does on a server (policy workflows.RestartFromIncomplete
// or RestartFromBeginning; restartParams as Run's run params): the same
// plan, seeded with prev's final state. The test environment keeps no
// results of child workflows, so a restart from incomplete of a run whose
// foreach, while or subworkflow step started and did not complete is
// refused, and a kept loop or subworkflow step's getFromForeach and
// getFromSubworkflow values are not there; test those on the embedded
// server.
func (e *Env) Restart(prev *Result, policy string, restartParams map[string]any) *Result {
	e.t.Helper()
	if prev == nil || prev.State == nil {
		e.t.Fatalf("batontest: restart: the previous run has no final state")
	}
	params, err := toValues(restartParams)
	if err != nil {
		e.t.Fatalf("batontest: restart params: %v", err)
	}
	rs := &workflows.Restart{Policy: policy, Run: max(prev.State.Run, 1) + 1, Previous: prev.State, Params: params}
	if err := workflows.CheckRestart(prev.Plan, rs); err != nil {
		e.t.Fatalf("batontest: %v", err)
	}
	if policy == workflows.RestartFromIncomplete {
		for _, n := range prev.Plan.Steps {
			if ps := prev.State.Step(n.ID); n.Kind != "step" && ps != nil && !ps.Status.Complete() && ps.Status != workflows.NotCreated {
				e.t.Fatalf("batontest: not supported yet: restart from incomplete of %s step %q, which started and did not complete (the test environment keeps no child results)", n.Kind, n.ID)
			}
		}
	}
	return e.execute(workflows.RunInput{Plan: prev.Plan, Initiator: "MANUAL", Restart: rs})
}

// execute runs the interpreter on in in a new test environment.
func (e *Env) execute(in workflows.RunInput) *Result {
	e.t.Helper()
	plan := in.Plan
	e.suite.SetLogger(worker.NewLogger(nil))
	env := e.suite.NewTestWorkflowEnvironment()
	timeout := e.timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	env.SetTestTimeout(timeout)
	if !e.start.IsZero() {
		env.SetStartTime(e.start)
	}
	worker.RegisterWorkflows(env)
	types := make(map[string]activities.StepType, len(e.types)+len(e.mocks))
	for name, st := range e.types {
		types[name] = st
	}
	for name, m := range e.mocks {
		types[name] = m
	}
	worker.RegisterStepTypes(env, types)
	e.mockDelays(env, plan, types)
	for _, f := range e.setup {
		f(env)
	}
	for _, f := range e.during {
		f(env)
	}
	env.ExecuteWorkflow(workflows.WorkflowName, in)
	if !env.IsWorkflowCompleted() {
		e.t.Fatalf("batontest: run of %s did not complete within %v (wall clock)", plan.WorkflowID, timeout)
	}
	res := &Result{Plan: plan, Err: env.GetWorkflowError()}
	if res.Err == nil {
		var st workflows.State
		if err := env.GetWorkflowResult(&st); err != nil {
			e.t.Fatalf("batontest: decode run result: %v", err)
		}
		res.State = &st
	}
	return res
}

// mockDelays routes the attempts of mocks that take time through
// testsuite mocks, so that the time passes on the workflow clock. An
// attempt that would outlast its step timeout waits for the timeout and
// ends with a timeout error, as on a real server. All other calls go to
// the real runner.
func (e *Env) mockDelays(env *testsuite.TestWorkflowEnvironment, plan *translator.Plan, types map[string]activities.StepType) {
	runner := activities.NewRunner(types)
	mocked := false
	var walk func(nodes []*translator.Node)
	walk = func(nodes []*translator.Node) {
		for _, n := range nodes {
			if n.Body != nil {
				walk(n.Body.Steps)
			}
			tm, ok := e.mocks[n.Type]
			if !ok {
				continue
			}
			m := tm.forStep(n.ID)
			delay, delays := m.timing()
			timeout := defaultTimeout
			if n.Timeout.Text == "" && n.Timeout.Value > 0 {
				timeout = time.Duration(n.Timeout.Value) * time.Second
			}
			register := func(attempt int, d time.Duration) {
				mocked = true
				wait, fn := d, runner.RunStep
				if d >= timeout {
					wait, fn = timeout, m.timeoutFn(timeout)
				}
				id, typ := n.ID, n.Type
				env.OnActivity(activities.ActivityName, mock.Anything, mock.MatchedBy(func(in activities.Input) bool {
					return in.Step.Type == typ && in.Step.StepID == id && (attempt == 0 || in.Step.Attempt == attempt)
				})).After(wait).Return(fn)
			}
			for _, a := range sortedAttempts(delays) {
				register(a, delays[a])
			}
			if delay > 0 {
				register(0, delay)
			}
		}
	}
	walk(plan.Steps)
	if mocked {
		env.OnActivity(activities.ActivityName, mock.Anything, mock.Anything).Return(runner.RunStep)
	}
}

// defaultTimeout is Maestro's default step timeout.
const defaultTimeout = 10 * 24 * time.Hour

// toValues converts run params to sel Values.
func toValues(in map[string]any) (map[string]sel.Value, error) {
	if in == nil {
		return nil, nil
	}
	out := make(map[string]sel.Value, len(in))
	for name, v := range in {
		sv, err := toValue(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = sv
	}
	return out, nil
}

func toValue(v any) (sel.Value, error) {
	switch x := v.(type) {
	case sel.Value:
		return x, nil
	case int:
		v = int64(x)
	case int32:
		v = int64(x)
	case float32:
		v = float64(x)
	case []int:
		ls := make([]int64, len(x))
		for i, n := range x {
			ls[i] = int64(n)
		}
		v = ls
	}
	t, ok := sel.TypeOf(v)
	if !ok {
		return sel.Value{}, fmt.Errorf("output of Go type %T is not a Maestro param type", v)
	}
	return sel.Value{Type: t, Value: v}, nil
}
