package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/signals"
	W "github.com/batonhq/baton/workflows"
)

// startDef starts a definition (JSON) on the shared worker.
func startDef(t *testing.T, ctx context.Context, def string) *client.Run {
	t.Helper()
	req, err := definition.Decode([]byte(def))
	require.NoError(t, err)
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	return run
}

// waitForSignals waits until step is WAITING_FOR_SIGNALS and returns the
// run's state then.
func waitForSignals(t *testing.T, ctx context.Context, run *client.Run, step string) *W.State {
	t.Helper()
	var st *W.State
	require.Eventually(t, func() bool {
		var err error
		st, err = run.State(ctx)
		return err == nil && st.Step(step) != nil && st.Step(step).Status == W.WaitingForSignals
	}, time.Minute, 20*time.Millisecond, "step %s waits for its signals", step)
	return st
}

// requireStillWaiting checks that step has not moved on for a while.
func requireStillWaiting(t *testing.T, ctx context.Context, run *client.Run, step string) {
	t.Helper()
	time.Sleep(500 * time.Millisecond)
	st, err := run.State(ctx)
	require.NoError(t, err)
	require.Equal(t, W.WaitingForSignals, st.Step(step).Status)
}

func send(t *testing.T, ctx context.Context, sc *signals.Client, name string, params map[string]signals.Value) *signals.Instance {
	t.Helper()
	res, err := sc.Send(ctx, signals.SendOptions{Name: name, Params: params})
	require.NoError(t, err)
	return res.Instance
}

// TestSignalDependencySample runs Maestro's server__sample-dag-test-5.json:
// job.1 waits for two signals. signal_b is sent before the run starts (a
// stored instance matches), prod_db/foo/bar only once job.1 waits; the run
// then proceeds through job.7.
func TestSignalDependencySample(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	before := send(t, ctx, sc, "signal_b", map[string]signals.Value{"key2": signals.String("value2")})
	req := loadSample(t, "server__sample-dag-test-5.json")
	run, _, err := env.baton.StartDefinition(ctx, req, client.StartOptions{})
	require.NoError(t, err)
	st := waitForSignals(t, ctx, run, "job.1")
	deps := st.Step("job.1").SignalDependencies
	require.Len(t, deps, 2)
	require.Equal(t, "prod_db/foo/bar", deps[0].Name)
	require.Equal(t, W.SignalWaiting, deps[0].Status)
	day := deps[0].Match[0].Value // ${DERIVED_RUN_DATE_UTC}, interpolated
	require.Regexp(t, `^"\d{8}"$`, day.String())
	require.Equal(t, W.SignalMatched, deps[1].Status, "signal_b was stored before the step waited")
	require.Equal(t, before.ID(), deps[1].SignalID)

	// A wrong date does not match; the right one does.
	send(t, ctx, sc, "prod_db/foo/bar", map[string]signals.Value{"vtts_utc_dateint": signals.String("19990101")})
	requireStillWaiting(t, ctx, run, "job.1")
	sent := time.Now()
	match := send(t, ctx, sc, "prod_db/foo/bar", map[string]signals.Value{"vtts_utc_dateint": day})
	st, err = run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	for _, s := range st.Steps {
		require.Equal(t, W.Succeeded, s.Status, s.ID)
	}
	j1 := st.Step("job.1")
	require.Equal(t, match.ID(), j1.SignalDependencies[0].SignalID)
	require.Equal(t, map[string]signals.Value{"vtts_utc_dateint": day}, j1.SignalDependencies[0].Params)
	t.Logf("send -> run ended: %v", time.Since(sent))
}

// TestSignalDependencyOperators: >= and < bound a match from both sides;
// instances outside either bound do not release the step.
func TestSignalDependencyOperators(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := "db/it/" + t.Name()
	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	run := startDef(t, ctx, fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"sig-ops",
	 "params":{"from":{"type":"LONG","value":20260102}},
	 "steps":[{"step":{"id":"w","type":"NoOp",
	  "params":{"hour":{"type":"LONG","expression":"params.getFromSignalDependency('0', 'hour')"}},
	  "signal_dependencies":[{"name":%q,"match_params":{
	   "day":{"param":{"type":"LONG","expression":"from"},"operator":">="},
	   "hour":{"param":{"type":"LONG","value":5},"operator":"<"}}}]}}]}}`, name))
	waitForSignals(t, ctx, run, "w")
	send(t, ctx, sc, name, map[string]signals.Value{"day": signals.Long(20260101), "hour": signals.Long(1)})     // day too early
	send(t, ctx, sc, name, map[string]signals.Value{"day": signals.Long(20260103), "hour": signals.Long(5)})     // hour not < 5
	send(t, ctx, sc, name, map[string]signals.Value{"day": signals.String("20260103"), "hour": signals.Long(1)}) // a STRING is not a LONG
	requireStillWaiting(t, ctx, run, "w")
	ok := send(t, ctx, sc, name, map[string]signals.Value{"day": signals.Long(20260102), "hour": signals.Long(4)})
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, ok.ID(), st.Step("w").SignalDependencies[0].SignalID)
	require.Equal(t, int64(4), st.Step("w").Params["hour"].Value)
}

// TestSignalOutputsReleaseWaitingRun: one workflow's output signal
// releases another's waiting step; the output is stored once.
func TestSignalOutputsReleaseWaitingRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := "db/it/" + t.Name()
	waiting := startDef(t, ctx, fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"sig-consumer",
	 "steps":[{"step":{"id":"w","type":"NoOp","signal_dependencies":[{"name":%q,"match_params":{
	   "table":{"param":{"type":"STRING","value":"t1"},"operator":"="}}}]}}]}}`, name))
	waitForSignals(t, ctx, waiting, "w")
	producer := startDef(t, ctx, fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"sig-producer",
	 "params":{"t":{"type":"STRING","value":"t1"}},
	 "steps":[{"step":{"id":"load","type":"NoOp","params":{"rows":{"type":"LONG","value":42}},
	  "signal_outputs":[{"name":%q,"params":{"table":{"type":"STRING","value":"${t}"},"rows":{"type":"LONG","expression":"rows"}}}]}}]}}`, name))
	pst, err := producer.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, pst.Status, pst.Error)
	out := pst.Step("load").SignalOutputs
	require.Len(t, out, 1)
	require.Equal(t, name+"#1", out[0].SignalID)
	wst, err := waiting.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, wst.Status, wst.Error)
	require.Equal(t, name+"#1", wst.Step("w").SignalDependencies[0].SignalID)
	require.Equal(t, signals.Long(42), wst.Step("w").SignalDependencies[0].Params["rows"])
	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	all, err := sc.List(ctx, name, signals.ListRequest{})
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.True(t, strings.HasSuffix(all[0].RequestID, "/load#1/0"), all[0].RequestID)
}
