package client

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/workflows"
)

// RestartOptions configure a restart.
type RestartOptions struct {
	// Policy is workflows.RestartFromIncomplete (the default: steps that
	// completed keep their state and only the rest runs again) or
	// workflows.RestartFromBeginning.
	Policy string
	// RunParams change workflow params whose mode allows a change at
	// restart (MUTABLE, MUTABLE_ON_START_RESTART) or add new ones.
	RunParams map[string]sel.Value
	// RequestID de-duplicates restarts: restarting again with the id of the
	// latest restart returns that run.
	RequestID string
}

// Restart starts the next run of an ended run (MAESTRO.md §4.17): a new
// Temporal execution of the same workflow id, pinned to the plan of the
// run it restarts, with workflow_run_id one higher. The restart is checked
// (policy, param modes, the run has ended) before anything is started.
func (c *Client) Restart(ctx context.Context, id string, opts RestartOptions) (*Run, error) {
	if opts.Policy == "" {
		opts.Policy = workflows.RestartFromIncomplete
	}
	info, in, same, err := c.endedRun(ctx, id, opts.RequestID)
	if err != nil || same != nil {
		return same, err
	}
	runID := info.GetExecution().GetRunId()
	var prev workflows.State
	if err := c.tc.GetWorkflow(ctx, id, runID).Get(ctx, &prev); err != nil {
		return nil, fmt.Errorf("baton: restart %s: read the final state: %w", id, err)
	}
	rs := &workflows.Restart{
		Policy:    opts.Policy,
		Run:       max(prev.Run, 1) + 1,
		Previous:  &prev,
		Params:    opts.RunParams,
		RequestID: opts.RequestID,
	}
	if opts.Policy == workflows.RestartFromIncomplete {
		if err := c.loopResults(ctx, id, in, rs, false); err != nil {
			return nil, err
		}
	}
	if err := workflows.CheckRestart(in.Plan, rs); err != nil {
		return nil, fmt.Errorf("baton: restart %s: %w", id, err)
	}
	return c.startRestart(ctx, id, info, in, rs)
}

// startRestart starts the checked restart rs of run id (info describes its
// latest execution, in is its input) as the next run of the instance.
func (c *Client) startRestart(ctx context.Context, id string, info *workflowpb.WorkflowExecutionInfo, in *workflows.RunInput, rs *workflows.Restart) (*Run, error) {
	so := sdkclient.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                c.opts.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		EnableEagerStart:         c.opts.EagerStart,
	}
	next := workflows.RunInput{Plan: in.Plan, Initiator: "MANUAL", Depth: in.Depth, Restart: rs}
	version, _ := searchAttributeInt(info.GetSearchAttributes(), workflows.SearchAttributeVersion.GetName())
	return c.admitRestart(ctx, so, next, runMeta{plan: in.Plan, version: version}, info.GetExecution().GetRunId())
}

// endedRun describes the latest run of instance id and reads its input;
// it refuses a run that is not an ended run of the interpreter. If that
// run is a restart with requestID, it returns that run as same.
func (c *Client) endedRun(ctx context.Context, id, requestID string) (info *workflowpb.WorkflowExecutionInfo, in *workflows.RunInput, same *Run, err error) {
	desc, err := c.tc.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("baton: restart %s: %w", id, err)
	}
	info = desc.GetWorkflowExecutionInfo()
	if t := info.GetType().GetName(); t != workflows.WorkflowName {
		return nil, nil, nil, fmt.Errorf("baton: restart %s: it is a %s workflow, not a run of %s", id, t, workflows.WorkflowName)
	}
	switch info.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return nil, nil, nil, fmt.Errorf("baton: restart %s: the run is still in progress; stop it first", id)
	default:
		return nil, nil, nil, fmt.Errorf("baton: restart %s: the run ended without a final state (Temporal status %s)", id, info.GetStatus())
	}
	runID := info.GetExecution().GetRunId()
	if in, err = c.RunInput(ctx, id, runID); err != nil {
		return nil, nil, nil, err
	}
	if requestID != "" && in.Restart != nil && in.Restart.RequestID == requestID {
		return info, in, c.GetRun(id, runID), nil
	}
	return info, in, nil, nil
}

