package scheduler

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/workflows"
)

// Speculative starts (doc.go): the caller starts the instance while it
// asks the queue, and hands the queue's answer to the instance's
// admission wait through this process's registry of answers.

// admissions are the answers callers in this process expect, by token.
var admissions = struct {
	mu sync.Mutex
	by map[string]*expected
}{by: map[string]*expected{}}

type expected struct {
	done   chan struct{}
	answer workflows.AdmissionAnswer
	known  bool // the queue's answer, not a guess
}

// admissionForget bounds how long an answer nobody takes is kept (the
// instance's first task ran in another process).
const admissionForget = time.Minute

// ExpectAdmission registers token before its instance starts; the caller
// then calls Admitted (or Unanswered) exactly once.
func ExpectAdmission(token string) {
	admissions.mu.Lock()
	defer admissions.mu.Unlock()
	admissions.by[token] = &expected{done: make(chan struct{})}
}

// Admitted hands the queue's admission of token's instance to its wait.
func Admitted(token string, a Admission) {
	resolve(token, workflows.AdmissionAnswer{Status: a.Instance.Status, Position: a.Instance.Position, Reason: a.Instance.Reason}, true)
}

// Unanswered tells token's wait that its caller has no answer (its update
// failed): the wait asks the queue.
func Unanswered(token string) {
	resolve(token, workflows.AdmissionAnswer{}, false)
}

func resolve(token string, a workflows.AdmissionAnswer, known bool) {
	admissions.mu.Lock()
	e := admissions.by[token]
	admissions.mu.Unlock()
	if e == nil {
		return
	}
	e.answer, e.known = a, known
	close(e.done)
	time.AfterFunc(admissionForget, func() { forget(token) })
}

func forget(token string) {
	admissions.mu.Lock()
	defer admissions.mu.Unlock()
	delete(admissions.by, token)
}

// admissionWait bounds how long the wait waits for its caller's answer
// before it asks the queue, and how long it asks a queue that does not
// know the instance yet.
const (
	admissionWait  = 5 * time.Second
	admissionAsk   = 2 * time.Second
	admissionFirst = 5 * time.Millisecond
)

// AwaitAdmission is the admission wait (a local activity): the answer
// its caller in this process hands over, else the queue's (Lookup),
// asked with a short backoff while the queue does not know the instance,
// for at most admissionAsk; "" if it still does not.
func AwaitAdmission(ctx context.Context, req workflows.AdmissionRequest) (workflows.AdmissionAnswer, error) {
	if req.Token != "" {
		admissions.mu.Lock()
		e := admissions.by[req.Token]
		admissions.mu.Unlock()
		if e != nil {
			t := time.NewTimer(admissionWait)
			defer t.Stop()
			select {
			case <-e.done:
				forget(req.Token)
				if e.known {
					return e.answer, nil
				}
			case <-t.C:
			case <-ctx.Done():
				return workflows.AdmissionAnswer{}, ctx.Err()
			}
		}
	}
	c := New(activity.GetClient(ctx), Options{TaskQueue: req.TaskQueue})
	deadline := time.Now().Add(admissionAsk)
	for wait := admissionFirst; ; wait = min(2*wait, 500*time.Millisecond) {
		in, err := c.Lookup(ctx, req.WorkflowID, req.InstanceID)
		if err == nil && in != nil {
			return workflows.AdmissionAnswer{Status: in.Status, Position: in.Position, Reason: in.Reason}, nil
		}
		if time.Now().Add(wait).After(deadline) {
			return workflows.AdmissionAnswer{}, nil
		}
		select {
		case <-ctx.Done():
			return workflows.AdmissionAnswer{}, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// changeSpeculative lets a waiting instance already have its execution
// (StartRequest.Speculative): the queue signals it rather than start it.
const changeSpeculative = "queue-speculative"

// speculative records that a waiting instance has an execution already,
// if the request says so.
func (q *queue) speculative(ctx workflow.Context, req StartRequest, in *Instance) {
	if !req.Speculative || in.Status != StatusCreated ||
		workflow.GetVersion(ctx, changeSpeculative, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	in.Execution = true
}

// signalAdmitted admits a waiting instance that has an execution: it is
// signalled, and then watched as one its caller started. One whose
// execution is gone (its caller died before its start) is started as a
// child, as any other.
func (q *queue) signalAdmitted(ctx workflow.Context, in *Instance) {
	id := in.ID
	q.watched[id] = true // not a carried instance while the signal is on its way
	q.starting++
	f := workflow.SignalExternalWorkflow(ctx, id, "", workflows.AdmissionSignalName, workflows.AdmissionAnswer{Status: StatusInProgress})
	q.sel.AddFuture(f, func(f workflow.Future) {
		q.starting--
		in := q.running(id)
		if in == nil {
			return
		}
		in.Execution = false
		if f.Get(ctx, nil) != nil {
			// The execution ended before the signal reached it (cancelled
			// or terminated while it waited): the child start that follows
			// finds its id taken and ends the instance STOPPED, and the
			// queue says why (childEnded).
			in.Launch = true
			if workflow.GetVersion(ctx, changeAdmitMissed, workflow.DefaultVersion, 1) == 1 {
				in.AdmitMissed = true
			}
			delete(q.watched, id)
			return
		}
		in.CallerStarts = true
		in.RunParams, in.PlanHash, in.Meta, in.RestartInput = nil, "", nil, nil
		delete(q.watched, id)
		q.st.prunePlans()
	})
}

// changeAdmitMissed marks an instance whose admission signal found its
// execution ended, so that its end carries the reason reasonAdmitMissed
// rather than that of a request id used before.
const changeAdmitMissed = "queue-admit-missed"

// reasonAdmitMissed is the queue's reason for a speculative instance whose
// execution ended while it waited (the execution's own State says
// "stopped while queued").
const reasonAdmitMissed = "stopped while queued: its execution was cancelled or terminated before the queue admitted it"

// signalStopped tells the executions of waiting instances the queue ended
// (a stop, LAST_ONLY, SERIAL_LATEST_ONLY) that they end STOPPED.
func (q *queue) signalStopped(ctx workflow.Context) {
	for _, in := range q.st.stoppedWaiting {
		workflow.SignalExternalWorkflow(ctx, in.ID, "", workflows.AdmissionSignalName,
			workflows.AdmissionAnswer{Status: in.Status, Reason: in.Reason})
	}
	q.st.stoppedWaiting = nil
}
