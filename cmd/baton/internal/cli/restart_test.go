package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/workflows"
)

// TestRestartAcrossInvocations: a run fails in one Main call and is
// restarted from incomplete, with a changed param, in another over the
// same --db file.
func TestRestartAcrossInvocations(t *testing.T) {
	db := filepath.Join(t.TempDir(), "baton.db")
	def := writeFile(t, `{"workflow":{"id":"restart-wf","params":{"fail":{"type":"BOOLEAN","value":true}},"steps":[
		{"step":{"id":"a","type":"NoOp","params":{"x":{"type":"LONG","expression":"return 7;"}},"transition":{"successors":{"b":"true"}}}},
		{"step":{"id":"b","type":"NoOp","params":{"y":{"type":"LONG","expression":"if (fail) throw 'failing on purpose'; return a__x * 2;"}}}}]}}`)
	code, out, _ := runMain(t, "run", def, "--db", db)
	require.Equal(t, exitFailed, code)
	m := regexp.MustCompile(`\(workflow (\S+), run`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	id := m[1]

	code, _, errOut := runMain(t, "restart", id)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "--db")
	code, _, errOut = runMain(t, "restart", id, "--db", db, "--policy", "sideways")
	require.Equal(t, exitUsage, code, errOut)

	code, out, errOut = runMain(t, "restart", id, "--db", db, "-p", "fail=false", "--output", "json")
	require.Equal(t, exitOK, code, errOut)
	var st workflows.State
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Equal(t, workflows.InstanceSucceeded, st.Status)
	require.Equal(t, 2, st.Run)
	require.Equal(t, 1, st.Step("a").Run)
	require.Equal(t, int64(14), st.Step("b").Params["y"].Value)

	code, _, errOut = runMain(t, "restart", id, "--db", db)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, "nothing to restart")
}
