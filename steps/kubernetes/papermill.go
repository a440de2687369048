package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// ParamNotebook is the MAP param that describes a Notebook step's notebook.
const ParamNotebook = "notebook"

// Papermill command pieces (Maestro's NotebookConstants).
const (
	papermillCommand    = "papermill"
	logOutputArg        = "--log-output"
	startTimeoutArg     = "--start_timeout"
	startTimeoutDefault = "600"
	gitCloneFolder      = "maestro_notebook_git_repo"
)

// notebookParams is the decoded notebook MAP param.
type notebookParams struct {
	InitCommand   string
	InputPath     string
	OutputPath    string
	PapermillArgs []string
	hasPapermill  bool
	GitRepo       string
	hasGitRepo    bool
	GitBranch     string
	hasGitBranch  bool
	GitCommit     string
	hasGitCommit  bool
	GitSubmodules bool
	hasSubmodules bool
}

func decodeNotebook(raw any, present bool) (*notebookParams, error) {
	if !present {
		return nil, fmt.Errorf("missing the %q param (a MAP with input_path, output_path...)", ParamNotebook)
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("param %q must be a MAP, got %T", ParamNotebook, raw)
	}
	d := mapDecoder{m: m, path: ParamNotebook}
	has := func(k string) bool { return m[k] != nil }
	nb := &notebookParams{
		InitCommand:   d.str("init_command"),
		InputPath:     d.str("input_path"),
		OutputPath:    d.str("output_path"),
		PapermillArgs: d.strs("papermill_arguments"),
		hasPapermill:  has("papermill_arguments"),
		GitRepo:       d.str("git_repo"),
		hasGitRepo:    has("git_repo"),
		GitBranch:     d.str("git_branch"),
		hasGitBranch:  has("git_branch"),
		GitCommit:     d.str("git_commit"),
		hasGitCommit:  has("git_commit"),
		hasSubmodules: has("git_submodules"),
	}
	if nb.hasSubmodules {
		b, ok := m["git_submodules"].(bool)
		if !ok {
			d.fail("git_submodules", "BOOLEAN", m["git_submodules"])
		}
		nb.GitSubmodules = b
	}
	if d.err != nil {
		return nil, d.err
	}
	if nb.InputPath == "" {
		return nil, fmt.Errorf("%s.input_path is required", ParamNotebook)
	}
	if nb.OutputPath == "" {
		return nil, fmt.Errorf("%s.output_path is required", ParamNotebook)
	}
	return nb, nil
}

// papermillEntrypoint is the shell command line a Notebook step runs
// (Maestro's PapermillEntrypointBuilder.generatePapermillRuntime, byte for
// byte): paramsJSON is the notebook's input params (-y).
func papermillEntrypoint(nb *notebookParams, paramsJSON string) string {
	inputArg := shellQuote(nb.InputPath)
	outputArg := shellQuote(nb.OutputPath)
	inputArgs := "-y " + shellQuote(paramsJSON)
	extra := extraPapermillArgs(nb)
	if clone := gitCloneCommand(nb, inputArg); clone != "" {
		return fmt.Sprintf("%s %s %s \"$(basename %s)\" %s %s %s %s",
			nb.InitCommand, clone, papermillCommand, inputArg, outputArg, inputArgs, logOutputArg, extra)
	}
	return fmt.Sprintf("%s %s %s %s %s %s %s",
		nb.InitCommand, papermillCommand, inputArg, outputArg, inputArgs, logOutputArg, extra)
}

func gitCloneCommand(nb *notebookParams, inputArg string) string {
	if !nb.hasGitRepo {
		return ""
	}
	git := "git clone"
	if nb.hasSubmodules && nb.GitSubmodules {
		git = "git clone --recurse-submodules"
	}
	switch {
	case nb.hasGitBranch:
		return fmt.Sprintf("%s -b %s %s %s && cd \"%s/$(dirname %s)\" &&",
			git, nb.GitBranch, nb.GitRepo, gitCloneFolder, gitCloneFolder, inputArg)
	case nb.hasGitCommit:
		return fmt.Sprintf("%s %s %s && cd \"%s/$(dirname %s)\" && git checkout %s &&",
			git, nb.GitRepo, gitCloneFolder, gitCloneFolder, inputArg, nb.GitCommit)
	}
	return fmt.Sprintf("%s %s %s && cd \"%s/$(dirname %s)\" &&",
		git, nb.GitRepo, gitCloneFolder, gitCloneFolder, inputArg)
}

func extraPapermillArgs(nb *notebookParams) string {
	var args []string
	if nb.hasPapermill {
		for _, a := range nb.PapermillArgs {
			args = append(args, strings.TrimSpace(a))
		}
	}
	found := false
	for _, a := range args {
		found = found || a == startTimeoutArg
	}
	if !found {
		args = append(args, startTimeoutArg, startTimeoutDefault)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	return strings.Join(quoted, " ")
}

// shellQuote single-quotes s for sh, as Maestro's quoteBashCommandArg.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// notebookExcluded are the params Maestro's NotebookParamsBuilder leaves
// out of a notebook's input params, plus Baton's artifact params.
var notebookExcluded = map[string]bool{
	"workflow_id": true, "step_attempt_id": true, "step_instance_uuid": true,
	"workflow_instance_id": true, "maestro_step_satisfied": true,
	"FIRST_TIME_TRIGGER_TIMEZONE": true, "INITIATOR_TIMEZONE": true,
	jobParam: true, execOutputParam: true,
}

// notebookParamsJSON is the notebook's input params (Maestro's
// NotebookParamsBuilder): the step's evaluated params but the excluded
// ones and empty strings, attempt_number (attempts before this one) and
// owner if the step has one, as JSON with keys in name order.
func notebookParamsJSON(params map[string]any, attempt int) (string, error) {
	out := make(map[string]any, len(params)+1)
	for name, v := range params {
		if notebookExcluded[name] {
			continue
		}
		if s, ok := v.(string); ok && s == "" {
			continue
		}
		out[name] = v
	}
	out["attempt_number"] = attempt - 1
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as Jackson writes it
	if err := enc.Encode(out); err != nil {
		return "", fmt.Errorf("notebook params: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
