package kubernetes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/translator"
)

// The step types' names, as the translator spells them ("kubernetes" in
// a definition is Kubernetes).
const (
	TypeName         = translator.TypeKubernetes
	NotebookTypeName = translator.TypeNotebook
)

// The params the translator declares on both step types for Maestro's
// KUBERNETES artifact: where the job ran, and the end of its log.
const (
	jobParam        = translator.KubernetesJobParam
	execOutputParam = translator.KubernetesOutputParam
)

// Defaults of Options.
const (
	DefaultMaxLogBytes = 1 << 20
	// executionOutputBytes is how much of the log the step keeps in its
	// kubernetes_execution_output param (Maestro keeps 10 KiB).
	executionOutputBytes = 10 << 10
	// errorLogBytes is how much of the log a failure's message quotes.
	errorLogBytes = 1 << 10
)

// Options configure both step types.
type Options struct {
	// Executor runs the jobs; required. See PodExecutor and LocalExecutor.
	Executor Executor
	// MaxLogBytes bounds the log kept of a job (its end), which is where
	// the output data is read from; 0 means DefaultMaxLogBytes.
	MaxLogBytes int
}

// Step is the Kubernetes step type, or with a notebook the Notebook type.
type Step struct {
	opts     Options
	notebook bool
}

var _ activities.StepType = (*Step)(nil)

// New builds the Kubernetes step type.
func New(opts Options) *Step { return newStep(opts, false) }

// NewNotebook builds the Notebook step type.
func NewNotebook(opts Options) *Step { return newStep(opts, true) }

func newStep(opts Options, notebook bool) *Step {
	if opts.MaxLogBytes <= 0 {
		opts.MaxLogBytes = DefaultMaxLogBytes
	}
	return &Step{opts: opts, notebook: notebook}
}

// StepTypes returns both step types under their names, to merge into
// worker.Options.StepTypes.
func StepTypes(opts Options) map[string]activities.StepType {
	return map[string]activities.StepType{TypeName: New(opts), NotebookTypeName: NewNotebook(opts)}
}

func (s *Step) name() string {
	if s.notebook {
		return "notebook step"
	}
	return "kubernetes step"
}

// Run runs one attempt of the step as a job and maps its end to the
// step's outcome.
func (s *Step) Run(ctx context.Context, step *activities.Step) (*activities.Result, error) {
	if s.opts.Executor == nil {
		return nil, activities.FatalError(fmt.Errorf("%s: no executor configured (kubernetes.Options.Executor)", s.name()))
	}
	cmd, err := decodeCommand(step.Param(ParamKubernetes))
	if err != nil {
		return nil, activities.FatalError(fmt.Errorf("%s: %w", s.name(), err))
	}
	if s.notebook {
		if err := s.notebookCommand(step, cmd); err != nil {
			return nil, activities.FatalError(fmt.Errorf("%s: %w", s.name(), err))
		}
	}
	job := s.job(step, cmd)
	res, err := s.opts.Executor.Run(ctx, job)
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err() // a stop, a kill or the step's timeout; the job is gone
	case isRefusal(err):
		return nil, activities.FatalError(fmt.Errorf("%s: %w", s.name(), err))
	case err != nil:
		return nil, activities.PlatformError(fmt.Errorf("%s: job %s: %w", s.name(), job.Name, err))
	}
	return s.outcome(res)
}

// notebookCommand turns the container into papermill's, as Maestro's
// NotebookStepRuntime.customizePreLaunchCommand.
func (s *Step) notebookCommand(step *activities.Step, cmd *Command) error {
	nb, err := decodeNotebook(step.Param(ParamNotebook))
	if err != nil {
		return err
	}
	params := make(map[string]any, len(step.Params))
	for k, v := range step.Params {
		params[k] = v.Value
	}
	js, err := notebookParamsJSON(params, step.Attempt)
	if err != nil {
		return err
	}
	cmd.Command, cmd.Args = []string{"/bin/sh", "-c"}, []string{papermillEntrypoint(nb, js)}
	return nil
}

