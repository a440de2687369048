package scheduler

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/workflows"
)

// UpdateRestart admits the restart of an ended instance through the run
// strategy, as Maestro's restartDirectly goes through its run strategy:
// RestartRequest -> Admission.
const UpdateRestart = "restart"

// ErrorTypeUnknown is the type of the error a restart of an instance the
// queue does not know gets (started bare, or forgotten among more than
// the last 100 ended): the caller restarts it outside the queue.
const ErrorTypeUnknown = "baton.scheduler.Unknown"

// RestartRequest asks the queue to run an ended instance again.
type RestartRequest struct {
	InstanceID string `json:"instance_id"`
	// Input is the restarted run's input (plan, restart state).
	Input     workflows.RunInput `json:"input"`
	TaskQueue string             `json:"task_queue"`
	// SearchAttributes, Summary, Details and Version as in StartRequest.
	SearchAttributes bool   `json:"search_attributes,omitempty"`
	Summary          string `json:"summary,omitempty"`
	Details          string `json:"details,omitempty"`
	Version          int    `json:"version,omitempty"`
}

// ErrUnknownInstance is returned by Client.Restart for an instance the
// queue does not know.
var ErrUnknownInstance = errors.New("the queue does not know the instance")

// requeue places an ended instance again, with its restart input. The
// instance blocking a STRICT_SEQUENTIAL queue runs at once: restarting it
// is how the block lifts.
func (s *State) requeue(req RestartRequest, now time.Time) *Instance {
	var in *Instance
	for i, e := range s.Ended {
		if e.ID == req.InstanceID {
			in = e
			s.Ended = append(s.Ended[:i:i], s.Ended[i+1:]...)
			break
		}
	}
	in.Status, in.Arrived, in.Started, in.Ended, in.RunID, in.Reason, in.Blocking = StatusCreated, now, nil, nil, "", "", false
	in.Stopping, in.CancelSent, in.TaskQueue, in.Parent, in.Rerun = false, false, req.TaskQueue, "", false
	input := req.Input
	in.RestartInput = &input
	if req.Version > 0 {
		in.Version = req.Version
	}
	if req.SearchAttributes || req.Summary != "" || req.Details != "" {
		in.Meta = &Meta{SearchAttributes: req.SearchAttributes, Summary: req.Summary, Details: req.Details}
	}
	if in.ID == s.Blocked {
		t := now
		in.Status, in.Launch, in.Started = StatusInProgress, true, &t
		s.Running = append(s.Running, in)
		return in
	}
	s.place(in, now)
	return in
}

// ended finds an ended instance.
func (s *State) ended(id string) *Instance {
	for _, in := range s.Ended {
		if in.ID == id {
			return in
		}
	}
	return nil
}

// restartHandler registers UpdateRestart.
func (q *queue) restartHandler(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateRestart,
		func(ctx workflow.Context, req RestartRequest) (Admission, error) {
			q.settle(ctx)
			in := q.st.requeue(req, workflow.Now(ctx))
			if q.sharedCallerWatch(ctx) {
				// Its caller started its first run; the queue starts this
				// one (runs before changeCallerWatch kept the flag, and
				// watched the instance twice).
				in.CallerStarts = false
			}
			delete(q.watched, in.ID) // a child result of this run, if any, was the run before
			q.poke()
			a := Admission{Instance: public(in)}
			if in.Status == StatusCreated {
				a.Instance.Position = q.st.position(in.ID)
			}
			return a, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req RestartRequest) error {
			if req.Input.Plan == nil || req.Input.Restart == nil {
				return refused(errors.New("a restart needs the restarted run's input"))
			}
			if q.st.ended(req.InstanceID) == nil {
				if in := q.st.find(req.InstanceID); in != nil {
					return refused(fmt.Errorf("instance %s of workflow %q is %s: only an ended instance restarts", req.InstanceID, q.st.WorkflowID, in.Status))
				}
				return temporal.NewNonRetryableApplicationError(ErrUnknownInstance.Error(), ErrorTypeUnknown, nil)
			}
			if len(q.st.Queue) >= MaxQueued {
				return refused(errors.New("the queue of workflow " + q.st.WorkflowID + " is full: 1000 instances are waiting"))
			}
			return nil
		}})
}

// position is the place in the queue of a waiting instance (1 is next).
func (s *State) position(id string) int {
	for i, in := range s.Queue {
		if in.ID == id {
			return i + 1
		}
	}
	return 0
}
