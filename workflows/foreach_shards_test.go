package workflows_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// TestForeachShardCount: only a new foreach whose iterations could keep
// more local activities in flight than one workflow should runs in shards.
func TestForeachShardCount(t *testing.T) {
	defer W.SetMaxLocalInFlight(40)()
	body := func(width int, types map[string]translator.StepTypeInfo) *translator.Plan {
		steps := make([]string, width)
		for i := range steps {
			steps[i] = fmt.Sprintf(`{"step":{"id":"s%d","type":"Rec"}}`, i)
		}
		return compileJSON(t, `{"workflow":{"id":"body","steps":[`+strings.Join(steps, ",")+`]}}`, types)
	}
	wide := body(5, localMode("Rec"))
	chain := compileJSON(t, `{"workflow":{"id":"body","steps":[
		{"step":{"id":"a","type":"Rec","transition":{"successors":{"b":"true","c":"true"}}}},
		{"step":{"id":"b","type":"Rec","transition":{"successors":{"d":"true"}}}},
		{"step":{"id":"c","type":"Rec","transition":{"successors":{"d":"true"}}}},
		{"step":{"id":"d","type":"Rec"}}]}}`, localMode("Rec"))
	tests := []struct {
		name string
		in   W.ForeachInput
		want int
	}{
		{name: "5 local activities at 200", in: W.ForeachInput{Plan: wide, Total: 400, Concurrency: 200}, want: 25},
		{name: "5 local activities at 8: 40 in flight", in: W.ForeachInput{Plan: wide, Total: 400, Concurrency: 8}, want: 0},
		{name: "5 local activities at 9", in: W.ForeachInput{Plan: wide, Total: 400, Concurrency: 9}, want: 2},
		{name: "no more shards than iterations", in: W.ForeachInput{Plan: wide, Total: 3, Concurrency: 200}, want: 3},
		{name: "no more shards than concurrency", in: W.ForeachInput{Plan: body(100, localMode("Rec")), Total: 400, Concurrency: 4}, want: 4},
		{name: "at most 64", in: W.ForeachInput{Plan: wide, Total: 25000, Concurrency: 1000}, want: 64},
		{name: "a chain keeps 1 in flight: 200 at 200", in: W.ForeachInput{Plan: chain5(t), Total: 400, Concurrency: 200}, want: 5},
		{name: "a chain at 40", in: W.ForeachInput{Plan: chain5(t), Total: 400, Concurrency: 40}, want: 0},
		{name: "a diamond keeps 2 in flight: 60 at 30", in: W.ForeachInput{Plan: chain, Total: 400, Concurrency: 30}, want: 2},
		{name: "a diamond at 20: 40 in flight", in: W.ForeachInput{Plan: chain, Total: 400, Concurrency: 20}, want: 0},
		{name: "activities", in: W.ForeachInput{Plan: body(5, activityMode("Rec")), Total: 400, Concurrency: 200}, want: 0},
		{name: "strict ordering", in: W.ForeachInput{Plan: wide, Total: 400, Concurrency: 200, StrictOrdering: true}, want: 0},
		{name: "a tree cap", in: W.ForeachInput{Plan: wide, Total: 400, Concurrency: 200, Tree: &W.TreeCap{}}, want: 0},
		{name: "a continued run", in: W.ForeachInput{Plan: wide, Total: 400, Concurrency: 200, Next: 1}, want: 0},
		{name: "a shard", in: W.ForeachInput{Plan: wide, Total: 400, Concurrency: 20, Shards: 10, ShardOf: "l"}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, W.ShardCount(&tt.in))
		})
	}
}

