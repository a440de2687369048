// Package cli implements the baton command line on spf13/cobra.
//
// Every command is one file with a constructor, func(*app) *cobra.Command,
// listed once in commands. A command's run function returns an exit code;
// flag and argument errors are usage errors (exit 2).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes (documented in the README's "Exit codes" section).
const (
	exitOK      = 0
	exitFailed  = 1 // the run did not succeed, or the input is invalid
	exitUsage   = 2 // bad flags or arguments
	exitRuntime = 3 // could not reach or start Temporal
)

// commands lists baton's commands in the order help shows them. A new
// command is a new file with its constructor and one line here.
var commands = []func(*app) *cobra.Command{
	newRunCmd,
	newValidateCmd,
	newGraphCmd,
	newConvertCmd,
	newEvalCmd,
	newWorkerCmd,
	newDevCmd,
	newUICmd,
	newPushCmd,
	newVersionsCmd,
	newStartCmd,
	newActivateCmd,
	newDeactivateCmd,
	newUnblockCmd,
	newBackfillCmd,
	newRestartCmd,
	newListCmd,
	newDescribeCmd,
	newWatchCmd,
	newSignalCmd,
	newBenchCmd,
	newStepCmd,
	newBreakpointCmd,
}

// app is what every command shares: the context, the output streams and
// the global flags.
type app struct {
	ctx         context.Context
	out, errOut io.Writer
	log         logFlags
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, out, errOut io.Writer) int {
	a := &app{ctx: ctx, out: out, errOut: errOut}
	root := a.rootCmd()
	if len(args) == 0 {
		root.SetOut(errOut)
		_ = root.Usage()
		return exitUsage
	}
	root.SetArgs(positionalAfterDashDash(root, args))
	err := root.ExecuteContext(ctx)
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	default:
		cmd, _, _ := root.Find(args)
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(errOut, "baton: %v\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
		return exitUsage
	}
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "baton",
		Short: "baton runs Maestro workflow definitions on Temporal",
		Long: "baton runs Netflix Maestro workflow definitions on Temporal: on an embedded\n" +
			"Temporal server started in-process, or on any Temporal cluster.",
		Example: "  baton run flow.json -p x=1\n  baton validate *.json\n  baton eval -- '-7 % 3'",
		Version: version(),
		// Errors are printed once, by Main, with a hint; help goes to stdout.
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(a.out)
	root.SetErr(a.errOut)
	root.SetVersionTemplate("{{.Version}}\n")
	a.log.register(root.PersistentFlags())
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return a.log.validate() }
	for _, newCmd := range commands {
		root.AddCommand(newCmd(a))
	}
	// cobra's own commands, given examples like the others.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = "  baton help run"
		case "completion":
			c.Example = "  source <(baton completion bash)\n  baton completion zsh > \"${fpath[1]}/_baton\"\n  baton completion fish > ~/.config/fish/completions/baton.fish"
			for _, sh := range c.Commands() {
				sh.Example = "  baton completion " + sh.Name() + " > baton-completion." + sh.Name()
			}
		}
	}
	return root
}

// exitCode is a command's non-zero exit code, carried through cobra as an
// error; the command has already printed why.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit code %d", int(c)) }

// runE adapts a command body that returns an exit code.
func runE(body func(cmd *cobra.Command, args []string) int) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if code := body(cmd, args); code != exitOK {
			return exitCode(code)
		}
		return nil
	}
}

// usageErrorf is a usage error found after flag parsing (exit 2, with a hint).
func usageErrorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// positionalAfterDashDash lets positional arguments start with '-' without
// a "--": an argument of the command that cannot be a flag (a negative
// number, "-7 % 3", "-(x)") is moved after a "--" at the end, so
// `baton eval '-7 % 3'` and `baton eval -- '-7 % 3'` mean the same. Flag
// values ("--reps -1") stay where they are.
func positionalAfterDashDash(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == root {
		return args
	}
	_ = cmd.InheritedFlags() // merges the persistent flags into cmd.Flags()
	fs := cmd.Flags()
	var kept, moved []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			moved = append(moved, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			kept = append(kept, arg)
			continue
		}
		if !looksLikeFlag(arg) {
			moved = append(moved, arg)
			continue
		}
		kept = append(kept, arg)
		// A flag that takes a value as the next argument keeps it.
		name, hasValue := flagName(arg)
		if hasValue || i+1 >= len(args) {
			continue
		}
		var f *pflag.Flag
		if strings.HasPrefix(arg, "--") {
			f = fs.Lookup(name)
		} else {
			f = fs.ShorthandLookup(name)
		}
		if f != nil && f.NoOptDefVal == "" {
			i++
			kept = append(kept, args[i])
		}
	}
	if len(moved) == 0 {
		return args
	}
	return append(append(kept, "--"), moved...)
}

// looksLikeFlag: "-x", "-xVALUE", "--name" and "--name=value", where the
// name starts with a letter and has no space.
func looksLikeFlag(arg string) bool {
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if name == "" {
		return false
	}
	c := name[0]
	if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
		return false
	}
	if strings.HasPrefix(arg, "--") {
		n, _, _ := strings.Cut(name, "=")
		return !strings.ContainsAny(n, " \t\n")
	}
	// A shorthand followed by a space ("-x + 1") is an expression.
	return len(name) == 1 || !strings.ContainsAny(name[1:2], " \t\n")
}

// flagName returns a flag argument's name ("p" of "-p", "-px=1"; "reps"
// of "--reps=3") and whether the value is attached.
func flagName(arg string) (string, bool) {
	if strings.HasPrefix(arg, "--") {
		n, _, ok := strings.Cut(arg[2:], "=")
		return n, ok
	}
	return arg[1:2], len(arg) > 2
}
