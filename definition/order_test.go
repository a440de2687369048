package definition_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	D "github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

// foreachDef is a workflow whose one foreach step has loopParams (the
// JSON of the loop_params MAP's value) and one inner NoOp.
func foreachDef(loopParams string) string {
	return `{"workflow":{"id":"w","steps":[{"foreach":{"id":"loop",
		"params":{"loop_params":{"type":"MAP","value":` + loopParams + `}},
		"steps":[{"step":{"id":"s","type":"NoOp"}}]}}]}}`
}

func loopParam(t *testing.T, r *D.Request) *D.Param {
	t.Helper()
	p := r.Workflow.Steps[0].Params["loop_params"]
	require.NotNil(t, p)
	return p
}

// TestDecodeKeepsMapOrder: a MAP literal's entries keep the order they are
// written in (Param.Keys), at any depth and wherever params are decoded.
func TestDecodeKeepsMapOrder(t *testing.T) {
	tests := []struct {
		name       string
		loopParams string
		keys       []string
		nested     []string // Keys of the entry "m", when it is a MAP
	}{
		{"z then a", `{"z":{"type":"LONG_ARRAY","value":[1,2]},"a":{"type":"LONG_ARRAY","value":[3]}}`, []string{"z", "a"}, nil},
		{"a then z", `{"a":{"type":"LONG_ARRAY","value":[3]},"z":{"type":"LONG_ARRAY","value":[1,2]}}`, []string{"a", "z"}, nil},
		{"three, expression in the middle", `{"m2":{"type":"LONG_ARRAY","value":[1]},"b":{"type":"STRING_ARRAY","expression":"['x']"},"a1":{"type":"LONG_ARRAY","value":[2]}}`,
			[]string{"m2", "b", "a1"}, nil},
		{"empty", `{}`, []string{}, nil},
		{"nested MAP", `{"y":{"type":"LONG_ARRAY","value":[1]},"m":{"type":"MAP","value":{"q":{"type":"LONG","value":1},"c":{"type":"LONG","value":2}}}}`,
			[]string{"y", "m"}, []string{"q", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := D.Decode([]byte(foreachDef(tt.loopParams)))
			require.NoError(t, err)
			p := loopParam(t, r)
			require.Equal(t, tt.keys, p.Keys)
			require.Len(t, p.Value.(D.Params), len(tt.keys))
			if tt.nested != nil {
				require.Equal(t, tt.nested, p.Value.(D.Params)["m"].Keys)
			}
			// Only MAP literals carry an order.
			for name, e := range p.Value.(D.Params) {
				if e.Type != sel.Map {
					require.Nil(t, e.Keys, name)
				}
			}
		})
	}

	// Run params of a start request and MAP expressions.
	v, err := D.DecodeSample([]byte(`{"run_params":{"m":{"type":"MAP","value":{"k":{"type":"LONG","value":1},"b":{"type":"LONG","value":2}}},
		"e":{"type":"MAP","expression":"new HashMap()"}}}`))
	require.NoError(t, err)
	sr, ok := v.(*D.StartRequest)
	require.True(t, ok, "%T", v)
	require.Equal(t, []string{"k", "b"}, sr.RunParams["m"].Keys)
	require.Nil(t, sr.RunParams["e"].Keys)
}

