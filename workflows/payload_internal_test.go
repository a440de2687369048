package workflows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/sel"
)

// TestCompactStateRoundTrip: the compact State decodes to the State that
// was written, whatever its steps hold, and a full one still decodes.
func TestCompactStateRoundTrip(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC)
	at := func(d time.Duration) *time.Time { x := start.Add(d); return &x }
	earlier := start.Add(-48 * time.Hour) // a step kept from an earlier run
	paris := start.In(time.FixedZone("CET", 3600))
	far := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC) // beyond an int64 of nanoseconds
	tests := map[string]*State{
		"chain of successes": {WorkflowID: "w", PlanHash: "h", Status: InstanceSucceeded, StartTime: start, EndTime: at(time.Second), Run: 1, RunPolicy: StartFreshNewRun, Steps: []*StepState{
			{ID: "a", Type: "T", Mode: "local_activity", Status: Succeeded, Attempts: 1, StartTime: at(0), EndTime: at(time.Millisecond)},
			{ID: "b", Type: "T", Mode: "local_activity", Status: Succeeded, Attempts: 1, StartTime: at(time.Millisecond), EndTime: at(2 * time.Millisecond)},
			{ID: "c", Type: "NoOp", Mode: "inline", Status: Succeeded, Attempts: 1, StartTime: at(3 * time.Millisecond), EndTime: at(3 * time.Millisecond)},
		}},
		"failures, retries and steps never created": {WorkflowID: "w", Status: InstanceFailed, StartTime: start, Error: "boom", Warnings: []string{"x"}, Steps: []*StepState{
			{ID: "a", Type: "T", Mode: "activity", Status: UserFailed, Attempts: 3, Retries: Retries{Error: 2}, StartTime: at(0), EndTime: at(time.Minute), Error: "user", Params: map[string]sel.Value{"p": {Type: sel.Long, Value: int64(3)}}},
			{ID: "b", Type: "T", Mode: "activity", Status: NotCreated},
			{ID: "c", Type: "", Mode: "", Status: Succeeded, Attempts: 0, StartTime: at(time.Second)},
			{ID: "d", Type: "foreach", Mode: "child", Status: CompletedWithError, Attempts: 1, Loop: &LoopSummary{Iterations: 3, Counts: LoopCounts{Succeeded: 2, Failed: 1}}, SignalDependencies: []*SignalDependencyState{{Name: "s", Status: "MATCHED"}}},
		}},
		"times an offset cannot carry": {WorkflowID: "w", Status: InstanceSucceeded, StartTime: start, Run: 2, RunPolicy: "RESTART_FROM_INCOMPLETE", Steps: []*StepState{
			{ID: "kept", Type: "T", Mode: "inline", Status: Succeeded, Attempts: 1, Run: 1, StartTime: &earlier, EndTime: &earlier},
			{ID: "zone", Type: "T", Mode: "inline", Status: Succeeded, Attempts: 1, StartTime: &paris, EndTime: &paris},
			{ID: "far", Type: "T", Mode: "inline", Status: Succeeded, Attempts: 1, StartTime: &far, EndTime: at(0)},
			{ID: "end only", Type: "T", Mode: "inline", Status: Stopped, Attempts: 1, EndTime: at(0)},
		}},
		"no steps": {WorkflowID: "w", Status: InProgress, StartTime: start},
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			full, err := json.Marshal(s)
			require.NoError(t, err)
			require.NotContains(t, string(full), `"format"`)

			c := *s
			c.compact = true
			compact, err := json.Marshal(&c)
			require.NoError(t, err)
			require.Contains(t, string(compact), `"format":2`)
			var back State
			require.NoError(t, json.Unmarshal(compact, &back))
			require.False(t, back.compact, "a decoded State is written in the full encoding")
			again, err := json.Marshal(&back)
			require.NoError(t, err)
			require.JSONEq(t, string(full), string(again))
			for i, st := range s.Steps {
				if st.StartTime != nil {
					require.True(t, st.StartTime.Equal(*back.Steps[i].StartTime), st.ID)
				}
			}

			var old State
			require.NoError(t, json.Unmarshal(full, &old))
			require.False(t, old.compact)
			require.Equal(t, len(s.Steps), len(old.Steps))
			again, err = json.Marshal(&old)
			require.NoError(t, err)
			require.Equal(t, string(full), string(again))
		})
	}
}

func TestStateRefusesUnknownFormat(t *testing.T) {
	var s State
	err := json.Unmarshal([]byte(`{"format":5,"workflow_id":"w","status":"SUCCEEDED","steps":[]}`), &s)
	require.ErrorContains(t, err, "state format 5")
}
