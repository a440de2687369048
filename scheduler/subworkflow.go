package scheduler

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/workflows"
)

// A subworkflow step admits its child through the child workflow id's
// queue (workflows.ChangeSubworkflowQueue), as Maestro's subworkflow step
// runtime starts its child with startWithRunStrategy: the child runs at
// once, waits (CREATED, with its position) or is stopped (FIRST_ONLY).
// The parent of a sync step starts the child itself as its Temporal child
// (so stop, kill and terminate of the parent reach it as before, and it
// waits for the child's result as before): at once when admitted at
// once, else when the queue signals it that the child is admitted. The
// queue watches such a child as it watches any instance its caller
// starts. An async step's waiting child is started by the queue.

// AdmitSubworkflow is the activity that admits a subworkflow step's
// child through its workflow id's queue.
func AdmitSubworkflow(ctx context.Context, req workflows.SubworkflowAdmit) (*workflows.SubworkflowAdmission, error) {
	if req.Input.Plan == nil {
		return nil, temporal.NewNonRetryableApplicationError("admit subworkflow "+req.InstanceID+": no plan", ErrorTypeRefused, nil)
	}
	in := req.Input
	c := New(activity.GetClient(ctx), Options{TaskQueue: req.TaskQueue})
	a, err := c.Admit(ctx, StartRequest{
		InstanceID: req.InstanceID, Plan: in.Plan, Initiator: in.Initiator, Version: req.Version,
		TaskQueue: req.TaskQueue, CallerStarts: true, Input: &in, Parent: req.ParentID,
	})
	var refusedErr *RefusedError
	if errors.As(err, &refusedErr) {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrorTypeRefused, nil)
	}
	if err != nil {
		return nil, err
	}
	return &workflows.SubworkflowAdmission{Status: a.Instance.Status, Position: a.Instance.Position, Reason: a.Instance.Reason, Start: a.Start}, nil
}

// StopSubworkflow is the activity that stops a child waiting in its
// queue when its parent step stops; a child that has ended meanwhile is
// no error.
func StopSubworkflow(ctx context.Context, req workflows.SubworkflowStop) error {
	c := New(activity.GetClient(ctx), Options{TaskQueue: req.TaskQueue})
	_, err := c.Stop(ctx, req.WorkflowID, req.InstanceID)
	var refusedErr *RefusedError
	if errors.As(err, &refusedErr) {
		return nil
	}
	return err
}

// admitChildAgain answers a subworkflow step's start of an instance the
// queue knows: one that has ended (the child of a restarted or retried
// step: the same child instance) is placed again by the rule, with the
// new input; one still running is a duplicate, which its parent starts if
// it is that parent (the activity retried after an answer was lost).
func (q *queue) admitChildAgain(ctx workflow.Context, req StartRequest, in *Instance) Admission {
	if in.Status == StatusInProgress {
		q.checkRunning(ctx, []RunRef{runRef(in)})
	}
	if q.st.ended(in.ID) == nil {
		a := Admission{Instance: public(in), Duplicate: true}
		if in.Status == StatusCreated {
			a.Instance.Position = q.st.position(in.ID)
		}
		a.Start = in.Status == StatusInProgress && in.CallerStarts && in.Parent != "" && in.Parent == req.Parent && !in.Stopping
		return a
	}
	next, _ := StrategyOf(req.Plan)
	q.st.setStrategy(next)
	again := q.st.requeue(RestartRequest{InstanceID: in.ID, Input: *req.Input, TaskQueue: req.TaskQueue, Version: req.Version}, workflow.Now(ctx))
	again.Parent, again.Rerun = req.Parent, req.Parent != ""
	delete(q.watched, again.ID)
	q.poke()
	a := Admission{Instance: public(again)}
	if again.Status == StatusCreated {
		a.Instance.Position = q.st.position(again.ID)
	}
	a.Start = q.callerStarts(ctx, req, again)
	return a
}

// notifyParent hands an admitted child to its parent, which starts it:
// the queue watches it as an instance its caller starts. A parent that is
// gone cannot start it: it ends STOPPED.
func (q *queue) notifyParent(ctx workflow.Context, in *Instance) {
	in.CallerStarts = true
	in.RunParams, in.PlanHash, in.Meta, in.RestartInput, in.Signal = nil, "", nil, nil, nil
	id := in.ID
	f := workflow.SignalExternalWorkflow(ctx, in.Parent, "", workflows.SignalSubworkflowAdmitted+id, id)
	q.sel.AddFuture(f, func(f workflow.Future) {
		if err := f.Get(ctx, nil); err != nil {
			q.ended = append(q.ended, ending{id: id, status: StatusStopped, reason: "its parent run, which starts it, is gone: " + err.Error()})
		}
	})
}

// runRef names the run of a running instance the queue awaits.
func runRef(in *Instance) RunRef {
	r := RunRef{ID: in.ID, RunID: in.RunID}
	if in.Rerun && in.Started != nil {
		r.NotBefore = *in.Started
	}
	return r
}

// checkRunning settles those of refs that have in fact ended (the child
// of a parent's previous run, ended with that run, whose end the queue
// has not heard of yet).
func (q *queue) checkRunning(ctx workflow.Context, refs []RunRef) {
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
