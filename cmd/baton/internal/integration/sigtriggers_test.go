package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkclient "go.temporal.io/sdk/client"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/signals"
	W "github.com/batonhq/baton/workflows"
)

// TestSignalTriggerStartsWorkflow pushes a workflow whose active version
// has a signal trigger over two signals joined on a key, and sends them:
// an instance starts only once both match with equal join-key values;
// the same signals sent again start nothing more (dedup_expr); an output
// signal of another workflow starts the next instance; once the workflow
// is deactivated, matching signals start nothing.
func TestSignalTriggerStartsWorkflow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stamp := time.Now().UnixNano()
	wfID := fmt.Sprintf("sig-trig-%d", stamp)
	a, b := fmt.Sprintf("db/trig/a-%d", stamp), fmt.Sprintf("db/trig/b-%d", stamp)
	req, err := definition.Decode(fmt.Appendf(nil, `{"properties":{"owner":"tester","run_strategy":"parallel"},"workflow":{"id":%q,
	 "signal_triggers":[{"definitions":{
	   %q:{"match_params":{"foo":{"value":"bar","operator":"="}},"join_keys":["k"]},
	   %q:{"match_params":{"w":{"value":10,"operator":">="}},"join_keys":["k2"]}},
	  "condition":"params.getFromSignal('%s', 'w') < 100",
	  "dedup_expr":"params.getFromSignal('%s', 'k')",
	  "params":{"from_trigger":{"type":"STRING","value":"yes"}}}],
	 "params":{"from_trigger":{"type":"STRING","value":"no"}},
	 "steps":[{"step":{"id":"s","type":"NoOp","params":{
	   "w":{"type":"LONG","expression":"params.getFromSignal('%s', 'w')"},
	   "p":{"type":"STRING","expression":"params.getFromSignal('from_trigger')"}}}}]}}`, wfID, a, b, b, a, b))
	require.NoError(t, err)
	_, err = env.baton.Push(ctx, req)
	require.NoError(t, err)
	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	instances := func() int {
		snap, err := env.baton.Scheduler().Instances(ctx, wfID)
		require.NoError(t, err)
		return len(snap.Instances)
	}
	settle := func(want int, why string) {
		t.Helper()
		require.Eventually(t, func() bool { return instances() >= want }, time.Minute, 50*time.Millisecond, why)
		time.Sleep(time.Second) // nothing more arrives
		require.Equal(t, want, instances(), why)
	}
	str := signals.String
	send(t, ctx, sc, a, map[string]signals.Value{"foo": str("bar"), "k": str("u1")})
	send(t, ctx, sc, b, map[string]signals.Value{"w": signals.Long(5), "k2": str("u1")})   // w < 10
	send(t, ctx, sc, b, map[string]signals.Value{"w": signals.Long(12), "k2": str("u2")})  // another join key
	send(t, ctx, sc, b, map[string]signals.Value{"w": signals.Long(200), "k2": str("u1")}) // the condition is false
	settle(0, "no pair matches yet")
	// As Maestro, the pair joined under a false condition is used up: a new
	// b alone starts nothing, a new a with it does.
	send(t, ctx, sc, b, map[string]signals.Value{"w": signals.Long(12), "k2": str("u1")})
	settle(0, "the first a was used by the false condition")
	send(t, ctx, sc, a, map[string]signals.Value{"foo": str("bar"), "k": str("u1")})
	settle(1, "a and b joined on u1 start one instance")
	snap, err := env.baton.Scheduler().Instances(ctx, wfID)
	require.NoError(t, err)
	require.Equal(t, "SIGNAL", snap.Instances[0].Initiator)
	require.Equal(t, "signal-0-u1", snap.Instances[0].RequestID)
	var st W.State
	require.NoError(t, env.tc.GetWorkflow(ctx, snap.Instances[0].ID, "").Get(ctx, &st))
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	require.Equal(t, "yes", st.Params["from_trigger"].Value, "the trigger's params are injected")
	require.Equal(t, int64(12), st.Step("s").Params["w"].Value, "params.getFromSignal(name, param)")
	require.Equal(t, "yes", st.Step("s").Params["p"].Value, "params.getFromSignal(param)")

	// The same signals again: the same request id, no second instance.
	send(t, ctx, sc, a, map[string]signals.Value{"foo": str("bar"), "k": str("u1")})
	send(t, ctx, sc, b, map[string]signals.Value{"w": signals.Long(12), "k2": str("u1")})
	settle(1, "dedup_expr gives the same request id")

	// Another workflow's output signal completes the u3 pair.
	send(t, ctx, sc, a, map[string]signals.Value{"foo": str("bar"), "k": str("u3")})
	producer := startDef(t, ctx, fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"sig-trig-producer","steps":[
	 {"step":{"id":"emit","type":"NoOp","signal_outputs":[{"name":%q,"params":{"w":{"type":"LONG","value":50},"k2":{"type":"STRING","value":"u3"}}}]}}]}}`, b))
	pst, err := producer.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", string(pst.Status), pst.Error)
	settle(2, "the output signal starts the u3 instance")

	// Deactivated: matching signals start nothing.
	err = env.baton.Deactivate(ctx, wfID)
	require.NoError(t, err)
	send(t, ctx, sc, a, map[string]signals.Value{"foo": str("bar"), "k": str("u4")})
	send(t, ctx, sc, b, map[string]signals.Value{"w": signals.Long(12), "k2": str("u4")})
	settle(2, "a deactivated workflow is not triggered")

	// The store of a (triggers update, fire activities, in order per
	// trigger since signal-trigger-serial-offers) replays on the current
	// code; BATON_RECORD_HISTORIES=1 keeps it for signals' replay test
	// (store-trigger-fire.json is the same store before that change).
	path := filepath.Join(t.TempDir(), "store.json")
	if os.Getenv("BATON_RECORD_HISTORIES") == "1" {
		path = filepath.Join("..", "..", "..", "..", "signals", "testdata", "histories", "store-trigger-offers.json")
	}
	require.NoError(t, batontest.RecordHistory(ctx, env.tc, signals.WorkflowID(a), "", path))
	require.NoError(t, batontest.ReplayFile(path))
}

// TestSignalTriggerSample runs Maestro's server__sample-signal-trigger-wf.json
// end to end: pushed and active, its trigger (signal_a and signal_b joined
// on updated_by/posted_by) starts an instance, whose job.1 then waits for
// its two table signals (TARGET_RUN_DATE conditions, >= and =), reads the
// trigger's param, a matched signal's param and a dependency's param, and
// sends its two output signals.
func TestSignalTriggerSample(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	req := loadSample(t, "server__sample-signal-trigger-wf.json")
	_, err := env.baton.Push(ctx, req)
	require.NoError(t, err)
	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	str, long := signals.String, signals.Long
	send(t, ctx, sc, "signal_a", map[string]signals.Value{"foo": str("bat"), "watermark": long(20000), "updated_by": str("etl")})
	send(t, ctx, sc, "signal_b", map[string]signals.Value{"bar": str("baz"), "watermark": long(30000), "posted_by": str("etl")})
	var id string
	require.Eventually(t, func() bool {
		snap, err := env.baton.Scheduler().Instances(ctx, "sample-signal-trigger-wf")
		if err != nil || len(snap.Instances) == 0 {
			return false
		}
		id = snap.Instances[0].ID
		return true
	}, time.Minute, 50*time.Millisecond, "the trigger starts an instance")
	run := env.baton.GetRun(id, "")
	st := waitForSignals(t, ctx, run, "job.1")
	deps := st.Step("job.1").SignalDependencies
	require.Len(t, deps, 2)
	for _, d := range deps {
		params := map[string]signals.Value{}
		for _, m := range d.Match {
			params[m.Name] = m.Value // >= and = both hold for the bound itself
		}
		send(t, ctx, sc, d.Name, params)
	}
	st, err = run.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
	j1 := st.Step("job.1")
	require.Equal(t, "bar", j1.Params["param1"].Value, "params.getFromSignal('foo'): the trigger's param")
	require.Equal(t, int64(20000), j1.Params["param2"].Value, "params.getFromSignal('signal_a', 'watermark')")
	require.Equal(t, deps[0].Match[0].Value.Str(), j1.Params["param3"].Value, "params.getFromSignalDependency('0', 'vtts_utc_dateint')")
	require.Len(t, j1.SignalOutputs, 2)
	for _, o := range j1.SignalOutputs {
		got, err := sc.List(ctx, o.Name, signals.ListRequest{})
		require.NoError(t, err)
		require.Len(t, got, 1, o.Name)
		require.Equal(t, got[0].ID(), o.SignalID)
	}
}

// TestSignalTriggerCheckpoints checks Maestro's checkpoints per trigger and
// signal, kept by the trigger's entity: a1+b1 fire once; a2 with the same
// join value does not re-join b1 (no dedup_expr, so a re-join would start
// a second instance); b2 then joins the OLDEST unused a (a2, not a3); the
// checkpoints and the unused a3 survive the entity's continue-as-new (it
// is started here with two offers per run).
func TestSignalTriggerCheckpoints(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stamp := time.Now().UnixNano()
	wfID := fmt.Sprintf("sig-ckpt-%d", stamp)
	a, b := fmt.Sprintf("db/ckpt/a-%d", stamp), fmt.Sprintf("db/ckpt/b-%d", stamp)
	req, err := definition.Decode(fmt.Appendf(nil, `{"properties":{"owner":"tester","run_strategy":"parallel"},"workflow":{"id":%q,
	 "signal_triggers":[{"definitions":{%q:{"join_keys":["k"]}, %q:{"join_keys":["k"]}},
	  "params":{"tag":{"type":"STRING","expression":"'from-' + params.getFromSignal('%s', 'k')"}}}],
	 "params":{"tag":{"type":"STRING","value":"none"}},
	 "steps":[{"step":{"id":"s","type":"NoOp","params":{"n":{"type":"LONG","expression":"params.getFromSignal('%s', 'n')"}}}}]}}`,
		wfID, a, b, a, a))
	require.NoError(t, err)
	_, err = env.baton.Push(ctx, req)
	require.NoError(t, err)
	// The entity the stores' offers go to, started first with a small run.
	trig := &signals.Trigger{WorkflowID: wfID, Version: 1, Index: 0, TaskQueue: client.DefaultTaskQueue,
		Defs: map[string]signals.TriggerDef{a: {JoinKeys: []string{"k"}}, b: {JoinKeys: []string{"k"}}}}
	entityID := signals.TriggerWorkflowID(trig)
	_, err = env.tc.ExecuteWorkflow(ctx, sdkclient.StartWorkflowOptions{ID: entityID, TaskQueue: client.DefaultTaskQueue},
		signals.TriggerWorkflowName, signals.TriggerState{Trigger: trig, OffersPerRun: 2})
	require.NoError(t, err)

	sc := signals.NewClient(env.tc, signals.ClientOptions{})
	instances := func() []*W.State {
		snap, err := env.baton.Scheduler().Instances(ctx, wfID)
		require.NoError(t, err)
		var out []*W.State
		for _, in := range snap.Instances {
			var st W.State
			require.NoError(t, env.tc.GetWorkflow(ctx, in.ID, "").Get(ctx, &st))
			require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
			out = append(out, &st)
		}
		return out
	}
	settle := func(want int, why string) []*W.State {
		t.Helper()
		require.Eventually(t, func() bool { return len(instances()) >= want }, time.Minute, 50*time.Millisecond, why)
		time.Sleep(time.Second) // nothing more arrives
		got := instances()
		require.Len(t, got, want, why)
		return got
	}
	kv := func(n int64) map[string]signals.Value {
		return map[string]signals.Value{"k": signals.String("u"), "n": signals.Long(n)}
	}
	send(t, ctx, sc, a, kv(1))
	send(t, ctx, sc, b, kv(1))
	got := settle(1, "a1+b1 fire once")
	require.Equal(t, int64(1), got[0].Step("s").Params["n"].Value)
	require.Equal(t, "from-u", got[0].Params["tag"].Value, "a trigger param's expression")
	send(t, ctx, sc, a, kv(2))
	settle(1, "a2 does not re-join b1")
	send(t, ctx, sc, a, kv(3))
	settle(1, "nor does a3")
	b2 := send(t, ctx, sc, b, kv(2))
	got = settle(2, "b2 joins an unused a")
	ns := []any{got[0].Step("s").Params["n"].Value, got[1].Step("s").Params["n"].Value}
	require.ElementsMatch(t, []any{int64(1), int64(2)}, ns, "the oldest unused a (a2) joins b2, not a3")

	// The entity continued as new (five offers, two per run) and kept its
	// checkpoints and the unused a3.
	var st signals.TriggerState
	require.Eventually(t, func() bool {
		v, err := env.tc.QueryWorkflow(ctx, entityID, "", signals.QueryTriggerState)
		if err != nil || v.Get(&st) != nil {
			return false
		}
		return st.Checkpoints[b] == b2.Seq
	}, 30*time.Second, 50*time.Millisecond)
	require.Len(t, st.Candidates[a], 1)
	require.Equal(t, int64(3), st.Candidates[a][0].Params["n"].Int())
	require.Equal(t, int64(2), st.Fired)
	desc, err := env.tc.DescribeWorkflowExecution(ctx, entityID, "")
	require.NoError(t, err)
	require.NotEqual(t, desc.WorkflowExecutionInfo.Execution.RunId, desc.WorkflowExecutionInfo.FirstRunId, "the entity continued as new")

	// The entity's current run replays on the current code;
	// BATON_RECORD_HISTORIES=1 keeps it for signals' replay test.
	path := filepath.Join(t.TempDir(), "trigger.json")
	if os.Getenv("BATON_RECORD_HISTORIES") == "1" {
		path = filepath.Join("..", "..", "..", "..", "signals", "testdata", "histories", "trigger-entity.json")
	}
	require.NoError(t, batontest.RecordHistory(ctx, env.tc, entityID, "", path))
	require.NoError(t, batontest.ReplayFile(path))
}
