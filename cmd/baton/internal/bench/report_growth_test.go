package bench

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConcurrencyGrowth: the foreach-wide line of each system, and Baton's
// line names the floor's growth in the same run.
func TestConcurrencyGrowth(t *testing.T) {
	row := func(sys string, c int, ms float64) *Row {
		return &Row{Scenario: ScenarioForeachWide, System: sys, N: 400, Reps: 1, Concurrency: c, P50Ms: ms}
	}
	cases := []struct {
		name string
		rows []*Row
		want []string // verdicts, in the systems' order
	}{
		{"both grow", []*Row{row("baton", 10, 1000), row("floor", 10, 500), row("baton", 200, 8000), row("floor", 200, 10000)}, []string{
			"grows with concurrency: time per iteration at concurrency 200 is 8.00x that at 10; the hand-written floor's grows 20.00x in the same run (Baton's growth / the floor's = 0.40)",
			"grows with concurrency: time per iteration at concurrency 200 is 20.00x that at 10",
		}},
		{"flat", []*Row{row("baton", 10, 1000), row("baton", 200, 1200), row("floor", 10, 500), row("floor", 200, 600)}, []string{
			"linear in the work: time per iteration at concurrency 200 is 1.20x that at 10; the hand-written floor's grows 1.20x in the same run (Baton's growth / the floor's = 1.00)",
			"linear in the work: time per iteration at concurrency 200 is 1.20x that at 10",
		}},
		{"no floor", []*Row{row("baton", 10, 1000), row("baton", 200, 3000)}, []string{
			"grows with concurrency: time per iteration at concurrency 200 is 3.00x that at 10",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Rows: tc.rows}
			r.concurrencyGrowth()
			var got []string
			for _, g := range r.Growth {
				got = append(got, g.Verdict)
			}
			require.Equal(t, tc.want, got)
		})
	}
}
