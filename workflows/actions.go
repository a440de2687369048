package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Step actions (MAESTRO.md §4.16): an operator's PAUSE, RESUME, SKIP, STOP,
// KILL, RESTART or BYPASS_STEP_DEPENDENCIES on one step of a running
// instance. Each is a Temporal update, UpdateStepAction, on the workflow that
// runs the step: its validator refuses an action the step's status does not
// allow (a rejected update leaves nothing in the history), its handler
// applies the action as events on the step's machine and answers with the
// step's new status. A path that goes into a foreach iteration or a
// subworkflow is answered with a forward to the child workflow that owns
// the step (StepActionForward), which the client follows.

// UpdateStepAction is the update that applies a step action; its argument
// is a StepActionRequest and its result a StepActionResult.
const UpdateStepAction = "baton.step-action"

// ChangeStepActions versions what a step action records in a run's history
// (the marker comes first in the handler of the first applied action).
const ChangeStepActions = "step-actions"

// StepAction is a Maestro step instance action.
type StepAction string

// The step actions.
const (
	ActionPause   StepAction = "PAUSE"
	ActionResume  StepAction = "RESUME"
	ActionSkip    StepAction = "SKIP"
	ActionStop    StepAction = "STOP"
	ActionKill    StepAction = "KILL"
	ActionRestart StepAction = "RESTART"
	ActionBypass  StepAction = "BYPASS_STEP_DEPENDENCIES"
)

// Paused is the status of a step held by PAUSE or a breakpoint until RESUME.
const Paused StepStatus = "PAUSED"

// Error types of a step action the update's validator refuses.
const (
	// ErrStepActionRefused: the action is not allowed (the message says why).
	ErrStepActionRefused = "StepActionRefused"
	// ErrStepActionForward: the step is in a child workflow; the error's
	// details are a StepActionForward.
	ErrStepActionForward = "StepActionForward"
)

// StepActionRequest is the argument of UpdateStepAction.
type StepActionRequest struct {
	Action StepAction `json:"action"`
	// Path addresses the step from the workflow the update is sent to:
	// STEP, FOREACH_STEP/ITERATION/STEP, SUBWORKFLOW_STEP/STEP, nested.
	// In a foreach loop workflow it starts with the iteration (1-based).
	Path   string `json:"path"`
	Reason string `json:"reason,omitempty"`
}

// StepActionResult answers an applied step action.
type StepActionResult struct {
	Instance string     `json:"instance"` // the run (or foreach iteration, loop id/iteration) of the step
	Path     string     `json:"path"`     // the step's id in it
	Status   StepStatus `json:"status"`   // the step's status after the action
	Attempts int        `json:"attempts"`
	Message  string     `json:"message,omitempty"`
}

// StepActionForward sends a step action on to the child workflow that runs
// the step: a loop workflow (Path starts with the iteration) or a
// subworkflow's run.
type StepActionForward struct {
	WorkflowID string `json:"workflow_id"`
	Path       string `json:"path"`
}

// stepActionsAllowed is Maestro's STEP_INSTANCE_STATUS_TO_ACTION_MAP
// (Actions.java): the actions each step status allows. A status missing
// here allows none. Baton adds PAUSE (and RESUME, withdrawing it) on a step
// not created yet: Maestro pauses such a step through a breakpoint.
var stepActionsAllowed = map[StepStatus][]StepAction{
	NotCreated:         {ActionPause, ActionResume},
	Created:            {ActionPause, ActionStop, ActionKill},
	Paused:             {ActionResume, ActionStop, ActionKill, ActionSkip},
	WaitingForSignals:  {ActionStop, ActionKill, ActionSkip, ActionBypass},
	EvaluatingParams:   {ActionStop, ActionKill, ActionSkip},
	WaitingForPermits:  {ActionStop, ActionKill, ActionSkip},
	Running:            {ActionStop, ActionKill, ActionSkip},
	Unsatisfied:        {ActionRestart},
	Skipped:            {ActionRestart, ActionSkip},
	Succeeded:          {ActionRestart, ActionSkip},
	CompletedWithError: {ActionRestart, ActionSkip},
	UserFailed:         {ActionStop, ActionKill, ActionSkip},
	PlatformFailed:     {ActionStop, ActionKill, ActionSkip},
	TimeoutFailed:      {ActionStop, ActionKill, ActionSkip},
	FatallyFailed:      {ActionRestart, ActionSkip},
	InternallyFailed:   {ActionRestart, ActionSkip},
	Stopped:            {ActionRestart, ActionSkip},
	TimedOut:           {ActionRestart, ActionSkip},
}

// stepActionFunc applies an allowed action to a step; it returns a note
// for the answer.
type stepActionFunc func(r *run, n *node, req StepActionRequest) string

// stepActionDispatch is the one dispatch table of the step actions. Each
// entry has a check in checkStepAction that runs first.
var stepActionDispatch = map[StepAction]stepActionFunc{
	ActionPause:  (*run).actPause,
	ActionResume: (*run).actResume,
	ActionSkip: func(r *run, n *node, req StepActionRequest) string {
		if n.m.phase == phaseDone {
			return r.actSkipEnded(n, req)
		}
		return r.actEnd(n, Skipped, req)
	},
	ActionStop:    func(r *run, n *node, req StepActionRequest) string { return r.actEnd(n, Stopped, req) },
	ActionKill:    func(r *run, n *node, req StepActionRequest) string { return r.actEnd(n, FatallyFailed, req) },
	ActionRestart: (*run).actRestart,
	ActionBypass: func(r *run, n *node, req StepActionRequest) string {
		if err := r.bypassSignals(n); err != nil {
			return err.Error() // checkStepAction saw WAITING_FOR_SIGNALS: not reached
		}
		return "its signal dependencies bypassed"
	},
}