// loopResults reads from the child workflows what a restart from
// incomplete needs of the previous run's composite steps: the results of
// its loop steps (collected params of kept foreach steps, where unfinished
// loops resume) and the final states of kept sync subworkflows. An
// unfinished loop whose loop workflow never started runs from its start;
// one whose loop workflow left no result cannot resume. For a restart
// from a step (specific), every foreach that ran resumes as Maestro's does
// in a RESTART_FROM_SPECIFIC run, while loops start again, and of the
// subworkflows only kept ones are read.
func (c *Client) loopResults(ctx context.Context, id string, in *workflows.RunInput, rs *workflows.Restart, specific bool) error {
	for _, n := range in.Plan.Steps {
		ps := rs.Previous.Step(n.ID)
		if ps == nil || ps.Status == workflows.NotCreated || ps.Status == workflows.Unsatisfied || ps.Status == workflows.Skipped {
			continue
		}
		childID := id + "/" + n.ID
		kept := ps.Status.Complete()
		switch {
		case n.Kind == "foreach" && (!kept || ps.Loop != nil && (specific || len(n.Collect) > 0)), n.Kind == "while" && !kept && !specific:
			var res workflows.LoopResult
			if err := c.tc.GetWorkflow(ctx, childID, "").Get(ctx, &res); err != nil {
				switch {
				case !kept && isNotFound(err):
					continue // no iteration ran
				case !kept:
					return fmt.Errorf("baton: restart %s: %s step %q has no loop result to resume from (%w); restart with %s",
						id, n.Kind, n.ID, err, workflows.RestartFromBeginning)
				}
				return fmt.Errorf("baton: restart %s: read %s step %q's results: %w", id, n.Kind, n.ID, err)
			}
			if rs.Loops == nil {
				rs.Loops = map[string]*workflows.LoopResult{}
			}
			rs.Loops[n.ID] = &res
		case n.Kind == "subworkflow" && n.Sync && !kept && !specific:
			child, err := c.childRestart(ctx, childID)
			if err != nil {
				return fmt.Errorf("baton: restart %s: subworkflow step %q: %w", id, n.ID, err)
			}
			if child != nil {
				if rs.Subworkflows == nil {
					rs.Subworkflows = map[string]*workflows.RunInput{}
				}
				rs.Subworkflows[n.ID] = child
			}
		case n.Kind == "subworkflow" && n.Sync && kept:
			var st workflows.State
			if err := c.tc.GetWorkflow(ctx, childID, "").Get(ctx, &st); err != nil {
				return fmt.Errorf("baton: restart %s: read subworkflow step %q's child run: %w", id, n.ID, err)
			}
			if rs.Children == nil {
				rs.Children = map[string]*workflows.State{}
			}
			rs.Children[n.ID] = &st
		}
	}
	return nil
}

// childRestart builds the restart from incomplete of the child run a
// subworkflow step left incomplete, with what its own loops and
// subworkflows need. It returns nil when there is no such run to restart
// (the child never started, or it succeeded): the step starts a new one.
func (c *Client) childRestart(ctx context.Context, childID string) (*workflows.RunInput, error) {
	in, err := c.RunInput(ctx, childID, "")
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	var prev workflows.State
	if err := c.tc.GetWorkflow(ctx, childID, "").Get(ctx, &prev); err != nil {
		return nil, fmt.Errorf("the child run %s left no final state to restart from (%w); restart with %s", childID, err, workflows.RestartFromBeginning)
	}
	if prev.Status == workflows.InstanceSucceeded {
		return nil, nil
	}
	rs := &workflows.Restart{Policy: workflows.RestartFromIncomplete, Run: max(prev.Run, 1) + 1, Previous: &prev}
	if err := c.loopResults(ctx, childID, in, rs, false); err != nil {
		return nil, err
	}
	return &workflows.RunInput{Plan: in.Plan, Initiator: in.Initiator, Depth: in.Depth, Restart: rs}, nil
}

// RunInput returns the input of a run ("" runID means the latest): the
// plan it is pinned to, its run params and, for a restart, what it
// restarted.
func (c *Client) RunInput(ctx context.Context, id, runID string) (*workflows.RunInput, error) {
	it := c.tc.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return nil, fmt.Errorf("baton: run %s has no history", id)
	}
	ev, err := it.Next()
	if err != nil {
		return nil, fmt.Errorf("baton: read the history of run %s: %w", id, err)
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil {
		return nil, fmt.Errorf("baton: run %s: the first history event is %s, not the start", id, ev.GetEventType())
	}
	var in workflows.RunInput
	if err := converter.GetDefaultDataConverter().FromPayloads(attrs.GetInput(), &in); err != nil {
		return nil, fmt.Errorf("baton: run %s: decode its input: %w", id, err)
	}
	if in.Plan == nil {
		return nil, fmt.Errorf("baton: run %s: its input has no plan", id)
	}
	return &in, nil
}

// isNotFound reports whether err says a workflow does not exist.
func isNotFound(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.As(err, &notFound)
}
