package scheduler

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/registry"
	"github.com/batonhq/baton/signals"
	"github.com/batonhq/baton/workflows"
)

// Registrar is what Register needs: a worker, or a testsuite environment.
type Registrar interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// Register registers the queue and fire workflows and their activities,
// and the schedule sync registry entities run.
func Register(r Registrar) {
	r.RegisterWorkflowWithOptions(Queue, workflow.RegisterOptions{Name: QueueWorkflowName})
	r.RegisterWorkflowWithOptions(Fire, workflow.RegisterOptions{Name: FireWorkflowName})
	r.RegisterActivityWithOptions(Watch, activity.RegisterOptions{Name: WatchActivityName})
	r.RegisterActivityWithOptions(StartTriggered, activity.RegisterOptions{Name: FireActivityName})
	r.RegisterActivityWithOptions(Sync, activity.RegisterOptions{Name: registry.SyncActivityName})
	r.RegisterActivityWithOptions(FireSignalTrigger, activity.RegisterOptions{Name: signals.FireActivityName})
	r.RegisterActivityWithOptions(AdmitSignalTrigger, activity.RegisterOptions{Name: signals.AdmitActivityName})
	r.RegisterActivityWithOptions(CheckEnded, activity.RegisterOptions{Name: EndedActivityName})
	r.RegisterActivityWithOptions(AdmitSubworkflow, activity.RegisterOptions{Name: workflows.SubworkflowAdmitActivityName})
	r.RegisterActivityWithOptions(AwaitAdmission, activity.RegisterOptions{Name: workflows.AdmissionActivityName})
	r.RegisterActivityWithOptions(StopSubworkflow, activity.RegisterOptions{Name: workflows.SubworkflowStopActivityName})
}
