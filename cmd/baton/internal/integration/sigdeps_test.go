package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/batontest"
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

// TestSignalHistoriesReplay runs a step that waits for two signals (one
// stored before, one sent while it waits) and sends an output, then
// replays the run's history and the store's (wait update, notify signal)
// on the current code. BATON_RECORD_HISTORIES=1 keeps both for the replay
// tests of workflows and signals.
func TestSignalHistoriesReplay(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	stamp := time.Now().UnixNano()
	early, late, out := fmt.Sprintf("db/rec/early-%d", stamp), fmt.Sprintf("db/rec/late-%d", stamp), fmt.Sprintf("db/rec/out-%d", stamp)
	send(t, ctx, sc, early, map[string]signals.Value{"day": signals.Long(20260101)})
	run := startDef(t, ctx, fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"signal-deps",
	 "params":{"day":{"type":"LONG","value":20260101}},
	 "steps":[{"step":{"id":"a","type":"NoOp","params":{"t":{"type":"STRING","value":"t1"}},"transition":{"successors":{"b":"true"}}}},
	  {"step":{"id":"b","type":"NoOp","params":{"hour":{"type":"LONG","expression":"params.getFromSignalDependency('1', 'hour')"}},
	   "signal_dependencies":[
	    {"name":%q,"match_params":{"day":{"param":{"type":"LONG","expression":"day"},"operator":"="}}},
	    {"name":%q,"match_params":{"table":{"param":{"type":"STRING","value":"${a__t}"},"operator":"="}}}],
	   "signal_outputs":[{"name":%q,"params":{"hour":{"type":"LONG","expression":"hour"}}}]}}]}}`, early, late, out))
	waitForSignals(t, ctx, run, "b")
	send(t, ctx, sc, late, map[string]signals.Value{"table": signals.String("t1"), "hour": signals.Long(7)})
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, out+"#1", st.Step("b").SignalOutputs[0].SignalID)

	runPath := filepath.Join(t.TempDir(), "run.json")
	storePath := filepath.Join(t.TempDir(), "store.json")
	if os.Getenv("BATON_RECORD_HISTORIES") == "1" {
		runPath = filepath.Join(historiesDir, historyPrefix+"signal-deps.json")
		storePath = filepath.Join("..", "..", "..", "..", "signals", "testdata", "histories", "store-wait-notify.json")
	}
	require.NoError(t, batontest.RecordHistory(ctx, env.tc, run.ID(), run.RunID(), runPath))
	batontest.Replay(t, runPath)
	require.NoError(t, batontest.RecordHistory(ctx, env.tc, signals.WorkflowID(late), "", storePath))
	require.NoError(t, batontest.ReplayFile(storePath))
}

// TestSignalDependencyInForeach: each iteration's step waits for its own
// signal (the name interpolates the loop param); the iterations run inside
// the loop workflow, which the store signals.
func TestSignalDependencyInForeach(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	prefix := fmt.Sprintf("db/it/loop-%d-", time.Now().UnixNano())
	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	send(t, ctx, sc, prefix+"1", nil) // iteration 1's signal is there before it waits
	run := startDef(t, ctx, fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"sig-loop","steps":[
	 {"foreach":{"id":"loop","params":{"loop_params":{"type":"MAP","value":{"i":{"type":"LONG_ARRAY","value":[1,2,3]}}}},
	  "steps":[{"step":{"id":"w","type":"NoOp","signal_dependencies":[{"name":"%s${i}"}]}}]}}]}}`, prefix))
	require.Eventually(t, func() bool {
		p, err := run.LoopProgress(ctx, "loop")
		return err == nil && p != nil && p.Counts.Succeeded == 1
	}, time.Minute, 20*time.Millisecond, "iteration 1 matched its stored signal")
	requireRunning(t, ctx, run)
	send(t, ctx, sc, prefix+"3", nil)
	send(t, ctx, sc, prefix+"2", nil)
	st, err := run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, 3, st.Step("loop").Loop.Counts.Succeeded)
}

// requireRunning checks that the run has not ended for a while.
func requireRunning(t *testing.T, ctx context.Context, run *client.Run) {
	t.Helper()
	time.Sleep(500 * time.Millisecond)
	st, err := run.State(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InProgress, st.Status)
}
