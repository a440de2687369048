package scheduler

import (
	"cmp"
	"errors"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/workflows"
)

// Names of the queue workflow and its handlers.
const (
	// QueueWorkflowName is the queue entity's workflow type.
	QueueWorkflowName = "baton.scheduler.Queue"
	// QueueIDPrefix prefixes a queue's Temporal workflow id:
	// "baton-queue/<Maestro workflow id>".
	QueueIDPrefix = "baton-queue/"

	UpdateStart    = "start"    // StartRequest -> Admission
	UpdateStop     = "stop"     // instance id -> Instance
	UpdateUnblock  = "unblock"  // -> nothing
	UpdateStrategy = "strategy" // Strategy -> nothing
	// UpdateRestarted tells the queue an ended instance was restarted.
	UpdateRestarted = "restarted" // instance id -> bool (known)
	QueryInstances  = "instances"

	// ErrorTypeRefused is the type of the application error a refused
	// request gets (a strategy switch Maestro refuses, a full queue, an
	// unknown instance).
	ErrorTypeRefused = "baton.scheduler.Refused"
)

// Continue-as-new thresholds: far below Temporal's 10,240-event warning.
const (
	maxHistoryEvents = 2000
	maxHistoryBytes  = 4 << 20
)

// QueueID is the Temporal workflow id of workflowID's queue on the
// default task queue.
func QueueID(workflowID string) string { return QueueIDOn(DefaultTaskQueue, workflowID) }

// QueueIDOn is the Temporal workflow id of workflowID's queue on
// taskQueue. A queue runs on the task queue it was started on, so a run
// strategy applies among the starts made on one task queue; a queue of
// the same workflow id on another task queue (whose workers may be gone)
// is a different queue rather than one that never answers.
func QueueIDOn(taskQueue, workflowID string) string {
	if taskQueue == "" || taskQueue == DefaultTaskQueue {
		return QueueIDPrefix + workflowID
	}
	return QueueIDPrefix + taskQueue + "/" + workflowID
}

// QueueInput starts (or continues) a queue.
type QueueInput struct {
	State State `json:"state"`
	// MaxHistoryEvents of one run before it continues as new; 0 means
	// 2,000 (tests set fewer).
	MaxHistoryEvents int `json:"max_history_events,omitempty"`
	// CallerStartGrace replaces the package's CallerStartGrace when set
	// (tests set less).
	CallerStartGrace time.Duration `json:"caller_start_grace,omitempty"`
	// CallerWatchDelay replaces the package's CallerWatchDelay when set
	// (tests set other values).
	CallerWatchDelay time.Duration `json:"caller_watch_delay,omitempty"`
}

// queue is the running entity: the state plus what only this run knows.
type queue struct {
	st    State
	wake  workflow.Channel
	sel   workflow.Selector
	ended []ending
	// children are this run's running children by instance id, so a
	// handler can take in a child that ended before the main loop has.
	children map[string]workflow.ChildWorkflowFuture
	watched  map[string]bool // instances awaited as children of this run or by a watch
	watch    bool            // a watch activity is running
	// starting counts child starts not yet confirmed: the queue never
	// continues as new before its children have started (a child whose
	// parent has closed is never started).
	starting int
	grace    time.Duration // CallerStartGrace
	delay    time.Duration // CallerWatchDelay
	// watches are the caller watches not yet taken in, by generation;
	// callerWatch is the current one.
	watches     map[int]workflow.Future
	watchGen    int
	callerWatch *callerWatch
	// callerWatchVersion: 0 undecided, 1 one watch per instance (runs
	// before changeCallerWatch, whose answers are in watchesByID), 2 one
	// shared watch.
	callerWatchVersion int
	watchesByID        map[string]workflow.Future
	// watchDelayVersion: 0 undecided, else changeWatchDelay's version;
	// watchTimer is the timer the caller watch waits for.
	watchDelayVersion workflow.Version
	watchTimer        *watchTimer
}

type ending struct {
	id, status, reason string
	run                int
}

