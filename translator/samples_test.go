package translator

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/batonhq/baton/definition"
	"github.com/stretchr/testify/require"
)

const samplesDir = "../../shared/maestro-samples"

func loadSample(t *testing.T, name string) *definition.Request {
	t.Helper()
	path := filepath.Join(samplesDir, name)
	req, err := definition.DecodeFile(path)
	if err != nil && strings.Contains(err.Error(), "no such file") {
		t.Skipf("samples not found: %v", err)
	}
	require.NoError(t, err)
	require.NoError(t, definition.Validate(req), "%s must pass validation before it is compiled", name)
	return req
}

func TestCompileSamples(t *testing.T) {
	for _, name := range []string{
		"server__sample-dag-test-1.json", "server__sample-dag-test-2.json", "server__sample-dag-test-3.json",
		"server__sample-dag-test-4.json", "server__sample-dag-test-6.json", "server__sample-dag-test-7.json",
		"server__sample-dag-test-8.json", "server__sample-dag-test-9.json", "server__sample-conditional-wf.json",
		"server__sample-foreach-wf.json", "server__sample-large-foreach-wf.json", "server__sample-nested-foreach-wf.json",
		"server__sample-while-wf.json", "server__sample-subworkflow-wf.json", "server__sample-mixed-wf.json",
		"server__sample-kubernetes-wf.json", "server__sample-kubernetes-env-wf.json", "server__sample-kubernetes-output-wf.json",
		"server__sample-kubernetes-nonretryable-wf.json", "server__sample-notebook-wf.json",
		"server__sample-dag-test-5.json", "server__sample-dag-test-10.json",
		"common__request__sample-active-wf-with-step-signal-dependencies.json",
		"common__request__sample-active-wf-with-output-signals.json",
		"server__sample-signal-trigger-wf.json",
	} {
		t.Run(name, func(t *testing.T) {
			p, err := Compile(loadSample(t, name), Options{})
			require.NoError(t, err)
			require.NotEmpty(t, p.Steps)
			b, err := Encode(p)
			require.NoError(t, err)
			q, err := Decode(b)
			require.NoError(t, err)
			b2, err := Encode(q)
			require.NoError(t, err)
			require.Equal(t, string(b), string(b2))
			require.NoError(t, Verify(q))
		})
	}
}

// TestEverySampleCompilesOrIsRefused: no sample panics, and each decoded
// sample either compiles or is refused with path-carrying errors.
func TestEverySampleCompilesOrIsRefused(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.json"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("samples not found")
	}
	for _, f := range files {
		req, err := definition.DecodeFile(f)
		if err != nil {
			continue // not a create request, or refused by definition
		}
		require.NotPanics(t, func() {
			p, err := Compile(req, Options{})
			if err != nil {
				es, ok := err.(Errors)
				require.True(t, ok, "%s: %v", f, err)
				for _, e := range es {
					require.NotEmpty(t, e.Path, "%s: %v", f, e)
				}
				return
			}
			Mermaid(p)
			DOT(p)
		}, f)
	}
}
