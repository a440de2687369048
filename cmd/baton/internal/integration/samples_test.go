package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/sel"
	W "github.com/batonhq/baton/workflows"
)

func all(status W.StepStatus, ids ...string) map[string]W.StepStatus {
	m := make(map[string]W.StepStatus, len(ids))
	for _, id := range ids {
		m[id] = status
	}
	return m
}

// TestSamples runs Maestro's sample definitions to the statuses Maestro
// gives them, step by step. Sleep steps are capped at 1-2 s (scaleSleeps)
// so the suite stays short; the testsuite tests in workflows/ run them with
// their full durations under time skipping.
func TestSamples(t *testing.T) {
	tests := []struct {
		file  string
		steps map[string]W.StepStatus
		check func(t *testing.T, st *W.State)
	}{
		{file: "server__sample-dag-test-1.json", steps: all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5", "job.6"),
			check: func(t *testing.T, st *W.State) {
				require.Equal(t, "September", st.Params["foo"].Value)
			}},
		{file: "server__sample-dag-test-2.json", steps: all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5"),
			check: func(t *testing.T, st *W.State) {
				p1, p2 := st.Params["param1"].Value.(string), st.Params["param2"].Value.(string)
				require.Len(t, p1, 36)
				require.Len(t, p2, 36)
				require.NotEqual(t, p1, p2)
			}},
		{file: "server__sample-dag-test-3.json", steps: all(W.Succeeded, "job1", "job.2", "job3", "job4"),
			check: func(t *testing.T, st *W.State) {
				require.Equal(t, "bar1", st.Params["foo"].Value)
				p := st.Step("job.2").Params
				require.Equal(t, int64(2), p["sleep_seconds"].Value, "job3__sleep_seconds + 1, sleeps scaled to 1 s")
				require.Equal(t, "21", p["param1"].Value, "sleep_seconds + '1' concatenates")
				require.Equal(t, "1 + 1", p["param2"].Value, "${job1__sleep_seconds} interpolates")
				hour := st.StartTime.UTC().Truncate(time.Hour).Unix()
				require.Equal(t, hour, p["vtts_ts"].Value)
			}},
		{file: "server__sample-dag-test-4.json", steps: all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5", "job.6", "job.7")},
		{file: "server__sample-dag-test-6.json", steps: all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5", "job.6", "job.7", "job.8")},
		{file: "server__sample-dag-test-7.json", steps: all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5", "job.6", "job.7", "job.8"),
			check: func(t *testing.T, st *W.State) {
				require.Equal(t, sel.Value{Type: sel.Long, Value: int64(15)}, st.Step("job.4").Params["sleep_seconds"])
			}},
		{file: "server__sample-dag-test-8.json", steps: map[string]W.StepStatus{
			"job.1": W.Succeeded, "job.2": W.Succeeded, "job.3": W.Unsatisfied, "job.4": W.Succeeded, "job.5": W.Succeeded}},
		{file: "server__sample-dag-test-9.json", steps: all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5", "job.6", "job.7", "job.8", "job.9")},
		{file: "server__sample-conditional-wf.json", steps: map[string]W.StepStatus{
			"job.1": W.Succeeded, "job.2": W.Succeeded, "job.3": W.Succeeded, "job.4": W.Unsatisfied,
			"job.5": W.Unsatisfied, "job.6": W.Succeeded, "job.7": W.Succeeded},
			check: func(t *testing.T, st *W.State) {
				require.Equal(t, int64(15), st.Step("job.7").Params["param5"].Value)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			req := loadSample(t, tt.file)
			scaleSleeps(req.Workflow.Steps, 1)
			st := runRequest(t, req, nil)
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			requireStatuses(t, st, tt.steps)
			if tt.check != nil {
				tt.check(t, st)
			}
		})
	}
}

// TestDag8RunParam changes x at start: x > 10 takes the other branches.
func TestDag8RunParam(t *testing.T) {
	req := loadSample(t, "server__sample-dag-test-8.json")
	st := runRequest(t, req, map[string]sel.Value{"x": {Type: sel.Long, Value: int64(11)}})
	requireStatuses(t, st, all(W.Succeeded, "job.1", "job.2", "job.3", "job.4", "job.5"))
}

// TestUserStepTypes runs user steps as a local activity and as an activity
// (with a retry), on the real server.
func TestUserStepTypes(t *testing.T) {
	req, err := definition.Decode([]byte(`{"workflow":{"id":"user-steps","steps":[
		{"step":{"id":"echo","type":"Echo","params":{"reply":{"type":"STRING","value":"hi"},"out":{"type":"STRING","value":""}},
			"transition":{"successors":{"flaky":"out == 'hi'"}}}},
		{"step":{"id":"flaky","type":"FailFirst","retry_policy":{"backoff":{"type":"FIXED_BACKOFF","error_retry_backoff_in_secs":1}}}}]}}`))
	require.NoError(t, err)
	st := runRequest(t, req, nil)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, "hi", st.Step("echo").Params["out"].Value)
	require.Equal(t, "local_activity", st.Step("echo").Mode)
	flaky := st.Step("flaky")
	require.Equal(t, "activity", flaky.Mode)
	require.Equal(t, 2, flaky.Attempts)
	require.Equal(t, W.Retries{Error: 1}, flaky.Retries)
}

// TestStopAndQuery stops a run in flight and reads its state by query.
func TestStopAndQuery(t *testing.T) {
	req, err := definition.Decode([]byte(`{"workflow":{"id":"stop-me","steps":[
		{"step":{"id":"nap","type":"Sleep","params":{"sleep_seconds":{"type":"LONG","value":300}},"transition":{"successors":{"after":"true"}}}},
		{"step":{"id":"after","type":"NoOp"}}]}}`))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st, err := run.State(ctx)
		return err == nil && st.Step("nap").Status == W.Running
	}, 20*time.Second, 50*time.Millisecond)
	require.NoError(t, run.Stop(ctx))
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceStopped, st.Status)
	requireStatuses(t, st, map[string]W.StepStatus{"nap": W.Stopped, "after": W.NotCreated})
}

// TestRequestIDDeduplicates starts twice with one request id.
func TestRequestIDDeduplicates(t *testing.T) {
	req := loadSample(t, "server__sample-dag-test-4.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := client.StartOptions{RequestID: "req-42"}
	first, _, err := env.baton.StartDefinition(ctx, req, opts)
	require.NoError(t, err)
	_, err = first.Wait(ctx)
	require.NoError(t, err)
	second, _, err := env.baton.StartDefinition(ctx, req, opts)
	require.NoError(t, err)
	require.Equal(t, first.ID(), second.ID())
	require.Equal(t, first.RunID(), second.RunID())
}

// TestBadRunParamNeverReachesTemporal refuses a CONSTANT override.
func TestBadRunParamNeverReachesTemporal(t *testing.T) {
	req := loadSample(t, "server__sample-dag-test-2.json")
	_, _, err := env.baton.StartDefinition(context.Background(), req, client.StartOptions{
		RunParams: map[string]sel.Value{"param1": {Type: sel.String, Value: "x"}},
	})
	require.ErrorContains(t, err, "CONSTANT")
}
