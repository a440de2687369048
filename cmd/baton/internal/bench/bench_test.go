package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/worker"
)

// TestSmoke runs every scenario with tiny sizes and one repetition so the
// benchmark cannot rot. It asserts that every run succeeded and that the
// report has every row; it never looks at times.
func TestSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, Options{
		Reps: 1, Warmup: -1,
		ChainSizes: []int{2, 4}, DAGSize: 12, ParamsSize: 9,
		ThroughputRuns: 4, ThroughputConcurrency: 2,
		ForeachSizes: []int{3}, Progress: testWriter{t},
		WideSizes: []int{3, 5}, ForeachWideIterations: 4, ForeachWideInner: 2, ForeachWideConcurrency: []int{1, 2},
		ForeachActivitySize: 6, ForeachActivityConcurrency: 2, SignalSends: 40,
	})
	require.NoError(t, err)

	type key struct {
		scenario, system, mode string
		n                      int
	}
	want := []key{
		{"start", "baton", "inline", 1}, {"start", "baton", startNoSAMode, 1}, {"start", "floor", "empty", 0}, {"start", "floor", startFeaturesMode, 1},
		{"start", "naive", "activity", 1},
		{"dag", "baton", "inline", 12}, {"dag", "naive", "activity", 12},
		{"params", "baton", "inline+sel", 9}, {"params", "baton", "inline", 9}, {"params", "naive", "activity+sel", 9},
		{"throughput", "baton", "inline", 5}, {"throughput", "baton", "local_activity", 5}, {"throughput", "floor", "local_activity", 5},
		{"throughput", "floor", throughputChainMode, 5}, {"throughput", "floor", throughputFeaturesMode, 5},
		{"throughput", "naive", "activity", 5},
		{"scale", "baton", "foreach", 3},
		{"wide", "baton", "local_activity", 3}, {"wide", "floor", "local_activity", 3},
		{"wide", "baton", "local_activity", 5}, {"wide", "floor", "local_activity", 5},
		{"wide", "baton", wideAllMode, 3}, {"wide", "floor", wideAllMode, 3},
		{"wide", "baton", wideAllMode, 5}, {"wide", "floor", wideAllMode, 5},
		{"foreach-wide", "baton", "local_activity K=2 C=1", 4}, {"foreach-wide", "floor", "local_activity K=2 C=1", 4},
		{"foreach-wide", "baton", "local_activity K=2 C=2", 4}, {"foreach-wide", "floor", "local_activity K=2 C=2", 4},
		{"foreach-activity", "baton", "activity C=2", 6}, {"foreach-activity", "floor", "activity C=2", 6},
		{"signals", "baton", "wake", 1}, {"signals", "baton", "send/1-names", 1}, {"signals", "baton", "send/16-names", 1},
	}
	want = append(want, key{"strategy", "baton", "bare", 1})
	for _, rule := range strategyRules {
		want = append(want, key{"strategy", "baton", strings.ToLower(rule), 1})
	}
	want = append(want, key{"strategy", "baton", "sequential-plain", 1}) // without speculation
	for _, n := range []int{2, 4} {
		want = append(want,
			key{"chain", "baton", "inline", n}, key{"chain", "baton", "local_activity", n}, key{"chain", "floor", "local_activity", n},
			key{"chain", "baton", "activity", n}, key{"chain", "floor", "activity", n}, key{"chain", "naive", "activity", n})
	}
	got := map[key]*Row{}
	for _, row := range rep.Rows {
		k := key{row.Scenario, row.System, row.Mode, row.N}
		require.NotContains(t, got, k, "duplicate row")
		got[k] = row
		require.Empty(t, row.Error, "row %s", row.label())
		if row.Skipped != "" {
			require.Equal(t, ScenarioScale, row.Scenario, "only foreach may be skipped")
			continue
		}
		require.Positive(t, row.Reps, "row %s has no measurement", row.label())
		if row.Scenario == ScenarioThroughput || row.Scenario == ScenarioSignals && row.Mode != "wake" {
			require.Positive(t, row.RunsPerSec)
		}
	}
	for _, k := range want {
		require.Contains(t, got, k)
	}
	require.Len(t, got, len(want))
	require.NotEmpty(t, rep.Targets)
	require.NotEmpty(t, rep.Comparisons)
	require.NotEmpty(t, rep.Growth)

	var table bytes.Buffer
	require.NoError(t, rep.WriteTable(&table))
	require.Contains(t, table.String(), "Targets")
	var js bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	var back Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	require.Len(t, back.Rows, len(rep.Rows))
}

