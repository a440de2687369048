package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// Scheduler returns the client of the workflow ids' run-strategy queues.
func (c *Client) Scheduler() *scheduler.Client {
	return scheduler.New(c.tc, scheduler.Options{TaskQueue: c.opts.TaskQueue})
}

// queued tells whether a start goes through the run strategy.
func (c *Client) queued(plan *translator.Plan, opts StartOptions) bool {
	if opts.Bare {
		return false
	}
	_, explicit := scheduler.StrategyOf(plan)
	return opts.Queued || explicit
}

// startQueued admits the instance through its workflow id's queue.
func (c *Client) startQueued(ctx context.Context, plan *translator.Plan, id, initiator string, opts StartOptions) (*Run, error) {
	a, err := c.Scheduler().Admit(ctx, scheduler.StartRequest{
		InstanceID: id, RequestID: opts.RequestID, Plan: plan, RunParams: opts.RunParams,
		Initiator: initiator, Version: opts.Version, TaskQueue: c.opts.TaskQueue,
	})
	if err != nil {
		return nil, err
	}
	return &Run{c: c, id: id, wr: c.tc.GetWorkflow(ctx, id, ""), queue: plan.WorkflowID, admission: &a}, nil
}

// Admission is the run strategy's answer to the start of a queued run
// (nil for a bare start): IN_PROGRESS, CREATED with its queue position, or
// STOPPED (FIRST_ONLY).
func (r *Run) Admission() *scheduler.Admission { return r.admission }

// waitQueued waits for a queued run: while it waits in the queue it has no
// Temporal execution yet; one stopped before it ran ends with a state
// built from the queue's record.
func (r *Run) waitQueued(ctx context.Context) (*workflows.State, error) {
	for wait, tries := time.Millisecond, 0; ; tries++ {
		var st workflows.State
		err := r.c.tc.GetWorkflow(ctx, r.id, "").Get(ctx, &st)
		if err == nil {
			return &st, nil
		}
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			return nil, fmt.Errorf("baton: run %s: %w", r.id, err)
		}
		// Just admitted: its child start may not be processed yet.
		if tries >= 3 || r.admission.Instance.Status != scheduler.StatusInProgress {
			in, err := r.c.Scheduler().Lookup(ctx, r.queue, r.id)
			if err != nil {
				return nil, err
			}
			switch {
			case in == nil:
				return nil, fmt.Errorf("baton: run %s: no such instance in workflow %q's queue", r.id, r.queue)
			case in.Ended != nil && in.Started == nil:
				end := *in.Ended
				return &workflows.State{WorkflowID: r.queue, Status: workflows.InstanceStatus(in.Status), StartTime: in.Arrived, EndTime: &end, Error: in.Reason}, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// Instances lists workflowID's instances with their Maestro status,
// instance number, version and queue position (see scheduler.Snapshot).
func (c *Client) Instances(ctx context.Context, workflowID string) (scheduler.Snapshot, error) {
	return c.Scheduler().Instances(ctx, workflowID)
}

// Unblock lifts a STRICT_SEQUENTIAL block (Maestro's UNBLOCK).
func (c *Client) Unblock(ctx context.Context, workflowID string) error {
	return c.Scheduler().Unblock(ctx, workflowID)
}
