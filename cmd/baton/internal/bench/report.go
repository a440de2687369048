package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// Report is the result of a benchmark run; its JSON is `baton bench --json`.
type Report struct {
	Env         Env          `json:"env"`
	Rows        []*Row       `json:"rows"`
	Comparisons []Comparison `json:"comparisons"`
	Growth      []Growth     `json:"growth"`
	Targets     []Target     `json:"targets"`
	WallSecs    float64      `json:"wall_secs"`
}

// Env describes the machine and the versions.
type Env struct {
	Cores      int    `json:"cores"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPU        string `json:"cpu,omitempty"`
	OS         string `json:"os"`
	Go         string `json:"go"`
	SDK        string `json:"temporal_sdk"`
	Server     string `json:"temporal_server"`
	Date       string `json:"date"`
	// Store is the servers' SQLite store: a temporary file, or memory.
	Store string `json:"store"`
	// LoadAvg is the 1-minute load average when the run began and ended:
	// other processes on the machine skew every figure.
	LoadAvg [2]string `json:"load_avg,omitempty"`
	// IdleCPUMsPerSec is the process's CPU per second with nothing running
	// (servers' and workers' timers and polls); rows' CPU per run leaves it
	// out.
	IdleCPUMsPerSec float64 `json:"idle_cpu_ms_per_s"`
	// IdleStoreRequestsPerSec is the tuned server's store requests per
	// second with nothing running; rows' store requests leave it out.
	IdleStoreRequestsPerSec float64 `json:"idle_store_requests_per_s"`
}

// Row is one measured configuration. Latencies are submit→result of one
// run, in milliseconds.
type Row struct {
	Scenario string `json:"scenario"`
	// System is baton (tuned server, eager start), floor (hand-written
	// workflow on the same server) or naive (default server, every step an
	// activity, no eager start).
	System string `json:"system"`
	Mode   string `json:"mode"`
	N      int    `json:"n"` // steps (iterations for scale)
	Reps   int    `json:"reps"`

	P50Ms  float64 `json:"p50_ms"`
	P95Ms  float64 `json:"p95_ms"`
	MinMs  float64 `json:"min_ms"`
	MaxMs  float64 `json:"max_ms"`
	MeanMs float64 `json:"mean_ms"`
	// PerStepMs is (p50 - empty) / N, where empty is the same system's
	// start row (for naive, whose empty run has one activity step, N-1).
	PerStepMs *float64 `json:"per_step_ms,omitempty"`

	Concurrency int     `json:"concurrency,omitempty"`
	RunsPerSec  float64 `json:"runs_per_sec,omitempty"`
	StepsPerSec float64 `json:"steps_per_sec,omitempty"`
	MaxHistory  int     `json:"max_history_events,omitempty"`
	// CPUPerRunMs is the process's CPU time (server, worker and client:
	// they share the process) while the row's runs ran, less what the idle
	// process uses in that wall time (Env.IdleCPUMsPerSec), per run: other
	// processes' load stretches it much less than latency.
	CPUPerRunMs float64 `json:"cpu_per_run_ms,omitempty"`
	// StoreRequestsPerRun is how many requests the server made to its
	// stores (history and visibility) per run, beyond the idle server's: the
	// server's work, independent of the machine's load (start and
	// throughput rows).
	StoreRequestsPerRun float64 `json:"store_requests_per_run,omitempty"`
	// samples are the latencies in measurement order (rep i of interleaved
	// rows ran one after the other), for paired ratios.
	samples []time.Duration
	// QueueCost is, for a strategy row, what one start cost the queue
	// entity: events, workflow tasks, activities and local activities of
	// its history per start (load-independent).
	QueueCost string `json:"queue_cost,omitempty"`

	Skipped string `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Comparison is a ratio of Baton to the floor or to the naive design.
type Comparison struct {
	Against string  `json:"against"` // floor or naive
	What    string  `json:"what"`
	Baton   float64 `json:"baton"`
	Other   float64 `json:"other"`
	Unit    string  `json:"unit"`
	// Ratio is other/baton for naive (how many times faster Baton is) and
	// the overhead in percent, (baton-floor)/floor*100, for floor.
	Ratio float64 `json:"ratio"`
	Text  string  `json:"text"`
}

// Growth is how one series grows with N.
type Growth struct {
	Series  string    `json:"series"`
	N       []int     `json:"n"`
	P50Ms   []float64 `json:"p50_ms"`
	SlopeMs []float64 `json:"marginal_ms_per_step"` // between consecutive N
	Verdict string    `json:"verdict"`
}

// Target is one of the targets, met or missed.
type Target struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Limit  float64 `json:"limit"`
	Unit   string  `json:"unit"`
	AtMost bool    `json:"at_most"` // value <= limit; else value >= limit
	Met    bool    `json:"met"`
	Margin float64 `json:"margin_pct"` // how far inside (+) or outside (-) the limit, % of the limit
}

