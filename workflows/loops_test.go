package workflows_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

func TestForeachSample(t *testing.T) {
	plan := compileSample(t, "server__sample-foreach-wf.json")
	st := newHarness(t, nil).run(t, plan, nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	requireStatuses(t, st, map[string]W.StepStatus{"foreach-job": W.Succeeded})
	require.Equal(t, &W.LoopSummary{Iterations: 9, Counts: W.LoopCounts{Succeeded: 9}}, st.Step("foreach-job").Loop)
}

func TestNestedForeachSample(t *testing.T) {
	plan := compileSample(t, "server__sample-nested-foreach-wf.json")
	st := newHarness(t, nil).run(t, plan, nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	// Outer: i in [1,2,3] x j in [a,b], concurrency 2: 3 rounds. Each outer
	// iteration runs an inner foreach over x in [1, i) (sleeping 5x s, 3 at a
	// time) then sleeps 10i s: the longest, i=3, takes 10 + 30 = 40 s.
	require.Equal(t, W.Succeeded, st.Step("foreach-job").Status)
	require.GreaterOrEqual(t, st.Step("foreach-job").Duration(), 40*time.Second)
}

func TestWhileSample(t *testing.T) {
	plan := compileSample(t, "server__sample-while-wf.json")
	st := newHarness(t, nil).run(t, plan, nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	w := st.Step("while-job")
	require.Equal(t, W.Succeeded, w.Status)
	// i: 20200101..20200105 pass the condition; the fifth iteration sets 20200106.
	require.Equal(t, int64(20200106), w.Params["i"].Value)
}

// recorder is a step type that records the iterations it saw.
type recorder struct {
	mu   sync.Mutex
	seen map[string]int
	fail map[string]bool // value of param "key" that fails fatally
}

func (r *recorder) Run(_ context.Context, s *activities.Step) (*activities.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := s.String("key")
	r.seen[key]++
	if r.fail[key] {
		return nil, activities.FatalError(nil)
	}
	return &activities.Result{Outputs: map[string]any{"out": "v-" + key}}, nil
}

func TestForeachCrossProductAndAggregation(t *testing.T) {
	def := `{"workflow":{"id":"w","steps":[
		{"foreach":{"id":"loop","concurrency":4,
			"params":{"tag":{"type":"STRING","value":"t"},
				"loop_params":{"type":"MAP","value":{"a":{"type":"LONG_ARRAY","value":[1,2,3]},"b":{"type":"STRING_ARRAY","value":["x","y"]}}}},
			"steps":[{"step":{"id":"rec","type":"Rec","params":{
				"key":{"type":"STRING","expression":"tag + a + b + loop_index"},"out":{"type":"STRING","value":""}}}}],
			"transition":{"successors":{"after":"true"}}}},
		{"step":{"id":"after","type":"NoOp","params":{"outs":{"type":"STRING_ARRAY","expression":"params.getFromForeach('loop', 'rec', 'out')"}}}}]}}`
	rec := &recorder{seen: map[string]int{}}
	h := newHarness(t, map[string]activities.StepType{"Rec": rec})
	st := h.run(t, compileJSON(t, def, localMode("Rec")), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	// First loop param (a, as written) varies fastest; loop_index is 0-based.
	want := []string{"v-t1x0", "v-t2x1", "v-t3x2", "v-t1y3", "v-t2y4", "v-t3y5"}
	require.Equal(t, want, st.Step("after").Params["outs"].Value)
	require.Len(t, rec.seen, 6)
	for k, n := range rec.seen {
		require.Equal(t, 1, n, "iteration %s ran once", k)
	}
}

func TestForeachFailureModes(t *testing.T) {
	def := func(mode string) string {
		return `{"workflow":{"id":"w","steps":[
			{"foreach":{"id":"loop","concurrency":1,"failure_mode":"` + mode + `",
				"params":{"loop_params":{"type":"MAP","value":{"k":{"type":"STRING_ARRAY","value":["a","b","c","d"]}}}},
				"steps":[{"step":{"id":"rec","type":"Rec","params":{"key":{"type":"STRING","expression":"k"},"out":{"type":"STRING","value":""}}}}],
				"transition":{"successors":{"after":"true"}}}},
			{"step":{"id":"after","type":"NoOp"}}]}}`
	}
	tests := []struct {
		mode   string
		status W.StepStatus
		after  W.StepStatus
	}{
		{"FAIL_AFTER_RUNNING", W.FatallyFailed, W.NotCreated},
		{"IGNORE_FAILURE", W.CompletedWithError, W.Succeeded},
		{"FAIL_IMMEDIATELY", W.FatallyFailed, W.NotCreated},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			rec := &recorder{seen: map[string]int{}, fail: map[string]bool{"b": true}}
			h := newHarness(t, map[string]activities.StepType{"Rec": rec})
			st := h.run(t, compileJSON(t, def(tt.mode), localMode("Rec")), nil)
			requireStatuses(t, st, map[string]W.StepStatus{"loop": tt.status, "after": tt.after})
			// Concurrency 1: a ran, b failed, and no iteration was launched after it.
			require.Equal(t, map[string]int{"a": 1, "b": 1}, rec.seen)
			require.Contains(t, st.Step("loop").Error, "iteration 2 failed")
		})
	}
}

func TestForeachEmptyAndTooLarge(t *testing.T) {
	empty := `{"workflow":{"id":"w","steps":[{"foreach":{"id":"loop",
		"params":{"loop_params":{"type":"MAP","value":{"k":{"type":"LONG_ARRAY","value":[]}}}},
		"steps":[{"step":{"id":"s","type":"NoOp"}}]}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, empty, nil), nil)
	require.Equal(t, W.Succeeded, st.Step("loop").Status)

	huge := `{"workflow":{"id":"w","steps":[{"foreach":{"id":"loop",
		"params":{"loop_params":{"type":"MAP","value":{"a":{"type":"LONG_ARRAY","expression":"Util.intsBetween(0, 200, 1)"},
			"b":{"type":"LONG_ARRAY","expression":"Util.intsBetween(0, 200, 1)"}}}},
		"steps":[{"step":{"id":"s","type":"NoOp"}}]}}]}}`
	st = newHarness(t, nil).run(t, compileJSON(t, huge, nil), nil)
	require.Equal(t, W.FatallyFailed, st.Step("loop").Status)
	require.Contains(t, st.Step("loop").Error, "more than 25000 iterations")
}

func TestWhileZeroIterationsAndFailure(t *testing.T) {
	zero := `{"workflow":{"id":"w","steps":[{"while":{"id":"loop","condition":"n > 0",
		"params":{"loop_params":{"type":"MAP","value":{"n":{"type":"LONG","value":0}}}},
		"steps":[{"step":{"id":"s","type":"NoOp"}}]}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, zero, nil), nil)
	require.Equal(t, W.Succeeded, st.Step("loop").Status)

	failing := `{"workflow":{"id":"w","steps":[{"while":{"id":"loop","condition":"n < 10",
		"params":{"loop_params":{"type":"MAP","value":{"n":{"type":"LONG","value":0}}}},
		"steps":[{"step":{"id":"s","type":"NoOp","params":{"n":{"type":"LONG","expression":"if (n == 3) throw 'three'; return n + 1;"}}}}]}}]}}`
	st = newHarness(t, nil).run(t, compileJSON(t, failing, nil), nil)
	require.Equal(t, W.FatallyFailed, st.Step("loop").Status)
	require.Contains(t, st.Step("loop").Error, "iteration 4 failed")
}

func TestLoopsContinueAsNew(t *testing.T) {
	defer W.SetIterationsPerRun(7)()
	def := `{"workflow":{"id":"w","steps":[{"while":{"id":"loop","condition":"n < 25",
		"params":{"loop_params":{"type":"MAP","value":{"n":{"type":"LONG","value":0}}}},
		"steps":[{"step":{"id":"s","type":"NoOp","params":{"n":{"type":"LONG","expression":"n + 1"}}}}]}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.Succeeded, st.Step("loop").Status, st.Step("loop").Error)
	require.Equal(t, int64(25), st.Step("loop").Params["n"].Value)

	rec := &recorder{seen: map[string]int{}}
	fe := `{"workflow":{"id":"w","steps":[
		{"foreach":{"id":"loop","concurrency":3,"strict_ordering":true,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","expression":"Util.intsBetween(0, 20, 1)"}}}},
			"steps":[{"step":{"id":"rec","type":"Rec","params":{"key":{"type":"STRING","expression":"'' + i"},"out":{"type":"STRING","value":""}}}}],
			"transition":{"successors":{"after":"true"}}}},
		{"step":{"id":"after","type":"NoOp","params":{"n":{"type":"LONG","expression":"params.getFromForeach('loop', 'rec', 'out').length"}}}}]}}`
	h := newHarness(t, map[string]activities.StepType{"Rec": rec})
	st = h.run(t, compileJSON(t, fe, localMode("Rec")), nil)
	requireStatuses(t, st, map[string]W.StepStatus{"loop": W.Succeeded, "after": W.Succeeded})
	require.Len(t, rec.seen, 20)
	require.Equal(t, int64(20), st.Step("after").Params["n"].Value)
}

// TestForeachConcurrencyDefault (MAESTRO.md §4.10): a foreach step with no
// concurrency of its own runs as many iterations at once as the workflow's
// limit, min(instance_step_concurrency, step_concurrency), not 20; runs
// started before that change keep 20.
func TestForeachConcurrencyDefault(t *testing.T) {
	def := `{"properties":{"owner":"me","step_concurrency":30},"workflow":{"id":"w","steps":[
		{"foreach":{"id":"loop",
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","expression":"Util.intsBetween(0, 30, 1)"}}}},
			"steps":[{"step":{"id":"s","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":10}}}}]}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.Succeeded, st.Step("loop").Status, st.Step("loop").Error)
	require.Equal(t, 10*time.Second, st.Step("loop").Duration(), "30 at once")

	h := newHarness(t, nil)
	h.env.OnGetVersion(W.ChangeForeachConcurrency, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	st = h.run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, 20*time.Second, st.Step("loop").Duration(), "20 at once")
}

// TestForeachLoopParamOrder: the first loop param as written in the
// definition varies fastest (MAESTRO.md §4.11); loop_params computed by an
// expression (a SEL map has no order) go by name.
func TestForeachLoopParamOrder(t *testing.T) {
	def := func(loopParams string) string {
		return `{"workflow":{"id":"w","steps":[
			{"foreach":{"id":"loop","concurrency":1,"params":{"loop_params":` + loopParams + `},
				"steps":[{"step":{"id":"rec","type":"Rec","params":{
					"key":{"type":"STRING","expression":"'' + loop_index + ':' + a + ',' + b"},"out":{"type":"STRING","value":""}}}}],
				"transition":{"successors":{"after":"true"}}}},
			{"step":{"id":"after","type":"NoOp","params":{"outs":{"type":"STRING_ARRAY","expression":"params.getFromForeach('loop', 'rec', 'out')"}}}}]}}`
	}
	bFastest := []string{"v-0:10,1", "v-1:10,2", "v-2:20,1", "v-3:20,2", "v-4:30,1", "v-5:30,2"}
	aFastest := []string{"v-0:10,1", "v-1:20,1", "v-2:30,1", "v-3:10,2", "v-4:20,2", "v-5:30,2"}
	bThenA := `{"type":"MAP","value":{"b":{"type":"LONG_ARRAY","value":[1,2]},"a":{"type":"LONG_ARRAY","value":[10,20,30]}}}`
	tests := []struct {
		name       string
		loopParams string
		oldPlan    bool // drop the plan's Keys, as plans compiled before them
		want       []string
	}{
		{"b then a: b fastest", bThenA, false, bFastest},
		{"a then b: a fastest", `{"type":"MAP","value":{"a":{"type":"LONG_ARRAY","value":[10,20,30]},"b":{"type":"LONG_ARRAY","value":[1,2]}}}`, false, aFastest},
		{"b then a, a by expression", `{"type":"MAP","value":{"b":{"type":"LONG_ARRAY","value":[1,2]},"a":{"type":"LONG_ARRAY","expression":"Util.intsBetween(10, 40, 10)"}}}`, false, bFastest},
		{"expression: by name", `{"type":"MAP","expression":"m = new LinkedHashMap(); m.put('b', Util.intsBetween(1, 3, 1)); m.put('a', Util.intsBetween(10, 40, 10)); return m;"}`, false, aFastest},
		{"plan without keys: by name", bThenA, true, aFastest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{seen: map[string]int{}}
			h := newHarness(t, map[string]activities.StepType{"Rec": rec})
			plan := compileJSON(t, def(tt.loopParams), localMode("Rec"))
			if tt.oldPlan {
				lp := plan.Node("loop").Params["loop_params"]
				require.Equal(t, []string{"b", "a"}, lp.Keys)
				lp.Keys = nil
			}
			st := h.run(t, plan, nil)
			requireStatuses(t, st, map[string]W.StepStatus{"loop": W.Succeeded, "after": W.Succeeded})
			require.Equal(t, tt.want, st.Step("after").Params["outs"].Value)
		})
	}
}

// TestNestedForeachSampleOrder runs Maestro's nested foreach sample, whose
// outer loop params are i = [1,2,3] then j = [a,b], with each iteration's
// i and j collected from its job.2: i, written first, varies fastest. With
// Keys edited to j, i (from Go), j varies fastest.
func TestNestedForeachSampleOrder(t *testing.T) {
	tests := []struct {
		name string
		keys []string // nil: as decoded
		want []string
	}{
		{"as written", nil, []string{"1a", "2a", "3a", "1b", "2b", "3b"}},
		{"keys edited to j, i", []string{"j", "i"}, []string{"1a", "1b", "2a", "2b", "3a", "3b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := definition.DecodeFile(filepath.Join(samplesDir, "server__sample-nested-foreach-wf.json"))
			require.NoError(t, err)
			outer := req.Workflow.Steps[0]
			require.Equal(t, []string{"i", "j"}, outer.Params["loop_params"].Keys)
			if tt.keys != nil {
				outer.Params["loop_params"].Keys = tt.keys
			}
			collectLoopKeys(req)
			require.NoError(t, req.Validate())
			plan, err := translator.Compile(req, translator.Options{})
			require.NoError(t, err)
			st := newHarness(t, nil).run(t, plan, nil)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			require.Equal(t, tt.want, st.Step("after").Params["keys"].Value)
		})
	}
}

// collectLoopKeys gives the nested foreach sample's job.2 a param "key"
// (i and j of its iteration) and a step "after" that collects it.
func collectLoopKeys(req *definition.Request) {
	outer := req.Workflow.Steps[0]
	outer.Steps[1].Params["key"] = &definition.Param{Type: sel.String, Expression: "'' + i + j", HasExpression: true}
	outer.Transition.Successors = []definition.Edge{{To: "after", Condition: "true"}}
	req.Workflow.Steps = append(req.Workflow.Steps, &definition.Step{Kind: definition.KindStep, ID: "after", Type: "NoOp",
		Params: definition.Params{"keys": {Type: sel.StringArray, Expression: "params.getFromForeach('foreach-job', 'job.2', 'key')", HasExpression: true}}})
}

// TestForeachDrainCap: a foreach of wide iterations runs fewer at once, so
// the iterations still running when a loop run passes its history budget
// cannot push it near Temporal's limit; narrow ones keep their concurrency,
// and runs from before the change keep the old behaviour.
func TestForeachDrainCap(t *testing.T) {
	wide := func(width int) string {
		steps := make([]string, width)
		for i := range steps {
			steps[i] = fmt.Sprintf(`{"step":{"id":"s%d","type":"Rec","params":{"key":{"type":"STRING","value":"k"}}}}`, i)
		}
		return fmt.Sprintf(`{"properties":{"owner":{"name":"t"},"step_concurrency":1000},"workflow":{"id":"w","steps":[{"foreach":{"id":"loop","concurrency":500,
			"params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2]}}}},
			"steps":[%s]}}]}}`, strings.Join(steps, ","))
	}
	tests := []struct {
		name   string
		width  int
		types  map[string]translator.StepTypeInfo
		before bool // a run from before the change
		want   int
	}{
		{name: "one activity step keeps its concurrency", width: 1, types: activityMode("Rec"), want: 500},
		{name: "two activity steps", width: 2, types: activityMode("Rec"), want: 4000 / 12},
		{name: "thirty local activity steps", width: 30, types: localMode("Rec"), want: 4000 / 120},
		{name: "before the change", width: 30, types: localMode("Rec"), before: true, want: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, map[string]activities.StepType{"Rec": &recorder{seen: map[string]int{}}})
			got := captureForeachInput(h)
			if tt.before {
				h.env.OnGetVersion(W.ChangeForeachDrainCap, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			}
			st := h.run(t, compileJSON(t, wide(tt.width), tt.types), nil)
			require.Equal(t, W.Succeeded, st.Step("loop").Status, st.Step("loop").Error)
			require.Equal(t, tt.want, got.Concurrency)
		})
	}
}

func activityMode(types ...string) map[string]translator.StepTypeInfo {
	m := map[string]translator.StepTypeInfo{}
	for _, t := range types {
		m[t] = translator.StepTypeInfo{Mode: translator.ModeActivity}
	}
	return m
}
