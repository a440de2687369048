package workflows_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/batonhq/baton/activities"
	W "github.com/batonhq/baton/workflows"
)

// actionsDef: a sleeps 100 s then b (a NoOp); c (Flaky, local activity)
// runs beside them and d sleeps 500 s beside them too, so the run is in
// progress while actions arrive.
const actionsDef = `{"workflow":{"id":"w","steps":[
	{"step":{"id":"a","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":100}},"transition":{"successors":{"b":"true"}}}},
	{"step":{"id":"b","type":"NoOp"}},
	{"step":{"id":"c","type":"Flaky"}},
	{"step":{"id":"d","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":500}}}}]}}`

// sentAction is the answer to one step action sent in a test.
type sentAction struct {
	at       time.Duration
	action   W.StepAction
	path     string
	status   W.StepStatus // the step's status the answer should give
	refusal  string       // a substring of the refusal it should give
	answered bool
	got      W.StepStatus // the answer's status
	refused  string       // the refusal
}

// sendActions schedules the actions at their times and records answers.
func sendActions(h *harness, acts []*sentAction) {
	for i, a := range acts {
		h.env.RegisterDelayedCallback(func() {
			h.env.UpdateWorkflow(W.UpdateStepAction, fmt.Sprint("u", i), &testsuite.TestUpdateCallback{
				OnAccept: func() {},
				OnReject: func(err error) { a.answered, a.refused = true, err.Error() },
				OnComplete: func(v any, err error) {
					a.answered = true
					if err != nil {
						a.refused = "failed: " + err.Error()
						return
					}
					a.got = v.(W.StepActionResult).Status
				},
			}, W.StepActionRequest{Action: a.action, Path: a.path})
		}, a.at)
	}
}

func TestStepActions(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name     string
		cFails   bool // c fails fatally on its first attempt
		acts     []*sentAction
		want     map[string]W.StepStatus
		instance W.InstanceStatus
	}{
		{"PAUSE before creation, then RESUME", false, []*sentAction{
			{at: 10 * sec, action: W.ActionPause, path: "b", status: W.NotCreated},
			{at: 150 * sec, action: W.ActionSkip, path: "b", status: W.Skipped},
		}, map[string]W.StepStatus{"a": W.Succeeded, "b": W.Skipped, "d": W.Succeeded}, W.InstanceSucceeded},
		{"a paused step resumes and runs", false, []*sentAction{
			{at: 10 * sec, action: W.ActionPause, path: "b", status: W.NotCreated},
			{at: 150 * sec, action: W.ActionResume, path: "b", status: W.Running},
		}, map[string]W.StepStatus{"b": W.Succeeded}, W.InstanceSucceeded},
		{"STOP a running step: its downstream is not created", false, []*sentAction{
			{at: 10 * sec, action: W.ActionStop, path: "a", status: W.Stopped},
		}, map[string]W.StepStatus{"a": W.Stopped, "b": W.NotCreated, "d": W.Succeeded}, W.InstanceStopped},
		{"SKIP a running step: the DAG goes on", false, []*sentAction{
			{at: 10 * sec, action: W.ActionSkip, path: "a", status: W.Skipped},
		}, map[string]W.StepStatus{"a": W.Skipped, "b": W.Succeeded}, W.InstanceSucceeded},
		{"KILL a running step", false, []*sentAction{
			{at: 10 * sec, action: W.ActionKill, path: "a", status: W.FatallyFailed},
		}, map[string]W.StepStatus{"a": W.FatallyFailed, "b": W.NotCreated, "d": W.Succeeded}, W.InstanceFailed},
		{"RESTART a failed step while the run goes on", true, []*sentAction{
			{at: 10 * sec, action: W.ActionRestart, path: "c", status: W.Running},
		}, map[string]W.StepStatus{"c": W.Succeeded}, W.InstanceSucceeded},
		{"refusals", true, []*sentAction{
			{at: 10 * sec, action: W.ActionResume, path: "a", refusal: "RESUME of step \"a\": not allowed in status RUNNING"},
			{at: 10 * sec, action: W.ActionPause, path: "a", refusal: "not allowed in status RUNNING"},
			{at: 10 * sec, action: W.ActionRestart, path: "a", refusal: "not allowed in status RUNNING"},
			{at: 10 * sec, action: W.ActionBypass, path: "a", refusal: "BYPASS_STEP_DEPENDENCIES of step \"a\": not allowed in status RUNNING"},
			{at: 10 * sec, action: W.ActionStop, path: "b", refusal: "STOP of step \"b\": not allowed in status NOT_CREATED"},
			{at: 10 * sec, action: W.ActionStop, path: "c", refusal: "not allowed in status FATALLY_FAILED (allowed: RESTART, SKIP)"},
			{at: 10 * sec, action: W.ActionStop, path: "zz", refusal: "has no step \"zz\""},
			{at: 10 * sec, action: "JUMP", path: "a", refusal: "unknown step action \"JUMP\""},
			{at: 10 * sec, action: W.ActionStop, path: "a/1/x", refusal: "is a step step: the path \"1/x\" cannot go on inside it"},
			{at: 200 * sec, action: W.ActionRestart, path: "a", refusal: `not supported yet: its downstream step "b" has run (SUCCEEDED)`},
		}, map[string]W.StepStatus{"a": W.Succeeded, "c": W.FatallyFailed}, W.InstanceFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flaky := &scripted{}
			if tt.cFails {
				flaky.results = []error{errFatal}
			}
			h := newHarness(t, map[string]activities.StepType{"Flaky": flaky})
			sendActions(h, tt.acts)
			st := h.run(t, compileJSON(t, actionsDef, localMode("Flaky")), nil)
			for _, a := range tt.acts {
				require.True(t, a.answered, "%s %s at %v was not answered", a.action, a.path, a.at)
				if a.refusal != "" {
					require.Contains(t, a.refused, a.refusal, "%s %s", a.action, a.path)
					continue
				}
				require.Empty(t, a.refused, "%s %s", a.action, a.path)
				require.Equal(t, a.status, a.got, "%s %s", a.action, a.path)
			}
			requireStatuses(t, st, tt.want)
			require.Equal(t, tt.instance, st.Status)
		})
	}
}

