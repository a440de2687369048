package translator

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/internal/jsonfast"
	"github.com/batonhq/baton/sel"
)

// historyDirs hold the stored histories whose run inputs carry plans.
var historyDirs = []string{
	"../workflows/testdata/histories", "../scheduler/testdata/histories",
	"../registry/testdata/histories", "../signals/testdata/histories",
}

// historyPlans returns the plans of the stored histories' payloads, by
// name, in either encoding.
func historyPlans(t *testing.T) map[string][]byte {
	t.Helper()
	payloads, err := jsonfast.HistoryPayloads(historyDirs...)
	require.NoError(t, err)
	out := map[string][]byte{}
	for i, b := range payloads {
		var in struct {
			Plan json.RawMessage `json:"plan"`
		}
		if json.Unmarshal(b, &in) == nil && len(in.Plan) > 0 && string(in.Plan) != "null" {
			out[fmt.Sprintf("history payload %d", i)] = in.Plan
		}
	}
	return out
}

// compactPlans returns compact plans to compare the two decoders on: every
// compact plan in the stored histories, and the compact encoding of every
// plan compactCases compiles and of every canonical plan in the histories.
func compactPlans(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, p := range compactCases(t) {
		b, err := EncodeCompact(p)
		require.NoError(t, err)
		out["compiled "+name] = b
	}
	for name, plan := range historyPlans(t) {
		if strings.HasPrefix(string(plan), `{"format_version":2,`) {
			out[name] = plan
			continue
		}
		var p Plan
		require.NoError(t, json.Unmarshal(plan, &p))
		if c, err := EncodeCompact(&p); err == nil {
			out[name+", compacted"] = c
		}
	}
	return out
}

// TestCompactScanMatchesReflection: the scan reads every compact plan
// Baton writes, to what json.Unmarshal reads from it.
func TestCompactScanMatchesReflection(t *testing.T) {
	plans := compactPlans(t)
	require.NotEmpty(t, plans)
	for name, b := range plans {
		var want, got Plan
		require.NoError(t, unmarshalCompactReflect(b, &want), name)
		require.True(t, scanPlan(b, &got, true), "the scan should read %s: %s", name, b)
		require.Equal(t, want, got, name)
		p, err := DecodeCompact(b)
		require.NoError(t, err, name)
		canon, err := Encode(p)
		require.NoError(t, err)
		var q Plan
		require.NoError(t, json.Unmarshal(canon, &q))
		require.Equal(t, &q, p, name)
	}
}

