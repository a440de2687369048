package registry

import (
	"encoding/json"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/translator"
)

// SyncActivityName is the activity an entity runs after each change of
// its active version: it makes the workflow id's run strategy and
// schedules those of the active version. The scheduler package registers
// it (the registry cannot import the scheduler).
const SyncActivityName = "baton.scheduler.SyncSchedules"

// ErrorTypeSyncRefused is the type of a sync failure that no retry
// changes (a trigger Temporal cannot schedule, a strategy switch the
// queue refuses): the entity records it and stops retrying.
const ErrorTypeSyncRefused = "baton.registry.SyncRefused"

// changeScheduleSync makes an entity run the schedule sync itself, after
// it records an activation, instead of leaving it to the client.
const changeScheduleSync = "registry-schedule-sync"

// ScheduleSync is what a pushing client tells the entity so that the
// entity, not the client, keeps the workflow id's run strategy and
// schedules in step with its active version: a crash of the client after
// the update cannot leave them stale.
type ScheduleSync struct {
	// TaskQueue of the queue and of the schedules' Fire workflows.
	TaskQueue string `json:"task_queue"`
	// StepTypes compile the active version (plan hash, modes).
	StepTypes map[string]translator.StepTypeInfo `json:"step_types,omitempty"`
	// SearchAttributes: the namespace has Baton's search attributes, so
	// triggered instances get them.
	SearchAttributes bool `json:"search_attributes,omitempty"`
}

// SyncRequest is the sync activity's input: the active version (0 and no
// definition when none is active).
type SyncRequest struct {
	WorkflowID string          `json:"workflow_id"`
	Version    int             `json:"version"`
	Definition json.RawMessage `json:"definition,omitempty"`
	Sync       ScheduleSync    `json:"sync"`
}

// requestSync records that the active version changed and, if the entity
// keeps the schedules, waits until the sync that covers this change has
// run; it tells whether it synced, and returns that sync's failure.
func (s *State) requestSync(ctx workflow.Context) (bool, error) {
	if s.Sync == nil || workflow.GetVersion(ctx, changeScheduleSync, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false, nil
	}
	s.SyncWanted++
	gen := s.SyncWanted
	if err := workflow.Await(ctx, func() bool { return s.Synced >= gen }); err != nil {
		return false, err
	}
	if s.SyncError != "" && s.SyncFailed >= gen {
		return true, temporal.NewNonRetryableApplicationError("the version is recorded, but its run strategy and schedules are not: "+s.SyncError, ErrorTypeSyncRefused, nil)
	}
	return true, nil
}

// synced answers an update that changed the active version.
func (s *State) synced(ctx workflow.Context, v Version) (Version, error) {
	ok, err := s.requestSync(ctx)
	v.SchedulesSynced = ok
	return v, err
}

// syncDue tells whether a change of the active version waits for a sync.
func (s *State) syncDue() bool { return s.Synced < s.SyncWanted }

// runSync runs the sync activity for the current active version until it
// succeeds or fails for good; every change recorded before it started is
// then covered.
func (s *State) runSync(ctx workflow.Context) {
	gen := s.SyncWanted
	req := SyncRequest{WorkflowID: s.WorkflowID, Sync: *s.Sync}
	if s.Active > 0 {
		if v, err := s.resolve(selector{number: s.Active}); err == nil {
			if def, err := decompress(v.Definition); err == nil {
				req.Version, req.Definition = s.Active, def
			}
		}
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		// Retried until done: transient failures (a server restart, a
		// worker killed mid-sync) never leave the schedules stale.
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{ErrorTypeSyncRefused},
		},
	})
	err := workflow.ExecuteActivity(actx, SyncActivityName, req).Get(ctx, nil)
	s.Synced = gen
	if err != nil {
		s.SyncError, s.SyncFailed = causeOf(err), gen
		workflow.GetLogger(ctx).Warn("schedule sync failed", "workflow_id", s.WorkflowID, "error", err)
		return
	}
	s.SyncError = ""
}

// causeOf is the message of an activity failure's cause.
func causeOf(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}
