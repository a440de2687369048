package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/signals"
	"github.com/batonhq/baton/workflows"
)

// fakeStore stands in for the signal store's activities: Wait answers from
// stored, else records the subscription; SendOutputs records the sends.
type fakeStore struct {
	stored  map[string]*signals.Instance // by name
	waits   []signals.WaitRequest
	outputs []signals.OutputsRequest
	refuse  error
}

func (f *fakeStore) install(h *harness) {
	signals.RegisterActivities(h.env)
	h.env.OnActivity(signals.WaitActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req signals.WaitRequest) (*signals.Instance, error) {
			if f.refuse != nil {
				return nil, f.refuse
			}
			f.waits = append(f.waits, req)
			if in, ok := f.stored[req.Name]; ok && in.Matches(req.Match) {
				return in, nil
			}
			return nil, nil
		})
	h.env.OnActivity(signals.OutputsActivityName, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req signals.OutputsRequest) ([]*signals.Instance, error) {
			f.outputs = append(f.outputs, req)
			out := make([]*signals.Instance, len(req.Outputs))
			for i, o := range req.Outputs {
				out[i] = &signals.Instance{Name: o.Name, Seq: int64(i + 7), Params: o.Params}
			}
			return out, nil
		})
}

// deliver signals the run that the instance matched the subscription of
// the named signal, after d of workflow time.
func (f *fakeStore) deliver(h *harness, d time.Duration, name string, in *signals.Instance) {
	h.env.RegisterDelayedCallback(func() {
		for _, w := range f.waits {
			if w.Name == name {
				h.env.SignalWorkflow(signals.SignalMatched, signals.Matched{Key: w.Key, Instance: in})
				return
			}
		}
		panic("no subscription to " + name)
	}, d)
}

const sigDepsWF = `{"workflow": {"id": "sigdeps", "params": {"day": {"type": "LONG", "value": 20260101}},
 "steps": [
  {"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": "true"}}}},
  {"step": {"id": "b", "type": "NoOp",
   "params": {"got": {"type": "LONG", "expression": "params.getFromSignalDependency('1', 'hour')"},
              "table": {"type": "STRING", "expression": "params.getFromSignalDependency('0', 'table')"}},
   "signal_dependencies": [
    {"name": "db/${a__out}/t1", "match_params": {"day": {"param": {"type": "LONG", "expression": "day"}, "operator": "="}}},
    {"name": "hourly", "match_params": {"hour": {"param": {"type": "LONG", "value": 5}, "operator": ">="}}}]}}]}}`

func TestSignalDependenciesWaitThenMatch(t *testing.T) {
	plan := compileJSON(t, sigDepsWF, nil)
	plan.Steps[1].SignalDependencies[0].Name = "db/prod/t1"
	h := newHarness(t, nil)
	f := &fakeStore{stored: map[string]*signals.Instance{
		"db/prod/t1": {Name: "db/prod/t1", Seq: 3, Params: map[string]signals.Value{"day": signals.Long(20260101), "table": signals.String("t1")}},
	}}
	f.install(h)
	// An hourly instance below the >= 5 bound would not match; the store
	// answers with one that does, an hour later.
	f.deliver(h, time.Hour, "hourly", &signals.Instance{Name: "hourly", Seq: 9, Params: map[string]signals.Value{"hour": signals.Long(6)}})
	st := h.run(t, plan, nil)
	requireStatuses(t, st, map[string]workflows.StepStatus{"a": workflows.Succeeded, "b": workflows.Succeeded})
	b := st.Step("b")
	require.Len(t, b.SignalDependencies, 2)
	require.Equal(t, workflows.SignalMatched, b.SignalDependencies[0].Status)
	require.Equal(t, "db/prod/t1#3", b.SignalDependencies[0].SignalID)
	require.Equal(t, "hourly#9", b.SignalDependencies[1].SignalID)
	require.Equal(t, []signals.MatchParam{{Name: "hour", Operator: ">=", Value: signals.Long(5)}}, b.SignalDependencies[1].Match)
	require.Equal(t, []signals.MatchParam{{Name: "day", Operator: "=", Value: signals.Long(20260101)}}, b.SignalDependencies[0].Match)
	require.Equal(t, int64(6), b.Params["got"].Value)
	require.Equal(t, "t1", b.Params["table"].Value)
	require.GreaterOrEqual(t, b.EndTime.Sub(*st.Step("a").EndTime), time.Hour, "b waited for the hourly signal")
	require.Len(t, f.waits, 2)
}

