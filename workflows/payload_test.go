package workflows_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// TestRunInputEncodings: a compact input carries the same plan and says
// so; a canonical one (every history before the compact encoding) still
// decodes, without Compact.
func TestRunInputEncodings(t *testing.T) {
	plan := compileSample(t, "server__sample-foreach-wf.json")
	canonical, err := translator.Encode(plan)
	require.NoError(t, err)
	for _, c := range []struct{ compact, indent bool }{{false, false}, {true, false}, {true, true}} {
		compact := c.compact
		in := workflows.RunInput{Plan: plan, Initiator: "MANUAL", Depth: 1, Compact: compact}
		b, err := json.Marshal(in)
		require.NoError(t, err)
		if c.indent { // not as EncodeCompact writes it: read by its format_version
			var buf bytes.Buffer
			require.NoError(t, json.Indent(&buf, b, "", "  "))
			b = buf.Bytes()
		}
		require.Equal(t, compact, json.Valid(b) && containsFormat(b, translator.CompactFormatVersion))
		var back workflows.RunInput
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, compact, back.Compact)
		require.Equal(t, "MANUAL", back.Initiator)
		require.Equal(t, 1, back.Depth)
		again, err := translator.Encode(back.Plan)
		require.NoError(t, err)
		require.Equal(t, string(canonical), string(again))
	}
	var none workflows.RunInput
	require.NoError(t, json.Unmarshal([]byte(`{"initiator":"MANUAL"}`), &none))
	require.Nil(t, none.Plan)
	require.Error(t, json.Unmarshal([]byte(`{"plan":{"format_version":2,"steps":"x"}}`), &none))
}

func containsFormat(b []byte, v int) bool {
	var m struct {
		Plan struct {
			FormatVersion int `json:"format_version"`
		} `json:"plan"`
	}
	return json.Unmarshal(b, &m) == nil && m.Plan.FormatVersion == v
}

// TestCompactRunResult: a run whose input is compact returns (and answers
// the state query with) the same State as one whose input is not, in a
// fraction of the bytes.
func TestCompactRunResult(t *testing.T) {
	plan := compileJSON(t, string(benchChain(300, "BenchLocal")), localMode("BenchLocal"))
	types := map[string]activities.StepType{"BenchLocal": benchNoOp}
	states := map[bool]*workflows.State{}
	sizes := map[bool]int{}
	for _, compact := range []bool{false, true} {
		h := newHarness(t, types)
		st := h.runInput(t, workflows.RunInput{Plan: plan, Compact: compact})
		q, err := h.env.QueryWorkflow(workflows.QueryState)
		require.NoError(t, err)
		var queried workflows.State
		require.NoError(t, q.Get(&queried))
		require.Len(t, queried.Steps, 300)
		var raw json.RawMessage // the result's payload as the run wrote it
		require.NoError(t, h.env.GetWorkflowResult(&raw))
		states[compact], sizes[compact] = st, len(raw)
	}
	full, compact := states[false], states[true]
	require.Equal(t, workflows.InstanceSucceeded, compact.Status)
	require.Len(t, compact.Steps, len(full.Steps))
	for i, want := range full.Steps {
		got := compact.Steps[i]
		require.Equal(t, want.ID, got.ID)
		require.Equal(t, want.Type, got.Type)
		require.Equal(t, want.Mode, got.Mode)
		require.Equal(t, want.Status, got.Status)
		require.Equal(t, want.Attempts, got.Attempts)
		require.Equal(t, want.Duration(), got.Duration())
		require.Equal(t, want.StartTime.Sub(full.StartTime), got.StartTime.Sub(compact.StartTime))
	}
	require.Less(t, sizes[true]*4, sizes[false], "the compact State is at most a quarter of the full one")
}

// TestPayloadSizeOf300StepChain fails if the bytes a 300-step
// local-activity chain carries grow back. Measured when the compact
// encodings came in (session 5): the canonical plan 61,936 bytes and the
// compact one 9,143 (about 30 bytes a step: its id and next step); the
// full State 59,999 bytes and the compact one 10,254 here, where the test
// environment's clock gives every step the same time (on a server "at"
// takes about 8 more bytes a step, ~12.6 KB). The bounds leave ~30% room
// for a new field, not for a per-step field on every step.
func TestPayloadSizeOf300StepChain(t *testing.T) {
	plan := compileJSON(t, string(benchChain(300, "BenchLocal")), localMode("BenchLocal"))
	in, err := json.Marshal(workflows.RunInput{Plan: plan, Compact: true})
	require.NoError(t, err)
	require.Less(t, len(in), 12_000, "compact run input of a 300-step chain")

	h := newHarness(t, map[string]activities.StepType{"BenchLocal": benchNoOp})
	h.runInput(t, workflows.RunInput{Plan: plan, Compact: true})
	var out json.RawMessage // the result's payload as the run wrote it
	require.NoError(t, h.env.GetWorkflowResult(&out))
	require.Less(t, len(out), 13_500, "compact State of a 300-step chain")
}
