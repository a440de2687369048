package workflows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/sel"
)

// TestLeanStateRoundTrip: a State written lean decodes, by the scan and by
// encoding/json, to the State its compact encoding decodes to; a State
// whose params are not all the derived start params is written compact
// with all of them; the writer's bytes are encoding/json's.
func TestLeanStateRoundTrip(t *testing.T) {
	start := time.Date(2026, 12, 1, 23, 30, 0, 123456789, time.UTC)
	end := start.Add(time.Second)
	withStart := func(at time.Time, workflowID string, extra map[string]sel.Value) map[string]sel.Value {
		m := map[string]sel.Value{}
		startParams(at, workflowID, func(name string, v sel.Value) { m[name] = v })
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	owner := map[string]sel.Value{"owner": {Type: sel.String, Value: "me"}, "p": {Type: sel.Long, Value: int64(3)}}
	moved := withStart(start, "w", owner)
	moved["RUN_TS"] = sel.Value{Type: sel.Long, Value: int64(1)}
	missing := withStart(start, "w", nil)
	delete(missing, "RUN_DATE_MINUS_7")
	asString := withStart(start, "w", nil)
	asString["RUN_TS"] = sel.Value{Type: sel.String, Value: "1796168000000"}
	steps := []*StepState{{ID: "a", Type: "NoOp", Mode: "inline", Status: Succeeded, Attempts: 1, StartTime: &start, EndTime: &end}}
	tests := []struct {
		name   string
		params map[string]sel.Value
		asked  bool
		lean   bool
	}{
		{"a top-level run's params", withStart(start, "w", owner), true, true},
		{"the start params alone", withStart(start, "w", nil), true, true},
		{"a worker not asked (an old client)", withStart(start, "w", owner), false, false},
		{"RUN_TS set by a param", moved, true, false},
		{"a loop iteration's params, its loop's start", withStart(start.Add(-time.Hour), "w", nil), true, false},
		{"another workflow id", withStart(start, "other", nil), true, false},
		{"one start param missing", missing, true, false},
		{"a start param of another type", asString, true, false},
		{"an inline run: no params", nil, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := State{WorkflowID: "w", Status: InstanceSucceeded, StartTime: start, EndTime: &end, Params: tc.params, Steps: steps, compact: true}
			want, err := json.Marshal(&s)
			require.NoError(t, err)
			require.Contains(t, string(want), `"format":2`)

			s.leanParams = tc.asked
			got, err := json.Marshal(&s)
			require.NoError(t, err)
			ref, err := marshalStateReflect(&s)
			require.NoError(t, err)
			require.Equal(t, string(ref), string(got), "the writer writes what encoding/json does")
			if !tc.lean {
				require.Equal(t, string(want), string(got))
				return
			}
			require.Contains(t, string(got), `"format":3`)
			require.NotContains(t, string(got), "RUN_TS")
			require.NotContains(t, string(got), "DERIVED_RUN_DATE_UTC")
			require.Less(t, len(got)+1000, len(want), "the start params are most of a one-step State")

			var fromCompact, scanned, reflected State
			require.NoError(t, json.Unmarshal(want, &fromCompact))
			require.True(t, scanState(got, &scanned), "the scan reads a lean State")
			require.NoError(t, unmarshalStateReflect(got, &reflected))
			require.Equal(t, fromCompact, scanned)
			require.Equal(t, fromCompact, reflected)
			require.Equal(t, tc.params, scanned.Params)
		})
	}
}
