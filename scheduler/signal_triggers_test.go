package scheduler

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/signals"
)

func firingOf() map[string]*signals.Instance {
	return map[string]*signals.Instance{
		"a": {Name: "a", Seq: 3, Params: map[string]signals.Value{"k": signals.String("u"), "n": signals.Long(7)}},
		"b": {Name: "b", Seq: 5, Params: map[string]signals.Value{"k": signals.String("u")}},
	}
}

func TestTriggerRunParams(t *testing.T) {
	tests := []struct {
		name    string
		params  definition.Params
		want    map[string]sel.Value
		wantErr string
	}{
		{"literal", definition.Params{"p": {Type: sel.String, Value: "x"}}, map[string]sel.Value{"p": {Type: sel.String, Value: "x"}}, ""},
		{"function", definition.Params{"p": {Type: sel.Long, Expression: "1 + 2", HasExpression: true}}, map[string]sel.Value{"p": {Type: sel.Long, Value: int64(3)}}, ""},
		{"a matched signal's param", definition.Params{"p": {Type: sel.String, Expression: "'n=' + params.getFromSignal('a', 'n')", HasExpression: true}},
			map[string]sel.Value{"p": {Type: sel.String, Value: "n=7"}}, ""},
		{"coerced to the param's type", definition.Params{"p": {Type: sel.String, Expression: "params.getFromSignal('a', 'n')", HasExpression: true}},
			map[string]sel.Value{"p": {Type: sel.String, Value: "7"}}, ""},
		{"no such signal", definition.Params{"p": {Type: sel.String, Expression: "params.getFromSignal('c', 'n')", HasExpression: true}}, nil, `param "p"`},
		{"wrong type", definition.Params{"p": {Type: sel.Long, Expression: "'x'", HasExpression: true}}, nil, `param "p"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := triggerRunParams(triggerEnv(firingOf()), tc.params)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestTriggerRequestID(t *testing.T) {
	env := triggerEnv(firingOf())
	def := defaultTriggerRequestID(0, firingOf())
	require.Equal(t, "signal-0-u", triggerRequestID(env, 0, "params.getFromSignal('a', 'k')", firingOf()))
	require.Equal(t, def, triggerRequestID(env, 0, "", firingOf()))
	require.Equal(t, def, triggerRequestID(env, 0, "params.getFromSignal('c', 'k')", firingOf()), "a failing dedup_expr falls back, as Maestro")
	other := firingOf()
	other["b"].Seq = 6
	require.NotEqual(t, def, defaultTriggerRequestID(0, other), "one id per set of matched instances")
}
