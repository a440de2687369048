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

// prepareStep starts a step: EVALUATING_PARAMS, then its timeout and retry
// policy. If it fails, the step has ended.
func (r *run) prepareStep(ctx workflow.Context, n *node) (time.Duration, *translator.RetryValues, bool) {
	st := n.state
	st.StartTime = r.timeOf(workflow.Now(ctx))
	st.Status = EvaluatingParams
	r.metrics.stepStarted(n)
	if err := r.evalStepParams(n); err != nil {
		r.endStep(ctx, n, InternallyFailed, err.Error())
		return 0, nil, false
	}
	timeout, err := r.duration(n.plan.Timeout)
	if err != nil {
		r.endStep(ctx, n, InternallyFailed, fmt.Sprintf("step timeout: %v", err))
		return 0, nil, false
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	policy, err := r.retryPolicy(n)
	if err != nil {
		r.warn(fmt.Sprintf("step %q: %v", n.plan.ID, err))
	}
	return timeout, policy, true
}

// retryPolicy resolves a step's retry policy. A step without one of its
// own (the plan leaves Maestro's default out) gets the default's values,
// resolved once per run and shared: they are literals, the same for every
// step. The values are never modified.
func (r *run) retryPolicy(n *node) (*translator.RetryValues, error) {
	if n.plan.Retry != nil {
		v, err := n.plan.Retry.Resolve(&scope{r: r})
		return &v, err
	}
	if r.defaultRetry == nil {
		v, err := n.plan.Retry.Resolve(nil)
		if err != nil {
			return &v, err
		}
		r.defaultRetry = &v
	}
	return r.defaultRetry, nil
}

// verdict is what an attempt's outcome does to its step: retry it after
// delay, or end it with status (through the failure mode if fatal).
type verdict struct {
	retry  bool
	delay  time.Duration
	fatal  bool
	status StepStatus
	why    string
}

// judge applies Maestro's three retry classes to an attempt's outcome. For
// a retry it records the failed status and counts the retry.
func (r *run) judge(n *node, res outcome, err error, policy *translator.RetryValues) verdict {
	st := n.state
	var class translator.RetryClass
	var failed StepStatus
	switch res {
	case outcomeSucceeded:
		return verdict{status: Succeeded}
	case outcomeStopped:
		return verdict{status: r.cutShortStatus(), why: errText(err)}
	case outcomeFatal:
		return verdict{fatal: true, why: errText(err)}
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
			return verdict{status: TimedOut, why: errText(err)}
		}
		return verdict{fatal: true, why: fmt.Sprintf("%s (retries exhausted: %d)", errText(err), *used)}
	}
	st.Status = failed
	st.Error = errText(err)
	delay := policy.Delay(class, int64(*used))
	*used++
	r.metrics.stepRetried(n, class)
	return verdict{retry: true, delay: delay}
}

// apply ends a step as a verdict that is not a retry says.
func (r *run) apply(ctx workflow.Context, n *node, v verdict) {
	if v.fatal {
		r.fatal(ctx, n, v.why)
		return
	}
	r.endStep(ctx, n, v.status, v.why)
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

// timeOf returns a pointer to t, one of an array of 32 that the run's
// other step times share: one allocation per 32 starts and ends of steps
// instead of one each.
func (r *run) timeOf(t time.Time) *time.Time {
	if len(r.times) == cap(r.times) {
		r.times = make([]time.Time, 0, 32)
	}
	r.times = append(r.times, t)
	return &r.times[len(r.times)-1]
}

func (r *run) endStep(ctx workflow.Context, n *node, status StepStatus, why string) {
	n.state.Status = status
	n.state.EndTime = r.timeOf(workflow.Now(ctx))
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

// singleAttempt turns Temporal's retries off: one Maestro attempt is one
// activity attempt, and the interpreter applies Maestro's retry classes.
// It is never modified.
var singleAttempt = &temporal.RetryPolicy{MaximumAttempts: 1}

// attemptActivity runs a user step type as a local activity or an activity,
// one Temporal attempt per Maestro attempt.
func (r *run) attemptActivity(ctx workflow.Context, n *node, timeout time.Duration) (outcome, error) {
	return r.activityOutcome(ctx, n, r.startActivity(ctx, n, timeout), timeout)
}

// startActivity starts one attempt of a user step type.
func (r *run) startActivity(ctx workflow.Context, n *node, timeout time.Duration) workflow.Future {
	if n.plan.Mode == translator.ModeLocalActivity {
		return r.startLocal(localOptions(ctx, timeout), n)
	}
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
	return workflow.ExecuteActivity(actx, activities.ActivityName, r.stepInput(n))
}

// startLocal starts one attempt of a local-activity step; lctx carries the
// local-activity options (localOptions).
func (r *run) startLocal(lctx workflow.Context, n *node) workflow.Future {
	in := r.stepInput(n)
	in.NoEmptyResult = r.leanLocal
	return workflow.ExecuteLocalActivity(lctx, activities.ActivityName, in)
}

// localOptions gives ctx the options of a local-activity attempt with
// timeout: one Temporal attempt per Maestro attempt.
func localOptions(ctx workflow.Context, timeout time.Duration) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: timeout,
		RetryPolicy:            singleAttempt,
	})
}

// localScope is the run's scope with the options of a local-activity
// attempt with timeout, built once per run and timeout (most steps share
// the default) instead of once per attempt; an attempt's own cancel scope
// is made under it.
func (r *run) localScope(timeout time.Duration) workflow.Context {
	if r.local.ctx == nil || r.local.parent != r.scope || r.local.timeout != timeout {
		r.local.ctx, r.local.parent, r.local.timeout = localOptions(r.scope, timeout), r.scope, timeout
	}
	return r.local.ctx
}

// stepInput is the input of an attempt of a user step type.
func (r *run) stepInput(n *node) activities.Input {
	return activities.Input{Step: activities.Step{
		WorkflowID: r.plan.WorkflowID,
		InstanceID: r.id,
		RunID:      r.info.WorkflowExecution.RunID,
		StepID:     n.plan.ID,
		Type:       n.plan.Type,
		SubType:    n.plan.SubType,
		Attempt:    n.state.Attempts,
		Params:     n.state.Params,
	}}
}

// activityOutcome reads how an activity attempt ended; f has settled, or
// Get waits for it.
func (r *run) activityOutcome(ctx workflow.Context, n *node, f workflow.Future, timeout time.Duration) (outcome, error) {
	// The run's output buffer, when Get cannot block (a legacy run's
	// steps wait in coroutines of their own, which could then share it).
	out := &r.output
	if !f.IsReady() {
		out = new(activities.Output)
	}
	*out = activities.Output{}
	err := f.Get(ctx, out)
	if err == nil {
		if err := r.mergeOutputs(n, out.Outputs); err != nil {
			return outcomeFatal, err
		}
		n.dynSignals = out.Signals
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
