package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
	"github.com/batonhq/baton/workflows"
)

// Benchmarks of the interpreter's hot path through Temporal's test suite
// (no server): each op is one whole run in a fresh test environment.
// BenchmarkInterpreter/floor is an empty workflow in the same environment;
// subtract it to see what the interpreter costs. floor-chain-N-local is a
// hand-written chain of the same N local activities: compare it with
// chain-N-local for the interpreter's cost per local-activity step (and
// N=100 with N=300 for whether that cost grows with the run).
//
//	go test -run '^$' -bench Interpreter -benchmem ./workflows/

// benchDef renders a definition whose steps are given as id, type, params
// (JSON object or "") and successors (id -> condition).
type benchStep struct {
	id, typ string
	params  map[string]any
	succ    map[string]string
}

func benchJSON(id string, wfParams map[string]any, steps []*benchStep) []byte {
	list := make([]any, len(steps))
	for i, s := range steps {
		m := map[string]any{"id": s.id, "type": s.typ}
		if len(s.params) > 0 {
			m["params"] = s.params
		}
		if len(s.succ) > 0 {
			m["transition"] = map[string]any{"successors": s.succ}
		}
		list[i] = map[string]any{"step": m}
	}
	wf := map[string]any{"id": id, "steps": list}
	if len(wfParams) > 0 {
		wf["params"] = wfParams
	}
	b, err := json.Marshal(map[string]any{"workflow": wf})
	if err != nil {
		panic(err)
	}
	return b
}

// benchChain is a chain of n steps of one type.
func benchChain(n int, typ string) []byte {
	steps := make([]*benchStep, n)
	for i := range steps {
		steps[i] = &benchStep{id: fmt.Sprintf("s%d", i+1), typ: typ}
		if i > 0 {
			steps[i-1].succ = map[string]string{steps[i].id: "true"}
		}
	}
	return benchJSON("bench-chain", nil, steps)
}

// benchDAG is a layered DAG of n steps: a fork to 10 parallel chains of 3,
// a join, and again. With sel, every step evaluates three SEL params (one
// reading its parent's) and every edge has a SEL condition that holds.
func benchDAG(n int, sel bool) []byte {
	var steps, prev []*benchStep
	for layerNo := 0; len(steps) < n; layerNo++ {
		size := 10
		if layerNo%4 == 0 {
			size = 1
		}
		layer := make([]*benchStep, min(size, n-len(steps)))
		for j := range layer {
			s := &benchStep{id: fmt.Sprintf("s%d", len(steps)+1), typ: "NoOp", succ: map[string]string{}}
			if sel {
				s.params = map[string]any{
					"a": map[string]any{"expression": "base * 2 + 1", "type": "LONG"},
					"b": map[string]any{"expression": "env + '-" + s.id + "'", "type": "STRING"},
				}
				if len(prev) > 0 {
					parent := prev[min(j, len(prev)-1)].id
					s.params["c"] = map[string]any{"expression": "params.getFromStep('" + parent + "', 'a') + 1", "type": "LONG"}
				}
			}
			layer[j] = s
			steps = append(steps, s)
		}
		cond := "true"
		if sel {
			cond = "a > base && env == 'prod' && b.startsWith('prod')"
		}
		for j, p := range prev {
			if len(prev) == 1 {
				for _, c := range layer {
					p.succ[c.id] = cond
				}
			} else {
				p.succ[layer[j%len(layer)].id] = cond
			}
		}
		prev = layer
	}
	var wfParams map[string]any
	if sel {
		wfParams = map[string]any{
			"base": map[string]any{"value": 20, "type": "LONG"},
			"env":  map[string]any{"value": "prod", "type": "STRING"},
		}
	}
	return benchJSON("bench-dag", wfParams, steps)
}

func benchPlan(b *testing.B, def []byte) *translator.Plan {
	b.Helper()
	req, err := definition.Decode(def)
	if err != nil {
		b.Fatal(err)
	}
	if err := req.Validate(); err != nil {
		b.Fatal(err)
	}
	plan, err := translator.Compile(req, translator.Options{StepTypes: map[string]translator.StepTypeInfo{
		"BenchLocal": {Mode: translator.ModeLocalActivity},
	}})
	if err != nil {
		b.Fatal(err)
	}
	return plan
}

var benchNoOp = activities.StepFunc(func(context.Context, *activities.Step) (*activities.Result, error) {
	return &activities.Result{}, nil
})

func benchEmptyWorkflow(workflow.Context, workflows.RunInput) (*workflows.State, error) {
	return &workflows.State{}, nil
}

// benchFloorChain is the hand-written floor of chain-100-local: the same
// local activity n times in a row, with the interpreter's options, and no
// interpreter.
func benchFloorChain(ctx workflow.Context, n int) error {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	for i := range n {
		in := activities.Input{Step: activities.Step{StepID: fmt.Sprintf("s%d", i+1), Type: "BenchLocal", Attempt: 1}}
		var out activities.Output
		if err := workflow.ExecuteLocalActivity(ctx, activities.ActivityName, in).Get(ctx, &out); err != nil {
			return err
		}
	}
	return nil
}