// Queue is the run-strategy entity of one Maestro workflow id: every
// instance that goes through the run strategy is admitted here. It starts
// admitted instances as child workflows (abandoned when the queue
// continues as new, so they outlive its runs), learns of their end from
// the child result, or, for instances a previous run started, from a
// watch activity, and keeps waiting instances in its state.
func Queue(ctx workflow.Context, in QueueInput) error {
	q := &queue{st: in.State, watched: map[string]bool{}, children: map[string]workflow.ChildWorkflowFuture{}, watches: map[int]workflow.Future{}, watchesByID: map[string]workflow.Future{}}
	if q.st.WorkflowID == "" {
		return temporal.NewNonRetryableApplicationError("queue started without a workflow id", ErrorTypeRefused, nil)
	}
	q.grace = CallerStartGrace
	if in.CallerStartGrace > 0 {
		q.grace = in.CallerStartGrace
	}
	q.delay = CallerWatchDelay
	if in.CallerWatchDelay > 0 {
		q.delay = in.CallerWatchDelay
	}
	q.wake = workflow.NewBufferedChannel(ctx, 1)
	q.sel = workflow.NewSelector(ctx)
	q.sel.AddReceive(q.wake, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
	if err := q.handlers(ctx); err != nil {
		return err
	}
	maxEvents := in.MaxHistoryEvents
	if maxEvents <= 0 {
		maxEvents = maxHistoryEvents
	}
	for {
		q.settle(ctx)
		q.launch(ctx)
		q.watchCallerStarted(ctx)
		q.watchCarried(ctx)
		info := workflow.GetInfo(ctx)
		if (info.GetCurrentHistoryLength() >= maxEvents || info.GetCurrentHistorySize() >= maxHistoryBytes ||
			info.GetContinueAsNewSuggested()) && workflow.AllHandlersFinished(ctx) && !q.launching() && q.starting == 0 {
			return workflow.NewContinueAsNewError(ctx, QueueWorkflowName, QueueInput{State: q.st, MaxHistoryEvents: in.MaxHistoryEvents, CallerStartGrace: in.CallerStartGrace, CallerWatchDelay: in.CallerWatchDelay})
		}
		q.sel.Select(ctx)
	}
}

func (q *queue) poke() { q.wake.SendAsync(struct{}{}) }

func (q *queue) launching() bool {
	for _, in := range q.st.Running {
		if in.Launch {
			return true
		}
	}
	return false
}

func refused(err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), ErrorTypeRefused, nil)
}

func (q *queue) handlers(ctx workflow.Context) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateStart,
		func(ctx workflow.Context, req StartRequest) (Admission, error) {
			if in := q.st.find(req.InstanceID); in != nil {
				if req.Input != nil {
					return q.admitChildAgain(ctx, req, in), nil
				}
				return Admission{Instance: public(in), Duplicate: true}, nil
			}
			q.settle(ctx)
			next, _ := StrategyOf(req.Plan)
			q.st.setStrategy(next)
			q.reportedEnds(ctx, req.Ended)
			q.checkEnded(ctx)
			if in := q.st.find(req.InstanceID); in != nil { // arrived while the check ran
				return Admission{Instance: public(in), Duplicate: true}, nil
			}
			in := q.st.arrive(req, workflow.Now(ctx))
			q.poke()
			a := Admission{Instance: public(in)}
			if in.Status == StatusCreated {
				a.Instance.Position = len(q.st.Queue)
			}
			a.Start = q.callerStarts(ctx, req, in)
			q.speculative(ctx, req, in)
			return a, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req StartRequest) error {
			if req.Plan == nil || req.InstanceID == "" {
				return refused(errors.New("a start needs a plan and an instance id"))
			}
			if q.st.find(req.InstanceID) != nil {
				return nil
			}
			if len(q.st.Queue) >= MaxQueued {
				return refused(errors.New("the queue of workflow " + q.st.WorkflowID + " is full: 1000 instances are waiting"))
			}
			next, _ := StrategyOf(req.Plan)
			if err := q.st.checkSwitch(next); err != nil {
				return refused(err)
			}
			return nil
		}})
	if err != nil {
		return err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateStop,
		func(ctx workflow.Context, id string) (Instance, error) {
			in, err := q.st.stop(id, workflow.Now(ctx))
			if err != nil {
				return Instance{}, refused(err)
			}
			q.poke()
			return public(in), nil
		}, workflow.UpdateHandlerOptions{})
	if err != nil {
		return err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateUnblock,
		func(ctx workflow.Context) error {
			if err := q.st.unblock(workflow.Now(ctx)); err != nil {
				return refused(err)
			}
			q.poke()
			return nil
		}, workflow.UpdateHandlerOptions{})
	if err != nil {
		return err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateStrategy,
		func(ctx workflow.Context, next Strategy) error {
			q.st.setStrategy(next)
			q.st.admit(workflow.Now(ctx))
			q.poke()
			return nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, next Strategy) error {
			if err := q.st.checkSwitch(next); err != nil {
				return refused(err)
			}
			return nil
		}})
	if err != nil {
		return err
	}
	err = workflow.SetUpdateHandler(ctx, UpdateRestarted, func(ctx workflow.Context, id string) (bool, error) {
		known := q.st.restarted(id, workflow.Now(ctx))
		delete(q.watched, id) // its child result, if any, was the run before
		q.poke()
		return known, nil
	})
	if err != nil {
		return err
	}
	if err := q.restartHandler(ctx); err != nil {
		return err
	}
	return workflow.SetQueryHandler(ctx, QueryInstances, func() (Snapshot, error) {
		return q.st.snapshot(), nil
	})
}

