package sel

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// reflectMarshal is Value.MarshalJSON before its fast path: the oracle.
func reflectMarshal(v Value) ([]byte, error) {
	raw, err := EncodeJSON(v.Type, v.Value)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}{v.Type.String(), raw})
}

// reflectUnmarshal is Value.UnmarshalJSON before its fast path.
func reflectUnmarshal(b []byte) (Value, error) {
	var j struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return Value{}, err
	}
	t, err := ParseType(j.Type)
	if err != nil {
		return Value{}, err
	}
	val, err := DecodeJSON(t, j.Value)
	if err != nil {
		return Value{}, err
	}
	return Value{Type: t, Value: val}, nil
}

// TestValueJSONFastPath: the fast paths write the bytes the reflection
// path writes (alone and inside a document, which encoding/json compacts
// and escapes again) and read the same Values or fail where it fails.
func TestValueJSONFastPath(t *testing.T) {
	values := []Value{
		{String, ""}, {String, "20260102"}, {String, "a<b>&c"}, {String, "<"}, {String, ">"}, {String, "&"}, {String, "é"}, {String, "\x00"},
		{String, "\xff"}, {String, `quo"te`}, {String, `back\slash`}, {String, "\u2028"}, {String, "~\x7f"},
		{Long, int64(0)}, {Long, int64(-1)}, {Long, int64(math.MaxInt64)}, {Long, int64(math.MinInt64)},
		{Boolean, true}, {Boolean, false}, {Double, 1.5}, {Double, 1e21}, {Double, 0.0},
		{Long, "mismatch"}, {String, int64(5)}, {Map, "not a map"}, {Map, map[string]any{"k": int64(1), "s": "x"}},
		{StringArray, []string{"a"}}, {LongArray, []int64{1, 2}}, {StringMap, map[string]string{"a": "b"}},
		{Invalid, int64(1)}, {Type(99), int64(1)}, {String, nil},
	}
	for _, v := range values {
		want, wantErr := reflectMarshal(v)
		got, err := v.MarshalJSON()
		require.Equal(t, wantErr != nil, err != nil, "%#v: %v / %v", v, wantErr, err)
		require.Equal(t, string(want), string(got), "%#v", v)
		if err != nil {
			continue
		}
		doc, err := json.Marshal(map[string]Value{"p": v})
		require.NoError(t, err)
		require.Equal(t, `{"p":`+string(want)+`}`, string(doc), "%#v", v)
		back, wantErr := reflectUnmarshal(want)
		var fast Value
		err = fast.UnmarshalJSON(want)
		require.Equal(t, wantErr != nil, err != nil, "%s: %v / %v", want, wantErr, err)
		require.Equal(t, back, fast, "%s", want)
	}
	inputs := []string{
		`{"type":"LONG","value":15}`, `{ "type": "LONG", "value": 15 }`, `{"value":15,"type":"LONG"}`,
		`{"type":"long","value":15}`, `{"type":"LONG","value":015}`, `{"type":"LONG","value":-0}`, `{"type":"LONG","value":-}`,
		`{"type":"LONG","value":1.0}`, `{"type":"LONG","value":99999999999999999999}`, `{"type":"LONG","value":"15"}`,
		`{"type":"STRING","value":"a\"b"}`, "{\"type\":\"STRING\",\"value\":\"\xff\"}", `{"type":"STRING","value":"日本"}`,
		`{"type":"STRING","value":"a"b"}`, `{"type":"STRING","value":"a","x":"b"}`, `{"type":"STRING","value":"x"}}`,
		`{"type":"STRING","value":"x"} `, `{"type":"STRING","value":15}`, `{"type":"LONG","type":"STRING","value":1}`,
		`{"type":"BOOLEAN","value":true}`, `{"type":"BOOLEAN","value":1}`, `{"type":"BOOLEAN","value":false,"x":1}`,
		`{"type":"INVALID","value":1}`, `{"type":"DOUBLE","value":1e3}`, `{"type":"STRING","value":"tab	"}`, `{"type":"`,
	}
	for _, in := range inputs {
		want, wantErr := reflectUnmarshal([]byte(in))
		var got Value
		err := got.UnmarshalJSON([]byte(in))
		require.Equal(t, wantErr != nil, err != nil, "%s: %v / %v", in, wantErr, err)
		if err == nil {
			require.Equal(t, want, got, "%s", in)
		}
	}
	for _, in := range []string{`"LONG"`, `"long"`, `" Long "`, `"INVALID"`, `"NOPE"`, `5`, `"\u004cONG"`} {
		var want, got Type
		var s string
		wantErr := json.Unmarshal([]byte(in), &s)
		if wantErr == nil {
			want, wantErr = ParseType(s)
		}
		err := got.UnmarshalJSON([]byte(in))
		require.Equal(t, wantErr != nil, err != nil, "%s: %v / %v", in, wantErr, err)
		require.Equal(t, want, got, "%s", in)
	}
}

// BenchmarkValueJSON writes and reads the system params of a run's State.
func BenchmarkValueJSON(b *testing.B) {
	params := map[string]Value{"RUN_TS": {Long, int64(1796173516966)}, "DSL_DEFAULT_TZ": {String, "UTC"}, "flag": {Boolean, true}}
	for _, n := range []string{"RUN_DATE", "RUN_DATE_MINUS_1", "TARGET_RUN_DATE", "DERIVED_RUN_DATE_UTC", "LOCAL_RUN_DATE", "workflow_id"} {
		params[n] = Value{String, "20260102"}
	}
	b.ReportAllocs()
	for b.Loop() {
		out, err := json.Marshal(params)
		if err != nil {
			b.Fatal(err)
		}
		var back map[string]Value
		if err := json.Unmarshal(out, &back); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzValueJSONFastPath: for any bytes, Value.UnmarshalJSON decodes what
// the reflection path decodes (or fails where it fails), and what it
// decodes writes the bytes the reflection path writes.
func FuzzValueJSONFastPath(f *testing.F) {
	for _, s := range []string{`{"type":"LONG","value":15}`, `{"type":"STRING","value":"a<b"}`, `{"type":"BOOLEAN","value":true}`,
		`{"type":"STRING","value":"日本"}`, `{"type":"DOUBLE","value":1.5}`, `{"type":"LONG","value":-0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wantErr := reflectUnmarshal(b)
		var got Value
		err := got.UnmarshalJSON(b)
		if (wantErr != nil) != (err != nil) {
			t.Fatalf("%q: reflection %v, fast path %v", b, wantErr, err)
		}
		if err != nil {
			return
		}
		require.Equal(t, want, got, "%q", b)
		wantOut, wantErr := reflectMarshal(got)
		out, err := got.MarshalJSON()
		require.Equal(t, wantErr != nil, err != nil, "%q", b)
		require.Equal(t, string(wantOut), string(out), "%q", b)
	})
}
