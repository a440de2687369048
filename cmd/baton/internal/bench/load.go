package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// throughput runs many 5-step DAGs concurrently: runs/s and steps/s.
func (b *bench) throughput(ctx context.Context) {
	runs, conc := b.opts.ThroughputRuns, b.opts.ThroughputConcurrency
	if b.naivePhase {
		b.load(ctx, b.naive, Row{Scenario: ScenarioThroughput, Mode: "activity", N: 5}, fiveStepDef(typeNaive), runs, conc)
		return
	}
	b.load(ctx, b.baton, Row{Scenario: ScenarioThroughput, Mode: "inline", N: 5}, fiveStepDef(typeNoOp), runs, conc)
	b.load(ctx, b.baton, Row{Scenario: ScenarioThroughput, Mode: "local_activity", N: 5}, fiveStepDef(typeLocal), runs, conc)
	if !b.opts.NoFloor {
		// The ceiling: the same load of hand-written 5-local-activity runs.
		b.load(ctx, b.baton, Row{Scenario: ScenarioThroughput, System: "floor", Mode: "local_activity", N: 5}, nil, runs, conc)
	}
}

// load runs `runs` runs of def (the floor's 5 local activities if def is
// nil; fewer if the row budget runs out first) with
// conc in flight at once, after a warm-up of conc runs, and records runs/s,
// steps/s and the latency of each run.
func (b *bench) load(ctx context.Context, sys *system, row Row, def []byte, runs, conc int) {
	r := &row
	defer func() {
		b.report.add(r)
		fmt.Fprintln(b.opts.Progress, r.progress())
	}()
	runOnce := func(ctx context.Context) error { return sys.runFloor(ctx, floorInput{N: row.N, Local: true}) }
	if def != nil {
		r.System = sys.name
		plan, err := sys.compile(def)
		if err != nil {
			r.Error = "compile: " + err.Error()
			return
		}
		runOnce = func(ctx context.Context) error { _, err := sys.runPlan(ctx, plan); return err }
	}
	batch := func(n int) ([]time.Duration, time.Duration, error) {
		return b.drive(ctx, n, conc, "runs", func(ctx context.Context, _ int) error { return runOnce(ctx) })
	}
	if b.opts.Warmup > 0 {
		if _, _, err := batch(min(conc, runs)); err != nil {
			r.Error = err.Error()
			return
		}
	}
	lat, wall, err := batch(runs)
	if err != nil {
		r.Error = err.Error()
	}
	r.setLatencies(lat)
	r.Concurrency = conc
	if wall > 0 {
		r.RunsPerSec = float64(len(lat)) / wall.Seconds()
		r.StepsPerSec = r.RunsPerSec * float64(row.N)
	}
}

// scale runs foreach loops of 1k/10k/25k NoOp iterations once foreach
// exists: time, and the largest history of any run (the loop's children
// included). A size whose time, projected from the previous size, would
// exceed opts.ScaleBudget is skipped with the projection.
func (b *bench) scale(ctx context.Context) {
	ok, err := b.baton.foreachSupported()
	sizes := slices.Clone(b.opts.ForeachSizes)
	slices.Sort(sizes)
	var msPerIter float64
	for _, n := range sizes {
		r := &Row{Scenario: ScenarioScale, System: "baton", Mode: "foreach", N: n}
		projected := time.Duration(msPerIter * float64(n) * float64(time.Millisecond))
		switch {
		case err != nil:
			r.Error = "compile: " + err.Error()
		case !ok:
			r.Skipped = "foreach not supported yet"
		case projected > b.opts.ScaleBudget:
			r.Skipped = fmt.Sprintf("projected %v at %.1f ms/iteration > --scale-budget %v", projected.Round(time.Second), msPerIter, b.opts.ScaleBudget)
		default:
			b.foreach(ctx, r)
			if r.ok() {
				msPerIter = r.P50Ms / float64(n)
			}
		}
		b.report.add(r)
		fmt.Fprintln(b.opts.Progress, r.progress())
	}
}

// foreach measures one size: the big loops are slow, so a single run after
// a warm-up of at most 100 iterations.
func (b *bench) foreach(ctx context.Context, r *Row) {
	plan, err := b.baton.compile(foreachDef(r.N))
	if err != nil {
		r.Error = "compile: " + err.Error()
		return
	}
	if b.opts.Warmup > 0 {
		small, err := b.baton.compile(foreachDef(min(r.N, 100)))
		if err == nil {
			_, err = b.baton.runPlan(ctx, small)
		}
		if err != nil {
			r.Error = "warm-up: " + err.Error()
			return
		}
	}
	rctx, cancel := context.WithTimeout(ctx, max(2*b.opts.ScaleBudget, runTimeout))
	defer cancel()
	start := time.Now()
	run, err := b.baton.runPlan(rctx, plan)
	d := time.Since(start)
	if err != nil {
		r.Error = err.Error()
		return
	}
	r.setLatencies([]time.Duration{d})
	hist, err := b.baton.maxHistory(ctx, run.ID(), run.RunID(), 2000)
	if err != nil {
		r.Error = "history: " + err.Error()
	}
	r.MaxHistory = hist
}

// drive calls op n times (with i = 0..n-1) from conc goroutines, each call
// with its own runTimeout, and returns the latencies of the calls that
// succeeded and the wall time; what names the calls in the error. It stops
// feeding at the row budget (a slow machine: fewer calls, same rate) or
// when ctx ends.
func (b *bench) drive(ctx context.Context, n, conc int, what string, op func(ctx context.Context, i int) error) ([]time.Duration, time.Duration, error) {
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan int)
	began := time.Now()
	for range min(conc, n) {
		wg.Go(func() {
			for i := range next {
				rctx, cancel := context.WithTimeout(ctx, runTimeout)
				start := time.Now()
				err := op(rctx, i)
				d := time.Since(start)
				cancel()
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		})
	}
	deadline := time.After(b.opts.RowBudget)
feed:
	for i := range n {
		select {
		case next <- i:
		case <-deadline:
			break feed
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	wall := time.Since(began)
	if len(errs) > 0 {
		return lat, wall, fmt.Errorf("%d of %d %s failed; first: %w", len(errs), n, what, errs[0])
	}
	return lat, wall, ctx.Err()
}
