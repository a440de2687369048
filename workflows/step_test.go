package workflows_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/batonhq/baton/activities"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// remoteDef is one step of the user type Remote, run as an activity, whose
// policy allows one platform retry and no timeout retry.
const remoteDef = `{"workflow":{"id":"w","steps":[{"step":{"id":"s","type":"Remote",
	"retry_policy":{"error_retry_limit":0,"platform_retry_limit":1,"timeout_retry_limit":0,
		"backoff":{"type":"FIXED_BACKOFF","platform_retry_backoff_in_secs":3}}}}]}}`

// scriptActivity mocks the step activity: attempt i returns errs[i-1] (nil
// or past the end: success) and records the heartbeat timeout it ran with.
func scriptActivity(h *harness, errs []error, hb *time.Duration) {
	h.env.OnActivity(activities.ActivityName, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.Input) (*activities.Output, error) {
			*hb = activity.GetInfo(ctx).HeartbeatTimeout
			if a := in.Step.Attempt; a <= len(errs) && errs[a-1] != nil {
				return nil, errs[a-1]
			}
			return &activities.Output{}, nil
		})
}

func TestLostAttemptIsPlatformError(t *testing.T) {
	types := map[string]translator.StepTypeInfo{"Remote": {Mode: translator.ModeActivity, HeartbeatTimeout: 5 * time.Second}}
	tests := []struct {
		name     string
		err      error
		status   W.StepStatus
		attempts int
		retries  W.Retries
		msg      string
	}{
		{"a heartbeat timeout is retried as a platform error", temporal.NewHeartbeatTimeoutError(), W.Succeeded, 2, W.Retries{Platform: 1}, ""},
		{"the step timeout is still a timeout", temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, nil), W.TimedOut, 1, W.Retries{}, "step timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			var hb time.Duration
			scriptActivity(h, []error{tt.err}, &hb)
			st := h.run(t, compileJSON(t, remoteDef, types), nil)
			s := st.Step("s")
			require.Equal(t, tt.status, s.Status, s.Error)
			require.Equal(t, tt.attempts, s.Attempts)
			require.Equal(t, tt.retries, s.Retries)
			require.Contains(t, s.Error, tt.msg)
			require.Equal(t, 5*time.Second, hb, "the step type's heartbeat timeout")
		})
	}
}

// TestLostAttemptBeforeTheChange pins the version of a run that saw its
// heartbeat timeout on an interpreter from before the change: it keeps
// reading the timeout as a step timeout, as that interpreter did.
func TestLostAttemptBeforeTheChange(t *testing.T) {
	h := newHarness(t, nil)
	h.env.OnGetVersion(W.ChangeLostAttemptIsPlatformError, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	var hb time.Duration
	scriptActivity(h, []error{temporal.NewHeartbeatTimeoutError()}, &hb)
	st := h.run(t, compileJSON(t, remoteDef, map[string]translator.StepTypeInfo{"Remote": {Mode: translator.ModeActivity}}), nil)
	s := st.Step("s")
	require.Equal(t, W.TimedOut, s.Status, s.Error)
	require.Equal(t, 1, s.Attempts)
	require.Equal(t, time.Duration(translator.DefaultHeartbeatTimeoutSecs)*time.Second, hb, "the default heartbeat timeout")
}

// TestStepActivityHeartbeats runs a step that takes longer than its
// heartbeat timeout: the step activity heartbeats for it.
func TestStepActivityHeartbeats(t *testing.T) {
	h := newHarness(t, map[string]activities.StepType{
		"Remote": activities.StepFunc(func(ctx context.Context, _ *activities.Step) (*activities.Result, error) {
			select {
			case <-time.After(1500 * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return &activities.Result{}, nil
		}),
	})
	var beats atomic.Int32
	h.env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { beats.Add(1) })
	st := h.run(t, compileJSON(t, remoteDef, map[string]translator.StepTypeInfo{"Remote": {Mode: translator.ModeActivity, HeartbeatTimeout: time.Second}}), nil)
	require.Equal(t, W.Succeeded, st.Step("s").Status, st.Step("s").Error)
	require.Equal(t, 1, st.Step("s").Attempts)
	require.Positive(t, beats.Load(), "the step activity heartbeated while the step ran")
}
