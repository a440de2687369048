package bench

import (
	"context"
	"fmt"
	"time"

	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
)

// The wide scenarios: what a run costs as its width grows (issue 10).
//
//   - wide: a root that fans out to N parallel local-activity steps that
//     join, at most 20 at once (Maestro's default step_concurrency), against
//     a hand-written workflow that runs the same N local activities 20 at
//     once; and the same with all N at once on both sides;
//   - foreach-wide: a foreach of I iterations, each a chain of K
//     local-activity steps, at concurrency C, against a hand-written
//     workflow that runs the same chains with the same concurrency;
//   - foreach-activity: the 25,000-iteration activity foreach of the
//     integration test against a hand-written fan-out of the same
//     activities, with the same concurrency, continuing as new as often.

// Names of the hand-written wide workflows.
const (
	floorWideWorkflowName    = "bench.FloorWide"
	floorForeachWorkflowName = "bench.FloorForeach"
)

// wideScenario reports whether sc is one of the wide scenarios (they have
// no naive rows).
func wideScenario(sc string) bool {
	return sc == ScenarioWide || sc == ScenarioForeachWide || sc == ScenarioForeachActivity
}

// wideDef is a NoOp root fanning out to n steps of typ that join in a
// NoOp end step.
func wideDef(n int, typ string) []byte {
	root := &step{id: "root", typ: typeNoOp}
	steps := []*step{root}
	for i := range n {
		s := &step{id: stepID(i), typ: typ, succ: []edge{{"end", "true"}}}
		root.succ = append(root.succ, edge{s.id, "true"})
		steps = append(steps, s)
	}
	steps = append(steps, &step{id: "end", typ: typeNoOp})
	return defJSON(fmt.Sprintf("bench-wide-%d", n), nil, steps)
}

// foreachChainDef is a foreach of n iterations at concurrency conc whose
// body is a chain of k steps of typ.
func foreachChainDef(n, k, conc int, typ string) []byte {
	body := ""
	for j := range k {
		if j > 0 {
			body += ","
		}
		succ := ""
		if j+1 < k {
			succ = fmt.Sprintf(`,"transition":{"successors":{"b%d":"true"}}`, j+2)
		}
		body += fmt.Sprintf(`{"step":{"id":"b%d","type":%q%s}}`, j+1, typ, succ)
	}
	return []byte(fmt.Sprintf(`{"properties":{"owner":{"name":"bench"},"step_concurrency":%d},"workflow":{"id":"bench-foreach-%d-%d-%d","steps":[{"foreach":{"id":"loop","concurrency":%d,
		"params":{"loop_params":{"type":"MAP","value":{"i":{"expression":"Util.intsBetween(0, %d, 1)","type":"LONG_ARRAY"}}}},
		"steps":[%s]}}]}}`, conc, n, k, conc, conc, n, body))
}

// drainCappedConcurrency is the concurrency the interpreter gives a
// foreach of k-step local-activity chains (its drain cap keeps a loop
// run's history bounded: 4,000 events over about 4 per step); the floor
// runs at the same.
func drainCappedConcurrency(conc, k int, local bool) int {
	per := 6 * k
	if local {
		per = 4 * k
	}
	return min(conc, max(4000/per, 1))
}

// floorWideInput is the input of the hand-written wide workflow.
type floorWideInput struct {
	N int `json:"n"`
}