// TestStepActionRefusalType checks a refusal is an ApplicationError of
// type StepActionRefused, which the client reads.
func TestStepActionRefusalType(t *testing.T) {
	h := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{}})
	var got error
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(W.UpdateStepAction, "u", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { got = err }, OnComplete: func(any, error) {},
		}, W.StepActionRequest{Action: W.ActionResume, Path: "a"})
	}, time.Second)
	h.run(t, compileJSON(t, actionsDef, localMode("Flaky")), nil)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(got, &appErr), "%v", got)
	require.Equal(t, W.ErrStepActionRefused, appErr.Type())
}

// reopenDef: x (Flaky, fails fatally on its first attempt) leads to y and
// then z; j joins x and w (a 50 s sleep); d keeps the run going.
const reopenDef = `{"workflow":{"id":"w","steps":[
	{"step":{"id":"x","type":"Flaky","transition":{"successors":{"y":"true","j":"true"}}}},
	{"step":{"id":"y","type":"NoOp","transition":{"successors":{"z":"true"}}}},
	{"step":{"id":"z","type":"NoOp"}},
	{"step":{"id":"w","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":50}},"transition":{"successors":{"j":"true"}}}},
	{"step":{"id":"j","type":"NoOp"}},
	{"step":{"id":"d","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":500}}}}]}}`

// TestStepActionsReopenDownstream: SKIP of a failed step, and RESTART of
// it, while the run goes on: the downstream steps its failure left never
// created (y, z) run, and the join still waiting on another parent (j)
// runs once that parent ends.
func TestStepActionsReopenDownstream(t *testing.T) {
	sec := time.Second
	for _, tt := range []struct {
		name   string
		action W.StepAction
		status W.StepStatus
		x      W.StepStatus
	}{
		{"SKIP", W.ActionSkip, W.Skipped, W.Skipped},
		{"RESTART", W.ActionRestart, W.Running, W.Succeeded},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, map[string]activities.StepType{"Flaky": &scripted{results: []error{errFatal}}})
			acts := []*sentAction{{at: 10 * sec, action: tt.action, path: "x", status: tt.status}}
			sendActions(h, acts)
			st := h.run(t, compileJSON(t, reopenDef, localMode("Flaky")), nil)
			require.True(t, acts[0].answered)
			require.Empty(t, acts[0].refused)
			require.Equal(t, tt.status, acts[0].got)
			requireStatuses(t, st, map[string]W.StepStatus{"x": tt.x, "y": W.Succeeded, "z": W.Succeeded, "j": W.Succeeded, "w": W.Succeeded})
			require.Equal(t, W.InstanceSucceeded, st.Status)
			require.True(t, st.Step("j").StartTime.Sub(st.StartTime) >= 50*sec, "j waited for w")
		})
	}
}

// TestBreakpointPausesRetry: a breakpoint on attempt 2 pauses the step
// after its first attempt failed, before the retry; RESUME starts it. The
// first attempt does not pause.
func TestBreakpointPausesRetry(t *testing.T) {
	const def = `{"workflow":{"id":"w","steps":[{"step":{"id":"x","type":"Flaky",
		"retry_policy":{"error_retry_limit":1,"backoff":{"type":"FIXED_BACKOFF","error_retry_backoff_in_secs":5}}}}]}}`
	flaky := &scripted{results: []error{errUser}}
	h := newHarness(t, map[string]activities.StepType{"Flaky": flaky})
	acts := []*sentAction{
		{at: 60 * time.Second, action: W.ActionPause, path: "x", refusal: "not allowed in status PAUSED"},
		{at: 100 * time.Second, action: W.ActionResume, path: "x", status: W.Running},
	}
	sendActions(h, acts)
	plan := compileJSON(t, def, localMode("Flaky"))
	st := h.runInput(t, W.RunInput{Plan: plan, Breakpoints: []W.Breakpoint{{WorkflowID: "w", StepID: "x", Attempt: 2}}})
	for _, a := range acts {
		require.True(t, a.answered)
		if a.refusal != "" {
			require.Contains(t, a.refused, a.refusal)
		} else {
			require.Empty(t, a.refused)
			require.Equal(t, a.status, a.got)
		}
	}
	requireStatuses(t, st, map[string]W.StepStatus{"x": W.Succeeded})
	require.Equal(t, 2, st.Step("x").Attempts)
	require.Equal(t, 2, flaky.calls)
	require.True(t, st.Step("x").EndTime.Sub(st.StartTime) >= 100*time.Second, "the retry waited for RESUME")
}
