package definition

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParamNamesFollowStepIDRules: param names, at any level, follow
// Maestro's MaestroReferenceIdConstraint, as step ids do.
func TestParamNamesFollowStepIDRules(t *testing.T) {
	es := validationErrors(t, `{"workflow":{"id":"wf","params":{
		"$foo":{"type":"LONG","value":1},"a__b":{"type":"LONG","value":1},"maestro_x":{"type":"LONG","value":1},
		"MAESTRO_Y":{"type":"LONG","value":1},"1abc":{"type":"LONG","value":1},"bad name":{"type":"LONG","value":1},
		"ok.name-1":{"type":"LONG","value":1},"_ok":{"type":"LONG","value":1}},
		"steps":[{"step":{"id":"s","type":"NoOp","params":{"m":{"type":"MAP","value":{"x y":{"type":"LONG","value":1}}}}}}]}}`)
	var got []string
	for _, e := range es {
		got = append(got, e.Error())
	}
	require.Equal(t, []string{
		`workflow.params["$foo"]: invalid param name "$foo": must match ^[_a-zA-Z][.\-_a-zA-Z0-9]*$`,
		`workflow.params["1abc"]: invalid param name "1abc": must match ^[_a-zA-Z][.\-_a-zA-Z0-9]*$`,
		`workflow.params["MAESTRO_Y"]: invalid param name "MAESTRO_Y": the prefix maestro_ is reserved`,
		`workflow.params["a__b"]: invalid param name "a__b": must not contain __ (the step param separator)`,
		`workflow.params["bad name"]: invalid param name "bad name": must match ^[_a-zA-Z][.\-_a-zA-Z0-9]*$`,
		`workflow.params["maestro_x"]: invalid param name "maestro_x": the prefix maestro_ is reserved`,
		`workflow.steps[0].step.params["m"].value["x y"]: invalid param name "x y": must match ^[_a-zA-Z][.\-_a-zA-Z0-9]*$`,
	}, got)
}

func TestStepIDReservedPrefixIgnoresCase(t *testing.T) {
	es := validationErrors(t, `{"workflow":{"id":"wf","steps":[{"step":{"id":"Maestro_s","type":"NoOp"}}]}}`)
	require.Len(t, es, 1)
	require.Equal(t, `workflow.steps[0].step.id: invalid step id "Maestro_s": the prefix maestro_ is reserved`, es[0].Error())
}
