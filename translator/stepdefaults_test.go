package translator

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities/httpstep"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
)

func TestHTTPStepDefaults(t *testing.T) {
	require.Equal(t, httpstep.DefaultStateExpr, HTTPDefaultStateExpr)
	req, err := definition.Decode([]byte(`{"workflow":{"id":"w","steps":[
		{"step":{"id":"a","type":"http","params":{"http":{"type":"MAP","value":{"url":{"type":"STRING","value":"http://h/x"}}}}}},
		{"step":{"id":"b","type":"HTTP","params":{
			"http":{"type":"MAP","value":{"url":{"type":"STRING","value":"http://h/y"},"method":{"type":"STRING","value":"POST"},"headers":{"type":"STRING_MAP","value":{"user":"t"}}}},
			"state_expr":{"type":"STRING","value":"return \"DONE\";"},
			"status_code":{"type":"LONG","value":0,"mode":"MUTABLE"}}}}]}}`))
	require.NoError(t, err)
	require.NoError(t, req.Validate())
	p, err := Compile(req, Options{})
	require.NoError(t, err)

	a, b := p.Steps[0], p.Steps[1]
	require.Equal(t, "Http", a.Type)
	require.Equal(t, "Http", b.Type)
	require.Equal(t, ModeActivity, a.Mode, "a user step type run as an activity (default timeout)")

	require.Equal(t, &Param{Type: sel.Long, Literal: int64(200), Mode: "MUTABLE"}, a.Params["status_code"])
	require.Equal(t, &Param{Type: sel.String, Literal: "", Mode: "MUTABLE"}, a.Params["response_body"])
	require.Equal(t, HTTPDefaultStateExpr, a.Params["state_expr"].Literal)
	m := a.Params["http"].Literal.(map[string]*Param)
	require.Equal(t, "GET", m["method"].Literal)
	require.Equal(t, map[string]string{"Content-Type": "application/json", "Accept": "application/json"}, m["headers"].Literal)

	// Declared params are kept as written.
	require.Equal(t, `return "DONE";`, b.Params["state_expr"].Literal)
	require.Equal(t, int64(0), b.Params["status_code"].Literal)
	m = b.Params["http"].Literal.(map[string]*Param)
	require.Equal(t, "POST", m["method"].Literal)
	require.Equal(t, map[string]string{"user": "t"}, m["headers"].Literal)

	// The plan encodes and decodes with the defaults.
	_, err = hashOf(p)
	require.NoError(t, err)
}

// TestKubernetesSteps: Kubernetes and Notebook steps compile to a user
// step type under Maestro's name, as activities unless told otherwise,
// with the artifact params declared and a literal notebook MAP given
// Maestro's default entries.
func TestKubernetesSteps(t *testing.T) {
	p, err := Compile(loadSample(t, "server__sample-notebook-wf.json"), Options{})
	require.NoError(t, err)
	nb := p.Steps[1]
	require.Equal(t, TypeNotebook, nb.Type)
	require.Equal(t, ModeActivity, nb.Mode)
	require.Equal(t, &Param{Type: sel.String, Literal: "", Mode: "MUTABLE"}, nb.Params[KubernetesJobParam])
	require.Equal(t, &Param{Type: sel.String, Literal: "", Mode: "MUTABLE"}, nb.Params[KubernetesOutputParam])
	m := nb.Params["notebook"].Literal.(map[string]*Param)
	require.Equal(t, "python3 -m pip --no-cache-dir install notebook papermill &&", m["init_command"].Literal, "kept as written")
	require.Equal(t, NotebookOutputPathExpr, m["output_path"].Expr)
	require.Equal(t, NotebookRunIDExpr, m["run_id"].Expr)

	p, err = Compile(loadSample(t, "server__sample-kubernetes-wf.json"), Options{})
	require.NoError(t, err)
	k := p.Steps[1]
	require.Equal(t, TypeKubernetes, k.Type, `"kubernetes" in the definition`)
	require.Equal(t, ModeActivity, k.Mode)
	require.NotContains(t, k.Params, "notebook")

	// A tag still chooses the mode.
	req := loadSample(t, "server__sample-kubernetes-wf.json")
	req.Workflow.Steps[1].Tags = definition.TagList{tag(TagMode, "local_activity")}
	p, err = Compile(req, Options{})
	require.NoError(t, err)
	require.Equal(t, ModeLocalActivity, p.Steps[1].Mode)
}
