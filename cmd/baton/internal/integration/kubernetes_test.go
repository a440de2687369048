package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/steps/kubernetes"
	"github.com/batonhq/baton/worker"
	W "github.com/batonhq/baton/workflows"
)

// kubernetesEnv is a worker with the Kubernetes and Notebook step types
// over ex on its own task queue, and a client for it.
func kubernetesEnv(t *testing.T, ex kubernetes.Executor) *client.Client {
	t.Helper()
	queue := "baton-k8s-" + strings.ReplaceAll(t.Name(), "/", "-")
	w, err := worker.New(env.tc, worker.Options{TaskQueue: queue, StepTypes: kubernetes.StepTypes(kubernetes.Options{Executor: ex})})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return client.New(env.tc, client.Options{TaskQueue: queue, EagerStart: true})
}

func runSampleOn(t *testing.T, bc *client.Client, req *definition.Request) *W.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, _, err := bc.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	return st
}

// TestKubernetesSamples runs Maestro's four Kubernetes samples with the
// local executor (/bin/sh on this machine stands in for busybox) to the
// results Maestro gives them.
func TestKubernetesSamples(t *testing.T) {
	bc := kubernetesEnv(t, kubernetes.NewLocalExecutor(kubernetes.LocalOptions{}))
	tests := []struct {
		file   string
		status W.InstanceStatus
		steps  map[string]W.StepStatus
		check  func(t *testing.T, st *W.State)
	}{
		{file: "server__sample-kubernetes-wf.json", status: W.InstanceSucceeded, steps: all(W.Succeeded, "job.1", "job.2"),
			check: func(t *testing.T, st *W.State) {
				p := st.Step("job.2").Params
				require.Equal(t, "hello world\n", p["kubernetes_execution_output"].Value)
				require.Contains(t, p["kubernetes_job"].Value, `local executor: image "busybox" ignored`)
			}},
		{file: "server__sample-kubernetes-output-wf.json", status: W.InstanceSucceeded, steps: all(W.Succeeded, "start", "job1", "end"),
			check: func(t *testing.T, st *W.State) {
				p := st.Step("job1").Params
				require.Equal(t, "bar", p["foo"].Value, "the output param, so foo != 'default' leads to end")
				require.NotContains(t, p["kubernetes_job"].Value, "ignored (not supported yet)")
				// The maestro_dynamic_output artifact's signal output is sent.
				out := st.Step("job1").SignalOutputs
				require.Len(t, out, 1)
				require.Equal(t, "demo_table", out[0].Name)
				require.Regexp(t, `^demo_table#\d+$`, out[0].SignalID)
			}},
		{file: "server__sample-kubernetes-env-wf.json", status: W.InstanceSucceeded, steps: all(W.Succeeded, "start", "job1", "end"),
			check: func(t *testing.T, st *W.State) {
				p := st.Step("job1").Params
				require.Equal(t, "bar", p["foo"].Value)
				require.Equal(t, int64(0), p["errorRetries"].Value)
				// env error_retries is "${errorRetries}" interpolated; $${error_retries}
				// reaches the shell as ${error_retries}.
				require.True(t, strings.HasPrefix(p["kubernetes_execution_output"].Value.(string), "error retries: 0\n"), p["kubernetes_execution_output"].Value)
			}},
		{file: "server__sample-kubernetes-nonretryable-wf.json", status: W.InstanceFailed, steps: map[string]W.StepStatus{"job1": W.FatallyFailed},
			check: func(t *testing.T, st *W.State) {
				s := st.Step("job1")
				require.Equal(t, 1, s.Attempts, "error_retry_limit 3, but the output says non-retryable")
				require.Contains(t, s.Error, "exited with code 1")
				require.Contains(t, s.Error, "non-retryable (maestro_retry)")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			st := runSampleOn(t, bc, loadSample(t, tt.file))
			require.Equal(t, tt.status, st.Status, st.Error)
			requireStatuses(t, st, tt.steps)
			require.Equal(t, "activity", st.Step(firstKubernetesStep(st)).Mode)
			tt.check(t, st)
		})
	}
}

func firstKubernetesStep(st *W.State) string {
	for _, s := range st.Steps {
		if s.Type == kubernetes.TypeName || s.Type == kubernetes.NotebookTypeName {
			return s.ID
		}
	}
	return ""
}

// TestNotebookSample runs server__sample-notebook-wf.json with the local
// executor and fake python3 and papermill on PATH: its init_command (pip
// install) and papermill run as Maestro builds them, and papermill's
// output sets the step's output param.
func TestNotebookSample(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755))
	}
	script("python3", `echo "python3 $*" >> `+filepath.Join(dir, "calls")+"\n")
	script("papermill", `printf '%s\n' "$@" > `+filepath.Join(dir, "papermill-args")+`
echo "papermill ran"
echo "${MAESTRO_OUTPUT_START}{\"params\":{\"foo\":{\"type\":\"STRING\",\"value\":\"from-notebook\"}}}${MAESTRO_OUTPUT_END}"
`)
	bc := kubernetesEnv(t, kubernetes.NewLocalExecutor(kubernetes.LocalOptions{Env: []string{"PATH=" + dir + ":/usr/bin:/bin"}, Dir: dir}))
	st := runSampleOn(t, bc, loadSample(t, "server__sample-notebook-wf.json"))
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	requireStatuses(t, st, all(W.Succeeded, "job.1", "job.2"))
	require.Equal(t, "from-notebook", st.Step("job.2").Params["foo"].Value)

	calls, err := os.ReadFile(filepath.Join(dir, "calls"))
	require.NoError(t, err)
	require.Equal(t, "python3 -m pip --no-cache-dir install notebook papermill\n", string(calls))
	b, err := os.ReadFile(filepath.Join(dir, "papermill-args"))
	require.NoError(t, err)
	args := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	require.Len(t, args, 7, string(b))
	require.Equal(t, "https://raw.githubusercontent.com/oss-maestro/maestro-notebook-templates/d51d251cbbb5660d343bc2bb0765881ebbfed6a0/examples/demo01.ipynb", args[0])
	require.Regexp(t, `^maestro-output_\d{14}__1_2_[0-9a-f-]{36}\.ipynb$`, args[1], "Maestro's default output_path")
	require.Equal(t, "-y", args[2])
	require.Contains(t, args[3], `"foo":"default"`, "the step's params go to the notebook")
	require.Contains(t, args[3], `"attempt_number":0`)
	require.Equal(t, []string{"--log-output", "--start_timeout", "600"}, args[4:])
}

// TestKubernetesRefusedWithoutCluster: a worker without --local-kubernetes
// and without a cluster fails the step with the reason, once.
func TestKubernetesRefusedWithoutCluster(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	bc := kubernetesEnv(t, kubernetes.NewClusterExecutor(kubernetes.PodOptions{}))
	st := runSampleOn(t, bc, loadSample(t, "server__sample-kubernetes-wf.json"))
	require.Equal(t, W.InstanceFailed, st.Status)
	s := st.Step("job.2")
	require.Equal(t, W.FatallyFailed, s.Status)
	require.Equal(t, 1, s.Attempts)
	require.Contains(t, s.Error, "no Kubernetes cluster")
	require.Contains(t, s.Error, "--local-kubernetes")
}
