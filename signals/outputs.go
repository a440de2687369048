package signals

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// OutputsRequest is the SendOutputs activity's input: the signal outputs
// of one successful step attempt, in order.
type OutputsRequest struct {
	Outputs []SendOptions `json:"outputs"`
}

// SendOutputs is the activity behind a step's signal_outputs: it sends
// each signal with its request id, so a retry of the activity (a worker
// crash after some sends) stores nothing twice: the store answers the
// instance it stored the first time. It returns the instances in order.
func SendOutputs(ctx context.Context, req OutputsRequest) ([]*Instance, error) {
	info := activity.GetInfo(ctx)
	c := NewClient(activity.GetClient(ctx), ClientOptions{TaskQueue: info.TaskQueue})
	out := make([]*Instance, 0, len(req.Outputs))
	for _, o := range req.Outputs {
		if o.RequestID == "" {
			return nil, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("signal output %q: no request id", truncate(o.Name)), ErrorTypeRefused, nil)
		}
		res, err := c.Send(ctx, o)
		if err != nil {
			if isRefused(err) {
				return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrorTypeRefused, nil)
			}
			return nil, err
		}
		out = append(out, res.Instance)
	}
	return out, nil
}

// refusedError is a request the store refuses whatever the retry: a bad
// name, a param over a limit, a full waiter list.
type refusedError struct{ err error }

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// isRefused reports whether err is a refusal: checked in the client, or
// returned by the store's handler (an application error from the update).
func isRefused(err error) bool {
	var r *refusedError
	var app *temporal.ApplicationError
	return errors.As(err, &r) || errors.As(err, &app)
}
