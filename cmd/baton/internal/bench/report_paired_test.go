package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPairedRatio: the median over repetitions of Baton's latency over the
// floor's in the same repetition, and none when the rows' repetitions do
// not pair up.
func TestPairedRatio(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name         string
		baton, floor []time.Duration
		want         float64
		ok           bool
	}{
		{name: "one rep", baton: ms(12), floor: ms(10), want: 1.2, ok: true},
		// Ratios 2, 1, 0.5: the median is 1, though the p50s differ (20 vs 10).
		{name: "median of the ratios, not of the latencies", baton: ms(20, 10, 50), floor: ms(10, 10, 100), want: 1, ok: true},
		{name: "even count: the lower middle", baton: ms(10, 30, 20, 40), floor: ms(10, 10, 10, 10), want: 2, ok: true},
		{name: "unpaired", baton: ms(10, 10), floor: ms(10)},
		{name: "empty", baton: nil, floor: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, f := &Row{}, &Row{}
			b.setLatencies(tt.baton)
			f.setLatencies(tt.floor)
			got, ok := pairedRatio(b, f)
			require.Equal(t, tt.ok, ok)
			require.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

// TestCompareThroughput: a throughput comparison says how many more or
// fewer runs/s Baton made than the floor row, and each floor row of the
// throughput scenario is compared with Baton's local-activity row.
func TestCompareThroughput(t *testing.T) {
	tests := []struct {
		name       string
		baton      float64
		floorMode  string
		floor      float64
		want, what string
	}{
		{"fewer", 90, "local_activity", 100, "(10% fewer runs/s than the floor)", "throughput local_activity"},
		{"more", 110, throughputFeaturesMode, 100, "(10% more runs/s than the floor)", "throughput " + throughputFeaturesMode},
		{"chain floor", 95, throughputChainMode, 100, "(5% fewer runs/s than the floor)", "throughput " + throughputChainMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Rows: []*Row{
				{Scenario: ScenarioThroughput, System: "baton", Mode: "local_activity", N: 5, Reps: 1, RunsPerSec: tt.baton},
				{Scenario: ScenarioThroughput, System: "floor", Mode: tt.floorMode, N: 5, Reps: 1, RunsPerSec: tt.floor},
			}}
			r.compare()
			require.Len(t, r.Comparisons, 1)
			require.Equal(t, tt.what, r.Comparisons[0].What)
			require.Contains(t, r.Comparisons[0].Text, tt.want)
		})
	}
}
