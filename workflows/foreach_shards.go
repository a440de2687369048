package workflows

import (
	"errors"
	"fmt"
	"sort"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// Wide foreach loops run in shards. Go's SDK runs every local activity in
// a coroutine of its own and resumes all of a workflow's coroutines on each
// event, so a workflow with L local activities in flight pays O(L) per
// event (README, Performance, session 5). A foreach whose iterations could
// keep more than maxLocalInFlight local activities in flight at once
// therefore spreads its iterations over shards: child loop workflows
// "<loop>#<k>", each running every S-th position of the launch order with a
// share of the concurrency, while the loop workflow itself only starts
// them, relays stops, breakpoints and step actions, and merges their
// results into the one LoopResult its step reads.

// ChangeForeachShards gates the sharding of a wide foreach. Only a loop
// that would shard asks for it.
const ChangeForeachShards = "foreach-shards"

// signalForeachStop goes from a shard to its loop when the shard's first
// iteration fails (no more launches), and from the loop to the other
// shards.
const signalForeachStop = "baton.foreach-stop"

// maxLocalInFlight is the most local activities a foreach keeps in flight
// in one workflow before it shards (its concurrency times an iteration's
// local activities in flight). 20 keeps a shard's allocations per local
// activity within 1.4x of a loop at concurrency 10 (BenchmarkForeachShards:
// 40 gives 2.1x, one workflow at 200 gives 8x). It decides the shard count,
// so it is part of version 1 of ChangeForeachShards: another value is a
// new version, or runs in flight would replay with other shards. Tests
// lower it.
var maxLocalInFlight = 20

// maxForeachShards bounds a loop's shards.
const maxForeachShards = 64

// foreachStop is what signalForeachStop carries.
type foreachStop struct {
	Shard int    `json:"shard,omitempty"` // 1-based; 0 from the loop
	Error string `json:"error,omitempty"`
}

// localWidth is the most local activities one iteration of body can keep
// in flight: the largest set of its local-activity steps no path of the
// DAG orders (Dilworth: their count less a maximum matching of "runs
// before"); a chain keeps one. Bodies of more than maxWidthSteps steps
// count every local-activity step.
func localWidth(body *translator.Plan) int {
	steps := body.Steps
	var la []int
	for i, s := range steps {
		if s.Mode == translator.ModeLocalActivity {
			la = append(la, i)
		}
	}
	if len(steps) > maxWidthSteps || len(la) < 2 {
		return len(la)
	}
	idx := make(map[string]int, len(steps))
	for i, s := range steps {
		idx[s.ID] = i
	}
	reach := make([][]bool, len(steps))    // reach[i][j]: a path from i to j
	for i := len(steps) - 1; i >= 0; i-- { // successors come later
		reach[i] = make([]bool, len(steps))
		for _, e := range steps[i].Successors {
			if j, ok := idx[e.To]; ok && j > i {
				reach[i][j] = true
				for k, r := range reach[j] {
					reach[i][k] = reach[i][k] || r
				}
			}
		}
	}
	match := make([]int, len(la)) // match[v]: the u matched to v, or -1
	for v := range match {
		match[v] = -1
	}
	var augment func(u int, seen []bool) bool
	augment = func(u int, seen []bool) bool {
		for v := range la {
			if reach[la[u]][la[v]] && !seen[v] {
				seen[v] = true
				if match[v] < 0 || augment(match[v], seen) {
					match[v] = u
					return true
				}
			}
		}
		return false
	}
	width := len(la)
	for u := range la {
		if augment(u, make([]bool, len(la))) {
			width--
		}
	}
	return width
}

// maxWidthSteps bounds the bodies localWidth orders.
const maxWidthSteps = 300

// shardCount is how many shards a new foreach loop runs its iterations in;
// 0 to run them itself. Loops with a strict order (a window over all
// iterations) or a tree cap (permits), shards themselves and continued runs
// do not shard.
func (in *ForeachInput) shardCount() int {
	if in.Shards > 0 || in.StrictOrdering || in.Tree != nil || in.Next > 0 {
		return 0
	}
	conc, inFlight := max(in.Concurrency, 1), localWidth(in.Plan)*max(in.Concurrency, 1)
	if inFlight <= maxLocalInFlight {
		return 0
	}
	s := min((inFlight+maxLocalInFlight-1)/maxLocalInFlight, conc, in.positions(), maxForeachShards)
	if s < 2 {
		return 0
	}
	return s
}

// shardInput is the input of shard k (0-based) of s: the loop's, with
// every s-th position from k, a share of the concurrency, and no progress
// of its own yet.
func (in *ForeachInput) shardInput(loopID string, k, s int) ForeachInput {
	sh := *in
	sh.Shard, sh.Shards, sh.ShardOf = k, s, loopID
	sh.Concurrency = in.Concurrency / s
	if k < in.Concurrency%s {
		sh.Concurrency++
	}
	sh.Carried, sh.Counts, sh.Incomplete, sh.Collected = 0, LoopCounts{}, nil, nil
	return sh
}

// globalPosition is the loop's launch position of a shard's position pos.
func (in *ForeachInput) globalPosition(pos int) int {
	if in.Shards == 0 {
		return pos
	}
	return pos*in.Shards + in.Shard
}

// position is the launch position of iteration i, or -1 if the loop does
// not launch it (a success kept by a restart).
func (in *ForeachInput) position(i int) int {
	for p, r := range in.Redo {
		if r == i {
			return p
		}
	}
	if i >= in.From && i < in.Total {
		return len(in.Redo) + i - in.From
	}
	return -1
}

// shardLoop is a loop workflow that runs its iterations in shards.
type shardLoop struct {
	ctx     workflow.Context
	in      *ForeachInput
	id      string
	ids     []string // the shards' workflow ids
	futures []workflow.ChildWorkflowFuture
	results []*LoopResult
	ended   []bool
	err     error  // a shard's own failure
	stopErr string // the first failed iteration's error a shard reported
}

// runShards runs a foreach's iterations in s shards and merges their
// results.
func runShards(ctx workflow.Context, in *ForeachInput, s int) (*LoopResult, error) {
	l := &shardLoop{ctx: ctx, in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID, results: make([]*LoopResult, s), ended: make([]bool, s)}
	for k := range s {
		l.ids = append(l.ids, ShardID(l.id, k+1))
	}
	if err := l.handlers(); err != nil {
		return nil, err
	}
	progress := foreachProgress(in, nil)
	observeLoop(ctx, func() LoopProgress {
		p := progress()
		p.Shards = s
		return p
	})
	l.futures = make([]workflow.ChildWorkflowFuture, s)
	futures := l.futures
	for k := range s {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:               l.ids[k],
			WorkflowExecutionTimeout: workflow.GetInfo(ctx).WorkflowExecutionTimeout,
			ParentClosePolicy:        enumspb.PARENT_CLOSE_POLICY_TERMINATE,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			WaitForCancellation:      true, // a stopped shard still reports what it ran
		})
		futures[k] = workflow.ExecuteChildWorkflow(cctx, ForeachWorkflowName, in.shardInput(l.id, k, s))
	}
	stops := workflow.GetSignalChannel(ctx, signalForeachStop)
	bps := workflow.GetSignalChannel(ctx, SignalBreakpoints)
	for pending := s; pending > 0; {
		sel := workflow.NewSelector(ctx)
		for k, f := range futures {
			if l.ended[k] {
				continue
			}
			sel.AddFuture(f, func(f workflow.Future) {
				l.ended[k] = true
				pending--
				l.shardEnded(k, f)
			})
		}
		sel.AddReceive(stops, func(c workflow.ReceiveChannel, _ bool) {
			var st foreachStop
			c.Receive(ctx, &st)
			l.stop(st)
		})
		sel.AddReceive(bps, func(c workflow.ReceiveChannel, _ bool) {
			var list []Breakpoint
			c.Receive(ctx, &list)
			in.Breakpoints = list
			l.signal(0, SignalBreakpoints, list)
		})
		sel.Select(ctx)
	}
	if l.err != nil {
		return nil, l.err
	}
	return l.merge(), nil
}

