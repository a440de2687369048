package workflows

import (
	"strconv"
	"strings"

	"go.temporal.io/sdk/workflow"
)

// Step actions in loop workflows: the path starts with the iteration
// (1-based), and the rest addresses a step of that iteration's run, which
// runs inline in the loop workflow. Only running iterations take actions;
// a loop on the legacy engine has none running.

// iterationCheck finds the run and step a loop's request addresses and
// checks the action.
type iterationCheck func(req StepActionRequest) (*run, *node, StepActionRequest, error)

// setLoopStepActionHandler registers UpdateStepAction on a foreach loop
// workflow (events: it runs on the event-driven engine).
func setLoopStepActionHandler(ctx workflow.Context, l *foreachLoop, events bool) error {
	return setIterationStepActionHandler(ctx, func(req StepActionRequest) (*run, *node, StepActionRequest, error) {
		if !events {
			return nil, nil, req, refuse("not supported yet: step actions in foreach %s, which started before the event-driven engine", l.id)
		}
		i, rest, err := splitIteration("foreach", l.id, req.Path)
		if err != nil {
			return nil, nil, req, err
		}
		r := l.iters[i]
		if r == nil {
			return nil, nil, req, refuse("iteration %d of foreach %s is not running (not started yet, or ended)", i, l.id)
		}
		return checkIn(r, req, rest)
	})
}

// setWhileStepActionHandler registers UpdateStepAction on a while loop
// workflow: the iteration must be the one running (current gives its
// number and run; nil before the first iteration starts).
func setWhileStepActionHandler(ctx workflow.Context, loopID string, events bool, current func() (int, *run)) error {
	return setIterationStepActionHandler(ctx, func(req StepActionRequest) (*run, *node, StepActionRequest, error) {
		if !events {
			return nil, nil, req, refuse("not supported yet: step actions in while %s, which started before the event-driven engine", loopID)
		}
		i, rest, err := splitIteration("while", loopID, req.Path)
		if err != nil {
			return nil, nil, req, err
		}
		n, r := current()
		if r == nil || r.ended || n != i {
			return nil, nil, req, refuse("iteration %d of while %s is not running (iterations run one at a time)", i, loopID)
		}
		return checkIn(r, req, rest)
	})
}

func setIterationStepActionHandler(ctx workflow.Context, check iterationCheck) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateStepAction,
		func(ctx workflow.Context, req StepActionRequest) (StepActionResult, error) {
			r, n, sub, err := check(req)
			if err != nil {
				return StepActionResult{}, err
			}
			return r.applyStepAction(ctx, n, sub), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req StepActionRequest) error {
			_, _, _, err := check(req)
			return err
		}})
}

// splitIteration reads the iteration at the head of a loop's path.
func splitIteration(kind, loopID, path string) (int, string, error) {
	it, rest, ok := strings.Cut(path, "/")
	i, err := strconv.Atoi(it)
	if err != nil || i < 1 {
		return 0, "", refuse("%s %s: %q is not an iteration number (iterations count from 1)", kind, loopID, it)
	}
	if !ok || rest == "" {
		return 0, "", refuse("%s %s: the path %q names iteration %d but no step in it", kind, loopID, path, i)
	}
	return i, rest, nil
}

// checkIn checks the action on the step rest addresses in iteration r.
func checkIn(r *run, req StepActionRequest, rest string) (*run, *node, StepActionRequest, error) {
	sub := req
	sub.Path = rest
	n, err := r.checkStepAction(sub)
	return r, n, sub, err
}
