package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// TestKeptScope checks how a run lends its kept scope to local attempts:
// one attempt at a time holds it, an attempt that starts while it is held
// gets a scope of its own, cancelling an attempt cancels only its own
// scope or the kept one it holds (which the run then replaces), and a
// settled attempt's loan ends so the next attempt takes the scope again.
func TestKeptScope(t *testing.T) {
	type op struct {
		do   string // "start", "settle" or "cancel"
		step int
	}
	tests := []struct {
		name      string
		ops       []op
		kept      []bool // per step: its attempt ran in the kept scope (on loan)
		cancelled []bool // per step: its attempt's context is cancelled
		sameScope [2]int // two steps whose attempts ran in the same scope, or -1
	}{
		{"a chain takes turns in one scope", []op{{"start", 0}, {"settle", 0}, {"start", 1}, {"settle", 1}, {"start", 2}},
			[]bool{true, true, true}, []bool{false, false, false}, [2]int{0, 2}},
		{"parallel attempts: the second gets its own", []op{{"start", 0}, {"start", 1}, {"start", 2}},
			[]bool{true, false, false}, []bool{false, false, false}, [2]int{-1, -1}},
		{"cancel the holder: only it is cancelled, the next gets a new scope", []op{{"start", 0}, {"start", 1}, {"cancel", 0}, {"settle", 1}, {"start", 2}},
			[]bool{true, false, true}, []bool{true, false, false}, [2]int{-1, -1}},
		{"cancel one with its own scope: the holder goes on", []op{{"start", 0}, {"start", 1}, {"cancel", 1}, {"settle", 0}, {"start", 2}},
			[]bool{true, false, true}, []bool{false, true, false}, [2]int{0, 2}},
		{"a cancelled loan that settles late ends no other loan", []op{{"start", 0}, {"cancel", 0}, {"start", 1}, {"settle", 0}, {"start", 2}},
			[]bool{true, true, false}, []bool{true, false, false}, [2]int{-1, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			kept := make([]bool, len(tt.kept))
			cancelled := make([]bool, len(tt.kept))
			shared := false
			env.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
				r := &run{ctx: ctx}
				r.scope, r.cancelScope = workflow.WithCancel(ctx)
				nodes := make([]*node, len(tt.kept))
				ctxs := make([]workflow.Context, len(tt.kept))
				loans := make([]uint32, len(tt.kept))
				for i := range nodes {
					nodes[i] = &node{timeout: time.Minute}
				}
				for _, o := range tt.ops {
					n := nodes[o.step]
					switch o.do {
					case "start":
						ctxs[o.step], loans[o.step] = r.localAttempt(n)
					case "settle":
						r.endLoan(loans[o.step])
					case "cancel":
						r.cancelAttempt(n)
					}
				}
				for i := range nodes {
					kept[i] = loans[i] != 0
					cancelled[i] = ctxs[i].Err() != nil
				}
				if a, b := tt.sameScope[0], tt.sameScope[1]; a >= 0 {
					shared = ctxs[a] == ctxs[b]
				}
				return nil
			}, workflow.RegisterOptions{Name: "kept-scope"})
			env.ExecuteWorkflow("kept-scope")
			require.NoError(t, env.GetWorkflowError())
			require.Equal(t, tt.kept, kept, "the steps' attempts that ran in the kept scope")
			require.Equal(t, tt.cancelled, cancelled, "the steps' attempts cancelled")
			require.Equal(t, tt.sameScope[0] >= 0, shared, "steps %v ran in one scope", tt.sameScope)
		})
	}
}
