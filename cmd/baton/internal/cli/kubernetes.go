package cli

import (
	"fmt"

	"github.com/spf13/pflag"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/steps/kubernetes"
	"github.com/batonhq/baton/worker"
)

// kubernetesFlags choose where a worker runs Kubernetes and Notebook
// steps: pods in the cluster of its kubeconfig or in-cluster config, or,
// with --local-kubernetes, local processes.
type kubernetesFlags struct {
	local     bool
	namespace string
}

const localKubernetesHelp = "run Kubernetes and Notebook steps as local processes on this machine (image ignored; development only: runs whatever the definition says)"

func (k *kubernetesFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&k.local, "local-kubernetes", false, localKubernetesHelp)
	fs.StringVar(&k.namespace, "kubernetes-namespace", kubernetes.DefaultNamespace, "namespace of the pods of Kubernetes and Notebook steps")
}

// stepTypes are the Kubernetes and Notebook step types of a worker.
func (k *kubernetesFlags) stepTypes() map[string]activities.StepType {
	var ex kubernetes.Executor
	if k.local {
		ex = kubernetes.NewLocalExecutor(kubernetes.LocalOptions{})
	} else {
		ex = kubernetes.NewClusterExecutor(kubernetes.PodOptions{Namespace: k.namespace})
	}
	return kubernetes.StepTypes(kubernetes.Options{Executor: ex})
}

// devWorker is the worker 'baton dev --local-kubernetes' runs beside its
// server (plain 'baton dev' runs none: each 'baton run' brings its own).
func (a *app) devWorker(srv *devserver.Server) (stop func(), err error) {
	tc, err := srv.NewClient(sdkclient.Options{Namespace: srv.Namespace(), Logger: worker.NewLogger(a.logger())})
	if err != nil {
		return nil, fmt.Errorf("connect the worker: %w", err)
	}
	wf := workerFlags{taskQueue: worker.DefaultTaskQueue, k8s: kubernetesFlags{local: true}}
	w, err := startWorker(&conn{tc: tc}, &wf)
	if err != nil {
		tc.Close()
		return nil, err
	}
	fmt.Fprintf(a.out, "Baton worker on task queue %s runs Kubernetes and Notebook steps as LOCAL PROCESSES (--local-kubernetes); start runs with --no-worker\n", wf.taskQueue)
	return func() { w.Stop(); tc.Close() }, nil
}
