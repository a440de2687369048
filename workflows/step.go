package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/sel"
	"github.com/batonhq/baton/translator"
)

// outcome is how one attempt of a step ended.
type outcome int

const (
	outcomeSucceeded outcome = iota
	outcomeUserError
	outcomePlatformError
	outcomeTimeout
	outcomeFatal
	outcomeStopped
)

// runStep runs a step's lifecycle in its coroutine: params, attempts,
// retries with Maestro's three classes, and the failure mode.
func (r *run) runStep(ctx workflow.Context, n *node) {
	st := n.state
	start := workflow.Now(ctx)
	st.StartTime = &start
	st.Status = EvaluatingParams
	stepStarted(ctx, n)
	if err := r.evalStepParams(n); err != nil {
		r.endStep(ctx, n, InternallyFailed, err.Error())
		return
	}
	timeout, err := r.duration(n.plan.Timeout)
	if err != nil {
		r.endStep(ctx, n, InternallyFailed, fmt.Sprintf("step timeout: %v", err))
		return
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	policy, err := n.plan.Retry.Resolve(&scope{r: r})
	if err != nil {
		r.warn(fmt.Sprintf("step %q: %v", n.plan.ID, err))
	}

	leaf := r.tree != nil && isLeaf(n.plan)
	for {
		if leaf {
			// A permit of the tree cap for each attempt (Maestro's
			// WAITING_FOR_PERMITS, before STARTING).
			st.Status = WaitingForPermits
			if err := r.tree.acquire(ctx); err != nil {
				r.endStep(ctx, n, r.cutShortStatus(), r.haltWhy)
				return
			}
		}
		st.Attempts++
		st.Status = Running
		res, err := r.attempt(ctx, n, timeout)
		if leaf {
			r.tree.release()
		}
		if ctx.Err() != nil {
			r.endStep(ctx, n, r.cutShortStatus(), r.haltWhy)
			return
		}
		var class translator.RetryClass
		var failed StepStatus
		switch res {
		case outcomeSucceeded:
			r.endStep(ctx, n, Succeeded, "")
			return
		case outcomeStopped:
			r.endStep(ctx, n, r.cutShortStatus(), errText(err))
			return
		case outcomeFatal:
			r.fatal(ctx, n, errText(err))
			return
		case outcomeUserError:
			class, failed = translator.RetryError, UserFailed
		case outcomePlatformError:
			class, failed = translator.RetryPlatform, PlatformFailed
		case outcomeTimeout:
			class, failed = translator.RetryTimeout, TimeoutFailed
		}
		used := st.Retries.counter(class)
		if int64(*used) >= policy.Limit(class) {
			if res == outcomeTimeout {
				r.endStep(ctx, n, TimedOut, errText(err))
			} else {
				r.fatal(ctx, n, fmt.Sprintf("%s (retries exhausted: %d)", errText(err), *used))
			}
			return
		}
		st.Status = failed
		st.Error = errText(err)
		delay := policy.Delay(class, int64(*used))
		*used++
		stepRetried(ctx, n, class)
		if err := workflow.Sleep(ctx, delay); err != nil {
			r.endStep(ctx, n, r.cutShortStatus(), r.haltWhy)
			return
		}
	}
}

// cutShortStatus is the status of a step cancelled by a halt or a stop.
func (r *run) cutShortStatus() StepStatus {
	if r.halted {
		return r.haltWith
	}
	return Stopped
}

// fatal ends a step as FATALLY_FAILED and applies its failure mode.
func (r *run) fatal(ctx workflow.Context, n *node, why string) {
	switch n.plan.FailureMode {
	case "IGNORE_FAILURE":
		r.endStep(ctx, n, CompletedWithError, why)
	case "FAIL_IMMEDIATELY":
		r.endStep(ctx, n, FatallyFailed, why)
		r.halt(Stopped, fmt.Sprintf("step %q failed with FAIL_IMMEDIATELY: %s", n.plan.ID, why))
	default:
		r.endStep(ctx, n, FatallyFailed, why)
	}
}

func (r *run) endStep(ctx workflow.Context, n *node, status StepStatus, why string) {
	now := workflow.Now(ctx)
	n.state.Status = status
	n.state.EndTime = &now
	if status == Succeeded {
		n.state.Error = ""
	} else if why != "" {
		n.state.Error = why
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// attempt runs one attempt of a step in its mode.
func (r *run) attempt(ctx workflow.Context, n *node, timeout time.Duration) (outcome, error) {
	switch n.plan.Mode {
	case translator.ModeInline:
		return r.attemptInline(ctx, n, timeout)
	case translator.ModeLocalActivity, translator.ModeActivity:
		return r.attemptActivity(ctx, n, timeout)
	case translator.ModeChild:
		return r.attemptChild(ctx, n, timeout)
	}
	return outcomeFatal, fmt.Errorf("not supported yet: execution mode %q", n.plan.Mode)
}

// attemptInline runs the built-in step types that live in workflow code.
func (r *run) attemptInline(ctx workflow.Context, n *node, timeout time.Duration) (outcome, error) {
	switch n.plan.Type {
	case "Sleep":
		secs := int64(3) // Maestro's default when sleep_seconds is unset
		if v, ok := n.state.Params["sleep_seconds"]; ok {
			l, ok := v.Value.(int64)
			if !ok {
				return outcomeFatal, fmt.Errorf("sleep_seconds must be a LONG, got %v", v.Type)
			}
			secs = l
		}
		if secs < 0 {
			return outcomeFatal, fmt.Errorf("sleep_seconds is negative: %d", secs)
		}
		d := time.Duration(secs) * time.Second
		if d > timeout {
			if err := workflow.Sleep(ctx, timeout); err != nil {
				return outcomeStopped, err
			}
			return outcomeTimeout, fmt.Errorf("step timed out after %v (sleep_seconds %d)", timeout, secs)
		}
		if err := workflow.Sleep(ctx, d); err != nil {
			return outcomeStopped, err
		}
		return outcomeSucceeded, nil
	case "NoOp":
		return outcomeSucceeded, nil
	}
	return outcomeFatal, fmt.Errorf("step type %q cannot run inline", n.plan.Type)
}

// singleAttempt turns Temporal's retries off: one Maestro attempt is one
// activity attempt, and the interpreter applies Maestro's retry classes.
// It is never modified.
var singleAttempt = &temporal.RetryPolicy{MaximumAttempts: 1}

// attemptActivity runs a user step type as a local activity or an activity,
// one Temporal attempt per Maestro attempt.
func (r *run) attemptActivity(ctx workflow.Context, n *node, timeout time.Duration) (outcome, error) {
	in := activities.Input{Step: activities.Step{
		WorkflowID: r.plan.WorkflowID,
		InstanceID: r.id,
		RunID:      r.info.WorkflowExecution.RunID,
		StepID:     n.plan.ID,
		Type:       n.plan.Type,
		SubType:    n.plan.SubType,
		Attempt:    n.state.Attempts,
		Params:     n.state.Params,
	}}
	var f workflow.Future
	if n.plan.Mode == translator.ModeLocalActivity {
		lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
			ScheduleToCloseTimeout: timeout,
			RetryPolicy:            singleAttempt,
		})
		f = workflow.ExecuteLocalActivity(lctx, activities.ActivityName, in)
	} else {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			TaskQueue:              n.plan.TaskQueue,
			ScheduleToCloseTimeout: timeout,
			// The step activity heartbeats on its own while the step runs
			// (activities.Runner), so a missed heartbeat means the attempt
			// was lost with its worker: Temporal gives it up at once
			// instead of at the step timeout, and the interpreter retries
			// it as a platform error (below). Activity options are not
			// part of the command sequence, so this needs no version gate.
			HeartbeatTimeout: heartbeatTimeout(n.plan),
			RetryPolicy:      singleAttempt,
			ActivityID:       r.activityID(n),
		})
		f = workflow.ExecuteActivity(actx, activities.ActivityName, in)
	}
	var out activities.Output
	err := f.Get(ctx, &out)
	if err == nil {
		if err := r.mergeOutputs(n, out.Outputs); err != nil {
			return outcomeFatal, err
		}
		return outcomeSucceeded, nil
	}
	var canceled *temporal.CanceledError
	switch {
	case errors.As(err, &canceled) || ctx.Err() != nil:
		return outcomeStopped, err
	case isHeartbeatTimeout(err) && workflow.GetVersion(ctx, changeLostAttemptIsPlatformError, workflow.DefaultVersion, 1) >= 1:
		return outcomePlatformError, fmt.Errorf("attempt lost: no heartbeat for %v from the worker running it (the worker stopped or lost the server)", heartbeatTimeout(n.plan))
	case temporal.IsTimeoutError(err):
		return outcomeTimeout, fmt.Errorf("step timed out after %v", timeout)
	}
	switch activities.ErrorClass(err) {
	case activities.ErrorTypeUser:
		return outcomeUserError, cause(err)
	case activities.ErrorTypePlatform:
		return outcomePlatformError, cause(err)
	case activities.ErrorTypeFatal, activities.ErrorTypeUnknownStepType:
		return outcomeFatal, cause(err)
	}
	return outcomePlatformError, err
}

