package workflows_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// restartDef has a failing middle step (type Flaky), a branch that
// succeeds, an UNSATISFIED branch, and one param of each mode, each read
// from the run number so a re-evaluation shows.
const restartDef = `{"workflow":{"id":"restartable",
  "params":{
    "imm":  {"type":"STRING","mode":"IMMUTABLE","expression":"'run ' + params.getFromInstance('workflow_run_id')"},
    "con":  {"type":"STRING","mode":"CONSTANT","expression":"'run ' + params.getFromInstance('workflow_run_id')"},
    "mut":  {"type":"STRING","expression":"'run ' + params.getFromInstance('workflow_run_id')"},
    "mos":  {"type":"STRING","mode":"MUTABLE_ON_START","value":"start"},
    "mosr": {"type":"STRING","mode":"MUTABLE_ON_START_RESTART","value":"start"}},
  "steps":[
    {"step":{"id":"first","type":"NoOp","params":{"out":{"type":"LONG","expression":"1 + 1"}},
      "transition":{"successors":{"middle":"true","skipped":"false"}}}},
    {"step":{"id":"middle","type":"Flaky","transition":{"successors":{"last":"true"}}}},
    {"step":{"id":"skipped","type":"NoOp"}},
    {"step":{"id":"side","type":"NoOp","transition":{"successors":{"last":"true"}}}},
    {"step":{"id":"last","type":"NoOp","params":{
      "seen":{"type":"LONG","expression":"first__out * 10"},
      "run":{"type":"LONG","expression":"params.getFromInstance('workflow_run_id')"},
      "policy":{"type":"STRING","expression":"params.getFromInstance('RUN_POLICY')"}}}}]}}`

// runRestart runs a restart of prev in a fresh test environment.
func runRestart(t *testing.T, plan *translator.Plan, types map[string]activities.StepType, rs *W.Restart) *W.State {
	t.Helper()
	require.NoError(t, W.CheckRestart(plan, rs))
	return newHarness(t, types).runInput(t, W.RunInput{Plan: plan, Restart: rs})
}

func str(s string) sel.Value { return sel.Value{Type: sel.String, Value: s} }

func TestRestartFromIncomplete(t *testing.T) {
	plan := compileJSON(t, restartDef, localMode("Flaky"))
	failing := &scripted{results: []error{errFatal}}
	first := newHarness(t, map[string]activities.StepType{"Flaky": failing}).run(t, plan, nil)
	require.Equal(t, W.InstanceFailed, first.Status)
	requireStatuses(t, first, map[string]W.StepStatus{
		"first": W.Succeeded, "middle": W.FatallyFailed, "skipped": W.Unsatisfied,
		"side": W.Succeeded, "last": W.NotCreated,
	})
	require.Equal(t, 1, first.Run)

	working := &scripted{}
	st := runRestart(t, plan, map[string]activities.StepType{"Flaky": working}, &W.Restart{
		Policy: W.RestartFromIncomplete, Run: 2, Previous: first,
		Params: map[string]sel.Value{"mut": str("changed"), "mosr": str("restarted")},
	})
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 2, st.Run)
	require.Equal(t, W.RestartFromIncomplete, st.RunPolicy)
	requireStatuses(t, st, map[string]W.StepStatus{
		"first": W.Succeeded, "middle": W.Succeeded, "skipped": W.Unsatisfied,
		"side": W.Succeeded, "last": W.Succeeded,
	})
	require.Equal(t, 1, working.calls, "only the incomplete step runs again")
	// Kept steps keep their state and run number; the others ran in run 2.
	for id, run := range map[string]int{"first": 1, "skipped": 1, "side": 1, "middle": 2, "last": 2} {
		require.Equal(t, run, st.Step(id).Run, id)
	}
	require.Equal(t, *first.Step("first").StartTime, *st.Step("first").StartTime)
	last := st.Step("last").Params
	require.Equal(t, int64(20), last["seen"].Value, "a kept step's params are readable")
	require.Equal(t, int64(2), last["run"].Value)
	require.Equal(t, W.RestartFromIncomplete, last["policy"].Value)

	// The mode table of MAESTRO.md §3.9.
	require.Equal(t, str("run 2"), st.Params["imm"], "IMMUTABLE is evaluated again")
	require.Equal(t, str("run 1"), st.Params["con"], "CONSTANT keeps its value")
	require.Equal(t, str("changed"), st.Params["mut"], "MUTABLE may change at restart")
	require.Equal(t, str("start"), st.Params["mos"], "MUTABLE_ON_START keeps its value")
	require.Equal(t, str("restarted"), st.Params["mosr"], "MUTABLE_ON_START_RESTART may change at restart")
	require.Equal(t, first.Params["RUN_TS"], st.Params["RUN_TS"], "system params keep their start values")
}