// benchEmpty runs the empty workflow with input in once per op: what the
// test environment itself costs.
func benchEmpty(b *testing.B, suite *testsuite.WorkflowTestSuite, in workflows.RunInput) {
	b.ReportAllocs()
	for b.Loop() {
		env := suite.NewTestWorkflowEnvironment()
		env.RegisterWorkflowWithOptions(benchEmptyWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowName})
		env.ExecuteWorkflow(workflows.WorkflowName, in)
		if err := env.GetWorkflowError(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInterpreter(b *testing.B) {
	cases := []struct {
		name string
		def  []byte
	}{
		{"start-1-noop", benchChain(1, "NoOp")},
		{"chain-100-inline", benchChain(100, "NoOp")},
		{"chain-100-local", benchChain(100, "BenchLocal")},
		{"chain-300-local", benchChain(300, "BenchLocal")},
		{"dag-300-inline", benchDAG(300, false)},
		{"params-100-sel", benchDAG(100, true)},
		{"params-100-plain", benchDAG(100, false)},
		{"wide-100-local", benchWide(100)},
		{"wide-290-local", benchWide(290)},
	}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(worker.NewLogger(nil)) // the default logger prints every timer
	b.Run("floor", func(b *testing.B) {
		// The test environment itself, with the 1-step plan as input.
		benchEmpty(b, &suite, workflows.RunInput{Plan: benchPlan(b, cases[0].def)})
	})
	for _, n := range []int{100, 300} {
		b.Run(fmt.Sprintf("floor-chain-%d-local", n), func(b *testing.B) {
			types := map[string]activities.StepType{"BenchLocal": benchNoOp}
			b.ReportAllocs()
			for b.Loop() {
				env := suite.NewTestWorkflowEnvironment()
				env.RegisterWorkflowWithOptions(benchFloorChain, workflow.RegisterOptions{Name: "bench.FloorChain"})
				worker.RegisterStepTypes(env, types)
				env.ExecuteWorkflow("bench.FloorChain", n)
				if err := env.GetWorkflowError(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The 300-step chain with the input a client start sends (compact plan,
	// lean State, LeanLocalInput, breakpoints read): what a real run decodes
	// and writes, where chain-300-local has the canonical plan and full State.
	b.Run("chain-300-local-client", func(b *testing.B) {
		benchInput(b, &suite, clientInput(benchPlan(b, cases[3].def)), false)
	})
	for _, c := range cases {
		for _, legacy := range []bool{false, true} {
			name := c.name
			if legacy {
				name += "-legacy" // the engine runs started before ChangeEventEngine replay on
			}
			b.Run(name, func(b *testing.B) { benchRun(b, &suite, c.def, legacy) })
		}
	}
}

// clientInput is the input a client start sends with plan.
func clientInput(plan *translator.Plan) workflows.RunInput {
	return workflows.RunInput{Plan: plan, Initiator: "MANUAL", LeanLocal: workflows.LeanLocalInput,
		BreakpointsRead: true, Compact: true, LeanResult: true, ResultFormat: workflows.ChainedStateFormat}
}

// benchRun runs a definition once per op, on the event-driven engine or,
// with legacy, on the coroutine-per-step engine.
func benchRun(b *testing.B, suite *testsuite.WorkflowTestSuite, def []byte, legacy bool) {
	benchInput(b, suite, workflows.RunInput{Plan: benchPlan(b, def)}, legacy)
}

// benchInput runs the interpreter with in once per op and reads its State.
func benchInput(b *testing.B, suite *testsuite.WorkflowTestSuite, in workflows.RunInput, legacy bool) {
	types := map[string]activities.StepType{"BenchLocal": benchNoOp}
	b.ReportAllocs()
	for b.Loop() {
		env := suite.NewTestWorkflowEnvironment()
		worker.RegisterWorkflows(env)
		worker.RegisterStepTypes(env, types)
		if legacy {
			env.OnGetVersion(workflows.ChangeLeanStart, workflow.DefaultVersion, 2).Return(workflow.DefaultVersion)
			env.OnGetVersion(workflows.ChangeEventEngine, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
		}
		env.ExecuteWorkflow(workflows.WorkflowName, in)
		if err := env.GetWorkflowError(); err != nil {
			b.Fatal(err)
		}
		var st workflows.State
		if err := env.GetWorkflowResult(&st); err != nil {
			b.Fatal(err)
		}
		if st.Status != workflows.InstanceSucceeded {
			b.Fatalf("run ended %s: %s", st.Status, st.Error)
		}
	}
}

// benchWide is a NoOp root fanning out to n local-activity steps that join.
func benchWide(n int) []byte {
	root := &benchStep{id: "root", typ: "NoOp", succ: map[string]string{}}
	steps := []*benchStep{root}
	for i := range n {
		id := fmt.Sprintf("w%d", i+1)
		root.succ[id] = "true"
		steps = append(steps, &benchStep{id: id, typ: "BenchLocal", succ: map[string]string{"end": "true"}})
	}
	steps = append(steps, &benchStep{id: "end", typ: "NoOp"})
	return benchJSON("bench-wide", nil, steps)
}
