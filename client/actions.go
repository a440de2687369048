package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/workflows"
)

// maxStepActionHops bounds the forwards a step action follows (one per
// foreach or subworkflow on its path).
const maxStepActionHops = 64

// StepActionRefusedError is a step action the run refused: the step's
// status does not allow it, or the path names no step.
type StepActionRefusedError struct {
	Run    string // the workflow id the action was sent to
	Path   string // the step's path, as given
	Action workflows.StepAction
	Reason string
}

func (e *StepActionRefusedError) Error() string {
	return fmt.Sprintf("baton: %s of step %s in run %s refused: %s", e.Action, e.Path, e.Run, e.Reason)
}

// StepAction applies a step action (MAESTRO.md §4.16) to the step at path in
// the running instance id: STEP, FOREACH_STEP/ITERATION/STEP (iterations
// count from 1) or SUBWORKFLOW_STEP/STEP, nested as deep as the steps nest.
// It follows the run's forwards to the child workflow that runs the step,
// and answers with the step's new status, or a *StepActionRefusedError.
func (c *Client) StepAction(ctx context.Context, id string, action workflows.StepAction, path, reason string) (*workflows.StepActionResult, error) {
	if path == "" || strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") || strings.Contains(path, "//") {
		return nil, fmt.Errorf("baton: step path %q: want STEP or STEP/ITERATION/STEP (no empty part)", path)
	}
	wfID, p := id, path
	for range maxStepActionHops {
		req := workflows.StepActionRequest{Action: action, Path: p, Reason: reason}
		res, fwd, err := c.sendStepAction(ctx, wfID, req)
		if err != nil {
			var refused *StepActionRefusedError
			if errors.As(err, &refused) {
				refused.Run, refused.Path = id, path
			}
			return nil, err
		}
		if fwd == nil {
			return res, nil
		}
		wfID, p = fwd.WorkflowID, fwd.Path
	}
	return nil, fmt.Errorf("baton: step path %q: more than %d nested foreach and subworkflow steps", path, maxStepActionHops)
}

// sendStepAction sends one step action update; a forward is returned as
// fwd.
func (c *Client) sendStepAction(ctx context.Context, wfID string, req workflows.StepActionRequest) (*workflows.StepActionResult, *workflows.StepActionForward, error) {
	h, err := c.tc.UpdateWorkflow(ctx, sdkclient.UpdateWorkflowOptions{
		WorkflowID:   wfID,
		UpdateName:   workflows.UpdateStepAction,
		Args:         []any{req},
		WaitForStage: sdkclient.WorkflowUpdateStageCompleted,
	})
	var res workflows.StepActionResult
	if err == nil {
		err = h.Get(ctx, &res)
	}
	if err == nil {
		return &res, nil, nil
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, nil, &StepActionRefusedError{Action: req.Action, Reason: fmt.Sprintf("workflow %s has ended or does not exist (%s)", wfID, notFound.Message)}
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case workflows.ErrStepActionForward:
			var fwd workflows.StepActionForward
			if derr := appErr.Details(&fwd); derr != nil {
				return nil, nil, fmt.Errorf("baton: step action on %s: reading the forward: %w", wfID, derr)
			}
			return nil, &fwd, nil
		case workflows.ErrStepActionRefused:
			return nil, nil, &StepActionRefusedError{Action: req.Action, Reason: appErr.Message()}
		}
	}
	return nil, nil, fmt.Errorf("baton: step action %s on %s: %w", req.Action, wfID, err)
}
