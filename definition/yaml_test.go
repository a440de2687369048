package definition

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/sel"
)

func TestDecodeYAMLEveryConstruct(t *testing.T) {
	r, err := DecodeFile(filepath.Join("testdata", "yaml", "every-construct.yaml"))
	require.NoError(t, err)
	require.NoError(t, r.Validate())
	got, err := Encode(r)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("testdata", "yaml", "every-construct.json"))
	require.NoError(t, err)
	require.Equal(t, strings.TrimSpace(string(want)), string(got))
	// The expected request is itself a valid JSON definition.
	j, err := Decode(want)
	require.NoError(t, err)
	require.NoError(t, j.Validate())
}

func TestDecodeYAMLServerSamples(t *testing.T) {
	cond, err := DecodeFile(filepath.Join(samplesDir, "server__yaml__sample-conditional-wf.yaml"))
	require.NoError(t, err)
	require.NoError(t, cond.Validate())
	job3 := cond.Workflow.Steps[2]
	require.Equal(t, []Edge{{To: "job.4", Condition: "param2 < 0"}, {To: "job.6", Condition: "!((param2 < 0))"}}, job3.Transition.Successors)
	require.Equal(t, "params.getFromStep('job.3', 'param2') > 0", cond.Workflow.Steps[3].Transition.Successors[0].Condition)
	require.Equal(t, &Param{Type: sel.String, Expression: "params.get('param0')", HasExpression: true}, cond.Workflow.Steps[6].Params["param5"])
	require.Equal(t, Parallel, cond.Properties.RunStrategy.Rule)

	httpWF, err := DecodeFile(filepath.Join(samplesDir, "server__yaml__sample-http-wf.yaml"))
	require.NoError(t, err)
	require.NoError(t, httpWF.Validate())
	for i, s := range httpWF.Workflow.Steps[:4] { // dag: sequential
		require.Equal(t, []Edge{{To: httpWF.Workflow.Steps[i+1].ID, Condition: "true"}}, s.Transition.Successors)
	}
	require.Empty(t, httpWF.Workflow.Steps[4].Transition.Successors)
	h := httpWF.Workflow.Steps[0].Params["http"]
	require.Equal(t, "MAP", h.Type.String())
	require.Equal(t, []string{"url", "method", "headers", "body"}, h.Keys)
	require.Equal(t, "STRING_MAP", h.Value.(Params)["headers"].Type.String())
	require.Equal(t, "${wf_body}", h.Value.(Params)["body"].Value)
}

