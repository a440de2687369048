package kubernetes

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestBuildPod(t *testing.T) {
	cmd, err := decodeCommand(map[string]any{
		"image":    "busybox",
		"command":  []string{"/bin/sh"},
		"args":     []string{"-c", "echo hi"},
		"env":      map[string]string{"B": "2", "A": "1"},
		"cpu":      "500m",
		"memory":   "1Gi",
		"disk":     "10Gi",
		"gpu":      "1",
		"pre_stop": map[string]any{"exec": map[string]any{"command": []string{"/bin/sh", "-c", "sleep 1"}}},
	}, true)
	require.NoError(t, err)
	step := testStep(nil)
	job := New(Options{}).job(step, cmd)
	pod, err := buildPod("jobs", job)
	require.NoError(t, err)
	require.Equal(t, job.Name, pod.Name)
	require.Equal(t, "jobs", pod.Namespace)
	require.Equal(t, corev1.RestartPolicyNever, pod.Spec.RestartPolicy)
	require.Equal(t, "baton", pod.Labels["app.kubernetes.io/managed-by"])
	require.Equal(t, job.Group, pod.Labels[GroupLabel])
	require.Equal(t, "job1", pod.Annotations["baton.io/step-id"])
	require.Len(t, pod.Spec.Containers, 1)
	c := pod.Spec.Containers[0]
	require.Equal(t, ContainerName, c.Name)
	require.Equal(t, "busybox", c.Image)
	require.Equal(t, []string{"/bin/sh"}, c.Command)
	require.Equal(t, []string{"-c", "echo hi"}, c.Args)
	require.Equal(t, []corev1.EnvVar{
		{Name: "A", Value: "1"}, {Name: "B", Value: "2"},
		{Name: OutputEndEnv, Value: OutputEndToken}, {Name: OutputStartEnv, Value: OutputStartToken},
	}, c.Env)
	require.Equal(t, corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("500m"),
		corev1.ResourceMemory:           resource.MustParse("1Gi"),
		corev1.ResourceEphemeralStorage: resource.MustParse("10Gi"),
		"nvidia.com/gpu":                resource.MustParse("1"),
	}, c.Resources.Limits)
	require.Equal(t, []string{"/bin/sh", "-c", "sleep 1"}, c.Lifecycle.PreStop.Exec.Command)

	// A bad quantity is refused before anything is created.
	cmd.Memory = "lots"
	_, err = buildPod("jobs", New(Options{}).job(step, cmd))
	require.ErrorContains(t, err, `kubernetes.memory: "lots" is not a Kubernetes quantity`)
}

func TestJobName(t *testing.T) {
	a, group := jobName(testStep(nil), &Command{})
	require.Regexp(t, `^baton-[0-9a-f]{20}-1$`, a)
	require.Equal(t, strings.TrimSuffix(a, "-1"), group)
	s := testStep(nil)
	s.Attempt = 2
	b, group2 := jobName(s, &Command{})
	require.Equal(t, group+"-2", b, "attempts differ by suffix only")
	require.Equal(t, group, group2)
	s = testStep(nil)
	s.StepID = "job2"
	c, _ := jobName(s, &Command{})
	require.NotEqual(t, a, c)
	d, _ := jobName(testStep(nil), &Command{JobDeduplicationKey: "My_Job.Key"})
	require.Equal(t, "my-job-key-1", d)
	long, _ := jobName(testStep(nil), &Command{JobDeduplicationKey: strings.Repeat("a", 80)})
	require.Len(t, long, 63)
}

// kubelet plays the node for the fake clientset: once the pod exists it
// sets its phase and container state.
func kubelet(t *testing.T, cs *fake.Clientset, ns, name string, phase corev1.PodPhase, exit int32, reason string) {
	t.Helper()
	go func() {
		for range 500 {
			pod, err := cs.CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
			if err != nil {
				time.Sleep(2 * time.Millisecond)
				continue
			}
			pod.Status.Phase = phase
			pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: ContainerName,
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: exit, Reason: reason}}}}
			_, _ = cs.CoreV1().Pods(ns).UpdateStatus(context.Background(), pod, metav1.UpdateOptions{})
			return
		}
	}()
}

