package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ChangeSubworkflowQueue: from version 1 a subworkflow step admits its
// child instance through the run strategy of the child's workflow id (its
// queue, package scheduler), as Maestro's SubworkflowStepRuntime starts
// the child with WorkflowActionHandler.start (startWithRunStrategy), or
// restartDirectly for a restarted child. Before it the child ran at once.
const ChangeSubworkflowQueue = "subworkflow-queue"

// Activities and the signal of a subworkflow start through the queue; the
// scheduler package registers the activities (it imports this package).
const (
	// SubworkflowAdmitActivityName admits a child instance:
	// SubworkflowAdmit -> SubworkflowAdmission.
	SubworkflowAdmitActivityName = "baton.scheduler.AdmitSubworkflow"
	// SubworkflowStopActivityName stops a child instance that waits in its
	// queue: SubworkflowStop -> nothing.
	SubworkflowStopActivityName = "baton.scheduler.StopSubworkflow"
	// SignalSubworkflowAdmitted + the child instance id is the signal the
	// queue sends the parent when a waiting child is admitted: the parent
	// then starts it as its own child.
	SignalSubworkflowAdmitted = "baton.subworkflow.admitted/"
)

// SubworkflowAdmit asks the child workflow id's queue to admit a child.
type SubworkflowAdmit struct {
	InstanceID string   `json:"instance_id"`
	Input      RunInput `json:"input"`
	TaskQueue  string   `json:"task_queue"`
	Version    int      `json:"version,omitempty"`
	// ParentID is the parent's workflow id, which the queue signals when a
	// waiting child is admitted (sync steps); "" (async steps): the queue
	// starts a waiting child itself.
	ParentID string `json:"parent_id,omitempty"`
}

// SubworkflowAdmission is the queue's answer for a child.
type SubworkflowAdmission struct {
	// Status is the child's queue status: IN_PROGRESS, CREATED (waiting,
	// at Position), or an ended status (STOPPED by FIRST_ONLY).
	Status   string `json:"status"`
	Position int    `json:"position,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Start: the parent starts the child now.
	Start bool `json:"start,omitempty"`
}

// SubworkflowStop stops a child in its queue.
type SubworkflowStop struct {
	WorkflowID string `json:"workflow_id"`
	InstanceID string `json:"instance_id"`
	TaskQueue  string `json:"task_queue"`
}

// queuedSubworkflows tells whether this subworkflow step admits its child
// through the child's queue (ChangeSubworkflowQueue).
func queuedSubworkflows(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, ChangeSubworkflowQueue, workflow.DefaultVersion, 1) == 1
}

// admitSubworkflow admits the child through its workflow id's run
// strategy. It returns start = true when the parent is to start the child
// now (admitted at once, or after waiting in the queue); otherwise the
// step's outcome: an async step is done once its child is queued (the
// queue starts it), a child the strategy stopped stops the step, and a
// step stopped while its child waits stops the child in the queue.
func (r *run) admitSubworkflow(ctx workflow.Context, n *node, in RunInput, id, childID string) (bool, outcome, error) {
	info := workflow.GetInfo(ctx)
	req := SubworkflowAdmit{InstanceID: childID, Input: in, TaskQueue: info.TaskQueueName}
	if n.plan.Sync {
		req.ParentID = info.WorkflowExecution.ID
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
	var a SubworkflowAdmission
	if err := workflow.ExecuteActivity(actx, SubworkflowAdmitActivityName, req).Get(ctx, &a); err != nil {
		if ctx.Err() != nil { // the update may have admitted it meanwhile
			r.stopQueuedChild(ctx, id, childID)
			return false, outcomeStopped, err
		}
		return false, outcomeFatal, fmt.Errorf("start subworkflow %s through its run strategy: %w", id, cause(err))
	}
	if ctx.Err() != nil && (a.Start || a.Status == queuedStatus) {
		// The step ended (a step action) in the task the queue answered in:
		// the child, admitted or waiting, is not to run.
		r.stopQueuedChild(ctx, id, childID)
		return false, outcomeStopped, ctx.Err()
	}
	switch {
	case a.Start:
		return true, outcomeSucceeded, nil
	case a.Status == string(InProgress):
		return false, outcomeFatal, fmt.Errorf("start subworkflow %s: its child instance %s, started by a previous run of this instance, is still running; "+
			"a restarted run restarts the same child instance, which is refused until it ends (stop it, or wait for it)", id, childID)
	case a.Status != queuedStatus:
		return false, outcomeStopped, fmt.Errorf("subworkflow %s was stopped by its run strategy: %s", id, a.Reason)
	case !n.plan.Sync:
		return false, outcomeSucceeded, nil // queued; the queue starts it
	}
	admitted := false
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalSubworkflowAdmitted+childID), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		admitted = true
	})
	sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
	sel.Select(ctx)
	if admitted {
		return true, outcomeSucceeded, nil
	}
	// Stopped or killed while the child waits: as Maestro's terminate, the
	// queued child ends STOPPED.
	r.stopQueuedChild(ctx, id, childID)
	return false, outcomeStopped, ctx.Err()
}

// stopQueuedChild stops the child in its queue, on a context the step's
// cancellation does not reach.
func (r *run) stopQueuedChild(ctx workflow.Context, id, childID string) {
	info := workflow.GetInfo(ctx)
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	dctx = workflow.WithActivityOptions(dctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5},
	})
	stop := SubworkflowStop{WorkflowID: id, InstanceID: childID, TaskQueue: info.TaskQueueName}
	if err := workflow.ExecuteActivity(dctx, SubworkflowStopActivityName, stop).Get(dctx, nil); err != nil {
		r.warn(fmt.Sprintf("subworkflow %s: stop the waiting child instance %s: %v", id, childID, err))
	}
}

// queuedStatus is the queue's status of a waiting instance.
const queuedStatus = "CREATED"
