package worker

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/activities/httpstep"
	"github.com/batonhq/baton/internal/taskqueue"
	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/scheduler"
	"github.com/batonhq/baton/signals"
	"github.com/batonhq/baton/workflows"
)

// DefaultTaskQueue is the task queue Baton uses when none is given.
const DefaultTaskQueue = taskqueue.Default

// Options configure a Baton worker.
type Options struct {
	// TaskQueue the worker polls; DefaultTaskQueue if empty.
	TaskQueue string
	// StepTypes are the user step types, keyed by Maestro type name.
	StepTypes map[string]activities.StepType
	// Worker holds Temporal's own worker options (concurrency, pollers...).
	Worker sdkworker.Options
	// DisableWorkflows makes an activity-only worker, for step types routed
	// to their own task queue.
	DisableWorkflows bool
	// HTTP registers Maestro's Http step type with these options (its host
	// allow-list above all); nil leaves it unregistered, so Http steps fail
	// as an unknown step type on this worker. An allow-list entry that can
	// never match is refused (see httpstep.CheckAllowedHosts).
	HTTP *httpstep.Options
}

// New builds (but does not start) a worker on c that runs Baton. Logging
// goes to the logger of c (see NewLogger).
func New(c client.Client, opts Options) (sdkworker.Worker, error) {
	if c == nil {
		return nil, errors.New("baton worker: nil Temporal client")
	}
	queue := opts.TaskQueue
	if queue == "" {
		queue = DefaultTaskQueue
	}
	for name, t := range opts.StepTypes {
		if t == nil {
			return nil, fmt.Errorf("baton worker: step type %q is nil", name)
		}
		if isBuiltin(name) {
			return nil, fmt.Errorf("baton worker: step type %q is built in and cannot be registered", name)
		}
	}
	types := opts.StepTypes
	if opts.HTTP != nil {
		if _, ok := types[httpstep.TypeName]; ok {
			return nil, fmt.Errorf("baton worker: step type %q is registered twice (StepTypes and HTTP)", httpstep.TypeName)
		}
		if err := httpstep.CheckAllowedHosts(opts.HTTP.AllowedHosts); err != nil {
			return nil, fmt.Errorf("baton worker: %w", err)
		}
		types = make(map[string]activities.StepType, len(opts.StepTypes)+1)
		for name, t := range opts.StepTypes {
			types[name] = t
		}
		types[httpstep.TypeName] = httpstep.New(*opts.HTTP)
	}
	w := sdkworker.New(c, queue, opts.Worker)
	if !opts.DisableWorkflows {
		registerWorkflows(w, c)
		registry.Register(w)          // the definition registry's entities and Resolve activity
		scheduler.Register(w)         // run-strategy queues, time-trigger fires
		signals.RegisterActivities(w) // step signal dependencies and outputs
	}
	RegisterStepTypes(w, types)
	return w, nil
}

// RegisterWorkflows registers the interpreter on r (a worker, or a
// testsuite environment).
func RegisterWorkflows(r sdkworker.WorkflowRegistry) { registerWorkflows(r, nil) }

// registerWorkflows registers the workflows, and, on a registry that takes
// activities, the local activity a run reads its breakpoints with at start
// (through c; none without it).
func registerWorkflows(r sdkworker.WorkflowRegistry, c client.Client) {
	r.RegisterWorkflowWithOptions(workflows.BreakpointsStore, workflow.RegisterOptions{Name: workflows.BreakpointsWorkflowName})
	if ar, ok := r.(sdkworker.ActivityRegistry); ok {
		ar.RegisterActivityWithOptions(workflows.BreakpointLoader{Client: c}.Load, activity.RegisterOptions{Name: workflows.LoadBreakpointsActivityName})
	}
	r.RegisterWorkflowWithOptions(workflows.Run, workflow.RegisterOptions{Name: workflows.WorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Foreach, workflow.RegisterOptions{Name: workflows.ForeachWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.While, workflow.RegisterOptions{Name: workflows.WhileWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Permits, workflow.RegisterOptions{Name: workflows.PermitsWorkflowName})
	r.RegisterWorkflowWithOptions(signals.Store, workflow.RegisterOptions{Name: signals.WorkflowName}) // the signal store
	r.RegisterWorkflowWithOptions(signals.TriggerEntity, workflow.RegisterOptions{Name: signals.TriggerWorkflowName})
}

// RegisterStepTypes registers the step activity, dispatching to types, on
// r (a worker, or a testsuite environment).
func RegisterStepTypes(r sdkworker.ActivityRegistry, types map[string]activities.StepType) {
	runner := activities.NewRunner(types)
	r.RegisterActivityWithOptions(runner.RunStep, activity.RegisterOptions{Name: activities.ActivityName})
}

func isBuiltin(name string) bool {
	switch name {
	case "NoOp", "Sleep", "Join":
		return true
	}
	return false
}