// TestBuilderMapOrder: Entry and Loop keep the order of their calls; Map
// from a Go map is in name order.
func TestBuilderMapOrder(t *testing.T) {
	arr := D.LongArray(1)
	tests := []struct {
		name string
		step *D.StepBuilder
		keys []string
	}{
		{"Loop order", D.Foreach("loop").Loop("z", arr).Loop("a", arr).Loop("m", arr), []string{"z", "a", "m"}},
		{"Loop replaces in place", D.Foreach("loop").Loop("z", arr).Loop("a", arr).Loop("z", D.LongArray(2, 3)), []string{"z", "a"}},
		{"Entry order", D.Foreach("loop").Param("loop_params", D.Map(nil).Entry("b", arr).Entry("a", arr)), []string{"b", "a"}},
		{"Map from a Go map", D.Foreach("loop").Param("loop_params", D.Map(map[string]D.ParamSpec{"z": arr, "a": arr, "m": arr})), []string{"a", "m", "z"}},
		{"Entry after Map", D.Foreach("loop").Param("loop_params", D.Map(map[string]D.ParamSpec{"z": arr, "b": arr}).Entry("a", arr)), []string{"b", "z", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := D.NewWorkflow("w").Steps(tt.step.Steps(D.NoOp("s"))).Build()
			require.NoError(t, err)
			p := loopParam(t, r)
			require.Equal(t, tt.keys, p.Keys)
			requireRoundTrip(t, r)
		})
	}

	// A replaced Loop entry has its new value.
	r, err := D.NewWorkflow("w").Steps(D.Foreach("loop").Loop("z", arr).Loop("z", D.LongArray(2, 3)).Steps(D.NoOp("s"))).Build()
	require.NoError(t, err)
	require.Equal(t, []int64{2, 3}, loopParam(t, r).Value.(D.Params)["z"].Value)

	// ParamSpec is a value: adding an entry leaves the original alone.
	base := D.Map(nil).Entry("x", D.Long(1))
	_ = base.Entry("y", D.Long(2))
	r, err = D.NewWorkflow("w").Param("m", base).Steps(D.NoOp("s")).Build()
	require.NoError(t, err)
	require.Equal(t, []string{"x"}, r.Workflow.Params["m"].Keys)

	// Entry is for MAP literals only.
	_, err = D.NewWorkflow("w").Param("m", D.Long(1).Entry("x", D.Long(1))).Steps(D.NoOp("s")).Build()
	require.ErrorContains(t, err, `workflow.params["m"]: Entry("x"): not a MAP literal`)
}

// TestEncodeKeepsMapOrder: Encode writes MAP entries in Keys order (by name
// when Keys is nil), so Encode/Decode round-trips keep the order.
func TestEncodeKeepsMapOrder(t *testing.T) {
	entries := func() D.Params {
		return D.Params{
			"z": {Type: sel.LongArray, Value: []int64{1}},
			"a": {Type: sel.LongArray, Value: []int64{2}},
			"m": {Type: sel.LongArray, Value: []int64{3}},
		}
	}
	tests := []struct {
		name  string
		keys  []string
		order []string // as written; nil: Encode and Validate refuse
		err   string
	}{
		{"definition order", []string{"z", "a", "m"}, []string{"z", "a", "m"}, ""},
		{"another order", []string{"m", "z", "a"}, []string{"m", "z", "a"}, ""},
		{"nil: by name", nil, []string{"a", "m", "z"}, ""},
		{"missing entry", []string{"z", "a"}, nil, `Keys does not list the entry "m"`},
		{"unknown name", []string{"z", "a", "m", "q"}, nil, `Keys lists "q", which is not an entry`},
		{"twice", []string{"z", "a", "z", "m"}, nil, `Keys lists "z" twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &D.Request{Workflow: &D.Workflow{ID: "w", Steps: []*D.Step{{
				Kind: D.KindForeach, ID: "loop",
				Params: D.Params{"loop_params": {Type: sel.Map, Value: entries(), Keys: tt.keys}},
				Steps:  []*D.Step{{Kind: D.KindStep, ID: "s", Type: "NoOp"}},
			}}}}
			data, err := D.Encode(r)
			if tt.order == nil {
				require.ErrorContains(t, err, tt.err)
				require.ErrorContains(t, r.Validate(), `workflow.steps[0].foreach.params["loop_params"].value: `+tt.err)
				return
			}
			require.NoError(t, err)
			require.NoError(t, r.Validate())
			require.Equal(t, tt.order, writtenOrder(string(data), tt.order))
			back, err := D.Decode(data)
			require.NoError(t, err)
			require.Equal(t, tt.order, loopParam(t, back).Keys)
			if tt.keys != nil {
				require.Equal(t, r, back)
			}
			again, err := D.Encode(back)
			require.NoError(t, err)
			require.Equal(t, string(data), string(again))
		})
	}

	// Keys on anything but a MAP literal is refused.
	r := &D.Request{Workflow: &D.Workflow{ID: "w",
		Params: D.Params{"e": {Type: sel.Map, Expression: "new HashMap()", HasExpression: true, Keys: []string{}}},
		Steps:  []*D.Step{{Kind: D.KindStep, ID: "s", Type: "NoOp"}}}}
	require.ErrorContains(t, r.Validate(), `workflow.params["e"]: Keys orders the entries of a MAP literal; this param is not one`)
}

// writtenOrder sorts names by where `"name":` first occurs in data.
func writtenOrder(data string, names []string) []string {
	out := append([]string{}, names...)
	pos := func(n string) int { return strings.Index(data, `"`+n+`":`) }
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if pos(out[j]) < pos(out[i]) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
