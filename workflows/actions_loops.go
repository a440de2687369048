package workflows

import (
	"strconv"
	"strings"

	"go.temporal.io/sdk/workflow"
)

// setLoopStepActionHandler registers UpdateStepAction on a foreach loop
// workflow: the path starts with the iteration (1-based), and the rest
// addresses a step of that iteration's run, which runs inline here. Only
// running iterations take actions; a loop on the legacy engine has none.
func setLoopStepActionHandler(ctx workflow.Context, l *foreachLoop) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateStepAction,
		func(ctx workflow.Context, req StepActionRequest) (StepActionResult, error) {
			r, n, sub, err := l.checkStepAction(req)
			if err != nil {
				return StepActionResult{}, err
			}
			return r.applyStepAction(ctx, n, sub), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req StepActionRequest) error {
			_, _, _, err := l.checkStepAction(req)
			return err
		}})
}

// checkStepAction finds the iteration a request addresses and checks the
// action on its step.
func (l *foreachLoop) checkStepAction(req StepActionRequest) (*run, *node, StepActionRequest, error) {
	it, rest, ok := strings.Cut(req.Path, "/")
	i, err := strconv.Atoi(it)
	if err != nil || i < 1 {
		return nil, nil, req, refuse("foreach %s: %q is not an iteration number (iterations count from 1)", l.id, it)
	}
	if !ok || rest == "" {
		return nil, nil, req, refuse("foreach %s: the path %q names iteration %d but no step in it", l.id, req.Path, i)
	}
	r := l.iters[i]
	if r == nil {
		return nil, nil, req, refuse("iteration %d of foreach %s is not running (not started yet, or ended)", i, l.id)
	}
	sub := req
	sub.Path = rest
	n, err := r.checkStepAction(sub)
	return r, n, sub, err
}
