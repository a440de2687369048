package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

func TestConditionalSample(t *testing.T) {
	plan := compileSample(t, "server__sample-conditional-wf.json")
	st := newHarness(t, nil).run(t, plan, nil)
	require.Equal(t, W.InstanceSucceeded, st.Status)
	requireStatuses(t, st, map[string]W.StepStatus{
		"job.1": W.Succeeded, "job.2": W.Succeeded, "job.3": W.Succeeded,
		"job.4": W.Unsatisfied, "job.5": W.Unsatisfied,
		"job.6": W.Succeeded, "job.7": W.Succeeded,
	})
	require.Equal(t, sel.Value{Type: sel.Long, Value: int64(15)}, st.Step("job.7").Params["param5"])
}

func TestJoins(t *testing.T) {
	tests := []struct {
		name   string
		def    string
		want   map[string]W.StepStatus
		status W.InstanceStatus
	}{{
		name: "a join runs when any incoming edge is true",
		def: `{"workflow":{"id":"w","steps":[
			{"step":{"id":"a","type":"NoOp","transition":{"successors":{"c":"false"}}}},
			{"step":{"id":"b","type":"NoOp","transition":{"successors":{"c":"true"}}}},
			{"step":{"id":"c","type":"NoOp"}}]}}`,
		want:   map[string]W.StepStatus{"a": W.Succeeded, "b": W.Succeeded, "c": W.Succeeded},
		status: W.InstanceSucceeded,
	}, {
		name: "a step whose only edge is false is UNSATISFIED and so is its downstream",
		def: `{"workflow":{"id":"w","steps":[
			{"step":{"id":"a","type":"NoOp","transition":{"successors":{"b":"1 > 2"}}}},
			{"step":{"id":"b","type":"NoOp","transition":{"successors":{"c":"true"}}}},
			{"step":{"id":"c","type":"NoOp"}}]}}`,
		want:   map[string]W.StepStatus{"a": W.Succeeded, "b": W.Unsatisfied, "c": W.Unsatisfied},
		status: W.InstanceSucceeded,
	}, {
		name: "UNSATISFIED counts as complete at a join",
		def: `{"workflow":{"id":"w","steps":[
			{"step":{"id":"a","type":"NoOp","transition":{"successors":{"b":"false","c":"true"}}}},
			{"step":{"id":"b","type":"NoOp","transition":{"successors":{"d":"true"}}}},
			{"step":{"id":"c","type":"NoOp","transition":{"successors":{"d":"true"}}}},
			{"step":{"id":"d","type":"NoOp"}}]}}`,
		want:   map[string]W.StepStatus{"b": W.Unsatisfied, "c": W.Succeeded, "d": W.Succeeded},
		status: W.InstanceSucceeded,
	}, {
		name: "a failed parent keeps a join from being created; other branches finish",
		def: `{"workflow":{"id":"w","steps":[
			{"step":{"id":"a","type":"NoOp","transition":{"successors":{"b":"true","c":"true"}}}},
			{"step":{"id":"b","type":"Sleep","params":{"sleep_seconds":{"type":"STRING","value":"x"}},"transition":{"successors":{"d":"true"}}}},
			{"step":{"id":"c","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":5}},"transition":{"successors":{"d":"true","e":"true"}}}},
			{"step":{"id":"d","type":"NoOp"}},
			{"step":{"id":"e","type":"NoOp"}}]}}`,
		want:   map[string]W.StepStatus{"b": W.FatallyFailed, "c": W.Succeeded, "d": W.NotCreated, "e": W.Succeeded},
		status: W.InstanceFailed,
	}, {
		name: "a bad edge condition fails the parent internally",
		def: `{"workflow":{"id":"w","steps":[
			{"step":{"id":"a","type":"NoOp","transition":{"successors":{"b":"1 / 0 > 0"}}}},
			{"step":{"id":"b","type":"NoOp"}}]}}`,
		want:   map[string]W.StepStatus{"a": W.InternallyFailed, "b": W.NotCreated},
		status: W.InstanceFailed,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newHarness(t, nil).run(t, compileJSON(t, tt.def, nil), nil)
			requireStatuses(t, st, tt.want)
			require.Equal(t, tt.status, st.Status)
		})
	}
}

