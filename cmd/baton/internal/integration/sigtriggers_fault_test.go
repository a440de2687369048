package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/signals"
)

// TestFaultSignalTriggerWorkerKill kills a `baton worker` child process
// (SIGKILL), the only worker of its queue, right after the second signal
// of a pair is stored, while the store's offer and the trigger entity's
// firing may be in flight; another signal is sent while no worker runs. A
// new worker finishes: the pair started exactly one instance, the signal
// sent during the outage did not re-join the used instance, and the next
// pair starts the second instance.
func TestFaultSignalTriggerWorkerKill(t *testing.T) {
	trials := faultTrials(t)
	address := env.srv.Address()
	for trial := 1; trial <= trials; trial++ {
		key := fmt.Sprintf("%d-%d", trial, time.Now().UnixNano())
		queue := "baton-fault-trigger-" + key
		wfID := "fault-trigger-" + key
		a, b := "db/fault/ta-"+key, "db/fault/tb-"+key
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		w1 := startWorkerProc(t, address, queue, "127.0.0.1:9")
		bc := client.New(env.tc, client.Options{TaskQueue: queue})
		req, err := definition.Decode(fmt.Appendf(nil, `{"properties":{"owner":"tester","run_strategy":"parallel"},"workflow":{"id":%q,
		 "signal_triggers":[{"definitions":{%q:{"join_keys":["k"]}, %q:{"join_keys":["k"]}}}],
		 "steps":[{"step":{"id":"s","type":"NoOp"}}]}}`, wfID, a, b))
		require.NoError(t, err)
		_, err = bc.Push(ctx, req)
		require.NoError(t, err)
		sc := signals.NewClient(env.tc, signals.ClientOptions{TaskQueue: queue})
		u := map[string]signals.Value{"k": signals.String("u")}
		instances := func() int {
			snap, err := bc.Scheduler().Instances(ctx, wfID)
			require.NoError(t, err)
			return len(snap.Instances)
		}
		send(t, ctx, sc, a, u)
		send(t, ctx, sc, b, u)
		w1.kill9(t)

		sent := make(chan error, 1)
		go func() { // waits for a worker
			_, err := sc.Send(ctx, signals.SendOptions{Name: a, Params: u})
			sent <- err
		}()
		time.Sleep(500 * time.Millisecond)
		startWorkerProc(t, address, queue, "127.0.0.1:9")
		require.NoError(t, <-sent)
		require.Eventually(t, func() bool { return instances() >= 1 }, 2*time.Minute, 50*time.Millisecond, "a1+b1 start an instance")
		time.Sleep(2 * time.Second)
		require.Equal(t, 1, instances(), "one instance for a1+b1; a2 does not re-join b1")
		send(t, ctx, sc, b, u)
		require.Eventually(t, func() bool { return instances() >= 2 }, time.Minute, 50*time.Millisecond, "a2+b2 start the second")
		time.Sleep(time.Second)
		require.Equal(t, 2, instances())
		cancel()
	}
	t.Logf("%d trials: each pair started one instance", trials)
}
