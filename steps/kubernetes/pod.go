package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8s "k8s.io/client-go/kubernetes"
)

// ContainerName is the name of a job's container (Maestro's).
const ContainerName = "maestro-job"

// Defaults of PodOptions.
const (
	DefaultNamespace    = "default"
	DefaultPollInterval = 2 * time.Second
	deleteTimeout       = 30 * time.Second
	// maxReadFailures is how many reads of a running pod in a row may fail
	// before the attempt fails with a platform error.
	maxReadFailures = 5
)

// PodOptions configure a PodExecutor.
type PodOptions struct {
	// Namespace of the pods; "" means DefaultNamespace (Maestro's).
	Namespace string
	// PollInterval between reads of a running pod's status; 0 means
	// DefaultPollInterval.
	PollInterval time.Duration
	// Logs opens a finished pod's log; nil reads it through the API
	// (pods/log). Tests of code built on the fake clientset, whose pod logs
	// are a fixed string, set it.
	Logs func(ctx context.Context, namespace, pod string) (io.ReadCloser, error)
}

// PodExecutor runs each job as a pod (restartPolicy Never, one container)
// through client-go: create, poll until it has succeeded or failed, read
// its log, delete it. A cancelled ctx deletes the pod.
type PodExecutor struct {
	client k8s.Interface
	opts   PodOptions
}

var _ Executor = (*PodExecutor)(nil)

// NewPodExecutor builds a PodExecutor over a clientset (see
// ClusterClient for the worker's kubeconfig or in-cluster config).
func NewPodExecutor(client k8s.Interface, opts PodOptions) *PodExecutor {
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	return &PodExecutor{client: client, opts: opts}
}

// Run creates the job's pod and waits for it to end. A pod of the same
// name left by an earlier execution of this attempt (its worker died) is
// waited for rather than created again.
func (e *PodExecutor) Run(ctx context.Context, job *Job) (*JobResult, error) {
	pod, err := buildPod(e.opts.Namespace, job)
	if err != nil {
		return nil, &Refusal{Reason: err.Error()}
	}
	e.removeEarlierAttempts(ctx, job)
	pods := e.client.CoreV1().Pods(e.opts.Namespace)
	_, err = pods.Create(ctx, pod, metav1.CreateOptions{})
	switch {
	case apierrors.IsAlreadyExists(err):
	case apierrors.IsInvalid(err) || apierrors.IsForbidden(err):
		return nil, &Refusal{Reason: fmt.Sprintf("creating pod %s/%s: %v", e.opts.Namespace, job.Name, err)}
	case err != nil:
		if ctx.Err() != nil {
			e.delete(job.Name)
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("creating pod %s/%s: %w", e.opts.Namespace, job.Name, err)
	}
	res, err := e.wait(ctx, job)
	if ctx.Err() != nil {
		e.delete(job.Name)
		return nil, ctx.Err()
	}
	e.delete(job.Name)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// wait polls the pod until it ends, then reads its log.
func (e *PodExecutor) wait(ctx context.Context, job *Job) (*JobResult, error) {
	pods := e.client.CoreV1().Pods(e.opts.Namespace)
	tick := time.NewTicker(e.opts.PollInterval)
	defer tick.Stop()
	failures := 0
	for {
		pod, err := pods.Get(ctx, job.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			return nil, fmt.Errorf("pod %s/%s was deleted before it ended", e.opts.Namespace, job.Name)
		case err != nil && ctx.Err() == nil && failures < maxReadFailures:
			failures++ // the API server may be briefly unreachable
		case err != nil:
			return nil, fmt.Errorf("reading pod %s/%s: %w", e.opts.Namespace, job.Name, err)
		}
		if err == nil {
			failures = 0
		}
		if pod != nil && (pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed) {
			res := &JobResult{Where: fmt.Sprintf("pod %s/%s", e.opts.Namespace, job.Name)}
			res.ExitCode, res.Reason = exitOf(pod)
			if err := e.readLog(ctx, job, res); err != nil {
				if res.ExitCode == 0 {
					return nil, err // its output would be lost: retry
				}
				res.Log = []byte("(" + err.Error() + ")")
			}
			return res, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// exitOf reads the container's exit code; a failed pod without one (it
// never started, was evicted...) gets 1 and the pod's reason.
func exitOf(pod *corev1.Pod) (int, string) {
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Name == ContainerName && cs.State.Terminated != nil {
			t := cs.State.Terminated
			reason := t.Reason
			if t.ExitCode == 0 {
				reason = ""
			}
			return int(t.ExitCode), reason
		}
	}
	if pod.Status.Phase == corev1.PodFailed {
		reason := pod.Status.Reason
		if pod.Status.Message != "" {
			reason += ": " + pod.Status.Message
		}
		return 1, reason
	}
	return 0, ""
}

func (e *PodExecutor) readLog(ctx context.Context, job *Job, res *JobResult) error {
	open := e.opts.Logs
	if open == nil {
		open = func(ctx context.Context, ns, name string) (io.ReadCloser, error) {
			return e.client.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{Container: ContainerName}).Stream(ctx)
		}
	}
	rc, err := open(ctx, e.opts.Namespace, job.Name)
	if err != nil {
		return fmt.Errorf("reading the log of pod %s/%s: %w", e.opts.Namespace, job.Name, err)
	}
	defer rc.Close()
	buf := newTailBuffer(job.MaxLogBytes)
	if _, err := io.Copy(buf, rc); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the log of pod %s/%s: %w", e.opts.Namespace, job.Name, err)
	}
	res.Log, res.Truncated = buf.Bytes(), buf.truncated
	return nil
}

// removeEarlierAttempts deletes the pods earlier attempts of the step
// left behind (their worker died before it could delete them, and the
// attempt was retried as a platform error). Best effort: a failure here
// does not fail this attempt.
func (e *PodExecutor) removeEarlierAttempts(ctx context.Context, job *Job) {
	if job.Group == "" {
		return
	}
	list, err := e.client.CoreV1().Pods(e.opts.Namespace).List(ctx, metav1.ListOptions{LabelSelector: GroupLabel + "=" + job.Group})
	if err != nil {
		return
	}
	for _, p := range list.Items {
		if p.Name != job.Name {
			e.delete(p.Name)
		}
	}
}

// delete removes the pod, even when the step's ctx is cancelled.
func (e *PodExecutor) delete(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	grace := int64(0)
	_ = e.client.CoreV1().Pods(e.opts.Namespace).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: &grace})
}

