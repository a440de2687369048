package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/signals"
	"github.com/batonhq/baton/workflows"
)

// ScenarioSignals measures the signal store: "wake", the time from a
// signal send to the result of a run whose one step waited for it (the
// step starts, a NoOp, and the run ends: an upper bound of send -> step
// start), one run and one fresh signal name per repetition; and "send",
// signals stored per second by 32 senders, into one name and into 16.
const ScenarioSignals = "signals"

// signalSenders send at once in a send row.
const signalSenders = 32

func (b *bench) signals(ctx context.Context) {
	if b.naivePhase {
		return
	}
	b.signalWake(ctx)
	b.signalSend(ctx, 1)
	b.signalSend(ctx, 16)
}

func (b *bench) signalWake(ctx context.Context) {
	sys := b.baton
	r := &Row{Scenario: ScenarioSignals, System: sys.name, Mode: "wake", N: 1}
	defer func() {
		b.report.add(r)
		fmt.Fprintln(b.opts.Progress, r.progress())
	}()
	sc := signals.NewClient(sys.tc, signals.ClientOptions{TaskQueue: taskQueue})
	stamp := time.Now().UnixNano()
	once := func(i int) (time.Duration, error) {
		rctx, cancel := context.WithTimeout(ctx, runTimeout)
		defer cancel()
		name := fmt.Sprintf("bench/wake/%d-%d", stamp, i)
		plan, err := sys.compile(fmt.Appendf(nil, `{"properties":{"owner":"bench"},"workflow":{"id":"bench-signal-wake","steps":[
			{"step":{"id":"w","type":"NoOp","signal_dependencies":[{"name":%q,"match_params":{
			 "day":{"param":{"type":"LONG","value":1},"operator":">="}}}]}}]}}`, name))
		if err != nil {
			return 0, err
		}
		run, err := sys.bc.Start(rctx, plan, client.StartOptions{})
		if err != nil {
			return 0, err
		}
		for {
			st, err := run.State(rctx)
			if err == nil && st.Steps[0].Status == workflows.WaitingForSignals {
				break
			}
			if rctx.Err() != nil {
				return 0, errors.New("the step never waited for its signal")
			}
			time.Sleep(2 * time.Millisecond)
		}
		began := time.Now()
		if _, err := sc.Send(rctx, signals.SendOptions{Name: name, Params: map[string]signals.Value{"day": signals.Long(1)}}); err != nil {
			return 0, err
		}
		st, err := run.Wait(rctx)
		d := time.Since(began)
		if err == nil && st.Status != workflows.InstanceSucceeded {
			err = fmt.Errorf("run %s ended %s: %s", run.ID(), st.Status, firstError(st))
		}
		return d, err
	}
	var lat []time.Duration
	began := time.Now()
	for i := 0; i < b.opts.Warmup+b.opts.Reps && ctx.Err() == nil; i++ {
		d, err := once(i)
		if err != nil {
			r.Error = err.Error()
			return
		}
		if i >= b.opts.Warmup {
			lat = append(lat, d)
		}
		if len(lat) >= min(b.opts.Reps, 5) && time.Since(began) > b.opts.RowBudget {
			break
		}
	}
	r.setLatencies(lat)
}

// signalSend stores signals from signalSenders goroutines into names
// names, round robin; RunsPerSec is signals stored per second.
func (b *bench) signalSend(ctx context.Context, names int) {
	sys := b.baton
	r := &Row{Scenario: ScenarioSignals, System: sys.name, Mode: fmt.Sprintf("send/%d-names", names), N: 1, Concurrency: signalSenders}
	defer func() {
		b.report.add(r)
		fmt.Fprintln(b.opts.Progress, r.progress())
	}()
	sc := signals.NewClient(sys.tc, signals.ClientOptions{TaskQueue: taskQueue})
	stamp := time.Now().UnixNano()
	batch := func(n int) ([]time.Duration, time.Duration, error) {
		return b.drive(ctx, n, signalSenders, "sends", func(ctx context.Context, i int) error {
			_, err := sc.Send(ctx, signals.SendOptions{
				Name:   fmt.Sprintf("bench/send/%d-%d", stamp, i%names),
				Params: map[string]signals.Value{"day": signals.Long(int64(20260101 + i)), "table": signals.String("t1")},
			})
			return err
		})
	}
	if _, _, err := batch(min(signalSenders, b.opts.SignalSends)); err != nil { // warm-up: starts the stores
		r.Error = err.Error()
		return
	}
	lat, wall, err := batch(b.opts.SignalSends)
	if err != nil {
		r.Error = err.Error()
	}
	r.setLatencies(lat)
	if wall > 0 {
		r.RunsPerSec = float64(len(lat)) / wall.Seconds()
	}
}
