package devserver

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
)

// runEmpty starts EmptyWorkflow and waits for its result; it returns the
// submit→result latency.
func runEmpty(tb testing.TB, c client.Client, id string, eager bool) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue, EnableEagerStart: eager}, EmptyWorkflow)
	require.NoError(tb, err)
	require.NoError(tb, run.Get(ctx, nil))
	return time.Since(start)
}

type latencies []time.Duration

func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkEmptyWorkflow measures submit→result of an empty workflow on the
// tuned and the default profile, with and without eager workflow start (the
// worker shares the client). Run with e.g.
//
//	go test -run '^$' -bench EmptyWorkflow -benchtime 300x ./internal/devserver/
//
// BATON_BENCH_DC="key=value,..." adds dynamic config to both profiles.
func BenchmarkEmptyWorkflow(b *testing.B) {
	extra := parseDynamicConfig(b, os.Getenv("BATON_BENCH_DC"))
	for _, p := range []Profile{ProfileTuned, ProfileDefault} {
		s := startServer(b, Options{Profile: p, ExtraDynamicConfig: extra})
		c := newClient(b, s)
		startWorker(b, c)
		for _, eager := range []bool{true, false} {
			name := fmt.Sprintf("%s/eager=%v", p, eager)
			b.Run(name, func(b *testing.B) {
				for i := range 5 { // warm up
					runEmpty(b, c, fmt.Sprintf("warm-%s-%d-%d", name, b.N, i), eager)
				}
				var l latencies
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					l = append(l, runEmpty(b, c, fmt.Sprintf("bench-%s-%d-%d", name, b.N, i), eager))
				}
				b.ReportMetric(ms(l.quantile(0.5)), "ms-median")
				b.ReportMetric(ms(l.quantile(0.99)), "ms-p99")
				b.ReportMetric(ms(l.quantile(1)), "ms-max")
			})
		}
	}
}

// parseDynamicConfig parses "key=value,..."; values are ints, bools,
// durations or strings.
func parseDynamicConfig(tb testing.TB, s string) map[string]any {
	m := map[string]any{}
	for kv := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			continue
		}
		if i, err := strconv.Atoi(v); err == nil {
			m[k] = i
		} else if b, err := strconv.ParseBool(v); err == nil {
			m[k] = b
		} else if d, err := time.ParseDuration(v); err == nil {
			m[k] = d
		} else {
			m[k] = v
		}
	}
	tb.Logf("extra dynamic config: %v", m)
	return m
}

// TestLongPollStall looks for run.Get calls that stall although the workflow
// has finished (seen without eager start on v1.32.1 until
// history.longPollExpirationInterval ran out). It is an experiment, skipped
// unless BATON_STALL_RUNS is set:
//
//	BATON_STALL_RUNS=3000 BATON_STALL_PAR=4 BATON_STALL_LPEI=20s BATON_STALL_EAGER=0 \
//	  go test -run TestLongPollStall -v ./internal/devserver/
func TestLongPollStall(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("BATON_STALL_RUNS"))
	if runs == 0 {
		t.Skip("set BATON_STALL_RUNS to run")
	}
	par, _ := strconv.Atoi(os.Getenv("BATON_STALL_PAR"))
	par = max(par, 1)
	eager := os.Getenv("BATON_STALL_EAGER") == "1"
	opts := Options{ExtraDynamicConfig: map[string]any{}}
	if v := os.Getenv("BATON_STALL_LPEI"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err)
		opts.ExtraDynamicConfig["history.longPollExpirationInterval"] = d
	}
	if os.Getenv("BATON_STALL_PROFILE") == "default" {
		opts.Profile = ProfileDefault
	}
	s := startServer(t, opts)
	c := newClient(t, s)
	startWorker(t, c)

	var mu sync.Mutex
	var l latencies
	var wg sync.WaitGroup
	next := make(chan int)
	for range par {
		wg.Go(func() {
			for i := range next {
				d := runEmpty(t, c, fmt.Sprintf("stall-%d", i), eager)
				mu.Lock()
				l = append(l, d)
				mu.Unlock()
			}
		})
	}
	begin := time.Now()
	for i := range runs {
		next <- i
	}
	close(next)
	wg.Wait()
	slow := 0
	for _, d := range l {
		if d > time.Second {
			slow++
		}
	}
	t.Logf("runs=%d par=%d eager=%v opts=%v: %d runs >1s (%.2f%%), median %.2fms p99 %.2fms p99.9 %.2fms max %.2fms, wall %s",
		runs, par, eager, opts.ExtraDynamicConfig, slow, 100*float64(slow)/float64(len(l)),
		ms(l.quantile(0.5)), ms(l.quantile(0.99)), ms(l.quantile(0.999)), ms(l.quantile(1)), time.Since(begin).Round(time.Millisecond))
}