// launch starts admitted instances as child workflows and sends stops.
func (q *queue) launch(ctx workflow.Context) {
	defer q.st.prunePlans()
	defer func() { // stops after starts, so a stop never precedes its start
		q.signalStopped(ctx)
		for _, in := range q.st.Running {
			if in.Stopping && !in.CancelSent {
				in.CancelSent = true
				f := workflow.RequestCancelExternalWorkflow(ctx, in.ID, "")
				if in.CallerStarts {
					q.resendCancelOnFailure(ctx, in.ID, f)
				}
			}
		}
	}()
	for _, in := range q.st.Running {
		if !in.Launch {
			continue
		}
		in.Launch = false
		if in.Parent != "" {
			q.notifyParent(ctx, in)
			continue
		}
		if in.Execution {
			q.signalAdmitted(ctx, in)
			continue
		}
		plan := q.st.Plans[in.PlanHash]
		co := workflow.ChildWorkflowOptions{
			WorkflowID:            in.ID,
			TaskQueue:             in.TaskQueue,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}
		if m := in.Meta; m != nil {
			co.StaticSummary, co.StaticDetails = m.Summary, m.Details
			if m.SearchAttributes {
				sa := []temporal.SearchAttributeUpdate{
					workflows.SearchAttributeStatus.ValueSet(string(workflows.InProgress)),
					workflows.SearchAttributeWorkflowID.ValueSet(q.st.WorkflowID),
				}
				if in.Version > 0 {
					sa = append(sa, workflows.SearchAttributeVersion.ValueSet(int64(in.Version)))
				}
				co.TypedSearchAttributes = temporal.NewSearchAttributes(sa...)
			}
		}
		run := workflows.RunInput{Plan: plan, RunParams: in.RunParams, Initiator: in.Initiator, Signal: in.Signal}
		if in.RestartInput != nil { // the next run of an ended instance
			run = *in.RestartInput
			co.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
		}
		cctx := workflow.WithChildOptions(ctx, co)
		in.RunParams, in.PlanHash, in.Meta, in.RestartInput, in.Signal = nil, "", nil, nil, nil
		f := workflow.ExecuteChildWorkflow(cctx, workflows.WorkflowName, run)
		id := in.ID
		q.watched[id] = true
		q.starting++
		q.sel.AddFuture(f.GetChildWorkflowExecution(), func(f workflow.Future) {
			q.starting--
			var ex workflow.Execution
			if err := f.Get(ctx, &ex); err == nil {
				if r := q.running(id); r != nil {
					r.RunID = ex.RunID
				}
			}
		})
		q.children[id] = f
		q.sel.AddFuture(f, func(workflow.Future) { q.childEnded(ctx, id) })
	}
}

