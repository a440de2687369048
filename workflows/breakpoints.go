package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"
)

// Breakpoint pauses the steps it matches before they are created (PAUSED,
// until RESUME). It matches a step by workflow id and step id, and by
// workflow version, instance, run and step attempt, where a zero value
// matches any (Maestro's StepBreakpoint).
type Breakpoint struct {
	WorkflowID string `json:"workflow_id"`
	StepID     string `json:"step_id"`
	Version    int64  `json:"workflow_version_id,omitempty"`
	// Instance is the run's instance id (its workflow id); it matches the
	// instance's foreach iterations and subworkflow runs too.
	Instance string `json:"workflow_instance_id,omitempty"`
	Run      int    `json:"workflow_run_id,omitempty"`
	Attempt  int    `json:"step_attempt_id,omitempty"`
}

// matches reports whether the breakpoint applies to the next attempt of a
// step of a run: instance id, version, run number, step id and attempt.
func (b *Breakpoint) matches(workflowID, instance string, version int64, run int, step string, attempt int) bool {
	return b.WorkflowID == workflowID && b.StepID == step &&
		(b.Version == 0 || b.Version == version) &&
		(b.Instance == "" || b.Instance == instance || strings.HasPrefix(instance, b.Instance+"/")) &&
		(b.Run == 0 || b.Run == run) &&
		(b.Attempt == 0 || b.Attempt == attempt)
}

// breakpointAt reports whether a breakpoint pauses n's next attempt.
func (r *run) breakpointAt(n *node) bool {
	for i := range r.bps {
		if r.bps[i].matches(r.plan.WorkflowID, r.id, r.version(), r.state.Run, n.plan.ID, n.state.Attempts+1) {
			return true
		}
	}
	return false
}

// version is the registry version of the run (its BatonVersion search
// attribute, set at start), 0 if it has none (a loop workflow's iterations,
// a run of an unregistered definition).
func (r *run) version() int64 {
	v, _ := workflow.GetTypedSearchAttributes(r.ctx).GetInt64(SearchAttributeVersion)
	return v
}
