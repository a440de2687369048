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
