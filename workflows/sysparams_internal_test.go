package workflows

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/sel"
)

// TestStartParamsSharedByHour: the params startParams gives a start time
// are the ones derived from that time itself, whichever start of the same
// hour (or another hour) came before it.
func TestStartParamsSharedByHour(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	at := func(sec int64) time.Time { return time.Unix(sec, rng.Int64N(1e9)) }
	cases := []struct {
		name          string
		before, start time.Time
	}{
		{"same hour", time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 10, 59, 59, 999e6, time.UTC)},
		{"next hour", time.Date(2026, 3, 8, 10, 59, 59, 999e6, time.UTC), time.Date(2026, 3, 8, 11, 0, 0, 0, time.UTC)},
		{"other zone, same instant hour", time.Date(2026, 11, 1, 1, 30, 0, 0, pacific()), time.Date(2026, 11, 1, 8, 45, 0, 0, time.UTC)},
		{"before 1970", time.Date(1969, 12, 31, 23, 10, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 50, 0, 0, time.UTC)},
		{"zero time", time.Time{}, time.Time{}.Add(30 * time.Minute)},
	}
	for i := range 50 {
		sec := rng.Int64N(4e9) - 1e9
		cases = append(cases, struct {
			name          string
			before, start time.Time
		}{"random " + string(rune('a'+i%26)), at(sec), at(sec + rng.Int64N(7200) - 3600)})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			startParams(tc.before, "w", func(string, sel.Value) {})
			got := map[string]sel.Value{}
			var order []string
			startParams(tc.start, "wf-1", func(name string, v sel.Value) {
				got[name] = v
				order = append(order, name)
			})
			want := map[string]sel.Value{
				"RUN_TS":      {Type: sel.Long, Value: tc.start.UnixMilli()},
				"workflow_id": {Type: sel.String, Value: "wf-1"},
			}
			for _, p := range deriveHourParams(tc.start) {
				want[p.name] = p.v
			}
			require.Equal(t, want, got)
			require.Equal(t, startParamOrder(), order)
			require.Len(t, order, 22)
		})
	}
}

func BenchmarkStartParams(b *testing.B) {
	at := time.Date(2026, 3, 8, 10, 30, 0, 0, time.UTC)
	m := make(map[string]sel.Value, 24)
	b.ReportAllocs()
	for b.Loop() {
		startParams(at, "wf", func(name string, v sel.Value) { m[name] = v })
	}
}
