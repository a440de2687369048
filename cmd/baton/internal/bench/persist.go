package bench

import (
	"context"
	"maps"
	"sync"
	"time"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
)

// persistCounter is a server metrics handler that keeps one figure: the
// requests the server made to its stores (history and visibility), by
// operation. What a run costs the server is mostly those requests (SQLite
// is most of the process's CPU), and their count does not depend on the
// machine's load.
type persistCounter struct {
	c  *persistCounts
	op string // the operation tag this handler carries
}

type persistCounts struct {
	mu   sync.Mutex
	byOp map[string]int64
	// background are the operations an idle server makes too (queue
	// readers, shard and task-queue upkeep): left out of count.
	background map[string]bool
}

func newPersistCounter() persistCounter {
	return persistCounter{c: &persistCounts{byOp: map[string]int64{}, background: map[string]bool{}}}
}

// count is the store requests so far, but for the background operations.
func (p persistCounter) count() int64 {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	var n int64
	for op, k := range p.c.byOp {
		if !p.c.background[op] {
			n += k
		}
	}
	return n
}

// snapshot is the count of every operation so far.
func (p persistCounter) snapshot() map[string]int64 {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	return maps.Clone(p.c.byOp)
}

// markBackground leaves out of count the operations made since before, a
// snapshot taken while the server was idle.
func (p persistCounter) markBackground(before map[string]int64) {
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	for op, k := range p.c.byOp {
		if k > before[op] {
			p.c.background[op] = true
		}
	}
}

func (p persistCounter) WithTags(tags ...metrics.Tag) metrics.Handler {
	for _, t := range tags {
		if t.Key == metrics.OperationTagName {
			p.op = t.Value
		}
	}
	return p
}

func (p persistCounter) Counter(name string) metrics.CounterIface {
	if name != metrics.PersistenceRequests.Name() && name != metrics.VisibilityPersistenceRequests.Name() {
		return metrics.NoopCounterMetricFunc
	}
	return metrics.CounterFunc(func(v int64, tags ...metrics.Tag) {
		op := p.op
		for _, t := range tags {
			if t.Key == metrics.OperationTagName {
				op = t.Value
			}
		}
		p.c.mu.Lock()
		p.c.byOp[name+"/"+op] += v
		p.c.mu.Unlock()
	})
}

func (persistCounter) Gauge(string) metrics.GaugeIface { return metrics.NoopGaugeMetricFunc }

func (persistCounter) Timer(string) metrics.TimerIface { return metrics.NoopTimerMetricFunc }

func (persistCounter) Histogram(string, metrics.MetricUnit) metrics.HistogramIface {
	return metrics.NoopHistogramMetricFunc
}

func (persistCounter) Stop(log.Logger) {}

func (p persistCounter) StartBatch(string) metrics.BatchHandler { return persistBatch{p} }

type persistBatch struct{ persistCounter }

func (persistBatch) Close() error { return nil }

// quiet waits until the server has finished what earlier runs left it
// (visibility, transfer and timer tasks): until its store requests come at
// no more than the idle rate for a while, or a few seconds have passed.
func (s *system) quiet(ctx context.Context, idlePerSec float64) {
	const step, calm, most = 100 * time.Millisecond, 3, 3 * time.Second
	began, last, still := time.Now(), s.persist.count(), 0
	for still < calm && time.Since(began) < most && ctx.Err() == nil {
		time.Sleep(step)
		n := s.persist.count()
		if float64(n-last) <= idlePerSec*step.Seconds()+1 {
			still++
		} else {
			still = 0
		}
		last = n
	}
}
