// Package cli implements the baton command line.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // the run did not succeed, or the input is invalid
	exitUsage   = 2
	exitRuntime = 3 // could not reach or start Temporal
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, out, errOut io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "run a definition and watch it finish", runCmd},
		{"validate", "validate definitions; every error with its path", validateCmd},
		{"graph", "render a definition's DAG as Mermaid or DOT", graphCmd},
		{"eval", "evaluate a SEL expression", evalCmd},
		{"worker", "run a Baton worker against a Temporal cluster", workerCmd},
		{"dev", "run a long-lived embedded Temporal server", devCmd},
		{"push", "push a definition to the registry (a new version)", pushCmd},
		{"versions", "list a workflow's versions in the registry", versionsCmd},
		{"start", "start a registered workflow by id and version", startCmd},
		{"activate", "make a version the active one (its run strategy and time triggers apply)", activateCmd},
		{"deactivate", "leave a workflow without an active version; pause its time triggers", deactivateCmd},
		{"instances", "list a workflow's instances: status, run, version, queue position", instancesCmd},
		{"unblock", "unblock a STRICT_SEQUENTIAL workflow held by a FAILED instance", unblockCmd},
		{"backfill", "start the instances a workflow's time triggers would have started in a range", backfillCmd},
		{"restart", "restart an ended run from its incomplete steps or from the beginning", restartCmd},
		{"bench", "measure Baton's overhead against the floor and a naive design", benchCmd},
	}
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(errOut)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], out, errOut)
		}
	}
	fmt.Fprintf(errOut, "baton: unknown command %q\n\n", args[0])
	usage(errOut)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "baton runs Maestro workflow definitions on Temporal.")
	fmt.Fprintln(w, "\nUsage: baton COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'baton COMMAND -h' for a command's flags.")
}

// stringList is a repeatable string flag (-p a=1 -p b=2).
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseArgs parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlagSet(name string, errOut io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("baton "+name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "Usage: baton %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// flagError maps a flag parse error to an exit code (help is not an error).
func flagError(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}