func fixedLogs(log string) func(context.Context, string, string) (io.ReadCloser, error) {
	return func(context.Context, string, string) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(log)), nil
	}
}

func podExists(t *testing.T, cs *fake.Clientset, ns, name string) bool {
	_, err := cs.CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false
	}
	require.NoError(t, err)
	return true
}

// TestPodExecutor runs jobs through the fake clientset: the pod is
// created, its exit code and log read, and it is deleted afterwards.
func TestPodExecutor(t *testing.T) {
	tests := []struct {
		name     string
		phase    corev1.PodPhase
		exit     int32
		reason   string
		log      string
		wantExit int
		wantLog  string
		trunc    bool
	}{
		{name: "succeeded", phase: corev1.PodSucceeded, log: "hello\n", wantLog: "hello\n"},
		{name: "failed", phase: corev1.PodFailed, exit: 3, reason: "Error", log: "boom\n", wantExit: 3, wantLog: "boom\n"},
		{name: "log bounded to its end", phase: corev1.PodSucceeded, log: strings.Repeat("x", 100) + "END", wantLog: strings.Repeat("x", 61) + "END", trunc: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset()
			ex := NewPodExecutor(cs, PodOptions{Namespace: "jobs", PollInterval: time.Millisecond, Logs: fixedLogs(tt.log)})
			job := New(Options{}).job(testStep(nil), &Command{Image: "busybox", Command: []string{"true"}})
			job.MaxLogBytes = 64
			kubelet(t, cs, "jobs", job.Name, tt.phase, tt.exit, tt.reason)
			res, err := ex.Run(context.Background(), job)
			require.NoError(t, err)
			require.Equal(t, tt.wantExit, res.ExitCode)
			require.Equal(t, tt.wantLog, string(res.Log))
			require.Equal(t, tt.trunc, res.Truncated)
			require.Equal(t, "pod jobs/"+job.Name, res.Where)
			if tt.exit != 0 {
				require.Equal(t, tt.reason, res.Reason)
			}
			require.False(t, podExists(t, cs, "jobs", job.Name), "pod deleted after the job")
		})
	}
}

// TestPodExecutorCancel: a stop or kill cancels the step's ctx, and the
// running pod is deleted.
func TestPodExecutorCancel(t *testing.T) {
	cs := fake.NewClientset()
	ex := NewPodExecutor(cs, PodOptions{PollInterval: time.Millisecond, Logs: fixedLogs("")})
	job := New(Options{}).job(testStep(nil), &Command{Image: "busybox", Command: []string{"sleep", "3600"}})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var err error
	go func() {
		defer wg.Done()
		_, err = ex.Run(ctx, job)
	}()
	require.Eventually(t, func() bool { return podExists(t, cs, DefaultNamespace, job.Name) }, 5*time.Second, time.Millisecond)
	cancel()
	wg.Wait()
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, podExists(t, cs, DefaultNamespace, job.Name), "pod deleted on cancel")
	var deletes int
	for _, a := range cs.Actions() {
		if a.GetVerb() == "delete" && a.GetResource().Resource == "pods" {
			deletes++
		}
	}
	require.Equal(t, 1, deletes)
}

// TestPodExecutorAdoptsExistingPod: an attempt whose worker died left its
// pod; the next execution of that attempt waits for it instead of
// failing on the name.
func TestPodExecutorAdoptsExistingPod(t *testing.T) {
	job := New(Options{}).job(testStep(nil), &Command{Image: "busybox"})
	pod, err := buildPod(DefaultNamespace, job)
	require.NoError(t, err)
	pod.Status.Phase = corev1.PodSucceeded
	cs := fake.NewClientset(pod)
	res, err := NewPodExecutor(cs, PodOptions{PollInterval: time.Millisecond, Logs: fixedLogs("done")}).Run(context.Background(), job)
	require.NoError(t, err)
	require.Equal(t, "done", string(res.Log))
}

