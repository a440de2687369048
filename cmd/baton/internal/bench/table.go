package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the human-readable report.
func (r *Report) WriteTable(w io.Writer) error {
	e := r.Env
	fmt.Fprintf(w, "baton bench: %d cores (GOMAXPROCS %d)", e.Cores, e.GOMAXPROCS)
	if e.CPU != "" {
		fmt.Fprintf(w, ", %s", e.CPU)
	}
	fmt.Fprintf(w, "\n%s, %s, Temporal SDK %s, server %s (embedded, SQLite %s, worker in process), %s\n", e.OS, e.Go, e.SDK, e.Server, e.Store, e.Date)
	fmt.Fprintln(w, "baton: tuned server, eager start; floor: hand-written workflow, same server; naive: default server, every step an activity, no eager start")
	fmt.Fprintln(w, "latency is submit→result of one run; per step = (p50 - empty run p50) / N")
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tsystem\tmode\tN\treps\tp50 ms\tp95 ms\tmax ms\tper step ms\tcpu ms/run\tstore req/run\t")
	for _, row := range r.Rows {
		perStep := "-"
		if row.PerStepMs != nil {
			perStep = fmt.Sprintf("%.4f", *row.PerStepMs)
		}
		note := ""
		switch {
		case row.Error != "":
			note = "ERROR: " + firstLine(row.Error)
		case row.Skipped != "":
			note = "skipped: " + row.Skipped
		case row.RunsPerSec > 0:
			note = fmt.Sprintf("%.0f runs/s, %.0f steps/s (%d in flight)", row.RunsPerSec, row.StepsPerSec, row.Concurrency)
		case row.MaxHistory > 0:
			note = fmt.Sprintf("largest history %d events", row.MaxHistory)
		case row.QueueCost != "":
			note = "queue per start: " + row.QueueCost
		}
		if !row.ok() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t-\t-\t-\t-\t-\t-\t  %s\n", row.Scenario, row.System, row.Mode, row.N, row.Reps, note)
			continue
		}
		cpu := "-"
		if row.CPUPerRunMs > 0 {
			cpu = fmt.Sprintf("%.2f", row.CPUPerRunMs)
		}
		store := "-"
		if row.StoreRequestsPerRun > 0 {
			store = fmt.Sprintf("%.1f", row.StoreRequestsPerRun)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t  %s\n",
			row.Scenario, row.System, row.Mode, row.N, row.Reps, row.P50Ms, row.P95Ms, row.MaxMs, perStep, cpu, store, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	section := func(title string) { fmt.Fprintf(w, "\n%s\n", title) }
	section("Baton vs naive (p50; throughput in runs/s)")
	for _, c := range r.Comparisons {
		if c.Against == "naive" {
			fmt.Fprintf(w, "  %s\n", c.Text)
		}
	}
	section("Baton vs floor (p50; overhead the interpreter adds)")
	for _, c := range r.Comparisons {
		if c.Against == "floor" {
			fmt.Fprintf(w, "  %s\n", c.Text)
		}
	}
	section("Cost growth with N (p50, and the marginal cost per step between consecutive N)")
	for _, g := range r.Growth {
		var pts, slopes []string
		for i, n := range g.N {
			pts = append(pts, fmt.Sprintf("N=%d %.2f ms", n, g.P50Ms[i]))
			if i > 0 && i-1 < len(g.SlopeMs) { // none for a series by concurrency
				slopes = append(slopes, fmt.Sprintf("%.4f", g.SlopeMs[i-1]))
			}
		}
		fmt.Fprintf(w, "  %-30s %s; ms/step %s: %s\n", g.Series, strings.Join(pts, ", "), strings.Join(slopes, ", "), g.Verdict)
	}
	section("Targets (medians; reported, never asserted)")
	for _, t := range r.Targets {
		verdict, rel := "met   ", "≤"
		if !t.AtMost {
			rel = "≥"
		}
		if !t.Met {
			verdict = "MISSED"
		}
		how := fmt.Sprintf("margin %.0f%%", t.Margin)
		if !t.Met {
			how = fmt.Sprintf("off by %.0f%%", -t.Margin)
		}
		fmt.Fprintf(w, "  %s %-50s %10.4g %-6s (target %s %g %s, %s)\n", verdict, t.Name, t.Value, t.Unit, rel, t.Limit, t.Unit, how)
	}
	fmt.Fprintf(w, "\nwall time %.0f s; 1-minute load average %s at the start, %s at the end; idle process CPU %.1f ms/s, idle server %.1f store requests/s (left out of the per-run figures)\n", r.WallSecs, e.LoadAvg[0], e.LoadAvg[1], e.IdleCPUMsPerSec, e.IdleStoreRequestsPerSec)
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}
