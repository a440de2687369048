package kubernetes

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPapermillEntrypoint checks the command line against what Maestro's
// PapermillEntrypointBuilder builds for the same notebook params
// (PapermillEntrypointBuilderTest's fixture, sample-wf-notebook.json: input
// /some/notebook.ipynb, output s3://path/someplace/nice.ipynb, papermill
// arguments --start_timeout 100, init_command ""), worked out from its
// String.format calls.
func TestPapermillEntrypoint(t *testing.T) {
	const js = `{"RUN_TS":1607746121804}`
	fixture := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{
			"init_command":        "",
			"input_path":          "/some/notebook.ipynb",
			"output_path":         "s3://path/someplace/nice.ipynb",
			"papermill_arguments": []string{"--start_timeout", "100"},
		}
		if edit != nil {
			edit(m)
		}
		return m
	}
	const tailArgs = ` '/some/notebook.ipynb' 's3://path/someplace/nice.ipynb' -y '{"RUN_TS":1607746121804}' --log-output '--start_timeout' '100'`
	const gitTail = ` papermill "$(basename '/some/notebook.ipynb')" 's3://path/someplace/nice.ipynb' -y '{"RUN_TS":1607746121804}' --log-output '--start_timeout' '100'`
	tests := []struct {
		name string
		nb   map[string]any
		want string
	}{
		{"fixture", fixture(nil), " papermill" + tailArgs},
		{"default start timeout", fixture(func(m map[string]any) { delete(m, "papermill_arguments") }),
			` papermill '/some/notebook.ipynb' 's3://path/someplace/nice.ipynb' -y '{"RUN_TS":1607746121804}' --log-output '--start_timeout' '600'`},
		{"other arguments trimmed, timeout added", fixture(func(m map[string]any) { m["papermill_arguments"] = []string{" -k ", "python3"} }),
			` papermill '/some/notebook.ipynb' 's3://path/someplace/nice.ipynb' -y '{"RUN_TS":1607746121804}' --log-output '-k' 'python3' '--start_timeout' '600'`},
		{"init command", fixture(func(m map[string]any) { m["init_command"] = "pip install papermill &&" }),
			"pip install papermill && papermill" + tailArgs},
		{"quotes in paths", fixture(func(m map[string]any) { m["input_path"] = "/it's/nb.ipynb" }),
			` papermill '/it'\''s/nb.ipynb' 's3://path/someplace/nice.ipynb' -y '{"RUN_TS":1607746121804}' --log-output '--start_timeout' '100'`},
		{"git repo", fixture(func(m map[string]any) { m["git_repo"] = "my_repo" }),
			` git clone my_repo maestro_notebook_git_repo && cd "maestro_notebook_git_repo/$(dirname '/some/notebook.ipynb')" &&` + gitTail},
		{"git repo and branch", fixture(func(m map[string]any) { m["git_repo"], m["git_branch"] = "my_repo", "my_branch" }),
			` git clone -b my_branch my_repo maestro_notebook_git_repo && cd "maestro_notebook_git_repo/$(dirname '/some/notebook.ipynb')" &&` + gitTail},
		{"git repo and commit", fixture(func(m map[string]any) { m["git_repo"], m["git_commit"] = "my_repo", "my_commit" }),
			` git clone my_repo maestro_notebook_git_repo && cd "maestro_notebook_git_repo/$(dirname '/some/notebook.ipynb')" && git checkout my_commit &&` + gitTail},
		{"branch wins over commit", fixture(func(m map[string]any) { m["git_repo"], m["git_branch"], m["git_commit"] = "r", "b", "c" }),
			` git clone -b b r maestro_notebook_git_repo && cd "maestro_notebook_git_repo/$(dirname '/some/notebook.ipynb')" &&` + gitTail},
		{"git submodules", fixture(func(m map[string]any) { m["git_repo"], m["git_submodules"] = "my_repo", true }),
			` git clone --recurse-submodules my_repo maestro_notebook_git_repo && cd "maestro_notebook_git_repo/$(dirname '/some/notebook.ipynb')" &&` + gitTail},
		{"git submodules false", fixture(func(m map[string]any) { m["git_repo"], m["git_submodules"] = "my_repo", false }),
			` git clone my_repo maestro_notebook_git_repo && cd "maestro_notebook_git_repo/$(dirname '/some/notebook.ipynb')" &&` + gitTail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nb, err := decodeNotebook(tt.nb, true)
			require.NoError(t, err)
			require.Equal(t, tt.want, papermillEntrypoint(nb, js))
		})
	}
}

func TestNotebookParamErrors(t *testing.T) {
	tests := []struct {
		name    string
		raw     any
		present bool
		want    string
	}{
		{"missing", nil, false, `missing the "notebook" param`},
		{"not a map", "x", true, `param "notebook" must be a MAP, got string`},
		{"no input", map[string]any{"output_path": "o"}, true, "notebook.input_path is required"},
		{"no output", map[string]any{"input_path": "i"}, true, "notebook.output_path is required"},
		{"bad arguments", map[string]any{"input_path": "i", "output_path": "o", "papermill_arguments": int64(3)}, true, "notebook.papermill_arguments must be a STRING_ARRAY, got int64"},
		{"bad submodules", map[string]any{"input_path": "i", "output_path": "o", "git_repo": "r", "git_submodules": "yes"}, true, "notebook.git_submodules must be a BOOLEAN, got string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeNotebook(tt.raw, tt.present)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// TestNotebookParamsJSON: the step's params but Maestro's excluded ones,
// Baton's artifact params and empty strings; attempt_number; no HTML
// escaping (Jackson's output).
func TestNotebookParamsJSON(t *testing.T) {
	js, err := notebookParamsJSON(map[string]any{
		"RUN_TS": int64(1607746121804), "foo": "a<b", "empty": "", "step_instance_uuid": "u",
		"workflow_id": "w", jobParam: "pod", execOutputParam: "log",
		"notebook": map[string]any{"input_path": "i"},
	}, 2)
	require.NoError(t, err)
	require.Equal(t, `{"RUN_TS":1607746121804,"attempt_number":1,"foo":"a<b","notebook":{"input_path":"i"}}`, js)
}
