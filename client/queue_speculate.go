package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// speculates tells whether a queued start starts its instance while it
// asks the queue (scheduler/doc.go, "Speculative starts"): only with a
// worker in this process, whose first workflow task of the instance then
// takes the queue's answer from this process.
func (c *Client) speculates() bool {
	return c.opts.EagerStart && !c.opts.NoSpeculativeStart
}

// startSpeculative sends the queue's Admit update and the instance's
// eager start at once. The instance's first workflow task waits for the
// answer this client hands it (scheduler.Admitted): admitted at once, it
// runs in that same task; waiting, it waits CREATED for the queue's
// signal; stopped, it ends STOPPED.
func (c *Client) startSpeculative(ctx context.Context, plan *translator.Plan, id, initiator string, opts StartOptions, req scheduler.StartRequest) (*Run, error) {
	meta := runMeta{plan: plan, version: opts.Version}
	token, err := newToken()
	if err != nil {
		return nil, fmt.Errorf("baton: start %s: %w", id, err)
	}
	scheduler.ExpectAdmission(token)
	type started struct {
		wr  sdkclient.WorkflowRun
		err error
	}
	out := make(chan started, 1)
	go func() {
		so := c.instanceStart(id) // eager: speculates requires it
		in := workflows.RunInput{Plan: plan, RunParams: opts.RunParams, Initiator: initiator,
			AwaitAdmission: &workflows.AwaitAdmission{Token: token, Grace: c.opts.SpeculativeGrace, Recheck: c.opts.SpeculativeRecheck}}
		wr, err := c.execute(ctx, so, in, meta)
		out <- started{wr, err}
	}()
	req.CallerStarts, req.Speculative = true, true
	a, err := c.Scheduler().Admit(ctx, req)
	if err != nil {
		var refused *scheduler.RefusedError
		if !errors.As(err, &refused) {
			scheduler.Unanswered(token) // it asks the queue
			<-out
			return nil, err
		}
		// Deleted while it waits for the answer (a delete that reaches a
		// run as it completes may be lost); told STOPPED then, in case the
		// delete failed.
		if s := <-out; s.err == nil {
			c.deleteRefused(context.WithoutCancel(ctx), id, s.wr.GetRunID())
		}
		scheduler.Admitted(token, scheduler.Admission{Instance: scheduler.Instance{Status: scheduler.StatusStopped, Reason: "refused by the run strategy: " + refused.Reason}})
		return nil, err
	}
	scheduler.Admitted(token, a)
	s := <-out
	run := &Run{c: c, id: id, wr: c.tc.GetWorkflow(ctx, id, ""), queue: plan.WorkflowID, admission: &a}
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case s.err == nil: // its own, or (a duplicate) the one USE_EXISTING found
		run.wr, run.runID = s.wr, s.wr.GetRunID()
	case a.Duplicate && errors.As(s.err, &already):
		// The instance of an earlier start with this request id, ended.
	case a.Instance.Status == scheduler.StatusInProgress:
		// The queue counts it as running: end it there, or its watch
		// does after scheduler.CallerStartGrace.
		_, _ = c.Scheduler().Stop(context.WithoutCancel(ctx), plan.WorkflowID, id)
		return nil, fmt.Errorf("baton: start %s: admitted by the run strategy, but %w", id, s.err)
	default:
		return nil, fmt.Errorf("baton: start %s: %w", id, s.err)
	}
	return run, nil
}

// deleteRefused deletes the execution of a start the queue refused, as
// if it had never started (a refused start leaves nothing, and its request
// id may be used again), waiting briefly until it is gone; one that
// cannot be deleted has ended STOPPED.
func (c *Client) deleteRefused(ctx context.Context, id, runID string) {
	ns := c.opts.Namespace
	if ns == "" {
		ns = "default"
	}
	deadline := time.Now().Add(deleteWait)
	for wait := time.Millisecond; time.Now().Before(deadline); wait = min(2*wait, 100*time.Millisecond) {
		// Sent until it is gone.
		_, _ = c.tc.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
			Namespace: ns, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: runID}})
		time.Sleep(wait)
		var nf *serviceerror.NotFound
		if _, err := c.tc.DescribeWorkflowExecution(ctx, id, runID); errors.As(err, &nf) {
			return
		}
	}
}

// deleteWait bounds the wait for a refused start's execution to be gone
// (the server deletes it in the background).
const deleteWait = 10 * time.Second

// newToken is a random key for the admission the instance awaits.
func newToken() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
