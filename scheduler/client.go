package scheduler

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/internal/retry"
	"github.com/batonhq/baton/internal/taskqueue"
)

// DefaultTaskQueue is where queues run when Options.TaskQueue is empty.
const DefaultTaskQueue = taskqueue.Default

// Options configure a Client.
type Options struct {
	// TaskQueue Baton workers poll; queues and instances run there.
	TaskQueue string
}

// Client talks to the queues of workflow ids.
type Client struct {
	tc   sdkclient.Client
	opts Options
}

// New returns a Client over a Temporal client.
func New(tc sdkclient.Client, opts Options) *Client {
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	return &Client{tc: tc, opts: opts}
}

// RefusedError is a request the queue refused, with Maestro's reason.
type RefusedError struct {
	WorkflowID string
	Reason     string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("workflow %q: %s", e.WorkflowID, e.Reason)
}

func (c *Client) wrap(err error, workflowID, op string) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == ErrorTypeRefused {
		return &RefusedError{WorkflowID: workflowID, Reason: appErr.Message()}
	}
	return fmt.Errorf("scheduler: %s %s: %w", op, workflowID, err)
}

// update sends an update, starting the queue first if it does not run.
// An update whose workflow task failed is resent under its update id.
// It is sent as a plain update first: the queue runs for almost every
// update, and the server answers a plain one sooner than update-with-start
// (TestDiagQueueUpdate); one that finds no running queue is sent again
// with the start.
func (c *Client) update(ctx context.Context, workflowID, name string, out any, args ...any) error {
	err := c.send(ctx, workflowID, name, out, args...)
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &nf):
		return c.wrap(err, workflowID, name)
	}
	err = retry.UpdateWithStart(ctx, c.tc, sdkclient.StartWorkflowOptions{
		ID:                       QueueIDOn(c.opts.TaskQueue, workflowID),
		TaskQueue:                c.opts.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, QueueWorkflowName, QueueInput{State: State{WorkflowID: workflowID}},
		sdkclient.UpdateWorkflowOptions{WorkflowID: QueueIDOn(c.opts.TaskQueue, workflowID), UpdateName: name, Args: args}, out)
	if err != nil {
		return c.wrap(err, workflowID, name)
	}
	return nil
}

// Admit asks workflowID's queue to admit one instance under the run
// strategy of req.Plan. The instance either runs at once (IN_PROGRESS),
// waits (CREATED, with its position) or is stopped at once (STOPPED, by
// FIRST_ONLY). A request for an instance id the queue knows returns that
// instance with Duplicate set.
func (c *Client) Admit(ctx context.Context, req StartRequest) (Admission, error) {
	if req.Plan == nil {
		return Admission{}, errors.New("scheduler: admit without a plan")
	}
	if req.TaskQueue == "" {
		req.TaskQueue = c.opts.TaskQueue
	}
	var a Admission
	err := c.update(ctx, req.Plan.WorkflowID, UpdateStart, &a, req)
	return a, err
}

// SetStrategy makes s workflowID's run strategy; Maestro's refusals
// apply (FIRST_ONLY or LAST_ONLY while more than one instance is not
// terminal, STRICT_SEQUENTIAL while FAILED instances are not unblocked).
func (c *Client) SetStrategy(ctx context.Context, workflowID string, s Strategy) error {
	return c.update(ctx, workflowID, UpdateStrategy, nil, s)
}

// CheckStrategy reports the error SetStrategy would give, changing
// nothing: nil when workflowID has no queue yet.
func (c *Client) CheckStrategy(ctx context.Context, workflowID string, s Strategy) error {
	snap, err := c.Instances(ctx, workflowID)
	if err != nil || snap.Strategy.Rule == "" {
		return err
	}
	st := State{WorkflowID: workflowID, Strategy: snap.Strategy, StrategySet: true, Blocked: snap.Blocked}
	for i := range snap.Instances {
		in := &snap.Instances[i]
		switch in.Status {
		case StatusCreated:
			st.Queue = append(st.Queue, in)
		case StatusInProgress:
			st.Running = append(st.Running, in)
		default:
			st.Ended = append(st.Ended, in)
		}
	}
	if err := st.checkSwitch(s); err != nil {
		return &RefusedError{WorkflowID: workflowID, Reason: err.Error()}
	}
	return nil
}

