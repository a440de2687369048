package kubernetes

import (
	"context"
	"errors"
)

// Executor runs a job to completion. Cancelling ctx (a stop, a kill, the
// step's timeout, the worker stopping) must delete the job before Run
// returns.
type Executor interface {
	Run(ctx context.Context, job *Job) (*JobResult, error)
}

// Job is one attempt of a step: a container to run once.
type Job struct {
	// Name is unique per step attempt and a valid Kubernetes object name
	// (DNS-1123 label).
	Name string
	// Group is shared by the jobs of all attempts of one step run (a
	// label value): an executor removes what an earlier attempt left.
	Group       string
	Labels      map[string]string
	Annotations map[string]string
	Command     *Command
	// Env is the container's environment: the step's env plus
	// MAESTRO_OUTPUT_START and MAESTRO_OUTPUT_END.
	Env map[string]string
	// MaxLogBytes bounds the log a Run returns (its last bytes).
	MaxLogBytes int
}

// JobResult is how a job ended.
type JobResult struct {
	// Where describes where the job ran, for the step's kubernetes_job
	// param: "pod default/NAME", or the local process and what it ignored.
	Where    string
	ExitCode int
	// Reason is a non-zero exit's reason as Kubernetes reports it
	// (OOMKilled, Error...), if any.
	Reason string
	// Log is the end of the job's output (stdout and stderr), at most
	// Job.MaxLogBytes; Truncated says bytes before it were dropped.
	Log       []byte
	Truncated bool
}

// Refusal is an executor error that no retry can fix (a job this worker
// will not run): the step fails with a fatal error. Other executor errors
// are platform errors, retried under platform_retry_limit.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

func isRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}