// TestDefinitionsCompile checks the generated definitions at full size:
// valid, within Maestro's limits, and compiled to the intended modes.
func TestDefinitionsCompile(t *testing.T) {
	types := map[string]translator.StepTypeInfo{
		typeLocal: {Mode: translator.ModeLocalActivity}, typeRemote: {Mode: translator.ModeActivity}, typeNaive: {Mode: translator.ModeActivity},
	}
	for name, tc := range map[string]struct {
		def   []byte
		steps int
		mode  translator.Mode
	}{
		"chain inline":   {chainDef(300, typeNoOp), 300, translator.ModeInline},
		"chain local":    {chainDef(300, typeLocal), 300, translator.ModeLocalActivity},
		"chain activity": {chainDef(300, typeRemote), 300, translator.ModeActivity},
		"dag":            {dagDef(300, typeNoOp, false), 300, translator.ModeInline},
		"sel":            {dagDef(100, typeNoOp, true), 100, translator.ModeInline},
		"naive dag":      {dagDef(300, typeNaive, false), 300, translator.ModeActivity},
		"five":           {fiveStepDef(typeLocal), 5, translator.ModeLocalActivity},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := definition.Decode(tc.def)
			require.NoError(t, err)
			require.NoError(t, req.Validate())
			plan, err := translator.Compile(req, translator.Options{StepTypes: types})
			require.NoError(t, err)
			require.Len(t, plan.Steps, tc.steps)
			for _, s := range plan.Steps {
				require.Equal(t, tc.mode, s.Mode, s.ID)
			}
		})
	}
	require.Equal(t, []int{1, 10, 10, 10, 1, 10, 10, 10, 1, 7}, dagLayers(70, 10))

	// The wide scenarios' definitions at full size.
	for name, def := range map[string][]byte{
		"wide":             wideDef(290, typeLocal),
		"wide all at once": wideAllDef(290, typeLocal),
		"foreach-wide":     foreachChainDef(400, 5, 300, typeLocal),
		"foreach-activity": foreachChainDef(25000, 1, 100, typeRemote),
	} {
		req, err := definition.Decode(def)
		require.NoError(t, err, name)
		require.NoError(t, req.Validate(), name)
		_, err = translator.Compile(req, translator.Options{StepTypes: types})
		require.NoError(t, err, name)
	}
	require.Equal(t, 200, drainCappedConcurrency(300, 5, true))
	require.Equal(t, 100, drainCappedConcurrency(100, 1, false))
}

// TestFloorForeach runs the hand-written foreach under the test suite: each
// iteration's chain runs in order, every iteration once, never more than
// Concurrency at once, and a run continues as new after 2,000 iterations.
func TestFloorForeach(t *testing.T) {
	tests := []struct {
		name                    string
		in                      floorForeachInput
		wantRan, wantNext, conc int
	}{
		{"one run", floorForeachInput{Iterations: 300, Inner: 3, Concurrency: 7}, 300, 0, 7},
		{"continues as new", floorForeachInput{Iterations: 2500, Inner: 1, Concurrency: 100}, 2000, 2000, 100},
		{"second run", floorForeachInput{Iterations: 2500, Inner: 1, Concurrency: 100, Next: 2000}, 500, 0, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			suite.SetLogger(worker.NewLogger(nil)) // the default one logs every activity
			env := suite.NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(floorForeachWorkflow, workflow.RegisterOptions{Name: floorForeachWorkflowName})
			var mu sync.Mutex
			steps := map[int]int{}
			running, most := 0, 0
			env.RegisterActivityWithOptions(func(_ context.Context, it int) error {
				mu.Lock()
				steps[it]++
				running++
				most = max(most, running)
				mu.Unlock()
				time.Sleep(time.Millisecond)
				mu.Lock()
				running--
				mu.Unlock()
				return nil
			}, activity.RegisterOptions{Name: floorActivityName})
			env.ExecuteWorkflow(floorForeachWorkflowName, tt.in)
			require.True(t, env.IsWorkflowCompleted())
			err := env.GetWorkflowError()
			if tt.wantNext == 0 {
				require.NoError(t, err)
			} else {
				var can *workflow.ContinueAsNewError
				require.ErrorAs(t, err, &can)
				var next floorForeachInput
				require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
				require.Equal(t, tt.wantNext, next.Next)
			}
			require.Len(t, steps, tt.wantRan)
			for it, n := range steps {
				require.Equal(t, tt.in.Inner, n, "iteration %d", it)
				require.GreaterOrEqual(t, it, tt.in.Next)
			}
			require.LessOrEqual(t, most, tt.conc)
			require.Greater(t, most, 1, "no two iterations overlapped")
		})
	}
}

// TestFloorFan runs the floor workflow under the test suite as a chain and
// as the throughput scenario's DAG: the chain's steps one at a time in
// order; the DAG's first step, then its three middle steps all started
// before any of them ends (each waits for the other two), then the last.
func TestFloorFan(t *testing.T) {
	tests := []struct {
		name string
		in   floorInput
		want []string // the order of the steps' starts (s) and ends (e); "*" is any of the middle three
	}{
		{"chain", floorInput{N: 5, Local: true}, []string{"s0", "e0", "s1", "e1", "s2", "e2", "s3", "e3", "s4", "e4"}},
		{"dag", floorInput{N: 5, Local: true, Fan: fiveStepFan}, []string{"s0", "e0", "s*", "s*", "s*", "e*", "e*", "e*", "s4", "e4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			suite.SetLogger(worker.NewLogger(nil))
			env := suite.NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(floorWorkflow, workflow.RegisterOptions{Name: floorWorkflowName})
			var mu sync.Mutex
			var log []string
			arrived, all := 0, make(chan struct{}) // the middle steps' barrier
			env.RegisterActivityWithOptions(func(_ context.Context, i int) error {
				middle := tt.in.Fan > 1 && i >= 1 && i <= tt.in.Fan
				mu.Lock()
				log = append(log, fmt.Sprintf("s%d", i))
				if middle {
					if arrived++; arrived == tt.in.Fan {
						close(all)
					}
				}
				mu.Unlock()
				if middle {
					select {
					case <-all:
					case <-time.After(10 * time.Second):
						return fmt.Errorf("step %d: the other middle steps did not start", i)
					}
				}
				mu.Lock()
				log = append(log, fmt.Sprintf("e%d", i))
				mu.Unlock()
				return nil
			}, activity.RegisterOptions{Name: floorActivityName})
			env.ExecuteWorkflow(floorWorkflowName, tt.in)
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			require.Len(t, log, len(tt.want), "%v", log)
			for k, w := range tt.want {
				if w[1] == '*' {
					require.Contains(t, []string{w[:1] + "1", w[:1] + "2", w[:1] + "3"}, log[k], "%v", log)
				} else {
					require.Equal(t, w, log[k], "%v", log)
				}
			}
		})
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