func newReport() *Report {
	return &Report{Env: environment()}
}

func (r *Report) add(row *Row) { r.Rows = append(r.Rows, row) }

func environment() Env {
	e := Env{
		Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(),
		SDK: "unknown", Server: "unknown", Date: time.Now().UTC().Format(time.RFC3339),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "go.temporal.io/sdk":
				e.SDK = d.Version
			case "go.temporal.io/server":
				e.Server = d.Version
			}
		}
	}
	e.LoadAvg[0] = loadAvg()
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer func() { _ = f.Close() }()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				e.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return e
}

// loadAvg is the 1-minute load average, or "" where /proc is missing.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// quantile is the nearest-rank quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (row *Row) setLatencies(l []time.Duration) {
	row.samples = l
	s := slices.Clone(l)
	slices.Sort(s)
	row.Reps = len(s)
	if len(s) == 0 {
		return
	}
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	row.P50Ms, row.P95Ms = ms(quantile(s, 0.5)), ms(quantile(s, 0.95))
	row.MinMs, row.MaxMs = ms(s[0]), ms(s[len(s)-1])
	row.MeanMs = ms(sum / time.Duration(len(s)))
}

func (row *Row) ok() bool { return row.Error == "" && row.Skipped == "" && row.Reps > 0 }

func (row *Row) label() string {
	return fmt.Sprintf("%s %s %s N=%d", row.Scenario, row.System, row.Mode, row.N)
}

func (row *Row) progress() string {
	switch {
	case row.Error != "":
		return fmt.Sprintf("  %-40s ERROR %s", row.label(), row.Error)
	case row.Skipped != "":
		return fmt.Sprintf("  %-40s skipped: %s", row.label(), row.Skipped)
	}
	return fmt.Sprintf("  %-40s p50 %9.2f ms  p95 %9.2f ms  (%d reps)", row.label(), row.P50Ms, row.P95Ms, row.Reps)
}

// find returns the row of a scenario, system, mode and N, if it succeeded.
func (r *Report) find(scenario, system, mode string, n int) *Row {
	for _, row := range r.Rows {
		if row.Scenario == scenario && row.System == system && row.Mode == mode && row.N == n && row.ok() {
			return row
		}
	}
	return nil
}

// empty returns a system's "empty run" p50 and how many steps it has.
func (r *Report) empty(system string) (float64, int, bool) {
	var row *Row
	switch system {
	case "baton":
		row = r.find(ScenarioStart, "baton", "inline", 1)
	case "floor":
		row = r.find(ScenarioStart, "floor", "empty", 0)
		if row != nil {
			return row.P50Ms, 0, true
		}
	case "naive":
		row = r.find(ScenarioStart, "naive", "activity", 1)
		if row != nil {
			return row.P50Ms, 1, true
		}
	}
	if row == nil {
		return 0, 0, false
	}
	return row.P50Ms, 0, true // a NoOp step runs inline in the first workflow task: counted as 0
}

func (r *Report) finish(wall time.Duration) {
	r.WallSecs = wall.Seconds()
	// Group the rows by scenario (the naive ones ran last).
	slices.SortStableFunc(r.Rows, func(a, b *Row) int {
		return slices.Index(Scenarios, a.Scenario) - slices.Index(Scenarios, b.Scenario)
	})
	r.Env.LoadAvg[1] = loadAvg()
	for _, row := range r.Rows {
		if !row.ok() || row.Scenario == ScenarioStart || row.Scenario == ScenarioThroughput || row.Scenario == ScenarioScale {
			continue
		}
		if e, steps, ok := r.empty(row.System); ok && row.N > steps {
			v := (row.P50Ms - e) / float64(row.N-steps)
			row.PerStepMs = &v
		}
	}
	r.compare()
	r.growth()
	r.targets()
}

