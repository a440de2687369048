package cli

import (
	"context"
	"fmt"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/registry"
)

// The registry lives in Temporal: these commands need a server that
// outlives them, so with an embedded server they warn unless --db keeps
// its state in a file.
const registryStoreHelp = "the registry is kept by Temporal: use --db FILE (embedded server) or --address so it outlives this command"

// registryConn connects, starts a worker in this process (it runs the
// registry's entity workflows) unless noWorker, and returns a Baton client.
func (a *app) registryConn(ctx context.Context, cmd string, cf *connFlags, wf *workerFlags, noWorker bool) (*conn, sdkworker.Worker, *client.Client, int) {
	cn, err := a.connect(ctx, cf)
	if err != nil {
		fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
		return nil, nil, nil, exitRuntime
	}
	if cn.srv != nil && cf.db == "" {
		fmt.Fprintf(a.errOut, "warning: %s\n", registryStoreHelp)
	}
	var w sdkworker.Worker
	if !noWorker {
		if w, err = startWorker(cn, wf); err != nil {
			cn.Close()
			fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
			return nil, nil, nil, exitRuntime
		}
	}
	return cn, w, client.New(cn.tc, client.Options{TaskQueue: wf.taskQueue, EagerStart: !noWorker, Namespace: cn.namespace}), exitOK
}

func closeConn(cn *conn, w sdkworker.Worker) {
	if w != nil {
		w.Stop()
	}
	cn.Close()
}

// registryError prints err; a missing id or version is the user's failure.
func (a *app) registryError(cmd string, err error) int {
	fmt.Fprintf(a.errOut, "baton %s: %v\n", cmd, err)
	if registry.IsNotFound(err) {
		return exitFailed
	}
	return exitRuntime
}
