package cli

import (
	"flag"
	"fmt"
	"io"

	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/cmd/baton/internal/devserver"
	"github.com/batonhq/baton/steps/kubernetes"
	"github.com/batonhq/baton/worker"
)

// kubernetesFlags choose where the worker runs Kubernetes and Notebook
// steps: pods in the cluster of its kubeconfig or in-cluster config, or,
// with --local-kubernetes, local processes.
type kubernetesFlags struct {
	local     bool
	namespace string
}

func (k *kubernetesFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&k.local, "local-kubernetes", false, "run Kubernetes and Notebook steps as local processes on this machine (image ignored; for development, runs whatever the definition says)")
	fs.StringVar(&k.namespace, "kubernetes-namespace", kubernetes.DefaultNamespace, "namespace of the pods of Kubernetes and Notebook steps")
}

// stepTypes are the Kubernetes and Notebook step types of this worker.
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
func devWorker(cf *connFlags, srv *devserver.Server, out io.Writer) (stop func(), err error) {
	if !cf.k8s.local {
		return func() {}, nil
	}
	tc, err := srv.NewClient(sdkclient.Options{Logger: worker.NewLogger(cf.logger())})
	if err != nil {
		return nil, fmt.Errorf("connect the worker: %w", err)
	}
	w, err := cf.startWorker(&conn{tc: tc, log: cf.logger()})
	if err != nil {
		tc.Close()
		return nil, err
	}
	fmt.Fprintf(out, "Baton worker on task queue %s runs Kubernetes and Notebook steps as LOCAL PROCESSES (--local-kubernetes); start runs with --no-worker\n", cf.taskQueue)
	return func() { w.Stop(); tc.Close() }, nil
}