func TestFailureModes(t *testing.T) {
	def := func(mode string) string {
		return `{"workflow":{"id":"w","steps":[
			{"step":{"id":"bad","type":"Flaky","failure_mode":"` + mode + `","transition":{"successors":{"after":"true"}}}},
			{"step":{"id":"long","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":600}}}},
			{"step":{"id":"after","type":"NoOp"}}]}}`
	}
	tests := []struct {
		mode   string
		want   map[string]W.StepStatus
		status W.InstanceStatus
	}{
		{"fail_after_running", map[string]W.StepStatus{"bad": W.FatallyFailed, "long": W.Succeeded, "after": W.NotCreated}, W.InstanceFailed},
		{"FAIL_IMMEDIATELY", map[string]W.StepStatus{"bad": W.FatallyFailed, "long": W.Stopped, "after": W.NotCreated}, W.InstanceFailed},
		{"ignore_failure", map[string]W.StepStatus{"bad": W.CompletedWithError, "long": W.Succeeded, "after": W.Succeeded}, W.InstanceSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			flaky := &scripted{results: []error{errFatal}}
			h := newHarness(t, map[string]activities.StepType{"Flaky": flaky})
			st := h.run(t, compileJSON(t, def(tt.mode), localMode("Flaky")), nil)
			requireStatuses(t, st, tt.want)
			require.Equal(t, tt.status, st.Status)
			require.Equal(t, 1, flaky.calls, "a fatal error is never retried")
			require.Contains(t, st.Step("bad").Error, "cannot ever work")
		})
	}
}

func TestRetryClasses(t *testing.T) {
	const policy = `"retry_policy":{"error_retry_limit":2,"platform_retry_limit":3,
		"backoff":{"type":"EXPONENTIAL_BACKOFF","error_retry_backoff_in_secs":10,"error_retry_exponent":3,"error_retry_limit_in_secs":25,
		"platform_retry_backoff_in_secs":5,"platform_retry_exponent":2,"platform_retry_limit_in_secs":100}}`
	def := `{"workflow":{"id":"w","steps":[{"step":{"id":"s","type":"Flaky",` + policy + `}}]}}`
	tests := []struct {
		name     string
		results  []error
		status   W.StepStatus
		attempts int
		retries  W.Retries
		waited   time.Duration // sum of backoffs
	}{
		{"user error retried then success", []error{errUser, errUser}, W.Succeeded, 3, W.Retries{Error: 2}, 10*time.Second + 25*time.Second},
		{"user retries exhausted", []error{errUser, errUser, errUser}, W.FatallyFailed, 3, W.Retries{Error: 2}, 35 * time.Second},
		{"platform errors have their own limit", []error{errPlatform, errPlatform, errPlatform}, W.Succeeded, 4, W.Retries{Platform: 3}, 5*time.Second + 10*time.Second + 20*time.Second},
		{"classes count separately", []error{errUser, errPlatform, errUser}, W.Succeeded, 4, W.Retries{Error: 2, Platform: 1}, 10*time.Second + 5*time.Second + 25*time.Second},
		{"fatal is not retried", []error{errFatal}, W.FatallyFailed, 1, W.Retries{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flaky := &scripted{results: tt.results}
			h := newHarness(t, map[string]activities.StepType{"Flaky": flaky})
			st := h.run(t, compileJSON(t, def, localMode("Flaky")), nil)
			s := st.Step("s")
			require.Equal(t, tt.status, s.Status, s.Error)
			require.Equal(t, tt.attempts, s.Attempts)
			require.Equal(t, tt.retries, s.Retries)
			require.Equal(t, tt.waited, s.Duration())
		})
	}
}

func TestFixedBackoffAndDefaults(t *testing.T) {
	def := `{"workflow":{"id":"w","steps":[{"step":{"id":"s","type":"Flaky",
		"retry_policy":{"error_retry_limit":3,"backoff":{"type":"FIXED_BACKOFF","error_retry_backoff_in_secs":7}}}},
		{"step":{"id":"d","type":"Flaky2"}}]}}`
	h := newHarness(t, map[string]activities.StepType{
		"Flaky":  &scripted{results: []error{errUser, errUser, errUser}},
		"Flaky2": &scripted{results: []error{errUser, errUser}},
	})
	st := h.run(t, compileJSON(t, def, localMode("Flaky", "Flaky2")), nil)
	require.Equal(t, 21*time.Second, stepDuration(st, "s"), "three fixed 7 s backoffs")
	// Maestro's default: 2 user retries, 60 s then 120 s.
	require.Equal(t, W.Succeeded, st.Step("d").Status)
	require.Equal(t, 180*time.Second, stepDuration(st, "d"))
}

