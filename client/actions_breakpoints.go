package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/internal/retry"
	"github.com/batonhq/baton/workflows"
)

// maxBreakpointFanout bounds the running runs a breakpoint change is sent
// to.
const maxBreakpointFanout = 10000

// BreakpointChange is the outcome of a set or a delete: the workflow id's
// breakpoints now, and the running runs that were sent them.
type BreakpointChange struct {
	Breakpoints []workflows.Breakpoint `json:"breakpoints"`
	// Notified counts the running runs of the workflow id sent the list.
	Notified int `json:"notified"`
	// NotifyError says why running runs could not be found or sent it
	// ("" if they were); the breakpoint is stored all the same, and runs
	// started from now on read it.
	NotifyError string `json:"notify_error,omitempty"`
}

// SetBreakpoint stores a breakpoint in the store of its workflow id
// (starting the store if it has none) and sends the workflow id's running
// runs the new list: the steps they have not created yet pause at it.
func (c *Client) SetBreakpoint(ctx context.Context, b workflows.Breakpoint) (*BreakpointChange, error) {
	return c.changeBreakpoints(ctx, workflows.UpdateBreakpointSet, b)
}

// DeleteBreakpoint removes a breakpoint (all of its fields must match) and
// sends the workflow id's running runs the new list. Steps it has paused
// stay PAUSED until resumed.
func (c *Client) DeleteBreakpoint(ctx context.Context, b workflows.Breakpoint) (*BreakpointChange, error) {
	return c.changeBreakpoints(ctx, workflows.UpdateBreakpointDelete, b)
}

// ListBreakpoints returns the breakpoints of a workflow id.
func (c *Client) ListBreakpoints(ctx context.Context, workflowID string) ([]workflows.Breakpoint, error) {
	out, _, err := c.listBreakpoints(ctx, workflowID)
	return out, err
}

// listBreakpoints reads a workflow id's breakpoint store; found is false
// if the workflow id has none.
func (c *Client) listBreakpoints(ctx context.Context, workflowID string) (_ []workflows.Breakpoint, found bool, _ error) {
	v, err := retry.NotReady(ctx, "query "+workflows.QueryBreakpoints, func() (converter.EncodedValue, error) {
		return c.tc.QueryWorkflow(ctx, workflows.BreakpointsWorkflowID(workflowID), "", workflows.QueryBreakpoints)
	})
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("baton: list the breakpoints of %s: %w", workflowID, err)
	}
	var out []workflows.Breakpoint
	if err := v.Get(&out); err != nil {
		return nil, true, fmt.Errorf("baton: list the breakpoints of %s: %w", workflowID, err)
	}
	return out, true, nil
}

// readBreakpoints gives a run that is about to start its workflow id's
// breakpoints, read from the store now, so that the run need not read them
// itself (workflows.RunInput.BreakpointsRead). A breakpoint set before this
// read (a set that returned before Start was called) pauses the run; one
// set once the run is visible reaches it by the setter's signal. A set that
// races the start itself (stored after this read, its signal sent before
// visibility lists the run) can miss the run, as one racing visibility's
// lag could before, when runs read the store in their first task. A store
// that cannot be read leaves the read to the run.
//
// A read that found no store at all (most workflow ids) is trusted for
// BreakpointLease from when it was sent: starts of the workflow id in that
// time read nothing. That stays true across processes because a set
// returns only once BreakpointLease has passed since it stored the
// breakpoint (changeBreakpoints): a start that follows a set, in any
// process, finds no trusted read older than the store. A start that finds
// the trusted read readAheadAge old renews it in the background
// (readAhead), so steady starts of a workflow id never wait for a read.
func (c *Client) readBreakpoints(ctx context.Context, in *workflows.RunInput) {
	if in.Plan == nil || in.BreakpointsRead {
		return
	}
	wf := in.Plan.WorkflowID
	if fresh, renew := c.noStore.fresh(wf, time.Now()); fresh {
		if renew {
			c.readAhead(wf)
		}
		in.Breakpoints, in.BreakpointsRead = nil, true
		return
	}
	bps, _, err := c.readStore(ctx, wf)
	if err != nil {
		return
	}
	if len(bps) > workflows.MaxBreakpoints {
		bps = bps[:workflows.MaxBreakpoints]
	}
	in.Breakpoints, in.BreakpointsRead = bps, true
}