// handlers registers the loop's step actions (forwarded to the shard that
// runs the iteration) and QueryIteration (the shards answer it).
func (l *shardLoop) handlers() error {
	_ = workflow.SetQueryHandler(l.ctx, QueryIteration, func(i int) (*State, error) {
		return nil, fmt.Errorf("iteration %d ran in a shard of foreach %s (its shards are %v)", i+1, l.id, l.ids)
	})
	return setIterationStepActionHandler(l.ctx, func(req StepActionRequest) (*run, *node, StepActionRequest, error) {
		i, _, err := splitIteration("foreach", l.id, req.Path)
		if err != nil {
			return nil, nil, req, err
		}
		pos := l.in.position(i - 1)
		if pos < 0 {
			return nil, nil, req, refuse("iteration %d of foreach %s is not running (it is not run by this loop)", i, l.id)
		}
		fwd := StepActionForward{WorkflowID: l.ids[pos%len(l.ids)], Path: req.Path}
		return nil, nil, req, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("iteration %d of foreach %s runs in its shard %s", i, l.id, fwd.WorkflowID), ErrStepActionForward, nil, fwd)
	})
}

// stop handles a shard's report of a failed iteration: the first stops
// launches in every other shard.
func (l *shardLoop) stop(st foreachStop) {
	if l.stopErr != "" {
		return
	}
	l.stopErr = st.Error
	l.signal(st.Shard, signalForeachStop, foreachStop{})
}

