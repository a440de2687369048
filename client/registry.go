package client

import (
	"context"

	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/translator"
)

// Registry returns the definition registry, over this client's Temporal
// client, task queue and step types.
func (c *Client) Registry() *registry.Registry {
	return registry.New(c.tc, registry.Options{TaskQueue: c.opts.TaskQueue, StepTypes: c.opts.StepTypes})
}

// StartRegistered fetches the version of workflow id that selector names
// (active, latest, default or a number; "" means active) from the
// registry, compiles it and starts a run pinned to that plan. An unknown
// id or version gives a *registry.NotFoundError.
func (c *Client) StartRegistered(ctx context.Context, id, selector string, opts StartOptions) (*Run, *translator.Plan, registry.Version, error) {
	req, v, err := c.Registry().Get(ctx, id, selector)
	if err != nil {
		return nil, nil, registry.Version{}, err
	}
	run, plan, err := c.StartDefinition(ctx, req, opts)
	return run, plan, v, err
}
