package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
)

// TestScheduleSyncWithoutClient: a push is recorded by the registry
// entity and the client goes away at once (it waits only for the update
// to be accepted, as a client killed right after sending it): the entity
// still makes the run strategy and the schedule those of the new version.
func TestScheduleSyncWithoutClient(t *testing.T) {
	ctx := context.Background()
	const id = "tt-sync-no-client"
	tokyo := &definition.TimeTrigger{Type: "PREDEFINED", Expression: "@daily", Timezone: "Asia/Tokyo"}
	req := timeTriggerDef(t, id, tokyo)
	plan, err := env.baton.Compile(req)
	require.NoError(t, err)
	raw, err := definition.Encode(req)
	require.NoError(t, err)
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, raw))

	start := env.tc.NewWithStartWorkflowOperation(sdkclient.StartWorkflowOptions{
		ID: registry.EntityID(id), TaskQueue: client.DefaultTaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, registry.WorkflowName, registry.EntityInput{State: registry.State{WorkflowID: id}})
	_, err = env.tc.UpdateWithStartWorkflow(ctx, sdkclient.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: sdkclient.UpdateWorkflowOptions{
			WorkflowID: registry.EntityID(id), UpdateName: registry.UpdatePush,
			Args: []any{registry.PushInput{Definition: compact.Bytes(), PlanHash: plan.Hash, Activate: true,
				Schedules: &registry.ScheduleSync{TaskQueue: client.DefaultTaskQueue}}},
			WaitForStage: sdkclient.WorkflowUpdateStageAccepted,
		},
	})
	require.NoError(t, err)
	defer func() { _ = env.baton.Deactivate(ctx, id) }()

	require.Eventually(t, func() bool {
		ds, err := env.baton.Scheduler().Schedules(ctx, id)
		require.NoError(t, err)
		return len(ds) == 1 && !ds[0].Schedule.State.Paused && ds[0].Schedule.Spec.TimeZoneName == "Asia/Tokyo"
	}, 30*time.Second, 20*time.Millisecond, "the entity created the schedule")
	snap, err := env.baton.Instances(ctx, id)
	require.NoError(t, err)
	require.Equal(t, string(definition.Sequential), snap.Strategy.Rule, "the entity set the run strategy")

	// Deactivating through the client: the entity pauses the schedule
	// before the call returns.
	require.NoError(t, env.baton.Deactivate(ctx, id))
	ds := describeSchedules(t, id)
	require.Len(t, ds, 1)
	require.True(t, ds[0].Schedule.State.Paused)
	replayEntity(t, "registry", registry.EntityID(id), "entity-sync")
}