// signal sends a signal to the running shards but shard skip (1-based; 0
// for none), each once it has started (SignalChildWorkflow waits for
// that), without waiting for the deliveries: a shard that ended meanwhile
// needs none.
func (l *shardLoop) signal(skip int, name string, arg any) {
	for k, f := range l.futures {
		if k+1 != skip && !l.ended[k] {
			f.SignalChildWorkflow(l.ctx, name, arg)
		}
	}
}

// shardEnded takes shard k's result. A shard canceled before it started
// ran nothing.
func (l *shardLoop) shardEnded(k int, f workflow.Future) {
	var res LoopResult
	err := f.Get(l.ctx, &res)
	var canceled *temporal.CanceledError
	switch {
	case err == nil:
		l.results[k] = &res
	case errors.As(err, &canceled):
		l.results[k] = &LoopResult{}
	case l.err == nil:
		l.err = fmt.Errorf("foreach %s: shard %s: %w", l.id, l.ids[k], err)
	}
}

// merge is the loop's result from its shards': counts, collected params
// and, for a restart from incomplete, the iterations to run again (those
// that did not succeed and those never launched below the first position
// of the tail no shard reached) and that tail's first iteration.
func (l *shardLoop) merge() *LoopResult {
	in, s := l.in, len(l.ids)
	res := &LoopResult{Iterations: in.Carried, Counts: in.Counts, Error: l.stopErr, Total: in.Total, Shards: s,
		Incomplete: append([]int(nil), in.Incomplete...)}
	if len(in.Collect) > 0 {
		res.Collected = make(map[string][]*sel.Value, len(in.Collect))
		for _, key := range in.Collect {
			res.Collected[key] = make([]*sel.Value, in.Total)
			copy(res.Collected[key], in.Collected[key])
		}
	}
	positions, tail := in.positions(), 0
	for k, r := range l.results {
		res.Iterations += r.Iterations
		res.Counts = res.Counts.plus(r.Counts)
		res.Incomplete = append(res.Incomplete, r.Incomplete...)
		if res.Error == "" {
			res.Error = r.Error
		}
		for key, vals := range r.Collected {
			if dst := res.Collected[key]; dst != nil {
				for i, v := range vals {
					if v != nil && i < len(dst) {
						dst[i] = v
					}
				}
			}
		}
		tail = max(tail, min(r.Launched*s+k, positions))
	}
	for k, r := range l.results {
		for p := r.Launched*s + k; p < max(tail, len(in.Redo)) && p < positions; p += s {
			res.Incomplete = append(res.Incomplete, in.iteration(p)) // never launched
		}
	}
	sort.Ints(res.Incomplete)
	res.Resume = in.From + max(0, tail-len(in.Redo))
	res.Outcome = res.Counts.outcome()
	if l.ctx.Err() != nil && res.Outcome == LoopDone {
		res.Outcome = LoopStopped
	}
	return res
}

// watchStop makes a shard stop launching when its loop says another
// shard's iteration failed (and, with FAIL_IMMEDIATELY, stop its running
// ones).
func (l *foreachLoop) watchStop(eng *engine) {
	ch := workflow.GetSignalChannel(l.ctx, signalForeachStop)
	eng.poll(func() bool {
		got := false
		var st foreachStop
		for ch.ReceiveAsync(&st) {
			got = true
		}
		if !got || l.in.Stop {
			return false
		}
		l.in.Stop, l.told = true, true
		if l.in.FailImmediately {
			eng.post(l.stopAll)
			return true
		}
		return false
	})
}

// reportStop tells a shard's loop that its launches stopped on a failed
// iteration, once, unless the loop told it to stop.
func (l *foreachLoop) reportStop() {
	if l.in.Shards == 0 || l.told || l.ctx.Err() != nil {
		return
	}
	l.told = true
	workflow.SignalExternalWorkflow(l.ctx, l.in.ShardOf, "", signalForeachStop, foreachStop{Shard: l.in.Shard + 1, Error: l.in.Error})
}

// ShardID is the workflow id of shard k (1-based) of the foreach loop
// workflow loopID.
func ShardID(loopID string, k int) string { return fmt.Sprintf("%s#%d", loopID, k) }

// plus adds two counts.
func (c LoopCounts) plus(o LoopCounts) LoopCounts {
	return LoopCounts{Succeeded: c.Succeeded + o.Succeeded, Failed: c.Failed + o.Failed, TimedOut: c.TimedOut + o.TimedOut, Stopped: c.Stopped + o.Stopped}
}

// AddShard adds a shard's progress to its loop's (LoopProgress.Shards).
func (p *LoopProgress) AddShard(s LoopProgress) {
	p.Done += s.Done
	p.Running += s.Running
	p.Counts = p.Counts.plus(s.Counts)
}
