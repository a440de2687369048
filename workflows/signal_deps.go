package workflows

import (
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/signals"
	"github.com/batonhq/baton/translator"
)

// ChangeSignalDeps versions step signal_dependencies and signal_outputs:
// from version 1 a step with signal dependencies waits in
// WAITING_FOR_SIGNALS before it evaluates its params, and a step with
// signal outputs sends them when it succeeds. It is asked only by steps
// that have either, which no run could have before (they were refused).
const ChangeSignalDeps = "signal-deps"

// The statuses of one signal dependency in a step's state, Maestro's
// StepDependencyMatchStatus.
const (
	SignalWaiting  = "PENDING"
	SignalMatched  = "MATCHED"
	SignalBypassed = "SKIPPED"  // by BYPASS_STEP_DEPENDENCIES
	SignalCanceled = "CANCELED" // the step ended while it was pending
	SignalFailed   = "FAILED"   // the store refused the subscription
)

// SignalDependencyState is one signal dependency of a step: what it waits
// for (name and conditions, evaluated when the step was created) and the
// instance that matched it.
type SignalDependencyState struct {
	Name   string               `json:"name"`
	Match  []signals.MatchParam `json:"match,omitempty"`
	Status string               `json:"status"`
	// SignalID is the matched instance's id, NAME#SEQ; Params its params.
	SignalID string                   `json:"signal_id,omitempty"`
	Params   map[string]signals.Value `json:"params,omitempty"`
}

// waitActivity is how a waiting step reaches the signal store: a local
// activity (a crash before its result is recorded runs it again, and the
// store replaces the same subscription), retried until the store answers.
var waitActivity = workflow.LocalActivityOptions{
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		MaximumInterval:        time.Minute,
		NonRetryableErrorTypes: []string{signals.ErrorTypeRefused},
	},
}

// waitsForSignals reports whether a step being created waits for signals.
func (r *run) waitsForSignals(n *node) bool {
	return r.eng != nil && len(n.plan.SignalDependencies) > 0 &&
		workflow.GetVersion(r.ctx, ChangeSignalDeps, workflow.DefaultVersion, 1) >= 1
}

// signalWaits routes SignalMatched signals to the waiting dependencies by
// key; it is one poll on the engine, whatever the number of waits.
type signalWaits struct {
	on map[string]func(*signals.Instance)
}

func (r *run) signalWaits() *signalWaits {
	if r.eng.sigs != nil {
		return r.eng.sigs
	}
	sw := &signalWaits{on: map[string]func(*signals.Instance){}}
	ch := workflow.GetSignalChannel(r.ctx, signals.SignalMatched)
	eng := r.eng
	eng.poll(func() bool {
		raised := false
		for {
			var m signals.Matched
			if !ch.ReceiveAsync(&m) {
				return raised
			}
			// A key nobody waits for is a late answer to a step that
			// stopped waiting (matched otherwise, bypassed or halted).
			if fn, ok := sw.on[m.Key]; ok {
				delete(sw.on, m.Key)
				eng.post(func() { fn(m.Instance) })
				raised = true
			}
		}
	})
	r.eng.sigs = sw
	return sw
}

// waitKey names one dependency of one step of one run in this workflow.
func (r *run) waitKey(n *node, i int) string {
	return r.id + "/" + n.plan.ID + "/" + strconv.Itoa(i)
}

// waitSignals puts a step created with signal dependencies in
// WAITING_FOR_SIGNALS: each dependency is evaluated with workflow and
// upstream params, then subscribed in its store, which answers at once
// with an instance stored before or signals the run when one arrives. No
// timer, no polling: a wait costs its subscriptions and one signal each.
func (r *run) waitSignals(n *node) {
	r.move(n, evWaitSignals)
	n.state.Status = WaitingForSignals
	now := workflow.Now(r.ctx)
	n.state.StartTime = &now
	deps, err := r.evalSignalDeps(n.plan.SignalDependencies)
	if err != nil {
		r.endStep(r.ctx, n, InternallyFailed, err.Error())
		r.stepDone(n)
		return
	}
	n.state.SignalDependencies = deps
	sw := r.signalWaits()
	lctx := workflow.WithLocalActivityOptions(r.scope, waitActivity)
	for i, d := range deps {
		key := r.waitKey(n, i)
		sw.on[key] = func(in *signals.Instance) { r.signalMatched(n, i, in) }
		req := signals.WaitRequest{Name: d.Name, Waiter: signals.Waiter{
			WorkflowID: r.info.WorkflowExecution.ID, RunID: r.info.WorkflowExecution.RunID, Key: key, Match: d.Match,
		}}
		r.eng.await(workflow.ExecuteLocalActivity(lctx, signals.WaitActivityName, req), func(f workflow.Future) {
			var in *signals.Instance
			err := f.Get(lctx, &in)
			if n.m.phase != phaseSignals {
				return // halted, bypassed or failed meanwhile
			}
			if err != nil {
				d.Status = SignalFailed
				r.stopWaitingSignals(n)
				r.endStep(r.ctx, n, InternallyFailed, fmt.Sprintf("signal dependency %d (%q): %s", i, d.Name, errText(cause(err))))
				r.stepDone(n)
				return
			}
			if in != nil {
				delete(sw.on, key)
				r.signalMatched(n, i, in)
			}
		})
	}
}

