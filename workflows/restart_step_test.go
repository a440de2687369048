package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

func literal(v sel.Value) *translator.Param { return &translator.Param{Type: v.Type, Literal: v.Value} }

// TestRestartFromSpecific restarts restartDef's runs from a step: the step
// and what follows run again, kept steps keep their state and params, and a
// branch that leads from a step that did not complete stays as it was.
func TestRestartFromSpecific(t *testing.T) {
	plan := compileJSON(t, restartDef, localMode("Flaky"))
	succeeded := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{}}).run(t, plan, nil)
	require.Equal(t, W.InstanceSucceeded, succeeded.Status)
	failed := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{results: []error{errFatal}}}).run(t, plan, nil)

	tests := []struct {
		name     string
		prev     *W.State
		rs       W.Restart
		calls    int // of Flaky
		status   W.InstanceStatus
		statuses map[string]W.StepStatus
		runs     map[string]int
		seen     int64 // last's param seen
	}{
		{
			name: "a middle step", prev: succeeded, rs: W.Restart{Step: "middle"}, calls: 1, status: W.InstanceSucceeded,
			statuses: map[string]W.StepStatus{"first": W.Succeeded, "middle": W.Succeeded, "skipped": W.Unsatisfied, "side": W.Succeeded, "last": W.Succeeded},
			runs:     map[string]int{"first": 1, "middle": 2, "skipped": 1, "side": 1, "last": 2}, seen: 20,
		},
		{
			name: "a root step", prev: succeeded, rs: W.Restart{Step: "first"}, calls: 1, status: W.InstanceSucceeded,
			statuses: map[string]W.StepStatus{"first": W.Succeeded, "middle": W.Succeeded, "skipped": W.Unsatisfied, "side": W.Succeeded, "last": W.Succeeded},
			runs:     map[string]int{"first": 2, "middle": 2, "skipped": 2, "side": 1, "last": 2}, seen: 20,
		},
		{
			name: "step params override the step's", prev: succeeded,
			rs:    W.Restart{Step: "middle", StepParams: map[string]map[string]*translator.Param{"last": {"seen": literal(sel.Value{Type: sel.Long, Value: int64(5)})}}},
			calls: 1, status: W.InstanceSucceeded,
			statuses: map[string]W.StepStatus{"middle": W.Succeeded, "last": W.Succeeded},
			runs:     map[string]int{"first": 1, "middle": 2, "last": 2}, seen: 5,
		},
		{
			// middle failed: it is a start step and a root of the restart's
			// DAG other than side, so it and last (reachable from it) are
			// trimmed and keep their state, as Maestro's DagHelper does.
			name: "a branch beside a failed step", prev: failed, rs: W.Restart{Step: "side"}, calls: 0, status: W.InstanceFailed,
			statuses: map[string]W.StepStatus{"first": W.Succeeded, "middle": W.FatallyFailed, "side": W.Succeeded, "last": W.NotCreated},
			runs:     map[string]int{"first": 1, "middle": 1, "side": 2},
		},
		{
			// Maestro's skip of a step of an ended run: a restart from it
			// that skips it; the DAG goes on as if it had completed.
			name: "skip the failed step", prev: failed, rs: W.Restart{Step: "middle", SkipSteps: []string{"middle"}}, calls: 0, status: W.InstanceSucceeded,
			statuses: map[string]W.StepStatus{"first": W.Succeeded, "middle": W.Skipped, "side": W.Succeeded, "last": W.Succeeded},
			runs:     map[string]int{"first": 1, "middle": 2, "side": 1, "last": 2}, seen: 20,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flaky := &scripted{}
			rs := tt.rs
			rs.Policy, rs.Run, rs.Previous = W.RestartFromSpecific, 2, tt.prev
			st := runRestart(t, plan, map[string]activities.StepType{"Flaky": flaky}, &rs)
			require.Equal(t, tt.status, st.Status, st.Error)
			require.Equal(t, W.RestartFromSpecific, st.RunPolicy)
			require.Equal(t, 2, st.Run)
			require.Equal(t, tt.calls, flaky.calls)
			requireStatuses(t, st, tt.statuses)
			for id, run := range tt.runs {
				require.Equal(t, run, st.Step(id).Run, "run of step %s", id)
			}
			if tt.seen != 0 {
				require.Equal(t, tt.seen, st.Step("last").Params["seen"].Value)
				require.Equal(t, W.RestartFromSpecific, st.Step("last").Params["policy"].Value)
			}
		})
	}
}

