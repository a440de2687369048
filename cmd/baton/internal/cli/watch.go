package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

func newWatchCmd(a *app) *cobra.Command {
	var cf connFlags
	var output outputFlag
	cmd := &cobra.Command{
		Use:   "watch RUN",
		Short: "Attach to a run and watch it finish",
		Long: "Watch follows a run (RUN is the Temporal workflow id 'baton run' prints) as\n" +
			"'baton run' does: step changes, loop progress and retries as they happen, then\n" +
			"the final table. Ctrl-C detaches and leaves the run running. A worker must be\n" +
			"polling the run's task queue to answer the progress queries.",
		Example: "  baton watch flow/4f1c... --address 127.0.0.1:7233\n" +
			"  TEMPORAL_ADDRESS=127.0.0.1:7233 baton watch flow/4f1c... --output json",
		Args: exactArgs(1, "one RUN (Temporal workflow id)"),
	}
	cf.register(cmd.Flags(), true)
	output.register(cmd, "table", "json", "yaml")
	cmd.RunE = runE(func(_ *cobra.Command, args []string) int {
		cn, code := a.storedRunsConn("watch", &cf, &output)
		if code != exitOK {
			return code
		}
		defer cn.Close()
		bc := client.New(cn.tc, client.Options{})
		in, err := bc.RunInput(a.ctx, args[0], "")
		if err != nil {
			fmt.Fprintf(a.errOut, "baton watch: %v\n", err)
			return exitFailed
		}
		run := bc.GetRun(args[0], "")
		if output.value == "table" {
			fmt.Fprintf(a.out, "watching %s (workflow %s, run %s)\n", in.Plan.WorkflowID, run.ID(), run.RunID())
		}
		return a.watchRun(run, watchOptions{cmd: "watch", output: output.value, loops: loopSteps(in.Plan), detach: true})
	})
	return cmd
}

// watchOptions configure watchRun.
type watchOptions struct {
	cmd    string
	output string
	loops  map[string]bool // foreach and while steps, whose progress is shown
	// detach: an interrupt leaves the run running (watch) instead of
	// stopping it (run, start, restart).
	detach bool
}

// loopSteps are the ids of a plan's foreach and while steps.
func loopSteps(plan *translator.Plan) map[string]bool {
	loops := map[string]bool{}
	for _, s := range plan.Steps {
		if s.Kind == "foreach" || s.Kind == "while" {
			loops[s.ID] = true
		}
	}
	return loops
}

// watchRun waits for a run, printing step changes, loop progress and
// retries as they happen (table output), then the final table, JSON or
// YAML; it exits 0 only if the instance SUCCEEDED. An interrupt (Ctrl-C)
// stops the run rather than leave it behind, unless detach.
func (a *app) watchRun(run *client.Run, o watchOptions) int {
	ctx, out, errOut := a.ctx, a.out, a.errOut
	var w *watcher
	if o.output == "table" {
		w = newWatcher(out, o.loops)
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
		if o.detach {
			if w != nil {
				w.stop()
			}
			fmt.Fprintf(errOut, "baton %s: detached; the run %s goes on\n", o.cmd, run.ID())
			return exitFailed
		}
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if err := run.Stop(stopCtx); err != nil {
			fmt.Fprintf(errOut, "baton %s: stop: %v\n", o.cmd, err)
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
		fmt.Fprintf(errOut, "baton %s: %v\n", o.cmd, res.err)
		return exitRuntime
	}
	st := res.st
	if o.output != "table" {
		if err := printValue(out, o.output, st); err != nil {
			fmt.Fprintf(errOut, "baton %s: %v\n", o.cmd, err)
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

// progressEvery throttles the progress lines of one loop step.
const progressEvery = time.Second

// watcher prints each step status change, retry and loop progress as it
// is seen.
type watcher struct {
	out      io.Writer
	loops    map[string]bool
	seen     map[string]string
	progress map[string]progressSeen
	start    time.Time
	quit     chan struct{}
	done     chan struct{}
}

type progressSeen struct {
	p  workflows.LoopProgress
	at time.Time
}

func newWatcher(out io.Writer, loops map[string]bool) *watcher {
	return &watcher{out: out, loops: loops, seen: map[string]string{}, progress: map[string]progressSeen{},
		quit: make(chan struct{}), done: make(chan struct{})}
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
			if err == nil {
				w.show(st)
				w.showProgress(qctx, run, st)
			}
			cancel()
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
			line += fmt.Sprintf(" (attempt %d%s)", s.Attempts, retriesText(s.Retries))
		}
		if s.Loop != nil {
			line += "  " + groupInt(s.Loop.Iterations) + " iterations"
		}
		if s.Error != "" && s.Status != workflows.Succeeded {
			line += ": " + oneLine(s.Error)
		}
		fmt.Fprintln(w.out, line)
	}
}

// showProgress asks the loop workflows of running loop steps for their
// progress and prints it when it changed, at most once a second a step.
func (w *watcher) showProgress(ctx context.Context, run *client.Run, st *workflows.State) {
	for _, s := range st.Steps {
		if !w.loops[s.ID] || s.Status != workflows.Running {
			continue
		}
		last := w.progress[s.ID]
		if time.Since(last.at) < progressEvery {
			continue
		}
		p, err := run.LoopProgress(ctx, s.ID)
		if err != nil || *p == last.p {
			continue
		}
		w.progress[s.ID] = progressSeen{p: *p, at: time.Now()}
		fmt.Fprintf(w.out, "%9s  %-20s %s  %s\n", "+"+time.Since(w.start).Round(time.Millisecond).String(), s.ID, s.Status, progressText(*p))
	}
}

// progressText is "3,120/25,000  12 running  2 failed".
func progressText(p workflows.LoopProgress) string {
	s := groupInt(p.Done)
	if p.Total > 0 {
		s += "/" + groupInt(p.Total)
	}
	s += fmt.Sprintf("  %s running", groupInt(p.Running))
	for _, c := range []struct {
		n    int
		what string
	}{{p.Counts.Failed, "failed"}, {p.Counts.TimedOut, "timed out"}, {p.Counts.Stopped, "stopped"}} {
		if c.n > 0 {
			s += fmt.Sprintf("  %s %s", groupInt(c.n), c.what)
		}
	}
	return s
}

// retriesText is ", retries: 1 error, 2 platform" (or "").
func retriesText(r workflows.Retries) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{r.Error, "error"}, {r.Platform, "platform"}, {r.Timeout, "timeout"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ", retries: " + strings.Join(parts, ", ")
}

// groupInt formats n with thousands separators: 25000 → "25,000".
func groupInt(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + groupInt(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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
