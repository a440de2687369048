package translator

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/stretchr/testify/require"
)

// richRequest uses every param type, nested MAPs, text numbers and every
// mode, so the encoding tests cover them all.
func richRequest() *definition.Request {
	a := typed("job.a", "spark", edge("job.b", "x > 1 && y < 2"), edge("job.c", ""))
	a.Timeout = txt("${t}s")
	a.RetryPolicy = &definition.RetryPolicy{ErrorRetryLimit: txt("$n"), Backoff: &definition.Backoff{Type: definition.FixedBackoff, ErrorRetryBackoffInSecs: lit(5)}}
	a.Params = definition.Params{
		"s":  {Type: sel.String, Value: `quote " and <tag> & é`},
		"l":  {Type: sel.Long, Value: int64(-7)},
		"d":  {Type: sel.Double, Value: 1.0},
		"d2": {Type: sel.Double, Value: 0.1},
		"b":  {Type: sel.Boolean, Value: true},
		"sm": {Type: sel.StringMap, Value: map[string]string{"z": "1", "a": "2"}},
		"sa": {Type: sel.StringArray, Value: []string{"x", "y"}},
		"la": {Type: sel.LongArray, Value: []int64{}},
		"da": {Type: sel.DoubleArray, Value: []float64{1.5, 2}},
		"ba": {Type: sel.BooleanArray, Value: []bool{false}},
		"e":  {Type: sel.Long, Expression: "x + 1", HasExpression: true, Mode: definition.Constant},
		"m": {Type: sel.Map, Value: definition.Params{
			"inner": {Type: sel.Map, Value: definition.Params{"k": {Type: sel.Long, Value: int64(1)}}},
			"e":     {Type: sel.String, Expression: "'v'", HasExpression: true},
		}},
		"gm": {Type: sel.Map, Value: map[string]any{"x": int64(1), "y": map[string]any{"z": "w"}}},
	}
	b := noop("job.b", edge("job.c", "true"))
	b.FailureMode = "ignore_failure"
	c := typed("job.c", "Sleep")
	c.Params = definition.Params{"sleep_seconds": {Type: sel.Long, Value: int64(1)}}
	req := request(a, b, c)
	req.Workflow.Params = definition.Params{"x": longParam(2), "y": exprParam(sel.Long, "x * 2"), "t": longParam(30), "n": longParam(3)}
	req.Workflow.Timeout = txt("1 day")
	req.Properties.RunStrategy = &definition.RunStrategy{Rule: definition.Parallel}
	return req
}

func TestEncodeRoundTrip(t *testing.T) {
	p, err := Compile(richRequest(), Options{StepTypes: map[string]StepTypeInfo{"spark": {TaskQueue: "heavy"}}})
	require.NoError(t, err)
	b1, err := Encode(p)
	require.NoError(t, err)
	q, err := Decode(b1)
	require.NoError(t, err)
	b2, err := Encode(q)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b2))
	require.Equal(t, p, q)
	require.NoError(t, Verify(q))

	// Compiling again gives the same bytes.
	p2, err := Compile(richRequest(), Options{StepTypes: map[string]StepTypeInfo{"spark": {TaskQueue: "heavy"}}})
	require.NoError(t, err)
	b3, err := Encode(p2)
	require.NoError(t, err)
	require.Equal(t, string(b1), string(b3))

	m := q.Steps[0].Params["m"].Literal.(map[string]*Param)
	require.Equal(t, int64(1), m["inner"].Literal.(map[string]*Param)["k"].Literal)
	require.Equal(t, "'v'", m["e"].Expr)
	gm := q.Steps[0].Params["gm"].Literal.(map[string]*Param)
	require.Equal(t, "w", gm["y"].Literal.(map[string]*Param)["z"].Literal)
	require.Equal(t, 1.0, q.Steps[0].Params["d"].Literal)
	require.Equal(t, "CONSTANT", q.Steps[0].Params["e"].Mode)
	require.Equal(t, Number{Value: 86400}, q.Timeout)
	require.Equal(t, Number{Text: "${t}s"}, q.Steps[0].Timeout)
	require.Equal(t, "IGNORE_FAILURE", q.Node("job.b").FailureMode)
}

func TestDecodeRefusesOtherVersions(t *testing.T) {
	p, err := Compile(request(noop("a")), Options{})
	require.NoError(t, err)
	b, err := Encode(p)
	require.NoError(t, err)
	_, err = Decode([]byte(strings.Replace(string(b), `"format_version":1`, `"format_version":2`, 1)))
	require.ErrorContains(t, err, "plan format version 2: this build reads version 1")
	_, err = Decode([]byte(`{"steps":[]}`))
	require.ErrorContains(t, err, "plan format version 0")
	_, err = Decode([]byte(`{`))
	require.ErrorContains(t, err, "decoding plan")
}