func TestSignalDependencyNameFromUpstreamParam(t *testing.T) {
	plan := compileJSON(t, `{"workflow": {"id": "up", "steps": [
  {"step": {"id": "a", "type": "NoOp", "params": {"out": {"type": "STRING", "value": "prod"}}, "transition": {"successors": {"b": "true"}}}},
  {"step": {"id": "b", "type": "NoOp", "params": {"own": {"type": "STRING", "value": "never"}},
   "signal_dependencies": [{"name": "db/${a__out}/t1", "match_params": {"k": {"param": {"type": "STRING", "value": "${own}"}, "operator": "="}}}]}}]}}`, nil)
	h := newHarness(t, nil)
	f := &fakeStore{}
	f.install(h)
	st := h.run(t, plan, nil)
	// The step's own params are not in scope for its dependencies.
	b := st.Step("b")
	require.Equal(t, workflows.InternallyFailed, b.Status, b.Error)
	require.Contains(t, b.Error, `signal dependency 0 ("db/prod/t1"): match param "k"`)
	require.Empty(t, f.waits)
}

func TestSignalDependencyRefused(t *testing.T) {
	plan := compileJSON(t, sigDepsWF, nil)
	plan.Steps[1].SignalDependencies[0].Name = "db/prod/t1"
	h := newHarness(t, nil)
	f := &fakeStore{refuse: temporal.NewNonRetryableApplicationError("signal \"hourly\": 10000 runs wait already", signals.ErrorTypeRefused, nil)}
	f.install(h)
	st := h.run(t, plan, nil)
	b := st.Step("b")
	require.Equal(t, workflows.InternallyFailed, b.Status)
	require.Contains(t, b.Error, "10000 runs wait already")
	// The store refuses both waits; whichever answer the step takes first
	// fails it (FAILED), the other dependency is then CANCELED. The test
	// environment runs local activities concurrently, so either order.
	got := []string{b.SignalDependencies[0].Status, b.SignalDependencies[1].Status}
	require.ElementsMatch(t, []string{workflows.SignalFailed, workflows.SignalCanceled}, got)
}

func TestSignalDependencyKilledWhileWaiting(t *testing.T) {
	plan := compileJSON(t, sigDepsWF, nil)
	plan.Steps[1].SignalDependencies[0].Name = "db/prod/t1"
	h := newHarness(t, nil)
	f := &fakeStore{}
	f.install(h)
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(workflows.SignalKill, "enough") }, time.Minute)
	// A match arriving after the kill is ignored.
	f.deliver(h, 2*time.Minute, "hourly", &signals.Instance{Name: "hourly", Seq: 1})
	st := h.run(t, plan, nil)
	b := st.Step("b")
	require.Equal(t, workflows.FatallyFailed, b.Status)
	require.Equal(t, "enough", b.Error)
	require.Equal(t, workflows.SignalCanceled, b.SignalDependencies[1].Status)
}

func TestSignalOutputsSentOnSuccess(t *testing.T) {
	plan := compileJSON(t, `{"workflow": {"id": "out", "params": {"auu": {"type": "LONG", "value": 123}}, "steps": [
  {"step": {"id": "job1", "type": "NoOp", "params": {"foo": {"type": "LONG", "value": 10}},
   "signal_outputs": [
    {"name": "out_1", "params": {"p1": {"type": "LONG", "value": 1}, "p2": {"type": "LONG", "expression": "foo + auu"}}},
    {"name": "tbl/${foo}", "params": {"s": {"type": "STRING", "value": "x${auu}"}}, "payload": {"by": {"type": "STRING", "value": "etl"}}}]}}]}}`, nil)
	h := newHarness(t, nil)
	f := &fakeStore{}
	f.install(h)
	st := h.run(t, plan, nil)
	requireStatuses(t, st, map[string]workflows.StepStatus{"job1": workflows.Succeeded})
	require.Len(t, f.outputs, 1)
	outs := f.outputs[0].Outputs
	require.Len(t, outs, 2)
	require.Equal(t, "out_1", outs[0].Name)
	require.Equal(t, map[string]signals.Value{"p1": signals.Long(1), "p2": signals.Long(133)}, outs[0].Params)
	require.Equal(t, "tbl/10", outs[1].Name)
	require.Equal(t, map[string]signals.Value{"s": signals.String("x123")}, outs[1].Params)
	require.JSONEq(t, `{"by": "etl"}`, string(outs[1].Payload))
	require.NotEqual(t, outs[0].RequestID, outs[1].RequestID)
	require.Contains(t, outs[0].RequestID, "/job1#1/0")
	so := st.Step("job1").SignalOutputs
	require.Len(t, so, 2)
	require.Equal(t, "out_1#7", so[0].SignalID)
	require.Equal(t, "tbl/10#8", so[1].SignalID)
}

func TestSignalOutputsNotSentOnFailure(t *testing.T) {
	plan := compileJSON(t, `{"workflow": {"id": "out", "steps": [
  {"step": {"id": "job1", "type": "Fails", "retry_policy": {"error_retry_limit": 0},
   "signal_outputs": [{"name": "out_1"}]}}]}}`, localMode("Fails"))
	h := newHarness(t, map[string]activities.StepType{"Fails": &scripted{results: []error{errFatal}}})
	f := &fakeStore{}
	f.install(h)
	st := h.run(t, plan, nil)
	requireStatuses(t, st, map[string]workflows.StepStatus{"job1": workflows.FatallyFailed})
	require.Empty(t, f.outputs)
}

