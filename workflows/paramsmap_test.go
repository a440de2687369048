package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	W "github.com/batonhq/baton/workflows"
)

// TestParamsMapHoldsWorkflowParamsOnly: in a step, params['x'] reads the
// workflow params only and a missing name is NULL (Maestro's SelParams),
// while a bare name still reaches upstream step params.
func TestParamsMapHoldsWorkflowParamsOnly(t *testing.T) {
	def := `{"workflow":{"id":"pm","params":{"foo":{"type":"STRING","value":"123"}},"steps":[
		{"step":{"id":"job1","type":"NoOp","params":{"x":{"type":"LONG","value":7}},"transition":{"successors":{"job2":"params['nope'] == null && !(params['nope'] > 3)"}}}},
		{"step":{"id":"job2","type":"NoOp","params":{
			"a":{"type":"STRING","expression":"params['foo'] + '-1'"},
			"b":{"type":"BOOLEAN","expression":"params['job1__x'] == null"},
			"c":{"type":"LONG","expression":"job1__x + 1"},
			"d":{"type":"BOOLEAN","expression":"params.containsKey('x')"},
			"e":{"type":"BOOLEAN","expression":"params.get('later') != null"}}}}]}}`
	h := newHarness(t, nil)
	st := h.run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	p := st.Step("job2").Params
	require.Equal(t, W.Succeeded, st.Step("job2").Status)
	require.Equal(t, "123-1", p["a"].Value)
	require.Equal(t, true, p["b"].Value)
	require.Equal(t, int64(8), p["c"].Value)
	require.Equal(t, false, p["d"].Value)
	require.Equal(t, false, p["e"].Value)
}

// TestMaestroRulesKeepOldRunsOnOldRules: a run started before each change
// (GetVersion gives DefaultVersion, as on replay of an old history) keeps
// the old rule; a new run follows Maestro's.
func TestMaestroRulesKeepOldRunsOnOldRules(t *testing.T) {
	def := `{"workflow":{"id":"rules","params":{"_x":{"type":"STRING","value":"X"},"RUN_TS":{"type":"LONG","value":1704067200000}},"steps":[
		{"step":{"id":"s","type":"NoOp","params":{
			"text":{"type":"STRING","value":"a $_x ${foo"},
			"missing":{"type":"BOOLEAN","expression":"params.containsKey('s__nope') || params['_x'] == 'X'"}}}}]}}`
	plan := compileJSON(t, def, nil)

	h := newHarness(t, nil)
	st := h.run(t, plan, nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, "a $_x ${foo", st.Step("s").Params["text"].Value)
	require.Equal(t, "20240101", st.Params["TARGET_RUN_DATE"].Value)

	old := newHarness(t, nil)
	for _, change := range []string{W.ChangeInterpolation, W.ChangeParamsMap, W.ChangeSystemParamChain} {
		old.env.OnGetVersion(change, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	}
	st = old.run(t, plan, nil)
	require.Equal(t, W.InstanceFailed, st.Status, "the old rule reads ${foo as an error")
	require.Contains(t, st.Step("s").Error, "unterminated ${")
	require.NotEqual(t, "20240101", st.Params["TARGET_RUN_DATE"].Value, "the old rule derives it from the start time")
}

// TestInterpolationFollowsMaestroPattern: $name and ${name} need a letter
// first; anything else after a '$' stays literal.
func TestInterpolationFollowsMaestroPattern(t *testing.T) {
	def := `{"workflow":{"id":"interp","params":{"foo":{"type":"STRING","value":"F"},"_x":{"type":"STRING","value":"X"}},"steps":[
		{"step":{"id":"s","type":"NoOp","params":{"t":{"type":"STRING","value":"$foo ${foo} $_x ${_x} $9 ${9} $$foo ${foo"}}}}]}}`
	h := newHarness(t, nil)
	st := h.run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, "F F $_x ${_x} $9 ${9} $foo ${foo", st.Step("s").Params["t"].Value)
}
