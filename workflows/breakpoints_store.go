package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The breakpoint store: the breakpoints of one workflow id live in one
// entity workflow, baton.Breakpoints with id "baton-breakpoints/<workflow
// id>" (set and delete are validated updates, list a query; it continues as
// new every breakpointUpdatesPerRun updates). A run reads the store once,
// by a local activity, before its first step starts (since version 2 of
// ChangeLeanStart); the client that changes a store then signals the
// workflow id's running runs with the new list (SignalBreakpoints), and a
// run passes it on to its running foreach loops, whose iterations run
// inline.

// Names of the breakpoint store and of what runs answer.
const (
	BreakpointsWorkflowName = "baton.Breakpoints"
	UpdateBreakpointSet     = "baton.breakpoint-set"
	UpdateBreakpointDelete  = "baton.breakpoint-delete"
	QueryBreakpoints        = "baton.breakpoints"
	// SignalBreakpoints carries a workflow id's whole breakpoint list to
	// its running runs and loops.
	SignalBreakpoints = "baton.breakpoints"
	// LoadBreakpointsActivityName reads a workflow id's breakpoints.
	LoadBreakpointsActivityName = "baton.breakpoints.Load"
)

// MaxBreakpoints bounds the breakpoints of one workflow id.
const MaxBreakpoints = 100

// breakpointUpdatesPerRun: the store continues as new after this many.
const breakpointUpdatesPerRun = 500

// BreakpointsWorkflowID is the id of the store of a workflow id.
func BreakpointsWorkflowID(workflowID string) string { return "baton-breakpoints/" + workflowID }

// BreakpointsState is the store's state, carried through continue-as-new.
type BreakpointsState struct {
	WorkflowID  string       `json:"workflow_id"`
	Breakpoints []Breakpoint `json:"breakpoints,omitempty"`
}

// Check validates a breakpoint of the store of workflowID.
func (b *Breakpoint) Check(workflowID string) error {
	switch {
	case b.WorkflowID != workflowID:
		return fmt.Errorf("breakpoint: workflow_id %q does not match the store's %q", b.WorkflowID, workflowID)
	case b.StepID == "":
		return errors.New("breakpoint: step_id is empty")
	case b.Version < 0, b.Run < 0, b.Attempt < 0:
		return errors.New("breakpoint: workflow_version_id, workflow_run_id and step_attempt_id must be 0 (any) or positive")
	}
	return nil
}

// BreakpointsStore is the entity workflow of one workflow id's breakpoints.
func BreakpointsStore(ctx workflow.Context, st BreakpointsState) error {
	updates := 0
	set := func(ctx workflow.Context, b Breakpoint) ([]Breakpoint, error) {
		updates++
		if !slices.Contains(st.Breakpoints, b) {
			st.Breakpoints = append(st.Breakpoints, b)
		}
		return st.Breakpoints, nil
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateBreakpointSet, set,
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, b Breakpoint) error {
			if err := b.Check(st.WorkflowID); err != nil {
				return temporal.NewNonRetryableApplicationError(err.Error(), "InvalidBreakpoint", nil)
			}
			if len(st.Breakpoints) >= MaxBreakpoints && !slices.Contains(st.Breakpoints, b) {
				return temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("breakpoint: workflow %s has %d breakpoints, the most it may have; delete one first", st.WorkflowID, MaxBreakpoints), "InvalidBreakpoint", nil)
			}
			return nil
		}}); err != nil {
		return err
	}
	del := func(ctx workflow.Context, b Breakpoint) ([]Breakpoint, error) {
		updates++
		st.Breakpoints = slices.DeleteFunc(st.Breakpoints, func(x Breakpoint) bool { return x == b })
		return st.Breakpoints, nil
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateBreakpointDelete, del,
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, b Breakpoint) error {
			if !slices.Contains(st.Breakpoints, b) {
				return temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("breakpoint: workflow %s has no breakpoint %s", st.WorkflowID, b), "NoSuchBreakpoint", nil)
			}
			return nil
		}}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryBreakpoints, func() ([]Breakpoint, error) { return st.Breakpoints, nil }); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool {
		return updates >= breakpointUpdatesPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	}); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	return workflow.NewContinueAsNewError(ctx, BreakpointsWorkflowName, st)
}

// String names a breakpoint's fields, 0 (any) left out.
func (b Breakpoint) String() string {
	s := fmt.Sprintf("%s/%s", b.WorkflowID, b.StepID)
	if b.Version != 0 {
		s += fmt.Sprintf(" version %d", b.Version)
	}
	if b.Instance != "" {
		s += " instance " + b.Instance
	}
	if b.Run != 0 {
		s += fmt.Sprintf(" run %d", b.Run)
	}
	if b.Attempt != 0 {
		s += fmt.Sprintf(" attempt %d", b.Attempt)
	}
	return s
}

// BreakpointLoader reads a workflow id's breakpoints from its store: its
// Load is the local activity LoadBreakpointsActivityName.
type BreakpointLoader struct {
	// Client reaches the stores; without one (a test environment) there are
	// no breakpoints.
	Client client.Client
}

// Load returns a workflow id's breakpoints (none if it has no store).
func (l BreakpointLoader) Load(ctx context.Context, workflowID string) ([]Breakpoint, error) {
	if l.Client == nil {
		return nil, nil
	}
	v, err := l.Client.QueryWorkflow(ctx, BreakpointsWorkflowID(workflowID), "", QueryBreakpoints)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the breakpoints of %s: %w", workflowID, err)
	}
	var out []Breakpoint
	if err := v.Get(&out); err != nil {
		return nil, err
	}
	if len(out) > MaxBreakpoints {
		out = out[:MaxBreakpoints]
	}
	return out, nil
}
