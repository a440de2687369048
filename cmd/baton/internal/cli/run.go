package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/workflows"
)

func runCmd(ctx context.Context, args []string, out, errOut io.Writer) int {
	fs := newFlagSet("run", errOut, "FILE [-p name=value]... [flags]")
	var cf connFlags
	cf.register(fs)
	var rf runFlags
	rf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 || !rf.valid() {
		fs.Usage()
		return exitUsage
	}
	plan, ok := loadPlan(pos[0], errOut)
	if !ok {
		return exitFailed
	}
	runParams, err := client.ParseRunParams(plan, rf.params)
	if err != nil {
		fmt.Fprintf(errOut, "baton run: %v\n", err)
		return exitUsage
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(errOut, "warning: %s\n", w)
	}

	cn, err := cf.connect(ctx)
	if err != nil {
		fmt.Fprintf(errOut, "baton run: %v\n", err)
		return exitRuntime
	}
	defer cn.Close()
	if !rf.noWorker {
		w, err := cf.startWorker(cn)
		if err != nil {
			fmt.Fprintf(errOut, "baton run: %v\n", err)
			return exitRuntime
		}
		defer w.Stop()
	}
	bc := client.New(cn.tc, client.Options{TaskQueue: cf.taskQueue, EagerStart: !rf.noWorker})
	run, err := bc.Start(ctx, plan, client.StartOptions{RunParams: runParams, RequestID: rf.requestID})
	if err != nil {
		fmt.Fprintf(errOut, "baton run: %v\n", err)
		return exitFailed
	}
	if rf.output == "table" {
		fmt.Fprintf(out, "started %s (workflow %s, run %s)\n", plan.WorkflowID, run.ID(), run.RunID())
	}
	return watchRun(ctx, "run", run, rf.output, out, errOut)
}

// runFlags are the flags of the commands that start and watch a run.
type runFlags struct {
	params    stringList
	output    string
	requestID string
	noWorker  bool
}

func (rf *runFlags) register(fs *flag.FlagSet) {
	fs.Var(&rf.params, "p", "run param name=value (repeatable)")
	fs.StringVar(&rf.output, "output", "table", "table: watch steps and print a table; json: print the final state as JSON")
	fs.StringVar(&rf.requestID, "request-id", "", "de-duplicates starts: the same id returns the same run")
	fs.BoolVar(&rf.noWorker, "no-worker", false, "do not start a worker in this process (workers run elsewhere)")
}

func (rf *runFlags) valid() bool { return rf.output == "table" || rf.output == "json" }

// watchRun waits for a run, printing step changes as they happen (table
// output), then the final table or JSON; it exits 0 only if the instance
// SUCCEEDED. An interrupt (Ctrl-C) stops the run rather than leave it behind.
func watchRun(ctx context.Context, cmd string, run *client.Run, output string, out, errOut io.Writer) int {
	var w *watcher
	if output == "table" {
		w = newWatcher(out)
		go w.poll(ctx, run)
	}
	submitted := time.Now()
	type result struct {
		st  *workflows.State
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := run.Wait(context.WithoutCancel(ctx))
		done <- result{st, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if err := run.Stop(stopCtx); err != nil {
			fmt.Fprintf(errOut, "baton %s: stop: %v\n", cmd, err)
		}
		select {
		case res = <-done:
		case <-stopCtx.Done():
			res.err = fmt.Errorf("interrupted; the run %s may still be stopping", run.ID())
		}
		cancel()
	}
	elapsed := time.Since(submitted)
	if w != nil {
		w.stop()
	}
	if res.err != nil {
		fmt.Fprintf(errOut, "baton %s: %v\n", cmd, res.err)
		return exitRuntime
	}
	st := res.st
	if output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			fmt.Fprintf(errOut, "baton %s: %v\n", cmd, err)
			return exitRuntime
		}
	} else {
		w.show(st)
		printTable(out, st)
		fmt.Fprintf(out, "result %s after submit\n", elapsed.Round(100*time.Microsecond))
	}
	if st.Status != workflows.InstanceSucceeded {
		return exitFailed
	}
	return exitOK
}

// watcher prints each step status change as it is seen.
type watcher struct {
	out   io.Writer
	seen  map[string]string
	start time.Time
	quit  chan struct{}
	done  chan struct{}
}

func newWatcher(out io.Writer) *watcher {
	return &watcher{out: out, seen: map[string]string{}, quit: make(chan struct{}), done: make(chan struct{})}
}

func (w *watcher) poll(ctx context.Context, run *client.Run) {
	defer close(w.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.quit:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
			qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			st, err := run.State(qctx)
			cancel()
			if err == nil {
				w.show(st)
			}
		}
	}
}

func (w *watcher) stop() {
	close(w.quit)
	<-w.done
}

// show prints the changes since the last state seen.
func (w *watcher) show(st *workflows.State) {
	if w.start.IsZero() {
		w.start = st.StartTime
	}
	for _, s := range st.Steps {
		key := string(s.Status) + "/" + fmt.Sprint(s.Attempts)
		if s.Status == workflows.NotCreated || w.seen[s.ID] == key {
			continue
		}
		w.seen[s.ID] = key
		at := st.StartTime
		if s.EndTime != nil && s.Status.Terminal() {
			at = *s.EndTime
		} else if s.StartTime != nil {
			at = *s.StartTime
		}
		line := fmt.Sprintf("%9s  %-20s %s", "+"+at.Sub(w.start).Round(time.Millisecond).String(), s.ID, s.Status)
		if s.Attempts > 1 {
			line += fmt.Sprintf(" (attempt %d)", s.Attempts)
		}
		if s.Error != "" && s.Status != workflows.Succeeded {
			line += ": " + s.Error
		}
		fmt.Fprintln(w.out, line)
	}
}

func printTable(out io.Writer, st *workflows.State) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nSTEP\tSTATUS\tATTEMPTS\tDURATION\tPARAMS\tERROR")
	for _, s := range st.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.ID, s.Status, s.Attempts, s.Duration().Round(time.Millisecond), paramsText(s.Params), oneLine(s.Error))
	}
	_ = tw.Flush()
	total := time.Duration(0)
	if st.EndTime != nil {
		total = st.EndTime.Sub(st.StartTime)
	}
	fmt.Fprintf(out, "\n%s %s in %s\n", st.WorkflowID, st.Status, total.Round(time.Millisecond))
	if st.Error != "" {
		fmt.Fprintf(out, "reason: %s\n", st.Error)
	}
}

func paramsText(params map[string]sel.Value) string {
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, n+"="+sel.Format(params[n].Value))
	}
	return oneLine(strings.Join(parts, " "))
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
