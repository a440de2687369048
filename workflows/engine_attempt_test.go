package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/translator"
)

// TestAttemptRecords checks the records the run keeps of activity attempts
// in flight (engine_attempt.go): attempts in flight at once have records of
// their own, even two of one step (one a step action ended, whose future
// settles after the next attempt started); a settled attempt gives its
// record back for the next one and undoes only its own bookkeeping (the
// local attempts in flight, its own loan of the kept scope); and a stale
// attempt (its gen passed) reaches no outcome.
func TestAttemptRecords(t *testing.T) {
	type op struct {
		do      string // "start", "end" (a step action ends the attempt) or "settle"
		attempt int    // index of the attempt started, in order
	}
	tests := []struct {
		name     string
		ops      []op
		distinct [][2]int // pairs of attempts whose records differ
		reused   [][2]int // pairs of attempts that got the same record
		locals   int      // local attempts in flight at the end
		lent     bool     // the kept scope is on loan at the end
	}{
		{"a chain reuses one record",
			[]op{{"start", 0}, {"settle", 0}, {"start", 1}, {"settle", 1}, {"start", 2}},
			nil, [][2]int{{0, 1}, {1, 2}}, 1, true},
		{"attempts in flight at once have their own",
			[]op{{"start", 0}, {"start", 1}, {"settle", 1}, {"start", 2}},
			[][2]int{{0, 1}, {0, 2}}, [][2]int{{1, 2}}, 2, true},
		{"an ended attempt settling after the step's next one started",
			[]op{{"start", 0}, {"end", 0}, {"start", 1}, {"settle", 0}},
			[][2]int{{0, 1}}, nil, 1, true},
		{"the next attempt's loan outlives the ended one's settling",
			[]op{{"start", 0}, {"end", 0}, {"start", 1}, {"settle", 0}, {"settle", 1}, {"start", 2}},
			[][2]int{{0, 1}}, [][2]int{{1, 2}}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			var records []*attempt
			locals, lent := -1, false
			env.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
				r := &run{ctx: ctx, eng: newEngine(ctx)}
				r.scope, r.cancelScope = workflow.WithCancel(ctx)
				n := &node{timeout: time.Minute, plan: &translator.Node{Mode: translator.ModeLocalActivity}}
				var starts []*attempt
				for _, o := range tt.ops {
					switch o.do {
					case "start":
						a := r.newAttempt(n, n.gen)
						a.ctx, a.loan = r.localAttempt(n)
						r.eng.locals++
						a.epoch = r.eng.started()
						starts = append(starts, a)
						records = append(records, a)
					case "end": // as actEnd does for a running step
						n.gen++
						r.cancelAttempt(n)
					case "settle": // a stale attempt: no outcome to read
						a := starts[o.attempt]
						if a.gen == n.gen {
							n.gen++ // make it stale: settle must not read its future
						}
						a.settle(nil)
						require.Equal(t, attempt{}, *a, "attempt %d's record is cleared", o.attempt)
					}
				}
				locals, lent = r.eng.locals, r.local.kept.lent != 0
				return nil
			}, workflow.RegisterOptions{Name: "attempt-records"})
			env.ExecuteWorkflow("attempt-records")
			require.NoError(t, env.GetWorkflowError())
			for _, p := range tt.distinct {
				require.NotSame(t, records[p[0]], records[p[1]], "attempts %v", p)
			}
			for _, p := range tt.reused {
				require.Same(t, records[p[0]], records[p[1]], "attempts %v", p)
			}
			require.Equal(t, tt.locals, locals, "local attempts in flight")
			require.Equal(t, tt.lent, lent, "the kept scope on loan")
		})
	}
}
