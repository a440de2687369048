package client

import (
	"context"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/translator"
)

// Registry returns the definition registry, over this client's Temporal
// client, task queue and step types.
func (c *Client) Registry() *registry.Registry {
	return registry.New(c.tc, registry.Options{TaskQueue: c.opts.TaskQueue, StepTypes: c.opts.StepTypes})
}

// StartRegistered fetches the version of workflow id that selector names
// (active, latest, default or a number; "" means active) from the
// registry, compiles it and starts a run pinned to that plan, through the
// workflow id's run strategy. An unknown id or version gives a
// *registry.NotFoundError.
func (c *Client) StartRegistered(ctx context.Context, id, selector string, opts StartOptions) (*Run, *translator.Plan, registry.Version, error) {
	req, v, err := c.Registry().Get(ctx, id, selector)
	if err != nil {
		return nil, nil, registry.Version{}, err
	}
	opts.Queued, opts.Version = true, int64(v.Version)
	run, plan, err := c.StartDefinition(ctx, req, opts)
	return run, plan, v, err
}

// Push stores req as the next version of its workflow id (registry.Push).
// When it becomes the active version (is_active, default true), its run
// strategy becomes the workflow id's (refused first, with nothing stored,
// when Maestro refuses the switch) and its time triggers the workflow
// id's schedules.
func (c *Client) Push(ctx context.Context, req *definition.Request) (registry.Version, error) {
	reg := c.syncingRegistry(ctx)
	plan, err := reg.Check(req)
	if err != nil {
		return registry.Version{}, err
	}
	if req.IsActive == nil || *req.IsActive {
		s, _ := scheduler.StrategyOf(plan)
		if err := c.Scheduler().CheckStrategy(ctx, plan.WorkflowID, s); err != nil {
			return registry.Version{}, err
		}
	}
	v, err := reg.Push(ctx, req)
	if err != nil || !v.Active || v.SchedulesSynced {
		return v, err
	}
	return v, c.activated(ctx, req, plan, v) // an entity of an older worker
}

// syncingRegistry is the registry whose entities keep the run strategy
// and schedules in step with the active version themselves, durably: a
// crash of this process after an update cannot leave them stale.
func (c *Client) syncingRegistry(ctx context.Context) *registry.Registry {
	return registry.New(c.tc, registry.Options{TaskQueue: c.opts.TaskQueue, StepTypes: c.opts.StepTypes,
		Schedules: &registry.ScheduleSync{TaskQueue: c.opts.TaskQueue, StepTypes: c.opts.StepTypes, SearchAttributes: c.hasSearchAttributes(ctx)}})
}

// Activate makes version the active version of workflow id (Maestro's
// ACTIVATE): its run strategy and time triggers take effect.
func (c *Client) Activate(ctx context.Context, id string, version int) (registry.Version, error) {
	reg := c.Registry()
	req, v, err := reg.Get(ctx, id, itoa(version))
	if err != nil {
		return v, err
	}
	plan, err := reg.Check(req)
	if err != nil {
		return v, err
	}
	s, _ := scheduler.StrategyOf(plan)
	if err := c.Scheduler().CheckStrategy(ctx, id, s); err != nil {
		return v, err
	}
	got, err := reg.Activation(ctx, id, version)
	if err != nil {
		return v, err
	}
	v.Active = true
	if got.SchedulesSynced {
		v.SchedulesSynced = true
		return v, nil
	}
	return v, c.activated(ctx, req, plan, v) // pushed by an older client, or an older worker
}

// Deactivate leaves workflow id without an active version (Maestro's
// DEACTIVATE) and pauses its schedules; instances already started run on.
func (c *Client) Deactivate(ctx context.Context, id string) error {
	synced, err := c.Registry().Deactivation(ctx, id)
	if err != nil || synced {
		return err
	}
	return c.Scheduler().PauseSchedules(ctx, id, "deactivated")
}

// activated applies a newly active version's run strategy and triggers.
func (c *Client) activated(ctx context.Context, req *definition.Request, plan *translator.Plan, v registry.Version) error {
	s, _ := scheduler.StrategyOf(plan)
	sc := c.Scheduler()
	if err := sc.SetStrategy(ctx, plan.WorkflowID, s); err != nil {
		return err
	}
	return sc.SyncSchedules(ctx, plan.WorkflowID, scheduler.SyncOptions{
		Version: v.Version, Definition: req, StepTypes: c.opts.StepTypes,
		SearchAttributes: c.hasSearchAttributes(ctx),
	})
}