func TestStepTimeout(t *testing.T) {
	def := `{"workflow":{"id":"w","steps":[
		{"step":{"id":"retried","type":"Sleep","timeout":"100s","params":{"sleep_seconds":{"type":"LONG","value":150}},
			"retry_policy":{"timeout_retry_limit":2,"backoff":{"timeout_retry_backoff_in_secs":5,"type":"EXPONENTIAL_BACKOFF"}}}},
		{"step":{"id":"once","type":"Sleep","timeout":30,"params":{"sleep_seconds":{"type":"LONG","value":40}}}},
		{"step":{"id":"fits","type":"Sleep","timeout":"1 min","params":{"sleep_seconds":{"type":"LONG","value":40}}}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	requireStatuses(t, st, map[string]W.StepStatus{"retried": W.TimedOut, "once": W.TimedOut, "fits": W.Succeeded})
	require.Equal(t, 3, st.Step("retried").Attempts)
	require.Equal(t, W.Retries{Timeout: 2}, st.Step("retried").Retries)
	require.Equal(t, 3*100*time.Second+5*time.Second+10*time.Second, stepDuration(st, "retried"))
	require.Equal(t, W.InstanceTimedOut, st.Status)
}

func TestWorkflowTimeout(t *testing.T) {
	def := `{"workflow":{"id":"w","timeout":"2 minutes","steps":[
		{"step":{"id":"a","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":60}},"transition":{"successors":{"b":"true"}}}},
		{"step":{"id":"b","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":600}},"transition":{"successors":{"c":"true"}}}},
		{"step":{"id":"c","type":"NoOp"}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	requireStatuses(t, st, map[string]W.StepStatus{"a": W.Succeeded, "b": W.TimedOut, "c": W.NotCreated})
	require.Equal(t, W.InstanceTimedOut, st.Status)
	require.Equal(t, time.Minute, stepDuration(st, "b"))
}

const twoSleeps = `{"workflow":{"id":"w","steps":[
	{"step":{"id":"a","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":600}},"transition":{"successors":{"b":"true"}}}},
	{"step":{"id":"b","type":"NoOp"}},
	{"step":{"id":"c","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":1}}}}]}}`

func TestStop(t *testing.T) {
	h := newHarness(t, nil)
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, time.Minute)
	st := h.run(t, compileJSON(t, twoSleeps, nil), nil)
	requireStatuses(t, st, map[string]W.StepStatus{"a": W.Stopped, "b": W.NotCreated, "c": W.Succeeded})
	require.Equal(t, W.InstanceStopped, st.Status)
}

func TestKill(t *testing.T) {
	h := newHarness(t, nil)
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(W.SignalKill, "operator said so") }, time.Minute)
	st := h.run(t, compileJSON(t, twoSleeps, nil), nil)
	requireStatuses(t, st, map[string]W.StepStatus{"a": W.FatallyFailed, "b": W.NotCreated, "c": W.Succeeded})
	require.Equal(t, W.InstanceFailed, st.Status)
	require.Equal(t, "operator said so", st.Step("a").Error)
}

