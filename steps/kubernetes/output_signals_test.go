package kubernetes

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
)

// TestDynamicSignalOutputs reads Maestro's DynamicOutputArtifact (its
// sample fixture's shape): each MAP names its signal in "name"; the other
// entries are the signal's params, STRING or LONG.
func TestDynamicSignalOutputs(t *testing.T) {
	out := func(js string) []byte { return []byte(OutputStartToken + js + OutputEndToken) }
	s := &Step{}
	res, err := s.outcome(&JobResult{Where: "w", Log: out(`{"artifacts":{"maestro_dynamic_output":{"signal_outputs":[
		{"value":{"name":{"value":"demo_table","type":"STRING"},"timestamp":{"value":1536787990,"type":"LONG"}},"type":"MAP",
		 "evaluated_result":{"name":"demo_table","timestamp":1536787990},"evaluated_time":1625871404000},
		{"value":{"name":{"value":"t2","type":"STRING"},"part":{"value":"p1","type":"STRING"}},"type":"MAP"}],"type":"DYNAMIC_OUTPUT"}}}`)})
	require.NoError(t, err)
	require.Equal(t, []activities.SignalOutput{
		{Name: "demo_table", Params: map[string]any{"timestamp": int64(1536787990)}},
		{Name: "t2", Params: map[string]any{"part": "p1"}},
	}, res.Signals)
	require.Equal(t, "w", res.Outputs[jobParam], "the artifact is read, not listed as ignored")

	for _, bad := range []struct{ js, want string }{
		{`{"signal_outputs":[{"type":"MAP","evaluated_result":{"timestamp":1}}]}`, `no STRING entry "name"`},
		{`{"signal_outputs":[{"type":"MAP","evaluated_result":{"name":"t","f":1.5}}]}`, `param "f" is a float64`},
	} {
		_, err := s.outcome(&JobResult{Where: "w", Log: out(`{"artifacts":{"maestro_dynamic_output":` + bad.js + `}}`)})
		require.ErrorContains(t, err, bad.want)
	}
}
