package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// throughput runs many 5-step DAGs concurrently: runs/s and steps/s.
// Baton's rows and the floor's run in alternating batches (loadRows).
func (b *bench) throughput(ctx context.Context) {
	runs, conc := b.opts.ThroughputRuns, b.opts.ThroughputConcurrency
	row := func(mode string) Row { return Row{Scenario: ScenarioThroughput, Mode: mode, N: 5} }
	if b.naivePhase {
		b.loadRows(ctx, runs, conc, b.loadPlan(b.naive, row("activity"), fiveStepDef(typeNaive)))
		return
	}
	vs := []*loadVariant{
		b.loadPlan(b.baton, row("inline"), fiveStepDef(typeNoOp)),
		b.loadPlan(b.baton, row("local_activity"), fiveStepDef(typeLocal)),
	}
	if !b.opts.NoFloor {
		// The ceiling: the same load of hand-written runs of the same DAG
		// of 5 local activities, and (up to session 11 the only floor) of
		// a chain of 5, which starts no two at once.
		floor := func(mode string, run func(context.Context) error, err error) *loadVariant {
			r := row(mode)
			r.System = "floor"
			if err != nil {
				r.Error = err.Error()
			}
			return &loadVariant{row: &r, sys: b.baton, run: run}
		}
		dag, chain := floorInput{N: 5, Local: true, Fan: fiveStepFan}, floorInput{N: 5, Local: true}
		// The same DAG carrying what a Baton run carries (the start
		// scenario's features row, features.go).
		features, err := b.featuresRun(fiveStepDef(typeLocal), fiveStepResultBytes, &dag)
		vs = append(vs,
			floor("local_activity", func(ctx context.Context) error { return b.baton.runFloor(ctx, dag) }, nil),
			floor(throughputChainMode, func(ctx context.Context) error { return b.baton.runFloor(ctx, chain) }, nil),
			floor(throughputFeaturesMode, features, err))
	}
	b.loadRows(ctx, runs, conc, vs...)
}

// throughputChainMode is the throughput scenario's second floor row: the
// five local activities one after another, where the DAG (fiveStepDef)
// runs three of them at once.
const throughputChainMode = "local_activity, chain"

// throughputFeaturesMode is the throughput scenario's third floor row:
// the DAG's floor carrying what a Baton run carries (features.go), so that
// Baton against it is what Baton's own code costs.
const throughputFeaturesMode = "local_activity, features"

// fiveStepFan is how many steps of fiveStepDef run at once (a, b and c).
const fiveStepFan = 3

// loadVariant is one row of a load: what one run does, and what its
// batches measured so far.
type loadVariant struct {
	row   *Row
	sys   *system
	run   func(ctx context.Context) error // nil if the row could not be set up (row.Error says why)
	lat   []time.Duration
	wall  time.Duration
	cpu   time.Duration
	store float64 // the server's store requests, beyond the idle server's
}

// loadPlan is a load row that runs a compiled definition.
func (b *bench) loadPlan(sys *system, row Row, def []byte) *loadVariant {
	v := &loadVariant{row: &row, sys: sys}
	row.System = sys.name
	plan, err := sys.compile(def)
	if err != nil {
		row.Error = "compile: " + err.Error()
		return v
	}
	v.run = func(ctx context.Context) error { _, err := sys.runPlan(ctx, plan); return err }
	return v
}

// loadBatch is how many runs of one row a batch of loadRows runs, in
// units of the concurrency: small enough that the rows alternate several
// times within the row budget, large enough that the batch's ramp-up and
// ramp-down (fewer than conc in flight) are a small part of it.
const loadBatch = 3

// loadRows measures each row's runs/s with conc runs in flight: after a
// warm-up of conc runs per row, the rows take turns, a batch of
// loadBatch×conc runs each (in the reverse order every other round), so
// that a change in the machine's load hits every row alike, until each has
// run `runs` runs or the rows together have used their row budgets. A
// row's runs/s is its runs over the wall time of its batches; it also gets
// the process CPU per run.
func (b *bench) loadRows(ctx context.Context, runs, conc int, vs ...*loadVariant) {
	live := make([]*loadVariant, 0, len(vs))
	for _, v := range vs {
		if v.run != nil {
			live = append(live, v)
		}
	}
	// A batch starts and ends on a quiet server (quiet), so that the
	// store requests a row's runs leave behind are counted on that row.
	batch := func(v *loadVariant, n int) bool {
		v.sys.quiet(ctx, b.idlePersist)
		c0, p0, t0 := processCPU(), v.sys.persist.count(), time.Now()
		lat, wall, err := b.drive(ctx, n, conc, "runs", func(ctx context.Context, _ int) error { return v.run(ctx) })
		cpu := b.busyCPU(processCPU()-c0, wall)
		v.sys.quiet(ctx, b.idlePersist)
		if err != nil {
			v.row.Error = err.Error()
			return false
		}
		v.lat, v.wall, v.cpu = append(v.lat, lat...), v.wall+wall, v.cpu+cpu
		v.store += b.busyPersist(v.sys.persist.count()-p0, time.Since(t0))
		return true
	}
	if b.opts.Warmup > 0 {
		for _, v := range live {
			if batch(v, min(conc, runs)) {
				v.lat, v.wall, v.cpu, v.store = nil, 0, 0, 0
			}
		}
	}
	budget := time.Duration(len(live)) * b.opts.RowBudget
	began := time.Now()
	for round := 0; ctx.Err() == nil && time.Since(began) < budget; round++ {
		more := false
		for j := range live {
			v := live[j]
			if round%2 == 1 {
				v = live[len(live)-1-j]
			}
			if v.row.Error != "" || len(v.lat) >= runs {
				continue
			}
			more = batch(v, min(loadBatch*conc, runs-len(v.lat))) || more
		}
		if !more {
			break
		}
	}
	for _, v := range vs {
		r := v.row
		r.setLatencies(v.lat)
		r.Concurrency = conc
		if v.wall > 0 {
			r.RunsPerSec = float64(len(v.lat)) / v.wall.Seconds()
			r.StepsPerSec = r.RunsPerSec * float64(r.N)
		}
		if len(v.lat) > 0 {
			r.CPUPerRunMs = ms(v.cpu) / float64(len(v.lat))
			r.StoreRequestsPerRun = v.store / float64(len(v.lat))
		}
		b.report.add(r)
		fmt.Fprintln(b.opts.Progress, r.progress())
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
