package registry

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// TestEntityScheduleSync: an activation recorded by the entity is synced
// by the entity's own activity, retried through failures until done,
// before the update answers; a deactivation syncs too; a sync that can
// never succeed is reported and stops retrying, the version kept.
func TestEntityScheduleSync(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Entity, workflow.RegisterOptions{Name: WorkflowName})
	var calls []SyncRequest
	failures := 2 // the first two attempts fail as a crashed worker or a lost server would
	env.RegisterActivityWithOptions(func(ctx context.Context, req SyncRequest) error {
		calls = append(calls, req)
		if failures > 0 {
			failures--
			return errors.New("injected: the server went away")
		}
		if req.Version == 3 {
			return temporal.NewNonRetryableApplicationError("workflow.time_triggers[0]: cannot be scheduled", ErrorTypeSyncRefused, nil)
		}
		return nil
	}, activity.RegisterOptions{Name: SyncActivityName})

	h := &entityRun{t: t, env: env}
	sync := &ScheduleSync{TaskQueue: "tq", SearchAttributes: true}
	withSync := func(desc string, activate bool) PushInput {
		p := push(desc, activate)
		p.Schedules = sync
		return p
	}
	script := []func(){
		func() { h.update(UpdatePush, withSync("one", true)) },
		func() {
			v, err := h.result()
			require.NoError(t, err)
			require.True(t, v.SchedulesSynced)
			require.Len(t, calls, 3, "two failed attempts, then the sync")
			require.Equal(t, 1, calls[2].Version)
			require.Equal(t, *sync, calls[2].Sync)
			require.Contains(t, string(calls[2].Definition), `"description":"one"`)
			h.update(UpdatePush, withSync("two", false)) // not activated: no sync
		},
		func() {
			v, err := h.result()
			require.NoError(t, err)
			require.False(t, v.SchedulesSynced)
			require.Len(t, calls, 3)
			h.done = false
			env.UpdateWorkflow(UpdateDeactivate, "deactivate", &testsuite.TestUpdateCallback{
				OnAccept: func() {},
				OnReject: func(err error) { h.err = err },
				OnComplete: func(res any, err error) {
					h.err, h.done = err, true
					synced, _ := res.(bool)
					require.True(t, synced, "the entity paused the schedules")
				},
			})
		},
		func() {
			require.True(t, h.done)
			require.NoError(t, h.err)
			require.Len(t, calls, 4)
			require.Equal(t, 0, calls[3].Version)
			require.Empty(t, calls[3].Definition, "no active version: the schedules pause")
			h.update(UpdatePush, withSync("three", true))
		},
		func() {
			_, err := h.result()
			require.ErrorContains(t, err, "the version is recorded, but its run strategy and schedules are not: workflow.time_triggers[0]: cannot be scheduled")
			require.Len(t, calls, 5, "a refused sync is not retried")
			require.Equal(t, 3, h.get("active").Version.Version, "the version is kept")
			h.update(UpdateActivate, 1)
		},
		func() {
			v, err := h.result()
			require.NoError(t, err)
			require.True(t, v.SchedulesSynced)
			require.Equal(t, 1, calls[5].Version)
			env.CancelWorkflow()
		},
	}
	for i, step := range script {
		env.RegisterDelayedCallback(step, time.Duration(i+1)*time.Hour)
	}
	env.ExecuteWorkflow(WorkflowName, EntityInput{State: State{WorkflowID: "wf"}})
	require.True(t, env.IsWorkflowCompleted())
	var canceled *temporal.CanceledError
	require.ErrorAs(t, env.GetWorkflowError(), &canceled, "every step ran; the test cancelled the entity")
}
