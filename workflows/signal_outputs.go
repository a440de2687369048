package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/signals"
)

// SignalOutputState is one signal a step sent when it succeeded.
type SignalOutputState struct {
	Name     string                   `json:"name"`
	Params   map[string]signals.Value `json:"params,omitempty"`
	SignalID string                   `json:"signal_id,omitempty"` // NAME#SEQ
}

// sendsSignals reports whether a step that succeeded sends signals.
func (r *run) sendsSignals(n *node) bool {
	return r.eng != nil && (len(n.plan.SignalOutputs) > 0 || len(n.dynSignals) > 0) &&
		workflow.GetVersion(r.ctx, ChangeSignalDeps, workflow.DefaultVersion, 1) >= 1
}

// sendOutputs sends a succeeded step's signal_outputs, then ends the step
// as v says. Each signal's request id names the run, the step, its attempt
// and the output, so a send repeated after a worker crash (the local
// activity runs again) stores nothing twice: exactly one instance per
// output per successful attempt. A halt does not cut the sends short: the
// attempt has succeeded.
func (r *run) sendOutputs(ctx workflow.Context, n *node, v verdict) {
	req, err := r.evalSignalOutputs(n)
	if err != nil {
		r.fatal(ctx, n, err.Error())
		r.stepDone(n)
		return
	}
	dctx, _ := workflow.NewDisconnectedContext(r.ctx)
	lctx := workflow.WithLocalActivityOptions(dctx, waitActivity)
	r.eng.await(workflow.ExecuteLocalActivity(lctx, signals.OutputsActivityName, req), func(f workflow.Future) {
		var sent []*signals.Instance
		if err := f.Get(lctx, &sent); err != nil {
			r.fatal(dctx, n, fmt.Sprintf("signal outputs: %s", errText(cause(err))))
			r.stepDone(n)
			return
		}
		for i, in := range sent {
			if i < len(n.state.SignalOutputs) && in != nil {
				n.state.SignalOutputs[i].SignalID = in.ID()
			}
		}
		r.apply(dctx, n, v)
		r.stepDone(n)
	})
}

// evalSignalOutputs evaluates each output's name, params and payload in
// the step's own scope and records the outputs in the step's state.
func (r *run) evalSignalOutputs(n *node) (signals.OutputsRequest, error) {
	s := &scope{r: r, n: n}
	var req signals.OutputsRequest
	n.state.SignalOutputs = nil
	for i, o := range n.plan.SignalOutputs {
		name, err := s.interpolate(o.Name)
		if err == nil {
			err = signals.CheckName(name)
		}
		if err != nil {
			return req, fmt.Errorf("signal output %d: name: %w", i, err)
		}
		params := make(map[string]signals.Value, len(o.Params))
		for _, k := range sortedKeys(o.Params) {
			v, err := s.eval(o.Params[k])
			if err != nil {
				return req, fmt.Errorf("signal output %d (%q): param %q: %w", i, name, k, err)
			}
			if params[k], err = signalValue(v); err != nil {
				return req, fmt.Errorf("signal output %d (%q): param %q: %w", i, name, k, err)
			}
		}
		var payload []byte
		if len(o.Payload) > 0 {
			m := make(map[string]any, len(o.Payload))
			for _, k := range sortedKeys(o.Payload) {
				v, err := s.eval(o.Payload[k])
				if err != nil {
					return req, fmt.Errorf("signal output %d (%q): payload %q: %w", i, name, k, err)
				}
				m[k] = v.Value
			}
			if payload, err = json.Marshal(m); err != nil {
				return req, fmt.Errorf("signal output %d (%q): payload: %w", i, name, err)
			}
		}
		req.Outputs = append(req.Outputs, signals.SendOptions{
			Name: name, Params: params, Payload: payload, RequestID: r.outputRequestID(n, i),
		})
		n.state.SignalOutputs = append(n.state.SignalOutputs, &SignalOutputState{Name: name, Params: params})
	}
	for j, o := range n.dynSignals {
		i := len(n.plan.SignalOutputs) + j
		if err := signals.CheckName(o.Name); err != nil {
			return req, fmt.Errorf("signal output %d from the step type: %w", i, err)
		}
		params := make(map[string]signals.Value, len(o.Params))
		for _, k := range sortedKeys(o.Params) {
			v, err := signalValue(o.Params[k])
			if err != nil {
				return req, fmt.Errorf("signal output %d (%q) from the step type: param %q: %w", i, o.Name, k, err)
			}
			params[k] = v
		}
		req.Outputs = append(req.Outputs, signals.SendOptions{
			Name: o.Name, Params: params, Payload: o.Payload, RequestID: r.outputRequestID(n, i),
		})
		n.state.SignalOutputs = append(n.state.SignalOutputs, &SignalOutputState{Name: o.Name, Params: params})
	}
	return req, nil
}

// outputRequestID is "<workflow id>/<run id>/<instance>/<step>#<attempt>/<i>",
// hashed when longer than the store takes.
func (r *run) outputRequestID(n *node, i int) string {
	id := fmt.Sprintf("%s/%s/%s/%s#%d/%d", r.info.WorkflowExecution.ID, r.info.WorkflowExecution.RunID, r.id, n.plan.ID, n.state.Attempts, i)
	if len(id) <= signals.MaxRequestIDBytes {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "sha256:" + hex.EncodeToString(sum[:])
}