func TestRestartFromBeginning(t *testing.T) {
	plan := compileJSON(t, restartDef, localMode("Flaky"))
	first := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{results: []error{errFatal}}}).run(t, plan, nil)
	working := &scripted{}
	st := runRestart(t, plan, map[string]activities.StepType{"Flaky": working}, &W.Restart{
		Policy: W.RestartFromBeginning, Run: 2, Previous: first,
	})
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	for _, s := range st.Steps {
		require.Equal(t, 2, s.Run, s.ID)
	}
	require.NotEqual(t, *first.Step("first").StartTime, *st.Step("first").StartTime)
	require.Equal(t, str("run 1"), st.Params["mut"], "MUTABLE keeps its value when not changed")
	require.Equal(t, W.RestartFromBeginning, st.Step("last").Params["policy"].Value)
}

// TestRestartJoin: a join whose other parent completed waits, in the
// restarted run, only for the parent that runs again (Maestro drops edges
// from kept steps).
func TestRestartJoin(t *testing.T) {
	plan := compileJSON(t, `{"workflow":{"id":"join","steps":[
		{"step":{"id":"a","type":"NoOp","transition":{"successors":{"c":"false"}}}},
		{"step":{"id":"b","type":"Flaky","transition":{"successors":{"c":"true"}}}},
		{"step":{"id":"c","type":"NoOp","transition":{"successors":{"d":"true"}}}},
		{"step":{"id":"d","type":"Flaky"}}]}}`, localMode("Flaky"))
	first := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{results: []error{errFatal}}}).run(t, plan, nil)
	requireStatuses(t, first, map[string]W.StepStatus{"a": W.Succeeded, "b": W.FatallyFailed, "c": W.NotCreated, "d": W.NotCreated})
	working := &scripted{}
	st := runRestart(t, plan, map[string]activities.StepType{"Flaky": working}, &W.Restart{Policy: W.RestartFromIncomplete, Run: 2, Previous: first})
	requireStatuses(t, st, map[string]W.StepStatus{"a": W.Succeeded, "b": W.Succeeded, "c": W.Succeeded, "d": W.Succeeded})
	require.Equal(t, 2, working.calls)
}

func TestCheckRestart(t *testing.T) {
	plan := compileJSON(t, restartDef, localMode("Flaky"))
	failed := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{results: []error{errFatal}}}).run(t, plan, nil)
	succeeded := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{}}).run(t, plan, nil)
	inProgress := *failed
	inProgress.Status = W.InProgress
	tests := []struct {
		name   string
		rs     W.Restart
		errMsg string
	}{
		{"an unknown policy", W.Restart{Policy: "RESTART_SOMEHOW", Previous: failed}, `policy "RESTART_SOMEHOW"`},
		{"a run in progress", W.Restart{Policy: W.RestartFromIncomplete, Previous: &inProgress}, "stop it first"},
		{"nothing incomplete", W.Restart{Policy: W.RestartFromIncomplete, Previous: succeeded}, "nothing to restart"},
		{"a CONSTANT param", W.Restart{Policy: W.RestartFromBeginning, Previous: failed, Params: map[string]sel.Value{"con": str("x")}}, `"con" has mode CONSTANT`},
		{"an IMMUTABLE param", W.Restart{Policy: W.RestartFromBeginning, Previous: failed, Params: map[string]sel.Value{"imm": str("x")}}, `"imm" has mode IMMUTABLE`},
		{"a MUTABLE_ON_START param", W.Restart{Policy: W.RestartFromBeginning, Previous: failed, Params: map[string]sel.Value{"mos": str("x")}}, `"mos" has mode MUTABLE_ON_START`},
		{"a system param", W.Restart{Policy: W.RestartFromBeginning, Previous: failed, Params: map[string]sel.Value{"RUN_TS": {Type: sel.Long, Value: int64(1)}}}, `system param "RUN_TS"`},
		{"a reserved name", W.Restart{Policy: W.RestartFromBeginning, Previous: failed, Params: map[string]sel.Value{"workflow_id": str("x")}}, "reserved"},
		{"a value of the wrong type", W.Restart{Policy: W.RestartFromBeginning, Previous: failed, Params: map[string]sel.Value{"mut": {Type: sel.StringArray, Value: []string{"a"}}}}, `restart param "mut"`},
		{"from beginning after success", W.Restart{Policy: W.RestartFromBeginning, Previous: succeeded}, ""},
		{"a new param", W.Restart{Policy: W.RestartFromIncomplete, Previous: failed, Params: map[string]sel.Value{"extra": str("x")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rs.Run = 2
			err := W.CheckRestart(plan, &tt.rs)
			if tt.errMsg == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.errMsg)
		})
	}
}