func TestStepConcurrency(t *testing.T) {
	def := `{"properties":{"owner":"me","step_concurrency":2},"workflow":{"id":"w","steps":[
		{"step":{"id":"a","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":10}}}},
		{"step":{"id":"b","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":10}}}},
		{"step":{"id":"c","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":10}}}},
		{"step":{"id":"d","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":10}}}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status)
	require.Equal(t, 20*time.Second, st.EndTime.Sub(st.StartTime), "4 steps of 10 s, 2 at a time")
}

func TestOutputsAndParams(t *testing.T) {
	def := `{"workflow":{"id":"w","params":{"base":{"type":"LONG","value":40},"name":{"type":"STRING","value":"run-${base}"}},
		"steps":[
		{"step":{"id":"produce","type":"Producer","params":{"foo":{"type":"STRING","value":"default"},"n":{"type":"LONG","expression":"base + 2"}},
			"transition":{"successors":{"changed":"foo != 'default'","same":"foo == 'default'"}}}},
		{"step":{"id":"changed","type":"NoOp","params":{"got":{"type":"STRING","expression":"produce__foo + '/' + params.getFromStep('produce', 'n')"},
			"label":{"type":"STRING","value":"$name:$$1"}}}},
		{"step":{"id":"same","type":"NoOp"}}]}}`
	producer := &scripted{outputs: map[string]any{"foo": "bar"}}
	h := newHarness(t, map[string]activities.StepType{"Producer": producer})
	st := h.run(t, compileJSON(t, def, localMode("Producer")), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status)
	requireStatuses(t, st, map[string]W.StepStatus{"changed": W.Succeeded, "same": W.Unsatisfied})
	require.Equal(t, "bar/42", st.Step("changed").Params["got"].Value)
	require.Equal(t, "run-40:$1", st.Step("changed").Params["label"].Value)
}

func TestUndeclaredOutputFails(t *testing.T) {
	def := `{"workflow":{"id":"w","steps":[{"step":{"id":"p","type":"Producer"}}]}}`
	h := newHarness(t, map[string]activities.StepType{"Producer": &scripted{outputs: map[string]any{"x": int64(1)}}})
	st := h.run(t, compileJSON(t, def, localMode("Producer")), nil)
	require.Equal(t, W.FatallyFailed, st.Step("p").Status)
	require.Contains(t, st.Step("p").Error, `output param "x" is not declared`)
}

func TestUnknownStepType(t *testing.T) {
	def := `{"workflow":{"id":"w","steps":[{"step":{"id":"p","type":"Nobody"}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, localMode("Nobody")), nil)
	require.Equal(t, W.FatallyFailed, st.Step("p").Status)
	require.Contains(t, st.Step("p").Error, `no step type "Nobody"`)
	require.Equal(t, W.InstanceFailed, st.Status)
}

func TestRunParams(t *testing.T) {
	def := `{"workflow":{"id":"w","params":{"x":{"type":"LONG","value":5},"fixed":{"type":"LONG","value":1,"mode":"CONSTANT"}},
		"steps":[{"step":{"id":"a","type":"NoOp","transition":{"successors":{"b":"x > 3"}}}},{"step":{"id":"b","type":"NoOp"}}]}}`
	plan := compileJSON(t, def, nil)
	st := newHarness(t, nil).run(t, plan, map[string]sel.Value{"x": {Type: sel.Long, Value: int64(1)}})
	require.Equal(t, W.Unsatisfied, st.Step("b").Status)
	require.Equal(t, int64(1), st.Params["x"].Value)

	_, err := W.MergeRunParams(plan, map[string]sel.Value{"fixed": {Type: sel.Long, Value: int64(2)}})
	require.ErrorContains(t, err, "CONSTANT")
}

func TestBadWorkflowParamFailsTheRun(t *testing.T) {
	def := `{"workflow":{"id":"w","params":{"x":{"type":"LONG","expression":"throw 'no way'"}},
		"steps":[{"step":{"id":"a","type":"NoOp"}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.InstanceFailed, st.Status)
	require.True(t, strings.Contains(st.Error, `workflow param "x"`), st.Error)
	require.Equal(t, W.NotCreated, st.Step("a").Status)
}

// TestStepsAfterAnInlineRootStartOnce guards against readying a step twice
// when an inline root has already readied it.
func TestStepsAfterAnInlineRootStartOnce(t *testing.T) {
	def := `{"workflow":{"id":"w","steps":[
		{"step":{"id":"start","type":"NoOp","transition":{"successors":{"a":"true","b":"true"}}}},
		{"step":{"id":"a","type":"Work"}},
		{"step":{"id":"b","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":5}}}}]}}`
	work := &scripted{}
	st := newHarness(t, map[string]activities.StepType{"Work": work}).run(t, compileJSON(t, def, localMode("Work")), nil)
	require.Equal(t, W.InstanceSucceeded, st.Status)
	require.Equal(t, 1, work.calls)
	require.Equal(t, 1, st.Step("a").Attempts)
	require.Equal(t, 1, st.Step("b").Attempts)
	require.Equal(t, 5*time.Second, st.EndTime.Sub(st.StartTime))
}

func TestParamsSizeLimit(t *testing.T) {
	def := `{"workflow":{"id":"w","steps":[
		{"step":{"id":"ok","type":"NoOp","params":{"s":{"type":"STRING_ARRAY","expression":"Util.intsBetween(0, 20000, 1)"}}}},
		{"step":{"id":"big","type":"NoOp","params":{"s":{"type":"STRING","expression":"String x = 'abcdefghij'; for (int i = 0; i < 17; i++) { x = x + x; } return x;"}}}}]}}`
	st := newHarness(t, nil).run(t, compileJSON(t, def, nil), nil)
	require.Equal(t, W.Succeeded, st.Step("ok").Status, st.Step("ok").Error)
	require.Equal(t, W.InternallyFailed, st.Step("big").Status)
	require.Contains(t, st.Step("big").Error, "750000 characters")
}
