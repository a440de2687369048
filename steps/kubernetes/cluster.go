package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"sync"

	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ClusterClient connects to the cluster a worker runs against: its
// in-cluster config when it runs in a pod, else its kubeconfig
// ($KUBECONFIG, else ~/.kube/config) and its current context.
func ClusterClient() (k8s.Interface, string, error) {
	cfg, err := rest.InClusterConfig()
	where := "in-cluster config"
	if errors.Is(err, rest.ErrNotInCluster) {
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		kc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{})
		cfg, err = kc.ClientConfig()
		where = "kubeconfig"
		if err != nil {
			return nil, "", fmt.Errorf("no Kubernetes cluster: not running in a pod, and no usable kubeconfig ($KUBECONFIG or ~/.kube/config): %w", err)
		}
	} else if err != nil {
		return nil, "", fmt.Errorf("in-cluster Kubernetes config: %w", err)
	}
	c, err := k8s.NewForConfig(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("Kubernetes client from %s: %w", where, err)
	}
	return c, fmt.Sprintf("%s (%s)", cfg.Host, where), nil
}

// clusterExecutor connects on its first job, so a worker that never runs
// a Kubernetes step needs no cluster.
type clusterExecutor struct {
	opts PodOptions
	once sync.Once
	pods *PodExecutor
	err  error
}

// NewClusterExecutor is a PodExecutor over ClusterClient, connected when
// the first job runs. Without a cluster, every job is refused with the
// reason (a fatal step error).
func NewClusterExecutor(opts PodOptions) Executor { return &clusterExecutor{opts: opts} }

func (e *clusterExecutor) Run(ctx context.Context, job *Job) (*JobResult, error) {
	e.once.Do(func() {
		c, _, err := ClusterClient()
		if err != nil {
			e.err = &Refusal{Reason: err.Error() + "; for development only, a worker can run these steps as local processes instead (--local-kubernetes on baton run, worker or dev; kubernetes.LocalExecutor)"}
			return
		}
		e.pods = NewPodExecutor(c, e.opts)
	})
	if e.err != nil {
		return nil, e.err
	}
	return e.pods.Run(ctx, job)
}
