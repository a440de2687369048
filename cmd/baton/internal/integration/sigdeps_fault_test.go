package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/signals"
	"github.com/batonhq/baton/translator"
	W "github.com/batonhq/baton/workflows"
)

// TestFaultSignalsWorkerKill kills a `baton worker` child process (SIGKILL)
// twice in one run: while a step waits for a signal (the signal is then
// sent while no worker runs), and right after the next step's output
// signal reached the store (the workflow task recording the send may be
// lost with the worker, so the send may run again). A new worker finishes
// the run: the wait is released by the signal sent during the outage, and
// the output signal is stored exactly once.
func TestFaultSignalsWorkerKill(t *testing.T) {
	trials := faultTrials(t)
	address := env.srv.Address()
	for trial := 1; trial <= trials; trial++ {
		key := fmt.Sprintf("%d-%d", trial, time.Now().UnixNano())
		queue := "baton-fault-signals-" + key
		in, out := "db/fault/in-"+key, "db/fault/out-"+key
		w1 := startWorkerProc(t, address, queue, "127.0.0.1:9")
		run := faultRun(t, env.tc, queue, translator.StepTypeInfo{}, fmt.Sprintf(`{"properties":{"owner":"tester"},"workflow":{"id":"fault-signals","steps":[
			{"step":{"id":"wait","type":"NoOp","transition":{"successors":{"emit":"true"}},
			 "params":{"day":{"type":"LONG","expression":"params.getFromSignalDependency('0', 'day')"}},
			 "signal_dependencies":[{"name":%q,"match_params":{"day":{"param":{"type":"LONG","value":20260101},"operator":">="}}}]}},
			{"step":{"id":"emit","type":"NoOp","params":{"day":{"type":"LONG","expression":"wait__day"}},
			 "signal_outputs":[{"name":%q,"params":{"day":{"type":"LONG","expression":"day"}}}]}}]}}`, in, out))
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		waitForSignals(t, ctx, run, "wait")
		w1.kill9(t)

		// Sent while no worker runs: the store's update waits for one.
		sc := signals.NewClient(env.tc, signals.ClientOptions{TaskQueue: queue})
		sent := make(chan error, 1)
		go func() {
			_, err := sc.Send(ctx, signals.SendOptions{Name: in, Params: map[string]signals.Value{"day": signals.Long(20260102)}})
			sent <- err
		}()
		time.Sleep(500 * time.Millisecond)
		w2 := startWorkerProc(t, address, queue, "127.0.0.1:9")
		require.NoError(t, <-sent)

		// Kill as soon as the output signal is stored.
		require.Eventually(t, func() bool {
			got, err := sc.List(ctx, out, signals.ListRequest{})
			return err == nil && len(got) > 0
		}, time.Minute, 5*time.Millisecond, "the output signal is sent")
		w2.kill9(t)
		startWorkerProc(t, address, queue, "127.0.0.1:9")
		st := waitRun(t, run, 2*time.Minute)
		require.Equal(t, W.InstanceSucceeded, st.Status, st.Error)
		require.Equal(t, in+"#1", st.Step("wait").SignalDependencies[0].SignalID)
		got, err := sc.List(ctx, out, signals.ListRequest{})
		require.NoError(t, err)
		require.Len(t, got, 1, "the output signal is stored once")
		require.Equal(t, got[0].ID(), st.Step("emit").SignalOutputs[0].SignalID)
		require.Equal(t, signals.Long(20260102), got[0].Params["day"])
		require.True(t, strings.HasSuffix(got[0].RequestID, "/emit#1/0"), got[0].RequestID)
		cancel()
	}
	t.Logf("%d trials: no signal lost, none sent twice", trials)
}
