package cli

import (
	"context"
	"fmt"
	"io"
)

func workerCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("worker", errOut, "--address HOST:PORT [flags]")
	var cf connFlags
	cf.register(fs)
	var of obsFlags
	of.register(fs, "")
	if _, err := parseArgs(fs, args); err != nil {
		return flagError(err)
	}
	if cf.address == "" {
		fmt.Fprintln(errOut, "baton worker: --address is required (use 'baton dev' for a local server)")
		return exitUsage
	}
	ob, err := of.start(ctx, out)
	if err != nil {
		fmt.Fprintf(errOut, "baton worker: %v\n", err)
		return exitRuntime
	}
	defer ob.close()
	cf.obs = ob
	cn, err := cf.connect(ctx)
	if err != nil {
		fmt.Fprintf(errOut, "baton worker: %v\n", err)
		return exitRuntime
	}
	defer cn.Close()
	w, err := cf.startWorker(cn)
	if err != nil {
		fmt.Fprintf(errOut, "baton worker: %v\n", err)
		return exitRuntime
	}
	fmt.Fprintf(out, "baton worker polling %s on %s (namespace %s); Ctrl-C to stop\n", cf.taskQueue, cf.address, cf.namespace)
	<-ctx.Done()
	w.Stop()
	return exitOK
}

func devCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("dev", errOut, "[--db FILE] [--port N]")
	var cf connFlags
	cf.register(fs)
	port := fs.Int("port", 7233, "frontend port")
	uiPort := fs.Int("ui-port", 0, "serve the Temporal Web UI on this port (0: off), if this build includes it")
	var dx devExtras
	dx.register(fs)
	if _, err := parseArgs(fs, args); err != nil {
		return flagError(err)
	}
	srv, err := startDev(ctx, &cf, *port, *uiPort)
	if err != nil {
		fmt.Fprintf(errOut, "baton dev: %v\n", err)
		return exitRuntime
	}
	defer func() { _ = srv.Stop() }()
	store := "in memory (runs are lost on exit)"
	if cf.db != "" {
		store = "in " + cf.db
	}
	fmt.Fprintf(out, "Temporal server at %s, namespace %s, state %s\n", srv.Address(), srv.Namespace(), store)
	if *uiPort != 0 {
		fmt.Fprintf(out, "Web UI at http://127.0.0.1:%d\n", *uiPort)
	}
	stopExtras, err := dx.start(ctx, &cf, srv, out)
	if err != nil {
		fmt.Fprintf(errOut, "baton dev: %v\n", err)
		return exitRuntime
	}
	defer stopExtras()
	fmt.Fprintf(out, "Run against it: baton run FILE --address %s\nCtrl-C to stop.\n", srv.Address())
	<-ctx.Done()
	return exitOK
}
