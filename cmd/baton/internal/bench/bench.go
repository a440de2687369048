// Package bench is `baton bench`: it measures Baton's overhead on an
// embedded Temporal server with the worker in the same process, against the
// floor (hand-written Temporal workflows with the same (local) activities
// and no interpreter) and against the naive design (every step a regular
// activity, on a server with Temporal's default settings).
//
// Every scenario has a warm-up and repetitions; the report gives p50 and
// p95 of submit→result latency per row, per-step figures, Baton/naive and
// Baton/floor ratios, cost growth with N, and the targets (met or
// missed with the margin; never asserted).
package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
)

// startNoSAMode is the start scenario's row of a client without Baton's
// search attributes (client.Options.NoSearchAttributes): what a start
// costs without the status and workflow id a list filters on.
const startNoSAMode = "inline, no SA"

// The scenarios, in the order they run.
const (
	ScenarioStart      = "start"
	ScenarioChain      = "chain"
	ScenarioDAG        = "dag"
	ScenarioParams     = "params"
	ScenarioThroughput = "throughput"
	ScenarioScale      = "scale"
	// The wide scenarios (wide.go).
	ScenarioWide            = "wide"
	ScenarioForeachWide     = "foreach-wide"
	ScenarioForeachActivity = "foreach-activity"
)

// Scenarios lists every scenario.
var Scenarios = []string{ScenarioStart, ScenarioStrategy, ScenarioChain, ScenarioDAG, ScenarioParams, ScenarioThroughput, ScenarioScale,
	ScenarioWide, ScenarioForeachWide, ScenarioForeachActivity, ScenarioSignals}

// Options configure Run. Zero fields take the defaults of a full run.
type Options struct {
	// Scenarios to run; nil means all.
	Scenarios []string
	// Reps is the number of measured repetitions of fast rows (default 30).
	// Slow rows take fewer, so each row fits in RowBudget, but never fewer
	// than min(Reps, 5).
	Reps int
	// Warmup runs before each row's measurements (default 3; <0 means 0);
	// slow rows stop warming up after a quarter of RowBudget.
	Warmup int
	// RowBudget caps the time of one row's measurements (default 6 s).
	RowBudget time.Duration
	// ChainSizes are the N of the chains (default 10, 100, 300).
	ChainSizes []int
	// DAGSize is the size of the DAG with fan-out and joins (default 300).
	DAGSize int
	// ParamsSize is the size of the params-and-conditions DAG (default 100).
	ParamsSize int
	// ThroughputRuns and ThroughputConcurrency: runs of the 5-step DAG
	// measured (fewer if RowBudget runs out first), and how many are in
	// flight at once (default 1000 and 32).
	ThroughputRuns, ThroughputConcurrency int
	// ForeachSizes are the iterations of the scale scenario (default 1k,
	// 10k, 25k).
	ForeachSizes []int
	// ScaleBudget caps the projected time of one foreach size (default
	// 60 s): larger sizes are skipped, with the projection.
	ScaleBudget time.Duration
	// NoNaive and NoFloor leave out the baseline and the floor.
	NoNaive, NoFloor bool
	// MemoryStore runs the servers on SQLite's in-memory mode, the store of
	// the benchmarks before session 10 (devserver.Options.InMemory), rather
	// than a temporary file.
	MemoryStore bool
	// NaiveMaxChain is the longest naive chain run (default 100: the naive
	// design takes tens of ms per step).
	NaiveMaxChain int
	// WideSizes are the fan-outs of the wide scenario (default 10, 100, 290).
	WideSizes []int
	// ForeachWideIterations, ForeachWideInner and ForeachWideConcurrency
	// shape the foreach-wide scenario: iterations, local-activity steps per
	// iteration (a chain), and the concurrencies measured (default 400, 5,
	// and 10, 100, 300).
	ForeachWideIterations, ForeachWideInner int
	ForeachWideConcurrency                  []int
	// ForeachActivitySize and ForeachActivityConcurrency shape the
	// foreach-activity scenario (default 25,000 iterations, 100 at once).
	ForeachActivitySize, ForeachActivityConcurrency int
	// SignalSends is how many signals each send row of the signals
	// scenario stores (default 2,000; fewer if the row budget runs out).
	SignalSends int
	// Progress receives a line per row as it runs (nil: none).
	Progress io.Writer
}

