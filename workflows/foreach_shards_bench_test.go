package workflows_test

import (
	"context"
	"fmt"
	"testing"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/worker"
	W "github.com/batonhq/baton/workflows"
)

// BenchmarkForeachShards runs the bench's foreach-wide loop (400
// iterations of a chain of 5 NoOp local activities) under the test suite,
// at concurrency 10 and at 200 in one workflow (a run from before
// foreach-shards) and in shards: allocations per run, which do not depend
// on the machine's load, show what the SDK's coroutine per local activity
// in flight costs one workflow (README, Performance, session 6).
//
//	go test -run '^$' -bench ForeachShards -benchmem -benchtime 2x ./workflows/
func BenchmarkForeachShards(b *testing.B) {
	const total = 400
	steps := ""
	for i := range 5 {
		if i > 0 {
			steps += ","
		}
		next := ""
		if i < 4 {
			next = fmt.Sprintf(`,"transition":{"successors":{"s%d":"true"}}`, i+1)
		}
		steps += fmt.Sprintf(`{"step":{"id":"s%d","type":"Nop"%s}}`, i, next)
	}
	t := &testing.T{}
	body := compileJSON(t, `{"workflow":{"id":"body","steps":[`+steps+`]}}`, localMode("Nop"))
	loop := make([]int64, total)
	for i := range loop {
		loop[i] = int64(i)
	}
	nop := activities.StepFunc(func(context.Context, *activities.Step) (*activities.Result, error) { return &activities.Result{}, nil })
	for _, tt := range []struct {
		name     string
		conc     int
		before   bool
		inFlight int // local activities in flight per shard; 0: the default, 20
	}{{"c10", 10, false, 0}, {"c200-one-workflow", 200, true, 0}, {"c200-shards-of-40", 200, false, 40},
		{"c200-shards", 200, false, 0}, {"c200-shards-of-10", 200, false, 10}} {
		b.Run(tt.name, func(b *testing.B) {
			if tt.inFlight > 0 {
				defer W.SetMaxLocalInFlight(tt.inFlight)()
			}
			for b.Loop() {
				h := newHarness(t, map[string]activities.StepType{"Nop": nop})
				h.suite.SetLogger(worker.NewLogger(nil))
				if tt.before {
					h.env.OnGetVersion(W.ChangeForeachShards, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
				}
				h.env.ExecuteWorkflow(W.ForeachWorkflowName, W.ForeachInput{Plan: body, LoopNames: []string{"i"},
					Loop: map[string]sel.Value{"i": {Type: sel.LongArray, Value: loop}}, Total: total, Concurrency: tt.conc})
				var res W.LoopResult
				if err := h.env.GetWorkflowError(); err != nil {
					b.Fatal(err)
				}
				if err := h.env.GetWorkflowResult(&res); err != nil || res.Counts.Succeeded != total {
					b.Fatalf("%v: %+v", err, res.Counts)
				}
			}
		})
	}
}