// floorWideWorkflow starts n NoOp local activities and waits for each:
// the floor of the wide scenario's all-at-once mode.
func floorWideWorkflow(ctx workflow.Context, in floorWideInput) error {
	ctx = floorOptions(ctx, true)
	fs := make([]workflow.Future, in.N)
	for i := range fs {
		fs[i] = floorStart(ctx, true, i)
	}
	for _, f := range fs {
		if err := f.Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// floorForeachInput is the input of the hand-written foreach, and the
// progress it carries through continue-as-new.
type floorForeachInput struct {
	Iterations  int  `json:"iterations"`
	Inner       int  `json:"inner"` // steps per iteration, in a chain
	Concurrency int  `json:"concurrency"`
	Local       bool `json:"local"`
	Next        int  `json:"next"` // iterations started by the runs before
}

// The hand-written foreach continues as new as the interpreter's loop
// does: after 2,000 iterations or once its history passes 4,000 events,
// whichever comes first, once the iterations it started have finished.
const (
	floorIterationsPerRun = 2000
	floorHistoryBudget    = 4000
)

// floorForeachWorkflow runs Iterations chains of Inner NoOp (local)
// activities, Concurrency at once, as a careful hand-writer would: no
// coroutine per iteration, and no Selector (whose Select costs O(pending));
// it waits until any pending future has settled, handles every settled one,
// and starts the next step of that chain or the next iteration at once.
func floorForeachWorkflow(ctx workflow.Context, in floorForeachInput) error {
	ctx = floorOptions(ctx, in.Local)
	type pending struct {
		it, step int
		f        workflow.Future
	}
	var waits, settled []pending
	start := func(it, step int) {
		waits = append(waits, pending{it, step, floorStart(ctx, in.Local, it)})
	}
	launched := 0
	launch := func() bool {
		if in.Next >= in.Iterations || launched >= floorIterationsPerRun ||
			workflow.GetInfo(ctx).GetCurrentHistoryLength() >= floorHistoryBudget {
			return false
		}
		start(in.Next, 0)
		in.Next++
		launched++
		return true
	}
	for len(waits) < in.Concurrency && launch() {
	}
	anySettled := func() bool {
		for _, p := range waits {
			if p.f.IsReady() {
				return true
			}
		}
		return false
	}
	for len(waits) > 0 {
		if err := workflow.Await(ctx, anySettled); err != nil {
			return err
		}
		kept := waits[:0]
		for _, p := range waits {
			if p.f.IsReady() {
				settled = append(settled, p)
			} else {
				kept = append(kept, p)
			}
		}
		waits = kept
		for _, p := range settled {
			if err := p.f.Get(ctx, nil); err != nil {
				return err
			}
			if p.step+1 < in.Inner {
				start(p.it, p.step+1)
			} else {
				launch()
			}
		}
		settled = settled[:0]
	}
	if in.Next < in.Iterations {
		return workflow.NewContinueAsNewError(ctx, floorForeachWorkflowName, in)
	}
	return nil
}

// runFloorWorkflow runs a hand-written workflow and waits for it; it
// returns the workflow id and its first run's id.
func (s *system) runFloorWorkflow(ctx context.Context, name string, in any) (id, runID string, err error) {
	wr, err := s.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{TaskQueue: taskQueue, EnableEagerStart: s.eager}, name, in)
	if err != nil {
		return "", "", err
	}
	return wr.GetID(), wr.GetRunID(), wr.Get(ctx, nil)
}

func (b *bench) floorWorkflowVariant(row Row, name string, in any) variant {
	r := &row
	r.System = "floor"
	sys := b.baton
	return variant{row: r, sys: sys, fn: func(ctx context.Context) error {
		_, _, err := sys.runFloorWorkflow(ctx, name, in)
		return err
	}}
}

// wide measures the fan-outs, each beside its floor.
func (b *bench) wide(ctx context.Context) {
	for _, mode := range []string{wideMode, wideAllMode} {
		def := wideDef
		if mode == wideAllMode {
			def = wideAllDef
		}
		for _, n := range b.opts.WideSizes {
			row := Row{Scenario: ScenarioWide, Mode: mode, N: n}
			vs := []variant{b.planVariant(b.baton, row, def(n, typeLocal))}
			if !b.opts.NoFloor {
				name, in := floorWideWorkflowName, any(floorWideInput{N: n})
				if mode == wideMode {
					name, in = floorForeachWorkflowName, wideFloorInput(n)
				}
				vs = append(vs, b.floorWorkflowVariant(row, name, in))
			}
			b.measure(ctx, vs...)
		}
	}
}

// The wide scenario's modes: the definition as a user writes it, whose
// steps run at most 20 at a time (Maestro's default step_concurrency),
// and the same with step_concurrency 1000, all N in flight at once. Each
// mode's floor keeps as many in flight as Baton does. Issue 10's target
// reads the first.
const (
	wideMode    = "local_activity"
	wideAllMode = "local_activity all at once"
)

// wideFloorConcurrency is Maestro's default step_concurrency, at which
// the wide scenario's definition runs its steps.
const wideFloorConcurrency = 20

// wideFloorInput is the floor of the wide scenario as written: a
// hand-written fan-out of n local activities, wideFloorConcurrency at once
// (the hand-written foreach of one-step iterations). Until session 11 the
// floor ran all n at once, a different workload (the SDK's per-result work
// grows with the local activities in flight): that is wideAllMode's floor.
func wideFloorInput(n int) any { return wideFloorInputAt(n, wideFloorConcurrency) }

// wideFloorInputAt is a hand-written fan-out of n local activities, c at
// once.
func wideFloorInputAt(n, c int) any {
	return floorForeachInput{Iterations: n, Inner: 1, Concurrency: c, Local: true}
}

// wideAllDef is wideDef with every step allowed to run at once.
func wideAllDef(n int, typ string) []byte { return wideDefAt(n, 1000, typ) }

// wideDefAt is wideDef with step_concurrency c.
func wideDefAt(n, c int, typ string) []byte {
	return append([]byte(fmt.Sprintf(`{"properties":{"owner":{"name":"bench"},"step_concurrency":%d},`, c)), wideDef(n, typ)[1:]...)
}

// foreachWide measures foreach loops of local-activity chains at each
// concurrency, each beside its floor.
func (b *bench) foreachWide(ctx context.Context) {
	n, k := b.opts.ForeachWideIterations, b.opts.ForeachWideInner
	for _, c := range b.opts.ForeachWideConcurrency {
		eff := drainCappedConcurrency(c, k, true)
		row := Row{Scenario: ScenarioForeachWide, Mode: fmt.Sprintf("local_activity K=%d C=%d", k, c), N: n, Concurrency: eff}
		vs := []variant{b.planVariant(b.baton, row, foreachChainDef(n, k, c, typeLocal))}
		if !b.opts.NoFloor {
			vs = append(vs, b.floorWorkflowVariant(row, floorForeachWorkflowName,
				floorForeachInput{Iterations: n, Inner: k, Concurrency: eff, Local: true}))
		}
		b.measure(ctx, vs...)
	}
}

// foreachActivity measures the big activity foreach once, beside its
// floor, each with the largest history of any of its runs. The floor runs
// first, on the quieter server: the backlog a row leaves (visibility and
// history tasks of thousands of events) lands on Baton's row, not on the
// floor's.
func (b *bench) foreachActivity(ctx context.Context) {
	n, c := b.opts.ForeachActivitySize, b.opts.ForeachActivityConcurrency
	row := Row{Scenario: ScenarioForeachActivity, Mode: fmt.Sprintf("activity C=%d", c), N: n, Concurrency: c}
	timeout := max(2*b.opts.ScaleBudget, runTimeout)
	if !b.opts.NoFloor {
		f := row
		f.System = "floor"
		b.measureOnce(ctx, &f, timeout, func(ctx context.Context) (string, string, error) {
			return b.baton.runFloorWorkflow(ctx, floorForeachWorkflowName, floorForeachInput{Iterations: n, Inner: 1, Concurrency: c})
		})
	}
	r := row
	r.System = "baton"
	plan, err := b.baton.compile(foreachChainDef(n, 1, c, typeRemote))
	if err != nil {
		r.Error = "compile: " + err.Error()
		b.report.add(&r)
		return
	}
	b.measureOnce(ctx, &r, timeout, func(ctx context.Context) (string, string, error) {
		run, err := b.baton.runPlan(ctx, plan)
		if err != nil {
			return "", "", err
		}
		return run.ID(), run.RunID(), nil
	})
}

// measureOnce runs fn once (it returns the workflow it ran) and adds its
// row, with the largest history of the workflow and its descendants.
func (b *bench) measureOnce(ctx context.Context, r *Row, timeout time.Duration, fn func(context.Context) (id, runID string, err error)) {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	began := time.Now()
	id, runID, err := fn(rctx)
	if err != nil {
		r.Error = err.Error()
	} else {
		r.setLatencies([]time.Duration{time.Since(began)})
		if r.MaxHistory, err = b.baton.maxHistory(ctx, id, runID, 2000); err != nil {
			r.Error = "history: " + err.Error()
		}
	}
	b.report.add(r)
	fmt.Fprintln(b.opts.Progress, r.progress())
}