func TestHash(t *testing.T) {
	base, err := Compile(richRequest(), Options{})
	require.NoError(t, err)
	same, err := Compile(richRequest(), Options{})
	require.NoError(t, err)
	require.Equal(t, base.Hash, same.Hash)
	h, err := Hash(base)
	require.NoError(t, err)
	require.Equal(t, base.Hash, h, "Hash ignores the stored hash")

	for _, tc := range []struct {
		name string
		edit func(r *definition.Request)
	}{
		{"workflow param value", func(r *definition.Request) { r.Workflow.Params["x"] = longParam(3) }},
		{"workflow param expression", func(r *definition.Request) { r.Workflow.Params["y"] = exprParam(sel.Long, "x * 3") }},
		{"param mode", func(r *definition.Request) { r.Workflow.Params["x"].Mode = definition.Immutable }},
		{"nested MAP entry", func(r *definition.Request) {
			r.Workflow.Steps[0].Params["m"].Value.(definition.Params)["inner"].Value.(definition.Params)["k"] = longParam(2)
		}},
		{"step param", func(r *definition.Request) { r.Workflow.Steps[2].Params["sleep_seconds"] = longParam(2) }},
		{"edge condition", func(r *definition.Request) { r.Workflow.Steps[0].Transition.Successors[0].Condition = "x > 2" }},
		{"edge removed", func(r *definition.Request) { r.Workflow.Steps[1].Transition.Successors = nil }},
		{"edge added", func(r *definition.Request) {
			r.Workflow.Steps[0].Transition.Successors = append(r.Workflow.Steps[0].Transition.Successors, edge("job.b", "true"))
			r.Workflow.Steps[0].Transition.Successors = r.Workflow.Steps[0].Transition.Successors[1:]
		}},
		{"timeout", func(r *definition.Request) { r.Workflow.Steps[0].Timeout = lit(5) }},
		{"retry", func(r *definition.Request) { r.Workflow.Steps[0].RetryPolicy = nil }},
		{"failure mode", func(r *definition.Request) { r.Workflow.Steps[1].FailureMode = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := richRequest()
			tc.edit(r)
			p, err := Compile(r, Options{})
			require.NoError(t, err)
			require.NotEqual(t, base.Hash, p.Hash)
		})
	}

	// Not a change: definition metadata the plan does not carry.
	r := richRequest()
	r.Workflow.Description = "other"
	r.Workflow.Steps[0].Description = "other"
	r.Workflow.Params["x"].Validator = "@NotNull"
	r.Extra = map[string]any{"source": "x"}
	p, err := Compile(r, Options{})
	require.NoError(t, err)
	require.Equal(t, base.Hash, p.Hash)

	p.Steps[0].Successors[0].Condition = "false"
	require.ErrorContains(t, Verify(p), "does not match")
}

// TestEncodingIsStable pins the encoding of a small plan, so any change to
// it (which changes every hash) is deliberate: bump FormatVersion if the
// interpreter would read the old form differently.
func TestEncodingIsStable(t *testing.T) {
	s := noop("a", edge("b", "x < 1"))
	s.Params = definition.Params{"m": {Type: sel.Map, Value: definition.Params{"k": {Type: sel.StringMap, Value: map[string]string{"b": "2", "a": "1"}}}}}
	req := request(s, typed("b", "Sleep"))
	p, err := Compile(req, Options{})
	require.NoError(t, err)
	b, err := Encode(p)
	require.NoError(t, err)
	want := `{"format_version":1,"hash":"` + p.Hash + `","workflow_id":"wf","name":"wf","owner":"tester","timeout":{"value":864000},"step_concurrency":20,"run_strategy":"SEQUENTIAL",` +
		`"steps":[{"id":"a","kind":"step","type":"NoOp","mode":"inline","successors":[{"to":"b","condition":"x \u003c 1"}],` +
		`"params":{"m":{"type":"MAP","value":{"k":{"type":"STRING_MAP","value":{"a":"1","b":"2"},"mode":"MUTABLE"}},"mode":"MUTABLE"}},` +
		`"failure_mode":"FAIL_AFTER_RUNNING","timeout":{"value":864000}},` +
		`{"id":"b","kind":"step","type":"Sleep","mode":"inline","predecessors":["a"],"failure_mode":"FAIL_AFTER_RUNNING","timeout":{"value":864000}}]}`
	require.Equal(t, want, string(b))
	require.True(t, json.Valid(b))
}