func (r *Report) compare() {
	for _, f := range r.Rows {
		if f.System != "floor" || !f.ok() {
			continue
		}
		modes := []string{f.Mode}
		switch {
		case f.Scenario == ScenarioStart && f.Mode == startFeaturesMode:
			modes = []string{"inline"}
		case f.Scenario == ScenarioStart:
			modes = []string{"inline", startNoSAMode}
		case f.Scenario == ScenarioThroughput && (f.Mode == throughputChainMode || f.Mode == throughputFeaturesMode):
			modes = []string{"local_activity"}
		}
		for _, mode := range modes {
			if b := r.find(f.Scenario, "baton", mode, max(f.N, 1)); b != nil {
				r.compareFloor(b, f)
			}
		}
	}
	r.compareNaive()
}

// compareFloor compares Baton's row b with the floor's row f.
func (r *Report) compareFloor(b, f *Row) {
	if f.Scenario == ScenarioThroughput {
		c := Comparison{Against: "floor", What: "throughput " + f.Mode, Baton: b.RunsPerSec, Other: f.RunsPerSec, Unit: "runs/s"}
		c.Ratio = (f.RunsPerSec - b.RunsPerSec) / f.RunsPerSec * 100
		fewer := fmt.Sprintf("%.0f%% fewer", c.Ratio)
		if c.Ratio < 0 {
			fewer = fmt.Sprintf("%.0f%% more", -c.Ratio)
		}
		c.Text = fmt.Sprintf("%-28s baton %8.1f runs/s  floor %8.1f runs/s  (%s runs/s than the floor)", c.What, b.RunsPerSec, f.RunsPerSec, fewer) + cpuText(b, f)
		r.Comparisons = append(r.Comparisons, c)
		return
	}
	pct := (b.P50Ms - f.P50Ms) / f.P50Ms * 100
	what := f.Scenario + " " + f.Mode + fmt.Sprintf(" N=%d", f.N)
	switch {
	case b.Mode == startNoSAMode:
		what = "start, " + startNoSAMode
	case f.Mode == startFeaturesMode:
		what = "start vs features"
	}
	c := Comparison{Against: "floor", What: what, Baton: b.P50Ms, Other: f.P50Ms, Unit: "ms", Ratio: pct}
	c.Text = fmt.Sprintf("%-28s baton %8.2f ms  floor %8.2f ms  interpreter overhead %+.0f%%", c.What, b.P50Ms, f.P50Ms, pct)
	if p, ok := pairedRatio(b, f); ok {
		c.Text += fmt.Sprintf(" (median of the reps' ratios %+.0f%%)", (p-1)*100)
	}
	c.Text += cpuText(b, f)
	if b.PerStepMs != nil && f.PerStepMs != nil && *f.PerStepMs > 0 {
		c.Text += fmt.Sprintf("  (per step %.4f vs %.4f ms: %+.0f%%)", *b.PerStepMs, *f.PerStepMs, (*b.PerStepMs-*f.PerStepMs) / *f.PerStepMs * 100)
	}
	r.Comparisons = append(r.Comparisons, c)
}

// compareNaive compares Baton's rows with the naive system's.
func (r *Report) compareNaive() {
	for _, nv := range r.Rows {
		if nv.System != "naive" || !nv.ok() {
			continue
		}
		for _, b := range r.Rows {
			if b.System != "baton" || !b.ok() || b.Scenario != nv.Scenario || b.N != nv.N {
				continue
			}
			c := Comparison{Against: "naive", What: fmt.Sprintf("%s N=%d baton %s", b.Scenario, b.N, b.Mode), Unit: "ms"}
			if b.Scenario == ScenarioThroughput {
				c.Baton, c.Other, c.Unit = b.RunsPerSec, nv.RunsPerSec, "runs/s"
				c.Ratio = b.RunsPerSec / nv.RunsPerSec
				c.Text = fmt.Sprintf("%-36s %8.1f runs/s vs naive %8.1f runs/s: %7.1fx", c.What, b.RunsPerSec, nv.RunsPerSec, c.Ratio)
			} else {
				c.Baton, c.Other = b.P50Ms, nv.P50Ms
				c.Ratio = nv.P50Ms / b.P50Ms
				c.Text = fmt.Sprintf("%-36s %8.2f ms vs naive %9.2f ms: %7.1fx faster", c.What, b.P50Ms, nv.P50Ms, c.Ratio)
			}
			r.Comparisons = append(r.Comparisons, c)
		}
	}
}