func TestCheckRestartFromSpecific(t *testing.T) {
	plan := compileJSON(t, restartDef, localMode("Flaky"))
	succeeded := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{}}).run(t, plan, nil)
	failed := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{results: []error{errFatal}}}).run(t, plan, nil)
	// A run whose last step ran after a step that did not complete (as a
	// kept step of an earlier restart can leave it).
	odd := *succeeded
	odd.Steps = append([]*W.StepState(nil), succeeded.Steps...)
	for i, s := range odd.Steps {
		if s.ID == "middle" {
			c := *s
			c.Status = W.FatallyFailed
			odd.Steps[i] = &c
		}
	}
	long := func(v int64) *translator.Param { return literal(sel.Value{Type: sel.Long, Value: v}) }
	tests := []struct {
		name   string
		prev   *W.State
		rs     W.Restart
		errMsg string
	}{
		{"no such step", succeeded, W.Restart{Step: "nope"}, `step "nope": no such step`},
		{"a step never created", failed, W.Restart{Step: "last"}, `step "last" was not created in run 1`},
		{"a step after one that did not complete", &odd, W.Restart{Step: "last"}, `step "last" follows step "middle", which did not complete`},
		{"an unknown skip step", succeeded, W.Restart{Step: "middle", SkipSteps: []string{"nope"}}, `skip step "nope": no such step`},
		{"params of an unknown step", succeeded, W.Restart{Step: "middle", StepParams: map[string]map[string]*translator.Param{"nope": {"x": long(1)}}}, `step params of "nope": no such step`},
		{"a param of another type", succeeded, W.Restart{Step: "middle", StepParams: map[string]map[string]*translator.Param{"last": {"policy": long(1)}}}, `param "policy" is a STRING, not a LONG`},
		{"a run in progress", &W.State{Status: W.InProgress}, W.Restart{Step: "middle"}, "stop it first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := tt.rs
			rs.Policy, rs.Run, rs.Previous = W.RestartFromSpecific, 2, tt.prev
			require.ErrorContains(t, W.CheckRestart(plan, &rs), tt.errMsg)
		})
	}
}

// TestCheckRestartStepParamMode: a step param whose mode forbids a change
// at restart is refused.
func TestCheckRestartStepParamMode(t *testing.T) {
	plan := compileJSON(t, `{"workflow":{"id":"modes","steps":[
		{"step":{"id":"s","type":"NoOp","params":{"c":{"type":"LONG","mode":"CONSTANT","value":1},"m":{"type":"LONG","value":1}}}}]}}`, nil)
	prev := newHarness(t, nil).run(t, plan, nil)
	for name, errMsg := range map[string]string{"c": `step "s" param "c" has mode CONSTANT`, "m": ""} {
		rs := &W.Restart{Policy: W.RestartFromSpecific, Run: 2, Previous: prev, Step: "s",
			StepParams: map[string]map[string]*translator.Param{"s": {name: literal(sel.Value{Type: sel.Long, Value: int64(5)})}}}
		if errMsg == "" {
			require.NoError(t, W.CheckRestart(plan, rs))
			require.Equal(t, int64(5), runRestart(t, plan, nil, rs).Step("s").Params[name].Value)
			continue
		}
		require.ErrorContains(t, W.CheckRestart(plan, rs), errMsg)
	}
}
