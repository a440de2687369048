package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/workflows"
)

// TestRestartFromStepCommand drives baton restart --from-step and
// --request with Maestro's two restart fixtures over one --db file.
func TestRestartFromStepCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "baton.db")
	// bar fails until a restart param foo exists; the fixtures' RestartConfig
	// adds it, changes step_1's and step_2's params and skips step_3/step_4.
	def := writeFile(t, `{"workflow":{"id":"restart-step-wf","steps":[
		{"step":{"id":"bar","type":"NoOp","params":{"gate":{"type":"LONG","expression":"if (params['foo'] == null) throw 'no foo yet'; return 1;"}},
		  "transition":{"successors":{"step_1":"true","step_3":"true"}}}},
		{"step":{"id":"step_1","type":"NoOp","params":{"param1":{"type":"STRING","value":"x"}},"transition":{"successors":{"step_2":"true"}}}},
		{"step":{"id":"step_2","type":"NoOp","params":{"param2":{"type":"STRING","value":"y"}}}},
		{"step":{"id":"step_3","type":"NoOp","transition":{"successors":{"step_4":"true"}}}},
		{"step":{"id":"step_4","type":"NoOp"}}]}}`)
	code, out, errOut := runMain(t, "run", def, "--db", db)
	require.Equal(t, exitFailed, code, errOut)
	m := regexp.MustCompile(`\(workflow (\S+), run`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	id := m[1]
	restart := func(args ...string) (int, *workflows.State, string) {
		t.Helper()
		code, out, errOut := runMain(t, append([]string{"restart", id, "--db", db, "--output", "json"}, args...)...)
		if code != exitOK {
			return code, nil, errOut
		}
		var st workflows.State
		require.NoError(t, json.Unmarshal([]byte(out), &st), out)
		return code, &st, errOut
	}

	// Refusals: before anything starts, with a reason.
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--skip", "step_3"}, exitUsage, "need --from-step or --request"},
		{[]string{"--from-step", "bar", "--upstream-mode", "sideways"}, exitUsage, `--upstream-mode "sideways"`},
		{[]string{"--from-step", "nope"}, exitFailed, `step "nope": no such step`},
		{[]string{"--from-step", "step_1"}, exitFailed, `step "step_1" was not created in run 1`},
		{[]string{"--from-step", "bar", "--step-params", `{"x":{"type":"LONG"}}`}, exitUsage, "--step-params"},
		{[]string{"--request", sample("common__api__sample-step-restart-request-from-root.json")}, exitUsage, "names no step; give --from-step"},
	} {
		code, _, errOut := restart(tt.args...)
		require.Equal(t, tt.code, code, "%v: %s", tt.args, errOut)
		require.Contains(t, errOut, tt.msg, tt.args)
	}

	// Maestro's RestartConfig: restart_path names step bar, policy
	// RESTART_FROM_INCOMPLETE, its restart_params, step_restart_params and
	// skip_steps.
	code, st, errOut := restart("--request", sample("common__instances__sample-restart-config-skip-steps.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, workflows.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, workflows.RestartFromIncomplete, st.RunPolicy)
	require.Equal(t, "bar", st.Params["foo"].Value)
	require.Equal(t, int64(2), st.Params["bbb"].Value, "the expression 1 + 1;")
	require.Equal(t, "foo", st.Step("step_1").Params["param1"].Value)
	require.Equal(t, "bar", st.Step("step_2").Params["param2"].Value)
	require.Equal(t, workflows.Skipped, st.Step("step_3").Status)
	require.Equal(t, workflows.Skipped, st.Step("step_4").Status)

	// Maestro's step restart request: RESTART_FROM_INLINE_ROOT with
	// RESTART_FROM_BEGINNING restarts the whole run, step_1's params set.
	code, st, errOut = restart("--request", sample("common__api__sample-step-restart-request-from-root.json"), "--from-step", "step_1")
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, workflows.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, workflows.RestartFromBeginning, st.RunPolicy)
	require.Equal(t, 3, st.Run)
	p := st.Step("step_1").Params
	require.Equal(t, "bar", p["foo"].Value)
	require.Equal(t, int64(123), p["auu"].Value)
	require.Equal(t, int64(2), p["bbb"].Value)
	require.Equal(t, "x", p["param1"].Value)

	// --from-step with -p (typed by the step's declaration) and --skip.
	code, st, errOut = restart("--from-step", "step_1", "-p", "param1=changed", "--skip", "step_2")
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, workflows.RestartFromSpecific, st.RunPolicy)
	require.Equal(t, "changed", st.Step("step_1").Params["param1"].Value)
	require.Equal(t, workflows.Skipped, st.Step("step_2").Status)
	require.Equal(t, 3, st.Step("step_3").Run, "a branch that does not follow step_1 is kept")
}