// pairedRatio is the median over repetitions of b's latency over f's in
// the same repetition (measure ran them one after the other), which a load
// that changes between repetitions moves less than the ratio of the p50s.
func pairedRatio(b, f *Row) (float64, bool) {
	if len(b.samples) == 0 || len(b.samples) != len(f.samples) {
		return 0, false
	}
	ratios := make([]float64, len(b.samples))
	for i := range b.samples {
		ratios[i] = float64(b.samples[i]) / float64(f.samples[i])
	}
	slices.Sort(ratios)
	return ratios[(len(ratios)-1)/2], true
}

// cpuText compares the process CPU and the store requests per run of two
// rows ("" where unknown).
func cpuText(b, f *Row) string {
	s := ""
	if b.CPUPerRunMs > 0 && f.CPUPerRunMs > 0 {
		s += fmt.Sprintf("; CPU per run %.2f vs %.2f ms (%+.0f%%)", b.CPUPerRunMs, f.CPUPerRunMs, (b.CPUPerRunMs-f.CPUPerRunMs)/f.CPUPerRunMs*100)
	}
	if b.StoreRequestsPerRun > 0 && f.StoreRequestsPerRun > 0 {
		s += fmt.Sprintf("; store requests per run %.1f vs %.1f (%+.0f%%)", b.StoreRequestsPerRun, f.StoreRequestsPerRun,
			(b.StoreRequestsPerRun-f.StoreRequestsPerRun)/f.StoreRequestsPerRun*100)
	}
	return s
}

func (r *Report) growth() {
	type key struct{ scenario, system, mode string }
	var keys []key
	series := map[key][]*Row{}
	for _, row := range r.Rows {
		if !row.ok() || (row.Scenario != ScenarioChain && row.Scenario != ScenarioScale && row.Scenario != ScenarioWide) {
			continue
		}
		k := key{row.Scenario, row.System, row.Mode}
		if _, seen := series[k]; !seen {
			keys = append(keys, k)
		}
		series[k] = append(series[k], row)
	}
	for _, k := range keys {
		rows := series[k]
		if len(rows) < 2 {
			continue
		}
		slices.SortFunc(rows, func(a, b *Row) int { return a.N - b.N })
		g := Growth{Series: fmt.Sprintf("%s %s %s", k.scenario, k.system, k.mode)}
		for i, row := range rows {
			g.N = append(g.N, row.N)
			g.P50Ms = append(g.P50Ms, row.P50Ms)
			if i > 0 {
				g.SlopeMs = append(g.SlopeMs, (row.P50Ms-rows[i-1].P50Ms)/float64(row.N-rows[i-1].N))
			}
		}
		first, last := g.SlopeMs[0], g.SlopeMs[len(g.SlopeMs)-1]
		switch {
		case len(g.SlopeMs) < 2:
			g.Verdict = "two points: no verdict"
		case first <= 0 || last <= 0:
			g.Verdict = "marginal cost within noise"
		case last/first > 2:
			g.Verdict = fmt.Sprintf("super-linear: the marginal step costs %.1fx more at large N", last/first)
		case last/first < 0.5:
			g.Verdict = fmt.Sprintf("sub-linear: fixed costs dominate small N (marginal %.1fx cheaper at large N)", first/last)
		default:
			g.Verdict = fmt.Sprintf("linear (marginal cost ratio %.2f)", last/first)
		}
		r.Growth = append(r.Growth, g)
	}
	r.concurrencyGrowth()
}

