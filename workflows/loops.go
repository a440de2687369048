package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// Names of the loop workflows.
const (
	ForeachWorkflowName = "baton.Foreach"
	WhileWorkflowName   = "baton.While"
)

// Loop limits (MAESTRO.md §4.11, §4.12).
const (
	MaxLoopIterations = 25000
	// defaultForeachConcurrency is Maestro's default when neither the step
	// nor the workflow sets one.
	defaultForeachConcurrency = 20
	// loopHistoryBudget is the history length past which a loop workflow
	// launches no more iterations, lets the running ones finish, and
	// continues as new. Iterations run inline, so their steps' events land in
	// the loop's history; with Maestro's concurrency cap of 500 the drain
	// stays far below Temporal's 10,240-event warning threshold for bodies of
	// a few activity steps.
	loopHistoryBudget = 4000
	// loopDrainBudget bounds the events the iterations still running when a
	// loop run passes loopHistoryBudget may add while it drains: a foreach
	// runs at most loopDrainBudget / eventsPerIteration iterations at once,
	// so no run passes about 8,000 events (Temporal warns at 10,240),
	// retries aside.
	loopDrainBudget = 4000
)

// ChangeForeachDrainCap gates the cap of a foreach's concurrency by its
// iterations' size (loopDrainBudget).
const ChangeForeachDrainCap = "foreach-drain-cap"

// eventsPerIteration bounds the history events one iteration of body adds
// to its loop's run, retries aside: per step, its own events plus a
// workflow task (3 events) to handle its end.
func eventsPerIteration(body *translator.Plan) int {
	n := 0
	for _, s := range body.Steps {
		switch {
		case s.Mode == translator.ModeActivity:
			n += 3 + 3 // scheduled, started, completed
		case s.Mode == translator.ModeLocalActivity:
			n += 1 + 3 // a marker
		case s.Mode == translator.ModeChild:
			n += 3 + 3 // initiated, started, completed
		case s.Type == "Sleep":
			n += 2 + 3 // timer started, fired
		}
	}
	return max(n, 1)
}

// iterationsPerRun bounds the iterations one loop run launches before it
// continues as new. Besides bounding history, this is how a loop of inline
// iterations (which need no server at all) hands control back to the
// server, so one workflow task never runs long enough to time out; a timer
// would do the same but fires with about a second's delay. Tests lower it.
var iterationsPerRun = 2000

// LoopOutcome is how a loop step ended (Maestro's step runtime result).
type LoopOutcome string

// The loop outcomes, in Maestro's priority order (§4.11).
const (
	LoopDone     LoopOutcome = "DONE"
	LoopFatal    LoopOutcome = "FATAL"
	LoopTimedOut LoopOutcome = "TIMED_OUT"
	LoopStopped  LoopOutcome = "STOPPED"
)

// LoopCounts counts iterations by how they ended.
type LoopCounts struct {
	Succeeded int `json:"succeeded,omitempty"`
	Failed    int `json:"failed,omitempty"`
	TimedOut  int `json:"timed_out,omitempty"`
	Stopped   int `json:"stopped,omitempty"`
}

func (c *LoopCounts) add(s InstanceStatus) {
	switch s {
	case InstanceSucceeded:
		c.Succeeded++
	case InstanceTimedOut:
		c.TimedOut++
	case InstanceStopped:
		c.Stopped++
	default:
		c.Failed++
	}
}

// outcome applies Maestro's priority: any failure is FATAL, then
// TIMED_OUT, then STOPPED, else DONE.
func (c LoopCounts) outcome() LoopOutcome {
	switch {
	case c.Failed > 0:
		return LoopFatal
	case c.TimedOut > 0:
		return LoopTimedOut
	case c.Stopped > 0:
		return LoopStopped
	}
	return LoopDone
}

// LoopResult is what a loop workflow returns to its step.
type LoopResult struct {
	Outcome    LoopOutcome `json:"outcome"`
	Iterations int         `json:"iterations"`
	Counts     LoopCounts  `json:"counts"`
	Error      string      `json:"error,omitempty"`
	// Collected holds, for params read by params.getFromForeach, one value
	// per iteration, keyed "innerStepId/param".
	Collected map[string][]*sel.Value `json:"collected,omitempty"`
	// LoopParams are a while loop's final loop params.
	LoopParams map[string]sel.Value `json:"loop_params,omitempty"`
	// What a restart from incomplete needs of a foreach: its iteration
	// count, the iterations that ran and did not succeed or were due again
	// and not launched, and the first iteration of the never-launched tail.
	Total      int   `json:"total,omitempty"`
	Incomplete []int `json:"incomplete,omitempty"`
	Resume     int   `json:"resume,omitempty"`
	// A shard's positions launched; a sharded loop's shard count (ShardID;
	// their runs answer QueryIteration).
	Launched int `json:"launched,omitempty"`
	Shards   int `json:"shards,omitempty"`
}

