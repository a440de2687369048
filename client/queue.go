package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"

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
	meta := runMeta{plan: plan, version: opts.Version}
	req := scheduler.StartRequest{
		InstanceID: id, RequestID: opts.RequestID, Plan: plan, RunParams: opts.RunParams,
		Initiator: initiator, Version: int(opts.Version), TaskQueue: c.opts.TaskQueue,
		SearchAttributes: c.hasSearchAttributes(ctx),
		Summary:          meta.summary(), Details: meta.details(),
		CallerStarts: true,
		Ended:        c.seen.take(plan.WorkflowID),
	}
	if c.speculates() {
		return c.startSpeculative(ctx, plan, id, initiator, opts, req)
	}
	// The breakpoints the run starts with are read while the queue
	// decides (the read is needed only if the queue hands the start to us,
	// and it is one round trip to the server less on the way).
	input := make(chan workflows.RunInput, 1)
	go func(in workflows.RunInput) {
		c.readBreakpoints(ctx, &in)
		input <- in
	}(workflows.RunInput{Plan: plan, RunParams: opts.RunParams, Initiator: initiator})
	a, err := c.Scheduler().Admit(ctx, req)
	if err != nil {
		return nil, err
	}
	run := &Run{c: c, id: id, wr: c.tc.GetWorkflow(ctx, id, ""), queue: plan.WorkflowID, admission: &a}
	if !a.Start {
		return run, nil
	}
	// Admitted at once, and ours to start: an eager start, as a bare one.
	wr, err := c.execute(ctx, c.instanceStart(id), <-input, meta)
	if err != nil {
		// The queue counts it as running: end it there, or its watch does
		// after scheduler.CallerStartGrace.
		_, _ = c.Scheduler().Stop(context.WithoutCancel(ctx), plan.WorkflowID, id)
		return nil, fmt.Errorf("baton: start %s: admitted by the run strategy, but %w", id, err)
	}
	run.wr, run.runID = wr, wr.GetRunID()
	return run, nil
}

// queuedRunID finds the Temporal run id of a queued run once it has
// started (briefly waiting for a just-admitted one); "" while it waits.
func (r *Run) queuedRunID() string {
	if r.admission.Instance.Status != scheduler.StatusInProgress {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for wait := time.Millisecond; ctx.Err() == nil; wait = min(2*wait, 100*time.Millisecond) {
		if run, err := r.currentRun(ctx); err == nil && run != "" {
			return run
		}
		time.Sleep(wait)
	}
	return ""
}

// hasSearchAttributes tells whether the namespace has Baton's search
// attributes, asking visibility once per client: a queued instance is
// started by a workflow (the queue), which cannot fall back as execute
// does when they are missing.
func (c *Client) hasSearchAttributes(ctx context.Context) bool {
	if c.opts.NoSearchAttributes || c.noSearchAttributes.Load() {
		return false
	}
	if c.searchAttributesChecked.Load() {
		return true
	}
	_, err := c.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Query: workflows.SearchAttributeWorkflowID.GetName() + " = '-'",
	})
	if err != nil {
		if isUnknownSearchAttribute(err) {
			c.noSearchAttributes.Store(true)
		}
		return false
	}
	c.searchAttributesChecked.Store(true)
	return true
}

// Admission is the run strategy's answer to the start of a queued run
// (nil for a bare start): IN_PROGRESS, CREATED with its queue position, or
// STOPPED (FIRST_ONLY).
func (r *Run) Admission() *scheduler.Admission { return r.admission }

