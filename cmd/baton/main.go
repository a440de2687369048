// Command baton runs Maestro workflow definitions on Temporal: on an
// embedded Temporal server started in-process, or on any Temporal cluster.
// 'baton --help' lists the commands (run, validate, graph, eval, worker,
// dev, push, versions, start, restart, list, describe, watch, bench).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/batonhq/baton/cmd/baton/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