// paramJSON decodes one YAML workflow param and returns its JSON form.
func paramJSON(t *testing.T, key, value string) (string, error) {
	t.Helper()
	r, err := DecodeYAML([]byte("Workflow:\n  id: wf\n  " + key + ": " + value + "\n"))
	if err != nil {
		return "", err
	}
	b, err := Encode(r)
	require.NoError(t, err)
	var doc struct {
		Workflow struct{ Params map[string]json.RawMessage }
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	for _, p := range doc.Workflow.Params {
		var c bytes.Buffer
		require.NoError(t, json.Compact(&c, p))
		return c.String(), nil
	}
	return "", nil
}

func TestYAMLParamKeys(t *testing.T) {
	for _, tc := range []struct{ key, value, want string }{
		{"s", "hello", `{"value":"hello","type":"STRING"}`},
		{"q", `"15"`, `{"value":"15","type":"STRING"}`},
		{"n", "15", `{"value":15,"type":"LONG"}`},
		{"d", "1.5", `{"value":1.5,"type":"DOUBLE"}`},
		{"b", "false", `{"value":false,"type":"BOOLEAN"}`},
		{"sa", "[a, b]", `{"value":["a","b"],"type":"STRING_ARRAY"}`},
		{"la", "[1, 2]", `{"value":[1,2],"type":"LONG_ARRAY"}`},
		{"da", "[1.5, 2.0]", `{"value":[1.5,2],"type":"DOUBLE_ARRAY"}`},
		{"ba", "[true]", `{"value":[true],"type":"BOOLEAN_ARRAY"}`},
		{"e", "[]", `{"value":[],"type":"STRING_ARRAY"}`},
		{"e<array<double>>", "[]", `{"value":[],"type":"DOUBLE_ARRAY"}`},
		{"sm", "{k: v}", `{"value":{"k":"v"},"type":"STRING_MAP"}`},
		{"sm<map>", "{k: v}", `{"value":{"k":"v"},"type":"STRING_MAP"}`},
		{"pm<pmap>", "{k: v}", `{"value":{"k":{"value":"v","type":"STRING"}},"type":"MAP"}`},
		{"m", "{k: 1}", `{"value":{"k":{"value":1,"type":"LONG"}},"type":"MAP"}`},
		{"m0", "{}", `{"value":{},"type":"MAP"}`},
		{"'!x'", "1 + 1", `{"expression":"1 + 1","type":"STRING"}`},
		{"'!x<long>'", "1 + 1", `{"expression":"1 + 1","type":"LONG"}`},
		{"'!x<array<long>>(constant)'", "Util.intsBetween(0, 3, 1)", `{"expression":"Util.intsBetween(0, 3, 1)","type":"LONG_ARRAY","mode":"CONSTANT"}`},
		{"x<long>(mutable_on_start_restart)", "3", `{"value":3,"type":"LONG","mode":"MUTABLE_ON_START_RESTART"}`},
		{"x<LONG>(Immutable)", "3", `{"value":3,"type":"LONG","mode":"IMMUTABLE"}`},
		{"x<string_array>", "[a]", `{"value":["a"],"type":"STRING_ARRAY"}`},
		{"ts", "2024-01-01", `{"value":"2024-01-01","type":"STRING"}`},
	} {
		t.Run(tc.key, func(t *testing.T) {
			got, err := paramJSON(t, tc.key, tc.value)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestYAMLParamKeyErrors(t *testing.T) {
	for _, tc := range []struct{ key, value, want string }{
		{"x<long>", "abc", `3:3: workflow.params["x"]: type mismatch: the key says LONG, the value is a STRING`},
		{"x<double>", "2", `type mismatch: the key says DOUBLE, the value is a LONG`},
		{"x<map>", "{}", `type mismatch: the key says STRING_MAP, the value is a MAP`},
		{"x<array<map>>", "[]", `3:3: workflow.params["x<array<map>>"]: unsupported type "ARRAY<MAP>"`},
		{"x<int>", "1", `invalid param type "INT"`},
		{"x(sometimes)", "1", `invalid param mode "sometimes"`},
		{"'!'", "1", `param name is empty`},
		{"x", "", `3:5: workflow.params["x"]: param x has no value`},
		{"x", "[[1]]", `a literal must be a string, number, boolean, list of those or mapping`},
		{"'!x'", "[1]", `3:9: workflow.params["x"].expression: an expression must be a string, got a sequence`},
		{"n", ".inf", `number .inf is not a finite number`},
	} {
		t.Run(tc.key+tc.value, func(t *testing.T) {
			_, err := paramJSON(t, tc.key, tc.value)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestYAMLErrorsPointAtLineAndColumn(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"syntax", "Workflow:\n  id: [\n", "2:1: invalid YAML: did not find expected node content"},
		{"empty", "", "empty YAML file"},
		{"no workflow", "flow:\n  id: x\n", `1:1: unknown top-level key "flow": a YAML definition has one key, Workflow`},
		{"both", "Workflow: {id: a}\nworkflow: {id: b}\n", "2:1: both Workflow and workflow are set"},
		{"two documents", "Workflow: {id: a}\n---\nWorkflow: {id: b}\n", "2:1: a definition is one YAML document"},
		{"duplicate", "Workflow:\n  id: a\n  id: b\n", `3:3: workflow: duplicate key "id"`},
		{"reserved", "Workflow:\n  id: a\n  workflow_params: {}\n", "3:3: workflow.workflow_params: reserved key"},
		{"job kind", "Workflow:\n  id: a\n  jobs:\n    - task: {id: x}\n", "4:7: workflow.steps[0]: a job is one key, job, foreach, while or subworkflow"},
		{"job type", "Workflow:\n  id: a\n  jobs:\n    - job: {id: x}\n", "4:7: workflow.steps[0].step.type: required"},
		{"transition", "Workflow:\n  id: a\n  jobs:\n    - job:\n        id: x\n        type: NoOp\n        transition: [WHEN a THEN b]\n", `7:22: workflow.steps[0].step.transition: invalid transition "WHEN a THEN b"`},
		{"otherwise last", "Workflow:\n  id: a\n  jobs:\n    - job:\n        id: x\n        type: NoOp\n        transition:\n          - OTHERWISE y\n          - y\n", "8:13: workflow.steps[0].step.transition: OTHERWISE must be the last transition"},
		{"dag order", "Workflow:\n  id: a\n  jobs: []\n  dag: random\n", `4:8: workflow.dag: invalid dag order "random"`},
		{"dag id", "Workflow:\n  id: a\n  jobs: [{job: {id: x, type: NoOp}}]\n  dag:\n    y: [x]\n", `5:5: workflow.dag["y"]: no job with this id`},
		{"range", "Workflow:\n  id: a\n  jobs:\n    - foreach:\n        id: f\n        ranges: {h: {from: 1}}\n", `6:18: workflow.steps[0].foreach.params["loop_params"].value["h"].to: required`},
		{"alias twice", "Workflow:\n  id: a\n  jobs:\n    - foreach:\n        id: f\n        params: {i: [1]}\n        loop_params: {i: [2]}\n", "7:9: workflow.steps[0].foreach.loop_params: loop_params is set twice (it is also written at line 6)"},
		{"decoder", "Workflow:\n  id: a\n  jobs:\n    - job:\n        id: x\n        type: NoOp\n        failure_mode: sometimes\n", `7:23: workflow.steps[0].step.failure_mode: must be one of`},
		{"extension", "Workflow:\n  id: a\n  jobs:\n    - job:\n        id: x\n        type: NoOp\n        __json:\n          retry_policy: {error_retry_limit: [1]}\n", `8:26: workflow.steps[0].step.retry_policy.error_retry_limit: must be a whole number`},
		{"merge key", "Workflow:\n  id: a\n  <<: {b: 1}\n", "3:3: workflow: YAML merge keys (<<) are not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeYAML([]byte(tc.src))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestYAMLValidationErrorsPointAtLineAndColumn(t *testing.T) {
	src := "Workflow:\n  id: wf\n  jobs:\n    - job:\n        id: a\n        type: NoOp\n        transition: [nowhere]\n"
	path := filepath.Join(t.TempDir(), "wf.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	r, err := DecodeFile(path)
	require.NoError(t, err)
	err = r.Validate()
	require.ErrorContains(t, err, path+`:7:22: workflow.steps[0].step.transition.successors["nowhere"]: `)
	// Locate is a no-op for a JSON definition.
	j, err := Decode([]byte(`{"workflow":{"id":"wf","steps":[{"step":{"id":"a","type":"NoOp","transition":{"successors":{"nowhere":"true"}}}}]}}`))
	require.NoError(t, err)
	require.ErrorContains(t, j.Validate(), `workflow.steps[0].step.transition.successors["nowhere"]: `)
	require.NotContains(t, j.Validate().Error(), ":7:")
}

func TestYAMLLimits(t *testing.T) {
	deep := "Workflow:\n  id: a\n  p<pmap>: " + strings.Repeat("{a: ", MaxYAMLDepth+2) + "1" + strings.Repeat("}", MaxYAMLDepth+2) + "\n"
	_, err := DecodeYAML([]byte(deep))
	require.ErrorContains(t, err, "nested deeper than 64 levels")

	var jobs strings.Builder
	for i := 0; i <= MaxYAMLDepth; i++ {
		jobs.WriteString("[{foreach: {id: f" + strings.Repeat("x", i) + ", jobs: ")
	}
	src := "Workflow:\n  id: a\n  jobs: " + jobs.String() + "[]" + strings.Repeat("}}]", MaxYAMLDepth+1) + "\n"
	_, err = DecodeYAML([]byte(src))
	require.ErrorContains(t, err, "nested deeper than 64 levels")

	_, err = DecodeYAML(make([]byte, MaxYAMLBytes+1))
	require.ErrorContains(t, err, "exceeds the limit")

	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	_, err = DecodeYAML([]byte("Workflow:\n  id: a\n  __json: {" + strings.ReplaceAll(strings.TrimSpace(bomb), "\n", ", ") + ", d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]}\n"))
	require.ErrorContains(t, err, "more than 50 YAML aliases")

	small := "Workflow:\n  id: a\n  base: &b {x: 1}\n  copy: *b\n"
	r, err := DecodeYAML([]byte(small))
	require.NoError(t, err)
	require.Equal(t, r.Workflow.Params["base"], r.Workflow.Params["copy"])
}

func TestIsYAML(t *testing.T) {
	require.True(t, IsYAML("a.yaml", []byte("{")))
	require.True(t, IsYAML("a.YML", nil))
	require.False(t, IsYAML("a.json", []byte("Workflow:")))
	require.True(t, IsYAML("def", []byte("\n# c\nWorkflow:\n")))
	require.False(t, IsYAML("def", []byte("  {\"workflow\":{}}")))
}

// TestREADMEYAMLExample: the README's YAML example means its JSON one.
func TestREADMEYAMLExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	section := string(readme)[strings.Index(string(readme), "## The YAML DSL"):]
	block := func(lang string) string {
		start := strings.Index(section, "```"+lang+"\n") + len(lang) + 4
		return section[start : start+strings.Index(section[start:], "```")]
	}
	y, err := DecodeYAML([]byte(block("yaml")))
	require.NoError(t, err)
	require.NoError(t, y.Validate())
	j, err := Decode([]byte(block("json")))
	require.NoError(t, err)
	yb, err := Encode(y)
	require.NoError(t, err)
	jb, err := Encode(j)
	require.NoError(t, err)
	require.Equal(t, string(jb), string(yb))
}

// TestYAMLDagForms: sequential chains jobs without a transition of their
// own, parallel adds no edge, a map gives transitions by job id; a job's
// own transition always wins.
func TestYAMLDagForms(t *testing.T) {
	edges := func(dag string) map[string][]Edge {
		r, err := DecodeYAML([]byte("Workflow:\n  id: w\n  jobs:\n" +
			"    - job: {id: a, type: NoOp}\n    - job: {id: b, type: NoOp, transition: [d]}\n" +
			"    - job: {id: c, type: NoOp}\n    - job: {id: d, type: NoOp}\n  dag: " + dag + "\n"))
		require.NoError(t, err)
		out := map[string][]Edge{}
		for _, s := range r.Workflow.Steps {
			out[s.ID] = s.Transition.Successors
		}
		return out
	}
	e := func(to string) []Edge { return []Edge{{To: to, Condition: "true"}} }
	require.Equal(t, map[string][]Edge{"a": e("b"), "b": e("d"), "c": e("d"), "d": nil}, edges("sequential"))
	require.Equal(t, map[string][]Edge{"a": nil, "b": e("d"), "c": nil, "d": nil}, edges("PARALLEL"))
	require.Equal(t, map[string][]Edge{"a": e("c"), "b": e("d"), "c": nil, "d": nil}, edges("{a: [c], b: [c]}"))
}

// TestYAMLJobAliases: job_concurrency, loop_params/params and
// subworkflow_id/workflow_id name the same fields, as in Maestro.
func TestYAMLJobAliases(t *testing.T) {
	r, err := DecodeYAML([]byte(`Workflow:
  id: w
  jobs:
    - foreach: {id: f, job_concurrency: 4, loop_params: {i: [1, 2]}, jobs: [{job: {id: x, type: NoOp}}]}
    - while: {id: l, params: {n: 0}, condition: n < 2, jobs: [{job: {id: y, type: NoOp}}]}
    - subworkflow: {id: s, subworkflow_id: child, subworkflow_version: "2"}
`))
	require.NoError(t, err)
	require.NoError(t, r.Validate())
	f, l, s := r.Workflow.Steps[0], r.Workflow.Steps[1], r.Workflow.Steps[2]
	require.Equal(t, int64(4), *f.Concurrency)
	require.Equal(t, []string{"i"}, f.Params["loop_params"].Keys)
	require.Equal(t, int64(0), l.Params["loop_params"].Value.(Params)["n"].Value)
	require.Equal(t, "child", s.Params["subworkflow_id"].Value)
	require.Equal(t, "2", s.Params["subworkflow_version"].Value)
}

// TestYAMLErrorsAreBounded: at most MaxErrors, then a count.
func TestYAMLErrorsAreBounded(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("Workflow:\n  id: w\n")
	for i := 0; i < 300; i++ {
		sb.WriteString("  'p" + strings.Repeat("x", i) + "<int>': 1\n")
	}
	_, err := DecodeYAML([]byte(sb.String()))
	es := AsErrors(err)
	require.Len(t, es, MaxErrors+1)
	require.Equal(t, "and 200 more errors", es[MaxErrors].Msg)
	require.Equal(t, 3, es[0].Pos.Line)
}
