package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	sdkclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/internal/retry"
	"github.com/batonhq/baton/internal/taskqueue"
	"github.com/batonhq/baton/translator"
)

// DefaultTaskQueue is the queue entities run on when Options.TaskQueue is
// empty (Baton's default queue: the one worker.New registers them on).
const DefaultTaskQueue = taskqueue.Default

// Options configure a Registry client.
type Options struct {
	// TaskQueue that Baton workers poll; a new entity starts there.
	TaskQueue string
	// StepTypes are passed to the compiler when a push is checked (they
	// decide modes and queues, hence the plan hash).
	StepTypes map[string]translator.StepTypeInfo
	// Schedules, when set, makes each push ask the entity to keep the
	// workflow id's run strategy and schedules in step with its active
	// version, durably (see ScheduleSync); answers then carry
	// Version.SchedulesSynced.
	Schedules *ScheduleSync
}

// Registry pushes, activates, lists and fetches workflow definition
// versions, kept by one entity workflow per workflow id (no database).
type Registry struct {
	tc   sdkclient.Client
	opts Options
}

// New returns a Registry client over a Temporal client. A Baton worker
// (worker.New, which calls Register) must poll opts.TaskQueue for the
// entities to answer.
func New(tc sdkclient.Client, opts Options) *Registry {
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	return &Registry{tc: tc, opts: opts}
}