// concurrencyGrowth says how a foreach-wide series' time grows with its
// concurrency (same iterations): flat is linear in the work. Baton's line
// also gives the floor's growth in the same run, so that a growth both
// share (the SDK's, the server's, the machine's) is told apart from the
// interpreter's own.
func (r *Report) concurrencyGrowth() {
	bySystem := map[string][]*Row{}
	var systems []string
	for _, row := range r.Rows {
		if !row.ok() || row.Scenario != ScenarioForeachWide {
			continue
		}
		if _, seen := bySystem[row.System]; !seen {
			systems = append(systems, row.System)
		}
		bySystem[row.System] = append(bySystem[row.System], row)
	}
	ratios := map[string]float64{}
	var lines []Growth
	for _, sys := range systems {
		rows := bySystem[sys]
		if len(rows) < 2 {
			continue
		}
		slices.SortFunc(rows, func(a, b *Row) int { return a.Concurrency - b.Concurrency })
		// N holds the concurrencies here; all rows have the same iterations.
		g := Growth{Series: fmt.Sprintf("%s %s %d iterations, N=concurrency", ScenarioForeachWide, sys, rows[0].N)}
		for _, row := range rows {
			g.N = append(g.N, row.Concurrency)
			g.P50Ms = append(g.P50Ms, row.P50Ms)
		}
		first, last := rows[0], rows[len(rows)-1]
		ratio := last.P50Ms / first.P50Ms
		ratios[sys] = ratio
		switch {
		case ratio <= 1.5:
			g.Verdict = fmt.Sprintf("linear in the work: time per iteration at concurrency %d is %.2fx that at %d", last.Concurrency, ratio, first.Concurrency)
		default:
			g.Verdict = fmt.Sprintf("grows with concurrency: time per iteration at concurrency %d is %.2fx that at %d", last.Concurrency, ratio, first.Concurrency)
		}
		lines = append(lines, g)
	}
	for i := range lines {
		b, okb := ratios["baton"]
		f, okf := ratios["floor"]
		if !okb || !okf || !strings.Contains(lines[i].Series, " baton ") {
			continue
		}
		lines[i].Verdict += fmt.Sprintf("; the hand-written floor's grows %.2fx in the same run (Baton's growth / the floor's = %.2f)", f, b/f)
	}
	r.Growth = append(r.Growth, lines...)
}

func (r *Report) target(name string, value, limit float64, unit string, atMost bool) {
	t := Target{Name: name, Value: value, Limit: limit, Unit: unit, AtMost: atMost}
	if atMost {
		t.Met, t.Margin = value <= limit, (limit-value)/limit*100
	} else {
		t.Met, t.Margin = value >= limit, (value-limit)/limit*100
	}
	r.Targets = append(r.Targets, t)
}

// largest returns the successful row of the largest N for a series.
func (r *Report) largest(scenario, system, mode string) *Row {
	var best *Row
	for _, row := range r.Rows {
		if row.ok() && row.Scenario == scenario && row.System == system && row.Mode == mode && (best == nil || row.N > best.N) {
			best = row
		}
	}
	return best
}

