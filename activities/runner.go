package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/sel"
)

// ActivityName is the name under which the Runner is registered, both as an
// activity and as a local activity.
const ActivityName = "baton.RunStep"

// Input is the activity input the interpreter sends.
type Input struct {
	Step Step
	// NoEmptyResult asks for no result at all, instead of an empty Output,
	// when the step returns no outputs and no signals: the SDK then records
	// a local activity's marker without a result payload, as for an
	// activity that returns only an error. The interpreter sets it only for
	// the local attempts of runs whose input allows it
	// (workflows.LeanLocalInput); a nil Output decodes to the empty one.
	NoEmptyResult bool `json:",omitempty"`
}

// Output is the activity result: the step's outputs, typed.
type Output struct {
	Outputs map[string]sel.Value `json:"outputs,omitempty"`
	// Signals are the step type's dynamic signal outputs, their param
	// values checked to be STRING (string) or LONG (int64).
	Signals []OutputSignal `json:"signals,omitempty"`
}

// OutputSignal is a dynamic signal output on the wire: typed param values
// (STRING or LONG) and the payload already encoded, so nothing changes
// type on its way to the workflow.
type OutputSignal struct {
	Name    string               `json:"name"`
	Params  map[string]sel.Value `json:"params,omitempty"`
	Payload json.RawMessage      `json:"payload,omitempty"`
}

// Runner dispatches a step to its registered type. It is safe for
// concurrent use once built.
type Runner struct {
	types map[string]StepType
}

// NewRunner builds a Runner over the given step types, keyed by type name.
func NewRunner(types map[string]StepType) *Runner {
	r := &Runner{types: make(map[string]StepType, len(types))}
	for name, t := range types {
		r.types[name] = t
	}
	return r
}

// Types lists the registered type names, sorted.
func (r *Runner) Types() []string {
	names := make([]string, 0, len(r.types))
	for n := range r.types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RunStep is the activity function.
//
// Run as an activity with a heartbeat timeout, it heartbeats on its own
// while the step runs (every third of the timeout), so Temporal notices
// within that timeout when the attempt's worker dies, and the interpreter
// retries the attempt as a platform error. Server-side cancellation (a
// stopped run) reaches the step through those heartbeats as a cancelled
// ctx. A step that fails with an error it did not classify once its
// worker has begun to stop (activity.GetWorkerStopChannel is closed; ctx is
// cancelled when the worker's WorkerStopTimeout has passed) fails with a
// platform error: the step did not fail, its worker went away. So does one
// whose ctx the SDK cancelled because a heartbeat could not be recorded
// (the server was unreachable): see lostAttempt.
func (r *Runner) RunStep(ctx context.Context, in Input) (*Output, error) {
	t, ok := r.types[in.Step.Type]
	if !ok {
		return nil, unknownStepType(in.Step.Type)
	}
	stop := keepAlive(ctx)
	res, err := t.Run(ctx, &in.Step)
	stop()
	if err != nil {
		if !classified(err) {
			if workerStopping(ctx) {
				err = PlatformError(fmt.Errorf("the worker stopped while the step ran: %w", err))
			} else if lost := lostAttempt(ctx); lost != nil {
				err = PlatformError(fmt.Errorf("the step's context was cancelled (%w) while it ran: %w", lost, err))
			}
		}
		return nil, toApplicationError(err)
	}
	if res == nil || len(res.Outputs) == 0 && len(res.Signals) == 0 {
		if in.NoEmptyResult {
			return nil, nil
		}
		return &Output{}, nil
	}
	out := &Output{}
	if len(res.Signals) > 0 {
		if out.Signals, err = checkSignals(res.Signals); err != nil {
			return nil, toApplicationError(FatalError(err))
		}
	}
	if len(res.Outputs) == 0 {
		return out, nil
	}
	out.Outputs = make(map[string]sel.Value, len(res.Outputs))
	for name, v := range res.Outputs {
		if i, ok := v.(int); ok {
			v = int64(i)
		}
		typ, ok := sel.TypeOf(v)
		if !ok {
			return nil, toApplicationError(FatalError(fmt.Errorf("output param %q has Go type %T, which is not a Maestro param type", name, v)))
		}
		out.Outputs[name] = sel.Value{Type: typ, Value: v}
	}
	return out, nil
}

// keepAlive heartbeats in the background until the returned func is
// called or ctx is done, when ctx is an activity with a heartbeat timeout
// (a local activity has none: it lives and dies with its workflow task).
// The SDK throttles heartbeats to one per 80% of the timeout, so ticking
// more often costs nothing. It stops when ctx is done: a step that ignores
// a cancelled ctx (its worker stopped, or the attempt was given up) must not
// keep a lost attempt alive.
func keepAlive(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	// Only the timeout goes into the goroutine: the ActivityInfo itself
	// would escape to the heap with it, on every local activity too.
	info := activity.GetInfo(ctx)
	timeout := info.HeartbeatTimeout
	if info.IsLocalActivity || timeout <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		tick := time.NewTicker(max(timeout/3, 10*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() {
		close(done)
		<-exited // no heartbeat after the attempt's result
	}
}

// workerStopping reports whether the activity worker running ctx has begun
// to stop (it then cancels ctx once its WorkerStopTimeout has passed).
func workerStopping(ctx context.Context) bool {
	if !activity.IsActivity(ctx) {
		return false
	}
	select {
	case <-activity.GetWorkerStopChannel(ctx):
		return true
	default:
		return false
	}
}

// lostAttempt returns why ctx was cancelled when that was not a stop or kill
// of the step: the SDK cancels an activity's ctx when a heartbeat cannot be
// recorded (the server is unreachable, or no longer knows the attempt), with
// the RPC error as the cause. The step did not fail; its platform did.
// A cancellation the server asked for (a stopped or killed run) has a
// temporal.CanceledError as its cause, and a deadline is the attempt's own
// timeout: neither is a lost attempt.
func lostAttempt(ctx context.Context) error {
	if !errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	cause := context.Cause(ctx)
	var canceled *temporal.CanceledError
	if cause == nil || errors.As(cause, &canceled) || cause == context.Canceled {
		return nil
	}
	return cause
}

// classified reports whether the step chose its error's class (an error
// made by UserError, PlatformError or FatalError, or a Temporal application
// error).
func classified(err error) bool {
	var ce *classifiedError
	var appErr *temporal.ApplicationError
	return errors.As(err, &ce) || errors.As(err, &appErr)
}

// checkSignals converts dynamic signal outputs to their wire form,
// refusing a param value that is not a string or an integer.
func checkSignals(in []SignalOutput) ([]OutputSignal, error) {
	out := make([]OutputSignal, len(in))
	for i, so := range in {
		out[i] = OutputSignal{Name: so.Name, Params: make(map[string]sel.Value, len(so.Params))}
		for k, v := range so.Params {
			switch x := v.(type) {
			case int:
				out[i].Params[k] = sel.Value{Type: sel.Long, Value: int64(x)}
			case int64:
				out[i].Params[k] = sel.Value{Type: sel.Long, Value: x}
			case string:
				out[i].Params[k] = sel.Value{Type: sel.String, Value: x}
			default:
				return nil, fmt.Errorf("signal output %d (%q): param %q has Go type %T; a signal param is a string (STRING) or an int64 (LONG)", i, so.Name, k, v)
			}
		}
		if len(so.Payload) > 0 {
			b, err := json.Marshal(so.Payload)
			if err != nil {
				return nil, fmt.Errorf("signal output %d (%q): payload: %w", i, so.Name, err)
			}
			out[i].Payload = b
		}
	}
	return out, nil
}