func (o *Options) defaults() {
	if len(o.Scenarios) == 0 {
		o.Scenarios = Scenarios
	}
	positive(&o.Reps, 30)
	switch {
	case o.Warmup == 0:
		o.Warmup = 3
	case o.Warmup < 0:
		o.Warmup = 0
	}
	positive(&o.RowBudget, 6*time.Second)
	nonEmpty(&o.ChainSizes, 10, 100, 300)
	positive(&o.DAGSize, 300)
	positive(&o.ParamsSize, 100)
	positive(&o.ThroughputRuns, 1000)
	positive(&o.ThroughputConcurrency, 32)
	nonEmpty(&o.ForeachSizes, 1000, 10000, 25000)
	positive(&o.ScaleBudget, time.Minute)
	positive(&o.NaiveMaxChain, 100)
	nonEmpty(&o.WideSizes, 10, 100, 290)
	positive(&o.ForeachWideIterations, 400)
	positive(&o.ForeachWideInner, 5)
	nonEmpty(&o.ForeachWideConcurrency, 10, 100, 300)
	positive(&o.ForeachActivitySize, 25000)
	positive(&o.ForeachActivityConcurrency, 100)
	positive(&o.SignalSends, 2000)
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

// positive sets *p to v unless it is positive.
func positive[T int | time.Duration](p *T, v T) {
	if *p <= 0 {
		*p = v
	}
}

// nonEmpty sets *p to v if it is empty.
func nonEmpty(p *[]int, v ...int) {
	if len(*p) == 0 {
		*p = v
	}
}

// bench is one benchmark run.
type bench struct {
	opts  Options
	baton *system // tuned server, eager start: Baton and the floor
	naive *system // default server, no eager start: the naive design
	// naivePhase: the scenarios run their naive rows (else Baton's and the
	// floor's).
	naivePhase bool
	report     *Report
	// idleCPU is the process's CPU per second of wall time with nothing
	// running (servers' and workers' timers and polls): what a row's CPU
	// per run leaves out.
	idleCPU float64
	// idlePersist is the tuned server's store requests per second with
	// nothing running.
	idlePersist float64
}

// Run starts the servers, runs the scenarios and returns the report. A
// scenario whose runs fail gives rows with Error set; Run itself fails only
// if the servers cannot start or ctx ends.
func Run(ctx context.Context, opts Options) (*Report, error) {
	opts.defaults()
	for _, s := range opts.Scenarios {
		if !slices.Contains(Scenarios, s) {
			return nil, fmt.Errorf("unknown scenario %q (have %v)", s, Scenarios)
		}
	}
	b := &bench{opts: opts, report: newReport()}
	b.report.Env.Store = "in a temporary WAL file"
	if opts.MemoryStore {
		b.report.Env.Store = "in memory"
	}
	began := time.Now()
	var err error
	fmt.Fprintln(opts.Progress, "starting the tuned server (Baton, floor)")
	if b.baton, err = startSystem(ctx, "baton", devserver.ProfileTuned, true, opts.MemoryStore); err != nil {
		return nil, err
	}
	fmt.Fprintf(opts.Progress, "  up in %v\n", time.Since(began).Round(time.Millisecond))
	defer b.baton.stop()
	if !opts.NoNaive {
		fmt.Fprintln(opts.Progress, "starting the default server (naive baseline)")
		t0 := time.Now()
		if b.naive, err = startSystem(ctx, "naive", devserver.ProfileDefault, false, opts.MemoryStore); err != nil {
			return nil, err
		}
		fmt.Fprintf(opts.Progress, "  up in %v\n", time.Since(t0).Round(time.Millisecond))
		defer b.naive.stop()
	}
	b.idleCPU, b.idlePersist = idle(ctx, b.baton)
	b.report.Env.IdleCPUMsPerSec, b.report.Env.IdleStoreRequestsPerSec = b.idleCPU*1000, b.idlePersist
	// Baton and the floor first, then the naive design, so that the
	// default server's backlog never lands on a Baton row.
	for _, naive := range []bool{false, true} {
		if naive && b.naive == nil {
			break
		}
		b.naivePhase = naive
		for _, sc := range Scenarios {
			if !slices.Contains(opts.Scenarios, sc) || (naive && (sc == ScenarioScale || wideScenario(sc))) {
				continue
			}
			switch sc {
			case ScenarioStart:
				b.start(ctx)
			case ScenarioStrategy:
				b.strategy(ctx)
			case ScenarioChain:
				b.chains(ctx)
			case ScenarioDAG:
				b.dag(ctx)
			case ScenarioParams:
				b.params(ctx)
			case ScenarioThroughput:
				b.throughput(ctx)
			case ScenarioScale:
				b.scale(ctx)
			case ScenarioWide:
				b.wide(ctx)
			case ScenarioForeachWide:
				b.foreachWide(ctx)
			case ScenarioForeachActivity:
				b.foreachActivity(ctx)
			case ScenarioSignals:
				b.signals(ctx)
			}
			if err := ctx.Err(); err != nil {
				return b.report, err
			}
		}
	}
	b.report.finish(time.Since(began))
	return b.report, nil
}

// variant is one row measured by running fn once per repetition.
type variant struct {
	row *Row
	sys *system
	fn  func(ctx context.Context) error
}

func (b *bench) planVariant(sys *system, row Row, def []byte) variant {
	return b.planVariantWith(sys, sys.bc, row, def)
}

// planVariantWith is planVariant with the runs started by client c.
func (b *bench) planVariantWith(sys *system, c *client.Client, row Row, def []byte) variant {
	r := &row
	r.System = sys.name
	plan, err := sys.compile(def)
	if err != nil {
		r.Error = "compile: " + err.Error()
		return variant{row: r, sys: sys}
	}
	return variant{row: r, sys: sys, fn: func(ctx context.Context) error {
		_, err := sys.runPlanWith(ctx, c, plan)
		return err
	}}
}

func (b *bench) floorVariant(row Row, in floorInput) variant {
	r := &row
	r.System = "floor"
	sys := b.baton
	return variant{row: r, sys: sys, fn: func(ctx context.Context) error { return sys.runFloor(ctx, in) }}
}

// runTimeout bounds one run: generous, so a stall shows in p95 and max
// rather than as a failure.
const runTimeout = 2 * time.Minute

// measure runs variants interleaved (one run of each per repetition, in
// an order rotated every repetition, so they see the same machine noise):
// warm-up, then repetitions until opts.Reps or the row budget, never fewer
// than min(Reps, 5). Failures end a variant. Each row also gets the
// process CPU per run.
func (b *bench) measure(ctx context.Context, vs ...variant) {
	live := make([]variant, 0, len(vs))
	for _, v := range vs {
		if v.fn != nil {
			live = append(live, v)
		}
	}
	once := func(v variant) (time.Duration, bool) {
		rctx, cancel := context.WithTimeout(ctx, runTimeout)
		defer cancel()
		start := time.Now()
		err := v.fn(rctx)
		d := time.Since(start)
		if err != nil {
			v.row.Error = err.Error()
			return d, false
		}
		return d, true
	}
	samples := make([][]time.Duration, len(live))
	cpu := make([]time.Duration, len(live))
	ok := make([]bool, len(live))
	for i := range ok {
		ok[i] = true
	}
	// Warm-up: opts.Warmup runs of each variant, but a slow variant stops
	// after a quarter of the row budget (one run at least).
	var perRep time.Duration
	for i, v := range live {
		var spent, last time.Duration
		for w := 0; w < b.opts.Warmup && (w == 0 || spent < b.opts.RowBudget/4); w++ {
			d, good := once(v)
			if !good {
				ok[i] = false
				break
			}
			spent, last = spent+d, d
		}
		perRep += last
	}
	reps := b.opts.Reps
	if perRep > 0 {
		fit := int(b.opts.RowBudget / perRep)
		reps = max(min(reps, fit), min(reps, 5))
	}
	began := time.Now()
	for rep := 0; rep < reps && ctx.Err() == nil; rep++ {
		for j := range live {
			// Each rep's order is the last one's rotated by one (with two
			// variants: every other rep reversed): what a run leaves the
			// server to do (visibility, history tasks) lands on the next
			// run, and every variant follows each other one. Reversing
			// three or more would put the first and the last after
			// themselves and never after each other.
			i := (j + rep) % len(live)
			v := live[i]
			if !ok[i] {
				continue
			}
			c0 := processCPU()
			d, good := once(v)
			if !good {
				ok[i] = false
				continue
			}
			cpu[i] += b.busyCPU(processCPU()-c0, d)
			samples[i] = append(samples[i], d)
		}
		if rep >= min(reps, 5)-1 && time.Since(began) > 2*b.opts.RowBudget {
			break // the machine is slower than the warm-up said
		}
	}
	for i, v := range live {
		v.row.setLatencies(samples[i])
		if n := len(samples[i]); n > 0 {
			v.row.CPUPerRunMs = ms(cpu[i]) / float64(n)
		}
	}
	for _, v := range vs {
		b.report.add(v.row)
		fmt.Fprintln(b.opts.Progress, v.row.progress())
	}
}

func (b *bench) start(ctx context.Context) {
	if b.naivePhase {
		b.measure(ctx, b.planVariant(b.naive, Row{Scenario: ScenarioStart, Mode: "activity", N: 1}, chainDef(1, typeNaive)))
		return
	}
	vs := []variant{
		b.planVariant(b.baton, Row{Scenario: ScenarioStart, Mode: "inline", N: 1}, chainDef(1, typeNoOp)),
		b.planVariantWith(b.baton, b.baton.bcNoSA, Row{Scenario: ScenarioStart, Mode: startNoSAMode, N: 1}, chainDef(1, typeNoOp)),
	}
	if !b.opts.NoFloor {
		vs = append(vs, b.floorVariant(Row{Scenario: ScenarioStart, Mode: "empty", N: 0}, floorInput{}))
		vs = append(vs, b.featuresVariant(chainDef(1, typeNoOp)))
	}
	b.measure(ctx, vs...)
	b.countStoreRequests(ctx, vs...)
}

// storeRuns is how many runs countStoreRequests counts per row (fewer if
// opts.Reps is smaller).
const storeRuns = 20

// countStoreRequests gives each row its server's store requests per run:
// storeRuns runs one after the other, between two quiet servers (what
// earlier runs left to do done), less the idle server's requests.
func (b *bench) countStoreRequests(ctx context.Context, vs ...variant) {
	runs := min(storeRuns, b.opts.Reps)
	for _, v := range vs {
		if v.fn == nil || !v.row.ok() {
			continue
		}
		v.sys.quiet(ctx, b.idlePersist)
		p0, t0 := v.sys.persist.count(), time.Now()
		for range runs {
			rctx, cancel := context.WithTimeout(ctx, runTimeout)
			err := v.fn(rctx)
			cancel()
			if err != nil {
				v.row.Error = "counting store requests: " + err.Error()
				break
			}
		}
		v.sys.quiet(ctx, b.idlePersist)
		if v.row.Error == "" {
			v.row.StoreRequestsPerRun = b.busyPersist(v.sys.persist.count()-p0, time.Since(t0)) / float64(runs)
		}
	}
}

// chains runs the chains mode by mode, cheapest first, so that the backlog
// a heavy row leaves on the server (visibility and history tasks of
// thousands of events) does not land on the light rows.
func (b *bench) chains(ctx context.Context) {
	row := func(mode string, n int) Row { return Row{Scenario: ScenarioChain, Mode: mode, N: n} }
	if b.naivePhase {
		for _, n := range b.opts.ChainSizes {
			if n <= b.opts.NaiveMaxChain {
				b.measure(ctx, b.planVariant(b.naive, row("activity", n), chainDef(n, typeNaive)))
			}
		}
		return
	}
	for _, n := range b.opts.ChainSizes {
		b.measure(ctx, b.planVariant(b.baton, row("inline", n), chainDef(n, typeNoOp)))
	}
	for _, mode := range []string{"local_activity", "activity"} {
		typ, local := typeLocal, mode == "local_activity"
		if !local {
			typ = typeRemote
		}
		for _, n := range b.opts.ChainSizes {
			vs := []variant{b.planVariant(b.baton, row(mode, n), chainDef(n, typ))}
			if !b.opts.NoFloor {
				vs = append(vs, b.floorVariant(row(mode, n), floorInput{N: n, Local: local}))
			}
			b.measure(ctx, vs...)
		}
	}
}

func (b *bench) dag(ctx context.Context) {
	n := b.opts.DAGSize
	if b.naivePhase {
		b.measure(ctx, b.planVariant(b.naive, Row{Scenario: ScenarioDAG, Mode: "activity", N: n}, dagDef(n, typeNaive, false)))
		return
	}
	b.measure(ctx, b.planVariant(b.baton, Row{Scenario: ScenarioDAG, Mode: "inline", N: n}, dagDef(n, typeNoOp, false)))
}

// params measures the SEL DAG interleaved with the same DAG without params
// and conditions, so the difference is the cost of the expression layer.
func (b *bench) params(ctx context.Context) {
	n := b.opts.ParamsSize
	if b.naivePhase {
		b.measure(ctx, b.planVariant(b.naive, Row{Scenario: ScenarioParams, Mode: "activity+sel", N: n}, dagDef(n, typeNaive, true)))
		return
	}
	b.measure(ctx,
		b.planVariant(b.baton, Row{Scenario: ScenarioParams, Mode: "inline+sel", N: n}, dagDef(n, typeNoOp, true)),
		b.planVariant(b.baton, Row{Scenario: ScenarioParams, Mode: "inline", N: n}, dagDef(n, typeNoOp, false)))
}
