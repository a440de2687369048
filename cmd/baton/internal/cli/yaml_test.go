package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// planOf is the plan hash `baton validate` prints for a file.
func planOf(t *testing.T, file string) string {
	t.Helper()
	code, out, errOut := runMain(t, "validate", file)
	require.Equal(t, exitOK, code, errOut)
	m := regexp.MustCompile(`plan ([0-9a-f]+)\)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	return m[1]
}

// TestConvert: JSON to YAML and back, and YAML to JSON, keep the plan.
func TestConvert(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"server__sample-conditional-wf.json", "server__sample-foreach-wf.json", "server__yaml__sample-conditional-wf.yaml"} {
		t.Run(name, func(t *testing.T) {
			src := sample(name)
			code, y, errOut := runMain(t, "convert", src, "--to", "yaml")
			require.Equal(t, exitOK, code, errOut)
			require.Contains(t, y, "Workflow:\n")
			yf := filepath.Join(dir, name+".yaml")
			require.NoError(t, os.WriteFile(yf, []byte(y), 0o600))
			code, j, errOut := runMain(t, "convert", yf, "--to", "json")
			require.Equal(t, exitOK, code, errOut)
			jf := filepath.Join(dir, name+".json")
			require.NoError(t, os.WriteFile(jf, []byte(j), 0o600))
			require.Equal(t, planOf(t, src), planOf(t, yf))
			require.Equal(t, planOf(t, src), planOf(t, jf))
		})
	}
	code, _, _ := runMain(t, "convert", sample("server__sample-conditional-wf.json"))
	require.Equal(t, exitUsage, code, "--to is required")
	code, _, _ = runMain(t, "convert", sample("server__sample-conditional-wf.json"), "--to", "xml")
	require.Equal(t, exitUsage, code)
}

// TestYAMLErrorsPrintLineAndColumn: a YAML definition's errors, from
// decoding or validation, start with file:line:column.
func TestYAMLErrorsPrintLineAndColumn(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("Workflow:\n  id: w\n  jobs:\n    - job:\n        id: a\n        type: NoOp\n        transition: [nowhere]\n    - job: {id: b}\n"), 0o600))
	code, _, errOut := runMain(t, "validate", bad)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, bad+`:8:7: workflow.steps[1].step.type: required`)

	bad2 := filepath.Join(dir, "bad2.yml")
	require.NoError(t, os.WriteFile(bad2, []byte("Workflow:\n  id: w\n  jobs:\n    - job:\n        id: a\n        type: NoOp\n        transition: [nowhere]\n"), 0o600))
	for _, cmd := range []string{"validate", "graph", "run", "convert"} {
		args := []string{cmd, bad2}
		if cmd == "convert" {
			continue // convert only decodes; the transition is a validation error
		}
		code, _, errOut = runMain(t, args...)
		require.Equal(t, exitFailed, code, cmd)
		require.Contains(t, errOut, bad2+`:7:22: workflow.steps[0].step.transition.successors["nowhere"]: `, cmd)
	}

	noext := filepath.Join(dir, "definition")
	require.NoError(t, os.WriteFile(noext, []byte("workflow:\n  id: w\n  jobs: [{job: {id: a, type: NoOp}}]\n"), 0o600))
	code, out, errOut := runMain(t, "validate", noext)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "ok (1 steps")
}

// TestGraphRendersRefusedAndLoops: graph draws what run refuses (with a
// warning) and loops as subgraphs.
func TestGraphRendersRefusedAndLoops(t *testing.T) {
	titus := writeFile(t, `{"workflow":{"id":"w","steps":[{"step":{"id":"k","type":"Titus"}}]}}`)
	code, out, errOut := runMain(t, "graph", titus)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "flowchart")
	require.Contains(t, errOut, "warning: workflow.steps[0].step.type: not supported yet: step type Titus")

	// Signals are drawn as nodes, dependencies and outputs as labelled edges.
	code, out, errOut = runMain(t, "graph", "--format", "dot", sample("server__sample-dag-test-5.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Empty(t, errOut)
	require.Contains(t, out, `"signal:signal_b" -> "job.1" [style=dotted, label="key2 = \"value2\""];`)

	code, out, errOut = runMain(t, "graph", sample("server__sample-nested-foreach-wf.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "subgraph s0 [")
	code, out, errOut = runMain(t, "graph", "--format", "dot", sample("server__sample-nested-foreach-wf.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, `subgraph "cluster_foreach-job" {`)

	code, out, errOut = runMain(t, "graph", sample("server__yaml__sample-http-wf.yaml"))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "s3 --> s4")
}
