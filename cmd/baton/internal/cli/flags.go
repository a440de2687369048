package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/batonhq/baton/worker"
)

// Flag groups. A command registers only the groups it uses, so its help
// lists only flags it honours.

var logLevels = []string{"debug", "info", "warn", "error", "off"}

// logFlags are global: how Baton and the Temporal SDK log to stderr.
type logFlags struct {
	level   string
	format  string
	verbose bool
}

func (l *logFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&l.level, "log-level", "off", "log level of Baton and the Temporal SDK: "+joinLevels())
	fs.StringVar(&l.format, "log-format", "text", "log format: text or json")
	fs.BoolVarP(&l.verbose, "verbose", "v", false, "same as --log-level debug (the embedded server stays quiet; see --server-log-level)")
}

func joinLevels() string { return strings.Join(logLevels, ", ") }

func (l *logFlags) validate() error {
	if !slices.Contains(logLevels, l.level) {
		return usageErrorf("--log-level %q: want one of %s", l.level, joinLevels())
	}
	if l.format != "text" && l.format != "json" {
		return usageErrorf("--log-format %q: want text or json", l.format)
	}
	return nil
}

// logger builds the logger of Baton and the SDK.
func (a *app) logger() *zap.Logger {
	level := a.log.level
	if a.log.verbose {
		level = "debug"
	}
	return a.newLogger(level)
}

// newLogger returns a logger writing to the error stream at level, or a
// no-op logger for "off".
func (a *app) newLogger(level string) *zap.Logger {
	lvl, err := zapcore.ParseLevel(level)
	if level == "off" || level == "" || err != nil {
		return zap.NewNop()
	}
	cfg := zap.NewDevelopmentEncoderConfig()
	enc := zapcore.NewConsoleEncoder(cfg)
	if a.log.format == "json" {
		enc = zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	}
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(a.errOut)), lvl))
}

// outputFlag is --output for commands that print a result.
type outputFlag struct {
	value   string
	allowed []string
}

func (o *outputFlag) register(cmd *cobra.Command, allowed ...string) {
	o.allowed = allowed
	cmd.Flags().StringVarP(&o.value, "output", "o", allowed[0], "output format: "+strings.Join(allowed, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(allowed, cobra.ShellCompDirectiveNoFileComp))
}

func (o *outputFlag) validate() error {
	if !slices.Contains(o.allowed, o.value) {
		return usageErrorf("--output %q: want one of %s", o.value, strings.Join(o.allowed, ", "))
	}
	return nil
}

// choiceFlag registers a string flag that takes one of choices (the shell
// completes them); the command checks the value, with its own message.
func choiceFlag(cmd *cobra.Command, p *string, name, value, usage string, choices ...string) {
	cmd.Flags().StringVar(p, name, value, usage)
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(choices, cobra.ShellCompDirectiveNoFileComp))
}

// entityFlags are the connection, worker and output flags of the commands
// that talk to an entity workflow (breakpoint, signal).
type entityFlags struct {
	cf       connFlags
	wf       workerFlags
	noWorker bool
	output   outputFlag
}

func (f *entityFlags) register(cmd *cobra.Command) {
	f.cf.register(cmd.Flags(), true)
	f.wf.register(cmd.Flags(), false)
	registerNoWorker(cmd.Flags(), &f.noWorker)
	f.output.register(cmd, "table", "json", "yaml")
}

// workerFlags are the flags of commands that run a Baton worker.
type workerFlags struct {
	taskQueue string
	httpAllow []string
	k8s       kubernetesFlags
}

func (w *workerFlags) register(fs *pflag.FlagSet, http bool) {
	fs.StringVar(&w.taskQueue, "task-queue", worker.DefaultTaskQueue, "task queue of the Baton workers")
	if http {
		fs.StringArrayVar(&w.httpAllow, "http-allow", nil, "a host (host, host:port or *.suffix) Http steps may call; repeatable; none means every Http request is refused")
		w.k8s.register(fs)
	}
}

// runFlags are the flags of the commands that start and watch a run.
type runFlags struct {
	params    []string
	output    outputFlag
	requestID string
	noWorker  bool
}

func (rf *runFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVarP(&rf.params, "param", "p", nil, "run param name=value (repeatable)")
	rf.output.register(cmd, "table", "json", "yaml")
	fs.StringVar(&rf.requestID, "request-id", "", "de-duplicates starts: the same id returns the same run")
	registerNoWorker(fs, &rf.noWorker)
}

func registerNoWorker(fs *pflag.FlagSet, v *bool) {
	fs.BoolVar(v, "no-worker", false, "do not start a worker in this process (workers run elsewhere)")
}

// exactArgs is cobra.ExactArgs with the argument's name in the error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("want %s, got %d argument(s)", what, len(args))
		}
		return nil
	}
}
