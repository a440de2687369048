package scheduler

import (
	"context"
	"errors"
	"slices"
	"sort"
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
	in.RunParams, in.PlanHash, in.Meta, in.RestartInput = nil, "", nil, nil
	q.st.prunePlans()
	return true
}

// callerWatch is the one Watch activity that awaits the running
// instances their callers start: one activity for them all, so a queue
// of many such instances holds one activity slot, not one each.
type callerWatch struct {
	gen    int
	ids    []string // sorted
	cancel workflow.CancelFunc
}

// watchCallerStarted keeps the caller watch on exactly the running
// instances their callers start: when that set changes, the watch is
// cancelled and a new one started (a watch cannot take new instances).
// Until an instance's execution exists (within the grace of its start)
// the watch waits for it.
func (q *queue) watchCallerStarted(ctx workflow.Context) {
	if !q.sharedCallerWatch(ctx) {
		q.watchEachCallerStarted(ctx)
		return
	}
	var want []string
	for _, in := range q.st.Running {
		if in.CallerStarts {
			want = append(want, in.ID)
		}
	}
	sort.Strings(want)
	cur := q.callerWatch
	if cur != nil && slices.Equal(cur.ids, want) || cur == nil && len(want) == 0 {
		q.stopWatchTimer()
		return
	}
	if cur != nil {
		cur.cancel() // its answer, if one comes, is still taken in
		q.callerWatch = nil
	}
	if len(want) == 0 || q.watchLater(ctx) {
		return
	}
	refs := make([]RunRef, 0, len(want))
	for _, id := range want {
		grace := time.Duration(0)
		if in := q.running(id); in != nil && in.Started != nil {
			grace = max(in.Started.Add(q.grace).Sub(workflow.Now(ctx)), 0)
		}
		ref := RunRef{ID: id, Grace: grace}
		if in := q.running(id); in != nil {
			ref.NotBefore = runRef(in).NotBefore
		}
		refs = append(refs, ref)
	}
	wctx, cancel := workflow.WithCancel(ctx)
	q.watchGen++
	gen := q.watchGen
	f := workflow.ExecuteActivity(q.watchContext(wctx), WatchActivityName, refs)
	q.watches[gen] = f
	q.callerWatch = &callerWatch{gen: gen, ids: want, cancel: cancel}
	q.sel.AddFuture(f, func(workflow.Future) { q.watchEnded(ctx, gen) })
}

// watchEnded takes in the answer of a caller watch (once): from the
// selector, or from settle when a start arrives in the workflow task
// that carries the answer (the caller that saw the instance end and
// starts the next must find it ended).
func (q *queue) watchEnded(ctx workflow.Context, gen int) {
	f, ok := q.watches[gen]
	if !ok {
		return
	}
	delete(q.watches, gen)
	if q.callerWatch != nil && q.callerWatch.gen == gen {
		q.callerWatch = nil // the next pass watches what still runs
	}
	var ended []Ended
	if err := f.Get(ctx, &ended); err != nil {
		return // cancelled for a newer watch
	}
	for _, e := range ended {
		q.ended = append(q.ended, ending{id: e.ID, status: e.Status, run: e.Run, reason: e.Reason})
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
		refs = append(refs, runRef(in))
	}
	q.checkRunning(ctx, refs)
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
		if d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING ||
			!r.NotBefore.IsZero() && d.GetWorkflowExecutionInfo().GetStartTime().AsTime().Before(r.NotBefore) {
			continue // running, or a run before the one awaited: not started yet
		}
		var st workflows.State
		err = tc.GetWorkflow(ctx, r.ID, d.GetWorkflowExecutionInfo().GetExecution().GetRunId()).Get(ctx, &st)
		if err == nil {
			out = append(out, Ended{ID: r.ID, Status: string(st.Status), Run: st.Run, Reason: st.Error})
			continue
		}
		e := endingOf(r.ID, nil, err, false)
		out = append(out, Ended{ID: r.ID, Status: e.status, Reason: e.reason})
	}
	return out, nil
}

// changeCallerWatch puts the caller-started instances under one watch;
// before it, each had its own.
const changeCallerWatch = "queue-caller-watch"

// sharedCallerWatch tells, once per run and only once an instance its
// caller starts runs, whether they share one watch.
func (q *queue) sharedCallerWatch(ctx workflow.Context) bool {
	if q.callerWatchVersion == 0 {
		found := false
		for _, in := range q.st.Running {
			found = found || in.CallerStarts
		}
		if !found && len(q.watchesByID) == 0 {
			return true // nothing to watch: nothing decided yet
		}
		q.callerWatchVersion = 1
		if workflow.GetVersion(ctx, changeCallerWatch, workflow.DefaultVersion, 1) == 1 {
			q.callerWatchVersion = 2
		}
	}
	return q.callerWatchVersion == 2
}

// watchEachCallerStarted is the watch of runs started before
// changeCallerWatch: one activity per instance its caller starts.
func (q *queue) watchEachCallerStarted(ctx workflow.Context) {
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
		id := in.ID
		q.watchesByID[id] = f
		q.sel.AddFuture(f, func(workflow.Future) { q.eachWatchEnded(ctx, id) })
	}
}

// eachWatchEnded takes in the answer of an instance's own watch (once).
func (q *queue) eachWatchEnded(ctx workflow.Context, id string) {
	f, ok := q.watchesByID[id]
	if !ok {
		return
	}
	delete(q.watchesByID, id)
	var ended []Ended
	if err := f.Get(ctx, &ended); err != nil {
		return // cannot happen: retried until it ends
	}
	for _, e := range ended {
		q.ended = append(q.ended, ending{id: e.ID, status: e.Status, run: e.Run, reason: e.Reason})
	}
}
