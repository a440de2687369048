package workflows

import "go.temporal.io/sdk/workflow"

// QueryLoopProgress is the query a foreach or while loop workflow answers
// with its LoopProgress, for watching a loop step while it runs (the parent
// run's state summarises the loop only once it ends). A query handler adds
// nothing to the history, so it needs no workflow.GetVersion.
const QueryLoopProgress = "baton.loop_progress"

// LoopProgress is a running loop's progress.
type LoopProgress struct {
	// Total is a foreach's iteration count; 0 for a while loop.
	Total int `json:"total,omitempty"`
	// Launched counts the iterations started so far (including those
	// carried from an earlier run of a restarted loop).
	Launched int `json:"launched"`
	// Running counts the iterations running now.
	Running int `json:"running"`
	// Counts are the finished iterations by how they ended.
	Counts LoopCounts `json:"counts"`
}

// Done is the number of finished iterations.
func (p LoopProgress) Done() int {
	return p.Counts.Succeeded + p.Counts.Failed + p.Counts.TimedOut + p.Counts.Stopped
}

// setLoopProgressQuery answers QueryLoopProgress with what progress returns.
func setLoopProgressQuery(ctx workflow.Context, progress func() LoopProgress) {
	// Registering a handler cannot fail for a valid, unreserved name.
	_ = workflow.SetQueryHandler(ctx, QueryLoopProgress, func() (LoopProgress, error) { return progress(), nil })
}