// TestForeachShardInputs: the shards' concurrencies add up to the loop's,
// and together they launch every iteration the loop would, once: the
// iterations due again first, then the tail.
func TestForeachShardInputs(t *testing.T) {
	tests := []struct {
		name          string
		in            W.ForeachInput
		shards        int
		concurrencies []int
	}{
		{name: "a new loop", in: W.ForeachInput{Total: 23, Concurrency: 50}, shards: 3, concurrencies: []int{17, 17, 16}},
		{name: "a restart from incomplete", in: W.ForeachInput{Total: 30, Concurrency: 7, Redo: []int{1, 4, 9}, From: 12, Carried: 9,
			Counts: W.LoopCounts{Succeeded: 9}, Incomplete: []int{3}}, shards: 4, concurrencies: []int{2, 2, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var all, concs []int
			for k := range tt.shards {
				sh := W.ShardInput(&tt.in, "loop", k, tt.shards)
				require.Equal(t, "loop", sh.ShardOf)
				require.Zero(t, sh.Carried)
				require.Equal(t, W.LoopCounts{}, sh.Counts)
				require.Empty(t, sh.Incomplete, "the loop keeps what it carries")
				concs = append(concs, sh.Concurrency)
				all = append(all, W.Launches(&sh)...)
			}
			require.Equal(t, tt.concurrencies, concs)
			require.ElementsMatch(t, W.Launches(&tt.in), all)
		})
	}
}

// chain5 is a body of five local-activity steps in a chain.
func chain5(t *testing.T) *translator.Plan {
	steps := make([]string, 5)
	for i := range steps {
		next := ""
		if i < 4 {
			next = fmt.Sprintf(`,"transition":{"successors":{"s%d":"true"}}`, i+1)
		}
		steps[i] = fmt.Sprintf(`{"step":{"id":"s%d","type":"Rec"%s}}`, i, next)
	}
	return compileJSON(t, `{"workflow":{"id":"body","steps":[`+strings.Join(steps, ",")+`]}}`, localMode("Rec"))
}

// TestForeachShards runs a restarted foreach (iterations due again, then a
// never-launched tail, earlier successes kept) in four shards and checks
// what its step and a later restart read: counts, and that every iteration
// is exactly one of kept, succeeded now, due again (Incomplete) or in the
// tail from Resume.
func TestForeachShards(t *testing.T) {
	defer W.SetMaxLocalInFlight(1)()
	body := compileJSON(t, `{"workflow":{"id":"body","steps":[
		{"step":{"id":"rec","type":"Rec","params":{"key":{"type":"STRING","expression":"'' + i"},"out":{"type":"STRING","value":""}}}}]}}`, localMode("Rec"))
	const total = 30
	loop := make([]int64, total)
	for i := range loop {
		loop[i] = int64(i)
	}
	kept := []int{0, 2, 3, 5, 6} // succeeded before the restart
	tests := []struct {
		name     string
		fail     map[string]bool
		failImm  bool
		want     W.LoopOutcome
		failedIt int
	}{
		{name: "everything due succeeds", want: W.LoopDone},
		{name: "a failure stops the launches", fail: map[string]bool{"4": true}, want: W.LoopFatal, failedIt: 5},
		{name: "a failure stops the running ones", fail: map[string]bool{"9": true}, failImm: true, want: W.LoopFatal, failedIt: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := W.ForeachInput{Plan: body, LoopNames: []string{"i"}, Loop: map[string]sel.Value{"i": {Type: sel.LongArray, Value: loop}},
				Total: total, Concurrency: 4, FailImmediately: tt.failImm, Collect: []string{"rec/out"},
				Redo: []int{1, 4}, From: 7, Carried: len(kept), Counts: W.LoopCounts{Succeeded: len(kept)}}
			require.Equal(t, 4, W.ShardCount(&in))
			rec := &recorder{seen: map[string]int{}, fail: tt.fail}
			h := newHarness(t, map[string]activities.StepType{"Rec": rec})
			h.env.ExecuteWorkflow(W.ForeachWorkflowName, in)
			require.True(t, h.env.IsWorkflowCompleted())
			require.NoError(t, h.env.GetWorkflowError())
			var res W.LoopResult
			require.NoError(t, h.env.GetWorkflowResult(&res))
			require.Equal(t, tt.want, res.Outcome, res.Error)
			require.Equal(t, 4, res.Shards)
			require.Equal(t, total, res.Total)
			if tt.failedIt > 0 {
				require.Contains(t, res.Error, fmt.Sprintf("iteration %d failed", tt.failedIt))
				require.Equal(t, 1, res.Counts.Failed)
				require.Less(t, len(rec.seen), total-len(kept), "launches stopped")
			}
			// Every iteration is exactly one of these.
			where := map[int]string{}
			put := func(i int, what string) {
				require.Empty(t, where[i], "iteration %d is %s and %s", i, where[i], what)
				where[i] = what
			}
			for _, i := range kept {
				put(i, "kept")
			}
			ranOK := 0
			for k, n := range rec.seen {
				require.Equal(t, 1, n, "iteration %s ran once", k)
				var i int
				fmt.Sscanf(k, "%d", &i)
				if !tt.fail[k] && !slices.Contains(res.Incomplete, i) { // not stopped
					ranOK++
					put(i, "succeeded")
					require.Equal(t, "v-"+k, res.Collected["rec/out"][i].Value, "collected by iteration")
				}
			}
			for _, i := range res.Incomplete {
				put(i, "incomplete")
			}
			for i := res.Resume; i < total; i++ {
				put(i, "tail")
			}
			require.Len(t, where, total)
			require.True(t, sort.IntsAreSorted(res.Incomplete))
			c := res.Counts
			require.Equal(t, len(kept)+ranOK, c.Succeeded)
			require.Equal(t, c.Succeeded+c.Failed+c.TimedOut+c.Stopped, res.Iterations)
			if !tt.failImm {
				require.Zero(t, c.Stopped)
			}
		})
	}
}