// signalMatched records the instance that satisfied dependency i; once
// every dependency has matched, the step evaluates its params.
func (r *run) signalMatched(n *node, i int, in *signals.Instance) {
	d := n.state.SignalDependencies[i]
	if n.m.phase != phaseSignals || d.Status != SignalWaiting || in == nil {
		return
	}
	d.Status, d.SignalID, d.Params = SignalMatched, in.ID(), in.Params
	for _, d := range n.state.SignalDependencies {
		if d.Status == SignalWaiting {
			return
		}
	}
	r.move(n, evCreate)
	r.evaluate(n)
}

// bypassSignals is BYPASS_STEP_DEPENDENCIES: a step waiting for signals
// stops waiting; the dependencies not matched are marked BYPASSED.
func (r *run) bypassSignals(n *node) error {
	if n.m.phase != phaseSignals {
		return fmt.Errorf("step %q is %s, not WAITING_FOR_SIGNALS: nothing to bypass", n.plan.ID, n.state.Status)
	}
	for _, d := range n.state.SignalDependencies {
		if d.Status == SignalWaiting {
			d.Status = SignalBypassed
		}
	}
	r.stopWaitingSignals(n)
	r.move(n, evBypass)
	r.evaluate(n)
	return nil
}

// stopWaitingSignals forgets a step's subscriptions in this workflow (a
// store that signals one later is ignored) and marks the dependencies
// still pending CANCELED. (The store keeps the subscription until an
// instance matches it: a signal to a run that has ended fails and is
// dropped.)
func (r *run) stopWaitingSignals(n *node) {
	for i, d := range n.state.SignalDependencies {
		if d.Status == SignalWaiting {
			d.Status = SignalCanceled
		}
		if r.eng.sigs != nil {
			delete(r.eng.sigs.on, r.waitKey(n, i))
		}
	}
}

// evalSignalDeps evaluates names and match values with workflow and
// upstream params (a scope without the step: not its own params).
func (r *run) evalSignalDeps(deps []*translator.SignalDependency) ([]*SignalDependencyState, error) {
	s := &scope{r: r}
	out := make([]*SignalDependencyState, 0, len(deps))
	for i, d := range deps {
		name, err := s.interpolate(d.Name)
		if err == nil {
			err = signals.CheckName(name)
		}
		if err != nil {
			return nil, fmt.Errorf("signal dependency %d: name: %w", i, err)
		}
		st := &SignalDependencyState{Name: name, Status: SignalWaiting}
		for _, m := range d.Match {
			v, err := s.eval(m.Value)
			if err != nil {
				return nil, fmt.Errorf("signal dependency %d (%q): match param %q: %w", i, name, m.Param, err)
			}
			sv, err := signalValue(v)
			if err != nil {
				return nil, fmt.Errorf("signal dependency %d (%q): match param %q: %w", i, name, m.Param, err)
			}
			st.Match = append(st.Match, signals.MatchParam{Name: m.Param, Operator: signals.Operator(m.Operator), Value: sv})
		}
		if err := signals.CheckMatch(st.Match); err != nil {
			return nil, fmt.Errorf("signal dependency %d (%q): %w", i, name, err)
		}
		out = append(out, st)
	}
	return out, nil
}

// signalValue converts a STRING or LONG param value to a signal value.
func signalValue(v sel.Value) (signals.Value, error) {
	switch x := v.Value.(type) {
	case int64:
		return signals.Long(x), nil
	case string:
		return signals.String(x), nil
	}
	return signals.Value{}, fmt.Errorf("a signal param must be STRING or LONG, got %v", v.Type)
}

// signalDependencyParam is params.getFromSignalDependency(index, name): a
// param of the instance that matched the step's dependency index.
func (s *scope) signalDependencyParam(index, name string) (any, error) {
	if s.n == nil {
		return nil, fmt.Errorf("params.getFromSignalDependency(%q, %q): not inside a step", index, name)
	}
	i, err := strconv.Atoi(index)
	deps := s.n.state.SignalDependencies
	if err != nil || i < 0 || i >= len(deps) {
		return nil, fmt.Errorf("params.getFromSignalDependency(%q, %q): step %q has %d signal dependencies", index, name, s.n.plan.ID, len(deps))
	}
	d := deps[i]
	if d.Status != SignalMatched {
		return nil, fmt.Errorf("params.getFromSignalDependency(%q, %q): dependency %q is %s, not matched", index, name, d.Name, d.Status)
	}
	v, ok := d.Params[name]
	if !ok {
		return nil, fmt.Errorf("params.getFromSignalDependency(%q, %q): signal %s has no param %q", index, name, d.SignalID, name)
	}
	if v.IsLong() {
		return v.Int(), nil
	}
	return v.Str(), nil
}

// hasSignals reports whether a step waits for or sends signals: such a
// NoOp runs through the step machine, not the inline shortcut.
func hasSignals(n *translator.Node) bool {
	return len(n.SignalDependencies) > 0 || len(n.SignalOutputs) > 0
}
