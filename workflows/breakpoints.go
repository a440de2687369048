package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
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

// loadBreakpoints reads the run's breakpoints from its workflow id's store
// before any step starts (runs with version 2 of ChangeLeanStart); a run
// that was given breakpoints keeps them. A store that cannot be read is a
// warning: the run goes on without breakpoints.
func (r *run) loadBreakpoints(ctx workflow.Context, given []Breakpoint) {
	if given != nil {
		return
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 5 * time.Second, // a store nobody serves must not hold the run long
		RetryPolicy:            &temporal.RetryPolicy{MaximumAttempts: 2},
	})
	var bps []Breakpoint
	if err := workflow.ExecuteLocalActivity(lctx, LoadBreakpointsActivityName, r.plan.WorkflowID).Get(ctx, &bps); err != nil {
		r.warn(fmt.Sprintf("breakpoints not read, none applies: %v", err))
		return
	}
	r.bps = bps
}

// watchBreakpoints takes the new breakpoint lists SignalBreakpoints brings
// while the run goes on, and passes them to its running foreach loops.
func (r *run) watchBreakpoints() {
	ch := workflow.GetSignalChannel(r.ctx, SignalBreakpoints)
	var bps []Breakpoint
	r.eng.poll(func() bool {
		got := false
		for ch.ReceiveAsync(&bps) {
			got = true
		}
		if got {
			r.setBreakpoints(bps)
			bps = nil
		}
		return false
	})
}

// setBreakpoints replaces the run's breakpoints (for steps not created
// yet) and signals them on to its running foreach loops.
func (r *run) setBreakpoints(bps []Breakpoint) {
	if len(bps) > MaxBreakpoints {
		bps = bps[:MaxBreakpoints]
	}
	r.bps = bps
	for _, n := range r.nodes {
		if n.plan.Kind == "foreach" && n.m.phase == phaseRunning {
			// The loop may have just ended: the signal then fails, which
			// is fine.
			workflow.SignalExternalWorkflow(r.ctx, r.id+"/"+n.plan.ID, "", SignalBreakpoints, bps)
		}
	}
}

// watchBreakpoints takes new breakpoint lists in a foreach loop: its
// running iterations and the ones it launches from now on get them.
func (l *foreachLoop) watchBreakpoints(eng *engine) {
	ch := workflow.GetSignalChannel(l.ctx, SignalBreakpoints)
	var bps []Breakpoint
	eng.poll(func() bool {
		got := false
		for ch.ReceiveAsync(&bps) {
			got = true
		}
		if !got {
			return false
		}
		l.in.Breakpoints = bps
		for _, i := range sortedInts(l.iters) {
			l.iters[i].setBreakpoints(bps)
		}
		bps = nil
		return false
	})
}
