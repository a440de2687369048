package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
)

// ScheduleIDPrefix prefixes the Temporal schedule of each time trigger:
// "baton-trigger/<workflow id>/<index in time_triggers>".
const ScheduleIDPrefix = "baton-trigger/"

// ScheduleID is the id of the schedule of workflowID's trigger i.
func ScheduleID(workflowID string, i int) string {
	return fmt.Sprintf("%s%s/%d", ScheduleIDPrefix, workflowID, i)
}

// SpecError is a time trigger that no Temporal schedule can express.
type SpecError struct {
	Path string // workflow.time_triggers[i]
	Err  error
}

func (e *SpecError) Error() string { return "scheduler: " + e.Path + ": " + e.Err.Error() }
func (e *SpecError) Unwrap() error { return e.Err }

// SyncOptions say which version a workflow id's schedules fire.
type SyncOptions struct {
	// Version is the active version whose time_triggers the schedules
	// follow (0 with a nil Definition: no active version).
	Version    int
	Definition *definition.Request
	// StepTypes are compile options the triggered starts use.
	StepTypes map[string]translator.StepTypeInfo
	// SearchAttributes: the namespace has Baton's search attributes, so
	// triggered instances get them.
	SearchAttributes bool
}

// SyncSchedules makes workflowID's schedules those of its active
// version: one per time trigger, created or replaced, paused when the
// definition sets properties.time_trigger_disabled; schedules of triggers
// the version no longer has are deleted. Without an active version every
// schedule is paused (deactivated).
func (c *Client) SyncSchedules(ctx context.Context, workflowID string, o SyncOptions) error {
	if o.Definition == nil || o.Definition.Workflow == nil {
		return c.PauseSchedules(ctx, workflowID, "deactivated: no active version")
	}
	triggers := o.Definition.Workflow.TimeTriggers
	paused := false
	if p := o.Definition.Properties; p != nil && p.TimeTriggerDisabled != nil && *p.TimeTriggerDisabled {
		paused = true
	}
	sc := c.tc.ScheduleClient()
	for i, t := range triggers {
		spec, err := Spec(t)
		if err != nil {
			return &SpecError{Path: fmt.Sprintf("workflow.time_triggers[%d]", i), Err: err}
		}
		action := &sdkclient.ScheduleWorkflowAction{
			ID:        fmt.Sprintf("baton-fire/%s/%d", workflowID, i),
			Workflow:  FireWorkflowName,
			TaskQueue: c.opts.TaskQueue,
			Args: []any{FireInput{WorkflowID: workflowID, Version: o.Version, Trigger: i,
				Timezone: spec.TimeZoneName, TaskQueue: c.opts.TaskQueue, StepTypes: o.StepTypes, SearchAttributes: o.SearchAttributes}},
		}
		note := fmt.Sprintf("version %d", o.Version)
		if paused {
			note = "properties.time_trigger_disabled"
		}
		id := ScheduleID(workflowID, i)
		_, err = sc.Create(ctx, sdkclient.ScheduleOptions{
			ID: id, Spec: spec, Action: action, Paused: paused, Note: note,
			// Fire runs are short: buffering keeps slots in order.
			Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL,
		})
		var exists *serviceerror.AlreadyExists
		switch {
		case errors.Is(err, temporal.ErrScheduleAlreadyRunning) || errors.As(err, &exists):
			err = sc.GetHandle(ctx, id).Update(ctx, sdkclient.ScheduleUpdateOptions{
				DoUpdate: func(in sdkclient.ScheduleUpdateInput) (*sdkclient.ScheduleUpdate, error) {
					s := in.Description.Schedule
					s.Spec, s.Action = &spec, action
					s.State.Paused, s.State.Note = paused, note
					return &sdkclient.ScheduleUpdate{Schedule: &s}, nil
				},
			})
		}
		if err != nil {
			return fmt.Errorf("scheduler: schedule %s: %w", id, err)
		}
	}
	return c.deleteSchedules(ctx, workflowID, len(triggers))
}

// deleteSchedules deletes workflowID's schedules from index from on (they
// are numbered without gaps, so the first missing one ends the scan).
func (c *Client) deleteSchedules(ctx context.Context, workflowID string, from int) error {
	sc := c.tc.ScheduleClient()
	for i := from; ; i++ {
		err := sc.GetHandle(ctx, ScheduleID(workflowID, i)).Delete(ctx)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("scheduler: delete schedule %s: %w", ScheduleID(workflowID, i), err)
		}
	}
}

// Schedules describes workflowID's schedules, trigger by trigger.
func (c *Client) Schedules(ctx context.Context, workflowID string) ([]*sdkclient.ScheduleDescription, error) {
	var out []*sdkclient.ScheduleDescription
	sc := c.tc.ScheduleClient()
	for i := 0; ; i++ {
		d, err := sc.GetHandle(ctx, ScheduleID(workflowID, i)).Describe(ctx)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("scheduler: describe schedule %s: %w", ScheduleID(workflowID, i), err)
		}
		out = append(out, d)
	}
}

// PauseSchedules pauses every schedule of workflowID (deactivation).
func (c *Client) PauseSchedules(ctx context.Context, workflowID, note string) error {
	sc := c.tc.ScheduleClient()
	for i := 0; ; i++ {
		err := sc.GetHandle(ctx, ScheduleID(workflowID, i)).Pause(ctx, sdkclient.SchedulePauseOptions{Note: note})
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("scheduler: pause schedule %s: %w", ScheduleID(workflowID, i), err)
		}
	}
}

// Backfill starts the instances workflowID's triggers would have started
// from from to to (inclusive), slot by slot in time order per trigger,
// through the run strategy, each with its slot's RUN_TS. A slot started
// before (by its schedule or an earlier backfill) is not started again.
func (c *Client) Backfill(ctx context.Context, workflowID string, from, to time.Time) (int, error) {
	if !to.After(from) {
		return 0, fmt.Errorf("scheduler: backfill %s: --to (%s) must be after --from (%s)", workflowID, to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	ds, err := c.Schedules(ctx, workflowID)
	if err != nil {
		return 0, err
	}
	if len(ds) == 0 {
		return 0, fmt.Errorf("scheduler: backfill %s: the workflow has no time triggers (no active version with time_triggers)", workflowID)
	}
	sc := c.tc.ScheduleClient()
	for i := range ds {
		// Temporal's backfill range excludes its start; a slot at from is in.
		err := sc.GetHandle(ctx, ScheduleID(workflowID, i)).Backfill(ctx, sdkclient.ScheduleBackfillOptions{
			Backfill: []sdkclient.ScheduleBackfill{{Start: from.Add(-time.Millisecond), End: to, Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL}},
		})
		if err != nil {
			return 0, fmt.Errorf("scheduler: backfill %s: %w", ScheduleID(workflowID, i), err)
		}
	}
	return len(ds), nil
}