// TestPodExecutorRemovesEarlierAttempts: a retry deletes the pod an
// earlier attempt of the same step left (its worker died), and only that.
func TestPodExecutorRemovesEarlierAttempts(t *testing.T) {
	first := New(Options{}).job(testStep(nil), &Command{Image: "busybox"})
	left, err := buildPod(DefaultNamespace, first)
	require.NoError(t, err)
	otherStep := testStep(nil)
	otherStep.StepID = "job2"
	other, err := buildPod(DefaultNamespace, New(Options{}).job(otherStep, &Command{Image: "busybox"}))
	require.NoError(t, err)
	cs := fake.NewClientset(left, other)

	retry := testStep(nil)
	retry.Attempt = 2
	job := New(Options{}).job(retry, &Command{Image: "busybox"})
	kubelet(t, cs, DefaultNamespace, job.Name, corev1.PodSucceeded, 0, "")
	_, err = NewPodExecutor(cs, PodOptions{PollInterval: time.Millisecond, Logs: fixedLogs("")}).Run(context.Background(), job)
	require.NoError(t, err)
	require.False(t, podExists(t, cs, DefaultNamespace, left.Name), "the earlier attempt's pod is gone")
	require.True(t, podExists(t, cs, DefaultNamespace, other.Name), "another step's pod is kept")
}

// TestPodExecutorReadFailures: a few failed reads of a running pod are
// tolerated; a failed pod whose log cannot be read still ends with its
// exit code; a succeeded one whose log (and so output) is lost fails the
// attempt, as does a pod deleted behind the executor's back.
func TestPodExecutorReadFailures(t *testing.T) {
	t.Run("transient get errors", func(t *testing.T) {
		cs := fake.NewClientset()
		fails := 3
		cs.PrependReactor("get", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
			if fails > 0 {
				fails--
				return true, nil, errors.New("connection reset")
			}
			return false, nil, nil
		})
		job := New(Options{}).job(testStep(nil), &Command{Image: "busybox"})
		kubelet(t, cs, DefaultNamespace, job.Name, corev1.PodSucceeded, 0, "")
		res, err := NewPodExecutor(cs, PodOptions{PollInterval: time.Millisecond, Logs: fixedLogs("ok")}).Run(context.Background(), job)
		require.NoError(t, err)
		require.Equal(t, "ok", string(res.Log))
	})
	noLog := func(context.Context, string, string) (io.ReadCloser, error) {
		return nil, errors.New("container not found")
	}
	t.Run("failed pod without a log", func(t *testing.T) {
		cs := fake.NewClientset()
		job := New(Options{}).job(testStep(nil), &Command{Image: "busybox"})
		kubelet(t, cs, DefaultNamespace, job.Name, corev1.PodFailed, 137, "OOMKilled")
		res, err := NewPodExecutor(cs, PodOptions{PollInterval: time.Millisecond, Logs: noLog}).Run(context.Background(), job)
		require.NoError(t, err)
		require.Equal(t, 137, res.ExitCode)
		require.Equal(t, "OOMKilled", res.Reason)
		require.Contains(t, string(res.Log), "container not found")
	})
	t.Run("succeeded pod without a log", func(t *testing.T) {
		cs := fake.NewClientset()
		job := New(Options{}).job(testStep(nil), &Command{Image: "busybox"})
		kubelet(t, cs, DefaultNamespace, job.Name, corev1.PodSucceeded, 0, "")
		_, err := NewPodExecutor(cs, PodOptions{PollInterval: time.Millisecond, Logs: noLog}).Run(context.Background(), job)
		require.ErrorContains(t, err, "container not found")
		require.False(t, podExists(t, cs, DefaultNamespace, job.Name), "pod deleted after a failed attempt too")
	})
	t.Run("pod deleted by someone else", func(t *testing.T) {
		cs := fake.NewClientset()
		job := New(Options{}).job(testStep(nil), &Command{Image: "busybox"})
		go func() {
			for !podExists(t, cs, DefaultNamespace, job.Name) {
				time.Sleep(time.Millisecond)
			}
			_ = cs.CoreV1().Pods(DefaultNamespace).Delete(context.Background(), job.Name, metav1.DeleteOptions{})
		}()
		_, err := NewPodExecutor(cs, PodOptions{PollInterval: time.Millisecond, Logs: fixedLogs("")}).Run(context.Background(), job)
		require.ErrorContains(t, err, "was deleted before it ended")
	})
}
