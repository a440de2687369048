// Command baton runs Maestro workflow definitions on Temporal: on an
// embedded Temporal server started in-process, or on any Temporal cluster.
//
//	baton run FILE [-p name=value]...    run a definition and watch it
//	baton validate FILE...               report every error with its path
//	baton graph FILE [--format dot]      render the DAG (Mermaid or DOT)
//	baton eval EXPR [-p name=value]...   evaluate a SEL expression
//	baton worker --address HOST:PORT     run a worker against a cluster
//	baton dev [--db FILE]                run a long-lived embedded server
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