// buildPod is Maestro's Fabric8RuntimeExecutor.buildPod: one container
// with the image, command, args, env (and the output tokens), resource
// limits and a preStop hook; restartPolicy Never.
func buildPod(namespace string, job *Job) (*corev1.Pod, error) {
	cmd := job.Command
	limits := corev1.ResourceList{}
	for _, l := range []struct {
		name  corev1.ResourceName
		param string
		value string
	}{
		{corev1.ResourceCPU, "cpu", cmd.CPU},
		{corev1.ResourceMemory, "memory", cmd.Memory},
		{corev1.ResourceEphemeralStorage, "disk", cmd.Disk},
		{"nvidia.com/gpu", "gpu", cmd.GPU},
	} {
		if l.value == "" {
			continue
		}
		q, err := resource.ParseQuantity(l.value)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %q is not a Kubernetes quantity: %v", ParamKubernetes, l.param, l.value, err)
		}
		limits[l.name] = q
	}
	var env []corev1.EnvVar
	for _, k := range sortedKeys(job.Env) {
		env = append(env, corev1.EnvVar{Name: k, Value: job.Env[k]})
	}
	c := corev1.Container{
		Name:    ContainerName,
		Image:   cmd.Image,
		Command: cmd.Command,
		Args:    cmd.Args,
		Env:     env,
	}
	if len(limits) > 0 {
		c.Resources.Limits = limits
	}
	if len(cmd.PreStop) > 0 {
		c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: cmd.PreStop}}}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        job.Name,
			Namespace:   namespace,
			Labels:      job.Labels,
			Annotations: job.Annotations,
		},
		Spec: corev1.PodSpec{
			Containers:    []corev1.Container{c},
			RestartPolicy: corev1.RestartPolicyNever,
		},
	}, nil
}