// TestCompactScanLeavesTheRestToReflection: JSON the scan does not read
// as encoding/json does is decoded by encoding/json: the same plan or the
// same error.
func TestCompactScanLeavesTheRestToReflection(t *testing.T) {
	base := `{"format_version":2,"workflow_id":"w","timeout":{"value":5},"defaults":{"kind":"step","type":"T","mode":"local_activity","failure_mode":"F","timeout":{"value":9}},"steps":[%s]}`
	tests := map[string]string{
		"a key in another case":          `{"ID":"a","next":["b"]},{"id":"b"}`,
		"a duplicate key":                `{"id":"a","id":"c","next":["b"]},{"id":"b"}`,
		"an unknown key":                 `{"id":"a","x":{"y":[1,2]}},{"id":"b"}`,
		"null next":                      `{"id":"a","next":null},{"id":"b"}`,
		"an escaped string":              `{"id":"a\u0041\n","next":["b"]},{"id":"b"}`,
		"invalid UTF-8":                  "{\"id\":\"a\xff\"},{\"id\":\"b\"}",
		"a float where a number is":      `{"id":"a","heartbeat_timeout":1.0}`,
		"an exponent":                    `{"id":"a","heartbeat_timeout":1e3}`,
		"a number out of range":          `{"id":"a","heartbeat_timeout":99999999999999999999}`,
		"a leading zero":                 `{"id":"a","heartbeat_timeout":01}`,
		"a trailing comma":               `{"id":"a",}`,
		"a missing comma":                `{"id":"a" "name":"b"}`,
		"white space everywhere":         " { \"id\" : \"a\" , \"next\" : [ \"b\" ] } , {\"id\":\"b\", \"successors\":[{\"to\":\"a\",\"condition\":\"x\"}]}",
		"a body with null steps":         `{"id":"a","kind":"foreach","body":{"steps":null}}`,
		"params":                         `{"id":"a","params":{"p":{"type":"LONG","value":3},"q":{"type":"STRING","expression":"1+1"}}}`,
		"bad params":                     `{"id":"a","params":{"p":{"type":"LONG","value":"x"}}}`,
		"a retry policy":                 `{"id":"a","retry":{"error_limit":{"value":2},"backoff":"FIXED_BACKOFF"}}`,
		"true as a string":               `{"id":"a","sync":"true"}`,
		"truncated":                      `{"id":"a"`,
		"an unterminated string":         `{"id":"a`,
		"an empty predecessors list":     `{"id":"a","predecessors":[]}`,
		"successors and next":            `{"id":"a","successors":[{"to":"b","condition":"x"}],"next":["b"]},{"id":"b"}`,
		"next and successors":            `{"id":"a","next":["b"],"successors":[{"to":"b","condition":"x"}]},{"id":"b"}`,
		"an empty next list":             `{"id":"a","next":[]},{"id":"b","next":["a","b"]}`,
		"a body without steps":           `{"id":"a","kind":"foreach","body":{}}`,
		"listed and derived":             `{"id":"a","next":["b","c"]},{"id":"b","predecessors":["x"],"next":["c"]},{"id":"c"}`,
		"duplicate ids":                  `{"id":"a","next":["b"]},{"id":"b","next":["a"]},{"id":"a","next":["b"]}`,
		"bodies and all the other names": `{"id":"a","name":"n","kind":"foreach","type":"x","sub_type":"s","mode":"child","task_queue":"q","failure_mode":"I","timeout":{"text":"${t}"},"condition":"c","concurrency":3,"strict_ordering":true,"collect":["a/b"],"sync":false,"explicit_params":true,"body":{"steps":[{"id":"i","next":["j"]},{"id":"j"}]}}`,
	}
	for name, steps := range tests {
		t.Run(name, func(t *testing.T) {
			b := []byte(fmt.Sprintf(base, steps))
			var want, got Plan
			wantErr := unmarshalCompactReflect(b, &want)
			gotErr := unmarshalCompact(b, &got)
			if wantErr != nil {
				require.EqualError(t, gotErr, wantErr.Error())
				return
			}
			require.NoError(t, gotErr)
			require.Equal(t, want, got)
		})
	}
	for _, trailer := range []string{" x", "}", " {}"} {
		b := []byte(fmt.Sprintf(base, `{"id":"a"}`) + trailer)
		var p Plan
		require.Error(t, unmarshalCompact(b, &p), "trailing %q", trailer)
	}
	for name, b := range map[string]string{
		"defaults after the steps": `{"format_version":2,"steps":[{"id":"a"}],"defaults":{"kind":"step"}}`,
		"no steps":                 `{"format_version":2,"defaults":{"kind":"step"}}`,
	} {
		var want, got Plan
		require.NoError(t, unmarshalCompactReflect([]byte(b), &want), name)
		require.NoError(t, unmarshalCompact([]byte(b), &got), name)
		require.Equal(t, want, got, name)
	}
}

// TestCompactWriterMatchesReflection: the writer writes every plan as
// json.Marshal writes its compactPlan, byte for byte.
func TestCompactWriterMatchesReflection(t *testing.T) {
	plans := compactPlans(t)
	p := &Plan{FormatVersion: FormatVersion, WorkflowID: "w<&>", Name: "n\u2028", Owner: "o", StepConcurrency: 3,
		InstanceStepConcurrency: 4, RunStrategy: "PARALLEL", WorkflowConcurrency: new(int64), Warnings: []string{"w"},
		Timeout: Number{Value: 5, Text: "x"}, Steps: []*Node{
			{ID: "a", Kind: "foreach", Mode: ModeChild, Body: &Body{}, Collect: []string{"i/x"}, StrictOrdering: true, Concurrency: 2, Condition: "c"},
			{ID: "b", Kind: "subworkflow", Mode: ModeChild, Sync: true, ExplicitParams: true, HeartbeatTimeout: 9, SubType: "s", TaskQueue: "q", Name: "B"},
		}}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	plans["every field"] = b
	for name, raw := range plans {
		var p Plan
		if strings.HasPrefix(string(raw), `{"format_version":2,`) {
			q, err := DecodeCompact(raw)
			require.NoError(t, err, name)
			p = *q
		} else {
			require.NoError(t, json.Unmarshal(raw, &p), name)
		}
		require.NotEmpty(t, p.Steps, name)
		want, err := marshalCompactReflect(&p, chooseDefaults(p.Steps))
		require.NoError(t, err, name)
		got, err := EncodeCompact(&p)
		require.NoError(t, err, name)
		require.Equal(t, string(want), string(got), name)
	}
}

