package signals

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/internal/retry"
)

// Names of the subscription: the store's update, the Temporal signal it
// sends a waiting run, and the activities the interpreter calls.
const (
	UpdateWait = "wait"
	// SignalMatched is the Temporal signal a store sends a waiting
	// workflow run when an instance matches its subscription; its argument
	// is a Matched.
	SignalMatched       = "baton.signal-matched"
	WaitActivityName    = "baton.signals.Wait"
	OutputsActivityName = "baton.signals.SendOutputs"
	// ErrorTypeRefused is the application error type of a wait or send the
	// store refuses (a bad name, a limit): retrying cannot help.
	ErrorTypeRefused = "baton.signals.Refused"
	// MaxWaiters is how many subscriptions one store keeps at once.
	MaxWaiters = 10000
)

// Waiter is a subscription: the first instance that satisfies Match is
// signalled to the workflow run (WorkflowID, RunID) with Key, once.
type Waiter struct {
	WorkflowID string       `json:"workflow_id"`
	RunID      string       `json:"run_id"`
	Key        string       `json:"key"`
	Match      []MatchParam `json:"match,omitempty"`
}

// WaitRequest is the wait update's argument and the Wait activity's input.
type WaitRequest struct {
	Name string `json:"name"`
	Waiter
}

// Matched is the argument of SignalMatched: the subscription's key and the
// instance that satisfied it.
type Matched struct {
	Key      string    `json:"key"`
	Instance *Instance `json:"instance"`
}

func checkWait(name string, req WaitRequest) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if req.WorkflowID == "" || req.Key == "" {
		return fmt.Errorf("wait for signal %q: a workflow id and a key are required", truncate(name))
	}
	if err := CheckMatch(req.Match); err != nil {
		return fmt.Errorf("wait for signal %q: %w", truncate(name), err)
	}
	return nil
}

// wait answers the oldest matching instance at once, or registers the
// subscription (replacing one with the same run and key, so a retried
// registration is harmless) and answers nil.
func (s *store) wait(req WaitRequest) (*Instance, error) {
	for _, in := range s.Instances {
		if in.Matches(req.Match) {
			return in, nil
		}
	}
	for i, w := range s.Waiters {
		if w.WorkflowID == req.WorkflowID && w.RunID == req.RunID && w.Key == req.Key {
			s.Waiters[i] = &req.Waiter
			return nil, nil
		}
	}
	if len(s.Waiters) >= MaxWaiters {
		return nil, fmt.Errorf("signal %q: %d runs wait already, the most one signal name takes", truncate(s.Name), MaxWaiters)
	}
	w := req.Waiter
	s.Waiters = append(s.Waiters, &w)
	return nil, nil
}

// notify signals every waiter that in satisfies and forgets it. The
// signals are sent without blocking the send; Store waits for them before
// it continues as new. A waiter whose run has ended is dropped.
func (s *store) notify(ctx workflow.Context, in *Instance) {
	if len(s.Waiters) == 0 {
		return
	}
	kept := s.Waiters[:0]
	for _, w := range s.Waiters {
		if !in.Matches(w.Match) {
			kept = append(kept, w)
			continue
		}
		f := workflow.SignalExternalWorkflow(ctx, w.WorkflowID, w.RunID, SignalMatched, Matched{Key: w.Key, Instance: in})
		s.notifying++
		workflow.Go(ctx, func(ctx workflow.Context) {
			_ = f.Get(ctx, nil) // a run that has ended no longer waits
			s.notifying--
		})
	}
	for i := len(kept); i < len(s.Waiters); i++ {
		s.Waiters[i] = nil
	}
	s.Waiters = kept
}

// Wait is the activity behind a step's signal dependency: it subscribes
// the calling run to the first instance of req.Name that matches, and
// returns the instance if one is stored already (nil otherwise: the store
// will signal the run). The store is started if the name has none yet.
func Wait(ctx context.Context, req WaitRequest) (*Instance, error) {
	info := activity.GetInfo(ctx)
	c := NewClient(activity.GetClient(ctx), ClientOptions{TaskQueue: info.TaskQueue})
	in, err := c.Wait(ctx, req)
	if isRefused(err) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrorTypeRefused, nil)
	}
	return in, err
}

// Wait subscribes req.Waiter to the first instance of req.Name matching
// req.Match; see the Wait activity.
func (c *Client) Wait(ctx context.Context, req WaitRequest) (*Instance, error) {
	if err := checkWait(req.Name, req); err != nil {
		return nil, &refusedError{err}
	}
	var out *Instance
	if err := c.update(ctx, req.Name, UpdateWait, req, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// update runs an update on name's store. A plain update first: concurrent
// update-with-starts of one running workflow contend on its start and
// are much slower; only when the store does not run yet is it started
// with the update.
func (c *Client) update(ctx context.Context, name, update string, arg, out any) error {
	release, err := c.slot(ctx, name)
	if err != nil {
		return fmt.Errorf("%s signal %q: %w", update, name, err)
	}
	defer release()
	// One update id for every send: an update whose workflow task failed
	// (WorkflowNotReady: nothing was applied) is resent, and applies once.
	opts := sdkclient.UpdateWorkflowOptions{
		UpdateID:     retry.UpdateID(),
		WorkflowID:   WorkflowID(name),
		UpdateName:   update,
		Args:         []any{arg},
		WaitForStage: sdkclient.WorkflowUpdateStageCompleted,
	}
	_, err = retry.NotReady(ctx, update+" signal "+name, func() (struct{}, error) {
		h, err := c.tc.UpdateWorkflow(ctx, opts)
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			h, err = c.updateWithStart(ctx, name, opts)
		}
		if err == nil {
			err = h.Get(ctx, out)
		}
		return struct{}{}, err
	})
	if err != nil {
		return fmt.Errorf("%s signal %q: %w", update, name, err)
	}
	return nil
}

func (c *Client) updateWithStart(ctx context.Context, name string, opts sdkclient.UpdateWorkflowOptions) (sdkclient.WorkflowUpdateHandle, error) {
	start := c.tc.NewWithStartWorkflowOperation(sdkclient.StartWorkflowOptions{
		ID:                       WorkflowID(name),
		TaskQueue:                c.opts.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, WorkflowName, State{Name: name, Options: c.opts.Store})
	opts.WorkflowID = ""
	return c.tc.UpdateWithStartWorkflow(ctx, sdkclient.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          opts,
	})
}

// ActivityRegistrar is what RegisterActivities needs: a worker, or a
// testsuite environment.
type ActivityRegistrar interface {
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// RegisterActivities registers Wait and SendOutputs, the activities the
// interpreter calls for step signal dependencies and outputs.
func RegisterActivities(r ActivityRegistrar) {
	r.RegisterActivityWithOptions(Wait, activity.RegisterOptions{Name: WaitActivityName})
	r.RegisterActivityWithOptions(SendOutputs, activity.RegisterOptions{Name: OutputsActivityName})
}
