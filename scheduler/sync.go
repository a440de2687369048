package scheduler

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/signals"
)

// Sync is the activity a registry entity runs after its active version
// changes (registry.SyncActivityName): it makes the workflow id's run
// strategy that of the active version and its schedules those of the
// version's time triggers, or pauses them when no version is active. It
// is idempotent, so the entity retries it until it is done.
func Sync(ctx context.Context, req registry.SyncRequest) error {
	tc := activity.GetClient(ctx)
	c := New(tc, Options{TaskQueue: req.Sync.TaskQueue})
	if len(req.Definition) == 0 {
		return c.PauseSchedules(ctx, req.WorkflowID, "deactivated: no active version")
	}
	refused := func(err error) error {
		return temporal.NewNonRetryableApplicationError(err.Error(), registry.ErrorTypeSyncRefused, nil)
	}
	def, err := definition.Decode(req.Definition)
	if err != nil {
		return refused(fmt.Errorf("version %d: %w", req.Version, err))
	}
	plan, err := registry.New(tc, registry.Options{TaskQueue: req.Sync.TaskQueue, StepTypes: req.Sync.StepTypes}).Check(def)
	if err != nil {
		return refused(fmt.Errorf("version %d: %w", req.Version, err))
	}
	s, _ := StrategyOf(plan)
	if err := c.SetStrategy(ctx, req.WorkflowID, s); err != nil {
		var r *RefusedError
		if errors.As(err, &r) {
			return refused(err)
		}
		return err
	}
	err = c.SyncSchedules(ctx, req.WorkflowID, SyncOptions{
		Version: req.Version, Definition: def, StepTypes: req.Sync.StepTypes, SearchAttributes: req.Sync.SearchAttributes,
	})
	var spec *SpecError
	var invalid *serviceerror.InvalidArgument
	if errors.As(err, &spec) || errors.As(err, &invalid) {
		return refused(err)
	}
	if err != nil {
		return err
	}
	// Signal triggers (signal_triggers.go): subscribed in their stores.
	triggers, err := signalTriggers(req.WorkflowID, req.Version, req.Sync.TaskQueue, def)
	if err != nil {
		return refused(fmt.Errorf("version %d: %w", req.Version, err))
	}
	return syncSignalTriggers(ctx, signals.NewClient(tc, signals.ClientOptions{TaskQueue: req.Sync.TaskQueue}), req.WorkflowID, triggers)
}