// TestUnmarshalPlanMatchesReflection: UnmarshalPlan reads every canonical
// plan (compiled samples, the stored histories' plans, and JSON the scan
// leaves to encoding/json) as json.Unmarshal does, error included.
func TestUnmarshalPlanMatchesReflection(t *testing.T) {
	docs := map[string][]byte{}
	for name, p := range compactCases(t) {
		b, err := Encode(p)
		require.NoError(t, err)
		docs["compiled "+name] = b
	}
	for name, plan := range historyPlans(t) {
		if strings.HasPrefix(string(plan), `{"format_version":1,`) {
			docs[name] = plan
		}
	}
	require.Greater(t, len(docs), 50)
	for name, b := range docs {
		var p Plan
		require.True(t, scanPlan(b, &p, false), "the scan should read %s", name)
	}
	base := `{"format_version":1,"workflow_id":"w","timeout":{"value":5},"steps":[%s]}`
	for name, steps := range map[string]string{
		"next, which a canonical node does not have":     `{"id":"a","kind":"step","mode":"inline","next":["b"]},{"id":"b"}`,
		"a body without steps":                           `{"id":"a","kind":"foreach","body":{}}`,
		"empty lists":                                    `{"id":"a","predecessors":[],"successors":[],"collect":[]}`,
		"null predecessors":                              `{"id":"a","predecessors":null}`,
		"a duplicate key":                                `{"id":"a","kind":"x","kind":"y"}`,
		"defaults, which a canonical plan does not have": `{"id":"a"}],"defaults":{"kind":"step"},"x":[`,
		"a bad number":                                   `{"id":"a","timeout":{"value":1.5}}`,
	} {
		docs[name] = []byte(fmt.Sprintf(base, steps))
	}
	for name, b := range docs {
		var want, got Plan
		wantErr := json.Unmarshal(b, &want)
		gotErr := UnmarshalPlan(b, &got)
		if wantErr != nil {
			require.EqualError(t, gotErr, wantErr.Error(), name)
			continue
		}
		require.NoError(t, gotErr, name)
		require.Equal(t, want, got, name)
	}
}

// FuzzCompactDecode: any bytes decode, compact and canonical, to the Plan
// that encoding/json decodes them to, error included (go test -fuzz
// FuzzCompactDecode ./translator/).
func FuzzCompactDecode(f *testing.F) {
	f.Add([]byte(`{"format_version":2,"workflow_id":"w","timeout":{"value":5},"defaults":{"kind":"step","timeout":{}},"steps":[{"id":"a","next":["b"],"params":{"p":{"type":"LONG","value":1}}},{"id":"b","kind":"foreach","body":{"steps":[{"id":"i","successors":[{"to":"j","condition":"x"}]}]}}]}`))
	f.Add([]byte(`{"format_version":1,"workflow_id":"w","timeout":{"value":5},"steps":[{"id":"a","kind":"step","mode":"inline","predecessors":["z"],"failure_mode":"F","timeout":{"text":"t"},"sync":true}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var want, got Plan
		wantErr := unmarshalCompactReflect(b, &want)
		gotErr := unmarshalCompact(b, &got)
		if wantErr != nil {
			require.EqualError(t, gotErr, wantErr.Error())
		} else {
			require.NoError(t, gotErr)
			require.Equal(t, want, got)
		}
		if sel.JSONDepth(b) > 5*sel.MaxValueDepth+4*MaxBodyDepth+16 {
			return
		}
		var wantPlan, gotPlan Plan
		wantErr = json.Unmarshal(b, &wantPlan)
		gotErr = UnmarshalPlan(b, &gotPlan)
		if wantErr != nil {
			require.EqualError(t, gotErr, wantErr.Error())
			return
		}
		require.NoError(t, gotErr)
		require.Equal(t, wantPlan, gotPlan)
	})
}