func (r *Report) targets() {
	if s := r.find(ScenarioStart, "baton", "inline", 1); s != nil {
		r.target("start overhead, 1-step NoOp DAG (p50)", s.P50Ms, 6, "ms", true)
	}
	for _, m := range []struct {
		mode  string
		limit float64
	}{{"inline", 0.02}, {"local_activity", 0.1}, {"activity", 6}} {
		if row := r.largest(ScenarioChain, "baton", m.mode); row != nil && row.PerStepMs != nil {
			r.target(fmt.Sprintf("%s step, chain N=%d (per step)", m.mode, row.N), *row.PerStepMs, m.limit, "ms", true)
		}
	}
	if row := r.largest(ScenarioDAG, "baton", "inline"); row != nil {
		r.target(fmt.Sprintf("%d-step NoOp DAG with joins (p50)", row.N), row.P50Ms, 30, "ms", true)
	}
	if row := r.largest(ScenarioThroughput, "baton", "inline"); row != nil {
		r.target("five-step DAG runs per second (inline)", row.RunsPerSec, 200, "runs/s", false)
	}
	if b := r.largest(ScenarioChain, "baton", "local_activity"); b != nil {
		if f := r.find(ScenarioChain, "floor", "local_activity", b.N); f != nil {
			r.target(fmt.Sprintf("local-activity chain N=%d vs floor (overhead)", b.N), (b.P50Ms-f.P50Ms)/f.P50Ms*100, 20, "%", true)
		}
	}
	r.wideTargets()
	if nv := r.largest(ScenarioChain, "naive", "activity"); nv != nil {
		if b := r.find(ScenarioChain, "baton", "local_activity", nv.N); b != nil {
			r.target(fmt.Sprintf("faster than naive, chain N=%d (local activities)", nv.N), nv.P50Ms/b.P50Ms, 50, "x", false)
		}
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// wideTargets are issue 10's targets for wide runs.
func (r *Report) wideTargets() {
	// Marginal cost per step (between the smallest and the largest N), so
	// no start row is needed.
	if wm, wn, ok := r.marginal(ScenarioWide, "baton", wideMode); ok {
		if cm, cn, ok := r.marginal(ScenarioChain, "baton", "local_activity"); ok && cm > 0 {
			name := fmt.Sprintf("wide N=%d per step vs local-activity chain N=%d per step", wn, cn)
			// The same ratio of the hand-written workflows, whose wide
			// floor keeps as many local activities in flight (since
			// session 11): what the SDK's per-result work at that width
			// costs without an interpreter.
			fw, _, okw := r.marginal(ScenarioWide, "floor", wideMode)
			fc, _, okc := r.marginal(ScenarioChain, "floor", "local_activity")
			if okw && okc && fc > 0 {
				name += fmt.Sprintf(" (hand-written: %.2fx)", fw/fc)
			}
			r.target(name, wm/cm, 2, "x", true)
		}
	}
	var lo, hi *Row
	for _, row := range r.Rows {
		if !row.ok() || row.Scenario != ScenarioForeachWide || row.System != "baton" {
			continue
		}
		if lo == nil || row.Concurrency < lo.Concurrency {
			lo = row
		}
		if hi == nil || row.Concurrency > hi.Concurrency {
			hi = row
		}
	}
	if lo != nil && hi != nil && lo != hi {
		r.target(fmt.Sprintf("foreach-wide time at concurrency %d vs %d", hi.Concurrency, lo.Concurrency), hi.P50Ms/lo.P50Ms, 1.5, "x", true)
	}
	if b := r.largest(ScenarioForeachActivity, "baton", fmt.Sprintf("activity C=%d", 100)); b != nil {
		if f := r.find(ScenarioForeachActivity, "floor", b.Mode, b.N); f != nil {
			r.target(fmt.Sprintf("%d-iteration activity foreach vs hand-written fan-out", b.N), b.P50Ms/f.P50Ms, 1.5, "x", true)
		}
		if b.MaxHistory > 0 {
			r.target(fmt.Sprintf("%d-iteration activity foreach: largest history", b.N), float64(b.MaxHistory), 10240, "events", true)
		}
	}
	if b := r.find(ScenarioStart, "baton", "inline", 1); b != nil {
		if f := r.find(ScenarioStart, "floor", "empty", 0); f != nil && f.P50Ms > 0 {
			r.target("start of a 1-step run vs the floor's empty workflow (overhead)", (b.P50Ms-f.P50Ms)/f.P50Ms*100, 10, "%", true)
		}
	}
	if b := r.find(ScenarioChain, "baton", "local_activity", 300); b != nil {
		if f := r.find(ScenarioChain, "floor", "local_activity", 300); f != nil && f.P50Ms > 0 {
			r.target("local-activity chain N=300 vs floor (overhead)", (b.P50Ms-f.P50Ms)/f.P50Ms*100, 15, "%", true)
		}
	}
	if b := r.find(ScenarioThroughput, "baton", "local_activity", 5); b != nil {
		if f := r.find(ScenarioThroughput, "floor", "local_activity", 5); f != nil && f.RunsPerSec > 0 {
			r.target("five-step runs/s with local activities vs floor", b.RunsPerSec/f.RunsPerSec*100, 95, "%", false)
		}
	}
}

// marginal is the cost per step of a series of system between its smallest and
// largest N, and the largest N.
func (r *Report) marginal(scenario, system, mode string) (float64, int, bool) {
	var lo, hi *Row
	for _, row := range r.Rows {
		if !row.ok() || row.Scenario != scenario || row.System != system || row.Mode != mode {
			continue
		}
		if lo == nil || row.N < lo.N {
			lo = row
		}
		if hi == nil || row.N > hi.N {
			hi = row
		}
	}
	if lo == nil || hi == nil || lo.N == hi.N {
		return 0, 0, false
	}
	return (hi.P50Ms - lo.P50Ms) / float64(hi.N-lo.N), hi.N, true
}