// TestForeachResume runs the foreach workflow as a restart from incomplete
// sets it up (MAESTRO.md §4.11): the iterations due again first, then the
// never-launched tail, across continue-as-new, keeping earlier successes.
func TestForeachResume(t *testing.T) {
	defer W.SetIterationsPerRun(2)()
	body := compileJSON(t, `{"workflow":{"id":"body","steps":[
		{"step":{"id":"rec","type":"Rec","params":{"key":{"type":"STRING","expression":"'' + i"},"out":{"type":"STRING","value":""}}}}]}}`, localMode("Rec"))
	loop := map[string]sel.Value{"i": {Type: sel.LongArray, Value: []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}}
	// Before: 0, 2, 3, 5 and 6 succeeded; 1 and 4 did not; 7 to 9 never launched.
	resume := func() W.ForeachInput {
		return W.ForeachInput{Plan: body, LoopNames: []string{"i"}, Loop: loop, Total: 10, Concurrency: 1,
			Redo: []int{1, 4}, From: 7, Carried: 5, Counts: W.LoopCounts{Succeeded: 5}}
	}
	tests := []struct {
		name string
		fail map[string]bool
		ran  []string
		want W.LoopResult
	}{{
		name: "everything due again succeeds",
		ran:  []string{"1", "4", "7", "8", "9"},
		want: W.LoopResult{Outcome: W.LoopDone, Iterations: 10, Counts: W.LoopCounts{Succeeded: 10}, Total: 10, Resume: 10},
	}, {
		name: "a failure stops launches; what is left stays due",
		fail: map[string]bool{"4": true},
		ran:  []string{"1", "4"},
		want: W.LoopResult{Outcome: W.LoopFatal, Iterations: 7, Counts: W.LoopCounts{Succeeded: 6, Failed: 1},
			Total: 10, Incomplete: []int{4}, Resume: 7},
	}, {
		name: "a failure in the tail",
		fail: map[string]bool{"8": true},
		ran:  []string{"1", "4", "7", "8"},
		want: W.LoopResult{Outcome: W.LoopFatal, Iterations: 9, Counts: W.LoopCounts{Succeeded: 8, Failed: 1},
			Total: 10, Incomplete: []int{8}, Resume: 9},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{seen: map[string]int{}, fail: tt.fail}
			in, runs := resume(), 0
			var res W.LoopResult
			for { // follow continue-as-new by hand: the test environment does not
				runs++
				h := newHarness(t, map[string]activities.StepType{"Rec": rec})
				h.env.ExecuteWorkflow(W.ForeachWorkflowName, in)
				require.True(t, h.env.IsWorkflowCompleted())
				var can *workflow.ContinueAsNewError
				if err := h.env.GetWorkflowError(); errors.As(err, &can) {
					in = W.ForeachInput{}
					require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &in))
					continue
				}
				require.NoError(t, h.env.GetWorkflowError())
				require.NoError(t, h.env.GetWorkflowResult(&res))
				break
			}
			require.Equal(t, (len(tt.ran)+1)/2, runs, "the loop continues as new every 2 iterations")
			res.Error = ""
			require.Equal(t, tt.want, res)
			ran := make([]string, 0, len(rec.seen))
			for k, n := range rec.seen {
				require.Equal(t, 1, n, k)
				ran = append(ran, k)
			}
			require.ElementsMatch(t, tt.ran, ran)
		})
	}
}