// TestForeachShardsInRun: a wide foreach in a run, spread over shards,
// gives its step the same counts and collected outputs, in iteration
// order, as one loop workflow; runs from before the change do not shard.
func TestForeachShardsInRun(t *testing.T) {
	defer W.SetMaxLocalInFlight(4)()
	def := `{"properties":{"owner":{"name":"t"},"step_concurrency":100},"workflow":{"id":"w","steps":[
		{"foreach":{"id":"loop","concurrency":6,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","expression":"Util.intsBetween(0, 23, 1)"}}}},
			"steps":[{"step":{"id":"a","type":"Rec","params":{"key":{"type":"STRING","expression":"'a' + i"},"out":{"type":"STRING","value":""}}}},
				{"step":{"id":"b","type":"Rec","params":{"key":{"type":"STRING","expression":"'b' + i"},"out":{"type":"STRING","value":""}}}}],
			"transition":{"successors":{"after":"true"}}}},
		{"step":{"id":"after","type":"NoOp","params":{"outs":{"type":"STRING_ARRAY","expression":"params.getFromForeach('loop', 'b', 'out')"}}}}]}}`
	want := make([]string, 23)
	for i := range want {
		want[i] = fmt.Sprintf("v-b%d", i)
	}
	for _, before := range []bool{false, true} {
		t.Run(fmt.Sprintf("before the change: %v", before), func(t *testing.T) {
			rec := &recorder{seen: map[string]int{}}
			h := newHarness(t, map[string]activities.StepType{"Rec": rec})
			if before {
				h.env.OnGetVersion(W.ChangeForeachShards, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			st := h.run(t, compileJSON(t, def, localMode("Rec")), nil)
			requireStatuses(t, st, map[string]W.StepStatus{"loop": W.Succeeded, "after": W.Succeeded})
			require.Equal(t, &W.LoopSummary{Iterations: 23, Counts: W.LoopCounts{Succeeded: 23}}, st.Step("loop").Loop)
			require.Equal(t, want, st.Step("after").Params["outs"].Value)
			require.Len(t, rec.seen, 46)
			for k, n := range rec.seen {
				require.Equal(t, 1, n, k)
			}
		})
	}
}
