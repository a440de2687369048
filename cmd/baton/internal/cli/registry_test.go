package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/workflows"
)

// TestRegistryAcrossInvocations: push in one Main call, list and start in
// others, each with its own embedded server over the same --db file.
func TestRegistryAcrossInvocations(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "baton.db")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	v1 := write("v1.json", `{"properties":{"owner":{"name":"tester"},"description":"first"},
		"workflow":{"id":"reg-wf","name":"Registry test","params":{"x":{"type":"LONG","value":1}},
		"steps":[{"step":{"id":"a","type":"NoOp","params":{"y":{"type":"LONG","expression":"x * 10"}}}}]}}`)
	v2 := write("v2.json", `{"is_active":false,"properties":{"owner":{"name":"tester"},"description":"second"},
		"workflow":{"id":"reg-wf","steps":[{"step":{"id":"b","type":"NoOp"}}]}}`)

	code, out, errOut := runMain(t, "push", v1, "--db", db)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "pushed reg-wf version 1 (active, plan ")
	require.NotContains(t, errOut, "warning")
	code, out, errOut = runMain(t, "push", "--db", db, v2)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "pushed reg-wf version 2 (inactive")

	code, out, errOut = runMain(t, "versions", "reg-wf", "--db", db, "--output", "json")
	require.Equal(t, exitOK, code, errOut)
	var vs []registry.Version
	require.NoError(t, json.Unmarshal([]byte(out), &vs))
	require.Len(t, vs, 2)
	require.True(t, vs[0].Active)
	require.Equal(t, "first", vs[0].Description)
	require.False(t, vs[1].Active)
	code, out, errOut = runMain(t, "versions", "reg-wf", "--db", db)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "VERSION")
	require.Contains(t, out, "Registry test")

	// The active version (1), with a run param.
	code, out, errOut = runMain(t, "start", "reg-wf", "--db", db, "-p", "x=4", "--output", "json")
	require.Equal(t, exitOK, code, errOut)
	var st workflows.State
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	require.Equal(t, workflows.InstanceSucceeded, st.Status)
	require.Equal(t, int64(40), st.Step("a").Params["y"].Value)

	// By number and by latest: version 2.
	code, out, errOut = runMain(t, "start", "reg-wf", "--version", "latest", "--db", db)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "started reg-wf version 2")
	require.Contains(t, out, "reg-wf SUCCEEDED")
	// The run carries the version as its BatonVersion search attribute.
	id := regexp.MustCompile(`\(workflow (\S+), run`).FindStringSubmatch(out)[1]
	code, out, errOut = runMain(t, "describe", id, "--db", db, "--output", "json")
	require.Equal(t, exitOK, code, errOut)
	var d client.RunDescription
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	require.Equal(t, int64(2), d.Version)
	require.Equal(t, "reg-wf", d.WorkflowID)
	require.Equal(t, "Maestro reg-wf v2 (1 steps)", d.Summary)

	// Unknown version and id.
	code, _, errOut = runMain(t, "start", "reg-wf", "--version", "9", "--db", db)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, `no version 9`)
	code, _, errOut = runMain(t, "versions", "nope", "--db", db)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, `no workflow "nope" in the registry`)
}

func TestPushRefusesInvalid(t *testing.T) {
	bad := writeFile(t, `{"workflow":{"id":"w","steps":[{"step":{"id":"a","type":"NoOp","transition":{"successors":{"zz":"true"}}}}]}}`)
	code, _, errOut := runMain(t, "push", bad)
	require.Equal(t, exitFailed, code)
	require.Contains(t, errOut, `workflow.steps[0].step.transition.successors["zz"]`)
	code, _, _ = runMain(t, "push")
	require.Equal(t, exitUsage, code)
}
