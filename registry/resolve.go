package registry

import (
	"context"
	"encoding/json"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// ResolveActivityName is the activity that resolves a workflow id and
// version selector to a definition, for the subworkflow step.
const ResolveActivityName = "baton.registry.Resolve"

// ResolveInput names a workflow and a version selector: active, latest,
// default or a number ("" means active).
type ResolveInput struct {
	WorkflowID string `json:"workflow_id"`
	Version    string `json:"version"`
}

// Resolved is a resolved version: its number and its definition JSON
// (definition.Decode reads it; compile it to pin the plan into the run).
type Resolved struct {
	Version    int             `json:"version"`
	Definition json.RawMessage `json:"definition"`
}

// Resolve is the activity function. It queries the entity of
// in.WorkflowID with the worker's Temporal client. When the registry has
// no such id, no such version, no active version (for "active"), a pruned
// version, or the selector is invalid, it returns a non-retryable
// application error of type ErrorTypeNotFound ("baton.registry.NotFound")
// whose message names the id and the selector. Other failures (Temporal
// unreachable) are ordinary errors, retried under the activity's policy.
func Resolve(ctx context.Context, in ResolveInput) (*Resolved, error) {
	r := &Registry{tc: activity.GetClient(ctx)}
	res, err := r.get(ctx, in.WorkflowID, in.Version)
	if err != nil {
		var nf *NotFoundError
		if errors.As(err, &nf) {
			return nil, temporal.NewNonRetryableApplicationError(nf.Error(), ErrorTypeNotFound, nil,
				map[string]string{"workflow_id": in.WorkflowID, "version": in.Version})
		}
		return nil, err
	}
	return &Resolved{Version: res.Version.Version, Definition: res.Definition}, nil
}

// Registrar is what Register needs: a worker, or a testsuite environment.
type Registrar interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

var _ Registrar = sdkworker.Worker(nil)

// Register registers the entity workflow and the Resolve activity on r.
func Register(r Registrar) {
	r.RegisterWorkflowWithOptions(Entity, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterActivityWithOptions(Resolve, activity.RegisterOptions{Name: ResolveActivityName})
}