// Stop stops one instance of workflowID: a waiting one ends STOPPED at
// once, a running one is stopped as Run.Stop does.
func (c *Client) Stop(ctx context.Context, workflowID, instanceID string) (Instance, error) {
	var in Instance
	if err := c.send(ctx, workflowID, UpdateStop, &in, instanceID); err != nil {
		return in, c.wrap(err, workflowID, "stop")
	}
	return in, nil
}

// Restarted tells workflowID's queue that an ended instance was restarted
// (client.Restart calls it): the queue counts it as running until it
// ends, and a STRICT_SEQUENTIAL block by it lifts when it ends SUCCEEDED.
// A workflow id without a queue, or an instance it does not know, is no
// error.
func (c *Client) Restarted(ctx context.Context, workflowID, instanceID string) error {
	err := c.send(ctx, workflowID, UpdateRestarted, nil, instanceID)
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return c.wrap(err, workflowID, "restarted")
	}
	return nil
}

// Unblock lifts the block a FAILED instance puts on a STRICT_SEQUENTIAL
// queue (Maestro's UNBLOCK): the next waiting instance starts.
func (c *Client) Unblock(ctx context.Context, workflowID string) error {
	if err := c.send(ctx, workflowID, UpdateUnblock, nil); err != nil {
		return c.wrap(err, workflowID, "unblock")
	}
	return nil
}

// Instances lists workflowID's instances the queue knows: running, then
// waiting in order (with their positions), then the last ended ones,
// newest first. A workflow id without a queue has none.
func (c *Client) Instances(ctx context.Context, workflowID string) (Snapshot, error) {
	v, err := c.query(ctx, workflowID)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return Snapshot{WorkflowID: workflowID}, nil
	}
	if err != nil {
		return Snapshot{}, c.wrap(err, workflowID, "list")
	}
	var s Snapshot
	if err := v.Get(&s); err != nil {
		return Snapshot{}, fmt.Errorf("scheduler: list %s: %w", workflowID, err)
	}
	return s, nil
}

// Lookup finds one instance in workflowID's queue (nil if it has none).
func (c *Client) Lookup(ctx context.Context, workflowID, instanceID string) (*Instance, error) {
	s, err := c.Instances(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	for i := range s.Instances {
		if s.Instances[i].ID == instanceID {
			return &s.Instances[i], nil
		}
	}
	return nil, nil
}

// query queries the queue, retrying while a new run (after
// continue-as-new) has not completed its first workflow task.
func (c *Client) query(ctx context.Context, workflowID string) (converter.EncodedValue, error) {
	return retry.NotReady(ctx, "query "+QueryInstances, func() (converter.EncodedValue, error) {
		return c.tc.QueryWorkflow(ctx, QueueIDOn(c.opts.TaskQueue, workflowID), "", QueryInstances)
	})
}

// send sends one update to workflowID's queue and reads its result into
// out; an update the queue's workflow task failed is resent, under one
// update id, so that it applies once.
func (c *Client) send(ctx context.Context, workflowID, name string, out any, args ...any) error {
	return retry.Update(ctx, c.tc, sdkclient.UpdateWorkflowOptions{
		WorkflowID: QueueIDOn(c.opts.TaskQueue, workflowID), UpdateName: name, Args: args}, out)
}

// Restart admits the next run of an ended instance of workflowID through
// its run strategy (it runs at once, waits, or is stopped, as a start
// would). ErrUnknownInstance: the workflow id has no queue, or the queue
// does not know the instance; restart it outside the queue.
func (c *Client) Restart(ctx context.Context, workflowID string, req RestartRequest) (Admission, error) {
	if req.TaskQueue == "" {
		req.TaskQueue = c.opts.TaskQueue
	}
	var a Admission
	err := c.send(ctx, workflowID, UpdateRestart, &a, req)
	var nf *serviceerror.NotFound
	var appErr *temporal.ApplicationError
	switch {
	case err == nil:
		return a, nil
	case errors.As(err, &nf), errors.As(err, &appErr) && appErr.Type() == ErrorTypeUnknown:
		return a, ErrUnknownInstance
	}
	return a, c.wrap(err, workflowID, "restart")
}
