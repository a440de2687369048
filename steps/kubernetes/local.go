package kubernetes

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LocalOptions configure a LocalExecutor.
type LocalOptions struct {
	// Env is the environment a job starts from, before the step's env and
	// the output tokens; nil means the worker's own (os.Environ).
	Env []string
	// Dir is the jobs' working directory; "" means the worker's.
	Dir string
	// KillGrace is how long a cancelled job has between SIGTERM and
	// SIGKILL (of its whole process group); 0 means 5 s.
	KillGrace time.Duration
}

// LocalExecutor runs each job's command and args as a process on the
// worker's machine, with the step's env: for development only. It ignores
// the image and the resource limits (and says so in the step's
// kubernetes_job param), and it runs whatever a definition says with the
// worker's rights: enable it only for definitions you trust.
type LocalExecutor struct {
	opts LocalOptions
}

var _ Executor = (*LocalExecutor)(nil)

// NewLocalExecutor builds a LocalExecutor.
func NewLocalExecutor(opts LocalOptions) *LocalExecutor {
	if opts.KillGrace <= 0 {
		opts.KillGrace = 5 * time.Second
	}
	return &LocalExecutor{opts: opts}
}

// Run runs the job's process to its end; a cancelled ctx kills it and
// its children.
func (e *LocalExecutor) Run(ctx context.Context, job *Job) (*JobResult, error) {
	argv := append(append([]string{}, job.Command.Command...), job.Command.Args...)
	if len(argv) == 0 {
		return nil, &Refusal{Reason: "local executor: " + errNoCommand.Error()}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = e.opts.Dir
	base := e.opts.Env
	if base == nil {
		base = os.Environ()
	}
	cmd.Env = mergeEnv(base, job.Env)
	buf := newTailBuffer(job.MaxLogBytes)
	out := &lockedWriter{w: buf}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Stdin = nil
	setProcessGroup(cmd)
	// A background child holding the output open must not hold the step.
	cmd.WaitDelay = e.opts.KillGrace
	if err := cmd.Start(); err != nil {
		// A command that cannot start is the definition's fault, as an
		// image without the binary would be.
		return &JobResult{Where: e.where(job, 0), ExitCode: 127, Reason: err.Error(), Log: []byte(err.Error())}, nil
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
		reap(cmd)
	case <-ctx.Done():
		terminate(cmd, e.opts.KillGrace, done)
		return nil, ctx.Err()
	}
	res := &JobResult{Where: e.where(job, cmd.Process.Pid)}
	out.mu.Lock()
	res.Log, res.Truncated = append([]byte(nil), buf.Bytes()...), buf.truncated
	out.mu.Unlock()
	if err != nil {
		res.ExitCode, res.Reason = exitCode(cmd, err)
	}
	return res, nil
}

// where says that this was not a pod, and what was ignored.
func (e *LocalExecutor) where(job *Job, pid int) string {
	host, _ := os.Hostname()
	s := "local process"
	if pid > 0 {
		s += " " + strconv.Itoa(pid)
	}
	s += fmt.Sprintf(" on %s (local executor: image %q ignored", host, job.Command.Image)
	var ignored []string
	for _, r := range []struct{ name, v string }{{"cpu", job.Command.CPU}, {"memory", job.Command.Memory}, {"disk", job.Command.Disk}, {"gpu", job.Command.GPU}} {
		if r.v != "" {
			ignored = append(ignored, r.name)
		}
	}
	if len(job.Command.PreStop) > 0 {
		ignored = append(ignored, "pre_stop")
	}
	if len(ignored) > 0 {
		s += ", " + strings.Join(ignored, ", ") + " ignored"
	}
	return s + ")"
}

// mergeEnv sets extra over base, in a stable order.
func mergeEnv(base []string, extra map[string]string) []string {
	out := make([]string, 0, len(base)+len(extra))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := extra[k]; !over {
			out = append(out, kv)
		}
	}
	keys := sortedKeys(extra)
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+extra[k])
	}
	return out
}

func exitCode(cmd *exec.Cmd, err error) (int, string) {
	if cmd.ProcessState != nil {
		if code := cmd.ProcessState.ExitCode(); code >= 0 {
			return code, ""
		}
		return 128 + signalOf(cmd.ProcessState), cmd.ProcessState.String()
	}
	return 1, err.Error()
}

// lockedWriter serialises stdout and stderr into one log.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