// childEnded takes in the end of a child of this run (once).
func (q *queue) childEnded(ctx workflow.Context, id string) {
	f, ok := q.children[id]
	if !ok {
		return
	}
	delete(q.children, id)
	var st workflows.State
	err := f.Get(ctx, &st)
	admitMissed := false
	if err != nil { // only a failed child's reason reads it: no scan of Running per success
		in := q.running(id)
		admitMissed = in != nil && in.AdmitMissed
	}
	q.ended = append(q.ended, endingOf(id, &st, err, admitMissed))
}

// settle applies the ends of children whose result is in (a start
// decided by FIRST_ONLY must not see as running an instance that ended
// in the same workflow task), in id order.
func (q *queue) settle(ctx workflow.Context) {
	for _, id := range ready(q.children) {
		q.childEnded(ctx, id)
	}
	for _, gen := range ready(q.watches) {
		q.watchEnded(ctx, gen)
	}
	for _, id := range ready(q.watchesByID) {
		q.eachWatchEnded(ctx, id)
	}
	now := workflow.Now(ctx)
	for _, e := range q.ended {
		q.st.finish(e.id, e.status, e.run, e.reason, now)
	}
	q.ended = q.ended[:0]
}

// ready lists the keys of the futures whose result is in, sorted (map
// order is not deterministic).
func ready[K cmp.Ordered, F workflow.Future](m map[K]F) []K {
	var keys []K
	for k, f := range m {
		if f.IsReady() {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func (q *queue) running(id string) *Instance {
	for _, in := range q.st.Running {
		if in.ID == id {
			return in
		}
	}
	return nil
}

// endingOf maps a child's result to the instance's end. admitMissed: the
// instance's admission signal found its execution ended (Instance.AdmitMissed),
// so a child that could not start because that execution holds the id
// ends with reasonAdmitMissed.
func endingOf(id string, st *workflows.State, err error, admitMissed bool) ending {
	if err == nil {
		return ending{id: id, status: string(st.Status), run: st.Run, reason: st.Error}
	}
	var already *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &already) {
		if admitMissed {
			return ending{id: id, status: StatusStopped, reason: reasonAdmitMissed}
		}
		return ending{id: id, status: StatusStopped, reason: "an instance with this id exists already (request_id used before)"}
	}
	var canceled *temporal.CanceledError
	var terminated *temporal.TerminatedError
	if errors.As(err, &canceled) || errors.As(err, &terminated) {
		return ending{id: id, status: StatusStopped, reason: err.Error()}
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return ending{id: id, status: StatusTimedOut, reason: err.Error()}
	}
	return ending{id: id, status: StatusFailed, reason: err.Error()}
}

// watchCarried awaits, with one activity at a time, the running instances
// a previous run of the queue started (their child results go to that
// run, which has continued as new).
func (q *queue) watchCarried(ctx workflow.Context) {
	if q.watch {
		return
	}
	var refs []RunRef
	for _, in := range q.st.Running {
		if !q.watched[in.ID] && !in.CallerStarts {
			refs = append(refs, RunRef{ID: in.ID, RunID: in.RunID})
		}
	}
	if len(refs) == 0 {
		return
	}
	q.watch = true
	f := workflow.ExecuteActivity(q.watchContext(ctx), WatchActivityName, refs)
	q.sel.AddFuture(f, func(f workflow.Future) {
		q.watch = false
		var ended []Ended
		if err := f.Get(ctx, &ended); err != nil {
			return // retried on the next pass
		}
		for _, e := range ended {
			q.ended = append(q.ended, ending{id: e.ID, status: e.Status, run: e.Run, reason: e.Reason})
		}
	})
}

// watchContext is the context of a Watch activity: as long as an
// instance may run, retried until it answers.
func (q *queue) watchContext(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 400 * 24 * time.Hour,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
}
