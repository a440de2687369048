package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/internal/retry"
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
// RESTART of a step of an ended run restarts the run from that step
// (RestartFromStep, RESTART_FROM_SPECIFIC): the answer is the step's
// status in the new run, CREATED, and names the new run.
func (c *Client) StepAction(ctx context.Context, id string, action workflows.StepAction, path, reason string) (*workflows.StepActionResult, error) {
	if err := CheckStepPath(path); err != nil {
		return nil, err
	}
	if action == workflows.ActionRestart {
		if res, err := c.restartEnded(ctx, id, path); res != nil || err != nil {
			return res, err
		}
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

// restartEnded restarts an ended run from a step; it returns nil, nil if
// the run is still running.
func (c *Client) restartEnded(ctx context.Context, id, path string) (*workflows.StepActionResult, error) {
	d, err := c.tc.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return nil, fmt.Errorf("baton: step action RESTART on %s: %w", id, err)
	}
	if d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return nil, nil
	}
	run, err := c.RestartFromStep(ctx, id, StepRestartOptions{Step: path})
	if err != nil {
		return nil, &StepActionRefusedError{Run: id, Path: path, Action: workflows.ActionRestart, Reason: err.Error()}
	}
	return &workflows.StepActionResult{Instance: run.ID(), Path: path, Status: workflows.Created,
		Message: fmt.Sprintf("the run has ended: restarted from this step as run %s", run.RunID())}, nil
}

// CheckStepPath checks the form of a step path: STEP, or parts joined by
// "/" with none empty.
func CheckStepPath(path string) error {
	if path == "" || strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") || strings.Contains(path, "//") {
		return fmt.Errorf("baton: step path %q: want STEP or STEP/ITERATION/STEP (no empty part)", path)
	}
	return nil
}

// sendStepAction sends one step action update; a forward is returned as
// fwd.
func (c *Client) sendStepAction(ctx context.Context, wfID string, req workflows.StepActionRequest) (*workflows.StepActionResult, *workflows.StepActionForward, error) {
	// The workflow task that took the update may fail (for one, the run
	// ended while a child's cancellation came in): nothing was applied,
	// the server answers WorkflowNotReady, and retry.Update resends it.
	var res workflows.StepActionResult
	err := retry.Update(ctx, c.tc, sdkclient.UpdateWorkflowOptions{
		WorkflowID: wfID, UpdateName: workflows.UpdateStepAction, Args: []any{req}}, &res)
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
