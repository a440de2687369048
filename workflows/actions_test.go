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
			{at: 10 * sec, action: W.ActionSkip, path: "c", refusal: "not supported yet: SKIP of a step that has ended"},
			{at: 10 * sec, action: W.ActionStop, path: "c", refusal: "not allowed in status FATALLY_FAILED (allowed: RESTART, SKIP)"},
			{at: 10 * sec, action: W.ActionStop, path: "zz", refusal: "has no step \"zz\""},
			{at: 10 * sec, action: "JUMP", path: "a", refusal: "unknown step action \"JUMP\""},
			{at: 10 * sec, action: W.ActionStop, path: "a/1/x", refusal: "is a step step: the path \"1/x\" cannot go on inside it"},
			{at: 200 * sec, action: W.ActionRestart, path: "a", refusal: "not supported yet: RESTART while the run is in progress of a step that has downstream steps"},
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
