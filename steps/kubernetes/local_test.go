//go:build unix

package kubernetes

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
)

func localJob(t *testing.T, command []string, args []string, env map[string]string) *Job {
	t.Helper()
	cmd := &Command{Image: "busybox", Command: command, Args: args, Env: env, CPU: "1"}
	return New(Options{}).job(testStep(nil), cmd)
}

func TestLocalExecutor(t *testing.T) {
	ex := NewLocalExecutor(LocalOptions{Env: []string{"PATH=" + os.Getenv("PATH"), "KEEP=base", "OVER=base"}})
	job := localJob(t, []string{"/bin/sh"}, []string{"-c", `echo "$KEEP $OVER $MAESTRO_OUTPUT_START" && echo err >&2 && exit 3`}, map[string]string{"OVER": "step"})
	res, err := ex.Run(context.Background(), job)
	require.NoError(t, err)
	require.Equal(t, 3, res.ExitCode)
	require.Contains(t, string(res.Log), "base step "+OutputStartToken+"\n")
	require.Contains(t, string(res.Log), "err\n")
	require.Regexp(t, `^local process \d+ on .* \(local executor: image "busybox" ignored, cpu ignored\)$`, res.Where)
}

func TestLocalExecutorNotStartable(t *testing.T) {
	res, err := NewLocalExecutor(LocalOptions{}).Run(context.Background(), localJob(t, []string{"/no/such/binary"}, nil, nil))
	require.NoError(t, err)
	require.Equal(t, 127, res.ExitCode)
	require.Contains(t, res.Reason, "no such file")

	_, err = NewLocalExecutor(LocalOptions{}).Run(context.Background(), localJob(t, nil, nil, nil))
	require.ErrorContains(t, err, "the image's own entrypoint cannot run outside a container")
	require.True(t, isRefusal(err))
}

func TestLocalExecutorLogBound(t *testing.T) {
	job := localJob(t, []string{"/bin/sh", "-c"}, []string{"head -c 100000 /dev/zero | tr '\\0' x; echo END"}, nil)
	job.MaxLogBytes = 10
	res, err := NewLocalExecutor(LocalOptions{}).Run(context.Background(), job)
	require.NoError(t, err)
	require.Equal(t, "xxxxxxEND\n", string(res.Log))
	require.True(t, res.Truncated)
}

// TestLocalExecutorCancel: a stop kills the job and the children of its
// shell (the sleep would otherwise outlive it).
func TestLocalExecutorCancel(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	job := localJob(t, []string{"/bin/sh", "-c"}, []string{"sleep 60 & echo $! > " + pidFile + "; wait"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := NewLocalExecutor(LocalOptions{KillGrace: 100 * time.Millisecond}).Run(ctx, job)
		done <- err
	}()
	require.Eventually(t, func() bool { b, _ := os.ReadFile(pidFile); return len(strings.TrimSpace(string(b))) > 0 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	b, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := os.Stat("/proc/" + strings.TrimSpace(string(b)))
		return os.IsNotExist(err)
	}, 5*time.Second, 10*time.Millisecond, "the shell's child was killed")
}

// TestNotebookLocal runs a Notebook step with a fake papermill on PATH:
// the command line reaches it, and its output becomes the step's.
func TestNotebookLocal(t *testing.T) {
	dir := t.TempDir()
	fake := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + filepath.Join(dir, "args") + "\necho \"${MAESTRO_OUTPUT_START}{\\\"params\\\":{\\\"foo\\\":{\\\"type\\\":\\\"STRING\\\",\\\"value\\\":\\\"from-notebook\\\"}}}${MAESTRO_OUTPUT_END}\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "papermill"), []byte(fake), 0o755))
	nb := NewNotebook(Options{Executor: NewLocalExecutor(LocalOptions{Env: []string{"PATH=" + dir + ":/usr/bin:/bin"}})})
	step := testStep(map[string]any{"image": "python:3"})
	step.Type = NotebookTypeName
	step.Params[ParamNotebook] = mapValue(map[string]any{"init_command": "", "input_path": "in.ipynb", "output_path": "out.ipynb"})
	o, err := runStep(t, nb, step)
	require.NoError(t, err)
	require.Equal(t, "from-notebook", o.Outputs["foo"].Value)
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	require.NoError(t, err)
	require.Equal(t, "in.ipynb\nout.ipynb\n-y\n"+
		`{"attempt_number":0,"kubernetes":{"image":"python:3"},"notebook":{"init_command":"","input_path":"in.ipynb","output_path":"out.ipynb"}}`+
		"\n--log-output\n--start_timeout\n600\n", string(args))
	require.Equal(t, activities.ErrorTypeUser, func() string {
		step.Params[ParamNotebook] = mapValue(map[string]any{"init_command": "false &&", "input_path": "in.ipynb", "output_path": "out.ipynb"})
		_, err := runStep(t, nb, step)
		return activities.ErrorClass(err)
	}(), "a failing init command fails the step")
}
