package workflows

import (
	"fmt"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/signals"
)

// SignalInitiator is what a signal trigger passes to the instance it
// starts (Maestro's SignalInitiator): the trigger's params and the params
// of the instance matched for each of its signals.
type SignalInitiator struct {
	Params  map[string]sel.Value                `json:"params,omitempty"`
	Signals map[string]map[string]signals.Value `json:"signals,omitempty"`
}

// fromSignal is params.getFromSignal: with signal "" a param of the
// trigger, else a param of the instance matched for signal. As in
// Maestro, only a run started by a signal trigger has them.
func (r *run) fromSignal(signal, param string) (any, error) {
	call := fmt.Sprintf("params.getFromSignal(%q, %q)", signal, param)
	if signal == "" {
		call = fmt.Sprintf("params.getFromSignal(%q)", param)
	}
	if r.signal == nil {
		return nil, fmt.Errorf("%s: the run was not started by a signal trigger", call)
	}
	if signal == "" {
		v, ok := r.signal.Params[param]
		if !ok {
			return nil, fmt.Errorf("%s: the signal trigger has no param %q", call, param)
		}
		return v.Value, nil
	}
	ps, ok := r.signal.Signals[signal]
	if !ok {
		return nil, fmt.Errorf("%s: the signal trigger matched no signal %q", call, signal)
	}
	v, ok := ps[param]
	if !ok {
		return nil, fmt.Errorf("%s: the matched signal has no param %q", call, param)
	}
	if v.IsLong() {
		return v.Int(), nil
	}
	return v.Str(), nil
}