// emitter is a step type that returns dynamic signal outputs.
type emitter struct{ signals []activities.SignalOutput }

func (e emitter) Run(context.Context, *activities.Step) (*activities.Result, error) {
	return &activities.Result{Signals: e.signals}, nil
}

func TestDynamicSignalOutputsFollowStaticOnes(t *testing.T) {
	plan := compileJSON(t, `{"workflow": {"id": "dyn", "steps": [
  {"step": {"id": "job1", "type": "Emit", "signal_outputs": [{"name": "static", "params": {"p": {"type": "LONG", "value": 1}}}]}}]}}`, localMode("Emit"))
	h := newHarness(t, map[string]activities.StepType{"Emit": emitter{signals: []activities.SignalOutput{
		{Name: "dyn/a", Params: map[string]any{"n": 7, "big": int64(1) << 60, "s": "x"}, Payload: map[string]any{"k": "v"}},
	}}})
	f := &fakeStore{}
	f.install(h)
	st := h.run(t, plan, nil)
	requireStatuses(t, st, map[string]workflows.StepStatus{"job1": workflows.Succeeded})
	require.Len(t, f.outputs, 1)
	outs := f.outputs[0].Outputs
	require.Len(t, outs, 2)
	require.Equal(t, "static", outs[0].Name)
	require.Equal(t, "dyn/a", outs[1].Name)
	require.Equal(t, map[string]signals.Value{"n": signals.Long(7), "big": signals.Long(1 << 60), "s": signals.String("x")}, outs[1].Params)
	require.JSONEq(t, `{"k":"v"}`, string(outs[1].Payload))
	require.Contains(t, outs[1].RequestID, "/job1#1/1")
	require.Equal(t, "dyn/a#8", st.Step("job1").SignalOutputs[1].SignalID)
}

func TestDynamicSignalOutputOfWrongTypeFailsTheStep(t *testing.T) {
	plan := compileJSON(t, `{"workflow": {"id": "dyn", "steps": [{"step": {"id": "job1", "type": "Emit"}}]}}`, localMode("Emit"))
	h := newHarness(t, map[string]activities.StepType{"Emit": emitter{signals: []activities.SignalOutput{
		{Name: "dyn/a", Params: map[string]any{"f": 1.5}},
	}}})
	f := &fakeStore{}
	f.install(h)
	st := h.run(t, plan, nil)
	require.Equal(t, workflows.FatallyFailed, st.Step("job1").Status)
	require.Contains(t, st.Step("job1").Error, `param "f" has Go type float64`)
	require.Empty(t, f.outputs)
}

// TestSignalDependencyOnForeachStep: a loop step waits for its signal
// before its loop workflow starts.
func TestSignalDependencyOnForeachStep(t *testing.T) {
	plan := compileJSON(t, `{"workflow": {"id": "loopdep", "steps": [
  {"foreach": {"id": "loop", "signal_dependencies": [{"name": "ready"}],
   "params": {"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG_ARRAY", "value": [1, 2]}}}},
   "steps": [{"step": {"id": "inner", "type": "NoOp"}}]}}]}}`, nil)
	h := newHarness(t, nil)
	got := captureForeachInput(h)
	f := &fakeStore{}
	f.install(h)
	f.deliver(h, time.Hour, "ready", &signals.Instance{Name: "ready", Seq: 1})
	st := h.run(t, plan, nil)
	requireStatuses(t, st, map[string]workflows.StepStatus{"loop": workflows.Succeeded})
	require.Equal(t, 2, got.Total)
	require.Equal(t, "ready#1", st.Step("loop").SignalDependencies[0].SignalID)
	require.GreaterOrEqual(t, st.Step("loop").EndTime.Sub(st.StartTime), time.Hour)
}

func TestGetFromSignal(t *testing.T) {
	plan := compileJSON(t, `{"workflow": {"id": "trig", "steps": [{"step": {"id": "s", "type": "NoOp", "params": {
   "w": {"type": "LONG", "expression": "params.getFromSignal('db/a', 'w')"},
   "p": {"type": "STRING", "expression": "params.getFromSignal('from_trigger')"}}}}]}}`, nil)
	h := newHarness(t, nil)
	st := h.runInput(t, workflows.RunInput{Plan: plan, Initiator: "SIGNAL", Signal: &workflows.SignalInitiator{
		Params:  map[string]sel.Value{"from_trigger": {Type: sel.String, Value: "yes"}},
		Signals: map[string]map[string]signals.Value{"db/a": {"w": signals.Long(12)}},
	}})
	requireStatuses(t, st, map[string]workflows.StepStatus{"s": workflows.Succeeded})
	require.Equal(t, int64(12), st.Step("s").Params["w"].Value)
	require.Equal(t, "yes", st.Step("s").Params["p"].Value)

	h = newHarness(t, nil)
	st = h.run(t, plan, nil)
	require.Equal(t, workflows.InternallyFailed, st.Step("s").Status)
	require.Contains(t, st.Step("s").Error, "the run was not started by a signal trigger")
}
