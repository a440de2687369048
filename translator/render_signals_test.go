package translator

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/definition"
)

// TestRenderSignals: Maestro's dag-test-5 (two dependencies of job.1) and
// the output-signals sample draw each signal as a node with labelled
// dotted edges, in both formats.
func TestRenderSignals(t *testing.T) {
	for _, name := range []string{"server__sample-dag-test-5.json", "common__request__sample-active-wf-with-output-signals.json"} {
		t.Run(name, func(t *testing.T) {
			req, err := definition.DecodeFile(filepath.Join(samplesDir, name))
			if err != nil {
				t.Skipf("sample: %v", err)
			}
			p, err := Compile(req, Options{})
			require.NoError(t, err)
			golden(t, name+".mmd", Mermaid(p))
			golden(t, name+".dot", DOT(p))
		})
	}
}
