package scheduler

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// changeWatchDelay makes the caller watch begin only CallerWatchDelay
// (QueueInput.CallerWatchDelay) after the instances it would watch
// started, while no instance waits.
const changeWatchDelay = "queue-caller-watch-delay"

// CallerWatchDelay is how long after an instance its caller starts the
// queue begins to watch it, while no instance waits behind it. A caller
// that waits for the instance's result reports its end with its next start
// (StartRequest.Ended), so back-to-back starts need no watch at all: each
// start moves the timer (two events, no workflow task of their own) instead
// of scheduling a watch activity whose answer is one more workflow task.
// Until the watch answers, the queue counts the instance as running: a
// start from another caller checks it first (checkEnded), and a listing
// shows it IN_PROGRESS for up to this long after its end.
const CallerWatchDelay = time.Second

// watchTimer is the timer the caller watch waits for.
type watchTimer struct {
	due    time.Time
	cancel workflow.CancelFunc
}

// watchLater tells whether the caller watch is to begin later; if so, a
// timer wakes the queue when it is due. It never waits while an instance
// waits in the queue (its admission must not wait for a timer).
func (q *queue) watchLater(ctx workflow.Context) bool {
	if len(q.st.Queue) > 0 || !q.delayedWatch(ctx) {
		q.stopWatchTimer()
		return false
	}
	var due time.Time
	for _, in := range q.st.Running {
		if in.CallerStarts && in.Started != nil && (due.IsZero() || in.Started.Before(due)) {
			due = *in.Started
		}
	}
	due = due.Add(q.delay)
	now := workflow.Now(ctx)
	if !now.Before(due) {
		q.stopWatchTimer()
		return false
	}
	if q.watchTimer != nil && q.watchTimer.due.Equal(due) {
		return true
	}
	q.stopWatchTimer()
	tctx, cancel := workflow.WithCancel(ctx)
	t := &watchTimer{due: due, cancel: cancel}
	q.watchTimer = t
	q.sel.AddFuture(workflow.NewTimer(tctx, due.Sub(now)), func(workflow.Future) {
		if q.watchTimer == t {
			q.watchTimer = nil // the next pass starts the watch
		}
	})
	return true
}

// stopWatchTimer cancels the timer the caller watch waits for, if any.
func (q *queue) stopWatchTimer() {
	if q.watchTimer != nil {
		q.watchTimer.cancel()
		q.watchTimer = nil
	}
}

// delayedWatch tells, once per run and only once a caller watch is due,
// whether it waits for CallerWatchDelay.
func (q *queue) delayedWatch(ctx workflow.Context) bool {
	if q.watchDelayVersion == 0 { // DefaultVersion is -1
		q.watchDelayVersion = workflow.GetVersion(ctx, changeWatchDelay, workflow.DefaultVersion, 1)
	}
	return q.watchDelayVersion == 1
}
