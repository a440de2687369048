package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// Names of what a schedule runs.
const (
	// FireWorkflowName is the workflow a trigger's schedule starts at each
	// slot: it starts the instance through the run strategy and ends.
	FireWorkflowName = "baton.scheduler.Fire"
	// FireActivityName admits the triggered instance.
	FireActivityName = "baton.scheduler.StartTriggered"
	// InitiatorTime is Maestro's initiator type of triggered instances.
	InitiatorTime = "TIME"
)

// scheduledStartTime is the search attribute Temporal's scheduler sets on
// the workflows it starts: the slot's nominal time.
var scheduledStartTime = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// FireInput is what a schedule passes to each Fire run.
type FireInput struct {
	WorkflowID string `json:"workflow_id"`
	Version    int    `json:"version"`
	Trigger    int    `json:"trigger"` // index in workflow.time_triggers
	Timezone   string `json:"timezone"`
	TaskQueue  string `json:"task_queue"`
	// StepTypes are the compile options of the pushing client.
	StepTypes map[string]translator.StepTypeInfo `json:"step_types,omitempty"`
	// SearchAttributes: the namespace has Baton's search attributes.
	SearchAttributes bool `json:"search_attributes,omitempty"`
}

// Triggered is one slot's start request.
type Triggered struct {
	FireInput
	Slot time.Time `json:"slot"`
}

// Fire is the workflow a trigger's schedule starts: it reads the slot's
// nominal time and admits the instance with a local activity.
func Fire(ctx workflow.Context, in FireInput) (Admission, error) {
	slot, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStartTime)
	if !ok {
		// Started by hand, not by a schedule: the workflow id ends with the slot.
		id := workflow.GetInfo(ctx).WorkflowExecution.ID
		t, err := time.Parse(time.RFC3339, id[strings.LastIndex(id, "-")+1:])
		if err != nil {
			slot = workflow.Now(ctx)
		} else {
			slot = t
		}
	}
	actx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 10 * time.Minute,
		StartToCloseTimeout:    time.Minute,
	})
	var a Admission
	err := workflow.ExecuteLocalActivity(actx, FireActivityName, Triggered{FireInput: in, Slot: slot}).Get(ctx, &a)
	return a, err
}

// SlotParams are the params a triggered instance starts with: RUN_TS is
// the slot, WORKFLOW_CRON_TIMEZONE the trigger's zone, TARGET_RUN_DATE and
// TARGET_RUN_HOUR the slot's date and hour in that zone.
func SlotParams(slot time.Time, zone string) (map[string]sel.Value, error) {
	loc := time.UTC
	if zone != "" {
		var err error
		if loc, err = time.LoadLocation(zone); err != nil {
			return nil, err
		}
	}
	local := slot.In(loc)
	return map[string]sel.Value{
		"RUN_TS":                 {Type: sel.Long, Value: slot.UnixMilli()},
		"WORKFLOW_CRON_TIMEZONE": {Type: sel.String, Value: loc.String()},
		"TARGET_RUN_DATE":        {Type: sel.String, Value: local.Format("20060102")},
		"TARGET_RUN_HOUR":        {Type: sel.String, Value: local.Format("15")},
	}, nil
}

// SlotRequestID is the request id of a trigger's slot: a slot fired twice
// (a retry, a backfill over it again) starts one instance.
func SlotRequestID(trigger int, slot time.Time) string {
	return fmt.Sprintf("time-%d-%s", trigger, slot.UTC().Format("20060102T150405.000Z"))
}

// StartTriggered is the activity: it fetches the version, compiles it and
// admits the slot's instance through the workflow id's run strategy.
func StartTriggered(ctx context.Context, in Triggered) (Admission, error) {
	tc := activity.GetClient(ctx)
	reg := registry.New(tc, registry.Options{TaskQueue: in.TaskQueue, StepTypes: in.StepTypes})
	req, v, err := reg.Get(ctx, in.WorkflowID, fmt.Sprint(in.Version))
	if err != nil {
		return Admission{}, temporal.NewNonRetryableApplicationError(err.Error(), "baton.scheduler.NotFound", nil)
	}
	plan, err := reg.Check(req)
	if err != nil {
		return Admission{}, temporal.NewNonRetryableApplicationError(err.Error(), "baton.scheduler.Invalid", nil)
	}
	params, err := SlotParams(in.Slot, in.Timezone)
	if err != nil {
		return Admission{}, err
	}
	if _, err := workflows.MergeRunParams(plan, params); err != nil {
		return Admission{}, temporal.NewNonRetryableApplicationError(err.Error(), "baton.scheduler.Invalid", nil)
	}
	reqID := SlotRequestID(in.Trigger, in.Slot)
	return New(tc, Options{TaskQueue: in.TaskQueue}).Admit(ctx, StartRequest{
		InstanceID: plan.WorkflowID + "/" + reqID, RequestID: reqID, Plan: plan, RunParams: params,
		Initiator: InitiatorTime, Version: v.Version, TaskQueue: in.TaskQueue,
		SearchAttributes: in.SearchAttributes,
		Summary:          fmt.Sprintf("Maestro %s v%d, time trigger %d, slot %s", plan.WorkflowID, v.Version, in.Trigger, in.Slot.UTC().Format(time.RFC3339)),
	})
}
