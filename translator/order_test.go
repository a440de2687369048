package translator

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

func foreachJSON(loopParams string) string {
	return `{"workflow":{"id":"w","steps":[{"foreach":{"id":"loop",
		"params":{"loop_params":{"type":"MAP","value":` + loopParams + `}},
		"steps":[{"step":{"id":"s","type":"NoOp"}}]}}]}}`
}

// TestPlanKeepsMapOrder: a MAP literal's definition order reaches the plan
// as Keys (written as a "keys" array), only when it is not name order, and
// survives Encode/Decode; a plan without "keys" means name order.
func TestPlanKeepsMapOrder(t *testing.T) {
	arr := `{"type":"LONG_ARRAY","value":[1]}`
	tests := []struct {
		name       string
		loopParams string
		keys       []string // plan Keys of loop_params
		json       string   // in the encoding ("" : no "keys" at all)
	}{
		{"z then a", `{"z":` + arr + `,"a":` + arr + `}`, []string{"z", "a"}, `"keys":["z","a"]`},
		{"b, c, a", `{"b":` + arr + `,"c":` + arr + `,"a":` + arr + `}`, []string{"b", "c", "a"}, `"keys":["b","c","a"]`},
		{"name order", `{"a":` + arr + `,"z":` + arr + `}`, nil, ""},
		{"one", `{"z":` + arr + `}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(mustDecode(t, foreachJSON(tt.loopParams)), Options{})
			require.NoError(t, err)
			lp := p.Node("loop").Params["loop_params"]
			require.Equal(t, tt.keys, lp.Keys)
			b, err := Encode(p)
			require.NoError(t, err)
			if tt.json == "" {
				require.NotContains(t, string(b), `"keys"`)
			} else {
				require.Contains(t, string(b), tt.json)
			}
			q, err := Decode(b)
			require.NoError(t, err)
			require.Equal(t, p, q)
			require.NoError(t, Verify(q))
			b2, err := Encode(q)
			require.NoError(t, err)
			require.Equal(t, string(b), string(b2))
		})
	}

	// Nested MAP literals keep their order too.
	nested := `{"workflow":{"id":"w","steps":[{"step":{"id":"s","type":"NoOp","params":{"m":{"type":"MAP","value":{
		"a":{"type":"LONG","value":1},"n":{"type":"MAP","value":{"y":{"type":"LONG","value":1},"x":{"type":"LONG","value":2}}}}}}}}]}}`
	p, err := Compile(mustDecode(t, nested), Options{})
	require.NoError(t, err)
	m := p.Node("s").Params["m"]
	require.Nil(t, m.Keys)
	require.Equal(t, []string{"y", "x"}, m.Literal.(map[string]*Param)["n"].Keys)
	b, err := Encode(p)
	require.NoError(t, err)
	q, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, p, q)

	// The order is part of the plan: it changes the hash.
	za, err := Compile(mustDecode(t, foreachJSON(`{"z":`+arr+`,"a":`+arr+`}`)), Options{})
	require.NoError(t, err)
	az, err := Compile(mustDecode(t, foreachJSON(`{"a":`+arr+`,"z":`+arr+`}`)), Options{})
	require.NoError(t, err)
	require.NotEqual(t, za.Hash, az.Hash)
}

// TestPlanKeysJSON: what Param's JSON accepts and refuses.
func TestPlanKeysJSON(t *testing.T) {
	tests := []struct {
		name string
		json string
		keys []string
		err  string
	}{
		{"no keys: name order (plans from before keys)", `{"type":"MAP","value":{"z":{"type":"LONG","value":1},"a":{"type":"LONG","value":2}},"mode":"MUTABLE"}`, nil, ""},
		{"keys", `{"type":"MAP","value":{"z":{"type":"LONG","value":1},"a":{"type":"LONG","value":2}},"keys":["z","a"],"mode":"MUTABLE"}`, []string{"z", "a"}, ""},
		{"keys missing an entry", `{"type":"MAP","value":{"z":{"type":"LONG","value":1},"a":{"type":"LONG","value":2}},"keys":["z"]}`, nil, "do not list each entry once"},
		{"keys naming no entry", `{"type":"MAP","value":{"z":{"type":"LONG","value":1}},"keys":["z","q"]}`, nil, "do not list each entry once"},
		{"keys twice", `{"type":"MAP","value":{"z":{"type":"LONG","value":1},"a":{"type":"LONG","value":2}},"keys":["z","z"]}`, nil, "do not list each entry once"},
		{"keys on an expression", `{"type":"MAP","expression":"x","keys":["a"]}`, nil, "not a MAP literal"},
		{"keys on a LONG", `{"type":"LONG","value":1,"keys":["a"]}`, nil, "not a MAP literal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Param
			err := p.UnmarshalJSON([]byte(tt.json))
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.keys, p.Keys)
			b, err := p.MarshalJSON()
			require.NoError(t, err)
			require.JSONEq(t, tt.json, string(b))
		})
	}

	// MarshalJSON refuses Keys that do not fit.
	m := map[string]*Param{"a": {Type: sel.Long, Literal: int64(1), Mode: "MUTABLE"}}
	_, err := (&Param{Type: sel.Map, Literal: m, Keys: []string{"b"}}).MarshalJSON()
	require.ErrorContains(t, err, "do not list each entry once")
	_, err = (&Param{Type: sel.LongArray, Literal: []int64{1}, Keys: []string{"a"}}).MarshalJSON()
	require.ErrorContains(t, err, "not a MAP literal")
}

// TestCompileRefusesBadKeys: a definition.Param whose Keys do not fit its
// entries (only possible from Go code; Validate refuses it too).
func TestCompileRefusesBadKeys(t *testing.T) {
	s := noop("a")
	s.Params = definition.Params{"m": {Type: sel.Map, Value: definition.Params{"x": longParam(1), "y": longParam(2)}, Keys: []string{"y"}}}
	_, err := Compile(request(s), Options{})
	require.ErrorContains(t, err, `params["m"].value`)
	require.ErrorContains(t, err, "do not list each entry once")
}

// TestHTTPDefaultsKeepKeys: the entries Http steps get by default are added
// to an ordered http MAP's Keys.
func TestHTTPDefaultsKeepKeys(t *testing.T) {
	req := mustDecode(t, `{"workflow":{"id":"w","steps":[{"step":{"id":"h","type":"Http","params":{"http":{"type":"MAP","value":{
		"url":{"type":"STRING","value":"http://x"},"body":{"type":"STRING","value":""}}}}}}]}}`)
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	h := p.Node("h").Params["http"]
	require.Equal(t, []string{"url", "body", "method", "headers"}, h.Keys)
	b, err := Encode(p)
	require.NoError(t, err)
	q, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, p, q)
	require.True(t, strings.Contains(string(b), `"keys":["url","body","method","headers"]`))
}
