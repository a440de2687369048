package batontest

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// Result is a finished run.
type Result struct {
	// State is the run's final state (nil if the workflow failed).
	State *workflows.State
	// Err is the workflow's own error: only a malformed plan fails the
	// workflow; failed steps show in State.
	Err error
	// Plan is the plan that ran.
	Plan *translator.Plan
}

// Status is the instance status ("" if the workflow failed).
func (r *Result) Status() workflows.InstanceStatus {
	if r.State == nil {
		return ""
	}
	return r.State.Status
}

// Step returns a step's state, or nil.
func (r *Result) Step(id string) *workflows.StepState {
	if r.State == nil {
		return nil
	}
	return r.State.Step(id)
}

// RequireStatus checks the instance status.
func (r *Result) RequireStatus(t testing.TB, want workflows.InstanceStatus) {
	t.Helper()
	require.NoError(t, r.Err, "workflow error")
	require.Equal(t, want, r.State.Status, "instance status (error: %s)", r.State.Error)
}

// RequireStep checks a step's status.
func (r *Result) RequireStep(t testing.TB, id string, want workflows.StepStatus) {
	t.Helper()
	s := r.requireStep(t, id)
	require.Equal(t, want, s.Status, "status of step %s (error: %s)", id, s.Error)
}

// RequireSteps checks the status of each listed step.
func (r *Result) RequireSteps(t testing.TB, want map[string]workflows.StepStatus) {
	t.Helper()
	for _, st := range r.requireState(t).Steps {
		if w, ok := want[st.ID]; ok {
			require.Equal(t, w, st.Status, "status of step %s (error: %s)", st.ID, st.Error)
		}
	}
	for id := range want {
		r.requireStep(t, id)
	}
}

// RequireAttempts checks how many attempts a step took.
func (r *Result) RequireAttempts(t testing.TB, id string, want int) {
	t.Helper()
	s := r.requireStep(t, id)
	require.Equal(t, want, s.Attempts, "attempts of step %s (retries %+v)", id, s.Retries)
}

// RequireRetries checks a step's retries per class.
func (r *Result) RequireRetries(t testing.TB, id string, want workflows.Retries) {
	t.Helper()
	require.Equal(t, want, r.requireStep(t, id).Retries, "retries of step %s", id)
}

// RequireParam checks a step param's final value (sel's Go
// representation; int is widened to int64).
func (r *Result) RequireParam(t testing.TB, id, name string, want any) {
	t.Helper()
	v, ok := r.requireStep(t, id).Params[name]
	require.True(t, ok, "step %s has no param %s", id, name)
	requireValue(t, want, v.Value, "param %s of step %s", name, id)
}

// RequireWorkflowParam checks a workflow param's value.
func (r *Result) RequireWorkflowParam(t testing.TB, name string, want any) {
	t.Helper()
	v, ok := r.requireState(t).Params[name]
	require.True(t, ok, "no workflow param %s", name)
	requireValue(t, want, v.Value, "workflow param %s", name)
}

// RequireError checks that a step's error contains substr.
func (r *Result) RequireError(t testing.TB, id, substr string) {
	t.Helper()
	require.Contains(t, r.requireStep(t, id).Error, substr, "error of step %s", id)
}

func (r *Result) requireState(t testing.TB) *workflows.State {
	t.Helper()
	require.NoError(t, r.Err, "workflow error")
	require.NotNil(t, r.State)
	return r.State
}

func (r *Result) requireStep(t testing.TB, id string) *workflows.StepState {
	t.Helper()
	s := r.requireState(t).Step(id)
	require.NotNil(t, s, "no step %s in the run", id)
	return s
}

func requireValue(t testing.TB, want, got any, msg string, args ...any) {
	t.Helper()
	if w, err := toValue(want); err == nil && reflect.TypeOf(w.Value) != reflect.TypeOf(want) {
		want = w.Value
	}
	require.Equal(t, want, got, append([]any{msg}, args...)...)
}
