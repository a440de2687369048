package translator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

// TestCompileTypedStepSignals compiles Maestro's typed-step fixture (a
// Sleep step with two signal dependencies and a signal output) inside a
// workflow: the dependencies keep their conditions in name order, the
// output its params.
func TestCompileTypedStepSignals(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samplesDir, "common__typedsteps__sample-typed-step.json"))
	if err != nil {
		t.Skipf("sample: %v", err)
	}
	var step map[string]any
	require.NoError(t, json.Unmarshal(data, &step))
	delete(step["step"].(map[string]any), "transition") // its successors are not in the fixture
	wf, err := json.Marshal(map[string]any{"workflow": map[string]any{"id": "typed", "steps": []any{step}}})
	require.NoError(t, err)
	req, err := definition.Decode(wf)
	require.NoError(t, err)
	require.NoError(t, definition.Validate(req))
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	n := p.Steps[0]
	require.Len(t, n.SignalDependencies, 2)
	require.Equal(t, "signal_a", n.SignalDependencies[0].Name)
	require.Equal(t, "key1", n.SignalDependencies[0].Match[0].Param)
	require.Equal(t, "=", n.SignalDependencies[0].Match[0].Operator)
	require.Equal(t, "value1", n.SignalDependencies[0].Match[0].Value.Literal)
	require.Len(t, n.SignalOutputs, 1)
	require.Equal(t, "table_0", n.SignalOutputs[0].Name)
	require.Equal(t, sel.String, n.SignalOutputs[0].Params["p2"].Type)
	require.Equal(t, "1+1", n.SignalOutputs[0].Params["p2"].Expr)
	// The plan round-trips through its encoding with the signals.
	b, err := Encode(p)
	require.NoError(t, err)
	q, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, "value1", q.Steps[0].SignalDependencies[0].Match[0].Value.Literal)
}
