package workflows

import (
	"fmt"
	"sort"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// ForeachInput is the input of the foreach loop workflow, and the compact
// state it carries through continue-as-new.
type ForeachInput struct {
	Plan *translator.Plan `json:"plan"` // the inner DAG
	// LoopNames fixes the mixed-radix order: the first name varies fastest.
	// It is the loop_params literal's definition order (plan Keys), else
	// sorted by name (see loopOrder).
	LoopNames       []string             `json:"loop_names"`
	Loop            map[string]sel.Value `json:"loop"` // arrays
	Base            map[string]sel.Value `json:"base"` // params every iteration gets
	Total           int                  `json:"total"`
	Concurrency     int                  `json:"concurrency"`
	StrictOrdering  bool                 `json:"strict_ordering,omitempty"`
	FailImmediately bool                 `json:"fail_immediately,omitempty"`
	Collect         []string             `json:"collect,omitempty"` // "step/param"
	Depth           int                  `json:"depth,omitempty"`   // subworkflow nesting of the loop's run
	Tree            *TreeCap             `json:"tree,omitempty"`    // the tree cap of the loop's run
	// Breakpoints are the loop's run's, given to every iteration (a
	// SignalBreakpoints replaces them).
	Breakpoints []Breakpoint `json:"breakpoints,omitempty"`

	// A restart from incomplete runs Redo (iterations of the restarted run
	// that did not succeed), then the iterations from From to Total; Carried
	// counts the successes it keeps. Without a restart: all, in order.
	Redo    []int `json:"redo,omitempty"`
	From    int   `json:"from,omitempty"`
	Carried int   `json:"carried,omitempty"`
	// Restart, on a restart path through this foreach, restarts one
	// iteration from a step of its inner DAG (restart_step.go).
	Restart *IterationRestart `json:"restart,omitempty"`
	// StepParams, from a restart, override params of inner steps in every
	// iteration, by inner step id.
	StepParams map[string]map[string]*translator.Param `json:"step_params,omitempty"`

	// Progress, carried through continue-as-new. Next is a position in the
	// launch order (the iteration index itself without a restart).
	Next       int                     `json:"next"`
	Incomplete []int                   `json:"incomplete,omitempty"` // iterations that did not succeed
	Counts     LoopCounts              `json:"counts"`
	Stop       bool                    `json:"stop,omitempty"` // launch no more
	Error      string                  `json:"error,omitempty"`
	Collected  map[string][]*sel.Value `json:"collected,omitempty"`

	// A shard of a wide foreach (foreach_shards.go) runs the positions
	// Shard, Shard+Shards, ... of the launch order for the loop workflow
	// ShardOf, which names its iterations.
	Shard   int    `json:"shard,omitempty"`
	Shards  int    `json:"shards,omitempty"`
	ShardOf string `json:"shard_of,omitempty"`
}

// Foreach runs the iterations of a foreach step (MAESTRO.md §4.11). Each
// iteration is its own instance of the interpreter over the inner DAG, run
// inline in a coroutine of this workflow (no child workflow per
// iteration); at most Concurrency run at once (a sliding window with
// StrictOrdering); the first failed iteration stops launches (and, with
// FAIL_IMMEDIATELY, cancels the running ones). The workflow continues as new
// once its history passes loopHistoryBudget events, so no run's history
// grows with the iteration count.
func Foreach(ctx workflow.Context, in ForeachInput) (*LoopResult, error) {
	ctx = withStepMetrics(ctx) // one set of instruments for all iterations
	events := useEventEngine(ctx)
	if s := in.shardCount(); events && s > 0 && workflow.GetVersion(ctx, ChangeForeachShards, workflow.DefaultVersion, 1) == 1 {
		return runShards(ctx, &in, s)
	}
	loopID := workflow.GetInfo(ctx).WorkflowExecution.ID
	if in.ShardOf != "" {
		loopID = in.ShardOf // a shard's iterations are its loop's
	}
	tree := loopTree(ctx, in.Tree)
	if in.Collected == nil && len(in.Collect) > 0 {
		in.Collected = make(map[string][]*sel.Value, len(in.Collect))
		for _, k := range in.Collect {
			in.Collected[k] = make([]*sel.Value, in.Total)
		}
	}
	l := &foreachLoop{ctx: ctx, in: &in, id: loopID, tree: tree, conc: max(in.Concurrency, 1), metrics: metricsFor(ctx),
		running: map[int]workflow.CancelFunc{}, iters: map[int]*run{}, finished: map[int]bool{}, low: in.Next, kept: keepIterations(ctx)}
	if err := setLoopStepActionHandler(ctx, l, events); err != nil {
		return nil, err
	}
	if err := recordIterationStepParams(ctx, &in); err != nil {
		return nil, err
	}
	observeLoop(ctx, foreachProgress(&in, l.running))
	if events {
		l.runOnEngine()
	} else {
		legacyForeach(l)
	}
	if tree != nil {
		tree.leave(ctx)
	}
	if ctx.Err() == nil && !in.Stop && in.Next < in.positions() {
		return nil, workflow.NewContinueAsNewError(ctx, ForeachWorkflowName, in)
	}
	res := &LoopResult{Outcome: in.Counts.outcome(), Iterations: in.Carried + in.Next, Counts: in.Counts, Error: in.Error, Collected: in.Collected,
		Total: in.Total, Incomplete: in.Incomplete, Resume: in.From + max(0, in.Next-len(in.Redo))}
	if in.Shards > 0 {
		res.Launched, res.Resume = in.Next, 0 // its loop adds the positions never launched
	}
	for pos := in.Next; pos < len(in.Redo) && in.Shards == 0; pos++ {
		res.Incomplete = append(res.Incomplete, in.Redo[pos]) // due again, never launched
	}
	if ctx.Err() != nil && res.Outcome == LoopDone {
		res.Outcome = LoopStopped
	}
	return res, nil
}

// foreachLoop is one run of a foreach loop workflow: the iterations it
// launches, in either engine.
type foreachLoop struct {
	ctx  workflow.Context
	in   *ForeachInput
	id   string // the loop workflow's id, prefix of its iterations' ids
	tree *permitClient
	conc int
	// metrics: the workflow's instruments, shared with its iterations.
	metrics *stepMetrics

	running         map[int]workflow.CancelFunc // stops a running iteration, by position
	iters           map[int]*run                // running iterations by number (1-based), for step actions
	finished        map[int]bool                // finished iterations at or above low
	low             int                         // lowest iteration not finished
	launchedThisRun int
	kept            map[int]*State // iterations' final states, while replaying (QueryIteration)
	told            bool           // a shard: its loop knows it stopped, or told it to
}

// fill launches iterations while the loop may: below its concurrency (a
// sliding window with StrictOrdering), its per-run count and its history
// budget, and until an iteration fails.
func (l *foreachLoop) fill(launch func(pos int) error) {
	in := l.in
	for !in.Stop && l.ctx.Err() == nil && in.Next < in.positions() && len(l.running) < l.conc &&
		l.launchedThisRun < iterationsPerRun && historyLength(l.ctx) < loopHistoryBudget &&
		(!in.StrictOrdering || in.Next-l.low < l.conc) {
		if err := launch(in.Next); err != nil {
			in.Stop, in.Error = true, err.Error()
			in.Counts.Failed++ // never launched: a restart runs it again
			l.reportStop()
			break
		}
		in.Next++
		l.launchedThisRun++
	}
}

// finish records an iteration's end; the first failure stops launches and,
// with FAIL_IMMEDIATELY, the running iterations.
func (l *foreachLoop) finish(d iterationDone) {
	in := l.in
	delete(l.running, d.Pos)
	in.Counts.add(d.State.Status)
	l.metrics.loopIteration("foreach", d.State.Status)
	in.collect(d.Index, d.State)
	l.keepIteration(d.Index, d.State)
	if d.State.Status != InstanceSucceeded {
		in.Incomplete = append(in.Incomplete, d.Index)
	}
	l.finished[d.Pos] = true
	for l.finished[l.low] {
		delete(l.finished, l.low)
		l.low++
	}
	if d.State.Status != InstanceFailed {
		return
	}
	if in.Error == "" {
		in.Error = fmt.Sprintf("iteration %d failed: %s", d.Index+1, failureReason(d.State))
	}
	in.Stop = true
	l.reportStop()
	if in.FailImmediately {
		l.stopAll()
	}
}

// stopAll stops the running iterations, in launch order.
func (l *foreachLoop) stopAll() {
	for _, j := range sortedInts(l.running) {
		l.running[j]()
	}
}

// iterationRun is the run of the interpreter for the iteration at pos.
func (l *foreachLoop) iterationRun(ctx workflow.Context, pos int) (RunInput, string, int, error) {
	i := l.in.iteration(pos)
	params, err := l.in.iterationParams(i)
	if err != nil {
		return RunInput{}, "", i, err
	}
	in := RunInput{Plan: l.in.Plan, RunParams: params, Initiator: "FOREACH", Depth: l.in.Depth, Restart: l.in.iterationRestart(i), StepParams: l.in.StepParams, Breakpoints: l.in.Breakpoints}
	return in, fmt.Sprintf("%s/%d", l.id, i+1), i, nil
}

// iterationDone reports an iteration's end to the loop.
type iterationDone struct {
	Index int // the iteration
	Pos   int // its position in the launch order
	State *State
}

// positions is the number of iterations this loop (or shard) launches in
// all.
func (in *ForeachInput) positions() int {
	n := len(in.Redo) + in.Total - in.From
	if in.Shards > 0 {
		return max(0, (n-in.Shard+in.Shards-1)/in.Shards)
	}
	return n
}

// iteration is the iteration launched at position pos.
func (in *ForeachInput) iteration(pos int) int {
	pos = in.globalPosition(pos)
	if pos < len(in.Redo) {
		return in.Redo[pos]
	}
	return in.From + pos - len(in.Redo)
}

// iterationParams are the run params of iteration i: the base params,
// loop_index (0-based) and each loop param's value, decoded mixed-radix.
func (in *ForeachInput) iterationParams(i int) (map[string]sel.Value, error) {
	m := make(map[string]sel.Value, len(in.Base)+len(in.LoopNames)+1)
	for k, v := range in.Base {
		m[k] = v
	}
	m["loop_index"] = sel.Value{Type: sel.Long, Value: int64(i)}
	idx := i
	for _, name := range in.LoopNames {
		arr := in.Loop[name].Value
		l := arrayLen(arr)
		if l <= 0 {
			return nil, fmt.Errorf("loop param %q is empty", name)
		}
		v, err := scalarValue(arr, idx%l)
		if err != nil {
			return nil, fmt.Errorf("loop param %q: %w", name, err)
		}
		m[name] = v
		idx /= l
	}
	return m, nil
}

// collect keeps the params that downstream getFromForeach calls read.
func (in *ForeachInput) collect(i int, st *State) {
	if st == nil || len(in.Collect) == 0 {
		return
	}
	for _, key := range in.Collect {
		stepID, param, _ := strings.Cut(key, "/") // step ids have no "/"
		if s := st.Step(stepID); s != nil {
			if p, ok := s.Params[param]; ok {
				in.Collected[key][i] = &p
			}
		}
	}
}

func sortedInts[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