// readStore reads wf's breakpoint store and remembers a read that found
// none (or forgets the last one, if it found one).
func (c *Client) readStore(ctx context.Context, wf string) (_ []workflows.Breakpoint, found bool, _ error) {
	sent := time.Now()
	bps, found, err := c.listBreakpoints(ctx, wf)
	if err != nil {
		return nil, false, err
	}
	if found {
		c.noStore.forget(wf)
	} else {
		c.noStore.remember(wf, sent, time.Now())
	}
	return bps, found, nil
}

// readAhead renews a trusted read of wf in the background (one at a time
// per workflow id): the same read a start would make once the lease has
// passed, made before it has, so that the next starts need not wait for
// it. Its answer is remembered as a start's read is; a failed one is
// dropped (the lease then runs out and a start reads).
func (c *Client) readAhead(wf string) {
	if _, busy := c.noStore.ahead.LoadOrStore(wf, true); busy {
		return
	}
	go func() {
		defer c.noStore.ahead.Delete(wf)
		ctx, cancel := context.WithTimeout(context.Background(), BreakpointLease)
		defer cancel()
		_, _, _ = c.readStore(ctx, wf)
	}()
}

func (c *Client) changeBreakpoints(ctx context.Context, update string, b workflows.Breakpoint) (*BreakpointChange, error) {
	if err := b.Check(b.WorkflowID); err != nil {
		return nil, fmt.Errorf("baton: %w", err)
	}
	if b.WorkflowID == "" {
		return nil, errors.New("baton: breakpoint: workflow_id is empty")
	}
	var list []workflows.Breakpoint
	err := retry.UpdateWithStart(ctx, c.tc, sdkclient.StartWorkflowOptions{
		ID:                       workflows.BreakpointsWorkflowID(b.WorkflowID),
		TaskQueue:                c.opts.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.BreakpointsWorkflowName, workflows.BreakpointsState{WorkflowID: b.WorkflowID},
		sdkclient.UpdateWorkflowOptions{UpdateName: update, Args: []any{b}}, &list)
	if err != nil {
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) {
			return nil, fmt.Errorf("baton: %s", appErr.Message())
		}
		return nil, fmt.Errorf("baton: breakpoint %s: %w", b, err)
	}
	stored := time.Now()
	c.noStore.forget(b.WorkflowID)
	out := &BreakpointChange{Breakpoints: list}
	sent := map[string]bool{}
	var errs []error
	if err := c.notifyBreakpoints(ctx, b.WorkflowID, list, sent); err != nil {
		errs = append(errs, err)
	}
	if update == workflows.UpdateBreakpointSet {
		// Wait out the clients' trust in reads that found no store
		// (readBreakpoints), then send the list to the runs they started
		// meanwhile without it.
		// The store is read again: a change made meanwhile (by another
		// process) must not be undone by this older list.
		if err := sleep(ctx, BreakpointLease-time.Since(stored)); err != nil {
			errs = append(errs, fmt.Errorf("runs started in the %v after the set may not have it: %w", BreakpointLease, err))
		} else if now, err := c.ListBreakpoints(ctx, b.WorkflowID); err != nil {
			errs = append(errs, err)
		} else if err := c.notifyBreakpoints(ctx, b.WorkflowID, now, sent); err != nil {
			errs = append(errs, err)
		}
	}
	out.Notified = len(sent)
	if err := errors.Join(errs...); err != nil {
		out.NotifyError = err.Error()
	}
	return out, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// notifyBreakpoints signals a workflow id's running runs (found through
// visibility, which lags by a moment) with its breakpoint list, except the
// runs in sent, and adds the runs it sent it to.
func (c *Client) notifyBreakpoints(ctx context.Context, workflowID string, list []workflows.Breakpoint, sent map[string]bool) error {
	runs, err := c.List(ctx, ListOptions{WorkflowID: workflowID, Query: "ExecutionStatus = 'Running'", Limit: maxBreakpointFanout})
	if err != nil {
		return err
	}
	if list == nil {
		list = []workflows.Breakpoint{}
	}
	failed := 0
	var errs []error
	for _, r := range runs {
		if sent[r.RunID] {
			continue
		}
		err := c.tc.SignalWorkflow(ctx, r.ID, r.RunID, workflows.SignalBreakpoints, list)
		var notFound *serviceerror.NotFound
		switch {
		case err == nil:
			sent[r.RunID] = true
		case errors.As(err, &notFound): // ended since it was listed
		default:
			failed++
			if len(errs) < 3 { // bounded: the first few say enough
				errs = append(errs, fmt.Errorf("run %s: %w", r.ID, err))
			}
		}
	}
	if failed > len(errs) {
		errs = append(errs, fmt.Errorf("and %d more runs", failed-len(errs)))
	}
	return errors.Join(errs...)
}
