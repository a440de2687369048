package scheduler

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/workflows"
)

// WatchActivityName is the activity that waits for instances a previous
// run of a queue started to end.
const WatchActivityName = "baton.scheduler.Watch"

// RunRef names one instance run ("" RunID: the latest run).
type RunRef struct {
	ID    string `json:"id"`
	RunID string `json:"run_id,omitempty"`
	// Grace is how long an instance its caller starts may not exist yet.
	Grace time.Duration `json:"grace,omitempty"`
	// NotBefore, if set, makes a run that started before it one of the
	// runs before (an ended instance placed again): not started yet.
	NotBefore time.Time `json:"not_before,omitzero"`
}

// Ended is how a watched instance ended.
type Ended struct {
	ID string `json:"id"`
	// RunID is the Temporal run that ended, when the reporter knows it.
	RunID  string `json:"run_id,omitempty"`
	Status string `json:"status"`
	Run    int    `json:"run,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Watch waits until at least one of refs has ended and returns every one
// that has by then. It heartbeats while it waits.
func Watch(ctx context.Context, refs []RunRef) ([]Ended, error) {
	tc := activity.GetClient(ctx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan Ended, len(refs))
	for _, r := range refs {
		go func() {
			var st workflows.State
			err := result(ctx, tc, r, &st)
			var nf *serviceerror.NotFound
			for deadline, wait := time.Now().Add(r.Grace), 2*time.Millisecond; errors.As(err, &nf) && time.Now().Before(deadline); wait = min(2*wait, time.Second) {
				select { // its caller has not started it yet
				case <-ctx.Done():
				case <-time.After(wait):
				}
				if ctx.Err() != nil {
					return
				}
				err = result(ctx, tc, r, &st)
			}
			if ctx.Err() != nil {
				return
			}
			switch {
			case err == nil:
				done <- Ended{ID: r.ID, Status: string(st.Status), Run: st.Run, Reason: st.Error}
			case errors.As(err, &nf) && r.Grace > 0:
				done <- Ended{ID: r.ID, Status: StatusStopped, Reason: "its caller never started it"}
			case errors.As(err, &nf):
				done <- Ended{ID: r.ID, Status: StatusStopped, Reason: "instance not found"}
			default:
				e := endingOf(r.ID, nil, err, false)
				done <- Ended{ID: r.ID, Status: e.status, Reason: e.reason}
			}
		}()
	}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case e := <-done:
			// Ends that come within 50 ms share the answer (one workflow
			// task of the queue for them all); once every instance has
			// ended there is nothing to wait for.
			out := []Ended{e}
			for more := len(out) < len(refs); more; {
				select {
				case e := <-done:
					out = append(out, e)
					more = len(out) < len(refs)
				case <-time.After(50 * time.Millisecond):
					more = false
				}
			}
			return out, nil
		case <-tick.C:
			activity.RecordHeartbeat(ctx)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// result waits for the result of r's run (see RunRef.NotBefore).
func result(ctx context.Context, tc sdkclient.Client, r RunRef, st *workflows.State) error {
	run := r.RunID
	if !r.NotBefore.IsZero() {
		d, err := tc.DescribeWorkflowExecution(ctx, r.ID, "")
		if err != nil {
			return err
		}
		info := d.GetWorkflowExecutionInfo()
		if info.GetStartTime().AsTime().Before(r.NotBefore) {
			return serviceerror.NewNotFound("the run after " + info.GetExecution().GetRunId() + " has not started yet")
		}
		run = info.GetExecution().GetRunId()
	}
	return tc.GetWorkflow(ctx, r.ID, run).Get(ctx, st)
}
