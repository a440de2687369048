package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/batonhq/baton/cmd/baton/internal/bench"
)

func benchCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("bench", errOut, "[flags]")
	scenarios := fs.String("scenarios", strings.Join(bench.Scenarios, ","), "comma-separated scenarios to run")
	reps := fs.Int("reps", 30, "measured repetitions of fast rows (slow rows take fewer, to fit -row-budget; at least min(reps, 5))")
	warmup := fs.Int("warmup", 3, "warm-up runs before each row")
	budget := fs.Duration("row-budget", 6*time.Second, "time budget of one row's measurements")
	chains := fs.String("chain-sizes", "10,100,300", "N of the step chains")
	dagSize := fs.Int("dag-size", 300, "steps of the DAG with fan-out and joins")
	paramsSize := fs.Int("params-size", 100, "steps of the params-and-conditions DAG")
	tpRuns := fs.Int("throughput-runs", 1000, "most 5-step DAG runs in the throughput scenario (it also stops at -row-budget)")
	tpConc := fs.Int("throughput-concurrency", 32, "runs in flight at once in the throughput scenario")
	foreach := fs.String("foreach-sizes", "1000,10000,25000", "iterations of the scale scenario")
	scaleBudget := fs.Duration("scale-budget", time.Minute, "skip a foreach size whose time, projected from the smaller one, exceeds this")
	noNaive := fs.Bool("no-naive", false, "leave out the naive baseline (and its second server)")
	noFloor := fs.Bool("no-floor", false, "leave out the hand-written floor")
	jsonOut := fs.Bool("json", false, "print the report as JSON instead of a table")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server, worker, interpreter) to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile to this file at the end")
	quiet := fs.Bool("q", false, "no progress lines on stderr")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 0 {
		fs.Usage()
		return exitUsage
	}
	opts := bench.Options{
		Reps: *reps, Warmup: *warmup, RowBudget: *budget,
		DAGSize: *dagSize, ParamsSize: *paramsSize,
		ThroughputRuns: *tpRuns, ThroughputConcurrency: *tpConc,
		ScaleBudget: *scaleBudget, NoNaive: *noNaive, NoFloor: *noFloor, Progress: errOut,
	}
	if *warmup == 0 {
		opts.Warmup = -1
	}
	if *quiet {
		opts.Progress = nil
	}
	for _, s := range strings.Split(*scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			opts.Scenarios = append(opts.Scenarios, s)
		}
	}
	if opts.ChainSizes, err = parseSizes(*chains); err == nil {
		opts.ForeachSizes, err = parseSizes(*foreach)
	}
	if err != nil {
		fmt.Fprintf(errOut, "baton bench: %v\n", err)
		return exitUsage
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(errOut, "baton bench: %v\n", err)
			return exitUsage
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
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
	if *memProfile != "" {
		if err := writeHeapProfile(*memProfile); err != nil {
			fmt.Fprintf(errOut, "baton bench: %v\n", err)
		}
	}
	if *jsonOut {
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
