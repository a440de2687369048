package bench

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWideTarget: issue 10's wide target is Baton's marginal cost per step
// of the wide series over the local-activity chain's, and names the same
// ratio of the hand-written floor when both its series were measured.
func TestWideTarget(t *testing.T) {
	row := func(sc, sys, mode string, n int, ms float64) *Row {
		return &Row{Scenario: sc, System: sys, Mode: mode, N: n, Reps: 1, P50Ms: ms}
	}
	baton := []*Row{
		row(ScenarioChain, "baton", "local_activity", 10, 10), row(ScenarioChain, "baton", "local_activity", 300, 39), // 0.1 ms/step
		row(ScenarioWide, "baton", wideMode, 10, 12), row(ScenarioWide, "baton", wideMode, 290, 67), // 0.196 ms/step
	}
	floor := []*Row{
		row(ScenarioChain, "floor", "local_activity", 10, 8), row(ScenarioChain, "floor", "local_activity", 300, 37), // 0.1
		row(ScenarioWide, "floor", wideMode, 10, 9), row(ScenarioWide, "floor", wideMode, 290, 93), // 0.3
	}
	tests := []struct {
		name     string
		rows     []*Row
		wantName string
		wantMet  bool
	}{
		{"with the floor", append(append([]*Row{}, baton...), floor...),
			"wide N=290 per step vs local-activity chain N=300 per step (hand-written: 3.00x)", true},
		{"Baton alone", baton, "wide N=290 per step vs local-activity chain N=300 per step", true},
		{"all-at-once rows do not count", append(append([]*Row{}, baton[:2]...),
			row(ScenarioWide, "baton", wideAllMode, 10, 12), row(ScenarioWide, "baton", wideAllMode, 290, 68),
			row(ScenarioWide, "baton", wideMode, 10, 12), row(ScenarioWide, "baton", wideMode, 290, 96.8)), // 0.31 ms/step
			"wide N=290 per step vs local-activity chain N=300 per step", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Rows: tt.rows}
			r.wideTargets()
			var wide []Target
			for _, tg := range r.Targets {
				if strings.HasPrefix(tg.Name, "wide ") {
					wide = append(wide, tg)
				}
			}
			require.Len(t, wide, 1)
			got := wide[0]
			require.Equal(t, tt.wantName, got.Name)
			require.Equal(t, tt.wantMet, got.Met)
			require.Equal(t, 2.0, got.Limit)
		})
	}
}
