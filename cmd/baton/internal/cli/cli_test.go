package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/workflows"
)

var samplesDir = filepath.Join("..", "..", "..", "..", "..", "shared", "maestro-samples")

func sample(name string) string { return filepath.Join(samplesDir, name) }

func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := Main(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "wf.json")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestUsage(t *testing.T) {
	code, _, errOut := runMain(t)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "Commands:")
	code, _, errOut = runMain(t, "frobnicate")
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, `unknown command "frobnicate"`)
}

func TestValidate(t *testing.T) {
	code, out, _ := runMain(t, "validate", sample("server__sample-dag-test-1.json"), sample("server__sample-conditional-wf.json"))
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "server__sample-dag-test-1.json: ok (6 steps")

	bad := writeFile(t, `{"workflow":{"id":"w","steps":[
		{"step":{"id":"a","type":"NoOp","transition":{"successors":{"job.9":"true"}}}},
		{"step":{"id":"b__c","type":"NoOp"}}]}}`)
	code, _, errOut := runMain(t, "validate", bad)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, `workflow.steps[0].step.transition.successors["job.9"]`)
	require.Contains(t, errOut, `workflow.steps[1].step.id`)

	code, out, errOut = runMain(t, "validate", sample("server__sample-dag-test-5.json"), sample("server__sample-signal-trigger-wf.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "server__sample-dag-test-5.json: ok (7 steps")

	titus := writeFile(t, `{"workflow":{"id":"w","steps":[{"step":{"id":"k","type":"Titus"}}]}}`)
	code, _, errOut = runMain(t, "validate", titus)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, "not supported yet")

	code, _, _ = runMain(t, "validate", sample("server__sample-kubernetes-wf.json"), sample("server__sample-notebook-wf.json"))
	require.Equal(t, exitOK, code)
}

func TestGraph(t *testing.T) {
	code, out, _ := runMain(t, "graph", sample("server__sample-conditional-wf.json"))
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "flowchart")
	require.Contains(t, out, "param2 #lt; 0")
	code, out, _ = runMain(t, "graph", "--format", "dot", sample("server__sample-dag-test-1.json"))
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "digraph")
}

func TestEval(t *testing.T) {
	code, out, _ := runMain(t, "eval", "x * 2 + 1", "-p", "x=20")
	require.Equal(t, exitOK, code)
	require.Equal(t, "41 (LONG)\n", out)
	code, out, _ = runMain(t, "eval", "Util.dateIntsBetween(20200101, 20200104, 1)")
	require.Equal(t, exitOK, code)
	require.Equal(t, "[20200101,20200102,20200103] (LONG_ARRAY)\n", out)
	code, _, errOut := runMain(t, "eval", "1 +")
	require.Equal(t, exitFailed, code)
	require.Regexp(t, `^baton eval: 1:\d+: `, errOut)
}

func TestRunSample(t *testing.T) {
	code, out, errOut := runMain(t, "run", sample("server__sample-conditional-wf.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "job.4")
	require.Contains(t, out, "UNSATISFIED")
	require.Contains(t, out, "sample-conditional-wf SUCCEEDED")

	code, out, errOut = runMain(t, "run", "--output", "json", sample("server__sample-dag-test-8.json"), "-p", "x=11")
	require.Equal(t, exitOK, code, errOut)
	var st workflows.State
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Equal(t, workflows.InstanceSucceeded, st.Status)
	require.Equal(t, workflows.Succeeded, st.Step("job.3").Status)
	require.Equal(t, int64(11), st.Params["x"].Value)
}

func TestRunFailedExitsNonZero(t *testing.T) {
	def := writeFile(t, `{"workflow":{"id":"w","steps":[
		{"step":{"id":"a","type":"NoOp","params":{"x":{"type":"LONG","expression":"1 / 0"}}}}]}}`)
	code, out, _ := runMain(t, "run", def)
	require.Equal(t, exitFailed, code)
	require.Contains(t, out, "INTERNALLY_FAILED")
	require.Contains(t, out, "w FAILED")
}