func (s *Step) job(step *activities.Step, cmd *Command) *Job {
	env := make(map[string]string, len(cmd.Env)+2)
	for k, v := range cmd.Env {
		env[k] = v
	}
	for k, v := range outputEnv() {
		env[k] = v
	}
	name, group := jobName(step, cmd)
	return &Job{
		Name:  name,
		Group: group,
		Labels: map[string]string{
			GroupLabel:                     group,
			"app.kubernetes.io/managed-by": "baton",
			"app.kubernetes.io/name":       labelValue(cmd.AppName),
			"baton.io/step-type":           labelValue(step.Type),
		},
		Annotations: map[string]string{
			"baton.io/workflow-id": step.WorkflowID,
			"baton.io/instance-id": step.InstanceID,
			"baton.io/run-id":      step.RunID,
			"baton.io/step-id":     step.StepID,
			"baton.io/attempt":     strconv.Itoa(step.Attempt),
		},
		Command:     cmd,
		Env:         env,
		MaxLogBytes: s.opts.MaxLogBytes,
	}
}

// outcome: exit code 0 succeeds with the output params; any other is a
// user error, fatal when the output data says the step is not retryable.
func (s *Step) outcome(res *JobResult) (*activities.Result, error) {
	log := string(res.Log)
	where := res.Where
	var out *jobOutput
	if data, found := extractOutput(res.Log); found {
		var err error
		if out, err = parseOutput(data); err != nil {
			return nil, activities.UserError(fmt.Errorf("%s: %s: %w", s.name(), where, err))
		}
		if len(out.ignored) > 0 {
			where += "; output artifacts ignored (not supported yet): " + strings.Join(out.ignored, ", ")
		}
	} else if res.Truncated && strings.Contains(log, OutputEndToken) {
		return nil, activities.UserError(fmt.Errorf("%s: %s: the output data does not fit in the last %d bytes of the log kept (kubernetes.Options.MaxLogBytes)", s.name(), where, len(res.Log)))
	}
	if res.ExitCode != 0 {
		reason := ""
		if res.Reason != "" {
			reason = " (" + res.Reason + ")"
		}
		why := fmt.Errorf("%s: %s exited with code %d%s; log: %s", s.name(), where, res.ExitCode, reason, tail(log, errorLogBytes))
		if out != nil && out.nonRetryable {
			return nil, activities.FatalError(fmt.Errorf("%w; its output data marks it non-retryable (maestro_retry)", why))
		}
		return nil, activities.UserError(why)
	}
	outputs := map[string]any{jobParam: where, execOutputParam: tail(log, executionOutputBytes)}
	if out != nil {
		for k, v := range out.params {
			if k == jobParam || k == execOutputParam {
				return nil, activities.UserError(fmt.Errorf("%s: output data sets %q, which the step sets itself", s.name(), k))
			}
			outputs[k] = v
		}
	}
	result := &activities.Result{Outputs: outputs}
	if out != nil {
		result.Signals = out.signals
	}
	return result, nil
}

// GroupLabel labels a step's pods with their Job.Group.
const GroupLabel = "baton.io/job-group"

// jobName is unique per step attempt and a DNS-1123 label: the group (the
// job_deduplication_key cleaned, else a hash of the run and step) and the
// attempt.
func jobName(step *activities.Step, cmd *Command) (name, group string) {
	base := dnsLabel(cmd.JobDeduplicationKey)
	if base == "" {
		h := sha256.Sum256([]byte(step.WorkflowID + "\x00" + step.InstanceID + "\x00" + step.RunID + "\x00" + step.StepID))
		base = "baton-" + hex.EncodeToString(h[:10])
	}
	suffix := "-" + strconv.Itoa(max(step.Attempt, 1))
	if len(base)+len(suffix) > 63 {
		base = strings.TrimRight(base[:63-len(suffix)], "-")
	}
	return base + suffix, base
}

// dnsLabel lowercases s and keeps [a-z0-9-], trimmed of dashes.
func dnsLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-', r == '_', r == '.', r == ' ':
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// labelValue makes s a valid label value: at most 63 of [A-Za-z0-9-_.],
// starting and ending alphanumeric.
func labelValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '-' || r == '_' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	v := b.String()
	if len(v) > 63 {
		v = v[:63]
	}
	return strings.Trim(v, "-_.")
}

// errNoCommand: a local job needs a command (an image's entrypoint cannot
// run outside the image).
var errNoCommand = errors.New("no command or args: the image's own entrypoint cannot run outside a container")