// bodyPlan is the plan of one iteration: the loop's inner DAG, with no
// params of its own (they all arrive as run params) and no workflow timeout
// (the loop step's timeout covers its iterations, as in Maestro).
func bodyPlan(parent *translator.Plan, n *translator.Node) *translator.Plan {
	return &translator.Plan{
		FormatVersion:   translator.FormatVersion,
		WorkflowID:      parent.WorkflowID,
		Name:            parent.Name,
		Owner:           parent.Owner,
		StepConcurrency: parent.StepConcurrency,
		// The foreach concurrency limit of nested loops; a body plan is
		// never a tree's root, so it starts no permits workflow.
		InstanceStepConcurrency: parent.InstanceStepConcurrency,
		Steps:                   n.Body.Steps,
	}
}

// failureReason says why an iteration's run did not succeed: the run's own
// error, or the first step that ended without completing.
func failureReason(st *State) string {
	if st == nil {
		return ""
	}
	if st.Error != "" {
		return st.Error
	}
	for _, s := range st.Steps {
		if s.Status.Terminal() && !s.Status.Complete() {
			return fmt.Sprintf("step %q %s: %s", s.ID, s.Status, s.Error)
		}
	}
	return string(st.Status)
}

// historyLength is the loop workflow's history length so far.
func historyLength(ctx workflow.Context) int {
	return workflow.GetInfo(ctx).GetCurrentHistoryLength()
}

// scalarValue is the i-th element of an array param, as a scalar Value.
func scalarValue(arr any, i int) (sel.Value, error) {
	switch a := arr.(type) {
	case []int64:
		return sel.Value{Type: sel.Long, Value: a[i]}, nil
	case []string:
		return sel.Value{Type: sel.String, Value: a[i]}, nil
	case []float64:
		return sel.Value{Type: sel.Double, Value: a[i]}, nil
	case []bool:
		return sel.Value{Type: sel.Boolean, Value: a[i]}, nil
	}
	return sel.Value{}, fmt.Errorf("loop param is %T, want an array", arr)
}

func arrayLen(arr any) int {
	switch a := arr.(type) {
	case []int64:
		return len(a)
	case []string:
		return len(a)
	case []float64:
		return len(a)
	case []bool:
		return len(a)
	}
	return -1
}

// toArray turns per-iteration values into one Maestro array value; values
// of mixed or non-scalar types give a STRING_ARRAY of their text. An
// iteration that did not set the param counts as the type's zero value.
func toArray(ptrs []*sel.Value) sel.Value {
	vals := make([]sel.Value, 0, len(ptrs))
	var t sel.Type
	for _, p := range ptrs {
		if p != nil {
			t = p.Type
			break
		}
	}
	for _, p := range ptrs {
		if p == nil {
			vals = append(vals, sel.Value{Type: t, Value: zeroOf(t)})
			continue
		}
		vals = append(vals, *p)
	}
	if len(vals) == 0 {
		return sel.Value{Type: sel.StringArray, Value: []string{}}
	}
	for _, v := range vals {
		if v.Type != t {
			t = sel.Invalid
			break
		}
	}
	switch t {
	case sel.Long:
		out := make([]int64, len(vals))
		for i, v := range vals {
			out[i] = v.Value.(int64)
		}
		return sel.Value{Type: sel.LongArray, Value: out}
	case sel.Double:
		out := make([]float64, len(vals))
		for i, v := range vals {
			out[i] = v.Value.(float64)
		}
		return sel.Value{Type: sel.DoubleArray, Value: out}
	case sel.Boolean:
		out := make([]bool, len(vals))
		for i, v := range vals {
			out[i] = v.Value.(bool)
		}
		return sel.Value{Type: sel.BooleanArray, Value: out}
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = sel.Format(v.Value)
	}
	return sel.Value{Type: sel.StringArray, Value: out}
}

// childTimeout is the loop step's timeout as a child workflow execution
// timeout (it spans the loop's continue-as-new chain).
func childTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return defaultTimeout
	}
	return d
}

func zeroOf(t sel.Type) any {
	switch t {
	case sel.Long:
		return int64(0)
	case sel.Double:
		return float64(0)
	case sel.Boolean:
		return false
	}
	return ""
}
