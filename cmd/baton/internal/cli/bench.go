package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/cmd/baton/internal/bench"
)

func newBenchCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure Baton's overhead against the floor and a naive design",
		Long: "Bench runs the benchmark scenarios on embedded servers and prints a table (the\n" +
			"README's Performance section). A full run takes minutes; run it on a quiet machine.",
		Example: "  baton bench\n" +
			"  baton bench --scenarios chain --reps 5 --json",
		Args: cobra.NoArgs,
	}
	var f benchFlags
	fs := cmd.Flags()
	fs.StringVar(&f.scenarios, "scenarios", strings.Join(bench.Scenarios, ","), "comma-separated scenarios to run")
	fs.IntVar(&f.reps, "reps", 30, "measured repetitions of fast rows (slow rows take fewer, to fit --row-budget; at least min(reps, 5))")
	fs.IntVar(&f.warmup, "warmup", 3, "warm-up runs before each row")
	fs.DurationVar(&f.budget, "row-budget", 6*time.Second, "time budget of one row's measurements")
	fs.StringVar(&f.chains, "chain-sizes", "10,100,300", "N of the step chains")
	fs.IntVar(&f.dagSize, "dag-size", 300, "steps of the DAG with fan-out and joins")
	fs.IntVar(&f.paramsSize, "params-size", 100, "steps of the params-and-conditions DAG")
	fs.IntVar(&f.tpRuns, "throughput-runs", 1000, "most 5-step DAG runs in the throughput scenario (it also stops at --row-budget)")
	fs.IntVar(&f.tpConc, "throughput-concurrency", 32, "runs in flight at once in the throughput scenario")
	fs.StringVar(&f.foreach, "foreach-sizes", "1000,10000,25000", "iterations of the scale scenario")
	fs.DurationVar(&f.scaleBudget, "scale-budget", time.Minute, "skip a foreach size whose time, projected from the smaller one, exceeds this")
	fs.StringVar(&f.wide, "wide-sizes", "10,100,290", "N of the wide scenario's fan-outs")
	fs.IntVar(&f.fwIterations, "foreach-wide-iterations", 400, "iterations of the foreach-wide scenario")
	fs.IntVar(&f.fwInner, "foreach-wide-steps", 5, "local-activity steps per foreach-wide iteration (a chain)")
	fs.StringVar(&f.fwConc, "foreach-wide-concurrency", "10,100,300", "concurrencies of the foreach-wide scenario")
	fs.IntVar(&f.faSize, "foreach-activity-size", 25000, "iterations of the foreach-activity scenario")
	fs.IntVar(&f.faConc, "foreach-activity-concurrency", 100, "concurrency of the foreach-activity scenario")
	fs.BoolVar(&f.noNaive, "no-naive", false, "leave out the naive baseline (and its second server)")
	fs.BoolVar(&f.noFloor, "no-floor", false, "leave out the hand-written floor")
	fs.BoolVar(&f.memoryStore, "memory-store", false, "run the servers on SQLite's in-memory mode (the store before session 10) instead of a temporary file")
	fs.BoolVar(&f.jsonOut, "json", false, "print the report as JSON instead of a table")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (server, worker, interpreter) to this file")
	fs.StringVar(&f.memProfile, "memprofile", "", "write an allocation profile to this file at the end")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress lines on stderr")
	cmd.RunE = runE(func(*cobra.Command, []string) int {
		return a.bench(&f)
	})
	return cmd
}

type benchFlags struct {
	scenarios                 string
	reps, warmup              int
	budget                    time.Duration
	chains                    string
	dagSize, paramsSize       int
	tpRuns, tpConc            int
	foreach                   string
	scaleBudget               time.Duration
	wide, fwConc              string
	fwIterations, fwInner     int
	faSize, faConc            int
	noNaive, noFloor, jsonOut bool
	memoryStore               bool
	cpuProfile, memProfile    string
	quiet                     bool
}

func (a *app) bench(f *benchFlags) int {
	ctx, out, errOut := a.ctx, a.out, a.errOut
	var err error
	opts := bench.Options{
		Reps: f.reps, Warmup: f.warmup, RowBudget: f.budget,
		DAGSize: f.dagSize, ParamsSize: f.paramsSize,
		ThroughputRuns: f.tpRuns, ThroughputConcurrency: f.tpConc,
		ScaleBudget: f.scaleBudget, NoNaive: f.noNaive, NoFloor: f.noFloor, MemoryStore: f.memoryStore, Progress: errOut,
		ForeachWideIterations: f.fwIterations, ForeachWideInner: f.fwInner,
		ForeachActivitySize: f.faSize, ForeachActivityConcurrency: f.faConc,
	}
	if f.warmup == 0 {
		opts.Warmup = -1
	}
	if f.quiet {
		opts.Progress = nil
	}
	for _, s := range strings.Split(f.scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			opts.Scenarios = append(opts.Scenarios, s)
		}
	}
	if opts.ChainSizes, err = parseSizes(f.chains); err == nil {
		opts.ForeachSizes, err = parseSizes(f.foreach)
	}
	if err == nil {
		opts.WideSizes, err = parseSizes(f.wide)
	}
	if err == nil {
		opts.ForeachWideConcurrency, err = parseSizes(f.fwConc)
	}
	if err != nil {
		return a.usage("bench", err)
	}

	if f.cpuProfile != "" {
		prof, err := os.Create(f.cpuProfile)
		if err != nil {
			fmt.Fprintf(errOut, "baton bench: %v\n", err)
			return exitUsage
		}
		defer func() { _ = prof.Close() }()
		if err := pprof.StartCPUProfile(prof); err != nil {
			fmt.Fprintf(errOut, "baton bench: %v\n", err)
			return exitRuntime
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := bench.Run(ctx, opts)
	if err != nil && rep == nil {
		fmt.Fprintf(errOut, "baton bench: %v\n", err)
		return exitRuntime
	}
	if f.memProfile != "" {
		if err := writeHeapProfile(f.memProfile); err != nil {
			fmt.Fprintf(errOut, "baton bench: %v\n", err)
		}
	}
	if f.jsonOut {
		err = rep.WriteJSON(out)
	} else {
		err = rep.WriteTable(out)
	}
	if err != nil {
		fmt.Fprintf(errOut, "baton bench: %v\n", err)
		return exitRuntime
	}
	for _, row := range rep.Rows {
		if row.Error != "" {
			return exitFailed
		}
	}
	return exitOK
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q: want positive integers separated by commas", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