// Check validates and compiles a definition as Push does, and returns the
// plan. Nothing is sent to Temporal.
func (r *Registry) Check(req *definition.Request) (*translator.Plan, error) {
	if req == nil || req.Workflow == nil {
		return nil, errors.New("registry: a definition needs a workflow")
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return translator.Compile(req, translator.Options{StepTypes: r.opts.StepTypes, DefaultTaskQueue: r.opts.TaskQueue})
}

// Push stores req as the next version of its workflow id (1, 2, 3...),
// creating the entity on the first push. req.IsActive (default true)
// decides whether the new version becomes the active one. The definition
// is validated and compiled here first: a malformed one never reaches
// Temporal.
func (r *Registry) Push(ctx context.Context, req *definition.Request) (Version, error) {
	plan, err := r.Check(req)
	if err != nil {
		return Version{}, err
	}
	raw, err := definition.Encode(req)
	if err != nil {
		return Version{}, fmt.Errorf("registry: encode definition: %w", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return Version{}, fmt.Errorf("registry: encode definition: %w", err)
	}
	if compact.Len() > MaxDefinitionBytes {
		return Version{}, fmt.Errorf("registry: definition is %d bytes; the limit is %d", compact.Len(), MaxDefinitionBytes)
	}
	id := req.Workflow.ID
	in := PushInput{
		Definition: compact.Bytes(),
		PlanHash:   plan.Hash,
		Name:       req.Workflow.Name,
		Activate:   req.IsActive == nil || *req.IsActive,
		Schedules:  r.opts.Schedules,
	}
	if req.Properties != nil {
		in.Description = req.Properties.Description
	}
	if in.Description == "" {
		in.Description = req.Workflow.Description
	}
	var v Version
	err = retry.UpdateWithStart(ctx, r.tc, sdkclient.StartWorkflowOptions{
		ID:                       EntityID(id),
		TaskQueue:                r.opts.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, WorkflowName, EntityInput{State: State{WorkflowID: id}},
		sdkclient.UpdateWorkflowOptions{WorkflowID: EntityID(id), UpdateName: UpdatePush, Args: []any{in}}, &v)
	if err != nil {
		return Version{}, fmt.Errorf("registry: push %s: %w", id, err)
	}
	return v, nil
}

// Activate makes version the active version of workflow id. An unknown
// id or version gives a *NotFoundError.
func (r *Registry) Activate(ctx context.Context, id string, version int) error {
	_, err := r.Activation(ctx, id, version)
	return err
}

// Activation is Activate returning the activated version, with
// SchedulesSynced set when the entity synced the run strategy and
// schedules.
func (r *Registry) Activation(ctx context.Context, id string, version int) (Version, error) {
	var v Version
	if err := r.send(ctx, id, UpdateActivate, &v, version); err != nil {
		return v, r.wrap(err, id, fmt.Sprint(version), "activate")
	}
	return v, nil
}

// Deactivate leaves workflow id without an active version (Maestro's
// DEACTIVATE): "active" resolves to nothing until a version is activated.
// An unknown id gives a *NotFoundError.
func (r *Registry) Deactivate(ctx context.Context, id string) error {
	_, err := r.Deactivation(ctx, id)
	return err
}

// Deactivation is Deactivate telling whether the entity paused the
// schedules itself.
func (r *Registry) Deactivation(ctx context.Context, id string) (schedulesSynced bool, err error) {
	if err := r.send(ctx, id, UpdateDeactivate, &schedulesSynced); err != nil {
		return false, r.wrap(err, id, "", "deactivate")
	}
	return schedulesSynced, nil
}

// Versions lists workflow id's versions, oldest first. An unknown id gives
// a *NotFoundError.
func (r *Registry) Versions(ctx context.Context, id string) ([]Version, error) {
	v, err := r.query(ctx, id, QueryVersions)
	if err != nil {
		return nil, r.wrap(err, id, "", "versions")
	}
	var out []Version
	if err := v.Get(&out); err != nil {
		return nil, fmt.Errorf("registry: versions of %s: %w", id, err)
	}
	return out, nil
}

// Get fetches the version of workflow id that selector names: active,
// latest, default (the active version, or the latest if none is active,
// as in Maestro) or a version number; "" means active. An unknown id or
// version, no active version, a pruned version or an invalid selector
// gives a *NotFoundError.
func (r *Registry) Get(ctx context.Context, id, selector string) (*definition.Request, Version, error) {
	res, err := r.get(ctx, id, selector)
	if err != nil {
		return nil, Version{}, err
	}
	req, err := definition.Decode(res.Definition)
	if err != nil {
		return nil, Version{}, fmt.Errorf("registry: %s version %d: decode: %w", id, res.Version.Version, err)
	}
	return req, res.Version, nil
}

func (r *Registry) get(ctx context.Context, id, selector string) (*GetResult, error) {
	if _, err := parseSelector(selector); err != nil {
		return nil, &NotFoundError{WorkflowID: id, Selector: selector, Reason: err.Error()}
	}
	v, err := r.query(ctx, id, QueryGet, selector)
	if err != nil {
		return nil, r.wrap(err, id, selector, "get")
	}
	var res GetResult
	if err := v.Get(&res); err != nil {
		return nil, fmt.Errorf("registry: get %s: %w", id, err)
	}
	if res.NotFound != "" {
		return nil, &NotFoundError{WorkflowID: id, Selector: selector, Reason: res.NotFound}
	}
	return &res, nil
}

// query queries the entity, retrying while a new run (after
// continue-as-new) has not completed its first workflow task.
func (r *Registry) query(ctx context.Context, id, name string, args ...any) (converter.EncodedValue, error) {
	return retry.NotReady(ctx, "query "+name, func() (converter.EncodedValue, error) {
		return r.tc.QueryWorkflow(ctx, EntityID(id), "", name, args...)
	})
}

// send sends one update to id's entity and reads its result into out; an
// update the entity's workflow task failed is resent, under one update
// id, so that it applies once.
func (r *Registry) send(ctx context.Context, id, name string, out any, args ...any) error {
	return retry.Update(ctx, r.tc, sdkclient.UpdateWorkflowOptions{WorkflowID: EntityID(id), UpdateName: name, Args: args}, out)
}

// wrap turns Temporal's "no such workflow" and the entity's not-found
// rejections into *NotFoundError.
func (r *Registry) wrap(err error, id, selector, op string) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return &NotFoundError{WorkflowID: id, Selector: selector, Reason: fmt.Sprintf("no workflow %q in the registry", id)}
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == ErrorTypeNotFound {
		return &NotFoundError{WorkflowID: id, Selector: selector, Reason: appErr.Message()}
	}
	return fmt.Errorf("registry: %s %s: %w", op, id, err)
}