// stepActions is a step's state for actions and breakpoints.
type stepActions struct {
	pause   bool // PAUSE asked before the step was created
	resumed bool // RESUMEd: the next creation passes the breakpoints
	retry   bool // paused before a retry's attempt: RESUME starts it
}

// refuse is the validator's error for an action that is not allowed.
func refuse(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), ErrStepActionRefused, nil)
}

// setStepActionHandler registers UpdateStepAction on a baton.Run workflow.
func setStepActionHandler(ctx workflow.Context, r *run) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateStepAction,
		func(ctx workflow.Context, req StepActionRequest) (StepActionResult, error) {
			n, err := r.checkStepAction(req)
			if err != nil {
				return StepActionResult{}, err
			}
			return r.applyStepAction(ctx, n, req), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req StepActionRequest) error {
			_, err := r.checkStepAction(req)
			return err
		}})
}

// applyStepAction applies a checked action and answers with the step's
// new status.
func (r *run) applyStepAction(ctx workflow.Context, n *node, req StepActionRequest) StepActionResult {
	workflow.GetVersion(ctx, ChangeStepActions, workflow.DefaultVersion, 1)
	note := stepActionDispatch[req.Action](r, n, req)
	return StepActionResult{Instance: r.id, Path: n.plan.ID, Status: n.state.Status, Attempts: n.state.Attempts, Message: note}
}

// checkStepAction finds the step a request addresses in this run and
// checks the action is allowed in its status; a path into a child workflow
// is answered with a forward.
func (r *run) checkStepAction(req StepActionRequest) (*node, error) {
	if _, ok := stepActionDispatch[req.Action]; !ok {
		return nil, refuse("unknown step action %q (want PAUSE, RESUME, SKIP, STOP, KILL, RESTART or BYPASS_STEP_DEPENDENCIES)", req.Action)
	}
	stepID, rest, nested := strings.Cut(req.Path, "/")
	n := r.byID[stepID]
	if n == nil {
		return nil, refuse("run %s has no step %q", r.id, stepID)
	}
	if r.eng == nil {
		return nil, refuse("not supported yet: step actions on run %s, which started before the event-driven engine", r.id)
	}
	if nested {
		return nil, r.forward(n, rest)
	}
	if r.ended {
		if req.Action == ActionRestart {
			return nil, refuse("RESTART of step %q: run %s has ended; once its workflow has closed, RESTART restarts it from the step", stepID, r.id)
		}
		return nil, refuse("%s of step %q: run %s has ended (%s)", req.Action, stepID, r.id, r.state.Status)
	}
	st := n.state.Status
	if !allows(st, req.Action) {
		return nil, refuse("%s of step %q: not allowed in status %s (allowed: %s)", req.Action, stepID, st, allowedList(st))
	}
	if why := r.phaseRefusal(n, req.Action); why != "" {
		return nil, refuse("%s of step %q (%s): %s", req.Action, stepID, st, why)
	}
	return n, nil
}

// forward answers a path that goes on inside a composite step: the child
// workflow that runs it takes the rest of the path.
func (r *run) forward(n *node, rest string) error {
	switch n.plan.Kind {
	case "foreach", "subworkflow", "while":
	default:
		return refuse("step %q is a %s step: the path %q cannot go on inside it", n.plan.ID, n.plan.Kind, rest)
	}
	if n.m.phase != phaseRunning {
		return refuse("step %q is %s: its %s is not running", n.plan.ID, n.state.Status, n.plan.Kind)
	}
	fwd := StepActionForward{WorkflowID: r.id + "/" + n.plan.ID, Path: rest}
	return temporal.NewNonRetryableApplicationError("step "+n.plan.ID+" runs in child workflow "+fwd.WorkflowID, ErrStepActionForward, nil, fwd)
}

func allows(st StepStatus, a StepAction) bool {
	for _, x := range stepActionsAllowed[st] {
		if x == a {
			return true
		}
	}
	return false
}

func allowedList(st StepStatus) string {
	as := stepActionsAllowed[st]
	if len(as) == 0 {
		return "none"
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// phaseRefusal checks what the status table cannot: where the step is in
// Baton's engine. It returns why the action is refused, or "".
func (r *run) phaseRefusal(n *node, a StepAction) string {
	ph := n.m.phase
	switch a {
	case ActionPause:
		if ph != phaseWaiting && ph != phaseQueued {
			return "the step was never created and will not be"
		}
		if n.act.pause {
			return "a PAUSE is already pending"
		}
	case ActionResume:
		if ph != phasePaused && !n.act.pause {
			return "the step is not paused and no PAUSE is pending"
		}
	case ActionStop, ActionKill:
		if ph == phaseDone || ph == phaseWaiting {
			return "the step is not in flight"
		}
	case ActionSkip:
		if ph == phaseDone && !n.state.Status.Complete() {
			return r.reopenRefusal(n)
		}
	case ActionRestart:
		if ph != phaseDone {
			return "the step has not ended"
		}
		if n.state.Status == NotCreated {
			return "the step was never created"
		}
		return r.reopenRefusal(n)
	case ActionBypass:
		if ph != phaseSignals {
			return "the step is not waiting for signals"
		}
	}
	return ""
}
