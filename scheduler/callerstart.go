package scheduler

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/workflows"
)

// CallerStartGrace is how long the queue waits for the execution of an
// instance its caller starts before it counts the instance STOPPED (a
// caller that died between the admission and its start).
const CallerStartGrace = time.Minute

// changeCallerStarts lets a start ask to start its instance itself.
const changeCallerStarts = "queue-caller-starts"

// callerStarts hands the start of an instance admitted at once to its
// caller, if the request asks: the queue will not start it, and watches
// it on its own (an instance that ends early must not wait for others'
// watch).
func (q *queue) callerStarts(ctx workflow.Context, req StartRequest, in *Instance) bool {
	if !req.CallerStarts || in.Status != StatusInProgress || !in.Launch ||
		workflow.GetVersion(ctx, changeCallerStarts, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false
	}
	in.Launch, in.CallerStarts = false, true
	in.RunParams, in.PlanHash, in.Meta = nil, "", nil
	q.st.prunePlans()
	return true
}

// watchCallerStarted watches, one activity each, the running instances
// their callers start; until one's execution exists (within
// CallerStartGrace of its start) the watch waits for it.
func (q *queue) watchCallerStarted(ctx workflow.Context) {
	for _, in := range q.st.Running {
		if !in.CallerStarts || q.watched[in.ID] {
			continue
		}
		q.watched[in.ID] = true
		grace := time.Duration(0)
		if in.Started != nil {
			grace = max(in.Started.Add(q.grace).Sub(workflow.Now(ctx)), 0)
		}
		f := workflow.ExecuteActivity(q.watchContext(ctx), WatchActivityName, []RunRef{{ID: in.ID, Grace: grace}})
		q.sel.AddFuture(f, func(f workflow.Future) {
			var ended []Ended
			if err := f.Get(ctx, &ended); err != nil {
				return // cannot happen: retried until it ends
			}
			for _, e := range ended {
				q.ended = append(q.ended, ending{id: e.ID, status: e.Status, run: e.Run, reason: e.Reason})
			}
		})
	}
}

// resendCancelOnFailure: the stop of an instance its caller starts may
// reach Temporal before the instance does; it is sent again every second
// while the instance may still appear.
func (q *queue) resendCancelOnFailure(ctx workflow.Context, id string, f workflow.Future) {
	q.sel.AddFuture(f, func(f workflow.Future) {
		if f.Get(ctx, nil) == nil {
			return
		}
		in := q.running(id)
		if in == nil || in.Started == nil || workflow.Now(ctx).Sub(*in.Started) > q.grace {
			return // its watch ends it
		}
		q.sel.AddFuture(workflow.NewTimer(ctx, time.Second), func(workflow.Future) {
			if in := q.running(id); in != nil {
				in.CancelSent = false // launch sends it again
			}
		})
	})
}

// EndedActivityName is the local activity a start runs when every slot
// is taken: it finds which running instances have in fact ended, which
// the queue learns only a moment later from their results or watches.
const EndedActivityName = "baton.scheduler.Ended"

// changeCheckEnded makes a start that finds every slot taken check the
// running instances first.
const changeCheckEnded = "queue-check-ended"

// checkEnded settles the running instances that have ended, before a
// start is decided on a full queue: a caller that waited for an
// instance's result and starts the next must not find it running (under
// FIRST_ONLY it would be stopped; under SEQUENTIAL it would wait).
func (q *queue) checkEnded(ctx workflow.Context) {
	if len(q.st.Running) == 0 || len(q.st.Queue) > 0 || len(q.st.Running) < q.st.Strategy.slots() && q.st.Strategy.Rule != string(definition.FirstOnly) {
		return
	}
	if workflow.GetVersion(ctx, changeCheckEnded, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	refs := make([]RunRef, 0, len(q.st.Running))
	for _, in := range q.st.Running {
		refs = append(refs, RunRef{ID: in.ID, RunID: in.RunID})
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 5 * time.Second})
	var ended []Ended
	if err := workflow.ExecuteLocalActivity(lctx, EndedActivityName, refs).Get(ctx, &ended); err != nil {
		return // decided on what the queue knows
	}
	for _, e := range ended {
		q.ended = append(q.ended, ending{id: e.ID, status: e.Status, run: e.Run, reason: e.Reason})
	}
	q.settle(ctx)
}

// CheckEnded is the local activity: the instances of refs that have
// ended, with how.
func CheckEnded(ctx context.Context, refs []RunRef) ([]Ended, error) {
	tc := activity.GetClient(ctx)
	var out []Ended
	for _, r := range refs {
		d, err := tc.DescribeWorkflowExecution(ctx, r.ID, r.RunID)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			continue // not started yet (its caller starts it): running
		}
		if err != nil {
			return nil, err
		}
		if d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			continue
		}
		var st workflows.State
		err = tc.GetWorkflow(ctx, r.ID, d.GetWorkflowExecutionInfo().GetExecution().GetRunId()).Get(ctx, &st)
		if err == nil {
			out = append(out, Ended{ID: r.ID, Status: string(st.Status), Run: st.Run, Reason: st.Error})
			continue
		}
		e := endingOf(r.ID, nil, err)
		out = append(out, Ended{ID: r.ID, Status: e.status, Reason: e.reason})
	}
	return out, nil
}
