package workflows_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/workflows"
)

// BenchmarkPayload300 is what a 300-step local-activity chain's payloads
// cost per run besides the steps: the client encodes the compact plan
// (encode-input), the worker decodes it (decode-input) and encodes the compact State (encode-state), the client
// decodes it (decode-state). They grow with the run's size, as the
// bench's local-activity chain row is measured against a floor that
// carries a few bytes:
//
//	go test -run '^$' -bench Payload300 -benchmem ./workflows/
func BenchmarkPayload300(b *testing.B) {
	t := &testing.T{}
	plan := compileJSON(t, string(benchChain(300, "BenchLocal")), localMode("BenchLocal"))
	in, err := json.Marshal(clientInput(plan)) // what a client's start sends
	require.NoError(b, err)
	h := newHarness(t, map[string]activities.StepType{"BenchLocal": benchNoOp})
	h.env.ExecuteWorkflow(workflows.WorkflowName, workflows.RunInput{Plan: plan, Compact: true})
	var out json.RawMessage // the run's result payload: the compact State
	require.NoError(b, h.env.GetWorkflowResult(&out))
	var st workflows.State
	require.NoError(b, json.Unmarshal(out, &st))
	require.Len(b, st.Steps, 300)
	b.Run("encode-input", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(clientInput(plan)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-input", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ri workflows.RunInput
			if err := json.Unmarshal(in, &ri); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The reference codecs by encoding/json in the same run: their ratio
	// to the hand-written ones does not depend on the machine's load.
	b.Run("decode-state-reflect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var st workflows.State
			if err := workflows.UnmarshalStateReflect(out, &st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-state", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var st workflows.State
			if err := json.Unmarshal(out, &st); err != nil {
				b.Fatal(err)
			}
		}
	})
	workflows.MakeCompact(&st)
	b.Run("encode-state-reflect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := workflows.MarshalStateReflect(&st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode-state", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(st); err != nil {
				b.Fatal(err)
			}
		}
	})
}