// changeLostAttemptIsPlatformError versions the class of an activity
// attempt lost to a heartbeat timeout: before it, the interpreter read every
// activity timeout as a step timeout; from version 1 a heartbeat timeout is
// a platform error (the step did not fail, its worker went away), retried
// under platform_retry_limit.
const changeLostAttemptIsPlatformError = "lost-attempt-is-platform-error"

// heartbeatTimeout is the heartbeat timeout of an activity-mode step.
func heartbeatTimeout(n *translator.Node) time.Duration {
	secs := n.HeartbeatTimeout
	if secs <= 0 {
		secs = translator.DefaultHeartbeatTimeoutSecs
	}
	return time.Duration(secs) * time.Second
}

// isHeartbeatTimeout reports whether an activity error is a heartbeat
// timeout: the attempt's worker stopped heartbeating.
func isHeartbeatTimeout(err error) bool {
	var te *temporal.TimeoutError
	return errors.As(err, &te) && te.TimeoutType() == enumspb.TIMEOUT_TYPE_HEARTBEAT
}

// cause unwraps Temporal's activity error to the step's own message.
func cause(err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return errors.New(appErr.Message())
	}
	return err
}

// mergeOutputs applies a step's output params: only params the step
// declares, with mode MUTABLE, may be set (Maestro §4.3 FINISHING).
func (r *run) mergeOutputs(n *node, outputs map[string]sel.Value) error {
	for _, name := range sortedKeys(outputs) {
		decl, ok := n.plan.Params[name]
		if !ok {
			return fmt.Errorf("output param %q is not declared by step %q (declare it as a MUTABLE param)", name, n.plan.ID)
		}
		if decl.Mode != "" && decl.Mode != "MUTABLE" {
			return fmt.Errorf("output param %q of step %q has mode %s; only MUTABLE params can be outputs", name, n.plan.ID, decl.Mode)
		}
		v, err := sel.Coerce(outputs[name].Value, decl.Type)
		if err != nil {
			return fmt.Errorf("output param %q: %w", name, err)
		}
		if n.state.Params == nil {
			n.state.Params = map[string]sel.Value{}
		}
		n.state.Params[name] = sel.Value{Type: decl.Type, Value: v}
	}
	return nil
}

// activityID names a step attempt's activity: "step#attempt", prefixed by
// the iteration for loop iterations that run inline (they share one
// workflow's activity ids).
func (r *run) activityID(n *node) string {
	id := fmt.Sprintf("%s#%d", n.plan.ID, n.state.Attempts)
	if r.inline {
		return r.id + "/" + id
	}
	return id
}
