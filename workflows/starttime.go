package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// ChangeStartTimeFromWorkflow: before it, an instance's start_time (and the
// system params derived from it, RUN_TS and the like) was the time of the
// workflow task that first ran the instance. When that task did not complete
// (its worker died running local activities, or no worker was up), the next
// attempt's time was taken: the start moved to the re-run. From version 1 it
// is the workflow's start, as recorded in its history.
const ChangeStartTimeFromWorkflow = "start-time-from-workflow"

// lateFirstTask is how far the first workflow task may run after the
// workflow's start and still give the instance its start_time, as before
// ChangeStartTimeFromWorkflow. Runs within it pay no version marker (a marker
// and a search attribute update on every run); the two times differ by less.
const lateFirstTask = time.Second

// instanceStartTime is a top-level instance's start_time: the workflow's
// start when its first workflow task ran late (a crash, no worker), else
// that task's time. Both come from history, so replays agree.
func instanceStartTime(ctx workflow.Context, info *workflow.Info) time.Time {
	now := workflow.Now(ctx)
	start := info.WorkflowStartTime
	if start.IsZero() || now.Sub(start) < lateFirstTask {
		return now
	}
	if workflow.GetVersion(ctx, ChangeStartTimeFromWorkflow, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return now
	}
	return start
}
