package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// A speculative start (scheduler/doc.go, "Speculative starts"): the
// caller starts the instance at the same time as it asks the workflow
// id's queue to admit it, and the instance's first workflow task waits for
// the answer with one local activity. Admitted at once, it goes on in that
// same task; waiting, it stays CREATED until the queue's admission signal;
// stopped, it ends STOPPED without running. Only a run whose own input
// asks for it (RunInput.AwaitAdmission) waits: runs without it, and every
// history recorded before, are untouched.

// Names of the admission wait.
const (
	// AdmissionActivityName is the local activity that waits for the
	// queue's answer (scheduler.AwaitAdmission).
	AdmissionActivityName = "baton.scheduler.AwaitAdmission"
	// AdmissionSignalName is the signal the queue sends a waiting
	// speculative instance: an AdmissionAnswer (IN_PROGRESS: run; an end:
	// end so).
	AdmissionSignalName = "baton.queue.admission"
)

// AwaitAdmission is set in the input of an instance its caller started
// before its queue answered.
type AwaitAdmission struct {
	// Token is the caller's in-process key of the answer
	// (scheduler.ExpectAdmission).
	Token string `json:"token"`
	// Grace is how long an instance its queue does not know waits to
	// become known before it ends STOPPED ("never admitted"); 0: a minute.
	Grace time.Duration `json:"grace,omitempty"`
	// Recheck is how long a waiting instance waits for its signal before
	// it asks the queue again (doubling up to ten times as long); 0: a
	// minute.
	Recheck time.Duration `json:"recheck,omitempty"`
}

// AdmissionRequest is the admission wait's input.
type AdmissionRequest struct {
	Token      string `json:"token,omitempty"` // "": ask the queue at once
	WorkflowID string `json:"workflow_id"`     // Maestro's: the queue's
	TaskQueue  string `json:"task_queue"`
	InstanceID string `json:"instance_id"`
}

// AdmissionAnswer is the queue's answer about one instance.
type AdmissionAnswer struct {
	// Status is the instance's in the queue: IN_PROGRESS (run), CREATED
	// (wait), an end (do not run); "" if the queue does not know it.
	Status   string `json:"status,omitempty"`
	Position int    `json:"position,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// statusCreated is the queue's status of a waiting instance.
const statusCreated = "CREATED"

// awaitAdmission waits until the queue admits the run, or returns the
// State of a run the queue stopped (or never learnt of) before it ran. A
// run that waited reads the breakpoints itself (its caller's read is as
// old as its start).
func awaitAdmission(ctx workflow.Context, in *RunInput) *State {
	aw := in.AwaitAdmission
	info := workflow.GetInfo(ctx)
	req := AdmissionRequest{Token: aw.Token, WorkflowID: in.Plan.WorkflowID, TaskQueue: info.TaskQueueName, InstanceID: info.WorkflowExecution.ID}
	begin := workflow.Now(ctx)
	grace, recheck := aw.Grace, aw.Recheck
	if grace <= 0 {
		grace = time.Minute
	}
	if recheck <= 0 {
		recheck = time.Minute
	}
	maxRecheck := 10 * recheck
	// No state query until it runs: as before, when a waiting instance had
	// no execution, the query fails while it waits.
	ch := workflow.GetSignalChannel(ctx, AdmissionSignalName)
	a := askAdmission(ctx, req)
	req.Token = "" // later asks go to the queue
	created := false
	for {
		for { // a signal is newer than what was asked before it
			var s AdmissionAnswer
			if !ch.ReceiveAsync(&s) {
				break
			}
			a = s
		}
		switch a.Status {
		case string(InProgress):
			if created {
				upsertStatus(ctx, InProgress)
				in.BreakpointsRead, in.Breakpoints = false, nil
			}
			return nil
		case statusCreated:
			if !created {
				created = true
				upsertStatus(ctx, statusCreated)
			}
		case "":
			if workflow.Now(ctx).Sub(begin) >= grace {
				return stoppedBeforeRun(ctx, in, begin, "never admitted: the run strategy's queue did not learn of this instance within "+grace.String())
			}
		default:
			return stoppedBeforeRun(ctx, in, begin, a.Reason)
		}
		wait := recheck
		if a.Status == "" {
			wait = min(time.Second, grace)
		}
		tctx, cancelTimer := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(ch, func(workflow.ReceiveChannel, bool) {}) // drained above
		sel.AddFuture(workflow.NewTimer(tctx, wait), func(workflow.Future) {
			a = askAdmission(ctx, req)
			recheck = min(2*recheck, maxRecheck)
		})
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
		sel.Select(ctx)
		cancelTimer()
		if ctx.Err() != nil {
			return stoppedBeforeRun(ctx, in, begin, "stopped while queued")
		}
	}
}

// askAdmission runs the admission wait; a failure counts as not known.
func askAdmission(ctx workflow.Context, req AdmissionRequest) AdmissionAnswer {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	var a AdmissionAnswer
	if err := workflow.ExecuteLocalActivity(lctx, AdmissionActivityName, req).Get(ctx, &a); err != nil {
		return AdmissionAnswer{}
	}
	return a
}

// stoppedBeforeRun is the State of a run stopped before it ran.
func stoppedBeforeRun(ctx workflow.Context, in *RunInput, begin time.Time, reason string) *State {
	end := workflow.Now(ctx)
	st := &State{WorkflowID: in.Plan.WorkflowID, PlanHash: in.Plan.Hash, Status: InstanceStopped, StartTime: begin, EndTime: &end, Error: reason, Steps: []*StepState{}, compact: in.Compact}
	upsertStatus(ctx, InstanceStopped)
	return st
}

// upsertStatus sets BatonStatus, if the run carries it.
func upsertStatus[S ~string](ctx workflow.Context, s S) {
	if _, ok := workflow.GetTypedSearchAttributes(ctx).GetKeyword(SearchAttributeStatus); !ok {
		return
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if err := workflow.UpsertTypedSearchAttributes(dctx, SearchAttributeStatus.ValueSet(string(s))); err != nil {
		workflow.GetLogger(ctx).Warn("baton: upsert BatonStatus", "error", err)
	}
}
