package workflows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/sel"
)

// TestChainedStateRoundTrip: a State written in format 4 decodes, by the
// scan and by encoding/json, to the State its format 3 decodes to; the
// writer's bytes are encoding/json's; a step that starts where the step
// before it ended is written by its duration alone, every other step as
// in format 3.
func TestChainedStateRoundTrip(t *testing.T) {
	start := time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC)
	at := func(d time.Duration) *time.Time { x := start.Add(d); return &x }
	paris := at(5 * time.Second).In(time.FixedZone("CET", 3600))
	params := map[string]sel.Value{}
	startParams(start, "w", func(name string, v sel.Value) { params[name] = v })
	step := func(id string, from, to *time.Time) *StepState {
		return &StepState{ID: id, Type: "T", Mode: "local_activity", Status: Succeeded, Attempts: 1, StartTime: from, EndTime: to}
	}
	tests := []struct {
		name    string
		steps   []*StepState
		chained []string // the steps written by their duration alone
	}{
		{"a chain", []*StepState{step("a", at(0), at(time.Millisecond)), step("b", at(time.Millisecond), at(3*time.Millisecond)),
			step("c", at(3*time.Millisecond), at(3*time.Millisecond))}, []string{"b", "c"}},
		{"a gap", []*StepState{step("a", at(0), at(time.Millisecond)), step("b", at(2*time.Millisecond), at(3*time.Millisecond))}, nil},
		{"after a step never created", []*StepState{step("a", at(0), at(time.Millisecond)), {ID: "n", Status: NotCreated},
			step("b", at(time.Millisecond), at(2*time.Millisecond))}, nil},
		{"after a step still running", []*StepState{step("a", at(0), nil), step("b", at(0), at(time.Millisecond))}, nil},
		{"a running step after a chain", []*StepState{step("a", at(0), at(time.Millisecond)), step("b", at(time.Millisecond), nil)}, nil},
		{"after an end in another zone", []*StepState{step("a", at(0), &paris), step("b", at(5*time.Second), at(6*time.Second))}, nil},
		{"after an end without a start", []*StepState{step("a", nil, at(time.Second)), step("b", at(time.Second), at(2*time.Second))}, []string{"b"}},
		{"after a chained step that failed", []*StepState{step("a", at(0), at(time.Second)),
			{ID: "b", Type: "T", Status: UserFailed, Attempts: 2, Retries: Retries{Error: 1}, StartTime: at(time.Second), EndTime: at(2 * time.Second), Error: "x"},
			step("c", at(2*time.Second), at(3*time.Second))}, []string{"b", "c"}},
		{"a step before the run's start (a restart's)", []*StepState{step("a", at(-time.Hour), at(-time.Minute)), step("b", at(-time.Minute), at(0))}, []string{"b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := State{WorkflowID: "w", Status: InstanceSucceeded, StartTime: start, EndTime: at(time.Hour), Params: params, Steps: tc.steps,
				compact: true, leanParams: true}
			lean, err := json.Marshal(&s)
			require.NoError(t, err)
			require.Contains(t, string(lean), `"format":3,`)

			s.chained = true
			got, err := json.Marshal(&s)
			require.NoError(t, err)
			ref, err := marshalStateReflect(&s)
			require.NoError(t, err)
			require.Equal(t, string(ref), string(got), "the writer writes what encoding/json does")
			require.Contains(t, string(got), `"format":4,`)
			var raw struct {
				Steps []map[string]any `json:"steps"`
			}
			require.NoError(t, json.Unmarshal(got, &raw))
			var chained []string
			for _, st := range raw.Steps {
				_, hasAt := st["at"]
				if _, hasDur := st["dur"]; hasDur && !hasAt {
					chained = append(chained, st["id"].(string))
				}
			}
			require.Equal(t, tc.chained, chained)
			require.Equal(t, len(strings.Join(offsetsOf(lean, tc.chained), "")), len(lean)-len(got),
				"only the offsets of the chained steps are left out")

			var want, scanned, reflected State
			require.NoError(t, json.Unmarshal(lean, &want))
			require.True(t, scanState(got, &scanned), "the scan reads a chained State")
			require.NoError(t, unmarshalStateReflect(got, &reflected))
			require.Equal(t, want, scanned)
			require.Equal(t, want, reflected)
		})
	}
}

// offsetsOf lists the `"at":N,` of the steps ids in a compact State.
func offsetsOf(b []byte, ids []string) []string {
	var out []string
	for _, id := range ids {
		s := string(b)
		i := strings.Index(s, `{"id":"`+id+`"`)
		if i < 0 {
			continue
		}
		s = s[i+1:]
		if k := strings.Index(s, `{"id":"`); k >= 0 {
			s = s[:k] // the step's own keys
		}
		j := strings.Index(s, `"at":`)
		if j < 0 {
			continue
		}
		end := j + strings.Index(s[j:], ",") + 1
		out = append(out, s[j:end])
	}
	return out
}