// waitQueued waits for a queued run: while it waits in the queue it has no
// Temporal execution yet; one stopped before it ran ends with a state
// built from the queue's record.
func (r *Run) waitQueued(ctx context.Context) (*workflows.State, error) {
	if r.runID != "" && r.prevRunID == "" { // its caller (this client) started it
		var st workflows.State
		if err := getResult(ctx, r.wr, &st); err != nil {
			return nil, fmt.Errorf("baton: run %s: %w", r.id, err)
		}
		r.c.seen.add(r.queue, r.id, r.runID, &st)
		return &st, nil
	}
	admitted := time.Now()
	for wait, tries := time.Millisecond, 0; ; tries++ {
		var st workflows.State
		runID, err := "", error(nil)
		if r.prevRunID != "" { // a restart: the instance's latest run may be the one before
			if runID, err = r.currentRun(ctx); err == nil && runID == "" {
				err = serviceerror.NewNotFound("the restart has not started yet")
			}
		}
		if err == nil {
			err = r.c.tc.GetWorkflow(ctx, r.id, runID).Get(ctx, &st)
		}
		if err == nil {
			return &st, nil
		}
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			return nil, fmt.Errorf("baton: run %s: %w", r.id, err)
		}
		// Just admitted: its child start may not be processed yet, so
		// the queue is asked only now and then until that takes longer
		// than it should.
		starting := r.admission.Instance.Status == scheduler.StatusInProgress && time.Since(admitted) < startGrace
		if !starting || tries%100 == 99 {
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
		if !starting { // a waiting instance: back off
			wait = min(2*wait, 500*time.Millisecond)
		}
	}
}

// startGrace is how long a run admitted at once is polled every
// millisecond for its execution (the queue starts it as a child within
// a few milliseconds); exponential backoff made a queued start pay up to
// twice the child's start latency.
const startGrace = time.Second

// Instances lists workflowID's instances with their Maestro status,
// instance number, version and queue position (see scheduler.Snapshot).
func (c *Client) Instances(ctx context.Context, workflowID string) (scheduler.Snapshot, error) {
	return c.Scheduler().Instances(ctx, workflowID)
}

// Unblock lifts a STRICT_SEQUENTIAL block (Maestro's UNBLOCK).
func (c *Client) Unblock(ctx context.Context, workflowID string) error {
	return c.Scheduler().Unblock(ctx, workflowID)
}

// admitRestart starts the next run of an ended instance: through its
// workflow id's run strategy when the queue knows the instance (Maestro's
// restartDirectly goes through the run strategy), else at once (a bare
// start, or an instance the queue has forgotten), telling the queue.
func (c *Client) admitRestart(ctx context.Context, so sdkclient.StartWorkflowOptions, next workflows.RunInput, meta runMeta, prevRunID string) (*Run, error) {
	id, workflowID := so.ID, next.Plan.WorkflowID
	a, err := c.Scheduler().Restart(ctx, workflowID, scheduler.RestartRequest{
		InstanceID: id, Input: next, TaskQueue: c.opts.TaskQueue, Version: int(meta.version),
		SearchAttributes: c.hasSearchAttributes(ctx), Summary: meta.summary(), Details: meta.details(),
	})
	if err == nil {
		return &Run{c: c, id: id, wr: c.tc.GetWorkflow(ctx, id, ""), queue: workflowID, admission: &a, prevRunID: prevRunID}, nil
	}
	if !errors.Is(err, scheduler.ErrUnknownInstance) {
		return nil, fmt.Errorf("baton: restart %s: %w", id, err)
	}
	wr, err := c.execute(ctx, so, next, meta)
	if err != nil {
		var already *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &already) {
			return nil, fmt.Errorf("baton: restart %s: another run started meanwhile: %w", id, err)
		}
		return nil, fmt.Errorf("baton: restart %s: %w", id, err)
	}
	// A queue that knows the instance by now counts the restart (it may
	// lift a STRICT_SEQUENTIAL block).
	if err := c.Scheduler().Restarted(ctx, workflowID, id); err != nil {
		return nil, fmt.Errorf("baton: restart %s: started run %s, but %w", id, wr.GetRunID(), err)
	}
	return &Run{c: c, id: wr.GetID(), runID: wr.GetRunID(), wr: wr}, nil
}

// currentRun is the run id of id's latest execution, "" if it has none
// or it is still prevRunID (a queued restart not started yet).
func (r *Run) currentRun(ctx context.Context) (string, error) {
	d, err := r.c.tc.DescribeWorkflowExecution(ctx, r.id, "")
	if err != nil {
		return "", err
	}
	if run := d.GetWorkflowExecutionInfo().GetExecution().GetRunId(); run != r.prevRunID {
		return run, nil
	}
	return "", nil
}
